/* Unit tests for src/intset.c: byte compatibility with Redis 7 intsets (real
 * blobs from /work/shared/vectors), width upgrades, validation of corrupt input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intset.h"
#include "zmalloc.h"

/* valkey-55bbbe0/sets.json (same bytes in redis-7.0.15/sets.json):
 * intset_16: SADD s 3 1 2 -5 100 */
static const char *HEX_INTSET_16 = "0200000005000000fbff0100020003006400";
static const int64_t INTSET_16_ADDS[] = {3, 1, 2, -5, 100};
/* intset_32: SADD s 1 100000 -100000 2147483647 -2147483648 */
static const char *HEX_INTSET_32 = "0400000005000000000000806079feff01000000a0860100ffffff7f";
static const int64_t INTSET_32_ADDS[] = {1, 100000, -100000, 2147483647LL, -2147483648LL};
/* intset_64 (LZF in the payload): SADD s 1 1099511627776 9223372036854775807 -9223372036854775808 */
static const char *HEX_INTSET_64 =
    "0800000004000000000000000000008001000000000000000000000000010000ffffffffffffff7f";
static const int64_t INTSET_64_ADDS[] = {1, 1099511627776LL, INT64_MAX, INT64_MIN};
/* intset_512: SADD s 0 7 14 ... 3577 (512 multiples of 7, the intset limit):
 * 1032 bytes, first and last bytes as recorded. */
static const char *HEX_INTSET_512_HEAD = "020000000002000000000700";
static const char *HEX_INTSET_512_TAIL = "eb0df20df90d";

static unsigned char *from_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *b = zmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        b[i] = (unsigned char)v;
    }
    *len = n;
    return b;
}

static intset *build(const int64_t *vals, size_t n) {
    intset *is = intsetNew();
    for (size_t i = 0; i < n; i++) {
        uint8_t ok = 0;
        is = intsetAdd(is, vals[i], &ok);
        assert_int_equal(ok, 1);
    }
    return is;
}

static void check_real(const char *hex, const int64_t *adds, size_t n) {
    size_t len;
    unsigned char *blob = from_hex(hex, &len);
    assert_true(intsetValidateIntegrity(blob, len, 1));
    intset *is = build(adds, n);
    assert_int_equal(intsetBlobLen(is), len);
    assert_memory_equal(is, blob, len);
    assert_int_equal(intsetLen((intset *)blob), n);
    for (size_t i = 0; i < n; i++) assert_true(intsetFind((intset *)blob, adds[i]));
    intsetFree(is);
    zfree(blob);
}

static void test_real_blobs(void **state) {
    (void)state;
    check_real(HEX_INTSET_16, INTSET_16_ADDS, 5);
    check_real(HEX_INTSET_32, INTSET_32_ADDS, 5);
    check_real(HEX_INTSET_64, INTSET_64_ADDS, 4);

    intset *is = intsetNew();
    for (int i = 0; i < 512; i++) is = intsetAdd(is, i * 7, NULL);
    assert_int_equal(intsetBlobLen(is), 1032);
    size_t hl, tl;
    unsigned char *head = from_hex(HEX_INTSET_512_HEAD, &hl), *tail = from_hex(HEX_INTSET_512_TAIL, &tl);
    assert_memory_equal(is, head, hl);
    assert_memory_equal((unsigned char *)is + 1032 - tl, tail, tl);
    assert_true(intsetValidateIntegrity((unsigned char *)is, 1032, 1));
    zfree(head);
    zfree(tail);
    intsetFree(is);
}

