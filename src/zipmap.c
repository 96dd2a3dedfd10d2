/* zipmap: validation and iteration of legacy Redis zipmaps. Format: see
 * zipmap.h. */
#include "zipmap.h"

static int shallowOk(const unsigned char *zm, size_t size) {
    return zm && size >= ZIPMAP_MIN_SIZE && zm[size - 1] == ZIPMAP_END;
}

/* Reads a length at `*pos`, which must be before `last` (the offset of the
 * blob's final byte). Returns 0 and advances *pos, or -1. */
static int readLen(const unsigned char *zm, size_t last, size_t *pos, uint32_t *len) {
    size_t p = *pos;
    if (p >= last) return -1;
    unsigned char b = zm[p];
    if (b < ZIPMAP_BIGLEN) {
        *len = b;
        *pos = p + 1;
        return 0;
    }
    if (b != ZIPMAP_BIGLEN || last - p < 5) return -1;
    uint32_t v = (uint32_t)zm[p + 1] | (uint32_t)zm[p + 2] << 8 | (uint32_t)zm[p + 3] << 16 |
                 (uint32_t)zm[p + 4] << 24;
    if (v < ZIPMAP_BIGLEN) return -1; /* non-canonical: Redis misreads it */
    *len = v;
    *pos = p + 5;
    return 0;
}

void zipmapIterInit(zipmapIter *it, const unsigned char *zm, size_t size) {
    it->zm = zm;
    it->size = size;
    it->pos = 1;
    it->state = shallowOk(zm, size) ? 0 : -1;
}

int zipmapIterNext(zipmapIter *it, const unsigned char **key, uint32_t *klen, const unsigned char **val,
                   uint32_t *vlen) {
    if (it->state) return it->state > 0 ? 0 : -1;
    const unsigned char *zm = it->zm;
    const size_t last = it->size - 1; /* the final 0xff */
    size_t p = it->pos;
    if (zm[p] == ZIPMAP_END) { /* p <= last always holds here */
        it->state = 1;
        return 0;
    }
    uint32_t kl, vl;
    if (readLen(zm, last, &p, &kl) || kl > last - p) goto bad;
    const unsigned char *k = zm + p;
    p += kl;
    if (readLen(zm, last, &p, &vl) || p >= last) goto bad;
    size_t free_bytes = zm[p++];
    if (vl > last - p || free_bytes > last - p - vl) goto bad;
    *key = k;
    *klen = kl;
    *val = zm + p;
    *vlen = vl;
    it->pos = p + vl + free_bytes;
    return 1;
bad:
    it->state = -1;
    return -1;
}

int zipmapValidateIntegrity(const unsigned char *zm, size_t size, int deep, zipmapPairCallback pair_cb,
                            void *userdata) {
    if (!shallowOk(zm, size)) return 0;
    if (!deep) return 1;
    zipmapIter it;
    const unsigned char *k, *v;
    uint32_t kl, vl;
    size_t count = 0;
    int rc;
    zipmapIterInit(&it, zm, size);
    while ((rc = zipmapIterNext(&it, &k, &kl, &v, &vl)) == 1) {
        count++;
        if (pair_cb && !pair_cb(k, kl, v, vl, userdata)) return 0;
    }
    if (rc < 0) return 0;
    if (zm[0] != ZIPMAP_BIGLEN && zm[0] != count) return 0;
    return 1;
}

size_t zipmapCount(const unsigned char *zm, size_t size) {
    zipmapIter it;
    const unsigned char *k, *v;
    uint32_t kl, vl;
    size_t count = 0;
    int rc;
    zipmapIterInit(&it, zm, size);
    while ((rc = zipmapIterNext(&it, &k, &kl, &v, &vl)) == 1) count++;
    return rc < 0 ? SIZE_MAX : count;
}
