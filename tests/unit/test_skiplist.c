/* Unit tests for src/skiplist.c: a random sequence of inserts, deletes and
 * score updates checked after every step against a sorted array model
 * (order, spans/ranks, backward links, element-by-rank), plus score and lex
 * ranges, range deletes and the argument parsers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skiplist.h"
#include "zmalloc.h"

typedef struct {
    char ele[16];
    double score;
} item;

static int itemCmp(const void *a, const void *b) {
    const item *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return zslCompareMembers(x->ele, strlen(x->ele), y->ele, strlen(y->ele));
}

/* The whole list must equal the sorted model. */
static void checkAgainstModel(zskiplist *zsl, item *model, int n) {
    qsort(model, (size_t)n, sizeof(item), itemCmp);
    assert_int_equal(zsl->length, (unsigned long)n);
    zskiplistNode *x = zsl->header->level[0].forward, *prev = NULL;
    for (int i = 0; i < n; i++) {
        assert_non_null(x);
        assert_string_equal(x->ele, model[i].ele);
        assert_true(x->score == model[i].score);
        assert_ptr_equal(x->backward, prev);
        prev = x;
        x = x->level[0].forward;
    }
    assert_null(x);
    assert_ptr_equal(zsl->tail, prev);
    /* spans: every level's spans add up to the ranks */
    for (int lvl = 0; lvl < zsl->level; lvl++) {
        unsigned long rank = 0;
        zskiplistNode *cur = zsl->header;
        while (cur->level[lvl].forward) {
            rank += cur->level[lvl].span;
            cur = cur->level[lvl].forward;
            assert_int_equal(zslGetRank(zsl, cur->score, cur->ele, dstrlen(cur->ele)), rank);
        }
    }
    for (int i = 0; i < n; i++) {
        zskiplistNode *r = zslGetElementByRank(zsl, (unsigned long)i + 1);
        assert_non_null(r);
        assert_string_equal(r->ele, model[i].ele);
        assert_int_equal(zslGetRank(zsl, model[i].score, model[i].ele, strlen(model[i].ele)), (unsigned long)i + 1);
    }
    assert_null(zslGetElementByRank(zsl, (unsigned long)n + 1));
    assert_null(zslGetElementByRank(zsl, 0));
}

static int modelFind(item *model, int n, const char *ele) {
    for (int i = 0; i < n; i++)
        if (!strcmp(model[i].ele, ele)) return i;
    return -1;
}

static void test_model_random_ops(void **state) {
    (void)state;
    srandom(12345);
    zskiplist *zsl = zslCreate();
    item model[300];
    int n = 0;
    for (int step = 0; step < 3000; step++) {
        char ele[16];
        snprintf(ele, sizeof(ele), "m%03ld", random() % 300);
        double score = (double)(random() % 20) / 2; /* many ties: order by member */
        int at = modelFind(model, n, ele);
        int op = (int)(random() % 3);
        if (at < 0) {
            zslInsert(zsl, score, dstrnew(ele));
            snprintf(model[n].ele, sizeof(model[n].ele), "%s", ele);
            model[n++].score = score;
        } else if (op == 0) {
            assert_int_equal(zslDelete(zsl, model[at].score, ele, strlen(ele), NULL), 1);
            assert_int_equal(zslDelete(zsl, model[at].score, ele, strlen(ele), NULL), 0);
            model[at] = model[--n];
        } else {
            zskiplistNode *node = zslUpdateScore(zsl, model[at].score, ele, strlen(ele), score);
            assert_string_equal(node->ele, ele);
            assert_true(node->score == score);
            model[at].score = score;
        }
        if (step % 50 == 0 || step > 2950) checkAgainstModel(zsl, model, n);
    }
    /* absent members have rank 0 */
    assert_int_equal(zslGetRank(zsl, 1000, "zz", 2), 0);
    zslFree(zsl);
}

static void test_levels(void **state) {
    (void)state;
    srandom(7);
    long counts[ZSKIPLIST_MAXLEVEL + 1] = {0};
    for (int i = 0; i < 100000; i++) {
        int h = zslRandomLevel();
        assert_true(h >= 1 && h <= ZSKIPLIST_MAXLEVEL);
        counts[h]++;
    }
    /* about 75% of heights are 1, 18.75% are 2 */
    assert_true(counts[1] > 73000 && counts[1] < 77000);
    assert_true(counts[2] > 17000 && counts[2] < 20500);
}

static zskiplist *buildRange(void) {
    zskiplist *zsl = zslCreate();
    const char *m[] = {"a", "b", "c", "d", "e", "f"};
    double s[] = {-INFINITY, 1, 2, 2, 3, INFINITY};
    for (int i = 0; i < 6; i++) zslInsert(zsl, s[i], dstrnew(m[i]));
    return zsl;
}

