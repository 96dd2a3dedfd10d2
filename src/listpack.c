/* listpack: compact list of strings and integers, Redis 7.x byte format.
 * See listpack.h for the byte layout and the API contract. */
#include "listpack.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

/* ---- header fields ------------------------------------------------------- */

static inline uint32_t hdr_total(const unsigned char *lp) {
    return (uint32_t)lp[0] | ((uint32_t)lp[1] << 8) | ((uint32_t)lp[2] << 16) | ((uint32_t)lp[3] << 24);
}
static inline void set_hdr_total(unsigned char *lp, uint32_t v) {
    lp[0] = v & 0xff;
    lp[1] = (v >> 8) & 0xff;
    lp[2] = (v >> 16) & 0xff;
    lp[3] = (v >> 24) & 0xff;
}
static inline uint32_t hdr_count(const unsigned char *lp) {
    return (uint32_t)lp[4] | ((uint32_t)lp[5] << 8);
}
static inline void set_hdr_count(unsigned char *lp, uint32_t v) {
    lp[4] = v & 0xff;
    lp[5] = (v >> 8) & 0xff;
}
/* Apply `delta` to a known header count; 65535 stays "unknown", and any
 * result of 65535 or more becomes "unknown". */
static void adjust_hdr_count(unsigned char *lp, long delta) {
    uint32_t n = hdr_count(lp);
    if (n == LP_HDR_NUMELE_UNKNOWN) return;
    long long r = (long long)n + delta;
    if (r < 0) r = 0; /* cannot happen on a consistent listpack */
    if (r >= LP_HDR_NUMELE_UNKNOWN) r = LP_HDR_NUMELE_UNKNOWN;
    set_hdr_count(lp, (uint32_t)r);
}

/* ---- backlen --------------------------------------------------------------- */

