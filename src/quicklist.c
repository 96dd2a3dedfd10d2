/* quicklist: doubly linked list of listpack / plain nodes with optional LZF
 * compression of interior nodes. Node sizing rules follow Redis 7.2; see
 * quicklist.h. */
#include "quicklist.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <lzf.h>

#include "listpack.h"
#include "zmalloc.h"

/* Byte limits for fill -1 .. -5. */
static const size_t neg_fill_limits[] = {4096, 8192, 16384, 32768, 65536};

/* Per-entry overhead added to an element's length when estimating whether it
 * still fits a node (Redis: SIZE_ESTIMATE_OVERHEAD). */
#define ENTRY_OVERHEAD_ESTIMATE 8
/* Do not try to compress nodes smaller than this. */
#define MIN_COMPRESS_BYTES 48
/* Keep a compressed form only if it saves at least this many bytes. */
#define MIN_COMPRESS_IMPROVE 8
/* Header + terminator of a listpack, dropped once when two are merged. */
#define LP_OVERHEAD 7

/* 0: fill-based large element rule; otherwise the explicit threshold. */
static size_t packed_threshold = 0;

#define NODE_IS_PLAIN(n) ((n)->container == QUICKLIST_NODE_CONTAINER_PLAIN)

/* ---- settings ---------------------------------------------------------------- */

quicklist *quicklistCreate(void) {
    quicklist *ql = zmalloc(sizeof(*ql));
    ql->head = ql->tail = NULL;
    ql->count = 0;
    ql->len = 0;
    ql->fill = -2;
    ql->compress = 0;
    return ql;
}

void quicklistSetFill(quicklist *ql, int fill) {
    if (fill > QUICKLIST_FILL_MAX) fill = QUICKLIST_FILL_MAX;
    if (fill < QUICKLIST_FILL_MIN) fill = QUICKLIST_FILL_MIN;
    ql->fill = fill;
}

void quicklistSetCompressDepth(quicklist *ql, int depth) {
    if (depth > QUICKLIST_COMPRESS_MAX) depth = QUICKLIST_COMPRESS_MAX;
    if (depth < 0) depth = 0;
    ql->compress = (unsigned int)depth;
}

void quicklistSetOptions(quicklist *ql, int fill, int depth) {
    quicklistSetFill(ql, fill);
    quicklistSetCompressDepth(ql, depth);
}

quicklist *quicklistNew(int fill, int compress) {
    quicklist *ql = quicklistCreate();
    quicklistSetOptions(ql, fill, compress);
    return ql;
}

unsigned long quicklistCount(const quicklist *ql) { return ql->count; }

int quicklistSetPackedThreshold(size_t n) {
    if ((unsigned long long)n > (1ull << 32) - (1ull << 20)) return 0;
    packed_threshold = n;
    return 1;
}

static size_t neg_fill_limit(int fill) {
    size_t i = (size_t)(-(long)fill) - 1;
    size_t n = sizeof(neg_fill_limits) / sizeof(neg_fill_limits[0]);
    if (i >= n) i = n - 1;
    return neg_fill_limits[i];
}

void quicklistNodeLimit(int fill, size_t *size, unsigned int *count) {
    *size = SIZE_MAX;
    *count = UINT_MAX;
    if (fill >= 0)
        *count = fill == 0 ? 1 : (unsigned int)fill;
    else
        *size = neg_fill_limit(fill);
}

int quicklistNodeExceedsLimit(int fill, size_t new_sz, unsigned int new_count) {
    size_t size_limit;
    unsigned int count_limit;
    quicklistNodeLimit(fill, &size_limit, &count_limit);
    if (size_limit != SIZE_MAX) return new_sz > size_limit;
    /* Count-limited nodes still never grow past the safety size. */
    if (new_sz > QUICKLIST_SIZE_SAFETY_LIMIT) return 1;
    return new_count > count_limit;
}

int quicklistIsLargeElement(size_t sz, int fill) {
    if (packed_threshold != 0) return sz >= packed_threshold;
    if (fill >= 0) return sz > QUICKLIST_SIZE_SAFETY_LIMIT;
    return sz > neg_fill_limit(fill);
}

/* ---- nodes and compression ------------------------------------------------- */

static quicklistNode *node_new(void) {
    quicklistNode *n = zmalloc(sizeof(*n));
    n->prev = n->next = NULL;
    n->entry = NULL;
    n->sz = 0;
    n->count = 0;
    n->encoding = QUICKLIST_NODE_ENCODING_RAW;
    n->container = QUICKLIST_NODE_CONTAINER_PACKED;
    n->recompress = 0;
    n->dont_compress = 0;
    return n;
}

