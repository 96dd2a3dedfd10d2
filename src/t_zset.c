/* Sorted sets: the two encodings (listpack, skiplist + hashtable), the
 * conversions between them, the generic member operations, and the
 * single-key commands: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK,
 * ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANGE & friends (incl. ZRANGESTORE),
 * ZREMRANGEBY*, ZRANDMEMBER, ZSCAN.
 * The pops (ZPOPMIN/MAX, BZPOPMIN/MAX, ZMPOP, BZMPOP) are in t_zset_pop.c and
 * the multi-key set operations (ZUNION, ZINTER, ZDIFF, their STORE forms and
 * ZINTERCARD) in t_zset_ops.c; both use the internal API of t_zset_int.h.
 *
 * Behaviour, reply types and error strings follow Redis 7.2 (see t_zset.h for
 * the encodings and when they change). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocked.h"
#include "client.h"
#include "cmdargs.h"
#include "db.h"
#include "dstr.h"
#include "hashtable.h"
#include "listpack.h"
#include "object.h"
#include "reply.h"
#include "scan.h"
#include "sort.h"
#include "server.h"
#include "siphash.h"
#include "skiplist.h"
#include "t_zset.h"
#include "t_zset_int.h"
#include "util.h"
#include "zmalloc.h"

/* ---- the member -> node hashtable ----------------------------------------- */

static const void *nodeKey(const void *entry) { return ((const zskiplistNode *)entry)->ele; }
static uint64_t memberHash(const void *key) { return hashBytes(key, dstrlen((const dstr)key)); }
static int memberCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la) != 0;
}
/* Nodes belong to the skiplist: the table never frees them. */
static hashtableType zsetNodeTableType = {.entryGetKey = nodeKey, .hashFunction = memberHash,
                                          .keyCompare = memberCompare};

/* A member given as bytes, seen as a dstr (the table keys are dstrs). */
typedef struct {
    char stack[128];
    char *heap;
    dstr s;
} tmpMember;
static dstr tmpMemberInit(tmpMember *t, const char *p, size_t len) {
    size_t need = dstrEmbeddedSize(len);
    t->heap = need <= sizeof(t->stack) ? NULL : zmalloc(need);
    t->s = dstrInitEmbedded(t->heap ? t->heap : t->stack, p, len);
    return t->s;
}
static void tmpMemberFree(tmpMember *t) { zfree(t->heap); }

static zskiplistNode *slFind(zset *zs, const char *p, size_t len) {
    tmpMember t;
    void *found = NULL;
    int ok = hashtableFind(zs->ht, tmpMemberInit(&t, p, len), &found);
    tmpMemberFree(&t);
    return ok ? found : NULL;
}

static zset *zsetNew(size_t size_hint) {
    zset *zs = zmalloc(sizeof(*zs));
    zs->ht = hashtableCreate(&zsetNodeTableType);
    zs->zsl = zslCreate();
    if (size_hint) hashtableTryExpand(zs->ht, size_hint);
    return zs;
}
static void zsetRelease(zset *zs) {
    hashtableRelease(zs->ht);
    zslFree(zs->zsl);
    zfree(zs);
}
/* Insert a member known to be absent. */
static zskiplistNode *slInsertNew(zset *zs, double score, const char *p, size_t len) {
    zskiplistNode *n = zslInsert(zs->zsl, score, dstrnewlen(p, len));
    hashtableAdd(zs->ht, n);
    return n;
}

/* ---- listpack helpers -------------------------------------------------------- */

/* Member bytes of a listpack entry (integers are written into buf). */
static const char *lpMember(unsigned char *p, size_t *len, char *buf) {
    unsigned int slen;
    long long v;
    unsigned char *s = lpGetValue(p, &slen, &v);
    if (s) {
        *len = slen;
        return (const char *)s;
    }
    *len = (size_t)ll2string(buf, LONG_STR_SIZE, v);
    return buf;
}

/* Score stored in a listpack entry. */
static double lpScore(unsigned char *p) {
    unsigned int slen;
    long long v;
    unsigned char *s = lpGetValue(p, &slen, &v);
    if (!s) return (double)v;
    char buf[MAX_D2STRING_CHARS + 1];
    if (slen > MAX_D2STRING_CHARS) slen = MAX_D2STRING_CHARS;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    return strtod(buf, NULL);
}

static int lpMemberCmp(unsigned char *p, const char *s, size_t len) {
    char buf[LONG_STR_SIZE];
    size_t mlen;
    const char *m = lpMember(p, &mlen, buf);
    return zslCompareMembers(m, mlen, s, len);
}

/* Member entry of (ele), or NULL; *score set when found. */
static unsigned char *zlFind(unsigned char *lp, const char *ele, size_t len, double *score) {
    unsigned char *p = lpFirst(lp);
    while (p) {
        unsigned char *sp = lpNext(lp, p);
        if (lpCompare(p, (const unsigned char *)ele, (uint32_t)len)) {
            if (score) *score = lpScore(sp);
            return p;
        }
        p = lpNext(lp, sp);
    }
    return NULL;
}

/* How Redis 7.2 writes a score into a listpack: an integer entry when the
 * score is integral and within +-LLONG_MAX/2 (so -0 is stored as 0), else
 * the shortest round-trip text. Returns 1 with *ll, or 0 with the text. */
static int scoreEntry(double score, long long *ll, char *sbuf, int *slen) {
    if (score >= (double)(-LLONG_MAX / 2) && score <= (double)(LLONG_MAX / 2)) {
        long long v = (long long)score;
        if ((double)v == score) {
            *ll = v;
            return 1;
        }
    }
    *slen = d2string(sbuf, MAX_D2STRING_CHARS, score);
    return 0;
}

static unsigned char *zlAppendPair(unsigned char *lp, const char *ele, size_t len, double score) {
    char sbuf[MAX_D2STRING_CHARS];
    int slen = 0;
    long long ll;
    lp = lpAppend(lp, (const unsigned char *)ele, (uint32_t)len);
    if (scoreEntry(score, &ll, sbuf, &slen)) return lpAppendInteger(lp, ll);
    return lpAppend(lp, (const unsigned char *)sbuf, (uint32_t)slen);
}

/* Insert (ele, score) at its sorted place. */
static unsigned char *zlInsert(unsigned char *lp, const char *ele, size_t len, double score) {
    unsigned char *p = lpFirst(lp);
    while (p) {
        unsigned char *sp = lpNext(lp, p);
        double s = lpScore(sp);
        if (s > score || (s == score && lpMemberCmp(p, ele, len) > 0)) break;
        p = lpNext(lp, sp);
    }
    if (!p) return zlAppendPair(lp, ele, len, score);
    unsigned char *newp;
    char sbuf[MAX_D2STRING_CHARS];
    int slen = 0;
    long long ll;
    lp = lpInsertString(lp, (const unsigned char *)ele, (uint32_t)len, p, LP_BEFORE, &newp);
    if (scoreEntry(score, &ll, sbuf, &slen)) return lpInsertInteger(lp, ll, newp, LP_AFTER, NULL);
    return lpInsertString(lp, (const unsigned char *)sbuf, (uint32_t)slen, newp, LP_AFTER, NULL);
}

/* Delete the pair whose member entry is p. */
static unsigned char *zlDeletePair(unsigned char *lp, unsigned char *p) {
    return lpDeleteRangeWithEntry(lp, &p, 2);
}

