/* omap: an ordered map from byte-string keys to pointers.
 *
 * Streams keep three kinds of ordered tables, all of them rax trees in Redis:
 * listpack nodes by master ID, pending entries (PEL) by entry ID, and consumer
 * groups / consumers by name. omap gives the same operations with O(log n)
 * expected cost: it is a treap (a binary search tree whose nodes also carry a
 * random priority kept in heap order), so the shape is that of a random BST
 * whatever the insertion order (stream IDs always arrive ascending).
 *
 * Order: keys compare as unsigned bytes (memcmp); when one key is a prefix of
 * the other, the shorter one sorts first. This is rax's order, so a 16-byte
 * big-endian stream ID (ms then seq, see t_stream.h) sorts numerically and
 * names sort as Redis lists them (XINFO GROUPS / CONSUMERS).
 *
 * Nodes are allocated once per key with the key copied inline (node->key,
 * node->keylen). Node pointers stay valid until that key is removed or the map
 * is freed. Values are opaque: the map never frees them except through the
 * callback given to omapFree.
 *
 * Iteration: omapFirst/omapLast/omapSeek* return a node, omapNext/omapPrev the
 * neighbour of a node that is still in the map. To delete while iterating,
 * copy the key, remove, then omapSeek(...GT...) from the copy.
 *
 * Leaf module: depends only on zmalloc. Not thread-safe. */
#ifndef CAIRN_OMAP_H
#define CAIRN_OMAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct omapNode {
    struct omapNode *left, *right;
    uint32_t prio;              /* heap order: a parent's prio >= its children's */
    uint32_t keylen;
    void *val;                  /* the caller's value; may be changed in place */
    unsigned char key[];        /* keylen bytes (not NUL-terminated) */
} omapNode;

typedef struct omap {
    omapNode *root;
    size_t size;                /* number of keys */
    size_t bytes;               /* bytes allocated for nodes (MEMORY USAGE) */
    uint64_t rng;               /* xorshift state for priorities */
} omap;

/* Seek operators for omapSeek. */
#define OMAP_GE 0   /* smallest key >= k */
#define OMAP_GT 1   /* smallest key > k */
#define OMAP_LE 2   /* largest key <= k */
#define OMAP_LT 3   /* largest key < k */
#define OMAP_EQ 4   /* exactly k */

/* New empty map. Never NULL (zmalloc aborts on OOM). */
omap *omapNew(void);
/* Free the map; `freeval` (may be NULL) is called on every value. NULL map: no-op. */
void omapFree(omap *m, void (*freeval)(void *));
/* Number of keys. */
static inline size_t omapSize(const omap *m) { return m->size; }
/* Compare two keys in map order: <0, 0, >0. */
int omapCompareKeys(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen);
/* Insert k -> val. Returns 1 if added; 0 if k was already present (nothing
 * changes, and *existing, when given, receives the present node). */
int omapInsert(omap *m, const void *k, size_t klen, void *val, omapNode **existing);
/* The node of key k, or NULL. */
omapNode *omapFind(const omap *m, const void *k, size_t klen);
/* Remove k. Returns 1 and its value in *oldval (optional) if present, else 0. */
int omapRemove(omap *m, const void *k, size_t klen, void **oldval);
/* Node with the smallest / largest key, NULL when empty. */
omapNode *omapFirst(const omap *m);
omapNode *omapLast(const omap *m);
/* Node found by `op` (OMAP_GE ...) relative to k, or NULL. */
omapNode *omapSeek(const omap *m, int op, const void *k, size_t klen);
/* Following / preceding node of `n` (which must be in the map), or NULL. */
omapNode *omapNext(const omap *m, const omapNode *n);
omapNode *omapPrev(const omap *m, const omapNode *n);
/* Check the BST order, heap order and size; 1 if consistent (tests). */
int omapValidate(const omap *m);

#endif