/* New node holding one copy of value: PLAIN bytes or a one-entry listpack. */
static quicklistNode *node_with_value(int container, const void *value, size_t sz) {
    quicklistNode *n = node_new();
    n->container = (unsigned char)container;
    if (container == QUICKLIST_NODE_CONTAINER_PLAIN) {
        n->entry = zmalloc(sz ? sz : 1);
        if (sz) memcpy(n->entry, value, sz);
        n->sz = sz;
    } else {
        n->entry = lpPrepend(lpNew(0), value, (uint32_t)sz);
        n->sz = lpBytes(n->entry);
    }
    n->count = 1;
    return n;
}

static inline void node_update_sz(quicklistNode *n) { n->sz = lpBytes(n->entry); }

/* Try to LZF-compress a raw node. Returns 1 if it is now compressed. */
static int node_compress_raw(quicklistNode *n) {
    if (n->dont_compress) return 0;
    n->recompress = 0;
    if (n->sz < MIN_COMPRESS_BYTES || n->sz > UINT_MAX) return 0;
    quicklistLZF *lzf = zmalloc(sizeof(*lzf) + n->sz);
    unsigned int clen = lzf_compress(n->entry, (unsigned int)n->sz, lzf->compressed, (unsigned int)n->sz);
    if (clen == 0 || (size_t)clen + MIN_COMPRESS_IMPROVE >= n->sz) {
        zfree(lzf);
        return 0;
    }
    lzf->sz = clen;
    lzf = zrealloc(lzf, sizeof(*lzf) + clen);
    zfree(n->entry);
    n->entry = (unsigned char *)lzf;
    n->encoding = QUICKLIST_NODE_ENCODING_LZF;
    return 1;
}

static void node_compress(quicklistNode *n) {
    if (n && n->encoding == QUICKLIST_NODE_ENCODING_RAW) node_compress_raw(n);
}

/* Restore a compressed node to raw bytes. */
static void node_decompress(quicklistNode *n) {
    if (!n || n->encoding != QUICKLIST_NODE_ENCODING_LZF) return;
    quicklistLZF *lzf = (quicklistLZF *)n->entry;
    unsigned char *raw = zmalloc(n->sz ? n->sz : 1);
    unsigned int got = lzf_decompress(lzf->compressed, (unsigned int)lzf->sz, raw, (unsigned int)n->sz);
    n->recompress = 0;
    if (got != n->sz) {
        /* Our own compressed data always round-trips; keep the node as is. */
        zfree(raw);
        return;
    }
    zfree(lzf);
    n->entry = raw;
    n->encoding = QUICKLIST_NODE_ENCODING_RAW;
}

/* Decompress for temporary use: it will be recompressed afterwards. */
static void node_decompress_for_use(quicklistNode *n) {
    if (n && n->encoding == QUICKLIST_NODE_ENCODING_LZF) {
        node_decompress(n);
        n->recompress = 1;
    }
}

/* Enforce the compress depth around `node` (may be NULL): the `compress`
 * nodes at each end are made raw; `node` (if interior) and the first nodes
 * beyond the depth on each side are compressed. */
static void compress_around(quicklist *ql, quicklistNode *node) {
    if (ql->len == 0 || ql->compress == 0) return;
    if (ql->len < (unsigned long)ql->compress * 2) return;

    quicklistNode *fwd = ql->head, *rev = ql->tail;
    int in_depth = 0;
    for (unsigned int depth = 0; depth < ql->compress; depth++) {
        node_decompress(fwd);
        node_decompress(rev);
        if (fwd == node || rev == node) in_depth = 1;
        /* The two ends met: everything is within depth. */
        if (fwd == rev || fwd->next == rev) return;
        fwd = fwd->next;
        rev = rev->prev;
    }
    if (node && !in_depth) node_compress(node);
    node_compress(fwd);
    node_compress(rev);
}

/* After using a node: recompress it if it was decompressed for use, else
 * apply the depth rule around it. */
static void node_recompress_or_place(quicklist *ql, quicklistNode *n) {
    if (n->recompress)
        node_compress(n);
    else
        compress_around(ql, n);
}

static void node_recompress_only(quicklistNode *n) {
    if (n->recompress) node_compress(n);
}

/* Link new_node after (after=1) or before old_node (NULL only for an empty list). */
static void link_node(quicklist *ql, quicklistNode *old_node, quicklistNode *new_node, int after) {
    if (after) {
        new_node->prev = old_node;
        if (old_node) {
            new_node->next = old_node->next;
            if (old_node->next) old_node->next->prev = new_node;
            old_node->next = new_node;
        }
        if (ql->tail == old_node) ql->tail = new_node;
    } else {
        new_node->next = old_node;
        if (old_node) {
            new_node->prev = old_node->prev;
            if (old_node->prev) old_node->prev->next = new_node;
            old_node->prev = new_node;
        }
        if (ql->head == old_node) ql->head = new_node;
    }
    if (ql->len == 0) ql->head = ql->tail = new_node;
    ql->len++;
    if (old_node) node_recompress_or_place(ql, old_node);
    node_recompress_or_place(ql, new_node);
}