/* Bytes needed to store backlen `l` (Redis's thresholds). */
static inline unsigned backlen_size(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

/* Write backlen `l` into buf (backlen_size(l) bytes): 7-bit groups, most
 * significant first; every byte after the first has bit 7 set. */
static inline void backlen_write(unsigned char *buf, uint64_t l) {
    unsigned n = backlen_size(l);
    for (unsigned i = 0; i < n; i++) {
        unsigned shift = 7 * (n - 1 - i);
        unsigned char b = (unsigned char)((l >> shift) & 127);
        if (i > 0) b |= 128;
        buf[i] = b;
    }
}

/* Read a backlen backwards from its last byte `last` (trusted data). */
static inline uint64_t backlen_read(const unsigned char *last) {
    uint64_t v = 0;
    unsigned shift = 0;
    for (int i = 0; i < 5; i++) {
        unsigned char b = last[-i];
        v |= (uint64_t)(b & 127) << shift;
        if (!(b & 128)) break;
        shift += 7;
    }
    return v;
}

/* ---- entry encodings -------------------------------------------------------- */

#define ENC_32BIT_STR 0xF0
#define ENC_16BIT_INT 0xF1
#define ENC_24BIT_INT 0xF2
#define ENC_32BIT_INT 0xF3
#define ENC_64BIT_INT 0xF4

static inline int is_7bit_uint(unsigned char b) { return (b & 0x80) == 0; }
static inline int is_6bit_str(unsigned char b) { return (b & 0xC0) == 0x80; }
static inline int is_13bit_int(unsigned char b) { return (b & 0xE0) == 0xC0; }
static inline int is_12bit_str(unsigned char b) { return (b & 0xF0) == 0xE0; }

/* Bytes that must be readable to know the size of an entry whose first byte is
 * `b`: 1, 2 (12-bit string) or 5 (32-bit string); 0 for an invalid byte. The
 * terminator needs 1. */
static inline unsigned header_bytes_needed(unsigned char b) {
    if (is_7bit_uint(b) || is_6bit_str(b) || is_13bit_int(b)) return 1;
    if (is_12bit_str(b)) return 2;
    switch (b) {
    case ENC_32BIT_STR: return 5;
    case ENC_16BIT_INT: case ENC_24BIT_INT: case ENC_32BIT_INT: case ENC_64BIT_INT: case LP_EOF: return 1;
    default: return 0;
    }
}

/* Size of encoding+data of the entry at p (header readable), 0 if invalid. */
static inline uint64_t encoded_size(const unsigned char *p) {
    unsigned char b = p[0];
    if (is_7bit_uint(b)) return 1;
    if (is_6bit_str(b)) return 1 + (uint64_t)(b & 0x3F);
    if (is_13bit_int(b)) return 2;
    if (is_12bit_str(b)) return 2 + (((uint64_t)(b & 0x0F) << 8) | p[1]);
    switch (b) {
    case ENC_32BIT_STR:
        return 5 + ((uint64_t)p[1] | ((uint64_t)p[2] << 8) | ((uint64_t)p[3] << 16) | ((uint64_t)p[4] << 24));
    case ENC_16BIT_INT: return 3;
    case ENC_24BIT_INT: return 4;
    case ENC_32BIT_INT: return 5;
    case ENC_64BIT_INT: return 9;
    case LP_EOF: return 1;
    default: return 0;
    }
}

uint32_t lpEntrySize(const unsigned char *p) {
    uint64_t l = encoded_size(p);
    return (uint32_t)(l + backlen_size(l));
}

/* Decode the entry at p: string -> returns its bytes and *slen; integer ->
 * returns NULL and *v. */
static unsigned char *decode_entry(unsigned char *p, uint32_t *slen, int64_t *v) {
    unsigned char b = p[0];
    uint64_t uv;
    if (is_7bit_uint(b)) {
        *v = b & 0x7F;
        return NULL;
    }
    if (is_6bit_str(b)) {
        *slen = b & 0x3F;
        return p + 1;
    }
    if (is_13bit_int(b)) {
        uv = ((uint64_t)(b & 0x1F) << 8) | p[1];
        *v = uv >= (1u << 12) ? (int64_t)uv - (1 << 13) : (int64_t)uv;
        return NULL;
    }
    if (is_12bit_str(b)) {
        *slen = ((uint32_t)(b & 0x0F) << 8) | p[1];
        return p + 2;
    }
    switch (b) {
    case ENC_32BIT_STR:
        *slen = (uint32_t)p[1] | ((uint32_t)p[2] << 8) | ((uint32_t)p[3] << 16) | ((uint32_t)p[4] << 24);
        return p + 5;
    case ENC_16BIT_INT:
        uv = (uint64_t)p[1] | ((uint64_t)p[2] << 8);
        *v = uv >= (1u << 15) ? (int64_t)uv - (1 << 16) : (int64_t)uv;
        return NULL;
    case ENC_24BIT_INT:
        uv = (uint64_t)p[1] | ((uint64_t)p[2] << 8) | ((uint64_t)p[3] << 16);
        *v = uv >= (1u << 23) ? (int64_t)uv - (1 << 24) : (int64_t)uv;
        return NULL;
    case ENC_32BIT_INT:
        uv = (uint64_t)p[1] | ((uint64_t)p[2] << 8) | ((uint64_t)p[3] << 16) | ((uint64_t)p[4] << 24);
        *v = uv >= (1ull << 31) ? (int64_t)uv - (1ll << 32) : (int64_t)uv;
        return NULL;
    case ENC_64BIT_INT:
        uv = 0;
        for (int i = 8; i >= 1; i--) uv = (uv << 8) | p[i];
        *v = (int64_t)uv; /* two's complement, as the value was written */
        return NULL;
    default:
        /* Unreachable on a valid listpack; report an empty string. */
        *slen = 0;
        return p;
    }
}

/* Write the smallest integer encoding of v into buf (<= 9 bytes); returns its size. */
static unsigned encode_int(unsigned char *buf, int64_t v) {
    if (v >= 0 && v <= 127) {
        buf[0] = (unsigned char)v;
        return 1;
    }
    if (v >= -4096 && v <= 4095) {
        uint64_t u = v < 0 ? (uint64_t)((1 << 13) + v) : (uint64_t)v;
        buf[0] = (unsigned char)(0xC0 | (u >> 8));
        buf[1] = u & 0xff;
        return 2;
    }
    unsigned nbytes;
    unsigned char tag;
    if (v >= -32768 && v <= 32767) {
        nbytes = 2;
        tag = ENC_16BIT_INT;
    } else if (v >= -8388608 && v <= 8388607) {
        nbytes = 3;
        tag = ENC_24BIT_INT;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        nbytes = 4;
        tag = ENC_32BIT_INT;
    } else {
        nbytes = 8;
        tag = ENC_64BIT_INT;
    }
    uint64_t u = (uint64_t)v; /* two's complement bits, truncated to nbytes */
    buf[0] = tag;
    for (unsigned i = 0; i < nbytes; i++) buf[1 + i] = (u >> (8 * i)) & 0xff;
    return 1 + nbytes;
}

/* Write the header of a string of len bytes into buf; returns its size. */
static unsigned encode_str_header(unsigned char *buf, uint32_t len) {
    if (len < 64) {
        buf[0] = (unsigned char)(0x80 | len);
        return 1;
    }
    if (len < 4096) {
        buf[0] = (unsigned char)(0xE0 | (len >> 8));
        buf[1] = len & 0xff;
        return 2;
    }
    buf[0] = ENC_32BIT_STR;
    buf[1] = len & 0xff;
    buf[2] = (len >> 8) & 0xff;
    buf[3] = (len >> 16) & 0xff;
    buf[4] = (len >> 24) & 0xff;
    return 5;
}

int lpStringToInt64(const char *s, unsigned long slen, int64_t *value) {
    unsigned long i = 0;
    int neg = 0;
    uint64_t acc = 0;

    if (slen == 0 || slen > 20) return 0;
    if (s[0] == '-') {
        if (slen == 1) return 0;
        neg = 1;
        i = 1;
    }
    if (s[i] == '0') {
        /* Only the single character "0" may start with a zero. */
        if (slen == 1) {
            if (value) *value = 0;
            return 1;
        }
        return 0;
    }
    for (; i < slen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < '0' || c > '9') return 0;
        unsigned d = c - '0';
        if (acc > (UINT64_MAX - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1) return 0;
        if (value) *value = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    } else {
        if (acc > (uint64_t)INT64_MAX) return 0;
        if (value) *value = (int64_t)acc;
    }
    return 1;
}

/* Decimal text of v into buf (>= LP_INTBUF_SIZE bytes), NUL-terminated. */
static unsigned int64_to_text(unsigned char *buf, int64_t v) {
    unsigned char tmp[20];
    unsigned n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (unsigned char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* One entry ready to be written: header (or full integer encoding) + data. */
typedef struct {
    unsigned char hdr[9];
    unsigned hdrlen;
    const unsigned char *data; /* string bytes, NULL for integers */
    uint32_t datalen;
    uint64_t enclen;  /* hdrlen + datalen */
    unsigned blen;    /* backlen bytes */
    unsigned char *owned; /* private copy of data when it aliased the listpack */
} lp_piece;

static void piece_int(lp_piece *pc, int64_t v) {
    pc->hdrlen = encode_int(pc->hdr, v);
    pc->data = NULL;
    pc->datalen = 0;
    pc->owned = NULL;
    pc->enclen = pc->hdrlen;
    pc->blen = backlen_size(pc->enclen);
}

static void piece_str(lp_piece *pc, const unsigned char *s, uint32_t slen) {
    int64_t v;
    if (lpStringToInt64((const char *)s, slen, &v)) {
        piece_int(pc, v);
        return;
    }
    pc->hdrlen = encode_str_header(pc->hdr, slen);
    pc->data = s;
    pc->datalen = slen;
    pc->owned = NULL;
    pc->enclen = (uint64_t)pc->hdrlen + slen;
    pc->blen = backlen_size(pc->enclen);
}

static void piece_from_entry(lp_piece *pc, const listpackEntry *e) {
    if (e->sval)
        piece_str(pc, e->sval, e->slen);
    else
        piece_int(pc, e->lval);
}

uint32_t lpEntrySizeString(const unsigned char *s, uint32_t slen) {
    lp_piece pc;
    piece_str(&pc, s ? s : (const unsigned char *)"", slen);
    return (uint32_t)(pc.enclen + pc.blen);
}

uint32_t lpEntrySizeInteger(long long lval) {
    lp_piece pc;
    piece_int(&pc, lval);
    return (uint32_t)(pc.enclen + pc.blen);
}

/* Core edit: at byte offset `off`, remove `dellen` bytes and write the
 * `npieces` entries in their place; the header count moves by `count_delta`.
 * Returns the new listpack or NULL (nothing changed) if it would not fit the
 * u32 total. */
static unsigned char *lp_splice(unsigned char *lp, size_t off, size_t dellen, lp_piece *pieces,
                                size_t npieces, long count_delta) {
    size_t old_total = hdr_total(lp);
    uint64_t ins = 0;
    for (size_t i = 0; i < npieces; i++) ins += pieces[i].enclen + pieces[i].blen;
    uint64_t new_total = (uint64_t)old_total - dellen + ins;
    if (new_total > UINT32_MAX) return NULL;

    /* A source string inside the listpack would move under us: copy it. */
    for (size_t i = 0; i < npieces; i++) {
        const unsigned char *d = pieces[i].data;
        uintptr_t a = (uintptr_t)d, lo = (uintptr_t)lp;
        if (d && pieces[i].datalen && a >= lo && a < lo + old_total) {
            pieces[i].owned = zmalloc(pieces[i].datalen);
            memcpy(pieces[i].owned, d, pieces[i].datalen);
            pieces[i].data = pieces[i].owned;
        }
    }

    size_t tail = old_total - off - dellen;
    if (new_total > old_total && new_total > zmalloc_size(lp)) lp = zrealloc(lp, (size_t)new_total);
    if (ins != dellen) memmove(lp + off + ins, lp + off + dellen, tail);

    unsigned char *dst = lp + off;
    for (size_t i = 0; i < npieces; i++) {
        lp_piece *pc = &pieces[i];
        memcpy(dst, pc->hdr, pc->hdrlen);
        dst += pc->hdrlen;
        if (pc->datalen) {
            memcpy(dst, pc->data, pc->datalen);
            dst += pc->datalen;
        }
        backlen_write(dst, pc->enclen);
        dst += pc->blen;
        if (pc->owned) {
            zfree(pc->owned);
            pc->owned = NULL;
        }
    }

    if (new_total < old_total) lp = zrealloc(lp, (size_t)new_total);
    set_hdr_total(lp, (uint32_t)new_total);
    adjust_hdr_count(lp, count_delta);
    return lp;
}

/* ---- create / free / size ---------------------------------------------- */

unsigned char *lpNew(size_t capacity) {
    size_t sz = capacity > LP_HDR_SIZE + 1 ? capacity : LP_HDR_SIZE + 1;
    unsigned char *lp = zmalloc(sz);
    set_hdr_total(lp, LP_HDR_SIZE + 1);
    set_hdr_count(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lpFree(unsigned char *lp) { zfree(lp); }

unsigned char *lpShrinkToFit(unsigned char *lp) {
    size_t sz = hdr_total(lp);
    if (sz < zmalloc_size(lp)) return zrealloc(lp, sz);
    return lp;
}

unsigned char *lpDup(const unsigned char *lp) {
    size_t sz = hdr_total(lp);
    unsigned char *n = zmalloc(sz);
    memcpy(n, lp, sz);
    return n;
}

size_t lpBytes(const unsigned char *lp) { return hdr_total(lp); }

unsigned long lpLength(unsigned char *lp) {
    uint32_t n = hdr_count(lp);
    if (n != LP_HDR_NUMELE_UNKNOWN) return n;
    unsigned long count = 0;
    unsigned char *p = lp + LP_HDR_SIZE;
    while (*p != LP_EOF) {
        count++;
        p += lpEntrySize(p);
    }
    if (count < LP_HDR_NUMELE_UNKNOWN) set_hdr_count(lp, (uint32_t)count);
    return count;
}

int lpSafeToAdd(const unsigned char *lp, size_t add) {
    size_t len = lp ? hdr_total(lp) : 0;
    if (add > LISTPACK_MAX_SAFETY_SIZE || len + add > LISTPACK_MAX_SAFETY_SIZE) return 0;
    return 1;
}

/* ---- insert / replace / delete ------------------------------------------- */

/* Byte offset where an insertion relative to p happens, and bytes replaced. */
static void where_to_offsets(unsigned char *lp, unsigned char *p, int where, size_t *off, size_t *del) {
    *del = 0;
    *off = (size_t)(p - lp);
    if (where == LP_AFTER) {
        *off += lpEntrySize(p);
    } else if (where == LP_REPLACE) {
        *del = lpEntrySize(p);
    }
}

static unsigned char *insert_piece(unsigned char *lp, lp_piece *pc, unsigned char *p, int where,
                                   unsigned char **newp) {
    size_t off, del;
    where_to_offsets(lp, p, where, &off, &del);
    unsigned char *n = lp_splice(lp, off, del, pc, 1, where == LP_REPLACE ? 0 : 1);
    if (!n) return NULL;
    if (newp) *newp = n + off;
    return n;
}

unsigned char *lpInsertString(unsigned char *lp, const unsigned char *s, uint32_t slen,
                              unsigned char *p, int where, unsigned char **newp) {
    lp_piece pc;
    piece_str(&pc, s ? s : (const unsigned char *)"", s ? slen : 0);
    return insert_piece(lp, &pc, p, where, newp);
}

unsigned char *lpInsertInteger(unsigned char *lp, long long lval, unsigned char *p, int where,
                               unsigned char **newp) {
    lp_piece pc;
    piece_int(&pc, lval);
    return insert_piece(lp, &pc, p, where, newp);
}

unsigned char *lpAppend(unsigned char *lp, const unsigned char *s, uint32_t slen) {
    return lpInsertString(lp, s, slen, lp + hdr_total(lp) - 1, LP_BEFORE, NULL);
}

unsigned char *lpPrepend(unsigned char *lp, const unsigned char *s, uint32_t slen) {
    return lpInsertString(lp, s, slen, lp + LP_HDR_SIZE, LP_BEFORE, NULL);
}

unsigned char *lpAppendInteger(unsigned char *lp, long long lval) {
    return lpInsertInteger(lp, lval, lp + hdr_total(lp) - 1, LP_BEFORE, NULL);
}

unsigned char *lpPrependInteger(unsigned char *lp, long long lval) {
    return lpInsertInteger(lp, lval, lp + LP_HDR_SIZE, LP_BEFORE, NULL);
}

unsigned char *lpReplace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen) {
    return lpInsertString(lp, s, slen, *p, LP_REPLACE, p);
}

unsigned char *lpReplaceInteger(unsigned char *lp, unsigned char **p, long long lval) {
    return lpInsertInteger(lp, lval, *p, LP_REPLACE, p);
}

unsigned char *lpBatchInsert(unsigned char *lp, unsigned char *p, int where,
                             const listpackEntry *entries, unsigned int count, unsigned char **newp) {
    lp_piece one;
    lp_piece *pcs = count <= 1 ? &one : zmalloc(sizeof(lp_piece) * count);
    for (unsigned int i = 0; i < count; i++) piece_from_entry(&pcs[i], &entries[i]);
    size_t off, del;
    if (where == LP_REPLACE) where = LP_BEFORE; /* batches never replace */
    where_to_offsets(lp, p, where, &off, &del);
    unsigned char *n = lp_splice(lp, off, 0, pcs, count, (long)count);
    if (pcs != &one) zfree(pcs);
    if (!n) return NULL;
    if (newp) *newp = n + off;
    return n;
}

unsigned char *lpBatchAppend(unsigned char *lp, const listpackEntry *entries, unsigned long count) {
    if (count > UINT_MAX) return NULL;
    return lpBatchInsert(lp, lp + hdr_total(lp) - 1, LP_BEFORE, entries, (unsigned int)count, NULL);
}

unsigned char *lpDelete(unsigned char *lp, unsigned char *p, unsigned char **newp) {
    size_t off = (size_t)(p - lp);
    lp = lp_splice(lp, off, lpEntrySize(p), NULL, 0, -1);
    if (newp) *newp = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lpDeleteRangeWithEntry(unsigned char *lp, unsigned char **p, unsigned long num) {
    size_t off = (size_t)(*p - lp);
    unsigned char *q = *p;
    unsigned long deleted = 0;
    while (deleted < num && *q != LP_EOF) {
        q += lpEntrySize(q);
        deleted++;
    }
    if (deleted) lp = lp_splice(lp, off, (size_t)(q - (lp + off)), NULL, 0, -(long)deleted);
    *p = lp + off;
    return lp;
}

unsigned char *lpDeleteRange(unsigned char *lp, long index, unsigned long num) {
    if (num == 0) return lp;
    unsigned char *p = lpSeek(lp, index);
    if (!p) return lp;
    return lpDeleteRangeWithEntry(lp, &p, num);
}

unsigned char *lpBatchDelete(unsigned char *lp, unsigned char **ps, unsigned long count) {
    if (count == 0) return lp;
    size_t total = hdr_total(lp);
    unsigned char *dst = ps[0];
    for (unsigned long i = 0; i < count; i++) {
        unsigned char *skip_end = ps[i] + lpEntrySize(ps[i]);
        unsigned char *keep_end = (i + 1 < count) ? ps[i + 1] : lp + total;
        size_t n = (size_t)(keep_end - skip_end);
        memmove(dst, skip_end, n);
        dst += n;
    }
    size_t new_total = (size_t)(dst - lp);
    lp = zrealloc(lp, new_total);
    set_hdr_total(lp, (uint32_t)new_total);
    adjust_hdr_count(lp, -(long)count);
    return lp;
}

unsigned char *lpMerge(unsigned char **first, unsigned char **second) {
    if (!first || !second || !*first || !*second || *first == *second) return NULL;
    unsigned char *a = *first, *b = *second;
    size_t abytes = hdr_total(a), bbytes = hdr_total(b);
    uint64_t total = (uint64_t)abytes + bbytes - (LP_HDR_SIZE + 1);
    if (total > UINT32_MAX) return NULL;
    unsigned long count = lpLength(a) + lpLength(b);
    size_t aent = abytes - LP_HDR_SIZE - 1, bent = bbytes - LP_HDR_SIZE - 1;
    unsigned char *target;

    if (abytes >= bbytes) {
        /* Grow the first one and append the second's entries. */
        a = zrealloc(a, (size_t)total);
        memcpy(a + LP_HDR_SIZE + aent, b + LP_HDR_SIZE, bent);
        a[total - 1] = LP_EOF;
        zfree(b);
        target = a;
        *first = a;
        *second = NULL;
    } else {
        /* Grow the second one and put the first's entries in front. */
        b = zrealloc(b, (size_t)total);
        memmove(b + LP_HDR_SIZE + aent, b + LP_HDR_SIZE, bent + 1);
        memcpy(b + LP_HDR_SIZE, a + LP_HDR_SIZE, aent);
        zfree(a);
        target = b;
        *first = NULL;
        *second = b;
    }
    set_hdr_total(target, (uint32_t)total);
    set_hdr_count(target, count < LP_HDR_NUMELE_UNKNOWN ? (uint32_t)count : LP_HDR_NUMELE_UNKNOWN);
    return target;
}

/* ---- navigation -------------------------------------------------------- */

unsigned char *lpFirst(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lpNext(unsigned char *lp, unsigned char *p) {
    (void)lp;
    p += lpEntrySize(p);
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lpPrev(unsigned char *lp, unsigned char *p) {
    if (p <= lp + LP_HDR_SIZE) return NULL;
    uint64_t l = backlen_read(p - 1);
    return p - l - backlen_size(l);
}

unsigned char *lpLast(unsigned char *lp) {
    return lpPrev(lp, lp + hdr_total(lp) - 1);
}

unsigned char *lpSeek(unsigned char *lp, long index) {
    unsigned long n = lpLength(lp);
    long long idx = index;
    if (idx < 0) idx += (long long)n;
    if (idx < 0 || (unsigned long long)idx >= n) return NULL;
    unsigned long i = (unsigned long)idx;
    unsigned char *p;
    if (i <= n / 2) {
        p = lp + LP_HDR_SIZE;
        while (i--) p += lpEntrySize(p);
    } else {
        p = lpLast(lp);
        unsigned long back = n - 1 - i;
        while (back--) p = lpPrev(lp, p);
    }
    return p;
}

/* ---- reading ----------------------------------------------------------- */

unsigned char *lpGet(unsigned char *p, int64_t *count, unsigned char *intbuf) {
    uint32_t slen = 0;
    int64_t v = 0;
    unsigned char *s = decode_entry(p, &slen, &v);
    if (s) {
        *count = slen;
        return s;
    }
    if (intbuf) {
        *count = int64_to_text(intbuf, v);
        return intbuf;
    }
    *count = v;
    return NULL;
}

unsigned char *lpGetValue(unsigned char *p, unsigned int *slen, long long *lval) {
    uint32_t len = 0;
    int64_t v = 0;
    unsigned char *s = decode_entry(p, &len, &v);
    if (s)
        *slen = len;
    else
        *lval = v;
    return s;
}

unsigned char *lpGetValueNext(unsigned char *p, unsigned int *slen, long long *lval, unsigned char **next) {
    uint32_t len = 0;
    int64_t v = 0;
    unsigned char *s = decode_entry(p, &len, &v);
    uint64_t l;
    if (s && s > p) {
        *slen = len;
        l = (uint64_t)(s - p) + len; /* header + string bytes */
    } else {
        if (s) *slen = len;
        else *lval = v;
        l = encoded_size(p);
    }
    unsigned char *q = p + l + backlen_size(l);
    *next = *q == LP_EOF ? NULL : q;
    return s;
}

void lpGetEntry(unsigned char *p, listpackEntry *e) {
    uint32_t len = 0;
    int64_t v = 0;
    e->sval = decode_entry(p, &len, &v);
    if (e->sval) {
        e->slen = len;
        e->lval = 0;
    } else {
        e->slen = 0;
        e->lval = v;
    }
}

int lpCompare(unsigned char *p, const unsigned char *s, uint32_t slen) {
    uint32_t len = 0;
    int64_t v = 0;
    unsigned char *es = decode_entry(p, &len, &v);
    if (es) return len == slen && (slen == 0 || memcmp(es, s, slen) == 0);
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned n = int64_to_text(buf, v);
    return n == slen && memcmp(buf, s, slen) == 0;
}

unsigned char *lpFind(unsigned char *lp, unsigned char *p, const unsigned char *s, uint32_t slen,
                      unsigned int skip) {
    int s_int_state = 0; /* 0 unknown, 1 integer, -1 not an integer */
    int64_t s_int = 0;
    unsigned int skipcnt = 0;
    (void)lp;
    if (!p) return NULL;
    while (*p != LP_EOF) {
        if (skipcnt == 0) {
            uint32_t len = 0;
            int64_t v = 0;
            unsigned char *es = decode_entry(p, &len, &v);
            if (es) {
                if (len == slen && (slen == 0 || memcmp(es, s, slen) == 0)) return p;
            } else {
                if (s_int_state == 0) s_int_state = lpStringToInt64((const char *)s, slen, &s_int) ? 1 : -1;
                if (s_int_state == 1 && v == s_int) return p;
            }
            skipcnt = skip;
        } else {
            skipcnt--;
        }
        p += lpEntrySize(p);
    }
    return NULL;
}

/* ---- validation ------------------------------------------------------------ */

unsigned char *lpValidateFirst(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

/* lpValidateNext's work once p is known to lie in [lp + LP_HDR_SIZE, lp + lpbytes). */
static inline int validate_entry(unsigned char *lp, unsigned char **pp, size_t lpbytes) {
    unsigned char *p = *pp;
    size_t avail = (size_t)(lp + lpbytes - p); /* >= 1 */

    if (*p < 0xC0) {
        /* Fast path, the common small entries: 7-bit uint (0xxxxxxx, 1 byte)
         * or 6-bit string (10xxxxxx + up to 63 bytes). The entry is at most
         * 64 bytes, so its backlen is one byte equal to that size. */
        size_t enclen = (*p & 0x80) ? 1 + (size_t)(*p & 0x3f) : 1;
        if (enclen + 1 >= avail || p[enclen] != enclen) return 0;
        unsigned char *next = p + enclen + 1;
        if (*next == LP_EOF) {
            if (next != lp + lpbytes - 1) return 0;
            *pp = NULL;
        } else {
            *pp = next;
        }
        return 1;
    }
    if (*p == LP_EOF) {
        if (avail != 1) return 0; /* a terminator must be the last byte */
        *pp = NULL;
        return 1;
    }
    unsigned need = header_bytes_needed(*p);
    if (need == 0 || need > avail) return 0;
    uint64_t enclen = encoded_size(p);
    unsigned bl = backlen_size(enclen);
    /* The entry plus at least the terminator must fit. */
    if (enclen + bl >= avail) return 0;

    /* The backlen must be the canonical encoding of enclen. */
    const unsigned char *q = p + enclen;
    uint64_t v = 0;
    for (unsigned i = 0; i < bl; i++) {
        unsigned char b = q[i];
        if (i == 0 ? (b & 128) != 0 : (b & 128) == 0) return 0;
        v = (v << 7) | (b & 127);
    }
    if (v != enclen) return 0;

    unsigned char *next = p + enclen + bl;
    if (*next == LP_EOF) {
        if (next != lp + lpbytes - 1) return 0;
        *pp = NULL;
    } else {
        *pp = next;
    }
    return 1;
}

int lpValidateNext(unsigned char *lp, unsigned char **pp, size_t lpbytes) {
    unsigned char *p = *pp;
    if (!p || !lp || lpbytes < LP_HDR_SIZE + 1) return 0;
    if (p < lp + LP_HDR_SIZE || p >= lp + lpbytes) return 0;
    return validate_entry(lp, pp, lpbytes);
}

int lpValidateIntegrity(const unsigned char *clp, size_t size, int deep, lpValidateEntryCB entry_cb,
                        void *cb_userdata) {
    unsigned char *lp = (unsigned char *)clp; /* only read; entries are handed to the callback */
    if (!lp || size < LP_HDR_SIZE + 1) return 0;
    if (hdr_total(lp) != size) return 0;
    if (lp[size - 1] != LP_EOF) return 0;
    if (!deep) return 1;

    uint32_t numele = hdr_count(lp);
    unsigned long count = 0;
    unsigned char *p = lp + LP_HDR_SIZE;
    if (*p == LP_EOF) {
        if (p != lp + size - 1) return 0;
        p = NULL;
    }
    while (p) { /* p stays inside the listpack: validate_entry checks each step */
        unsigned char *cur = p;
        if (!validate_entry(lp, &p, size)) return 0;
        if (entry_cb && !entry_cb(cur, numele, cb_userdata)) return 0;
        count++;
    }
    if (numele != LP_HDR_NUMELE_UNKNOWN && numele != count) return 0;
    return 1;
}

/* ---- random picks ---------------------------------------------------------- */

typedef struct {
    unsigned long index; /* position among the candidates */
    unsigned long order; /* slot in the output array */
} lp_pick;

static int pick_cmp(const void *a, const void *b) {
    const lp_pick *x = a, *y = b;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

static inline unsigned long rand_below(unsigned long n) {
    /* random() gives 31 bits; combine two draws for large ranges. */
    unsigned long r = (unsigned long)random();
    if (n > (1ul << 31)) r = (r << 31) | (unsigned long)random();
    return r % n;
}

/* Walk `step`-sized strides; fill out[order] (and vals when step 2). */
static void fill_picks(unsigned char *lp, lp_pick *picks, unsigned int count, unsigned step,
                       listpackEntry *keys, listpackEntry *vals) {
    qsort(picks, count, sizeof(*picks), pick_cmp);
    unsigned char *p = lpFirst(lp);
    unsigned long idx = 0;
    for (unsigned int j = 0; j < count && p; j++) {
        while (idx < picks[j].index) {
            for (unsigned s = 0; s < step; s++) p += lpEntrySize(p);
            idx++;
        }
        lpGetEntry(p, &keys[picks[j].order]);
        if (vals) lpGetEntry(p + lpEntrySize(p), &vals[picks[j].order]);
    }
}

void lpRandomPair(unsigned char *lp, unsigned long total_count, listpackEntry *key, listpackEntry *val) {
    if (total_count == 0) {
        key->sval = NULL;
        key->slen = 0;
        key->lval = 0;
        return;
    }
    unsigned long r = rand_below(total_count);
    unsigned char *p = lpSeek(lp, (long)(r * 2));
    lpGetEntry(p, key);
    if (val) lpGetEntry(lpNext(lp, p), val);
}

void lpRandomPairs(unsigned char *lp, unsigned int count, listpackEntry *keys, listpackEntry *vals) {
    unsigned long total = lpLength(lp) / 2;
    if (total == 0 || count == 0) return;
    lp_pick *picks = zmalloc(sizeof(*picks) * count);
    for (unsigned int i = 0; i < count; i++) {
        picks[i].index = rand_below(total);
        picks[i].order = i;
    }
    fill_picks(lp, picks, count, 2, keys, vals);
    zfree(picks);
}

unsigned int lpRandomPairsUnique(unsigned char *lp, unsigned int count, listpackEntry *keys,
                                 listpackEntry *vals) {
    unsigned long total = lpLength(lp) / 2;
    if (count > total) count = (unsigned int)total;
    unsigned char *p = lpFirst(lp);
    unsigned int picked = 0;
    for (unsigned long i = 0; i < total && picked < count; i++) {
        unsigned char *v = p + lpEntrySize(p);
        if (rand_below(total - i) < (unsigned long)(count - picked)) {
            lpGetEntry(p, &keys[picked]);
            if (vals) lpGetEntry(v, &vals[picked]);
            picked++;
        }
        p = v + lpEntrySize(v);
    }
    return picked;
}

void lpRandomEntry(unsigned char *lp, listpackEntry *e) {
    unsigned long n = lpLength(lp);
    if (n == 0) {
        e->sval = NULL;
        e->slen = 0;
        e->lval = 0;
        return;
    }
    lpGetEntry(lpSeek(lp, (long)rand_below(n)), e);
}

void lpRandomEntries(unsigned char *lp, unsigned int count, listpackEntry *entries) {
    unsigned long total = lpLength(lp);
    if (total == 0 || count == 0) return;
    lp_pick *picks = zmalloc(sizeof(*picks) * count);
    for (unsigned int i = 0; i < count; i++) {
        picks[i].index = rand_below(total);
        picks[i].order = i;
    }
    fill_picks(lp, picks, count, 1, entries, NULL);
    zfree(picks);
}

unsigned int lpRandomEntriesUnique(unsigned char *lp, unsigned int count, listpackEntry *entries) {
    unsigned long total = lpLength(lp);
    if (count > total) count = (unsigned int)total;
    unsigned char *p = lpFirst(lp);
    unsigned int picked = 0;
    for (unsigned long i = 0; i < total && picked < count; i++) {
        if (rand_below(total - i) < (unsigned long)(count - picked)) lpGetEntry(p, &entries[picked++]);
        p += lpEntrySize(p);
    }
    return picked;
}

unsigned char *lpNextRandom(unsigned char *lp, unsigned char *p, unsigned int *index,
                            unsigned int remaining, int even_only) {
    if (!p || remaining == 0) return NULL;
    unsigned long total = lpLength(lp);
    unsigned long i = *index;
    if (even_only && (i & 1)) {
        p = lpNext(lp, p);
        i++;
    }
    while (p && i < total) {
        unsigned long available = even_only ? (total - i + 1) / 2 : total - i;
        if (remaining >= available || rand_below(available) < remaining) {
            *index = (unsigned int)i;
            return p;
        }
        p = lpNext(lp, p);
        i++;
        if (even_only && p) {
            p = lpNext(lp, p);
            i++;
        }
    }
    return NULL;
}