/* ---- generic operations ------------------------------------------------------ */

unsigned long zsetLength(const obj *zobj) {
    if (zobj->encoding == ENC_LISTPACK) return lpLength((unsigned char *)zobj->ptr) / 2;
    return ((zset *)zobj->ptr)->zsl->length;
}

void zsetConvert(obj *zobj, int encoding, size_t cap) {
    if (zobj->encoding == encoding) return;
    if (encoding == ENC_SKIPLIST) {
        unsigned char *lp = zobj->ptr;
        zset *zs = zsetNew(cap);
        char buf[LONG_STR_SIZE];
        for (unsigned char *p = lpFirst(lp); p;) {
            unsigned char *sp = lpNext(lp, p);
            size_t len;
            const char *m = lpMember(p, &len, buf);
            slInsertNew(zs, lpScore(sp), m, len);
            p = lpNext(lp, sp);
        }
        lpFree(lp);
        zobj->ptr = zs;
        zobj->encoding = ENC_SKIPLIST;
    } else {
        zset *zs = zobj->ptr;
        unsigned char *lp = lpNew(0);
        for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward)
            lp = zlAppendPair(lp, n->ele, dstrlen(n->ele), n->score);
        zsetRelease(zs);
        zobj->ptr = lp;
        zobj->encoding = ENC_LISTPACK;
    }
}

obj *zsetCreateObject(size_t size_hint, size_t maxelelen) {
    if (size_hint <= (size_t)server.zset_max_listpack_entries && maxelelen <= (size_t)server.zset_max_listpack_value)
        return objCreate(OBJ_ZSET, ENC_LISTPACK, lpNew(0));
    return objCreate(OBJ_ZSET, ENC_SKIPLIST, zsetNew(size_hint));
}

void zsetConvertToListpackIfNeeded(obj *zobj, size_t maxelelen, size_t totelelen) {
    if (zobj->encoding == ENC_LISTPACK) return;
    if (zsetLength(zobj) <= (unsigned long)server.zset_max_listpack_entries &&
        maxelelen <= (size_t)server.zset_max_listpack_value && lpSafeToAdd(NULL, totelelen))
        zsetConvert(zobj, ENC_LISTPACK, 0);
}

int zsetScore(const obj *zobj, const char *ele, size_t len, double *score) {
    if (zobj->encoding == ENC_LISTPACK) return zlFind(zobj->ptr, ele, len, score) != NULL;
    zskiplistNode *n = slFind(zobj->ptr, ele, len);
    if (!n) return 0;
    *score = n->score;
    return 1;
}

