/* quicklist: a doubly linked list of listpack nodes (the Redis 7 list).
 *
 * Each node holds either
 *   - a listpack (container PACKED = 2) with one or more elements, or
 *   - one element as raw bytes (container PLAIN = 1), for elements too large
 *     for a listpack node (see "large elements" below),
 * and may be stored LZF-compressed (encoding LZF = 2) instead of raw (RAW = 1).
 *
 * Node sizing and compression follow Redis 7.2's rules, so that the same
 * sequence of pushes produces the same node boundaries and bytes:
 *
 *  - fill (list-max-listpack-size): fill >= 0 limits a node to `fill` entries
 *    (0 counts as 1) and to 8192 bytes; fill -1..-5 limits a node to
 *    4096/8192/16384/32768/65536 bytes (values below -5 mean -5).  An element
 *    of `sz` bytes is added to a node only if node bytes + sz + 8 stays within
 *    the limit (8 = Redis's per-entry overhead estimate).
 *  - large elements: with the default threshold (0), an element longer than the
 *    node byte limit (fill < 0) or than 8192 bytes (fill >= 0) gets its own
 *    PLAIN node.  quicklistSetPackedThreshold(n > 0) replaces that rule by
 *    "sz >= n" (what DEBUG QUICKLIST-PACKED-THRESHOLD does; 1 GB reproduces
 *    Redis 7.0's behaviour).
 *  - compress depth (list-compress-depth): 0 = never compress; d > 0 keeps the
 *    d nodes at each end raw and compresses interior nodes as they are touched.
 *    A node is compressed only if it is at least 48 bytes and LZF saves at
 *    least 8 bytes (compressed size + 8 < raw size).
 *  - merging: after a split (insert into a full node) or a replace that creates
 *    a node, neighbouring listpack nodes are merged when the merged node
 *    (a + b - 7 bytes, a + b entries) stays within the fill limit.
 *
 * RDB (type 18, LIST_QUICKLIST_2) stores, per node, its container and its
 * bytes: the listpack for PACKED, the element for PLAIN; a compressed node can
 * be written as its LZF form directly (quicklistGetLzf / quicklistNodeBlob).
 *
 * Memory: the quicklist owns its nodes and their buffers.  Values passed in
 * are copied.  Strings returned in a quicklistEntry point into a node and stay
 * valid only until the list is modified or the iterator moves/is released.
 *
 * Leaf module: zmalloc, listpack and liblzf only.
 */
#ifndef CAIRN_QUICKLIST_H
#define CAIRN_QUICKLIST_H
#include <stddef.h>

#define QUICKLIST_NODE_ENCODING_RAW 1
#define QUICKLIST_NODE_ENCODING_LZF 2
#define QUICKLIST_NODE_CONTAINER_PLAIN 1
#define QUICKLIST_NODE_CONTAINER_PACKED 2

/* `where` for push/pop. */
#define QUICKLIST_HEAD 0
#define QUICKLIST_TAIL -1

/* Iterator directions. */
#ifndef AL_START_HEAD
#define AL_START_HEAD 0
#define AL_START_TAIL 1
#endif

#define QUICKLIST_FILL_MAX 32767     /* largest positive fill */
#define QUICKLIST_FILL_MIN -5        /* smallest negative fill */
#define QUICKLIST_COMPRESS_MAX 65535 /* largest compress depth */
#define QUICKLIST_SIZE_SAFETY_LIMIT 8192

typedef struct quicklistNode {
    struct quicklistNode *prev;
    struct quicklistNode *next;
    /* RAW: the listpack (PACKED) or the element bytes (PLAIN).
     * LZF: a quicklistLZF holding the compressed form of those bytes. */
    unsigned char *entry;
    size_t sz;                  /* uncompressed size of `entry` in bytes */
    unsigned int count;         /* elements in this node (1 for PLAIN) */
    unsigned char encoding;     /* QUICKLIST_NODE_ENCODING_RAW / _LZF */
    unsigned char container;    /* QUICKLIST_NODE_CONTAINER_PLAIN / _PACKED */
    unsigned char recompress;   /* 1: temporarily decompressed, recompress after use */
    unsigned char dont_compress;/* 1: must stay raw for now (internal) */
} quicklistNode;