/* Unlink and free a node, adjusting the element count by its count. */
static void unlink_node(quicklist *ql, quicklistNode *n) {
    if (n->next) n->next->prev = n->prev;
    if (n->prev) n->prev->next = n->next;
    if (n == ql->tail) ql->tail = n->prev;
    if (n == ql->head) ql->head = n->next;
    ql->len--;
    ql->count -= n->count;
    /* Nodes that moved into the depth window must be raw again. */
    compress_around(ql, NULL);
    zfree(n->entry);
    zfree(n);
}

void quicklistRelease(quicklist *ql) {
    if (!ql) return;
    quicklistNode *n = ql->head;
    while (n) {
        quicklistNode *next = n->next;
        zfree(n->entry);
        zfree(n);
        n = next;
    }
    zfree(ql);
}

quicklist *quicklistDup(quicklist *orig) {
    quicklist *copy = quicklistNew(orig->fill, (int)orig->compress);
    for (quicklistNode *cur = orig->head; cur; cur = cur->next) {
        quicklistNode *n = node_new();
        size_t bytes;
        if (cur->encoding == QUICKLIST_NODE_ENCODING_LZF)
            bytes = sizeof(quicklistLZF) + ((quicklistLZF *)cur->entry)->sz;
        else
            bytes = cur->sz;
        n->entry = zmalloc(bytes ? bytes : 1);
        if (bytes) memcpy(n->entry, cur->entry, bytes);
        n->sz = cur->sz;
        n->count = cur->count;
        n->encoding = cur->encoding;
        n->container = cur->container;
        /* Link directly: the copy keeps the original's compression state. */
        n->prev = copy->tail;
        if (copy->tail)
            copy->tail->next = n;
        else
            copy->head = n;
        copy->tail = n;
        copy->len++;
        copy->count += n->count;
    }
    return copy;
}

/* ---- insertion rules -------------------------------------------------------- */

static int node_allows_insert(const quicklistNode *n, int fill, size_t sz) {
    if (!n || NODE_IS_PLAIN(n) || quicklistIsLargeElement(sz, fill)) return 0;
    size_t new_sz = n->sz + sz + ENTRY_OVERHEAD_ESTIMATE;
    return !quicklistNodeExceedsLimit(fill, new_sz, n->count + 1);
}

static int nodes_allow_merge(const quicklistNode *a, const quicklistNode *b, int fill) {
    if (!a || !b || NODE_IS_PLAIN(a) || NODE_IS_PLAIN(b)) return 0;
    size_t merged = a->sz + b->sz - LP_OVERHEAD;
    return !quicklistNodeExceedsLimit(fill, merged, a->count + b->count);
}

static void insert_plain_node(quicklist *ql, quicklistNode *old_node, const void *value, size_t sz, int after) {
    quicklistNode *n = node_with_value(QUICKLIST_NODE_CONTAINER_PLAIN, value, sz);
    link_node(ql, old_node, n, after);
    ql->count++;
}

int quicklistPushHead(quicklist *ql, const void *value, size_t sz) {
    quicklistNode *orig = ql->head;
    if (quicklistIsLargeElement(sz, ql->fill)) {
        insert_plain_node(ql, ql->head, value, sz, 0);
        return 1;
    }
    if (node_allows_insert(ql->head, ql->fill, sz)) {
        ql->head->entry = lpPrepend(ql->head->entry, value, (uint32_t)sz);
        node_update_sz(ql->head);
    } else {
        quicklistNode *n = node_new();
        n->entry = lpPrepend(lpNew(0), value, (uint32_t)sz);
        node_update_sz(n);
        link_node(ql, ql->head, n, 0);
    }
    ql->count++;
    ql->head->count++;
    return orig != ql->head;
}

int quicklistPushTail(quicklist *ql, const void *value, size_t sz) {
    quicklistNode *orig = ql->tail;
    if (quicklistIsLargeElement(sz, ql->fill)) {
        insert_plain_node(ql, ql->tail, value, sz, 1);
        return 1;
    }
    if (node_allows_insert(ql->tail, ql->fill, sz)) {
        ql->tail->entry = lpAppend(ql->tail->entry, value, (uint32_t)sz);
        node_update_sz(ql->tail);
    } else {
        quicklistNode *n = node_new();
        n->entry = lpAppend(lpNew(0), value, (uint32_t)sz);
        node_update_sz(n);
        link_node(ql, ql->tail, n, 1);
    }
    ql->count++;
    ql->tail->count++;
    return orig != ql->tail;
}