static void test_score_ranges(void **state) {
    (void)state;
    zskiplist *zsl = buildRange();
    zrangespec r;
    assert_true(zslParseRange("2", "(3", &r));
    assert_string_equal(zslFirstInRange(zsl, &r)->ele, "c");
    assert_string_equal(zslLastInRange(zsl, &r)->ele, "d");
    assert_true(zslParseRange("(1", "2", &r));
    assert_string_equal(zslFirstInRange(zsl, &r)->ele, "c");
    assert_true(zslParseRange("-inf", "+inf", &r));
    assert_string_equal(zslFirstInRange(zsl, &r)->ele, "a");
    assert_string_equal(zslLastInRange(zsl, &r)->ele, "f");
    assert_true(zslParseRange("(-inf", "(inf", &r));
    assert_string_equal(zslFirstInRange(zsl, &r)->ele, "b");
    assert_string_equal(zslLastInRange(zsl, &r)->ele, "e");
    assert_true(zslParseRange("(2", "(3", &r));
    assert_null(zslFirstInRange(zsl, &r));
    assert_null(zslLastInRange(zsl, &r));
    assert_true(zslParseRange("5", "4", &r));
    assert_null(zslFirstInRange(zsl, &r));
    /* parser: "(" alone reads 0 as strtod does; junk and NaN are rejected */
    assert_true(zslParseRange("(", "0x10", &r));
    assert_true(r.min == 0 && r.minex && r.max == 16);
    assert_false(zslParseRange("1x", "2", &r));
    assert_false(zslParseRange("1", "nan", &r));
    assert_false(zslParseRange("((1", "2", &r));
    /* range delete keeps ranks consistent */
    assert_true(zslParseRange("1", "2", &r));
    assert_int_equal(zslDeleteRangeByScore(zsl, &r, NULL, NULL), 3);
    assert_int_equal(zsl->length, 3);
    assert_string_equal(zslGetElementByRank(zsl, 2)->ele, "e");
    assert_int_equal(zslGetRank(zsl, INFINITY, "f", 1), 3);
    zslFree(zsl);
}

static void countCb(zskiplistNode *node, void *priv) {
    (void)node;
    (*(int *)priv)++;
}

static void test_lex_ranges(void **state) {
    (void)state;
    zskiplist *zsl = zslCreate();
    const char *m[] = {"a", "aa", "ab", "b", "c"};
    for (int i = 0; i < 5; i++) zslInsert(zsl, 0, dstrnew(m[i]));
    zlexrangespec r;
    assert_true(zslParseLexRangeItem("[aa", 3, &r.min));
    assert_true(zslParseLexRangeItem("(b", 2, &r.max));
    assert_string_equal(zslFirstInLexRange(zsl, &r)->ele, "aa");
    assert_string_equal(zslLastInLexRange(zsl, &r)->ele, "ab");
    assert_true(zslParseLexRangeItem("-", 1, &r.min));
    assert_true(zslParseLexRangeItem("+", 1, &r.max));
    assert_string_equal(zslFirstInLexRange(zsl, &r)->ele, "a");
    assert_string_equal(zslLastInLexRange(zsl, &r)->ele, "c");
    assert_true(zslParseLexRangeItem("+", 1, &r.min));
    assert_true(zslLexRangeIsEmpty(&r));
    assert_null(zslFirstInLexRange(zsl, &r));
    assert_true(zslParseLexRangeItem("(a", 2, &r.min));
    assert_true(zslParseLexRangeItem("[a", 2, &r.max));
    assert_true(zslLexRangeIsEmpty(&r));
    assert_false(zslParseLexRangeItem("a", 1, &r.min));
    assert_false(zslParseLexRangeItem("", 0, &r.min));
    assert_false(zslParseLexRangeItem("+a", 2, &r.min));
    assert_true(zslParseLexRangeItem("+\0a", 3, &r.min));
    assert_int_equal(r.min.kind, ZLEX_POS_INF);
    assert_true(zslParseLexRangeItem("(a", 2, &r.min));
    assert_true(zslParseLexRangeItem("[b", 2, &r.max));
    int n = 0;
    assert_int_equal(zslDeleteRangeByLex(zsl, &r, countCb, &n), 3);
    assert_int_equal(n, 3);
    assert_int_equal(zsl->length, 2);
    assert_string_equal(zslGetElementByRank(zsl, 2)->ele, "c");
    zslFree(zsl);
}

