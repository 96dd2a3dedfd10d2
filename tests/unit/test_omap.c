/* Unit tests for src/omap.c: ordered map (treap) used for stream nodes, PELs,
 * consumer groups and consumers. Checked against a sorted-array model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "omap.h"
#include "zmalloc.h"

static void encodeId(unsigned char *buf, uint64_t ms, uint64_t seq) {
    for (int i = 0; i < 8; i++) {
        buf[i] = (unsigned char)(ms >> (56 - 8 * i));
        buf[8 + i] = (unsigned char)(seq >> (56 - 8 * i));
    }
}

static uint64_t decodeMs(const unsigned char *buf) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | buf[i];
    return v;
}

static void test_key_order(void **state) {
    (void)state;
    /* rax order: bytewise, prefix first */
    assert_true(omapCompareKeys((const unsigned char *)"a", 1, (const unsigned char *)"ab", 2) < 0);
    assert_true(omapCompareKeys((const unsigned char *)"b", 1, (const unsigned char *)"ab", 2) > 0);
    assert_true(omapCompareKeys((const unsigned char *)"", 0, (const unsigned char *)"a", 1) < 0);
    assert_int_equal(omapCompareKeys((const unsigned char *)"xy", 2, (const unsigned char *)"xy", 2), 0);
    assert_true(omapCompareKeys((const unsigned char *)"\xff", 1, (const unsigned char *)"\x01", 1) > 0);
    unsigned char a[16], b[16];
    encodeId(a, 255, 7);
    encodeId(b, 256, 0);
    assert_true(omapCompareKeys(a, 16, b, 16) < 0);
}

static void test_ascending_ids(void **state) {
    (void)state;
    omap *m = omapNew();
    unsigned char k[16];
    for (uint64_t i = 0; i < 5000; i++) {
        encodeId(k, i * 3, i % 5);
        assert_int_equal(omapInsert(m, k, 16, (void *)(uintptr_t)(i + 1), NULL), 1);
    }
    assert_int_equal(omapSize(m), 5000);
    assert_true(omapValidate(m));
    encodeId(k, 30, 0);
    omapNode *existing = NULL;
    assert_int_equal(omapInsert(m, k, 16, NULL, &existing), 0);
    assert_non_null(existing);
    assert_int_equal((uintptr_t)existing->val, 11);
    /* walk forward and backward */
    uint64_t expect = 0;
    for (omapNode *n = omapFirst(m); n; n = omapNext(m, n)) {
        assert_int_equal(decodeMs(n->key), expect * 3);
        expect++;
    }
    assert_int_equal(expect, 5000);
    for (omapNode *n = omapLast(m); n; n = omapPrev(m, n)) {
        expect--;
        assert_int_equal(decodeMs(n->key), expect * 3);
    }
    /* seeks between keys */
    encodeId(k, 31, 0);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_GE, k, 16)->key), 33);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_GT, k, 16)->key), 33);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_LE, k, 16)->key), 30);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_LT, k, 16)->key), 30);
    assert_null(omapSeek(m, OMAP_EQ, k, 16));
    encodeId(k, 30, 0);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_GE, k, 16)->key), 30);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_GT, k, 16)->key), 33);
    assert_int_equal(decodeMs(omapSeek(m, OMAP_LT, k, 16)->key), 27);
    encodeId(k, UINT64_MAX, UINT64_MAX);
    assert_null(omapSeek(m, OMAP_GT, k, 16));
    assert_int_equal(decodeMs(omapSeek(m, OMAP_LE, k, 16)->key), 4999 * 3);
    encodeId(k, 0, 0);
    assert_null(omapSeek(m, OMAP_LT, k, 16));
    /* delete every other key while iterating */
    omapNode *n = omapFirst(m);
    while (n) {
        unsigned char copy[16];
        memcpy(copy, n->key, 16);
        void *old = NULL;
        if (decodeMs(copy) % 2 == 0) {
            assert_int_equal(omapRemove(m, copy, 16, &old), 1);
            assert_non_null(old);
        }
        n = omapSeek(m, OMAP_GT, copy, 16);
    }
    assert_int_equal(omapSize(m), 2500);
    assert_true(omapValidate(m));
    assert_int_equal(omapRemove(m, "", 0, NULL), 0);
    omapFree(m, NULL);
}

static void countFree(void *v) { (*(int *)v)++; }

static void test_names_and_free(void **state) {
    (void)state;
    omap *m = omapNew();
    int freed = 0;
    const char *names[] = {"consumer-2", "alice", "bob", "consumer-10", "", "b"};
    for (int i = 0; i < 6; i++) omapInsert(m, names[i], strlen(names[i]), &freed, NULL);
    const char *sorted[] = {"", "alice", "b", "bob", "consumer-10", "consumer-2"};
    int i = 0;
    for (omapNode *n = omapFirst(m); n; n = omapNext(m, n), i++) {
        assert_int_equal(n->keylen, strlen(sorted[i]));
        assert_memory_equal(n->key, sorted[i], n->keylen);
    }
    assert_int_equal(i, 6);
    assert_non_null(omapFind(m, "bob", 3));
    assert_null(omapFind(m, "bo", 2));
    omapFree(m, countFree);
    assert_int_equal(freed, 6);
    omapFree(NULL, NULL);
}

/* Random operations against a sorted array of integers. */
static int model[4096];
static int modelLen;

static int modelFind(int v) {
    for (int i = 0; i < modelLen; i++)
        if (model[i] == v) return i;
    return -1;
}

static void test_model(void **state) {
    (void)state;
    srand(1234);
    omap *m = omapNew();
    modelLen = 0;
    for (int step = 0; step < 20000; step++) {
        int v = rand() % 3000;
        unsigned char k[16];
        encodeId(k, (uint64_t)v, 0);
        int op = rand() % 3;
        int at = modelFind(v);
        if (op == 0) {
            int added = omapInsert(m, k, 16, (void *)(uintptr_t)v, NULL);
            assert_int_equal(added, at < 0);
            if (at < 0) {
                int j = modelLen++;
                while (j > 0 && model[j - 1] > v) {
                    model[j] = model[j - 1];
                    j--;
                }
                model[j] = v;
            }
        } else if (op == 1) {
            int removed = omapRemove(m, k, 16, NULL);
            assert_int_equal(removed, at >= 0);
            if (at >= 0) {
                memmove(model + at, model + at + 1, (size_t)(modelLen - at - 1) * sizeof(int));
                modelLen--;
            }
        } else {
            omapNode *n = omapSeek(m, OMAP_GE, k, 16);
            int expect = -1;
            for (int i = 0; i < modelLen; i++)
                if (model[i] >= v) {
                    expect = model[i];
                    break;
                }
            if (expect < 0) assert_null(n);
            else assert_int_equal((int)(uintptr_t)n->val, expect);
            n = omapSeek(m, OMAP_LT, k, 16);
            expect = -1;
            for (int i = modelLen - 1; i >= 0; i--)
                if (model[i] < v) {
                    expect = model[i];
                    break;
                }
            if (expect < 0) assert_null(n);
            else assert_int_equal((int)(uintptr_t)n->val, expect);
        }
        assert_int_equal(omapSize(m), (size_t)modelLen);
    }
    assert_true(omapValidate(m));
    int i = 0;
    for (omapNode *n = omapFirst(m); n; n = omapNext(m, n)) assert_int_equal((int)(uintptr_t)n->val, model[i++]);
    assert_int_equal(i, modelLen);
    omapFree(m, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_order),
        cmocka_unit_test(test_ascending_ids),
        cmocka_unit_test(test_names_and_free),
        cmocka_unit_test(test_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
