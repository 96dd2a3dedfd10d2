/* intset: sorted integer set, Redis 7.x byte format. See intset.h. */
#include "intset.h"

#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

#define HDR 8

/* ---- little-endian field access (independent of host byte order) -------- */

static inline uint32_t rd32(const void *p) {
    const unsigned char *b = p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline void wr32(void *p, uint32_t v) {
    unsigned char *b = p;
    b[0] = v & 0xff;
    b[1] = (v >> 8) & 0xff;
    b[2] = (v >> 16) & 0xff;
    b[3] = (v >> 24) & 0xff;
}

static inline uint32_t enc_of(const intset *is) { return rd32(&is->encoding); }
static inline uint32_t len_of(const intset *is) { return rd32(&is->length); }
static inline void set_enc(intset *is, uint32_t e) { wr32(&is->encoding, e); }
static inline void set_len(intset *is, uint32_t l) { wr32(&is->length, l); }

/* Element `pos` of a buffer of width `enc`, sign-extended. */
static inline int64_t get_at(const unsigned char *contents, uint32_t pos, uint32_t enc) {
    const unsigned char *b = contents + (size_t)pos * enc;
    uint64_t u = 0;
    for (uint32_t i = enc; i > 0; i--) u = (u << 8) | b[i - 1];
    if (enc < 8) {
        uint64_t sign = 1ull << (enc * 8 - 1);
        if (u & sign) u |= ~((sign << 1) - 1);
    }
    return (int64_t)u;
}

static inline void set_at(unsigned char *contents, uint32_t pos, uint32_t enc, int64_t v) {
    unsigned char *b = contents + (size_t)pos * enc;
    uint64_t u = (uint64_t)v;
    for (uint32_t i = 0; i < enc; i++) b[i] = (u >> (8 * i)) & 0xff;
}

static inline unsigned char *contents_of(const intset *is) { return (unsigned char *)is + HDR; }

/* Smallest width that holds v. */
static uint32_t value_encoding(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return INTSET_ENC_INT64;
    if (v < INT16_MIN || v > INT16_MAX) return INTSET_ENC_INT32;
    return INTSET_ENC_INT16;
}

static intset *resize(intset *is, uint32_t len) {
    size_t bytes = HDR + (size_t)len * enc_of(is);
    return zrealloc(is, bytes);
}

/* Binary search: 1 and *pos if found; else 0 and *pos = insertion point. */
static int search(const intset *is, int64_t value, uint32_t *pos) {
    uint32_t len = len_of(is), enc = enc_of(is);
    const unsigned char *c = contents_of(is);
    uint32_t lo = 0, hi = len; /* half-open [lo, hi) */
    if (len == 0) {
        *pos = 0;
        return 0;
    }
    /* Fast paths at both ends (common for sequential inserts). */
    if (value > get_at(c, len - 1, enc)) {
        *pos = len;
        return 0;
    }
    if (value < get_at(c, 0, enc)) {
        *pos = 0;
        return 0;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_at(c, mid, enc);
        if (cur == value) {
            *pos = mid;
            return 1;
        }
        if (cur < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

intset *intsetNew(void) {
    intset *is = zmalloc(HDR);
    set_enc(is, INTSET_ENC_INT16);
    set_len(is, 0);
    return is;
}

void intsetFree(intset *is) { zfree(is); }

intset *intsetDup(const intset *is) {
    size_t n = intsetBlobLen(is);
    intset *c = zmalloc(n);
    memcpy(c, is, n);
    return c;
}

/* Widen every element to the encoding `value` needs, then add value at the
 * front (negative) or back (positive): it lies outside the old range. */
static intset *upgrade_and_add(intset *is, int64_t value) {
    uint32_t old_enc = enc_of(is), new_enc = value_encoding(value);
    uint32_t len = len_of(is);
    int front = value < 0;

    set_enc(is, new_enc);
    is = resize(is, len + 1);
    unsigned char *c = contents_of(is);
    /* Walk from the end so wider writes never clobber unread narrow elements. */
    for (uint32_t i = len; i > 0; i--) {
        int64_t v = get_at(c, i - 1, old_enc);
        set_at(c, i - 1 + (front ? 1 : 0), new_enc, v);
    }
    set_at(c, front ? 0 : len, new_enc, value);
    set_len(is, len + 1);
    return is;
}

intset *intsetAdd(intset *is, int64_t value, uint8_t *success) {
    if (success) *success = 1;
    if (value_encoding(value) > enc_of(is)) return upgrade_and_add(is, value);

    uint32_t pos;
    if (search(is, value, &pos)) {
        if (success) *success = 0;
        return is;
    }
    uint32_t len = len_of(is), enc = enc_of(is);
    is = resize(is, len + 1);
    unsigned char *c = contents_of(is);
    if (pos < len) memmove(c + (size_t)(pos + 1) * enc, c + (size_t)pos * enc, (size_t)(len - pos) * enc);
    set_at(c, pos, enc, value);
    set_len(is, len + 1);
    return is;
}

intset *intsetRemove(intset *is, int64_t value, int *success) {
    uint32_t pos;
    if (success) *success = 0;
    if (value_encoding(value) > enc_of(is) || !search(is, value, &pos)) return is;
    uint32_t len = len_of(is), enc = enc_of(is);
    unsigned char *c = contents_of(is);
    if (pos < len - 1) memmove(c + (size_t)pos * enc, c + (size_t)(pos + 1) * enc, (size_t)(len - pos - 1) * enc);
    is = resize(is, len - 1);
    set_len(is, len - 1);
    if (success) *success = 1;
    return is;
}

uint8_t intsetFind(const intset *is, int64_t value) {
    uint32_t pos;
    return value_encoding(value) <= enc_of(is) && search(is, value, &pos);
}

int64_t intsetRandom(const intset *is) {
    uint32_t len = len_of(is);
    return get_at(contents_of(is), (uint32_t)((unsigned long)random() % len), enc_of(is));
}

uint8_t intsetGet(const intset *is, uint32_t pos, int64_t *value) {
    if (pos >= len_of(is)) return 0;
    *value = get_at(contents_of(is), pos, enc_of(is));
    return 1;
}

uint32_t intsetLen(const intset *is) { return len_of(is); }

size_t intsetBlobLen(const intset *is) { return HDR + (size_t)len_of(is) * enc_of(is); }

uint32_t intsetEncoding(const intset *is) { return enc_of(is); }

int64_t intsetMin(const intset *is) { return get_at(contents_of(is), 0, enc_of(is)); }

int64_t intsetMax(const intset *is) { return get_at(contents_of(is), len_of(is) - 1, enc_of(is)); }

int intsetValidateIntegrity(const unsigned char *p, size_t size, int deep) {
    if (!p || size < HDR) return 0;
    uint32_t enc = rd32(p);
    if (enc != INTSET_ENC_INT16 && enc != INTSET_ENC_INT32 && enc != INTSET_ENC_INT64) return 0;
    uint64_t count = rd32(p + 4);
    if ((uint64_t)HDR + count * enc != (uint64_t)size) return 0;
    if (count == 0) return 0;
    if (!deep) return 1;
    const unsigned char *c = p + HDR;
    int64_t prev = get_at(c, 0, enc);
    for (uint32_t i = 1; i < count; i++) {
        int64_t cur = get_at(c, i, enc);
        if (cur <= prev) return 0;
        prev = cur;
    }
    return 1;
}
