/* Unit tests for the HASH type's module API (src/t_hash.h), the part the RDB
 * codec and other modules use without going through commands: validating and
 * adopting listpack blobs, building a hash pair by pair, iterating, and the
 * free/dup/mem_usage methods registered with object.c. The commands are
 * tested by tests/integration/test_hashes.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "object.h"
#include "server.h"
#include "t_hash.h"
#include "zmalloc.h"

static int setup(void **state) {
    (void)state;
    server.hash_max_listpack_entries = 128;
    server.hash_max_listpack_value = 64;
    hashTypeRegister();
    return 0;
}

/* Listpack of `n` pairs "f<i>" -> "v<i>" (or the integer i when ints). */
static unsigned char *makePairs(int n, int ints) {
    unsigned char *lp = lpNew(0);
    char buf[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof(buf), "f%d", i);
        lp = lpAppend(lp, (unsigned char *)buf, (uint32_t)len);
        if (ints) lp = lpAppendInteger(lp, i);
        else {
            len = snprintf(buf, sizeof(buf), "v%d", i);
            lp = lpAppend(lp, (unsigned char *)buf, (uint32_t)len);
        }
    }
    return lp;
}

/* Check that `o` maps "f<i>" -> "v<i>" (or the decimal i) for i < n, using
 * both the iterator and hashTypeGetValueDstr. */
static void checkPairs(obj *o, int n, int ints) {
    assert_int_equal(hashTypeLength(o), n);
    char *seen = calloc((size_t)n, 1);
    hashTypeIterator hi;
    const char *f, *v;
    size_t flen, vlen;
    int count = 0;
    hashTypeInitIterator(&hi, o);
    while (hashTypeNext(&hi, &f, &flen, &v, &vlen)) {
        int i;
        char fb[32], vb[32];
        assert_true(flen < sizeof(fb));
        memcpy(fb, f, flen);
        fb[flen] = '\0';
        assert_int_equal(sscanf(fb, "f%d", &i), 1);
        assert_true(i >= 0 && i < n);
        assert_false(seen[i]);
        seen[i] = 1;
        int len = ints ? snprintf(vb, sizeof(vb), "%d", i) : snprintf(vb, sizeof(vb), "v%d", i);
        assert_int_equal(vlen, len);
        assert_memory_equal(v, vb, vlen);
        dstr got = hashTypeGetValueDstr(o, f, flen);
        assert_non_null(got);
        assert_int_equal(dstrlen(got), len);
        assert_memory_equal(got, vb, vlen);
        dstrfree(got);
        count++;
    }
    hashTypeResetIterator(&hi);
    assert_int_equal(count, n);
    assert_null(hashTypeGetValueDstr(o, "nosuch", 6));
    free(seen);
}

static void test_create_empty(void **state) {
    (void)state;
    obj *o = hashTypeCreate();
    assert_int_equal(o->type, OBJ_HASH);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    assert_int_equal(hashTypeLength(o), 0);
    assert_non_null(hashTypeListpack(o));
    assert_int_equal(lpBytes(hashTypeListpack(o)), 7);
    checkPairs(o, 0, 0);
    objDecrRef(o);
}