static void test_basic(void **state) {
    (void)state;
    intset *is = intsetNew();
    assert_int_equal(intsetLen(is), 0);
    assert_int_equal(intsetBlobLen(is), 8);
    assert_int_equal(intsetEncoding(is), INTSET_ENC_INT16);
    assert_false(intsetFind(is, 0));
    int64_t v;
    assert_false(intsetGet(is, 0, &v));

    uint8_t added;
    is = intsetAdd(is, 5, &added);
    assert_int_equal(added, 1);
    is = intsetAdd(is, 5, &added);
    assert_int_equal(added, 0);
    is = intsetAdd(is, 6, &added);
    is = intsetAdd(is, 4, &added);
    is = intsetAdd(is, -32768, &added);
    is = intsetAdd(is, 32767, &added);
    assert_int_equal(intsetEncoding(is), INTSET_ENC_INT16);
    int64_t expect[] = {-32768, 4, 5, 6, 32767};
    assert_int_equal(intsetLen(is), 5);
    for (uint32_t i = 0; i < 5; i++) {
        assert_true(intsetGet(is, i, &v));
        assert_true(v == expect[i]);
    }
    assert_true(intsetMin(is) == -32768);
    assert_true(intsetMax(is) == 32767);
    assert_false(intsetGet(is, 5, &v));
    /* Values that need a wider type are simply absent. */
    assert_false(intsetFind(is, 32768));
    assert_false(intsetFind(is, INT64_MIN));

    int removed;
    is = intsetRemove(is, 5, &removed);
    assert_int_equal(removed, 1);
    is = intsetRemove(is, 5, &removed);
    assert_int_equal(removed, 0);
    is = intsetRemove(is, 1LL << 40, &removed);
    assert_int_equal(removed, 0);
    assert_int_equal(intsetLen(is), 4);
    assert_int_equal(intsetBlobLen(is), 8 + 4 * 2);
    assert_false(intsetFind(is, 5));
    is = intsetRemove(is, -32768, &removed);
    is = intsetRemove(is, 32767, &removed);
    is = intsetRemove(is, 4, &removed);
    is = intsetRemove(is, 6, &removed);
    assert_int_equal(intsetLen(is), 0);
    assert_int_equal(intsetBlobLen(is), 8);
    intsetFree(is);
}

/* Upgrades: the new value goes first when negative, last when positive, and
 * removals never narrow the width again. */
static void test_upgrades(void **state) {
    (void)state;
    intset *is = intsetNew();
    is = intsetAdd(is, 1, NULL);
    is = intsetAdd(is, 2, NULL);
    is = intsetAdd(is, 70000, NULL);
    assert_int_equal(intsetEncoding(is), INTSET_ENC_INT32);
    const unsigned char e32[] = {4, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x70, 0x11, 0x01, 0x00};
    assert_int_equal(intsetBlobLen(is), sizeof(e32));
    assert_memory_equal(is, e32, sizeof(e32));

    is = intsetAdd(is, -70000, NULL);
    int64_t v;
    assert_true(intsetGet(is, 0, &v) && v == -70000);
    is = intsetAdd(is, -(1LL << 40), NULL);
    assert_int_equal(intsetEncoding(is), INTSET_ENC_INT64);
    int64_t expect[] = {-(1LL << 40), -70000, 1, 2, 70000};
    for (uint32_t i = 0; i < 5; i++) assert_true(intsetGet(is, i, &v) && v == expect[i]);
    is = intsetAdd(is, 1LL << 40, NULL);
    assert_true(intsetMax(is) == (1LL << 40));

    int removed;
    is = intsetRemove(is, -(1LL << 40), &removed);
    is = intsetRemove(is, 1LL << 40, &removed);
    assert_int_equal(intsetEncoding(is), INTSET_ENC_INT64);
    assert_int_equal(intsetBlobLen(is), 8 + 4 * 8);
    assert_true(intsetValidateIntegrity((unsigned char *)is, intsetBlobLen(is), 1));
    intsetFree(is);

    /* 16 -> 64 directly, with a positive value: appended at the end. */
    is = intsetNew();
    is = intsetAdd(is, -3, NULL);
    is = intsetAdd(is, INT64_MAX, NULL);
    assert_int_equal(intsetEncoding(is), INTSET_ENC_INT64);
    assert_true(intsetMin(is) == -3 && intsetMax(is) == INT64_MAX);
    intsetFree(is);
}

static void test_random_and_dup(void **state) {
    (void)state;
    srandom(99);
    intset *is = intsetNew();
    for (int i = 0; i < 10; i++) is = intsetAdd(is, i * 1000, NULL);
    int seen[10] = {0};
    for (int i = 0; i < 1000; i++) {
        int64_t r = intsetRandom(is);
        assert_true(r % 1000 == 0 && r >= 0 && r < 10000);
        seen[r / 1000]++;
    }
    for (int i = 0; i < 10; i++) assert_true(seen[i] > 30);
    intset *d = intsetDup(is);
    assert_memory_equal(d, is, intsetBlobLen(is));
    intsetFree(d);
    intsetFree(is);
}

