/* skiplist: see skiplist.h. */
#include "skiplist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

int zslCompareMembers(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* (score, ele) of node n strictly before (score, ele)? */
static int nodeBefore(const zskiplistNode *n, double score, const char *ele, size_t len) {
    if (n->score != score) return n->score < score;
    return zslCompareMembers(n->ele, dstrlen(n->ele), ele, len) < 0;
}

static zskiplistNode *newNode(int height, double score, dstr ele) {
    zskiplistNode *n = zmalloc(sizeof(*n) + (size_t)height * sizeof(struct zskiplistLevel));
    n->ele = ele;
    n->score = score;
    n->backward = NULL;
    return n;
}

zskiplist *zslCreate(void) {
    zskiplist *zsl = zmalloc(sizeof(*zsl));
    zsl->header = newNode(ZSKIPLIST_MAXLEVEL, 0, NULL);
    for (int i = 0; i < ZSKIPLIST_MAXLEVEL; i++) {
        zsl->header->level[i].forward = NULL;
        zsl->header->level[i].span = 0;
    }
    zsl->tail = NULL;
    zsl->length = 0;
    zsl->level = 1;
    return zsl;
}

void zslFreeNode(zskiplistNode *node) {
    dstrfree(node->ele);
    zfree(node);
}

void zslFree(zskiplist *zsl) {
    if (!zsl) return;
    zskiplistNode *n = zsl->header->level[0].forward;
    zfree(zsl->header);
    while (n) {
        zskiplistNode *next = n->level[0].forward;
        zslFreeNode(n);
        n = next;
    }
    zfree(zsl);
}

int zslRandomLevel(void) {
    /* 0x3FFF / 0xFFFF ~ 0.25 */
    const long threshold = (long)(ZSKIPLIST_P * 0xFFFF);
    int h = 1;
    while (h < ZSKIPLIST_MAXLEVEL && (random() & 0xFFFF) < threshold) h++;
    return h;
}

/* Link the (already allocated) node x of height h at its sorted place. */
static void linkNode(zskiplist *zsl, zskiplistNode *x, int h) {
    zskiplistNode *prev[ZSKIPLIST_MAXLEVEL];
    unsigned long pos[ZSKIPLIST_MAXLEVEL]; /* rank of prev[i] */
    size_t len = dstrlen(x->ele);
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        pos[i] = i == zsl->level - 1 ? 0 : pos[i + 1];
        while (cur->level[i].forward && nodeBefore(cur->level[i].forward, x->score, x->ele, len)) {
            pos[i] += cur->level[i].span;
            cur = cur->level[i].forward;
        }
        prev[i] = cur;
    }
    if (h > zsl->level) {
        for (int i = zsl->level; i < h; i++) {
            pos[i] = 0;
            prev[i] = zsl->header;
            prev[i]->level[i].span = zsl->length; /* header link to NULL spans everything */
        }
        zsl->level = h;
    }
    for (int i = 0; i < h; i++) {
        unsigned long before = pos[0] - pos[i]; /* steps from prev[i] to x's predecessor */
        x->level[i].forward = prev[i]->level[i].forward;
        x->level[i].span = prev[i]->level[i].span - before;
        prev[i]->level[i].forward = x;
        prev[i]->level[i].span = before + 1;
    }
    for (int i = h; i < zsl->level; i++) prev[i]->level[i].span++;
    x->backward = prev[0] == zsl->header ? NULL : prev[0];
    if (x->level[0].forward) x->level[0].forward->backward = x;
    else zsl->tail = x;
    zsl->length++;
}

zskiplistNode *zslInsert(zskiplist *zsl, double score, dstr ele) {
    int h = zslRandomLevel();
    zskiplistNode *x = newNode(h, score, ele);
    linkNode(zsl, x, h);
    return x;
}