/* Compressed node payload: `sz` bytes of LZF data follow. */
typedef struct quicklistLZF {
    size_t sz;
    char compressed[];
} quicklistLZF;

typedef struct quicklist {
    quicklistNode *head;
    quicklistNode *tail;
    unsigned long count;   /* total elements */
    unsigned long len;     /* number of nodes */
    int fill;              /* list-max-listpack-size */
    unsigned int compress; /* list-compress-depth */
} quicklist;

typedef struct quicklistIter {
    quicklist *quicklist;
    quicklistNode *current;
    unsigned char *zi;   /* current listpack entry (NULL: seek `offset`) */
    long offset;         /* index inside the current node (negative from its tail) */
    int direction;       /* AL_START_HEAD / AL_START_TAIL */
} quicklistIter;

/* One element, as returned by quicklistNext. value != NULL: string of sz
 * bytes; value == NULL: the integer longval. */
typedef struct quicklistEntry {
    const quicklist *quicklist;
    quicklistNode *node;
    unsigned char *zi;     /* listpack entry (or the PLAIN node's bytes) */
    unsigned char *value;
    long long longval;
    size_t sz;
    long offset;           /* index inside the node, as in quicklistIter */
} quicklistEntry;

/* ---- creation and settings ---------------------------------------------- */

/* Empty quicklist with fill -2 and compress 0. Never NULL. */
quicklist *quicklistCreate(void);
/* Empty quicklist with the given fill and compress depth (clamped as below). */
quicklist *quicklistNew(int fill, int compress);
/* fill is clamped to [-5, 32767]; compress to [0, 65535]. Existing nodes are
 * not reshaped. */
void quicklistSetFill(quicklist *ql, int fill);
void quicklistSetCompressDepth(quicklist *ql, int depth);
void quicklistSetOptions(quicklist *ql, int fill, int depth);
/* Free the list, its nodes and their data. NULL is a no-op. */
void quicklistRelease(quicklist *ql);
/* Deep copy (same nodes, same compression state). */
quicklist *quicklistDup(quicklist *orig);
/* Total number of elements. */
unsigned long quicklistCount(const quicklist *ql);

/* Large-element threshold (process-wide): 0 (default) = fill-based rule; n > 0
 * = elements of n bytes or more become PLAIN nodes. Returns 0 and changes
 * nothing if n > 4 GB - 1 MB, else 1. */
int quicklistSetPackedThreshold(size_t n);
/* Limits a node may have under `fill`: *size (bytes, SIZE_MAX if none) and
 * *count (entries, UINT_MAX if none). Also used to bound listpack lists. */
void quicklistNodeLimit(int fill, size_t *size, unsigned int *count);
/* 1 if a node of new_sz bytes / new_count entries exceeds the `fill` limit. */
int quicklistNodeExceedsLimit(int fill, size_t new_sz, unsigned int new_count);
/* 1 if an element of sz bytes would get a PLAIN node under `fill`. */
int quicklistIsLargeElement(size_t sz, int fill);

/* ---- push / pop ---------------------------------------------------------- */

/* Add a copy of value[0..sz) at the head / tail. Return 1 if a new node was
 * created for it, 0 if it went into the existing end node. */
int quicklistPushHead(quicklist *ql, const void *value, size_t sz);
int quicklistPushTail(quicklist *ql, const void *value, size_t sz);
/* where = QUICKLIST_HEAD or QUICKLIST_TAIL. */
void quicklistPush(quicklist *ql, const void *value, size_t sz, int where);
/* Remove the element at the head/tail.  Returns 0 if the list is empty, else 1
 * with either *data (string: saver(bytes, len) result) and *sz, or *data NULL
 * and *sval (integer). Any out pointer may be NULL. */
int quicklistPopCustom(quicklist *ql, int where, unsigned char **data, size_t *sz, long long *sval,
                       void *(*saver)(unsigned char *data, size_t sz));
/* quicklistPopCustom with a zmalloc'ed copy of the string (caller frees). */
int quicklistPop(quicklist *ql, int where, unsigned char **data, size_t *sz, long long *sval);
/* Move the tail element to the head. */
void quicklistRotate(quicklist *ql);

/* ---- adopting whole nodes (RDB loading) -------------------------------- */

