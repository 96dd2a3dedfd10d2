/* Sorted set operations over several keys: ZUNION, ZINTER, ZDIFF, ZUNIONSTORE,
 * ZINTERSTORE, ZDIFFSTORE (WEIGHTS, AGGREGATE SUM|MIN|MAX, WITHSCORES) and
 * ZINTERCARD (LIMIT), as Redis 7.2 computes them:
 *   - union and intersection visit the inputs from the smallest to the
 *     largest (stable order for equal sizes); each input score is multiplied
 *     by its weight (a NaN product, e.g. inf * 0, counts as 0) and SUM turns a
 *     NaN sum (inf + -inf) into 0;
 *   - a difference keeps the members of the first input found in no other
 *     input, with their scores from the first input;
 *   - results are built as a skiplist zset; a stored result is converted to a
 *     listpack when it fits the listpack limits; an empty result deletes the
 *     destination.
 * Redis also accepts plain SET keys as inputs (every member scoring 1): those
 * are read through zopSetInputAsZset() below. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "commands.h"
#include "db.h"
#include "dstr.h"
#include "hashtable.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "siphash.h"
#include "t_set.h"
#include "t_zset.h"
#include "t_zset_int.h"
#include "util.h"
#include "zmalloc.h"

#define OP_UNION 0
#define OP_INTER 1
#define OP_DIFF 2

#define AGGR_SUM 0
#define AGGR_MIN 1
#define AGGR_MAX 2

typedef struct {
    obj *zobj;      /* zset to read, NULL for a missing key */
    obj *owned;     /* temporary zset made from another type (freed at the end) */
    double weight;
} zopsrc;

/* A SET key given as input: Redis reads it as a zset whose members all score
 * 1. Returns a temporary bare skiplist zset (owned by the caller) holding a
 * copy of every member with score 1. */
static obj *zopSetInputAsZset(obj *set) {
    obj *z = zsetCreateSkiplistObject(setTypeSize(set));
    setIterator si;
    setTypeInitIterator(&si, set);
    dstr m;
    while ((m = setTypeNextDstr(&si)) != NULL) zsetLoadAdd(z, m, 1.0);
    setTypeResetIterator(&si);
    return z;
}

static unsigned long srcLen(const zopsrc *s) { return s->zobj ? zsetLength(s->zobj) : 0; }

static void aggregate(double *target, double val, int aggr) {
    if (aggr == AGGR_SUM) {
        *target += val;
        if (isnan(*target)) *target = 0.0;
    } else if (aggr == AGGR_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

/* Union accumulator: member -> score. */
typedef struct {
    dstr ele;
    double score;
} accEntry;
static const void *accKey(const void *e) { return ((const accEntry *)e)->ele; }
static uint64_t accHash(const void *k) { return hashBytes(k, dstrlen((const dstr)k)); }
static int accCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la) != 0;
}
static void accFree(void *e) {
    dstrfree(((accEntry *)e)->ele);
    zfree(e);
}
static hashtableType accType = {.entryGetKey = accKey, .hashFunction = accHash, .keyCompare = accCompare,
                                .entryDestructor = accFree};

/* Add a member known to be absent from the skiplist-encoded `dst`. */
static void dstAdd(obj *dst, const char *m, size_t len, double score, size_t *maxlen, size_t *totlen) {
    int out;
    zsetAdd(dst, score, m, len, 0, &out, NULL);
    *totlen += len;
    if (len > *maxlen) *maxlen = len;
}