static void test_rank_deletes(void **state) {
    (void)state;
    srandom(99);
    zskiplist *zsl = zslCreate();
    item model[200];
    int n = 200;
    for (int i = 0; i < n; i++) {
        snprintf(model[i].ele, sizeof(model[i].ele), "e%d", i);
        model[i].score = (double)(random() % 50);
        zslInsert(zsl, model[i].score, dstrnew(model[i].ele));
    }
    checkAgainstModel(zsl, model, n);
    while (n > 0) {
        unsigned long start = (unsigned long)(random() % n) + 1;
        unsigned long end = start + (unsigned long)(random() % 7);
        if (end > (unsigned long)n) end = (unsigned long)n;
        int cb = 0;
        assert_int_equal(zslDeleteRangeByRank(zsl, start, end, countCb, &cb), end - start + 1);
        assert_int_equal(cb, (int)(end - start + 1));
        memmove(&model[start - 1], &model[end], (size_t)(n - (int)end) * sizeof(item));
        n -= (int)(end - start + 1);
        checkAgainstModel(zsl, model, n);
    }
    assert_int_equal(zsl->level, 1);
    assert_null(zsl->tail);
    zslFree(zsl);
}

/* zslInsertFirst: a list built from the highest rank down equals the one
 * zslInsert builds (order, spans/ranks, backward links, tail, element by
 * rank), and anything not strictly before the first node is refused
 * untouched (equal score with a greater or equal member, higher score). */
static void test_insert_first(void **state) {
    (void)state;
    srandom(4242);
    enum { N = 3000 };
    static item model[N];
    zskiplist *zsl = zslCreate();
    /* descending (score, member); ties on the score order by member bytes */
    for (int i = 0; i < N; i++) {
        int r = N - 1 - i;
        snprintf(model[i].ele, sizeof(model[i].ele), "m%05d", r);
        model[i].score = (double)(r / 3); /* three members per score */
        zskiplistNode *x = zslInsertFirst(zsl, model[i].score, dstrnew(model[i].ele));
        assert_non_null(x);
        assert_ptr_equal(zsl->header->level[0].forward, x);
        if (i % 500 == 0) {
            static item partial[N];
            memcpy(partial, model, sizeof(item) * (size_t)(i + 1));
            checkAgainstModel(zsl, partial, i + 1);
        }
    }
    checkAgainstModel(zsl, model, N);
    /* refused: equal to the first node, equal score and a greater member,
     * a higher score; the list is unchanged */
    zskiplistNode *first = zsl->header->level[0].forward;
    dstr same = dstrnew(first->ele), bigger = dstrnew("m99999"), higher = dstrnew("a");
    assert_null(zslInsertFirst(zsl, first->score, same));
    assert_null(zslInsertFirst(zsl, first->score, bigger));
    assert_null(zslInsertFirst(zsl, first->score + 1, higher));
    assert_ptr_equal(zsl->header->level[0].forward, first);
    checkAgainstModel(zsl, model, N);
    /* the refused member goes in with zslInsert and everything still holds */
    double top = first->score + 1;
    zslInsert(zsl, top, higher);
    dstrfree(same);
    dstrfree(bigger);
    static item more[N + 1];
    memcpy(more, model, sizeof(item) * N);
    strcpy(more[N].ele, "a");
    more[N].score = top;
    checkAgainstModel(zsl, more, N + 1);
    zslFree(zsl);

    /* levels: the height distribution is zslRandomLevel's (P(h > k) = 1/4^k) */
    zsl = zslCreate();
    enum { M = 100000 };
    int hist[ZSKIPLIST_MAXLEVEL + 1] = {0}; /* nodes linked at each level */
    for (int i = M; i > 0; i--) {
        char b[16];
        snprintf(b, sizeof(b), "%d", i);
        zslInsertFirst(zsl, (double)i, dstrnew(b));
    }
    for (int lvl = 0; lvl < zsl->level; lvl++)
        for (zskiplistNode *x = zsl->header->level[lvl].forward; x; x = x->level[lvl].forward) hist[lvl]++;
    assert_int_equal(hist[0], M);
    /* nodes reaching level 1 and 2: 1/4 and 1/16 of them, within 10% */
    assert_true(hist[1] > M / 4 * 0.9 && hist[1] < M / 4 * 1.1);
    assert_true(hist[2] > M / 16 * 0.85 && hist[2] < M / 16 * 1.15);
    assert_int_equal(zslGetRank(zsl, 1.0, "1", 1), 1);
    assert_int_equal(zslGetRank(zsl, (double)M, "100000", 6), M);
    assert_string_equal(zslGetElementByRank(zsl, 54321)->ele, "54321");
    zslFree(zsl);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_random_ops), cmocka_unit_test(test_levels),
        cmocka_unit_test(test_score_ranges),     cmocka_unit_test(test_lex_ranges),
        cmocka_unit_test(test_rank_deletes),     cmocka_unit_test(test_insert_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
