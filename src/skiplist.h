/* skiplist: the ordered half of a sorted set (the skiplist encoding).
 *
 * A skiplist (William Pugh, "Skip Lists: A Probabilistic Alternative to
 * Balanced Trees", 1990) of nodes ordered by (score, member): ascending score,
 * equal scores ordered by the member bytes (memcmp, then shorter first).
 * Behaves as the Redis zset skiplist does:
 *   - node heights are random, 1..ZSKIPLIST_MAXLEVEL (32), each further level
 *     with probability ZSKIPLIST_P (0.25), drawn with random();
 *   - every forward link carries a span (how many level-0 steps it jumps), so
 *     the 1-based rank of a node and the node at a rank are found in
 *     O(log n);
 *   - level 0 is doubly linked (backward pointers) for reverse traversal.
 *
 * Node memory layout (one allocation, 64-bit):
 *   offset  size     field
 *   0       8        ele: the member, a heap dstr owned by the node
 *   8       8        score (IEEE double, never NaN)
 *   16      8        backward: previous node at level 0 (NULL for the first)
 *   24      16*h     level[0..h-1]: { forward pointer, span }
 *
 * The list does not detect duplicates: the owner (t_zset.c keeps a hash table
 * member -> node next to it) must never insert a member that is present.
 * Leaf module: depends only on zmalloc and dstr; no server state. */
#ifndef CAIRN_SKIPLIST_H
#define CAIRN_SKIPLIST_H
#include <stddef.h>
#include "dstr.h"

#define ZSKIPLIST_MAXLEVEL 32
#define ZSKIPLIST_P 0.25

typedef struct zskiplistNode {
    dstr ele;
    double score;
    struct zskiplistNode *backward;
    struct zskiplistLevel {
        struct zskiplistNode *forward;
        unsigned long span;
    } level[];
} zskiplistNode;

typedef struct zskiplist {
    zskiplistNode *header;   /* sentinel with ZSKIPLIST_MAXLEVEL levels, no member */
    zskiplistNode *tail;     /* last node, NULL when empty */
    unsigned long length;
    int level;               /* height of the tallest node (1 when empty) */
} zskiplist;

/* A score interval: min..max, each end inclusive unless minex/maxex. */
typedef struct {
    double min, max;
    int minex, maxex;
} zrangespec;

/* One end of a lexicographic interval. kind: ZLEX_NEG_INF ("-"),
 * ZLEX_POS_INF ("+"), ZLEX_INCL ("[abc": p/len = "abc"), ZLEX_EXCL ("(abc"). */
#define ZLEX_NEG_INF 0
#define ZLEX_POS_INF 1
#define ZLEX_INCL 2
#define ZLEX_EXCL 3
typedef struct {
    const char *p;   /* borrowed; not owned by the spec */
    size_t len;
    int kind;
} zlexBound;
typedef struct {
    zlexBound min, max;
} zlexrangespec;

/* Compare two members: memcmp over the common length, then the shorter one
 * first. Returns <0, 0, >0. */
int zslCompareMembers(const char *a, size_t alen, const char *b, size_t blen);

/* New empty list. Never NULL (allocation failure aborts). */
zskiplist *zslCreate(void);
/* Free the list and every node (and its member). NULL is a no-op. */
void zslFree(zskiplist *zsl);
/* Free one node that is no longer linked (its member too). */
void zslFreeNode(zskiplistNode *node);
/* A random height in 1..ZSKIPLIST_MAXLEVEL: P(h > k) = 0.25^k. */
int zslRandomLevel(void);

/* Insert member `ele` (ownership taken) with `score` (not NaN). The member
 * must not be present. Returns the new node. */
zskiplistNode *zslInsert(zskiplist *zsl, double score, dstr ele);
/* Insert at the head in O(height) when (score, ele) sorts strictly before
 * the first node (or the list is empty): the way to build a list from
 * elements given from the highest rank down (the order RDB payloads list a
 * skiplist's members in) without searching. The node gets a random height
 * exactly as zslInsert's. Returns the new node (ownership of `ele` taken),
 * or NULL when (score, ele) does not sort before the first node (nothing
 * changed, `ele` still the caller's: use zslInsert). */