void quicklistPush(quicklist *ql, const void *value, size_t sz, int where) {
    if (where == QUICKLIST_HEAD)
        quicklistPushHead(ql, value, sz);
    else
        quicklistPushTail(ql, value, sz);
}

void quicklistAppendListpack(quicklist *ql, unsigned char *lp) {
    if (lpLength(lp) == 0) {
        /* An empty node would break the list's accounting: drop it. */
        lpFree(lp);
        return;
    }
    quicklistNode *n = node_new();
    n->entry = lp;
    n->count = (unsigned int)lpLength(lp);
    n->sz = lpBytes(lp);
    link_node(ql, ql->tail, n, 1);
    ql->count += n->count;
}

void quicklistAppendPlainNode(quicklist *ql, unsigned char *data, size_t sz) {
    quicklistNode *n = node_new();
    n->entry = data;
    n->count = 1;
    n->sz = sz;
    n->container = QUICKLIST_NODE_CONTAINER_PLAIN;
    link_node(ql, ql->tail, n, 1);
    ql->count += 1;
}

/* ---- delete helpers ---------------------------------------------------------- */

/* Delete the element at *p in node n (raw). Returns 1 if the node was freed;
 * otherwise *p is the following entry (or NULL). */
static int delete_at(quicklist *ql, quicklistNode *n, unsigned char **p) {
    if (NODE_IS_PLAIN(n)) {
        unlink_node(ql, n);
        return 1;
    }
    n->entry = lpDelete(n->entry, *p, p);
    n->count--;
    ql->count--;
    if (n->count == 0) {
        unlink_node(ql, n);
        return 1;
    }
    node_update_sz(n);
    return 0;
}

void quicklistDelEntry(quicklistIter *iter, quicklistEntry *entry) {
    quicklistNode *node = entry->node, *prev = node->prev, *next = node->next;
    long old_count = (long)node->count;
    long pos = entry->offset >= 0 ? entry->offset : old_count + entry->offset;
    int gone = delete_at(iter->quicklist, node, &entry->zi);
    iter->zi = NULL;
    if (gone) {
        if (iter->direction == AL_START_HEAD) {
            iter->current = next;
            iter->offset = 0;
        } else {
            iter->current = prev;
            iter->offset = -1;
        }
        return;
    }
    /* Point the offset at the element quicklistNext must return: forward, the
     * one that moved into `pos`; backward, the one before it (as a negative
     * offset, which names no element when pos was 0, making quicklistNext move
     * to the previous node). With Redis's usual signs (forward from a positive
     * offset, backward from a negative one) this leaves the offset unchanged. */
    long count = old_count - 1;
    iter->current = node;
    if (iter->direction == AL_START_HEAD)
        iter->offset = pos;
    else
        iter->offset = (pos - 1) - count;
}

/* ---- split / merge ------------------------------------------------------------ */

/* Merge two adjacent listpack nodes a (left) and b. Returns the surviving node. */
static quicklistNode *merge_pair(quicklist *ql, quicklistNode *a, quicklistNode *b) {
    node_decompress(a);
    node_decompress(b);
    if (!lpMerge(&a->entry, &b->entry)) return NULL;
    quicklistNode *keep, *drop;
    if (a->entry) {
        keep = a;
        drop = b;
    } else {
        keep = b;
        drop = a;
    }
    keep->count = (unsigned int)lpLength(keep->entry);
    node_update_sz(keep);
    keep->recompress = 0;
    drop->count = 0;
    drop->entry = NULL;
    unlink_node(ql, drop);
    node_recompress_or_place(ql, keep);
    return keep;
}

/* Try merging around `center`: (prev_prev, prev), (next, next_next), then
 * (prev, center) and (result, next). Returns the node now holding center's data. */
static quicklistNode *merge_around(quicklist *ql, quicklistNode *center) {
    int fill = ql->fill;
    quicklistNode *prev = center->prev, *next = center->next;
    quicklistNode *prev_prev = prev ? prev->prev : NULL;
    quicklistNode *next_next = next ? next->next : NULL;

    if (nodes_allow_merge(prev, prev_prev, fill)) merge_pair(ql, prev_prev, prev);
    if (nodes_allow_merge(next, next_next, fill)) merge_pair(ql, next, next_next);

    quicklistNode *target = center;
    if (nodes_allow_merge(center, center->prev, fill)) {
        quicklistNode *m = merge_pair(ql, center->prev, center);
        if (m) target = m;
    }
    if (nodes_allow_merge(target, target->next, fill)) {
        quicklistNode *m = merge_pair(ql, target, target->next);
        if (m) target = m;
    }
    return target;
}

/* Split raw node n at `offset`. after=1: n keeps [0, offset], the returned new
 * node holds [offset+1, end]. after=0: the new node holds [0, offset-1] and n
 * keeps [offset, end]. The new node is not linked. */