int zsetAdd(obj *zobj, double score, const char *ele, size_t len, int in_flags, int *out_flags, double *newscore) {
    int incr = in_flags & ZADD_IN_INCR, nx = in_flags & ZADD_IN_NX, xx = in_flags & ZADD_IN_XX;
    int gt = in_flags & ZADD_IN_GT, lt = in_flags & ZADD_IN_LT;
    *out_flags = 0;
    if (isnan(score)) {
        *out_flags = ZADD_OUT_NAN;
        return 0;
    }
    double cur;
    if (zobj->encoding == ENC_LISTPACK) {
        unsigned char *p = zlFind(zobj->ptr, ele, len, &cur);
        if (p) {
            if (nx) {
                *out_flags |= ZADD_OUT_NOP;
                return 1;
            }
            if (incr) {
                score += cur;
                if (isnan(score)) {
                    *out_flags |= ZADD_OUT_NAN;
                    return 0;
                }
            }
            if ((lt && score >= cur) || (gt && score <= cur)) {
                *out_flags |= ZADD_OUT_NOP;
                return 1;
            }
            if (newscore) *newscore = score;
            if (score != cur) {
                zobj->ptr = zlDeletePair(zobj->ptr, p);
                zobj->ptr = zlInsert(zobj->ptr, ele, len, score);
                *out_flags |= ZADD_OUT_UPDATED;
            }
            return 1;
        }
        if (xx) {
            *out_flags |= ZADD_OUT_NOP;
            return 1;
        }
        if (zsetLength(zobj) + 1 > (unsigned long)server.zset_max_listpack_entries ||
            len > (size_t)server.zset_max_listpack_value || !lpSafeToAdd(zobj->ptr, len)) {
            zsetConvert(zobj, ENC_SKIPLIST, zsetLength(zobj) + 1);
        } else {
            zobj->ptr = zlInsert(zobj->ptr, ele, len, score);
            if (newscore) *newscore = score;
            *out_flags |= ZADD_OUT_ADDED;
            return 1;
        }
    }
    zset *zs = zobj->ptr;
    zskiplistNode *n = slFind(zs, ele, len);
    if (n) {
        if (nx) {
            *out_flags |= ZADD_OUT_NOP;
            return 1;
        }
        cur = n->score;
        if (incr) {
            score += cur;
            if (isnan(score)) {
                *out_flags |= ZADD_OUT_NAN;
                return 0;
            }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) {
            *out_flags |= ZADD_OUT_NOP;
            return 1;
        }
        if (newscore) *newscore = score;
        if (score != cur) {
            zskiplistNode *nn = zslUpdateScore(zs->zsl, cur, ele, len, score);
            if (nn != n) hashtableReplaceReallocatedEntry(zs->ht, n, nn);
            *out_flags |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (xx) {
        *out_flags |= ZADD_OUT_NOP;
        return 1;
    }
    slInsertNew(zs, score, ele, len);
    if (newscore) *newscore = score;
    *out_flags |= ZADD_OUT_ADDED;
    return 1;
}

int zsetDel(obj *zobj, const char *ele, size_t len) {
    if (zobj->encoding == ENC_LISTPACK) {
        unsigned char *p = zlFind(zobj->ptr, ele, len, NULL);
        if (!p) return 0;
        zobj->ptr = zlDeletePair(zobj->ptr, p);
        return 1;
    }
    zset *zs = zobj->ptr;
    tmpMember t;
    void *found;
    int ok = hashtablePop(zs->ht, tmpMemberInit(&t, ele, len), &found);
    tmpMemberFree(&t);
    if (!ok) return 0;
    zskiplistNode *n = found;
    zslDelete(zs->zsl, n->score, n->ele, dstrlen(n->ele), NULL); /* frees n */
    return 1;
}

long zsetRank(const obj *zobj, const char *ele, size_t len, int reverse, double *score) {
    unsigned long llen = zsetLength(zobj);
    if (zobj->encoding == ENC_LISTPACK) {
        unsigned char *lp = zobj->ptr;
        long rank = 0;
        for (unsigned char *p = lpFirst(lp); p; rank++) {
            unsigned char *sp = lpNext(lp, p);
            if (lpCompare(p, (const unsigned char *)ele, (uint32_t)len)) {
                if (score) *score = lpScore(sp);
                return reverse ? (long)llen - 1 - rank : rank;
            }
            p = lpNext(lp, sp);
        }
        return -1;
    }
    zset *zs = zobj->ptr;
    zskiplistNode *n = slFind(zs, ele, len);
    if (!n) return -1;
    unsigned long r = zslGetRank(zs->zsl, n->score, ele, len);
    if (score) *score = n->score;
    return reverse ? (long)(llen - r) : (long)r - 1;
}

/* ---- cursor over either encoding ---------------------------------------- */

int zcurValid(const zcur *c) { return c->zobj->encoding == ENC_LISTPACK ? c->eptr != NULL : c->node != NULL; }

void zcurGet(zcur *c, const char **ele, size_t *len, double *score) {
    if (c->zobj->encoding == ENC_LISTPACK) {
        *ele = lpMember(c->eptr, len, c->buf);
        if (score) *score = lpScore(lpNext(c->zobj->ptr, c->eptr));
    } else {
        *ele = c->node->ele;
        *len = dstrlen(c->node->ele);
        if (score) *score = c->node->score;
    }
}

double zcurScore(zcur *c) {
    if (c->zobj->encoding == ENC_LISTPACK) return lpScore(lpNext(c->zobj->ptr, c->eptr));
    return c->node->score;
}

void zcurNext(zcur *c, int rev) {
    if (c->zobj->encoding == ENC_LISTPACK) {
        unsigned char *lp = c->zobj->ptr;
        if (!rev) {
            c->eptr = lpNext(lp, lpNext(lp, c->eptr));
        } else {
            unsigned char *sp = lpPrev(lp, c->eptr);
            c->eptr = sp ? lpPrev(lp, sp) : NULL;
        }
    } else {
        c->node = rev ? c->node->backward : c->node->level[0].forward;
    }
}

/* Position at the 0-based rank counted from the head (or from the tail if rev). */
void zcurSeekRank(zcur *c, const obj *zobj, long rank, int rev) {
    c->zobj = zobj;
    c->eptr = NULL;
    c->node = NULL;
    if (zobj->encoding == ENC_LISTPACK) {
        c->eptr = lpSeek(zobj->ptr, rev ? -2 * rank - 2 : 2 * rank);
    } else {
        zset *zs = zobj->ptr;
        c->node = zslGetElementByRank(zs->zsl, rev ? zs->zsl->length - (unsigned long)rank : (unsigned long)rank + 1);
    }
}

/* First member in the score range (last if rev), or invalid. */
void zcurSeekScore(zcur *c, const obj *zobj, const zrangespec *r, int rev) {
    c->zobj = zobj;
    c->eptr = NULL;
    c->node = NULL;
    if (zobj->encoding == ENC_SKIPLIST) {
        zset *zs = zobj->ptr;
        c->node = rev ? zslLastInRange(zs->zsl, r) : zslFirstInRange(zs->zsl, r);
        return;
    }
    unsigned char *lp = zobj->ptr;
    if (!rev) {
        for (unsigned char *p = lpFirst(lp); p;) {
            unsigned char *sp = lpNext(lp, p);
            double s = lpScore(sp);
            if (zslValueGteMin(s, r)) {
                if (zslValueLteMax(s, r)) c->eptr = p;
                return;
            }
            p = lpNext(lp, sp);
        }
    } else {
        for (unsigned char *sp = lpLast(lp); sp;) {
            unsigned char *p = lpPrev(lp, sp);
            double s = lpScore(sp);
            if (zslValueLteMax(s, r)) {
                if (zslValueGteMin(s, r)) c->eptr = p;
                return;
            }
            sp = lpPrev(lp, p);
        }
    }
}

/* First member in the lex range (last if rev), or invalid. */
void zcurSeekLex(zcur *c, const obj *zobj, const zlexrangespec *r, int rev) {
    c->zobj = zobj;
    c->eptr = NULL;
    c->node = NULL;
    if (zobj->encoding == ENC_SKIPLIST) {
        zset *zs = zobj->ptr;
        c->node = rev ? zslLastInLexRange(zs->zsl, r) : zslFirstInLexRange(zs->zsl, r);
        return;
    }
    if (zslLexRangeIsEmpty(r)) return;
    unsigned char *lp = zobj->ptr;
    char buf[LONG_STR_SIZE];
    size_t len;
    /* as Redis: nothing when the last member is below min or the first above
     * max (matters only when the scores differ) */
    unsigned char *last = lpSeek(lp, -2), *first = lpFirst(lp);
    if (!last) return;
    const char *lm = lpMember(last, &len, buf);
    if (!zslLexValueGteMin(lm, len, r)) return;
    const char *fm = lpMember(first, &len, buf);
    if (!zslLexValueLteMax(fm, len, r)) return;
    if (!rev) {
        for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, lpNext(lp, p))) {
            const char *m = lpMember(p, &len, buf);
            if (zslLexValueGteMin(m, len, r)) {
                if (zslLexValueLteMax(m, len, r)) c->eptr = p;
                return;
            }
        }
    } else {
        for (unsigned char *sp = lpLast(lp); sp;) {
            unsigned char *p = lpPrev(lp, sp);
            const char *m = lpMember(p, &len, buf);
            if (zslLexValueLteMax(m, len, r)) {
                if (zslLexValueGteMin(m, len, r)) c->eptr = p;
                return;
            }
            sp = lpPrev(lp, p);
        }
    }
}

/* ---- type methods ------------------------------------------------------------ */

static void zsetFreeValue(obj *o) {
    if (o->encoding == ENC_LISTPACK) lpFree(o->ptr);
    else zsetRelease(o->ptr);
}

static void *zsetDupValue(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpDup(o->ptr);
    zset *src = o->ptr;
    zset *zs = zsetNew(src->zsl->length);
    for (zskiplistNode *n = src->zsl->header->level[0].forward; n; n = n->level[0].forward)
        slInsertNew(zs, n->score, n->ele, dstrlen(n->ele));
    return zs;
}

static size_t zsetMemUsage(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpBytes(o->ptr);
    zset *zs = o->ptr;
    size_t total = sizeof(*zs) + sizeof(zskiplist) + hashtableMemUsage(zs->ht) +
                   sizeof(zskiplistNode) + ZSKIPLIST_MAXLEVEL * sizeof(struct zskiplistLevel);
    for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward)
        total += zmalloc_size(n) + dstrAllocSize(n->ele);
    return total;
}

/* SORT source: members in rank order (sort.h). */
static unsigned long zsetSortLength(obj *o) { return zsetLength(o); }

static void zsetSortLoad(obj *o, unsigned long start, unsigned long count, int reverse, sortAddElement *add,
                         void *ctx) {
    zsetIter it;
    if (reverse) zsetIterInitReverse(&it, o);
    else zsetIterInit(&it, o);
    const char *m;
    size_t len;
    double score;
    for (unsigned long i = 0; count && zsetIterNext(&it, &m, &len, &score); i++) {
        if (i < start) continue;
        add(ctx, m, len);
        count--;
    }
}

static const sortSourceType zsetSortSource = {.length = zsetSortLength, .load = zsetSortLoad, .ordered = 1};

void zsetTypeRegister(void) {
    static const objTypeMethods m = {.free_value = zsetFreeValue, .dup_value = zsetDupValue,
                                     .mem_usage = zsetMemUsage};
    objRegisterType(OBJ_ZSET, &m);
    sortRegisterSource(OBJ_ZSET, &zsetSortSource);
}

/* ---- RDB codec API ------------------------------------------------------------ */

typedef struct {
    unsigned int index;
    int bad;
    hashtable *seen;
} lpCheck;

static const void *dstrSelfKey(const void *e) { return e; }
static void dstrEntryFree(void *e) { dstrfree(e); }
static hashtableType dstrSetType = {.entryGetKey = dstrSelfKey, .hashFunction = memberHash,
                                    .keyCompare = memberCompare, .entryDestructor = dstrEntryFree};

