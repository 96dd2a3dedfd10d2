#include "dlist.h"
#include "zmalloc.h"

dlist *dlistCreate(void) { return zcalloc(sizeof(dlist)); }

void dlistEmpty(dlist *l) {
    dlistNode *n = l->head;
    while (n) {
        dlistNode *next = n->next;
        if (l->free) l->free(n->value);
        zfree(n);
        n = next;
    }
    l->head = l->tail = NULL;
    l->len = 0;
}

void dlistRelease(dlist *l) {
    if (!l) return;
    dlistEmpty(l);
    zfree(l);
}

dlistNode *dlistAddHead(dlist *l, void *value) {
    dlistNode *n = zmalloc(sizeof(*n));
    n->value = value;
    n->prev = NULL;
    n->next = l->head;
    if (l->head) l->head->prev = n;
    else l->tail = n;
    l->head = n;
    l->len++;
    return n;
}

dlistNode *dlistAddTail(dlist *l, void *value) {
    dlistNode *n = zmalloc(sizeof(*n));
    n->value = value;
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail) l->tail->next = n;
    else l->head = n;
    l->tail = n;
    l->len++;
    return n;
}

static void unlinkNode(dlist *l, dlistNode *n) {
    if (n->prev) n->prev->next = n->next;
    else l->head = n->next;
    if (n->next) n->next->prev = n->prev;
    else l->tail = n->prev;
    l->len--;
}

void dlistLinkTail(dlist *l, dlistNode *n, void *value) {
    n->value = value;
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail) l->tail->next = n;
    else l->head = n;
    l->tail = n;
    l->len++;
}

void dlistUnlink(dlist *l, dlistNode *n) { unlinkNode(l, n); }

void dlistDelNode(dlist *l, dlistNode *n) {
    unlinkNode(l, n);
    if (l->free) l->free(n->value);
    zfree(n);
}

void dlistMoveToTail(dlist *l, dlistNode *n) {
    unlinkNode(l, n);
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail) l->tail->next = n;
    else l->head = n;
    l->tail = n;
    l->len++;
}

dlistNode *dlistSearch(dlist *l, const void *value) {
    for (dlistNode *n = l->head; n; n = n->next)
        if (n->value == value) return n;
    return NULL;
}

dlistNode *dlistIndex(dlist *l, long index) {
    dlistNode *n;
    if (index < 0) {
        index = -index - 1;
        for (n = l->tail; n && index--; n = n->prev);
    } else {
        for (n = l->head; n && index--; n = n->next);
    }
    return n;
}

void dlistRotateTailToHead(dlist *l) {
    if (l->len <= 1) return;
    dlistNode *t = l->tail;
    unlinkNode(l, t);
    t->prev = NULL;
    t->next = l->head;
    l->head->prev = t;
    l->head = t;
    l->len++;
}