static quicklistNode *split_node(quicklistNode *n, long offset, int after) {
    quicklistNode *nn = node_new();
    nn->entry = lpDup(n->entry);
    if (offset < 0) offset += n->count;
    if (after) {
        n->entry = lpDeleteRange(n->entry, offset + 1, ULONG_MAX);
        nn->entry = lpDeleteRange(nn->entry, 0, (unsigned long)offset + 1);
    } else {
        n->entry = lpDeleteRange(n->entry, 0, (unsigned long)offset);
        nn->entry = lpDeleteRange(nn->entry, offset, ULONG_MAX);
    }
    n->count = (unsigned int)lpLength(n->entry);
    node_update_sz(n);
    nn->count = (unsigned int)lpLength(nn->entry);
    node_update_sz(nn);
    return nn;
}

/* ---- insert / replace ---------------------------------------------------------- */

static void reset_iter(quicklistIter *iter) {
    iter->current = NULL;
    iter->zi = NULL;
}

static void insert_at(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz, int after) {
    quicklist *ql = iter->quicklist;
    int fill = ql->fill;
    quicklistNode *node = entry->node, *nn;
    int full = 0, at_tail = 0, at_head = 0, avail_next = 0, avail_prev = 0;

    if (!node) {
        /* No reference element: the list is empty. */
        if (quicklistIsLargeElement(sz, fill)) {
            insert_plain_node(ql, ql->tail, value, sz, after);
        } else {
            nn = node_with_value(QUICKLIST_NODE_CONTAINER_PACKED, value, sz);
            link_node(ql, NULL, nn, after);
            ql->count++;
        }
        reset_iter(iter);
        return;
    }

    if (!node_allows_insert(node, fill, sz)) full = 1;
    if (after && (entry->offset == (long)node->count - 1 || entry->offset == -1)) {
        at_tail = 1;
        if (node_allows_insert(node->next, fill, sz)) avail_next = 1;
    }
    if (!after && (entry->offset == 0 || entry->offset == -(long)node->count)) {
        at_head = 1;
        if (node_allows_insert(node->prev, fill, sz)) avail_prev = 1;
    }

    if (quicklistIsLargeElement(sz, fill)) {
        if (NODE_IS_PLAIN(node) || (at_tail && after) || (at_head && !after)) {
            insert_plain_node(ql, node, value, sz, after);
        } else {
            node_decompress_for_use(node);
            nn = split_node(node, entry->offset, after);
            quicklistNode *pn = node_with_value(QUICKLIST_NODE_CONTAINER_PLAIN, value, sz);
            link_node(ql, node, pn, after);
            link_node(ql, pn, nn, after);
            ql->count++;
        }
        reset_iter(iter);
        return;
    }

    if (!full) {
        /* Room in this node: insert next to the entry. */
        node_decompress_for_use(node);
        node->entry = lpInsertString(node->entry, value, (uint32_t)sz, entry->zi, after ? LP_AFTER : LP_BEFORE, NULL);
        node->count++;
        node_update_sz(node);
        node_recompress_only(node);
    } else if (at_tail && avail_next && after) {
        /* Full, at the node's tail: goes to the head of the next node. */
        nn = node->next;
        node_decompress_for_use(nn);
        nn->entry = lpPrepend(nn->entry, value, (uint32_t)sz);
        nn->count++;
        node_update_sz(nn);
        node_recompress_only(nn);
        node_recompress_only(node);
    } else if (at_head && avail_prev && !after) {
        /* Full, at the node's head: goes to the tail of the previous node. */
        nn = node->prev;
        node_decompress_for_use(nn);
        nn->entry = lpAppend(nn->entry, value, (uint32_t)sz);
        nn->count++;
        node_update_sz(nn);
        node_recompress_only(nn);
        node_recompress_only(node);
    } else if ((at_tail && after) || (at_head && !after)) {
        /* Full at an edge and the neighbour is full too: new node. */
        nn = node_with_value(QUICKLIST_NODE_CONTAINER_PACKED, value, sz);
        link_node(ql, node, nn, after);
    } else {
        /* Full in the middle: split, add to the split-off part, re-merge. */
        node_decompress_for_use(node);
        nn = split_node(node, entry->offset, after);
        if (after)
            nn->entry = lpPrepend(nn->entry, value, (uint32_t)sz);
        else
            nn->entry = lpAppend(nn->entry, value, (uint32_t)sz);
        nn->count++;
        node_update_sz(nn);
        link_node(ql, node, nn, after);
        merge_around(ql, node);
    }
    ql->count++;
    reset_iter(iter);
}

void quicklistInsertBefore(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz) {
    insert_at(iter, entry, value, sz, 0);
}

void quicklistInsertAfter(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz) {
    insert_at(iter, entry, value, sz, 1);
}