static int zsetLpEntryCheck(unsigned char *p, unsigned int head_count, void *userdata) {
    (void)head_count;
    lpCheck *chk = userdata;
    unsigned int slen;
    long long v;
    unsigned char *s = lpGetValue(p, &slen, &v);
    if (chk->index++ % 2 == 0) {
        char buf[LONG_STR_SIZE];
        dstr m = s ? dstrnewlen(s, slen) : dstrnewlen(buf, (size_t)ll2string(buf, sizeof(buf), v));
        if (!hashtableAdd(chk->seen, m)) {
            dstrfree(m);
            return 0;
        }
    } else if (s) {
        double d;
        if (!string2d((const char *)s, slen, &d)) return 0;
    }
    return 1;
}

int zsetValidateListpack(const unsigned char *lp, size_t size) {
    if (!lpValidateIntegrity(lp, size, 0, NULL, NULL)) return 0;
    lpCheck chk = {0, 0, hashtableCreate(&dstrSetType)};
    int ok = lpValidateIntegrity(lp, size, 1, zsetLpEntryCheck, &chk);
    hashtableRelease(chk.seen);
    return ok && chk.index % 2 == 0;
}

unsigned char *zsetListpack(const obj *zobj) { return zobj->encoding == ENC_LISTPACK ? zobj->ptr : NULL; }

obj *zsetCreateFromListpack(unsigned char *lp) {
    obj *o = objCreate(OBJ_ZSET, ENC_LISTPACK, lp);
    if (zsetLength(o) > (unsigned long)server.zset_max_listpack_entries) zsetConvert(o, ENC_SKIPLIST, zsetLength(o));
    return o;
}

obj *zsetCreateSkiplistObject(size_t size_hint) { return objCreate(OBJ_ZSET, ENC_SKIPLIST, zsetNew(size_hint)); }

int zsetLoadAdd(obj *zobj, dstr member, double score) {
    zset *zs = zobj->ptr;
    hashtablePosition pos;
    /* one probe (and one hash of the member) finds both a duplicate and the
     * free slot; the skiplist insert in between leaves the table untouched */
    if (isnan(score) || !hashtableFindPositionForInsert(zs->ht, member, &pos, NULL)) {
        dstrfree(member);
        return 0;
    }
    hashtableInsertAtPosition(zs->ht, zslInsert(zs->zsl, score, member), &pos);
    return 1;
}

void zsetLoaderInit(zsetLoader *ld, size_t len) {
    ld->o = zsetCreateSkiplistObject(len);
    ld->pending = 0;
}

/* Put the pending nodes in the member table; 0 at a duplicate member (the
 * nodes stay in the skiplist, which frees them with the zset). */
static int zsetLoaderFlush(zsetLoader *ld) {
    size_t n = ld->pending;
    ld->pending = 0;
    return hashtableAddBatch(((zset *)ld->o->ptr)->ht, ld->batch, n) == n;
}

int zsetLoaderAdd(zsetLoader *ld, dstr member, double score) {
    if (isnan(score)) {
        dstrfree(member);
        return 0;
    }
    zskiplist *zsl = ((zset *)ld->o->ptr)->zsl;
    /* payloads list a skiplist from the highest rank down: each member then
     * goes at the head without a search; anything else takes the normal
     * insert. A duplicate member is in the skiplist until the batch finds it
     * in the table, and the whole zset is freed then. */
    zskiplistNode *n = zslInsertFirst(zsl, score, member);
    if (!n) n = zslInsert(zsl, score, member);
    ld->batch[ld->pending++] = n;
    return ld->pending < HASHTABLE_BATCH || zsetLoaderFlush(ld);
}

obj *zsetLoaderFinish(zsetLoader *ld) {
    if (ld->pending && !zsetLoaderFlush(ld)) {
        zsetLoaderAbort(ld);
        return NULL;
    }
    obj *o = ld->o;
    ld->o = NULL;
    zsetLoadFinish(o);
    return o;
}

void zsetLoaderAbort(zsetLoader *ld) {
    ld->pending = 0; /* pending nodes are in the skiplist: freed with it */
    if (ld->o) objDecrRef(ld->o);
    ld->o = NULL;
}

void zsetLoadFinish(obj *zobj) {
    if (zobj->encoding != ENC_SKIPLIST) return;
    /* too long for a listpack whatever the members: no need to scan them */
    if (zsetLength(zobj) > (unsigned long)server.zset_max_listpack_entries) return;
    size_t maxlen = 0, total = 0;
    zset *zs = zobj->ptr;
    for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward) {
        size_t l = dstrlen(n->ele);
        total += l;
        if (l > maxlen) maxlen = l;
    }
    zsetConvertToListpackIfNeeded(zobj, maxlen, total);
}

static void iterInit(zsetIter *it, const obj *zobj, int reverse) {
    it->zobj = zobj;
    it->eptr = NULL;
    it->node = NULL;
    it->reverse = reverse;
    if (zobj->encoding == ENC_LISTPACK) {
        it->eptr = reverse ? lpSeek(zobj->ptr, -2) : lpFirst(zobj->ptr);
    } else {
        zskiplist *zsl = ((zset *)zobj->ptr)->zsl;
        it->node = reverse ? zsl->tail : zsl->header->level[0].forward;
    }
}

void zsetIterInit(zsetIter *it, const obj *zobj) { iterInit(it, zobj, 0); }
void zsetIterInitReverse(zsetIter *it, const obj *zobj) { iterInit(it, zobj, 1); }

int zsetIterNext(zsetIter *it, const char **member, size_t *len, double *score) {
    if (it->zobj->encoding == ENC_LISTPACK) {
        if (!it->eptr) return 0;
        unsigned char *lp = it->zobj->ptr;
        unsigned char *sp = lpNext(lp, it->eptr);
        *member = lpMember(it->eptr, len, it->buf);
        *score = lpScore(sp);
        if (!it->reverse) {
            it->eptr = lpNext(lp, sp);
        } else {
            unsigned char *prev_score = lpPrev(lp, it->eptr);
            it->eptr = prev_score ? lpPrev(lp, prev_score) : NULL;
        }
        return 1;
    }
    zskiplistNode *n = it->node;
    if (!n) return 0;
    *member = n->ele;
    *len = dstrlen(n->ele);
    *score = n->score;
    it->node = it->reverse ? n->backward : n->level[0].forward;
    return 1;
}

/* ---- argument helpers ---------------------------------------------------------- */

int zsetArgLong(client *c, const dstr arg, long *out) {
    long long v;
    if (!string2ll(arg, dstrlen(arg), &v) || v < LONG_MIN || v > LONG_MAX) {
        replyErrorNotInteger(c);
        return 0;
    }
    *out = (long)v;
    return 1;
}

int zsetArgDouble(client *c, const dstr arg, double *out, const char *errmsg) {
    if (dstrlen(arg) > MAX_LONG_DOUBLE_CHARS || !string2d(arg, dstrlen(arg), out)) {
        if (errmsg) replyError(c, errmsg);
        else replyErrorNotFloat(c);
        return 0;
    }
    return 1;
}

/* Look `key` up (write lookup when `write`); replies WRONGTYPE and returns
 * -1 when it is not a zset, else 0 with *o (NULL if missing). */