static void test_validate(void **state) {
    (void)state;
    unsigned char *lp = makePairs(10, 1);
    assert_true(hashListpackValidate(lp, lpBytes(lp), 1));
    assert_true(hashListpackValidate(lp, lpBytes(lp), 0));
    /* wrong size, truncated */
    assert_false(hashListpackValidate(lp, lpBytes(lp) - 1, 1));
    assert_false(hashListpackValidate(lp, 3, 0));
    /* odd number of entries: only the deep check sees it */
    lp = lpAppend(lp, (unsigned char *)"lonely", 6);
    assert_false(hashListpackValidate(lp, lpBytes(lp), 1));
    assert_true(hashListpackValidate(lp, lpBytes(lp), 0));
    /* a duplicate field */
    lp = lpAppend(lp, (unsigned char *)"x", 1);
    assert_true(hashListpackValidate(lp, lpBytes(lp), 1));
    lp = lpAppend(lp, (unsigned char *)"f3", 2);
    lp = lpAppend(lp, (unsigned char *)"again", 5);
    assert_false(hashListpackValidate(lp, lpBytes(lp), 1));
    assert_true(hashListpackValidate(lp, lpBytes(lp), 0));
    lpFree(lp);
    /* an integer field equal to a string field's text ("7" is stored as an int both times) */
    lp = lpNew(0);
    lp = lpAppend(lp, (unsigned char *)"7", 1);
    lp = lpAppend(lp, (unsigned char *)"a", 1);
    lp = lpAppendInteger(lp, 7);
    lp = lpAppend(lp, (unsigned char *)"b", 1);
    assert_false(hashListpackValidate(lp, lpBytes(lp), 1));
    lpFree(lp);
    /* a value equal to a field is fine */
    lp = lpNew(0);
    lp = lpAppend(lp, (unsigned char *)"a", 1);
    lp = lpAppend(lp, (unsigned char *)"a", 1);
    assert_true(hashListpackValidate(lp, lpBytes(lp), 1));
    /* corrupt an entry's encoding byte */
    lp[LP_HDR_SIZE] = 0xF7;
    assert_false(hashListpackValidate(lp, lpBytes(lp), 1));
    lpFree(lp);
    /* empty */
    lp = lpNew(0);
    assert_true(hashListpackValidate(lp, lpBytes(lp), 1));
    lpFree(lp);
}

static void test_from_listpack_small_is_adopted(void **state) {
    (void)state;
    unsigned char *lp = makePairs(128, 0);
    obj *o = hashTypeCreateFromListpack(lp);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    assert_ptr_equal(hashTypeListpack(o), lp);
    checkPairs(o, 128, 0);
    objDecrRef(o);
}

static void test_from_listpack_converts(void **state) {
    (void)state;
    /* too many pairs */
    obj *o = hashTypeCreateFromListpack(makePairs(129, 1));
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    assert_null(hashTypeListpack(o));
    checkPairs(o, 129, 1);
    objDecrRef(o);
    /* one value too long */
    unsigned char *lp = lpNew(0);
    char big[65];
    memset(big, 'x', sizeof(big));
    lp = lpAppend(lp, (unsigned char *)"f", 1);
    lp = lpAppend(lp, (unsigned char *)big, 64);
    o = hashTypeCreateFromListpack(lpDup(lp));
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    lp = lpAppend(lp, (unsigned char *)"g", 1);
    lp = lpAppend(lp, (unsigned char *)big, 65);
    o = hashTypeCreateFromListpack(lp);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    assert_int_equal(hashTypeLength(o), 2);
    dstr v = hashTypeGetValueDstr(o, "g", 1);
    assert_int_equal(dstrlen(v), 65);
    dstrfree(v);
    objDecrRef(o);
    /* integers count by their text: 12345 is 5 characters */
    server.hash_max_listpack_value = 4;
    lp = lpNew(0);
    lp = lpAppend(lp, (unsigned char *)"f", 1);
    lp = lpAppendInteger(lp, 1234);
    o = hashTypeCreateFromListpack(lpDup(lp));
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    lp = lpAppendInteger(lp, 12345);
    lp = lpAppend(lp, (unsigned char *)"v", 1);
    o = hashTypeCreateFromListpack(lp);
    server.hash_max_listpack_value = 64;
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    dstr v12 = hashTypeGetValueDstr(o, "12345", 5);
    assert_string_equal(v12, "v");
    dstrfree(v12);
    objDecrRef(o);
}

