/* ziplist: validation and iteration of legacy Redis ziplists. Format: see
 * ziplist.h. */
#include "ziplist.h"
#include <stdio.h>
#include <string.h>

static uint32_t u32le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t u32be(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Signed little-endian integer of `n` bytes (1..8), sign-extended. */
static long long intle(const unsigned char *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~(uint64_t)0 << (8 * n);
    return (long long)v;
}

unsigned int ziplistHeaderCount(const unsigned char *zl) { return (unsigned)zl[8] | (unsigned)zl[9] << 8; }

/* Header checks shared by shallow validation and the iterator. */
static int headerOk(const unsigned char *zl, size_t size) {
    if (!zl || size < ZIPLIST_MIN_SIZE) return 0;
    if (u32le(zl) != size) return 0;
    if (zl[size - 1] != ZIPLIST_END) return 0;
    if (u32le(zl + 4) > size - 1) return 0;
    return 1;
}

/* Data bytes of an integer encoding, or -1 if `b` is not one. */
static int intDataSize(unsigned char b) {
    switch (b) {
    case 0xc0: return 2;
    case 0xd0: return 4;
    case 0xe0: return 8;
    case 0xf0: return 3;
    case 0xfe: return 1;
    default: return (b >= 0xf1 && b <= 0xfd) ? 0 : -1;
    }
}

/* Decode the entry at `pos` (zl[pos] is not the end marker). The entry must
 * end at or before the end marker at size - 1. Returns 0 or -1. */
static int decodeEntry(const unsigned char *zl, size_t size, size_t pos, ziplistEntry *e) {
    const size_t end = size - 1; /* offset of the end marker */
    size_t p = pos;
    memset(e, 0, sizeof(*e));
    e->offset = pos;

    /* prevlen */
    if (zl[p] < 0xfe) {
        e->prevlen = zl[p];
        p += 1;
    } else if (zl[p] == 0xfe) {
        if (end - p < 5) return -1;
        e->prevlen = u32le(zl + p + 1);
        p += 5;
    } else {
        return -1;
    }
    if (p >= end) return -1;

    /* encoding + data */
    unsigned char b = zl[p];
    e->encoding = b;
    size_t hdr, datalen;
    if (b < 0xc0) {
        switch (b >> 6) {
        case 0:
            hdr = 1;
            datalen = b & 0x3f;
            break;
        case 1:
            if (end - p < 2) return -1;
            hdr = 2;
            datalen = ((size_t)(b & 0x3f) << 8) | zl[p + 1];
            break;
        default:
            if (end - p < 5) return -1;
            hdr = 5;
            datalen = u32be(zl + p + 1);
            break;
        }
        if (datalen > end - p - hdr) return -1;
        e->sval = zl + p + hdr;
        e->slen = (uint32_t)datalen;
    } else {
        int n = intDataSize(b);
        if (n < 0) return -1;
        hdr = 1;
        datalen = (size_t)n;
        if (datalen > end - p - hdr) return -1;
        e->lval = n ? intle(zl + p + 1, datalen) : (long long)(b & 0x0f) - 1;
    }
    e->size = p + hdr + datalen - pos;
    return 0;
}

void ziplistIterInit(ziplistIter *it, const unsigned char *zl, size_t size) {
    it->zl = zl;
    it->size = size;
    it->pos = ZIPLIST_HEADER_SIZE;
    it->prev_size = 0;
    it->state = headerOk(zl, size) ? 0 : -1;
}

int ziplistIterNext(ziplistIter *it, ziplistEntry *e) {
    if (it->state) return it->state > 0 ? 0 : -1;
    if (it->zl[it->pos] == ZIPLIST_END) {
        it->state = it->pos == it->size - 1 ? 1 : -1;
        return it->state > 0 ? 0 : -1;
    }
    if (decodeEntry(it->zl, it->size, it->pos, e) || e->prevlen != it->prev_size) {
        it->state = -1;
        return -1;
    }
    it->prev_size = e->size;
    it->pos += e->size;
    return 1;
}

int ziplistValidateIntegrity(const unsigned char *zl, size_t size, int deep, ziplistEntryCallback entry_cb,
                             void *userdata) {
    if (!headerOk(zl, size)) return 0;
    if (!deep) return 1;
    const unsigned int header_count = ziplistHeaderCount(zl);
    ziplistIter it;
    ziplistEntry e;
    size_t count = 0, last = ZIPLIST_HEADER_SIZE;
    int rc;
    ziplistIterInit(&it, zl, size);
    while ((rc = ziplistIterNext(&it, &e)) == 1) {
        count++;
        last = e.offset;
        if (entry_cb && !entry_cb(&e, header_count, userdata)) return 0;
    }
    if (rc < 0) return 0;
    if (u32le(zl + 4) != last) return 0;
    if (header_count != ZIPLIST_LEN_UNKNOWN && header_count != count) return 0;
    return 1;
}

size_t ziplistCount(const unsigned char *zl, size_t size) {
    if (!headerOk(zl, size)) return SIZE_MAX;
    unsigned int header_count = ziplistHeaderCount(zl);
    if (header_count != ZIPLIST_LEN_UNKNOWN) return header_count;
    ziplistIter it;
    ziplistEntry e;
    size_t count = 0;
    int rc;
    ziplistIterInit(&it, zl, size);
    while ((rc = ziplistIterNext(&it, &e)) == 1) count++;
    return rc < 0 ? SIZE_MAX : count;
}

const unsigned char *ziplistEntryBytes(const ziplistEntry *e, char *buf, size_t *len) {
    if (e->sval) {
        *len = e->slen;
        return e->sval;
    }
    int n = snprintf(buf, ZIPLIST_INT_STR_SIZE, "%lld", e->lval);
    *len = (size_t)n;
    return (const unsigned char *)buf;
}

/* ---- writing ------------------------------------------------------------------ */

void ziplistWriterInit(ziplistWriter *w, unsigned char *buf, size_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->len = ZIPLIST_HEADER_SIZE;
    w->prev_size = 0;
    w->tail = ZIPLIST_HEADER_SIZE;
    w->count = 0;
    w->overflow = cap < ZIPLIST_MIN_SIZE;
}

/* Canonical int64 decimal text (no sign for 0, no leading zeros, no '+'). */
static int canonicalInt(const unsigned char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (len == 1) return 0;
    }
    if (s[i] == '0') {
        if (len != 1) return 0; /* "0" only: no "-0", no "01" */
        *out = 0;
        return 1;
    }
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return 0;
        *out = (long long)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

/* Write prevlen + encoding + data (`enc_len` bytes of encoding header in
 * enc[], `data_len` bytes of data). */
static void writeEntry(ziplistWriter *w, const unsigned char *enc, size_t enc_len, const unsigned char *data,
                       size_t data_len) {
    size_t plen = w->prev_size < 254 ? 1 : 5;
    size_t total = plen + enc_len + data_len;
    if (w->overflow || total > w->cap - 1 - w->len || w->len + total > UINT32_MAX - 1) {
        w->overflow = 1;
        return;
    }
    unsigned char *p = w->buf + w->len;
    if (plen == 1) {
        *p++ = (unsigned char)w->prev_size;
    } else {
        *p++ = 0xfe;
        for (int i = 0; i < 4; i++) *p++ = (unsigned char)(w->prev_size >> (8 * i));
    }
    memcpy(p, enc, enc_len);
    p += enc_len;
    if (data_len) memcpy(p, data, data_len);
    w->tail = w->len;
    w->len += total;
    w->prev_size = total;
    w->count++;
}

void ziplistWriterAppendInteger(ziplistWriter *w, long long v) {
    unsigned char enc[1], data[8];
    size_t n;
    if (v >= 0 && v <= 12) {
        enc[0] = (unsigned char)(0xf1 + v);
        n = 0;
    } else if (v >= INT8_MIN && v <= INT8_MAX) {
        enc[0] = 0xfe;
        n = 1;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        enc[0] = 0xc0;
        n = 2;
    } else if (v >= -8388608LL && v <= 8388607LL) {
        enc[0] = 0xf0;
        n = 3;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        enc[0] = 0xd0;
        n = 4;
    } else {
        enc[0] = 0xe0;
        n = 8;
    }
    uint64_t u = (uint64_t)v;
    for (size_t i = 0; i < n; i++) data[i] = (unsigned char)(u >> (8 * i));
    writeEntry(w, enc, 1, data, n);
}

void ziplistWriterAppend(ziplistWriter *w, const unsigned char *s, size_t len) {
    long long v;
    if (len < 32 && canonicalInt(s, len, &v)) {
        ziplistWriterAppendInteger(w, v);
        return;
    }
    unsigned char enc[5];
    size_t n;
    if (len <= 0x3f) {
        enc[0] = (unsigned char)len;
        n = 1;
    } else if (len <= 0x3fff) {
        enc[0] = (unsigned char)(0x40 | (len >> 8));
        enc[1] = (unsigned char)len;
        n = 2;
    } else if (len <= UINT32_MAX) {
        enc[0] = 0x80;
        enc[1] = (unsigned char)(len >> 24);
        enc[2] = (unsigned char)(len >> 16);
        enc[3] = (unsigned char)(len >> 8);
        enc[4] = (unsigned char)len;
        n = 5;
    } else {
        w->overflow = 1;
        return;
    }
    writeEntry(w, enc, n, s, len);
}

size_t ziplistWriterFinish(ziplistWriter *w) {
    if (w->overflow || w->len + 1 > w->cap) return 0;
    unsigned char *b = w->buf;
    b[w->len] = ZIPLIST_END;
    size_t size = w->len + 1;
    uint32_t tail = (uint32_t)w->tail;
    unsigned zllen = w->count < ZIPLIST_LEN_UNKNOWN ? (unsigned)w->count : ZIPLIST_LEN_UNKNOWN;
    for (int i = 0; i < 4; i++) {
        b[i] = (unsigned char)(size >> (8 * i));
        b[4 + i] = (unsigned char)(tail >> (8 * i));
    }
    b[8] = (unsigned char)zllen;
    b[9] = (unsigned char)(zllen >> 8);
    return size;
}