/* Append a listpack as a new PACKED tail node, whatever its size; the
 * quicklist takes ownership of `lp` (zmalloc'ed, already deep-validated). An
 * empty listpack is freed and nothing is added. */
void quicklistAppendListpack(quicklist *ql, unsigned char *lp);
/* Append `sz` bytes as a new PLAIN tail node; takes ownership of `data`
 * (zmalloc'ed). */
void quicklistAppendPlainNode(quicklist *ql, unsigned char *data, size_t sz);

/* ---- iteration ------------------------------------------------------------- */

/* Iterator from the head (AL_START_HEAD) or the tail (AL_START_TAIL). Free
 * with quicklistReleaseIterator (which recompresses the current node). */
quicklistIter *quicklistGetIterator(quicklist *ql, int direction);
/* Iterator whose first quicklistNext returns element `idx` (negative counts
 * from the tail), then moves in `direction`. NULL if idx is out of range. */
quicklistIter *quicklistGetIteratorAtIdx(quicklist *ql, int direction, long long idx);
/* Iterator positioned on element `idx` with *entry filled (the iterator moves
 * towards the head afterwards). NULL if out of range. */
quicklistIter *quicklistGetIteratorEntryAtIdx(quicklist *ql, long long idx, quicklistEntry *entry);
/* Fill *entry with the next element; 0 when the iteration is over. */
int quicklistNext(quicklistIter *iter, quicklistEntry *entry);
void quicklistSetDirection(quicklistIter *iter, int direction);
void quicklistReleaseIterator(quicklistIter *iter);

/* Visitor of quicklistVisitRange: one element, the string s of len bytes, or
 * (s == NULL) the integer v. */
typedef void quicklistVisitFn(void *ctx, const unsigned char *s, size_t len, long long v);
/* Read-only walk over `count` elements starting at index `start` (0 = head),
 * toward the tail, or toward the head when `reverse`, calling fn for each:
 * no iterator allocation, listpack entries read in place (a compressed node
 * is decompressed for the walk and compressed again after it). fn must not
 * change the list. Stops at the end of the list; returns the number visited
 * (0 when start >= the element count). */
unsigned long quicklistVisitRange(quicklist *ql, unsigned long start, unsigned long count, int reverse,
                                  quicklistVisitFn *fn, void *ctx);
/* Delete the element last returned by quicklistNext; iteration may continue
 * with quicklistNext in the same direction. */
void quicklistDelEntry(quicklistIter *iter, quicklistEntry *entry);
/* 1 if the element equals s[0..len) (integers compare as decimal text). */
int quicklistCompare(quicklistEntry *entry, const unsigned char *s, size_t len);

/* ---- editing ----------------------------------------------------------------- */

/* Insert a copy of value[0..sz) before / after the element `entry` (from
 * quicklistNext / quicklistGetIteratorEntryAtIdx on `iter`). The iterator
 * cannot be advanced afterwards; release it. */
void quicklistInsertBefore(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz);
void quicklistInsertAfter(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz);
/* Replace the element `entry` with data[0..sz); the iterator cannot be
 * advanced afterwards. */
void quicklistReplaceEntry(quicklistIter *iter, quicklistEntry *entry, const void *data, size_t sz);
/* Replace element `index` (negative from the tail). Returns 1, or 0 if out of range. */
int quicklistReplaceAtIndex(quicklist *ql, long index, const void *data, size_t sz);
/* Delete `count` elements starting at `start` (negative from the tail),
 * clipped to the end of the list. Returns 1 if anything was deleted. */
int quicklistDelRange(quicklist *ql, long start, long count);

/* ---- node access for RDB writing --------------------------------------------
 * Walk nodes with ql->head and node->next. */

/* 1 if the node is stored LZF-compressed. */
int quicklistNodeIsCompressed(const quicklistNode *node);
/* Compressed node: *data = its LZF bytes; returns their length (node->sz is
 * the decompressed length). */
size_t quicklistGetLzf(const quicklistNode *node, void **data);
/* The bytes to store for a node: returns 1 with *data and *len = the LZF form when
 * compressed (decompressing to node->sz bytes), 0 with the raw listpack /
 * element bytes otherwise. */
int quicklistNodeBlob(const quicklistNode *node, const unsigned char **data, size_t *len);

#endif