zskiplistNode *zslInsertFirst(zskiplist *zsl, double score, dstr ele);
/* Unlink the node (score, ele) if present. Returns 1 and the unlinked node in
 * *node (caller frees it with zslFreeNode) when `node` is not NULL, or frees
 * it itself when `node` is NULL; returns 0 when absent. */
int zslDelete(zskiplist *zsl, double score, const char *ele, size_t len, zskiplistNode **node);
/* Change the score of the present member (curscore, ele) to newscore.
 * Returns the node now holding the member: the same node when its position
 * does not change, otherwise a new node (the old one is freed and its member
 * moved to the new node), so the caller must update any pointer it kept. */
zskiplistNode *zslUpdateScore(zskiplist *zsl, double curscore, const char *ele, size_t len, double newscore);

/* 1-based rank of (score, ele), 0 when absent. */
unsigned long zslGetRank(zskiplist *zsl, double score, const char *ele, size_t len);
/* Node at 1-based `rank`, NULL when out of range. */
zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank);

/* Score range tests. */
int zslValueGteMin(double value, const zrangespec *spec);
int zslValueLteMax(double value, const zrangespec *spec);
/* First / last node whose score is inside `range`, NULL if none. */
zskiplistNode *zslFirstInRange(zskiplist *zsl, const zrangespec *range);
zskiplistNode *zslLastInRange(zskiplist *zsl, const zrangespec *range);

/* Lex range tests on a member. */
int zslLexValueGteMin(const char *ele, size_t len, const zlexrangespec *spec);
int zslLexValueLteMax(const char *ele, size_t len, const zlexrangespec *spec);
/* 1 if no member can be inside `spec` (min above max, or equal and one end open). */
int zslLexRangeIsEmpty(const zlexrangespec *spec);
/* First / last node whose member is inside `range`, NULL if none. Meaningful
 * when all members have the same score (as ZRANGEBYLEX documents). */
zskiplistNode *zslFirstInLexRange(zskiplist *zsl, const zlexrangespec *range);
zskiplistNode *zslLastInLexRange(zskiplist *zsl, const zlexrangespec *range);

/* Range deletes. Each unlinked node is passed to `cb(node, priv)` (may be
 * NULL) before it is freed, so the owner can drop it from its hash table.
 * Ranks are 1-based and inclusive. Return the number of nodes removed. */
typedef void (*zslUnlinkCallback)(zskiplistNode *node, void *priv);
unsigned long zslDeleteRangeByScore(zskiplist *zsl, const zrangespec *range, zslUnlinkCallback cb, void *priv);
unsigned long zslDeleteRangeByLex(zskiplist *zsl, const zlexrangespec *range, zslUnlinkCallback cb, void *priv);
unsigned long zslDeleteRangeByRank(zskiplist *zsl, unsigned long start, unsigned long end, zslUnlinkCallback cb,
                                   void *priv);

/* Parse a score interval as Redis does for ZRANGEBYSCORE & co: each argument
 * (NUL-terminated) is an optional '(' (exclusive) followed by text that
 * strtod() reads entirely (so "inf", "-inf", "+inf" and hex floats are
 * accepted, and "(" alone reads as 0); NaN is rejected. Returns 1 and fills
 * `spec`, or 0 (the caller replies "ERR min or max is not a float"). */
int zslParseRange(const char *min, const char *max, zrangespec *spec);
/* Parse one lex interval end: "-", "+", "[member" or "(member" ("+" and
 * "-" are tested as C strings, as Redis does, so "+\0x" is "+"). The bound
 * borrows s. Returns 1, or 0 for anything else (the caller replies
 * "ERR min or max not valid string range item"). */
int zslParseLexRangeItem(const char *s, size_t len, zlexBound *bound);

#endif
