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