/* Random adds and removes against a sorted model. */
static void test_model(void **state) {
    (void)state;
    srandom(4242);
    int64_t model[600];
    int n = 0;
    intset *is = intsetNew();
    for (int step = 0; step < 5000; step++) {
        int64_t v;
        switch (random() % 4) {
        case 0: v = (int64_t)(random() % 200) - 100; break;
        case 1: v = (int64_t)(random() % 200000) - 100000; break;
        case 2: v = ((int64_t)random() << 32) ^ (int64_t)random(); break;
        default: v = n ? model[random() % n] : 0; break;
        }
        int present = 0, pos = 0;
        while (pos < n && model[pos] < v) pos++;
        if (pos < n && model[pos] == v) present = 1;
        if (random() % 3 == 0) {
            int removed;
            is = intsetRemove(is, v, &removed);
            assert_int_equal(removed, present);
            if (present) {
                memmove(&model[pos], &model[pos + 1], sizeof(int64_t) * (size_t)(n - pos - 1));
                n--;
            }
        } else if (n < 600) {
            uint8_t added;
            is = intsetAdd(is, v, &added);
            assert_int_equal(added, !present);
            if (!present) {
                memmove(&model[pos + 1], &model[pos], sizeof(int64_t) * (size_t)(n - pos));
                model[pos] = v;
                n++;
            }
        }
        assert_int_equal(intsetLen(is), (uint32_t)n);
        if (step % 50 == 0) {
            for (int i = 0; i < n; i++) {
                int64_t got;
                assert_true(intsetGet(is, (uint32_t)i, &got));
                assert_true(got == model[i]);
                assert_true(intsetFind(is, model[i]));
            }
            if (n) assert_true(intsetValidateIntegrity((unsigned char *)is, intsetBlobLen(is), 1));
        }
    }
    intsetFree(is);
}

static void fuzz(const unsigned char *orig, size_t len) {
    assert_true(intsetValidateIntegrity(orig, len, 1));
    for (size_t n = 0; n < len; n++) {
        unsigned char *t = zmalloc(n ? n : 1);
        memcpy(t, orig, n);
        assert_false(intsetValidateIntegrity(t, n, 0));
        assert_false(intsetValidateIntegrity(t, n, 1));
        zfree(t);
    }
    unsigned char *t = zmalloc(len);
    unsigned long accepted = 0;
    for (size_t pos = 0; pos < len; pos++) {
        for (int val = 0; val < 256; val++) {
            if (val == orig[pos]) continue;
            memcpy(t, orig, len);
            t[pos] = (unsigned char)val;
            if (intsetValidateIntegrity(t, len, 1)) {
                /* Accepted: it must really be sorted and readable. */
                intset *is = (intset *)t;
                int64_t prev = 0, cur;
                for (uint32_t i = 0; i < intsetLen(is); i++) {
                    assert_true(intsetGet(is, i, &cur));
                    if (i) assert_true(cur > prev);
                    assert_true(intsetFind(is, cur));
                    prev = cur;
                }
                accepted++;
            }
        }
    }
    assert_true(accepted > 0);
    zfree(t);
}

static void test_validate(void **state) {
    (void)state;
    size_t len;
    unsigned char *b = from_hex(HEX_INTSET_16, &len);
    fuzz(b, len);
    zfree(b);
    b = from_hex(HEX_INTSET_32, &len);
    fuzz(b, len);
    zfree(b);
    b = from_hex(HEX_INTSET_64, &len);
    fuzz(b, len);
    zfree(b);

    /* Specific corruptions. */
    const char *bad[] = {
        "0200000000000000",                 /* empty set */
        "0300000001000000aaaaaa",           /* encoding 3 */
        "0100000001000000aa",               /* encoding 1 */
        "02000000020000000100",             /* length says 2, one element */
        "020000000100000001000200",         /* one extra element */
        "0200000002000000020001000000",     /* trailing byte */
        "ffffffffffffffff",                 /* huge length and encoding */
        "02000000ffffffff0100",             /* huge length */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        b = from_hex(bad[i], &len);
        assert_false(intsetValidateIntegrity(b, len, 1));
        zfree(b);
    }
    /* Unsorted and duplicate elements pass the shallow check only. */
    const char *order[] = {"020000000200000002000100", "020000000200000001000100"};
    for (size_t i = 0; i < 2; i++) {
        b = from_hex(order[i], &len);
        assert_true(intsetValidateIntegrity(b, len, 0));
        assert_false(intsetValidateIntegrity(b, len, 1));
        zfree(b);
    }
    assert_false(intsetValidateIntegrity(NULL, 8, 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_blobs),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_upgrades),
        cmocka_unit_test(test_random_and_dup),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