zskiplistNode *zslInsertFirst(zskiplist *zsl, double score, dstr ele) {
    zskiplistNode *first = zsl->header->level[0].forward;
    if (first && !(score < first->score ||
                   (score == first->score &&
                    zslCompareMembers(ele, dstrlen(ele), first->ele, dstrlen(first->ele)) < 0)))
        return NULL;
    int h = zslRandomLevel();
    zskiplistNode *x = newNode(h, score, ele), *hd = zsl->header;
    /* linkNode with the header as the predecessor at every level (rank 0):
     * no search, and no node but the first one is read */
    if (h > zsl->level) {
        for (int i = zsl->level; i < h; i++) hd->level[i].span = zsl->length;
        zsl->level = h;
    }
    for (int i = 0; i < h; i++) {
        x->level[i].forward = hd->level[i].forward;
        x->level[i].span = hd->level[i].span;
        hd->level[i].forward = x;
        hd->level[i].span = 1;
    }
    for (int i = h; i < zsl->level; i++) hd->level[i].span++;
    x->backward = NULL;
    if (first) first->backward = x;
    else zsl->tail = x;
    zsl->length++;
    return x;
}

/* Unlink x given prev[i] = last node before x at every level. */
static void unlinkNode(zskiplist *zsl, zskiplistNode *x, zskiplistNode **prev) {
    for (int i = 0; i < zsl->level; i++) {
        if (prev[i]->level[i].forward == x) {
            prev[i]->level[i].span += x->level[i].span - 1;
            prev[i]->level[i].forward = x->level[i].forward;
        } else {
            prev[i]->level[i].span--;
        }
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward;
    else zsl->tail = x->backward;
    while (zsl->level > 1 && !zsl->header->level[zsl->level - 1].forward) zsl->level--;
    zsl->length--;
}

/* Fill prev[] with the last node before (score, ele) at each level; returns
 * the level-0 successor (the candidate node). */
static zskiplistNode *findPrev(zskiplist *zsl, double score, const char *ele, size_t len, zskiplistNode **prev) {
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (cur->level[i].forward && nodeBefore(cur->level[i].forward, score, ele, len))
            cur = cur->level[i].forward;
        prev[i] = cur;
    }
    return cur->level[0].forward;
}

static int nodeIs(const zskiplistNode *x, double score, const char *ele, size_t len) {
    return x && x->score == score && zslCompareMembers(x->ele, dstrlen(x->ele), ele, len) == 0;
}

int zslDelete(zskiplist *zsl, double score, const char *ele, size_t len, zskiplistNode **node) {
    zskiplistNode *prev[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *x = findPrev(zsl, score, ele, len, prev);
    if (!nodeIs(x, score, ele, len)) return 0;
    unlinkNode(zsl, x, prev);
    if (node) *node = x;
    else zslFreeNode(x);
    return 1;
}

zskiplistNode *zslUpdateScore(zskiplist *zsl, double curscore, const char *ele, size_t len, double newscore) {
    zskiplistNode *prev[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *x = findPrev(zsl, curscore, ele, len, prev);
    if (!nodeIs(x, curscore, ele, len)) abort(); /* contract: the member is present */
    /* Still ordered between its neighbours? Then only the score changes. */
    zskiplistNode *b = x->backward, *f = x->level[0].forward;
    int after_prev = !b || b->score < newscore ||
                     (b->score == newscore && zslCompareMembers(b->ele, dstrlen(b->ele), ele, len) < 0);
    int before_next = !f || f->score > newscore ||
                      (f->score == newscore && zslCompareMembers(f->ele, dstrlen(f->ele), ele, len) > 0);
    if (after_prev && before_next) {
        x->score = newscore;
        return x;
    }
    unlinkNode(zsl, x, prev);
    zskiplistNode *n = zslInsert(zsl, newscore, x->ele);
    x->ele = NULL;
    zslFreeNode(x);
    return n;
}

unsigned long zslGetRank(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplistNode *cur = zsl->header;
    unsigned long rank = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        /* advance while the next node is <= (score, ele) */
        while (cur->level[i].forward &&
               (nodeBefore(cur->level[i].forward, score, ele, len) || nodeIs(cur->level[i].forward, score, ele, len))) {
            rank += cur->level[i].span;
            cur = cur->level[i].forward;
        }
        if (cur != zsl->header && nodeIs(cur, score, ele, len)) return rank;
    }
    return 0;
}

zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank) {
    if (rank == 0 || rank > zsl->length) return NULL;
    zskiplistNode *cur = zsl->header;
    unsigned long seen = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (cur->level[i].forward && seen + cur->level[i].span <= rank) {
            seen += cur->level[i].span;
            cur = cur->level[i].forward;
        }
        if (seen == rank) return cur;
    }
    return NULL;
}