void quicklistReplaceEntry(quicklistIter *iter, quicklistEntry *entry, const void *data, size_t sz) {
    quicklist *ql = iter->quicklist;
    quicklistNode *node = entry->node;
    unsigned char *newlp;
    int large = quicklistIsLargeElement(sz, ql->fill);

    if (!NODE_IS_PLAIN(node) && !large && sz <= UINT32_MAX &&
        (newlp = lpReplace(node->entry, &entry->zi, data, (uint32_t)sz)) != NULL) {
        node->entry = newlp;
        node_update_sz(node);
        node_recompress_or_place(ql, node);
    } else if (NODE_IS_PLAIN(node)) {
        if (large) {
            unsigned char *buf = zmalloc(sz ? sz : 1);
            if (sz) memcpy(buf, data, sz);
            zfree(node->entry);
            node->entry = buf;
            node->sz = sz;
            node_recompress_or_place(ql, node);
        } else {
            /* Becomes a normal element: insert it after, drop the plain node. */
            insert_at(iter, entry, data, sz, 1);
            unlink_node(ql, node);
        }
    } else {
        /* A large element replacing an entry of a listpack node: the entry
         * becomes the tail of `node` (split off what follows), a new node
         * holds the value, then the old entry is deleted. */
        quicklistNode *rest = NULL, *nn;
        node->dont_compress = 1;
        if (entry->offset != (long)node->count - 1 && entry->offset != -1) rest = split_node(node, entry->offset, 1);
        nn = node_with_value(large ? QUICKLIST_NODE_CONTAINER_PLAIN : QUICKLIST_NODE_CONTAINER_PACKED, data, sz);
        link_node(ql, node, nn, 1);
        if (rest) link_node(ql, nn, rest, 1);
        ql->count++;
        if (node->count == 1) {
            unlink_node(ql, node);
        } else {
            unsigned char *p = lpSeek(node->entry, -1);
            delete_at(ql, node, &p);
            node->dont_compress = 0;
            nn = merge_around(ql, nn);
            node_recompress_or_place(ql, nn);
            if (nn->prev) node_recompress_or_place(ql, nn->prev);
            if (nn->next) node_recompress_or_place(ql, nn->next);
        }
    }
    reset_iter(iter);
}

int quicklistReplaceAtIndex(quicklist *ql, long index, const void *data, size_t sz) {
    quicklistEntry entry;
    quicklistIter *iter = quicklistGetIteratorEntryAtIdx(ql, index, &entry);
    if (!iter) return 0;
    quicklistReplaceEntry(iter, &entry, data, sz);
    quicklistReleaseIterator(iter);
    return 1;
}

int quicklistDelRange(quicklist *ql, long start, long count) {
    if (count <= 0) return 0;
    unsigned long extent = (unsigned long)count;
    if (start >= 0 && extent > ql->count - (unsigned long)start) {
        if ((unsigned long)start >= ql->count) return 0;
        extent = ql->count - (unsigned long)start;
    } else if (start < 0 && extent > (unsigned long)(-(start + 1)) + 1) {
        extent = (unsigned long)(-(start + 1)) + 1;
    }

    quicklistIter *iter = quicklistGetIteratorAtIdx(ql, AL_START_TAIL, start);
    if (!iter) return 0;
    quicklistNode *node = iter->current;
    long offset = iter->offset;
    quicklistReleaseIterator(iter);

    while (extent && node) {
        quicklistNode *next = node->next;
        unsigned long del;
        int whole = 0;
        if (offset == 0 && extent >= node->count) {
            whole = 1;
            del = node->count;
        } else if (offset >= 0 && extent + (unsigned long)offset >= node->count) {
            del = node->count - (unsigned long)offset;
        } else if (offset < 0) {
            /* First node, negative offset: delete up to the node's tail. */
            del = (unsigned long)(-offset);
            if (del > extent) del = extent;
        } else {
            del = extent;
        }

        if (whole || NODE_IS_PLAIN(node)) {
            unlink_node(ql, node);
        } else {
            node_decompress_for_use(node);
            node->entry = lpDeleteRange(node->entry, offset, del);
            node_update_sz(node);
            node->count -= (unsigned int)del;
            ql->count -= del;
            if (node->count == 0)
                unlink_node(ql, node);
            else
                node_recompress_only(node);
        }
        extent -= del;
        node = next;
        offset = 0;
    }
    return 1;
}

/* ---- iteration ------------------------------------------------------------- */

quicklistIter *quicklistGetIterator(quicklist *ql, int direction) {
    quicklistIter *iter = zmalloc(sizeof(*iter));
    iter->quicklist = ql;
    iter->direction = direction;
    iter->zi = NULL;
    if (direction == AL_START_HEAD) {
        iter->current = ql->head;
        iter->offset = 0;
    } else {
        iter->current = ql->tail;
        iter->offset = -1;
    }
    return iter;
}