static void test_load_pairs_listpack(void **state) {
    (void)state;
    obj *o = hashTypeCreateForLoad(3);
    assert_non_null(o);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    assert_int_equal(hashTypeLoadPair(o, "f0", 2, "v0", 2), 1);
    assert_int_equal(hashTypeLoadPair(o, "f1", 2, "v1", 2), 1);
    assert_int_equal(hashTypeLoadPair(o, "f0", 2, "dup", 3), 0);
    assert_int_equal(hashTypeLoadPair(o, "f2", 2, "v2", 2), 1);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    checkPairs(o, 3, 0);
    /* listpack order is load order */
    unsigned char *lp = hashTypeListpack(o);
    assert_true(lpCompare(lpSeek(lp, 0), (unsigned char *)"f0", 2));
    assert_true(lpCompare(lpSeek(lp, 4), (unsigned char *)"f2", 2));
    /* a long field converts */
    char big[100];
    memset(big, 'y', sizeof(big));
    assert_int_equal(hashTypeLoadPair(o, big, sizeof(big), "v", 1), 1);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    assert_int_equal(hashTypeLoadPair(o, big, sizeof(big), "w", 1), 0);
    assert_int_equal(hashTypeLength(o), 4);
    objDecrRef(o);
}

static void test_load_pairs_hashtable_and_dup(void **state) {
    (void)state;
    obj *o = hashTypeCreateForLoad(500);
    assert_non_null(o);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    char f[32], v[32];
    for (int i = 0; i < 500; i++) {
        int fl = snprintf(f, sizeof(f), "f%d", i), vl = snprintf(v, sizeof(v), "v%d", i);
        assert_int_equal(hashTypeLoadPair(o, f, (size_t)fl, v, (size_t)vl), 1);
    }
    assert_int_equal(hashTypeLoadPair(o, "f77", 3, "x", 1), 0);
    checkPairs(o, 500, 0);
    size_t mem = objMemUsage(o);
    assert_true(mem > 500 * 8);
    obj *copy = objDup(o);
    assert_int_equal(copy->encoding, ENC_HASHTABLE);
    objDecrRef(o);  /* the copy is independent */
    checkPairs(copy, 500, 0);
    assert_int_equal(objMemUsage(copy), mem);
    objDecrRef(copy);
}

/* hashLoader: listpack and hashtable encodings, the batched duplicate
 * report (by the add completing the batch, or by Finish), Abort. */
static void test_loader(void **state) {
    (void)state;
    hashLoader ld;
    char f[32], v[32];
    /* small: listpack, duplicates reported at once */
    assert_int_equal(hashLoaderInit(&ld, 3), 1);
    assert_int_equal(hashLoaderAdd(&ld, "f0", 2, "v0", 2), 1);
    assert_int_equal(hashLoaderAdd(&ld, "f1", 2, "v1", 2), 1);
    assert_int_equal(hashLoaderAdd(&ld, "f0", 2, "v0", 2), 0);
    hashLoaderAbort(&ld);
    assert_int_equal(hashLoaderInit(&ld, 2), 1);
    assert_int_equal(hashLoaderAdd(&ld, "f0", 2, "v0", 2), 1);
    assert_int_equal(hashLoaderAdd(&ld, "f1", 2, "v1", 2), 1);
    obj *o = hashLoaderFinish(&ld);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    checkPairs(o, 2, 0);
    objDecrRef(o);
    /* big: hashtable, every pair there (500 = 31 batches + 4 pending) */
    assert_int_equal(hashLoaderInit(&ld, 500), 1);
    for (int i = 0; i < 500; i++) {
        int fl = snprintf(f, sizeof(f), "f%d", i), vl = snprintf(v, sizeof(v), "v%d", i);
        assert_int_equal(hashLoaderAdd(&ld, f, (size_t)fl, v, (size_t)vl), 1);
    }
    o = hashLoaderFinish(&ld);
    assert_non_null(o);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    checkPairs(o, 500, 0);
    objDecrRef(o);
    /* a duplicate: reported by the add that completes its batch */
    assert_int_equal(hashLoaderInit(&ld, 500), 1);
    int rc = 1, at = -1;
    for (int i = 0; i < 500 && rc; i++) {
        int k = i == 100 ? 3 : i; /* pair 100 repeats field f3 */
        int fl = snprintf(f, sizeof(f), "f%d", k), vl = snprintf(v, sizeof(v), "v%d", k);
        rc = hashLoaderAdd(&ld, f, (size_t)fl, v, (size_t)vl);
        if (!rc) at = i;
    }
    assert_int_equal(at, 111); /* the 112th add fills the 7th batch (96..111) */
    hashLoaderAbort(&ld);
    /* ... or by Finish for the last, partial batch */
    assert_int_equal(hashLoaderInit(&ld, 500), 1);
    for (int i = 0; i < 500; i++) {
        int fl = snprintf(f, sizeof(f), "f%d", i), vl = snprintf(v, sizeof(v), "v%d", i);
        assert_int_equal(hashLoaderAdd(&ld, f, (size_t)fl, v, (size_t)vl), 1);
    }
    assert_int_equal(hashLoaderAdd(&ld, "f499", 4, "x", 1), 1);
    assert_null(hashLoaderFinish(&ld));
    hashLoaderAbort(&ld); /* safe after Finish */
    /* absurd length */
    assert_int_equal(hashLoaderInit(&ld, (unsigned long long)1 << 62), 0);
    hashLoaderAbort(&ld);
}