/* ---- score ranges -------------------------------------------------------- */

int zslValueGteMin(double value, const zrangespec *spec) {
    return spec->minex ? value > spec->min : value >= spec->min;
}
int zslValueLteMax(double value, const zrangespec *spec) {
    return spec->maxex ? value < spec->max : value <= spec->max;
}

static int scoreRangeMayMatch(zskiplist *zsl, const zrangespec *r) {
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) return 0;
    if (!zsl->tail || !zslValueGteMin(zsl->tail->score, r)) return 0;
    zskiplistNode *first = zsl->header->level[0].forward;
    if (!first || !zslValueLteMax(first->score, r)) return 0;
    return 1;
}

zskiplistNode *zslFirstInRange(zskiplist *zsl, const zrangespec *range) {
    if (!scoreRangeMayMatch(zsl, range)) return NULL;
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (cur->level[i].forward && !zslValueGteMin(cur->level[i].forward->score, range))
            cur = cur->level[i].forward;
    cur = cur->level[0].forward;
    return cur && zslValueLteMax(cur->score, range) ? cur : NULL;
}

zskiplistNode *zslLastInRange(zskiplist *zsl, const zrangespec *range) {
    if (!scoreRangeMayMatch(zsl, range)) return NULL;
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (cur->level[i].forward && zslValueLteMax(cur->level[i].forward->score, range))
            cur = cur->level[i].forward;
    return cur != zsl->header && zslValueGteMin(cur->score, range) ? cur : NULL;
}

/* ---- lex ranges ---------------------------------------------------------- */

int zslLexValueGteMin(const char *ele, size_t len, const zlexrangespec *spec) {
    const zlexBound *b = &spec->min;
    if (b->kind == ZLEX_NEG_INF) return 1;
    if (b->kind == ZLEX_POS_INF) return 0;
    int c = zslCompareMembers(ele, len, b->p, b->len);
    return b->kind == ZLEX_EXCL ? c > 0 : c >= 0;
}

int zslLexValueLteMax(const char *ele, size_t len, const zlexrangespec *spec) {
    const zlexBound *b = &spec->max;
    if (b->kind == ZLEX_POS_INF) return 1;
    if (b->kind == ZLEX_NEG_INF) return 0;
    int c = zslCompareMembers(ele, len, b->p, b->len);
    return b->kind == ZLEX_EXCL ? c < 0 : c <= 0;
}

int zslLexRangeIsEmpty(const zlexrangespec *spec) {
    const zlexBound *mn = &spec->min, *mx = &spec->max;
    if (mn->kind == ZLEX_POS_INF || mx->kind == ZLEX_NEG_INF) return 1;
    if (mn->kind == ZLEX_NEG_INF || mx->kind == ZLEX_POS_INF) return 0;
    int c = zslCompareMembers(mn->p, mn->len, mx->p, mx->len);
    return c > 0 || (c == 0 && (mn->kind == ZLEX_EXCL || mx->kind == ZLEX_EXCL));
}

static int lexRangeMayMatch(zskiplist *zsl, const zlexrangespec *r) {
    if (zslLexRangeIsEmpty(r)) return 0;
    if (!zsl->tail || !zslLexValueGteMin(zsl->tail->ele, dstrlen(zsl->tail->ele), r)) return 0;
    zskiplistNode *first = zsl->header->level[0].forward;
    if (!first || !zslLexValueLteMax(first->ele, dstrlen(first->ele), r)) return 0;
    return 1;
}

zskiplistNode *zslFirstInLexRange(zskiplist *zsl, const zlexrangespec *range) {
    if (!lexRangeMayMatch(zsl, range)) return NULL;
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (cur->level[i].forward &&
               !zslLexValueGteMin(cur->level[i].forward->ele, dstrlen(cur->level[i].forward->ele), range))
            cur = cur->level[i].forward;
    cur = cur->level[0].forward;
    return cur && zslLexValueLteMax(cur->ele, dstrlen(cur->ele), range) ? cur : NULL;
}

zskiplistNode *zslLastInLexRange(zskiplist *zsl, const zlexrangespec *range) {
    if (!lexRangeMayMatch(zsl, range)) return NULL;
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (cur->level[i].forward &&
               zslLexValueLteMax(cur->level[i].forward->ele, dstrlen(cur->level[i].forward->ele), range))
            cur = cur->level[i].forward;
    return cur != zsl->header && zslLexValueGteMin(cur->ele, dstrlen(cur->ele), range) ? cur : NULL;
}