quicklistIter *quicklistGetIteratorAtIdx(quicklist *ql, int direction, long long idx) {
    int forward = idx >= 0;
    unsigned long long index = forward ? (unsigned long long)idx : (unsigned long long)(-(idx + 1));
    if (index >= ql->count) return NULL;

    /* Walk from whichever end is closer. */
    int seek_forward = forward;
    unsigned long long seek_index = index;
    if (index > (ql->count - 1) / 2) {
        seek_forward = !forward;
        seek_index = ql->count - 1 - index;
    }
    quicklistNode *n = seek_forward ? ql->head : ql->tail;
    unsigned long long accum = 0;
    while (n) {
        if (accum + n->count > seek_index) break;
        accum += n->count;
        n = seek_forward ? n->next : n->prev;
    }
    if (!n) return NULL;
    /* accum = elements before n counted from the `forward` end. */
    if (seek_forward != forward) accum = ql->count - n->count - accum;

    quicklistIter *iter = quicklistGetIterator(ql, direction);
    iter->current = n;
    if (forward)
        iter->offset = (long)(index - accum);
    else
        iter->offset = -(long)(index - accum) - 1;
    return iter;
}

void quicklistReleaseIterator(quicklistIter *iter) {
    if (!iter) return;
    if (iter->current) node_recompress_or_place(iter->quicklist, iter->current);
    zfree(iter);
}

void quicklistSetDirection(quicklistIter *iter, int direction) { iter->direction = direction; }

unsigned long quicklistVisitRange(quicklist *ql, unsigned long start, unsigned long count, int reverse,
                                  quicklistVisitFn *fn, void *ctx) {
    if (start >= ql->count || count == 0) return 0;
    /* the node holding `start`, found from the nearer end */
    quicklistNode *n;
    unsigned long before; /* elements before n */
    if (start <= (ql->count - 1) / 2) {
        n = ql->head;
        before = 0;
        while (before + n->count <= start) {
            before += n->count;
            n = n->next;
        }
    } else {
        n = ql->tail;
        before = ql->count - n->count;
        while (before > start) {
            n = n->prev;
            before -= n->count;
        }
    }
    long off = (long)(start - before);
    unsigned long done = 0;
    while (n && done < count) {
        node_decompress_for_use(n);
        if (NODE_IS_PLAIN(n)) {
            fn(ctx, n->entry, n->sz, 0);
            done++;
        } else {
            unsigned char *lp = n->entry;
            unsigned char *p = lpSeek(lp, off);
            while (p && done < count) {
                unsigned int slen = 0;
                long long v = 0;
                unsigned char *next;
                unsigned char *str = lpGetValueNext(p, &slen, &v, &next);
                fn(ctx, str, slen, v);
                done++;
                p = reverse ? lpPrev(lp, p) : next;
            }
        }
        node_recompress_or_place(ql, n);
        n = reverse ? n->prev : n->next;
        off = reverse ? -1 : 0;
    }
    return done;
}

static void entry_init(quicklistEntry *e) {
    e->quicklist = NULL;
    e->node = NULL;
    e->zi = NULL;
    e->value = NULL;
    e->longval = 0;
    e->sz = 0;
    e->offset = 0;
}

int quicklistNext(quicklistIter *iter, quicklistEntry *entry) {
    entry_init(entry);
    if (!iter) return 0;
    for (;;) {
        entry->quicklist = iter->quicklist;
        entry->node = iter->current;
        if (!iter->current) return 0;

        int plain = NODE_IS_PLAIN(iter->current);
        if (!iter->zi) {
            node_decompress_for_use(iter->current);
            if (plain)
                iter->zi = iter->current->entry;
            else
                iter->zi = lpSeek(iter->current->entry, iter->offset);
        } else if (plain) {
            iter->zi = NULL;
        } else if (iter->direction == AL_START_HEAD) {
            iter->zi = lpNext(iter->current->entry, iter->zi);
            iter->offset++;
        } else {
            iter->zi = lpPrev(iter->current->entry, iter->zi);
            iter->offset--;
        }

        entry->zi = iter->zi;
        entry->offset = iter->offset;
        if (iter->zi) {
            if (plain) {
                entry->value = iter->current->entry;
                entry->sz = iter->current->sz;
            } else {
                unsigned int slen = 0;
                entry->value = lpGetValue(entry->zi, &slen, &entry->longval);
                entry->sz = slen;
            }
            return 1;
        }
        /* This node is done: recompress it and move on. */
        node_recompress_or_place(iter->quicklist, iter->current);
        if (iter->direction == AL_START_HEAD) {
            iter->current = iter->current->next;
            iter->offset = 0;
        } else {
            iter->current = iter->current->prev;
            iter->offset = -1;
        }
        iter->zi = NULL;
    }
}

