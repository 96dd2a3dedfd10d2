/* t_zset: the sorted set type (OBJ_ZSET) and its commands.
 *
 * Encodings (as Redis 7.2):
 *   ENC_LISTPACK  o->ptr is a listpack (listpack.h) of 2*N entries
 *                 member0, score0, member1, score1, ... ordered by (score,
 *                 member). As Redis 7.2 writes it, a score that is integral
 *                 and within +-LLONG_MAX/2 is an integer entry (so -0 is
 *                 stored as 0, 1e18 as 1000000000000000000), any other score
 *                 the shortest text that reads back to the double (util.h
 *                 d2string: "1.5", "1e+300", "inf"). This is the
 *                 RDB_TYPE_ZSET_LISTPACK payload byte for byte.
 *   ENC_SKIPLIST  o->ptr is a `zset`: a skiplist (skiplist.h) ordered by
 *                 (score, member) plus a hashtable (hashtable.h) whose entries
 *                 are the skiplist nodes themselves, keyed by their member, for
 *                 O(1) member -> score lookups.
 * A zset is listpack-encoded while it has at most zset-max-listpack-entries
 * members and every member is at most zset-max-listpack-value bytes; it is
 * converted to a skiplist as soon as either limit would be passed, and only
 * the results of ZRANGESTORE/ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE and loaded
 * RDB values are converted back (see the .c file). Empty zsets are never
 * stored.
 *
 * The functions below are the API the RDB/DUMP codec uses. */
#ifndef CAIRN_T_ZSET_H
#define CAIRN_T_ZSET_H
#include <stddef.h>
#include "dstr.h"
#include "hashtable.h"
#include "object.h"

struct hashtable;
struct zskiplist;

/* The ENC_SKIPLIST structure. */
typedef struct zset {
    struct hashtable *ht;     /* entries: zskiplistNode*, key = node->ele */
    struct zskiplist *zsl;
} zset;

/* Register the type's methods (free, dup, mem_usage); called by types.c. */
void zsetTypeRegister(void);

/* Number of members. */
unsigned long zsetLength(const obj *zobj);

/* The listpack of an ENC_LISTPACK zset (the RDB_TYPE_ZSET_LISTPACK blob
 * as-is; owned by the object, read-only), NULL for a skiplist. */
unsigned char *zsetListpack(const obj *zobj);

/* Check a listpack blob from an untrusted source (RDB/RESTORE): listpack
 * integrity (deep), an even number of entries, every score entry a valid
 * score (an integer entry, or text that string2d accepts: no NaN), and no
 * member repeated. Scores are not required to be sorted (Redis does not check
 * either). Returns 1 if the blob can be adopted by zsetCreateFromListpack. */
int zsetValidateListpack(const unsigned char *lp, size_t size);
/* Bare ENC_LISTPACK zset object adopting `lp` (ownership taken), which must
 * have passed zsetValidateListpack and be non-empty. If it has more members
 * than zset-max-listpack-entries it is converted to a skiplist, as Redis does
 * on load. */
obj *zsetCreateFromListpack(unsigned char *lp);
/* Bare empty ENC_SKIPLIST zset object with its hashtable pre-sized for
 * `size_hint` members (untrusted hints are capped by hashtableTryExpand). */
obj *zsetCreateSkiplistObject(size_t size_hint);
/* Add (member, score) to a zset built with zsetCreateSkiplistObject while
 * loading. `member` ownership is taken in every case. Returns 1, or 0 (the
 * member is freed) if it is already present or the score is NaN. */
int zsetLoadAdd(obj *zobj, dstr member, double score);
/* Building a zset from a payload of `len` (member, score) pairs (RDB ZSET /
 * ZSET_2): a skiplist pre-sized for `len`, converted to a listpack at the
 * end when small enough (zsetLoadFinish). Members given from the highest
 * rank down (as Redis and Cairn write skiplists) are put at the skiplist's
 * head in O(1) (zslInsertFirst); any other order takes the normal insert.
 * The member table is filled HASHTABLE_BATCH nodes at a time
 * (hashtableAddBatch, which prefetches their buckets), so a duplicate member
 * may be reported up to HASHTABLE_BATCH - 1 pairs late or only by Finish. */
typedef struct zsetLoader {
    obj *o;                          /* the zset being built (owned) */
    unsigned pending;                /* nodes in batch[] not in the table yet */
    void *batch[HASHTABLE_BATCH];    /* zskiplistNode* (owned by the skiplist) */
} zsetLoader;
void zsetLoaderInit(zsetLoader *ld, size_t len);
/* Add (member, score); `member` ownership is taken in every case. Returns
 * 1, or 0 for a NaN score or a duplicate member (this one or a pending
 * one); after a 0 the caller must call zsetLoaderAbort. */
int zsetLoaderAdd(zsetLoader *ld, dstr member, double score);
/* Flush, zsetLoadFinish, and return the zset (ownership passes to the
 * caller), or NULL when a pending member was a duplicate (all freed). */
obj *zsetLoaderFinish(zsetLoader *ld);
/* Free the zset being built (safe after a Finish). */
void zsetLoaderAbort(zsetLoader *ld);
/* After loading a skiplist zset: convert it to a listpack if it is small
 * enough (length <= zset-max-listpack-entries and every member <=
 * zset-max-listpack-value bytes), as Redis does for RDB_TYPE_ZSET(_2). */
void zsetLoadFinish(obj *zobj);

/* In-order iteration (ascending score, then member) over either encoding,
 * or from the highest rank down with zsetIterInitReverse (the order RDB_TYPE_ZSET_2
 * stores members in). The zset must not be modified during the iteration. */
typedef struct zsetIter {
    const obj *zobj;
    unsigned char *eptr;         /* listpack: current member entry */
    void *node;                  /* skiplist: current node */
    int reverse;
    char buf[24];                /* text of integer members */
} zsetIter;
void zsetIterInit(zsetIter *it, const obj *zobj);
void zsetIterInitReverse(zsetIter *it, const obj *zobj);
/* Next member: returns 1 with *member and *len (valid until the next call) and
 * *score, or 0 at the end. */
int zsetIterNext(zsetIter *it, const char **member, size_t *len, double *score);

#endif