/* ---- range deletes ------------------------------------------------------- */

/* Delete from x onwards while keep(x) says the node is in range. */
typedef int (*inRangeFn)(const zskiplistNode *x, const void *arg);

static unsigned long deleteRun(zskiplist *zsl, zskiplistNode *x, zskiplistNode **prev, inRangeFn in_range,
                               const void *arg, unsigned long limit, zslUnlinkCallback cb, void *priv) {
    unsigned long removed = 0;
    while (x && removed < limit && (!in_range || in_range(x, arg))) {
        zskiplistNode *next = x->level[0].forward;
        unlinkNode(zsl, x, prev);
        if (cb) cb(x, priv);
        zslFreeNode(x);
        removed++;
        x = next;
    }
    return removed;
}

static int scoreInMax(const zskiplistNode *x, const void *arg) { return zslValueLteMax(x->score, arg); }
static int lexInMax(const zskiplistNode *x, const void *arg) {
    return zslLexValueLteMax(x->ele, dstrlen(x->ele), arg);
}

unsigned long zslDeleteRangeByScore(zskiplist *zsl, const zrangespec *range, zslUnlinkCallback cb, void *priv) {
    zskiplistNode *prev[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (cur->level[i].forward && !zslValueGteMin(cur->level[i].forward->score, range))
            cur = cur->level[i].forward;
        prev[i] = cur;
    }
    return deleteRun(zsl, cur->level[0].forward, prev, scoreInMax, range, (unsigned long)-1, cb, priv);
}

unsigned long zslDeleteRangeByLex(zskiplist *zsl, const zlexrangespec *range, zslUnlinkCallback cb, void *priv) {
    zskiplistNode *prev[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *cur = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (cur->level[i].forward &&
               !zslLexValueGteMin(cur->level[i].forward->ele, dstrlen(cur->level[i].forward->ele), range))
            cur = cur->level[i].forward;
        prev[i] = cur;
    }
    return deleteRun(zsl, cur->level[0].forward, prev, lexInMax, range, (unsigned long)-1, cb, priv);
}

unsigned long zslDeleteRangeByRank(zskiplist *zsl, unsigned long start, unsigned long end, zslUnlinkCallback cb,
                                   void *priv) {
    if (start == 0 || start > end) return 0;
    zskiplistNode *prev[ZSKIPLIST_MAXLEVEL];
    zskiplistNode *cur = zsl->header;
    unsigned long seen = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (cur->level[i].forward && seen + cur->level[i].span < start) {
            seen += cur->level[i].span;
            cur = cur->level[i].forward;
        }
        prev[i] = cur;
    }
    return deleteRun(zsl, cur->level[0].forward, prev, NULL, NULL, end - start + 1, cb, priv);
}

/* ---- argument parsing ------------------------------------------------------ */

static int parseScoreBound(const char *s, double *v, int *ex) {
    *ex = 0;
    if (s[0] == '(') {
        *ex = 1;
        s++;
    }
    char *end;
    *v = strtod(s, &end);
    return *end == '\0' && !isnan(*v);
}

int zslParseRange(const char *min, const char *max, zrangespec *spec) {
    return parseScoreBound(min, &spec->min, &spec->minex) && parseScoreBound(max, &spec->max, &spec->maxex);
}

int zslParseLexRangeItem(const char *s, size_t len, zlexBound *bound) {
    if (len == 0) return 0;
    switch (s[0]) {
    case '+':
        if (len != 1 && s[1] != '\0') return 0; /* C-string test, as Redis */
        bound->kind = ZLEX_POS_INF;
        bound->p = NULL;
        bound->len = 0;
        return 1;
    case '-':
        if (len != 1 && s[1] != '\0') return 0;
        bound->kind = ZLEX_NEG_INF;
        bound->p = NULL;
        bound->len = 0;
        return 1;
    case '[':
    case '(':
        bound->kind = s[0] == '[' ? ZLEX_INCL : ZLEX_EXCL;
        bound->p = s + 1;
        bound->len = len - 1;
        return 1;
    default: return 0;
    }
}