static void test_dup_listpack(void **state) {
    (void)state;
    obj *o = hashTypeCreateFromListpack(makePairs(20, 1));
    obj *copy = objDup(o);
    assert_int_equal(copy->encoding, ENC_LISTPACK);
    assert_ptr_not_equal(hashTypeListpack(copy), hashTypeListpack(o));
    assert_memory_equal(hashTypeListpack(copy), hashTypeListpack(o), lpBytes(hashTypeListpack(o)));
    assert_true(objMemUsage(copy) >= lpBytes(hashTypeListpack(o)));
    objDecrRef(o);
    checkPairs(copy, 20, 1);
    objDecrRef(copy);
}

static void test_create_for_load_absurd(void **state) {
    (void)state;
    assert_null(hashTypeCreateForLoad(UINT64_MAX));
    assert_null(hashTypeCreateForLoad((unsigned long long)1 << 62));
    obj *o = hashTypeCreateForLoad(128);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    o = hashTypeCreateForLoad(129);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    objDecrRef(o);
}

static void test_binary_and_empty_strings(void **state) {
    (void)state;
    server.hash_max_listpack_entries = 0; /* straight to a hashtable */
    obj *o = hashTypeCreateForLoad(3);
    server.hash_max_listpack_entries = 128;
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    assert_int_equal(hashTypeLoadPair(o, "", 0, "", 0), 1);
    assert_int_equal(hashTypeLoadPair(o, "a\0b", 3, "\0", 1), 1);
    assert_int_equal(hashTypeLoadPair(o, "a", 1, "x", 1), 1);
    assert_int_equal(hashTypeLoadPair(o, "a\0", 2, "y", 1), 1);
    assert_int_equal(hashTypeLoadPair(o, "", 0, "dup", 3), 0);
    dstr v = hashTypeGetValueDstr(o, "a\0b", 3);
    assert_int_equal(dstrlen(v), 1);
    assert_int_equal(v[0], 0);
    dstrfree(v);
    v = hashTypeGetValueDstr(o, "", 0);
    assert_int_equal(dstrlen(v), 0);
    dstrfree(v);
    /* a long field (heap lookup key) */
    char big[1000];
    memset(big, 'z', sizeof(big));
    assert_int_equal(hashTypeLoadPair(o, big, sizeof(big), big, sizeof(big)), 1);
    v = hashTypeGetValueDstr(o, big, sizeof(big));
    assert_int_equal(dstrlen(v), sizeof(big));
    dstrfree(v);
    assert_int_equal(hashTypeLength(o), 5);
    objDecrRef(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_empty),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_from_listpack_small_is_adopted),
        cmocka_unit_test(test_from_listpack_converts),
        cmocka_unit_test(test_load_pairs_listpack),
        cmocka_unit_test(test_load_pairs_hashtable_and_dup),
        cmocka_unit_test(test_loader),
        cmocka_unit_test(test_dup_listpack),
        cmocka_unit_test(test_create_for_load_absurd),
        cmocka_unit_test(test_binary_and_empty_strings),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
