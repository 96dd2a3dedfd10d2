/* rdb_legacy: blob validation and ziplist/zipmap -> listpack conversion
 * (rules in rdb_legacy.h). */
#include "rdb_legacy.h"
#include "listpack.h"
#include "util.h"
#include "ziplist.h"
#include "zipmap.h"
#include "zmalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One collection key (set member, hash field, zset member) as it sits in a
 * validated listpack: a string or an integer standing for its decimal text. */
typedef struct blobKey {
    const unsigned char *s; /* NULL for integers */
    uint32_t len;
    long long v;
} blobKey;

static const unsigned char *keyText(const blobKey *k, char *buf, size_t *len) {
    if (k->s) {
        *len = k->len;
        return k->s;
    }
    *len = (size_t)ll2string(buf, LONG_STR_SIZE, k->v);
    return (const unsigned char *)buf;
}

/* Byte order of the texts (memcmp, then the shorter first). */
static int compareText(const unsigned char *a, size_t la, const unsigned char *b, size_t lb) {
    size_t n = la < lb ? la : lb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

static int compareKeys(const void *pa, const void *pb) {
    const blobKey *a = pa, *b = pb;
    if (!a->s && !b->s) { /* both integers: texts equal iff values equal; order by text */
        if (a->v == b->v) return 0;
    }
    char ba[LONG_STR_SIZE], bb[LONG_STR_SIZE];
    size_t la, lb;
    const unsigned char *ta = keyText(a, ba, &la), *tb = keyText(b, bb, &lb);
    return compareText(ta, la, tb, lb);
}

static void readEntry(unsigned char *p, blobKey *k) {
    unsigned int slen = 0;
    long long v = 0;
    unsigned char *s = lpGetValue(p, &slen, &v);
    k->s = s;
    k->len = s ? slen : 0;
    k->v = s ? 0 : v;
}

/* Score of a zset entry: integer entries are exact; strings must parse, and
 * be shorter than MAX_D2STRING_CHARS: the zset code reads at most that many
 * characters of a score (as Redis does), so a longer text would be checked
 * here as one number and read there as another (breaking the order). */
static int entryScore(const blobKey *k, double *score) {
    if (!k->s) {
        *score = (double)k->v;
        return 1;
    }
    if (k->len >= MAX_D2STRING_CHARS) return 0;
    return string2d((const char *)k->s, k->len, score);
}

int rdbValidateListpackBlob(const unsigned char *lp, size_t size, int kind, size_t *entries) {
    if (kind < RDB_BLOB_LIST || kind > RDB_BLOB_ZSET) return 0;
    if (!lpValidateIntegrity(lp, size, 1, NULL, NULL)) return 0;
    /* Validated: the read-only walking functions are now safe. The header
     * count was checked against the real count unless it is 65535. */
    unsigned char *l = (unsigned char *)lp;
    size_t n = 0;
    if (lpBytes(l) >= 7 && (l[4] | (l[5] << 8)) != LP_HDR_NUMELE_UNKNOWN) {
        n = (size_t)(l[4] | (l[5] << 8)); /* the header count: checked against the entries above */
    } else {
        for (unsigned char *p = lpFirst(l); p; p = lpNext(l, p)) n++;
    }
    if (n == 0) return 0;
    int pairs = (kind == RDB_BLOB_HASH || kind == RDB_BLOB_ZSET);
    if (pairs && (n & 1)) return 0;
    if (entries) *entries = n;
    if (kind == RDB_BLOB_LIST) return 1;

    size_t nkeys = pairs ? n / 2 : n;
    blobKey *keys = zmalloc(sizeof(blobKey) * nkeys);
    size_t i = 0, idx = 0;
    int ok = 1;
    double prev_score = 0;
    blobKey prev_member = {0};
    for (unsigned char *p = lpFirst(l); p; p = lpNext(l, p), idx++) {
        if (pairs && (idx & 1)) {
            if (kind == RDB_BLOB_ZSET) {
                blobKey sk;
                double score;
                readEntry(p, &sk);
                if (!entryScore(&sk, &score)) {
                    ok = 0;
                    break;
                }
                /* sorted by score, then member bytes */
                if (i > 1 && (score < prev_score || (score == prev_score && compareKeys(&prev_member, &keys[i - 1]) > 0))) {
                    ok = 0;
                    break;
                }
                prev_score = score;
                prev_member = keys[i - 1];
            }
            continue;
        }
        readEntry(p, &keys[i++]);
    }
    if (ok) {
        qsort(keys, nkeys, sizeof(blobKey), compareKeys);
        for (size_t k = 1; k < nkeys; k++) {
            if (compareKeys(&keys[k - 1], &keys[k]) == 0) {
                ok = 0;
                break;
            }
        }
    }
    zfree(keys);
    return ok;
}

unsigned char *rdbZiplistToListpack(const unsigned char *zl, size_t size, int kind, size_t *entries) {
    if (!ziplistValidateIntegrity(zl, size, 1, NULL, NULL)) return NULL;
    unsigned char *lp = lpNew(size);
    ziplistIter it;
    ziplistEntry e;
    int rc;
    ziplistIterInit(&it, zl, size);
    while ((rc = ziplistIterNext(&it, &e)) == 1) {
        unsigned char *n = e.sval ? lpAppend(lp, e.sval, e.slen) : lpAppendInteger(lp, e.lval);
        if (!n) { /* the listpack would exceed its 4 GB limit */
            rc = -1;
            break;
        }
        lp = n;
    }
    if (rc != 0) {
        lpFree(lp);
        return NULL;
    }
    lp = lpShrinkToFit(lp);
    if (!rdbValidateListpackBlob(lp, lpBytes(lp), kind, entries)) {
        lpFree(lp);
        return NULL;
    }
    return lp;
}

unsigned char *rdbZipmapToListpack(const unsigned char *zm, size_t size, size_t *entries) {
    if (!zipmapValidateIntegrity(zm, size, 1, NULL, NULL)) return NULL;
    unsigned char *lp = lpNew(size);
    zipmapIter it;
    const unsigned char *k, *v;
    uint32_t klen, vlen;
    int rc;
    zipmapIterInit(&it, zm, size);
    while ((rc = zipmapIterNext(&it, &k, &klen, &v, &vlen)) == 1) {
        unsigned char *n = lpAppend(lp, k, klen);
        if (n) n = lpAppend(lp = n, v, vlen);
        if (!n) {
            rc = -1;
            break;
        }
        lp = n;
    }
    if (rc != 0) {
        lpFree(lp);
        return NULL;
    }
    lp = lpShrinkToFit(lp);
    if (!rdbValidateListpackBlob(lp, lpBytes(lp), RDB_BLOB_HASH, entries)) {
        lpFree(lp);
        return NULL;
    }
    return lp;
}
