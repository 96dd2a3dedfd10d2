/* omap: ordered map (treap). See omap.h. */
#include "omap.h"
#include <string.h>
#include "zmalloc.h"

omap *omapNew(void) {
    omap *m = zmalloc(sizeof(*m));
    m->root = NULL;
    m->size = 0;
    m->bytes = sizeof(*m);
    m->rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)m;
    return m;
}

static void freeNodes(omapNode *n, void (*freeval)(void *)) {
    while (n) {
        freeNodes(n->left, freeval);
        omapNode *r = n->right;
        if (freeval) freeval(n->val);
        zfree(n);
        n = r;
    }
}

void omapFree(omap *m, void (*freeval)(void *)) {
    if (!m) return;
    freeNodes(m->root, freeval);
    zfree(m);
}

int omapCompareKeys(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
    size_t min = alen < blen ? alen : blen;
    int c = min ? memcmp(a, b, min) : 0;
    if (c) return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static inline int cmpNode(const void *k, size_t klen, const omapNode *n) {
    return omapCompareKeys(k, klen, n->key, n->keylen);
}

static uint32_t nextPrio(omap *m) {
    uint64_t x = m->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    m->rng = x;
    return (uint32_t)(x >> 32);
}

omapNode *omapFind(const omap *m, const void *k, size_t klen) {
    omapNode *n = m->root;
    while (n) {
        int c = cmpNode(k, klen, n);
        if (!c) return n;
        n = c < 0 ? n->left : n->right;
    }
    return NULL;
}

/* Split the subtree t (which does not contain k) into keys < k (*l) and > k (*r). */
static void split(omapNode *t, const void *k, size_t klen, omapNode **l, omapNode **r) {
    while (t) {
        if (cmpNode(k, klen, t) < 0) {
            *r = t;
            r = &t->left;
            t = t->left;
        } else {
            *l = t;
            l = &t->right;
            t = t->right;
        }
    }
    *l = NULL;
    *r = NULL;
}

/* Join two treaps where every key of a is below every key of b. */
static omapNode *merge(omapNode *a, omapNode *b) {
    omapNode *root = NULL, **pp = &root;
    while (a && b) {
        if (a->prio >= b->prio) {
            *pp = a;
            pp = &a->right;
            a = a->right;
        } else {
            *pp = b;
            pp = &b->left;
            b = b->left;
        }
    }
    *pp = a ? a : b;
    return root;
}

int omapInsert(omap *m, const void *k, size_t klen, void *val, omapNode **existing) {
    omapNode *found = omapFind(m, k, klen);
    if (found) {
        if (existing) *existing = found;
        return 0;
    }
    omapNode *n = zmalloc(sizeof(*n) + klen);
    memcpy(n->key, k, klen);
    n->keylen = (uint32_t)klen;
    n->val = val;
    n->prio = nextPrio(m);
    omapNode **pp = &m->root;
    while (*pp && (*pp)->prio >= n->prio) pp = cmpNode(k, klen, *pp) < 0 ? &(*pp)->left : &(*pp)->right;
    split(*pp, k, klen, &n->left, &n->right);
    *pp = n;
    m->size++;
    m->bytes += sizeof(*n) + klen;
    return 1;
}

int omapRemove(omap *m, const void *k, size_t klen, void **oldval) {
    omapNode **pp = &m->root;
    while (*pp) {
        int c = cmpNode(k, klen, *pp);
        if (!c) {
            omapNode *n = *pp;
            *pp = merge(n->left, n->right);
            if (oldval) *oldval = n->val;
            m->size--;
            m->bytes -= sizeof(*n) + n->keylen;
            zfree(n);
            return 1;
        }
        pp = c < 0 ? &(*pp)->left : &(*pp)->right;
    }
    return 0;
}

omapNode *omapFirst(const omap *m) {
    omapNode *n = m->root;
    while (n && n->left) n = n->left;
    return n;
}

omapNode *omapLast(const omap *m) {
    omapNode *n = m->root;
    while (n && n->right) n = n->right;
    return n;
}

omapNode *omapSeek(const omap *m, int op, const void *k, size_t klen) {
    omapNode *n = m->root, *best = NULL;
    while (n) {
        int c = cmpNode(k, klen, n);
        switch (op) {
        case OMAP_EQ:
            if (!c) return n;
            n = c < 0 ? n->left : n->right;
            break;
        case OMAP_GE:
        case OMAP_GT:
            if (c < 0 || (c == 0 && op == OMAP_GE)) {
                best = n;
                if (!c) return n;
                n = n->left;
            } else {
                n = n->right;
            }
            break;
        default: /* LE / LT */
            if (c > 0 || (c == 0 && op == OMAP_LE)) {
                best = n;
                if (!c) return n;
                n = n->right;
            } else {
                n = n->left;
            }
            break;
        }
    }
    return best;
}

omapNode *omapNext(const omap *m, const omapNode *n) {
    return omapSeek(m, OMAP_GT, n->key, n->keylen);
}

omapNode *omapPrev(const omap *m, const omapNode *n) {
    return omapSeek(m, OMAP_LT, n->key, n->keylen);
}

/* Validate the subtree n: keys strictly inside (lo, hi), heap order. Returns node count or -1. */
static long validateNode(const omapNode *n, const omapNode *lo, const omapNode *hi) {
    if (!n) return 0;
    if (lo && omapCompareKeys(lo->key, lo->keylen, n->key, n->keylen) >= 0) return -1;
    if (hi && omapCompareKeys(n->key, n->keylen, hi->key, hi->keylen) >= 0) return -1;
    if (n->left && n->left->prio > n->prio) return -1;
    if (n->right && n->right->prio > n->prio) return -1;
    long a = validateNode(n->left, lo, n), b = validateNode(n->right, n, hi);
    if (a < 0 || b < 0) return -1;
    return a + b + 1;
}

int omapValidate(const omap *m) {
    long count = validateNode(m->root, NULL, NULL);
    return count >= 0 && (size_t)count == m->size;
}