int zsetLookup(client *c, const dstr key, int write, obj **o) {
    *o = write ? lookupKeyWrite(c->db, key) : lookupKeyRead(c->db, key);
    if (*o && (*o)->type != OBJ_ZSET) {
        replyErrorWrongType(c);
        return -1;
    }
    return 0;
}

/* Reply with a member given as bytes. */
static void replyMember(client *c, const char *p, size_t len) { replyBulk(c, p, len); }

/* ---- ZADD / ZINCRBY ------------------------------------------------------------ */

static void zaddGeneric(client *c, int flags) {
    dstr key = c->argv[1];
    int ch = 0, idx = 2;
    while (idx < c->argc) {
        const char *opt = c->argv[idx];
        if (!strcasecmp(opt, "nx")) flags |= ZADD_IN_NX;
        else if (!strcasecmp(opt, "xx")) flags |= ZADD_IN_XX;
        else if (!strcasecmp(opt, "ch")) ch = 1;
        else if (!strcasecmp(opt, "incr")) flags |= ZADD_IN_INCR;
        else if (!strcasecmp(opt, "gt")) flags |= ZADD_IN_GT;
        else if (!strcasecmp(opt, "lt")) flags |= ZADD_IN_LT;
        else break;
        idx++;
    }
    int incr = flags & ZADD_IN_INCR, nx = flags & ZADD_IN_NX, xx = flags & ZADD_IN_XX;
    int gt = flags & ZADD_IN_GT, lt = flags & ZADD_IN_LT;
    int elements = c->argc - idx;
    if (elements % 2 || !elements) {
        replyErrorSyntax(c);
        return;
    }
    elements /= 2;
    if (nx && xx) {
        replyError(c, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        replyError(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && elements > 1) {
        replyError(c, "ERR INCR option supports a single increment-element pair");
        return;
    }
    double *scores = zmalloc(sizeof(double) * (size_t)elements);
    size_t maxelelen = 0;
    for (int j = 0; j < elements; j++) {
        if (!zsetArgDouble(c, c->argv[idx + 2 * j], &scores[j], NULL)) {
            zfree(scores);
            return;
        }
        size_t l = dstrlen(c->argv[idx + 2 * j + 1]);
        if (l > maxelelen) maxelelen = l;
    }
    obj *zobj;
    if (zsetLookup(c, key, 1, &zobj) < 0) {
        zfree(scores);
        return;
    }
    long added = 0, updated = 0, processed = 0;
    double score = 0;
    int failed = 0;
    if (!zobj) {
        if (xx) goto reply;
        zobj = dbAdd(c->db, key, zsetCreateObject((size_t)elements, maxelelen));
    } else if (zobj->encoding == ENC_LISTPACK && (unsigned long)elements > (unsigned long)server.zset_max_listpack_entries) {
        zsetConvert(zobj, ENC_SKIPLIST, (size_t)elements);
    }
    for (int j = 0; j < elements; j++) {
        int out;
        double newscore;
        dstr ele = c->argv[idx + 2 * j + 1];
        if (!zsetAdd(zobj, scores[j], ele, dstrlen(ele), flags, &out, &newscore)) {
            failed = 1;
            break;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
        score = newscore;
    }
    if (added + updated) {
        server.dirty += added + updated;
        signalModifiedKey(c, c->db, key);
    }
    if (failed) {
        replyError(c, "ERR resulting score is not a number (NaN)");
        zfree(scores);
        return;
    }
reply:
    zfree(scores);
    if (incr) {
        if (processed) replyDouble(c, score);
        else replyNull(c);
    } else {
        replyLongLong(c, ch ? added + updated : added);
    }
}

void zaddCommand(client *c) { zaddGeneric(c, 0); }
void zincrbyCommand(client *c) { zaddGeneric(c, ZADD_IN_INCR); }

/* ---- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK ---------------------------------------- */

/* Delete the key when its zset became empty. Returns 1 if deleted. */
int zsetDeleteIfEmpty(client *c, const dstr key, obj *zobj) {
    if (zsetLength(zobj)) return 0;
    dbDelete(c->db, key);
    return 1;
}

void zremCommand(client *c) {
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 1, &zobj) < 0) return;
    if (!zobj) {
        replyLongLong(c, 0);
        return;
    }
    long deleted = 0;
    dstr key = dstrdup(c->argv[1]);
    for (int j = 2; j < c->argc; j++) {
        deleted += zsetDel(zobj, c->argv[j], dstrlen(c->argv[j]));
        if (zsetDeleteIfEmpty(c, key, zobj)) break;
    }
    if (deleted) {
        signalModifiedKey(c, c->db, key);
        server.dirty += deleted;
    }
    dstrfree(key);
    replyLongLong(c, deleted);
}

void zcardCommand(client *c) {
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    replyLongLong(c, zobj ? (long long)zsetLength(zobj) : 0);
}

void zscoreCommand(client *c) {
    obj *zobj;
    double score;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    if (!zobj || !zsetScore(zobj, c->argv[2], dstrlen(c->argv[2]), &score)) replyNull(c);
    else replyDouble(c, score);
}

void zmscoreCommand(client *c) {
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (zobj && zsetScore(zobj, c->argv[j], dstrlen(c->argv[j]), &score)) replyDouble(c, score);
        else replyNull(c);
    }
}

static void zrankGeneric(client *c, int reverse) {
    int withscore = 0;
    if (c->argc > 4) {
        replyErrorArity(c);
        return;
    }
    if (c->argc == 4) {
        if (strcasecmp(c->argv[3], "withscore")) {
            replyErrorSyntax(c);
            return;
        }
        withscore = 1;
    }
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    double score;
    long rank = zobj ? zsetRank(zobj, c->argv[2], dstrlen(c->argv[2]), reverse, &score) : -1;
    if (rank < 0) {
        if (withscore) replyNullArray(c);
        else replyNull(c);
        return;
    }
    if (withscore) {
        replyArrayLen(c, 2);
        replyLongLong(c, rank);
        replyDouble(c, score);
    } else {
        replyLongLong(c, rank);
    }
}

void zrankCommand(client *c) { zrankGeneric(c, 0); }
void zrevrankCommand(client *c) { zrankGeneric(c, 1); }

/* ---- ZCOUNT / ZLEXCOUNT ---------------------------------------------------------- */

void zcountCommand(client *c) {
    zrangespec r;
    if (!zslParseRange(c->argv[2], c->argv[3], &r)) {
        replyError(c, "ERR min or max is not a float");
        return;
    }
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    long long count = 0;
    if (zobj) {
        zcur cur;
        zcurSeekScore(&cur, zobj, &r, 0);
        if (zobj->encoding == ENC_SKIPLIST && cur.node) {
            zset *zs = zobj->ptr;
            unsigned long first = zslGetRank(zs->zsl, cur.node->score, cur.node->ele, dstrlen(cur.node->ele));
            zskiplistNode *last = zslLastInRange(zs->zsl, &r);
            count = (long long)(zslGetRank(zs->zsl, last->score, last->ele, dstrlen(last->ele)) - first + 1);
        } else {
            for (; zcurValid(&cur) && zslValueLteMax(zcurScore(&cur), &r); zcurNext(&cur, 0)) count++;
        }
    }
    replyLongLong(c, count);
}