quicklistIter *quicklistGetIteratorEntryAtIdx(quicklist *ql, long long idx, quicklistEntry *entry) {
    quicklistIter *iter = quicklistGetIteratorAtIdx(ql, AL_START_TAIL, idx);
    if (!iter) return NULL;
    if (!quicklistNext(iter, entry)) {
        quicklistReleaseIterator(iter);
        return NULL;
    }
    return iter;
}

int quicklistCompare(quicklistEntry *entry, const unsigned char *s, size_t len) {
    if (NODE_IS_PLAIN(entry->node)) return entry->sz == len && (len == 0 || memcmp(entry->value, s, len) == 0);
    if (len > UINT32_MAX) return 0;
    return lpCompare(entry->zi, s, (uint32_t)len);
}

/* ---- pop / rotate ------------------------------------------------------------ */

static void *copy_saver(unsigned char *data, size_t sz) {
    unsigned char *c = zmalloc(sz ? sz : 1);
    if (sz) memcpy(c, data, sz);
    return c;
}

int quicklistPopCustom(quicklist *ql, int where, unsigned char **data, size_t *sz, long long *sval,
                       void *(*saver)(unsigned char *data, size_t sz)) {
    if (data) *data = NULL;
    if (sz) *sz = 0;
    if (sval) *sval = 0;
    if (ql->count == 0) return 0;
    quicklistNode *n = where == QUICKLIST_HEAD ? ql->head : ql->tail;
    if (!n) return 0;
    node_decompress(n); /* ends are kept raw; be safe anyway */

    if (NODE_IS_PLAIN(n)) {
        if (data) *data = saver ? saver(n->entry, n->sz) : NULL;
        if (sz) *sz = n->sz;
        unlink_node(ql, n);
        return 1;
    }
    unsigned char *p = lpSeek(n->entry, where == QUICKLIST_HEAD ? 0 : -1);
    unsigned int vlen = 0;
    long long vlong = 0;
    unsigned char *vstr = lpGetValue(p, &vlen, &vlong);
    if (vstr) {
        if (data) *data = saver ? saver(vstr, vlen) : NULL;
        if (sz) *sz = vlen;
    } else if (sval) {
        *sval = vlong;
    }
    delete_at(ql, n, &p);
    return 1;
}

int quicklistPop(quicklist *ql, int where, unsigned char **data, size_t *sz, long long *sval) {
    return quicklistPopCustom(ql, where, data, sz, sval, copy_saver);
}

void quicklistRotate(quicklist *ql) {
    if (ql->count <= 1) return;
    quicklistNode *tail = ql->tail;

    if (NODE_IS_PLAIN(tail)) {
        /* Move the whole node (len >= 2 since a plain node holds one element). */
        quicklistNode *new_tail = tail->prev;
        new_tail->next = NULL;
        tail->prev = NULL;
        tail->next = ql->head;
        ql->head->prev = tail;
        ql->head = tail;
        ql->tail = new_tail;
        node_decompress(new_tail);
        compress_around(ql, NULL);
        return;
    }

    unsigned char *p = lpSeek(tail->entry, -1);
    unsigned int vlen = 0;
    long long vlong = 0;
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *vstr = lpGetValue(p, &vlen, &vlong);
    unsigned char *copy = NULL;
    if (!vstr) {
        /* Re-add the integer through its text (it re-encodes identically). */
        int64_t len = 0;
        vstr = lpGet(p, &len, buf);
        vlen = (unsigned int)len;
    } else if (ql->len == 1) {
        /* Head and tail share the listpack, which the push may move. */
        copy = copy_saver(vstr, vlen);
        vstr = copy;
    }
    quicklistPushHead(ql, vstr, vlen);
    /* Re-find the tail's last entry: with one node the push moved it. */
    p = lpSeek(ql->tail->entry, -1);
    delete_at(ql, ql->tail, &p);
    zfree(copy);
}

/* ---- node access ----------------------------------------------------------------- */

int quicklistNodeIsCompressed(const quicklistNode *node) {
    return node->encoding == QUICKLIST_NODE_ENCODING_LZF;
}

size_t quicklistGetLzf(const quicklistNode *node, void **data) {
    quicklistLZF *lzf = (quicklistLZF *)node->entry;
    *data = lzf->compressed;
    return lzf->sz;
}

int quicklistNodeBlob(const quicklistNode *node, const unsigned char **data, size_t *len) {
    if (quicklistNodeIsCompressed(node)) {
        void *d;
        *len = quicklistGetLzf(node, &d);
        *data = d;
        return 1;
    }
    *data = node->entry;
    *len = node->sz;
    return 0;
}
