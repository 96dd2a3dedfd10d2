/* dlist: a plain doubly linked list of void* values (clients, reply blocks,
 * blocked-client queues, watched keys). Leaf module: depends on zmalloc only.
 * Nodes are owned by the list; values are owned by the caller unless a free
 * method is set, in which case dlistRelease/dlistDelNode call it. */
#ifndef CAIRN_DLIST_H
#define CAIRN_DLIST_H
#include <stddef.h>

typedef struct dlistNode {
    struct dlistNode *prev, *next;
    void *value;
} dlistNode;

typedef struct dlist {
    dlistNode *head, *tail;
    size_t len;
    void (*free)(void *value);
} dlist;

/* New empty list (never NULL). */
dlist *dlistCreate(void);
/* Free every node (calling l->free on values when set) and the list. */
void dlistRelease(dlist *l);
/* Free every node but keep the list, now empty. */
void dlistEmpty(dlist *l);
/* Add `value` at the head / tail; returns the new node. */
dlistNode *dlistAddHead(dlist *l, void *value);
dlistNode *dlistAddTail(dlist *l, void *value);
/* Unlink and free `n` (calling l->free on its value when set). */
void dlistDelNode(dlist *l, dlistNode *n);
/* Link a caller-owned node (e.g. embedded in a struct) at the tail with
 * `value`. Such a node must leave the list through dlistUnlink, never
 * dlistDelNode/dlistEmpty/dlistRelease (they free nodes). */
void dlistLinkTail(dlist *l, dlistNode *n, void *value);
/* Unlink `n` without freeing it or its value. */
void dlistUnlink(dlist *l, dlistNode *n);
/* Unlink `n` without freeing it, and link it at the tail (reuses the node). */
void dlistMoveToTail(dlist *l, dlistNode *n);
/* First node whose value == `value` (pointer equality), or NULL. O(n). */
dlistNode *dlistSearch(dlist *l, const void *value);
/* Node at `index` (negative from the tail: -1 is the last), or NULL. */
dlistNode *dlistIndex(dlist *l, long index);
/* Move the tail node to the head (round-robin rotation). */
void dlistRotateTailToHead(dlist *l);
static inline size_t dlistLength(const dlist *l) { return l->len; }
static inline dlistNode *dlistFirst(const dlist *l) { return l->head; }
static inline dlistNode *dlistLast(const dlist *l) { return l->tail; }

#endif