/* Parse a lex range from two arguments; replies the error and returns 0. */
int zsetParseLexRange(client *c, const dstr min, const dstr max, zlexrangespec *r) {
    if (!zslParseLexRangeItem(min, dstrlen(min), &r->min) || !zslParseLexRangeItem(max, dstrlen(max), &r->max)) {
        replyError(c, "ERR min or max not valid string range item");
        return 0;
    }
    return 1;
}

void zlexcountCommand(client *c) {
    zlexrangespec r;
    if (!zsetParseLexRange(c, c->argv[2], c->argv[3], &r)) return;
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    long long count = 0;
    if (zobj) {
        zcur cur;
        zcurSeekLex(&cur, zobj, &r, 0);
        if (zobj->encoding == ENC_SKIPLIST && cur.node) {
            zset *zs = zobj->ptr;
            unsigned long first = zslGetRank(zs->zsl, cur.node->score, cur.node->ele, dstrlen(cur.node->ele));
            zskiplistNode *last = zslLastInLexRange(zs->zsl, &r);
            count = (long long)(zslGetRank(zs->zsl, last->score, last->ele, dstrlen(last->ele)) - first + 1);
        } else {
            for (; zcurValid(&cur); zcurNext(&cur, 0)) {
                const char *m;
                size_t len;
                zcurGet(&cur, &m, &len, NULL);
                if (!zslLexValueLteMax(m, len, &r)) break;
                count++;
            }
        }
    }
    replyLongLong(c, count);
}

/* ---- range results: to the client or into a destination zset ------------------ */

void zresultInit(zresult *h, client *c, int withscores, obj *dst) {
    h->c = c;
    h->withscores = withscores;
    h->dst = dst;
    h->count = 0;
    h->deferred = NULL;
    h->maxelelen = 0;
    h->totelelen = 0;
}

void zresultBegin(zresult *h, long length) {
    if (h->dst) return;
    if (length < 0) h->deferred = replyDeferredLen(h->c);
    else replyArrayLen(h->c, h->withscores && h->c->resp == 2 ? length * 2 : length);
}

void zresultEmit(zresult *h, const char *ele, size_t len, double score) {
    h->count++;
    if (h->dst) {
        int out;
        zsetAdd(h->dst, score, ele, len, 0, &out, NULL);
        return;
    }
    if (h->withscores && h->c->resp > 2) replyArrayLen(h->c, 2);
    replyMember(h->c, ele, len);
    if (h->withscores) replyDouble(h->c, score);
}

void zresultEnd(zresult *h) {
    if (h->dst || !h->deferred) return;
    setDeferredArrayLen(h->c, h->deferred, h->withscores && h->c->resp == 2 ? h->count * 2 : h->count);
}

/* Emit the ranks [start, end] (0-based, already clamped) of zobj. */
static void zrangeByRank(zresult *h, obj *zobj, long start, long end, int rev) {
    long n = end - start + 1;
    zresultBegin(h, n);
    zcur cur;
    zcurSeekRank(&cur, zobj, start, rev);
    for (; n > 0 && zcurValid(&cur); n--, zcurNext(&cur, rev)) {
        const char *m;
        size_t len;
        double s;
        zcurGet(&cur, &m, &len, &s);
        zresultEmit(h, m, len, s);
    }
    zresultEnd(h);
}

static void zrangeByScore(zresult *h, obj *zobj, const zrangespec *r, int rev, long offset, long limit) {
    zresultBegin(h, -1);
    zcur cur;
    zcurSeekScore(&cur, zobj, r, rev);
    if (offset < 0) cur.eptr = NULL, cur.node = NULL;
    while (zcurValid(&cur) && offset) {
        double s = zcurScore(&cur);
        if (rev ? !zslValueGteMin(s, r) : !zslValueLteMax(s, r)) break;
        zcurNext(&cur, rev);
        offset--;
    }
    while (zcurValid(&cur) && limit) {
        const char *m;
        size_t len;
        double s;
        zcurGet(&cur, &m, &len, &s);
        if (rev ? !zslValueGteMin(s, r) : !zslValueLteMax(s, r)) break;
        zresultEmit(h, m, len, s);
        zcurNext(&cur, rev);
        if (limit > 0) limit--;
    }
    zresultEnd(h);
}

static void zrangeByLex(zresult *h, obj *zobj, const zlexrangespec *r, int rev, long offset, long limit) {
    zresultBegin(h, -1);
    zcur cur;
    zcurSeekLex(&cur, zobj, r, rev);
    if (offset < 0) cur.eptr = NULL, cur.node = NULL;
    while (zcurValid(&cur) && offset) {
        const char *m;
        size_t len;
        zcurGet(&cur, &m, &len, NULL);
        if (rev ? !zslLexValueGteMin(m, len, r) : !zslLexValueLteMax(m, len, r)) break;
        zcurNext(&cur, rev);
        offset--;
    }
    while (zcurValid(&cur) && limit) {
        const char *m;
        size_t len;
        double s;
        zcurGet(&cur, &m, &len, &s);
        if (rev ? !zslLexValueGteMin(m, len, r) : !zslLexValueLteMax(m, len, r)) break;
        zresultEmit(h, m, len, s);
        zcurNext(&cur, rev);
        if (limit > 0) limit--;
    }
    zresultEnd(h);
}

#define ZR_AUTO 0
#define ZR_RANK 1
#define ZR_SCORE 2
#define ZR_LEX 3

/* The shared ZRANGE machinery. `first` is the index of the source key;
 * `store` for ZRANGESTORE (argv[1] is the destination); rangetype/rev preset
 * by the legacy commands (ZR_AUTO / -1 let ZRANGE's options choose). */
