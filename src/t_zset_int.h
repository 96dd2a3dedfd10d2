/* t_zset_int: internal API shared by t_zset.c (encodings, single-key
 * commands), t_zset_pop.c (ZPOP*, BZPOP*, ZMPOP, BZMPOP) and t_zset_ops.c
 * (ZUNION/ZINTER/ZDIFF family). Not for other modules: only the t_zset*.c
 * files know the zset encodings. */
#ifndef CAIRN_T_ZSET_INT_H
#define CAIRN_T_ZSET_INT_H
#include <stddef.h>
#include "dstr.h"
#include "object.h"
#include "skiplist.h"
#include "util.h"

typedef struct client client;

/* zsetAdd input flags */
#define ZADD_IN_INCR (1 << 0)   /* add the score to the current one */
#define ZADD_IN_NX (1 << 1)     /* only add new members */
#define ZADD_IN_XX (1 << 2)     /* only update existing members */
#define ZADD_IN_GT (1 << 3)     /* only update when the new score is greater */
#define ZADD_IN_LT (1 << 4)     /* only update when the new score is less */
/* zsetAdd output flags */
#define ZADD_OUT_NOP (1 << 0)      /* nothing done because of NX/XX/GT/LT */
#define ZADD_OUT_NAN (1 << 1)      /* the (resulting) score is NaN: error */
#define ZADD_OUT_ADDED (1 << 2)    /* a new member was added */
#define ZADD_OUT_UPDATED (1 << 3)  /* an existing member's score changed */

/* New bare zset object for about `size_hint` members whose longest member is
 * `maxelelen` bytes: listpack when both are within the limits, else a
 * skiplist pre-sized for size_hint. */
obj *zsetCreateObject(size_t size_hint, size_t maxelelen);
/* Convert to `encoding` (ENC_LISTPACK / ENC_SKIPLIST) in place; `cap` pre-sizes
 * the hashtable. No-op if already in that encoding. */
void zsetConvert(obj *zobj, int encoding, size_t cap);
/* Convert a skiplist zset to a listpack if it fits the limits (length,
 * maxelelen; totelelen is the sum of member lengths). */
void zsetConvertToListpackIfNeeded(obj *zobj, size_t maxelelen, size_t totelelen);
/* Score of a member: 1 and *score, or 0 if absent. */
int zsetScore(const obj *zobj, const char *ele, size_t len, double *score);
/* Add/update a member as ZADD does with `in_flags` (ZADD_IN_*); *out_flags
 * gets ZADD_OUT_*, *newscore (may be NULL) the resulting score. Converts to a
 * skiplist when the listpack limits would be passed. Returns 0 only for NaN. */
int zsetAdd(obj *zobj, double score, const char *ele, size_t len, int in_flags, int *out_flags, double *newscore);
/* Remove a member; 1 if it was present. */
int zsetDel(obj *zobj, const char *ele, size_t len);
/* 0-based rank (from the top if reverse), -1 if absent; *score (may be NULL). */
long zsetRank(const obj *zobj, const char *ele, size_t len, int reverse, double *score);
/* Delete the key when its zset is empty; 1 if deleted. */
int zsetDeleteIfEmpty(client *c, const dstr key, obj *zobj);

/* Argument parsing; each replies the error and returns 0 on failure. */
int zsetArgLong(client *c, const dstr arg, long *out);             /* ERR value is not an integer ... */
int zsetArgDouble(client *c, const dstr arg, double *out, const char *errmsg); /* NULL: not a valid float */
int zsetParseLexRange(client *c, const dstr min, const dstr max, zlexrangespec *r);
/* Lookup: -1 after replying WRONGTYPE, else 0 with *o (NULL when missing). */
int zsetLookup(client *c, const dstr key, int write, obj **o);

/* A position in a zset of either encoding (read-only use). */
typedef struct zcur {
    const obj *zobj;
    unsigned char *eptr;          /* listpack member entry */
    zskiplistNode *node;          /* skiplist node */
    char buf[LONG_STR_SIZE];      /* text of an integer member */
} zcur;
void zcurSeekRank(zcur *c, const obj *zobj, long rank, int rev);
void zcurSeekScore(zcur *c, const obj *zobj, const zrangespec *r, int rev);
void zcurSeekLex(zcur *c, const obj *zobj, const zlexrangespec *r, int rev);
int zcurValid(const zcur *c);
void zcurGet(zcur *c, const char **ele, size_t *len, double *score); /* score may be NULL */
double zcurScore(zcur *c);
void zcurNext(zcur *c, int rev);

/* Range result sink: replies to the client (array; RESP2 flat member/score,
 * RESP3 [member, double] pairs when withscores) or adds to `dst`. */
typedef struct zresult {
    client *c;
    int withscores;
    obj *dst;
    long count;
    void *deferred;
    size_t maxelelen, totelelen;
} zresult;
void zresultInit(zresult *h, client *c, int withscores, obj *dst);
void zresultBegin(zresult *h, long length);   /* length < 0: not known yet */
void zresultEmit(zresult *h, const char *ele, size_t len, double score);
void zresultEnd(zresult *h);

#endif