static void zopGeneric(client *c, dstr dstkey, int numkeys_idx, int op, int card_only) {
    long setnum;
    if (!zsetArgLong(c, c->argv[numkeys_idx], &setnum)) return;
    if (setnum < 1) {
        replyErrorFormat(c, "ERR at least 1 input key is needed for '%s' command", c->cmd->fullname);
        return;
    }
    if (setnum > c->argc - (numkeys_idx + 1)) {
        replyErrorSyntax(c);
        return;
    }
    zopsrc *src = zcalloc(sizeof(zopsrc) * (size_t)setnum);
    obj *dst = NULL;
    int j = numkeys_idx + 1;
    for (long i = 0; i < setnum; i++, j++) {
        obj *o = dstkey ? lookupKeyWrite(c->db, c->argv[j]) : lookupKeyRead(c->db, c->argv[j]);
        src[i].weight = 1.0;
        if (!o) continue;
        if (o->type == OBJ_SET) {
            src[i].owned = zopSetInputAsZset(o);
            o = src[i].owned;
        } else if (o->type != OBJ_ZSET) {
            replyErrorWrongType(c);
            goto cleanup;
        }
        src[i].zobj = o;
    }
    int aggr = AGGR_SUM, withscores = 0;
    long limit = 0;
    int remaining = c->argc - j;
    while (remaining) {
        const char *opt = c->argv[j];
        if (op != OP_DIFF && !card_only && remaining >= setnum + 1 && !strcasecmp(opt, "weights")) {
            j++;
            remaining--;
            for (long i = 0; i < setnum; i++, j++, remaining--)
                if (!zsetArgDouble(c, c->argv[j], &src[i].weight, "ERR weight value is not a float")) goto cleanup;
        } else if (op != OP_DIFF && !card_only && remaining >= 2 && !strcasecmp(opt, "aggregate")) {
            const char *a = c->argv[j + 1];
            if (!strcasecmp(a, "sum")) aggr = AGGR_SUM;
            else if (!strcasecmp(a, "min")) aggr = AGGR_MIN;
            else if (!strcasecmp(a, "max")) aggr = AGGR_MAX;
            else {
                replyErrorSyntax(c);
                goto cleanup;
            }
            j += 2;
            remaining -= 2;
        } else if (!dstkey && !card_only && !strcasecmp(opt, "withscores")) {
            j++;
            remaining--;
            withscores = 1;
        } else if (card_only && remaining >= 2 && !strcasecmp(opt, "limit")) {
            long long v;
            if (!string2ll(c->argv[j + 1], dstrlen(c->argv[j + 1]), &v) || v < 0 || v > LONG_MAX) {
                replyError(c, "ERR LIMIT can't be negative");
                goto cleanup;
            }
            limit = (long)v;
            j += 2;
            remaining -= 2;
        } else {
            replyErrorSyntax(c);
            goto cleanup;
        }
    }

    if (op != OP_DIFF) {
        /* smallest first; insertion sort keeps equal sizes in argument order */
        for (long a = 1; a < setnum; a++) {
            zopsrc t = src[a];
            long b = a - 1;
            while (b >= 0 && srcLen(&src[b]) > srcLen(&t)) {
                src[b + 1] = src[b];
                b--;
            }
            src[b + 1] = t;
        }
    }

    dst = zsetCreateSkiplistObject(0);
    size_t maxlen = 0, totlen = 0;
    long cardinality = 0;
    const char *m;
    size_t len;
    double s;
    zsetIter it;
    if (op == OP_INTER) {
        if (srcLen(&src[0])) {
            zsetIterInit(&it, src[0].zobj);
            while (zsetIterNext(&it, &m, &len, &s)) {
                double score = src[0].weight * s;
                if (isnan(score)) score = 0;
                long i;
                for (i = 1; i < setnum; i++) {
                    double v;
                    if (src[i].zobj == src[0].zobj) {
                        v = s * src[i].weight;
                    } else if (src[i].zobj && zsetScore(src[i].zobj, m, len, &v)) {
                        v *= src[i].weight;
                    } else {
                        break;
                    }
                    aggregate(&score, v, aggr);
                }
                if (i != setnum) continue;
                if (card_only) {
                    cardinality++;
                    if (limit && cardinality >= limit) break;
                } else {
                    dstAdd(dst, m, len, score, &maxlen, &totlen);
                }
            }
        }
    } else if (op == OP_UNION) {
        hashtable *acc = hashtableCreate(&accType);
        for (long i = 0; i < setnum; i++) {
            if (!srcLen(&src[i])) continue;
            zsetIterInit(&it, src[i].zobj);
            while (zsetIterNext(&it, &m, &len, &s)) {
                double score = src[i].weight * s;
                if (isnan(score)) score = 0;
                accEntry *e = zmalloc(sizeof(*e));
                e->ele = dstrnewlen(m, len);
                e->score = score;
                void *existing;
                if (!hashtableAddOrFind(acc, e, &existing)) {
                    aggregate(&((accEntry *)existing)->score, score, aggr);
                    accFree(e);
                }
            }
        }
        hashtableIterator hi;
        hashtableInitIterator(&hi, acc);
        void *e;
        while (hashtableNext(&hi, &e)) {
            accEntry *a = e;
            dstAdd(dst, a->ele, dstrlen(a->ele), a->score, &maxlen, &totlen);
        }
        hashtableResetIterator(&hi);
        hashtableRelease(acc);
    } else {
        if (srcLen(&src[0])) {
            zsetIterInit(&it, src[0].zobj);
            while (zsetIterNext(&it, &m, &len, &s)) {
                long i;
                double v;
                for (i = 1; i < setnum; i++) {
                    if (src[i].zobj == src[0].zobj) break;
                    if (src[i].zobj && zsetScore(src[i].zobj, m, len, &v)) break;
                }
                if (i == setnum) dstAdd(dst, m, len, s, &maxlen, &totlen);
            }
        }
    }

    if (dstkey) {
        unsigned long n = zsetLength(dst);
        if (n) {
            zsetConvertToListpackIfNeeded(dst, maxlen, totlen);
            dbSetKey(c->db, dstkey, dst, 0);
            dst = NULL;
            server.dirty++;
        } else if (dbDelete(c->db, dstkey)) {
            signalModifiedKey(c, c->db, dstkey);
            server.dirty++;
        }
        replyLongLong(c, (long long)n);
    } else if (card_only) {
        replyLongLong(c, cardinality);
    } else {
        zresult h;
        zresultInit(&h, c, withscores, NULL);
        unsigned long n = zsetLength(dst);
        zresultBegin(&h, (long)n);
        zsetIterInit(&it, dst);
        while (zsetIterNext(&it, &m, &len, &s)) zresultEmit(&h, m, len, s);
        zresultEnd(&h);
    }

cleanup:
    for (long i = 0; i < setnum; i++) objDecrRef(src[i].owned);
    zfree(src);
    objDecrRef(dst);
}

void zunionstoreCommand(client *c) { zopGeneric(c, c->argv[1], 2, OP_UNION, 0); }
void zinterstoreCommand(client *c) { zopGeneric(c, c->argv[1], 2, OP_INTER, 0); }
void zdiffstoreCommand(client *c) { zopGeneric(c, c->argv[1], 2, OP_DIFF, 0); }
void zunionCommand(client *c) { zopGeneric(c, NULL, 1, OP_UNION, 0); }
void zinterCommand(client *c) { zopGeneric(c, NULL, 1, OP_INTER, 0); }
void zdiffCommand(client *c) { zopGeneric(c, NULL, 1, OP_DIFF, 0); }
void zintercardCommand(client *c) { zopGeneric(c, NULL, 1, OP_INTER, 1); }