static void zrangeGeneric(client *c, int first, int store, int rangetype, int rev) {
    int withscores = 0;
    long offset = 0, limit = -1;
    int minidx = first + 1, maxidx = first + 2;
    for (int j = first + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const char *opt = c->argv[j];
        if (!store && !strcasecmp(opt, "withscores")) {
            withscores = 1;
        } else if (!strcasecmp(opt, "limit") && left >= 2) {
            if (!zsetArgLong(c, c->argv[j + 1], &offset) || !zsetArgLong(c, c->argv[j + 2], &limit)) return;
            j += 2;
        } else if (rev < 0 && !strcasecmp(opt, "rev")) {
            rev = 1;
        } else if (rangetype == ZR_AUTO && !strcasecmp(opt, "bylex")) {
            rangetype = ZR_LEX;
        } else if (rangetype == ZR_AUTO && !strcasecmp(opt, "byscore")) {
            rangetype = ZR_SCORE;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    if (rev < 0) rev = 0;
    if (rangetype == ZR_AUTO) rangetype = ZR_RANK;
    if (limit != -1 && rangetype == ZR_RANK) {
        replyError(c, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return;
    }
    if (withscores && rangetype == ZR_LEX) {
        replyError(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    if (rev && rangetype != ZR_RANK) {
        int t = minidx;
        minidx = maxidx;
        maxidx = t;
    }
    long start = 0, end = 0;
    zrangespec range;
    zlexrangespec lex;
    if (rangetype == ZR_RANK) {
        if (!zsetArgLong(c, c->argv[minidx], &start) || !zsetArgLong(c, c->argv[maxidx], &end)) return;
    } else if (rangetype == ZR_SCORE) {
        if (!zslParseRange(c->argv[minidx], c->argv[maxidx], &range)) {
            replyError(c, "ERR min or max is not a float");
            return;
        }
    } else {
        if (!zsetParseLexRange(c, c->argv[minidx], c->argv[maxidx], &lex)) return;
    }
    obj *zobj;
    if (zsetLookup(c, c->argv[first], 0, &zobj) < 0) return;
    zresult h;
    zresultInit(&h, c, withscores || store, NULL);
    if (store) h.dst = zsetCreateObject(0, 0); /* sized below for rank ranges */
    if (zobj) {
        if (rangetype == ZR_RANK) {
            long llen = (long)zsetLength(zobj);
            if (start < 0) start += llen;
            if (end < 0) end += llen;
            if (start < 0) start = 0;
            if (start > end || start >= llen) {
                zresultBegin(&h, 0);
                zresultEnd(&h);
            } else {
                if (end >= llen) end = llen - 1;
                if (store && (unsigned long)(end - start + 1) > (unsigned long)server.zset_max_listpack_entries)
                    zsetConvert(h.dst, ENC_SKIPLIST, (size_t)(end - start + 1));
                zrangeByRank(&h, zobj, start, end, rev);
            }
        } else if (rangetype == ZR_SCORE) {
            zrangeByScore(&h, zobj, &range, rev, offset, limit);
        } else {
            zrangeByLex(&h, zobj, &lex, rev, offset, limit);
        }
    } else if (!store) {
        replyEmptyArray(c);
    }
    if (!store) return;
    dstr dstkey = c->argv[1];
    if (h.count) {
        dbSetKey(c->db, dstkey, h.dst, 0);
        server.dirty++;
        replyLongLong(c, h.count);
    } else {
        objDecrRef(h.dst);
        if (dbDelete(c->db, dstkey)) {
            signalModifiedKey(c, c->db, dstkey);
            server.dirty++;
        }
        replyLongLong(c, 0);
    }
}

void zrangeCommand(client *c) { zrangeGeneric(c, 1, 0, ZR_AUTO, -1); }
void zrangestoreCommand(client *c) { zrangeGeneric(c, 2, 1, ZR_AUTO, -1); }
void zrevrangeCommand(client *c) { zrangeGeneric(c, 1, 0, ZR_RANK, 1); }
void zrangebyscoreCommand(client *c) { zrangeGeneric(c, 1, 0, ZR_SCORE, 0); }
void zrevrangebyscoreCommand(client *c) { zrangeGeneric(c, 1, 0, ZR_SCORE, 1); }
void zrangebylexCommand(client *c) { zrangeGeneric(c, 1, 0, ZR_LEX, 0); }
void zrevrangebylexCommand(client *c) { zrangeGeneric(c, 1, 0, ZR_LEX, 1); }

/* ---- ZREMRANGEBYRANK / SCORE / LEX --------------------------------------------- */

static void unlinkFromTable(zskiplistNode *node, void *priv) { hashtablePop(((zset *)priv)->ht, node->ele, NULL); }

static void zremrangeGeneric(client *c, int rangetype) {
    long start = 0, end = 0;
    zrangespec range;
    zlexrangespec lex;
    if (rangetype == ZR_RANK) {
        if (!zsetArgLong(c, c->argv[2], &start) || !zsetArgLong(c, c->argv[3], &end)) return;
    } else if (rangetype == ZR_SCORE) {
        if (!zslParseRange(c->argv[2], c->argv[3], &range)) {
            replyError(c, "ERR min or max is not a float");
            return;
        }
    } else if (!zsetParseLexRange(c, c->argv[2], c->argv[3], &lex)) {
        return;
    }
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 1, &zobj) < 0) return;
    if (!zobj) {
        replyLongLong(c, 0);
        return;
    }
    if (rangetype == ZR_RANK) {
        long llen = (long)zsetLength(zobj);
        if (start < 0) start += llen;
        if (end < 0) end += llen;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            replyLongLong(c, 0);
            return;
        }
        if (end >= llen) end = llen - 1;
    }
    unsigned long deleted = 0;
    if (zobj->encoding == ENC_LISTPACK) {
        if (rangetype == ZR_RANK) {
            deleted = (unsigned long)(end - start + 1);
            zobj->ptr = lpDeleteRange(zobj->ptr, 2 * start, 2 * deleted);
        } else {
            zcur cur;
            if (rangetype == ZR_SCORE) zcurSeekScore(&cur, zobj, &range, 0);
            else zcurSeekLex(&cur, zobj, &lex, 0);
            unsigned char *firstp = cur.eptr;
            for (; zcurValid(&cur); zcurNext(&cur, 0)) {
                const char *m;
                size_t len;
                double s;
                zcurGet(&cur, &m, &len, &s);
                if (rangetype == ZR_SCORE ? !zslValueLteMax(s, &range) : !zslLexValueLteMax(m, len, &lex)) break;
                deleted++;
            }
            if (deleted) zobj->ptr = lpDeleteRangeWithEntry(zobj->ptr, &firstp, 2 * deleted);
        }
    } else {
        zset *zs = zobj->ptr;
        if (rangetype == ZR_RANK)
            deleted = zslDeleteRangeByRank(zs->zsl, (unsigned long)start + 1, (unsigned long)end + 1, unlinkFromTable, zs);
        else if (rangetype == ZR_SCORE)
            deleted = zslDeleteRangeByScore(zs->zsl, &range, unlinkFromTable, zs);
        else
            deleted = zslDeleteRangeByLex(zs->zsl, &lex, unlinkFromTable, zs);
        if (deleted) hashtableShrinkIfNeeded(zs->ht);
    }
    if (deleted) {
        dstr key = dstrdup(c->argv[1]);
        zsetDeleteIfEmpty(c, key, zobj);
        signalModifiedKey(c, c->db, key);
        server.dirty += (long long)deleted;
        dstrfree(key);
    }
    replyLongLong(c, (long long)deleted);
}

void zremrangebyrankCommand(client *c) { zremrangeGeneric(c, ZR_RANK); }
void zremrangebyscoreCommand(client *c) { zremrangeGeneric(c, ZR_SCORE); }
void zremrangebylexCommand(client *c) { zremrangeGeneric(c, ZR_LEX); }

/* ---- ZRANDMEMBER ---------------------------------------------------------------- */

static void replyRandPair(client *c, const char *m, size_t len, double s, int withscores) {
    if (withscores && c->resp > 2) replyArrayLen(c, 2);
    replyMember(c, m, len);
    if (withscores) replyDouble(c, s);
}

static void replyLpEntry(client *c, const listpackEntry *e) {
    if (e->sval) replyBulk(c, e->sval, e->slen);
    else replyBulkLongLong(c, e->lval);
}

static double lpEntryScore(const listpackEntry *e) {
    if (!e->sval) return (double)e->lval;
    char buf[MAX_D2STRING_CHARS + 1];
    size_t n = e->slen > MAX_D2STRING_CHARS ? MAX_D2STRING_CHARS : e->slen;
    memcpy(buf, e->sval, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

/* A set of node pointers (the pointer is the key). */
static uint64_t ptrHash(const void *key) { return hashBytes(&key, sizeof(key)); }
static hashtableType nodePtrSetType = {.hashFunction = ptrHash};

static void zrandmemberWithCount(client *c, long count, int withscores) {
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    if (!zobj || count == 0) {
        replyEmptyArray(c);
        return;
    }
    unsigned long size = zsetLength(zobj);
    int pairs_flat = withscores && c->resp == 2;
    if (count < 0) {
        /* with repetition */
        unsigned long n = (unsigned long)(-count);
        replyArrayLen(c, (long)(pairs_flat ? n * 2 : n));
        if (zobj->encoding == ENC_LISTPACK) {
            listpackEntry keys[64], vals[64];
            while (n) {
                unsigned int batch = n > 64 ? 64 : (unsigned int)n;
                lpRandomPairs(zobj->ptr, batch, keys, withscores ? vals : NULL);
                for (unsigned int i = 0; i < batch; i++) {
                    if (withscores && c->resp > 2) replyArrayLen(c, 2);
                    replyLpEntry(c, &keys[i]);
                    if (withscores) replyDouble(c, lpEntryScore(&vals[i]));
                }
                n -= batch;
            }
        } else {
            zset *zs = zobj->ptr;
            while (n--) {
                void *found;
                hashtableFairRandomEntry(zs->ht, &found);
                zskiplistNode *node = found;
                replyRandPair(c, node->ele, dstrlen(node->ele), node->score, withscores);
            }
        }
        return;
    }
    if ((unsigned long)count >= size) {
        /* the whole set */
        replyArrayLen(c, (long)(pairs_flat ? size * 2 : size));
        zsetIter it;
        zsetIterInit(&it, zobj);
        const char *m;
        size_t len;
        double s;
        while (zsetIterNext(&it, &m, &len, &s)) replyRandPair(c, m, len, s, withscores);
        return;
    }
    replyArrayLen(c, pairs_flat ? count * 2 : count);
    if (zobj->encoding == ENC_LISTPACK) {
        listpackEntry *keys = zmalloc(sizeof(listpackEntry) * (size_t)count);
        listpackEntry *vals = zmalloc(sizeof(listpackEntry) * (size_t)count);
        unsigned int got = lpRandomPairsUnique(zobj->ptr, (unsigned int)count, keys, vals);
        for (unsigned int i = 0; i < got; i++) {
            if (withscores && c->resp > 2) replyArrayLen(c, 2);
            replyLpEntry(c, &keys[i]);
            if (withscores) replyDouble(c, lpEntryScore(&vals[i]));
        }
        zfree(keys);
        zfree(vals);
        return;
    }
    zset *zs = zobj->ptr;
    if ((unsigned long)count * 3 <= size) {
        /* few of many: draw random members until `count` distinct ones */
        hashtable *picked = hashtableCreate(&nodePtrSetType);
        while (hashtableSize(picked) < (size_t)count) {
            void *found;
            hashtableFairRandomEntry(zs->ht, &found);
            if (!hashtableAdd(picked, found)) continue;
            zskiplistNode *n = found;
            replyRandPair(c, n->ele, dstrlen(n->ele), n->score, withscores);
        }
        hashtableRelease(picked);
        return;
    }
    /* a large share: a partial Fisher-Yates shuffle of the node array */
    zskiplistNode **nodes = zmalloc(sizeof(*nodes) * size);
    unsigned long i = 0;
    for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward) nodes[i++] = n;
    for (i = 0; i < (unsigned long)count; i++) {
        unsigned long j = i + (unsigned long)random() % (size - i);
        zskiplistNode *t = nodes[i];
        nodes[i] = nodes[j];
        nodes[j] = t;
        replyRandPair(c, nodes[i]->ele, dstrlen(nodes[i]->ele), nodes[i]->score, withscores);
    }
    zfree(nodes);
}

void zrandmemberCommand(client *c) {
    if (c->argc >= 3) {
        long count;
        int withscores;
        if (parseRandomCountArgs(c, "withscores", &count, &withscores) < 0) return;
        zrandmemberWithCount(c, count, withscores);
        return;
    }
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    if (!zobj) {
        replyNull(c);
        return;
    }
    if (zobj->encoding == ENC_LISTPACK) {
        listpackEntry k;
        lpRandomPair(zobj->ptr, zsetLength(zobj), &k, NULL);
        replyLpEntry(c, &k);
    } else {
        void *found;
        hashtableFairRandomEntry(((zset *)zobj->ptr)->ht, &found);
        replyBulkDstr(c, ((zskiplistNode *)found)->ele);
    }
}

typedef struct {
    zskiplistNode **nodes;
    size_t len, cap;
} scanNodes;

static void scanCollectNode(void *privdata, void *entry) {
    scanNodes *s = privdata;
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->nodes = zrealloc(s->nodes, s->cap * sizeof(*s->nodes));
    }
    s->nodes[s->len++] = entry;
}

void zscanCommand(client *c) {
    unsigned long cursor;
    if (scanParseCursor(c, c->argv[2], &cursor) < 0) return;
    /* as Redis: the key is looked up before the options are parsed */
    obj *zobj;
    if (zsetLookup(c, c->argv[1], 0, &zobj) < 0) return;
    char cbuf[LONG_STR_SIZE];
    if (!zobj) {
        replyArrayLen(c, 2);
        replyBulk(c, "0", 1);
        replyEmptyArray(c);
        return;
    }
    scanOptions opt;
    if (scanParseOptions(c, 3, 0, &opt) < 0) return;
    long count = opt.count;
    const char *pat = opt.use_pattern ? opt.pattern : NULL;
    size_t patlen = opt.patlen;
    if (zobj->encoding == ENC_LISTPACK) {
        /* small encodings are returned whole, cursor 0 */
        unsigned char *lp = zobj->ptr;
        replyArrayLen(c, 2);
        replyBulk(c, "0", 1);
        void *dl = replyDeferredLen(c);
        long n = 0;
        for (unsigned char *p = lpFirst(lp); p;) {
            unsigned char *sp = lpNext(lp, p);
            size_t mlen;
            const char *m = lpMember(p, &mlen, cbuf);
            if (!pat || stringmatchlen(pat, patlen, m, mlen, 0)) {
                replyBulk(c, m, mlen);
                int64_t slen;
                unsigned char ib[LP_INTBUF_SIZE];
                unsigned char *sv = lpGet(sp, &slen, ib);
                replyBulk(c, sv, (size_t)slen);
                n += 2;
            }
            p = lpNext(lp, sp);
        }
        setDeferredArrayLen(c, dl, n);
        return;
    }
    zset *zs = zobj->ptr;
    scanNodes s = {NULL, 0, 0};
    long maxsteps = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
    size_t cur = (size_t)cursor;
    do {
        cur = hashtableScan(zs->ht, cur, scanCollectNode, &s);
    } while (cur && maxsteps-- && s.len < (size_t)count);
    int blen = ull2string(cbuf, sizeof(cbuf), (unsigned long long)cur);
    replyArrayLen(c, 2);
    replyBulk(c, cbuf, (size_t)blen);
    void *dl = replyDeferredLen(c);
    long n = 0;
    for (size_t i = 0; i < s.len; i++) {
        zskiplistNode *node = s.nodes[i];
        if (pat && !stringmatchlen(pat, patlen, node->ele, dstrlen(node->ele), 0)) continue;
        char sbuf[MAX_D2STRING_CHARS];
        int sl = d2string(sbuf, sizeof(sbuf), node->score);
        replyBulkDstr(c, node->ele);
        replyBulk(c, sbuf, (size_t)sl);
        n += 2;
    }
    setDeferredArrayLen(c, dl, n);
    zfree(s.nodes);
}
