/* Unit tests for src/listpack.c: byte compatibility with Redis 7 listpacks
 * (real blobs from /work/shared/vectors), every encoding class at its
 * boundaries, editing operations, validation of corrupt input, random picks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "listpack.h"
#include "zmalloc.h"

/* ---- real blobs --------------------------------------------------------------
 * Each is the listpack found inside a DUMP payload of the named vector (after
 * LZF decompression where the payload compressed it). */

/* redis-7.0.15/lists.json small_strings: RPUSH l a bb hello "" (the one node) */
static const char *HEX_LIST_SMALL_STRINGS = "170000000400816102826262038568656c6c6f068001ff";
static const char *LIST_SMALL_STRINGS_ARGS[] = {"a", "bb", "hello", ""};

/* redis-7.0.15/lists.json listpack_int_widths: the one node (LZF in the payload) */
static const char *HEX_LIST_INT_WIDTHS =
    "a40000001c00000105017f01c08002dfff02cfff02d00002f1001003f1ffef03f1ff7f03f1008003f200800004f2ff7fff04"
    "f2ffff7f04f200008004f30000800005f3ffff7fff05f3ffffff7f05f30000008005f4000000800000000009f4ffffff7fff"
    "ffffff09f4ffffffffffffff7f09f40000000000000080099339323233333732303336383534373735383038148330303704"
    "822d3003822b350383312e3504ff";
static const char *LIST_INT_WIDTHS_ARGS[] = {
    "0", "5", "127", "128", "-1", "4095", "-4096", "4096", "-4097", "32767", "-32768", "32768", "-32769", "8388607",
    "-8388608", "8388608", "-8388609", "2147483647", "-2147483648", "2147483648", "-2147483649",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "-0", "+5", "1.5"};

/* redis-7.0.15/hashes.json listpack_small: HSET h name redis ver 7 neg -5 empty "" */
static const char *HEX_HASH_SMALL = "2c0000000800846e616d65058572656469730683766572040701836e656704dffb0285656d707479068001ff";
static const char *HASH_SMALL_ARGS[] = {"name", "redis", "ver", "7", "neg", "-5", "empty", ""};

/* redis-7.0.15/hashes.json listpack_int_widths */
static const char *HEX_HASH_INT_WIDTHS =
    "3d0000000e0001017f010201cfff020301f1ff7f030401f2ffff7f040501f3ffffff7f050601f4ffffffffffffff7f090701f40000"
    "00000000008009ff";
static const char *HASH_INT_WIDTHS_ARGS[] = {"1", "127", "2", "4095", "3", "32767", "4", "8388607",
                                             "5", "2147483647", "6", "9223372036854775807", "7",
                                             "-9223372036854775808"};

/* redis-7.0.15/hashes.json listpack_value_64 (12-bit string), LZF in the payload */
static const char *HEX_HASH_VALUE_64 =
    "4d0000000200816602e040767676767676767676767676767676767676767676767676767676767676767676767676767676"
    "7676767676767676767676767676767676767676767676767642ff";

/* redis-7.0.15/zsets.json listpack_int_scores: member, score pairs in score order */
static const char *HEX_ZSET_INT_SCORES =
    "280000000a00836e656704dff9028161020101816202020181630203018362696704f2a0860104ff";
static const char *ZSET_INT_SCORES_ARGS[] = {"neg", "-7", "a", "1", "b", "2", "c", "3", "big", "100000"};

/* valkey-55bbbe0/sets.json listpack_mixed_int_widths (SET_LISTPACK, LZF in the payload) */
static const char *HEX_SET_MIXED =
    "ea0000001200856170706c650600017f01d00002cfff02f1ff7f03f1008003f2ffff7f04f200008004f3ffffff7f05f300000080"
    "05f4ffffffffffffff7f09f400000000000000800993393232333337323033363835343737353830381483303037048001bf7878"
    "78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787840e04079797979797979797979797979797979797979797979797979797979797979797979797979797979"
    "79797979797979797979797979797979797979797979797942ff";

/* valkey-55bbbe0/sets.json intset_plus_string_to_listpack: 1 2 3 x */
static const char *HEX_SET_INTS_AND_X = "100000000400010102010301817802ff";

/* ---- helpers -------------------------------------------------------------------- */

/* Decode hex into an exact-size zmalloc'ed buffer (so ASan catches overreads). */
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

static unsigned char *build_from_args(const char **args, size_t n) {
    unsigned char *lp = lpNew(0);
    for (size_t i = 0; i < n; i++) lp = lpAppend(lp, (const unsigned char *)args[i], (uint32_t)strlen(args[i]));
    return lp;
}

static void assert_same_bytes(const unsigned char *lp, const unsigned char *expect, size_t len) {
    assert_int_equal(lpBytes(lp), len);
    assert_memory_equal(lp, expect, len);
}

/* Text of the entry at p (integers as decimal). */
static size_t entry_text(unsigned char *p, unsigned char *out) {
    int64_t n;
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *s = lpGet(p, &n, buf);
    memcpy(out, s, (size_t)n);
    return (size_t)n;
}

/* Read every entry forwards and backwards and via lpSeek; compare to texts. */
static void assert_entries(unsigned char *lp, const char **texts, size_t n) {
    unsigned char buf[8192];
    assert_int_equal(lpLength(lp), n);
    unsigned char *p = lpFirst(lp);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(p);
        size_t l = entry_text(p, buf);
        assert_int_equal(l, strlen(texts[i]));
        assert_memory_equal(buf, texts[i], l);
        assert_true(lpCompare(p, (const unsigned char *)texts[i], (uint32_t)l));
        assert_ptr_equal(lpSeek(lp, (long)i), p);
        assert_ptr_equal(lpSeek(lp, (long)i - (long)n), p);
        p = lpNext(lp, p);
    }
    assert_null(p);
    p = lpLast(lp);
    for (size_t i = n; i > 0; i--) {
        assert_non_null(p);
        size_t l = entry_text(p, buf);
        assert_memory_equal(buf, texts[i - 1], l);
        p = lpPrev(lp, p);
    }
    assert_null(p);
    assert_null(lpSeek(lp, (long)n));
    assert_null(lpSeek(lp, -(long)n - 1));
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_empty(void **state) {
    (void)state;
    unsigned char *lp = lpNew(0);
    const unsigned char expect[] = {7, 0, 0, 0, 0, 0, 0xff};
    assert_same_bytes(lp, expect, 7);
    assert_int_equal(lpLength(lp), 0);
    assert_null(lpFirst(lp));
    assert_null(lpLast(lp));
    assert_null(lpSeek(lp, 0));
    assert_null(lpSeek(lp, -1));
    assert_true(lpValidateIntegrity(lp, 7, 1, NULL, NULL));
    lpFree(lp);
    lp = lpNew(100);
    assert_int_equal(lpBytes(lp), 7);
    lp = lpShrinkToFit(lp);
    assert_int_equal(lpBytes(lp), 7);
    lpFree(lp);
}

static void check_real_blob(const char *hex, const char **args, size_t nargs) {
    size_t len;
    unsigned char *blob = from_hex(hex, &len);
    assert_true(lpValidateIntegrity(blob, len, 1, NULL, NULL));
    assert_entries(blob, args, nargs);
    unsigned char *lp = build_from_args(args, nargs);
    assert_same_bytes(lp, blob, len);
    lpFree(lp);
    /* Built back to front with lpPrepend: same bytes. */
    lp = lpNew(0);
    for (size_t i = nargs; i > 0; i--)
        lp = lpPrepend(lp, (const unsigned char *)args[i - 1], (uint32_t)strlen(args[i - 1]));
    assert_same_bytes(lp, blob, len);
    lpFree(lp);
    zfree(blob);
}

static void test_real_blobs_roundtrip(void **state) {
    (void)state;
    check_real_blob(HEX_LIST_SMALL_STRINGS, LIST_SMALL_STRINGS_ARGS, 4);
    check_real_blob(HEX_LIST_INT_WIDTHS, LIST_INT_WIDTHS_ARGS, 28);
    check_real_blob(HEX_HASH_SMALL, HASH_SMALL_ARGS, 8);
    check_real_blob(HEX_HASH_INT_WIDTHS, HASH_INT_WIDTHS_ARGS, 14);
    check_real_blob(HEX_ZSET_INT_SCORES, ZSET_INT_SCORES_ARGS, 10);

    char v64[65];
    memset(v64, 'v', 64);
    v64[64] = '\0';
    const char *value64[] = {"f", v64};
    check_real_blob(HEX_HASH_VALUE_64, value64, 2);

    char x63[64], y64[65];
    memset(x63, 'x', 63);
    x63[63] = '\0';
    memset(y64, 'y', 64);
    y64[64] = '\0';
    const char *mixed[] = {"apple", "0", "127", "-4096", "4095", "32767", "-32768", "8388607", "-8388608",
                           "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808",
                           "9223372036854775808", "007", "", x63, y64};
    check_real_blob(HEX_SET_MIXED, mixed, 18);

    const char *ints_x[] = {"1", "2", "3", "x"};
    check_real_blob(HEX_SET_INTS_AND_X, ints_x, 4);
}

/* The 32-bit string framing of redis-7.0.15/lists.json element_over_8k (its
 * 9000-byte element made a one-entry node of 9014 bytes): header, string
 * header and the 2-byte backlen + terminator. */
static void test_real_32bit_string_framing(void **state) {
    (void)state;
    const unsigned char head[] = {0x36, 0x23, 0x00, 0x00, 0x01, 0x00, 0xf0, 0x28, 0x23, 0x00, 0x00};
    const unsigned char tail[] = {0x46, 0xad, 0xff};
    unsigned char *s = zmalloc(9000);
    memset(s, 'c', 9000);
    unsigned char *lp = lpAppend(lpNew(0), s, 9000);
    assert_int_equal(lpBytes(lp), 9014);
    assert_memory_equal(lp, head, sizeof(head));
    assert_memory_equal(lp + 9014 - 3, tail, 3);
    assert_true(lpValidateIntegrity(lp, 9014, 1, NULL, NULL));
    unsigned int slen = 0;
    long long lv;
    unsigned char *v = lpGetValue(lpFirst(lp), &slen, &lv);
    assert_int_equal(slen, 9000);
    assert_memory_equal(v, s, 9000);
    lpFree(lp);
    zfree(s);
}

typedef struct {
    long long v;
    unsigned char first; /* encoding byte (or the value itself for 7-bit) */
    unsigned size;       /* entry size incl. backlen */
} int_case;

/* lpGetValueNext gives what lpGetValue + lpNext give, for every encoding. */
static void test_get_value_next(void **state) {
    (void)state;
    static unsigned char big[70000];
    memset(big, 'q', sizeof(big));
    const long long ints[] = {0, 127, 128, -1, 4095, -4096, 4096, 32767, -32769, 8388607, -8388609,
                              2147483647LL, -2147483649LL, INT64_MAX, INT64_MIN};
    const size_t strs[] = {0, 1, 63, 64, 127, 128, 4095, 4096, 16383, 16384, 70000};
    unsigned char *lp = lpNew(0);
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        lp = lpAppendInteger(lp, ints[i]);
        lp = lpAppend(lp, big, (uint32_t)strs[i % (sizeof(strs) / sizeof(strs[0]))]);
    }
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) lp = lpAppend(lp, big, (uint32_t)strs[i]);
    unsigned long n = 0;
    for (unsigned char *p = lpFirst(lp); p; n++) {
        unsigned int l1 = 0, l2 = 0;
        long long v1 = 0, v2 = 0;
        unsigned char *next;
        unsigned char *s1 = lpGetValue(p, &l1, &v1);
        unsigned char *s2 = lpGetValueNext(p, &l2, &v2, &next);
        assert_ptr_equal(s1, s2);
        if (s1) assert_int_equal(l1, l2);
        else assert_true(v1 == v2);
        assert_ptr_equal(next, lpNext(lp, p));
        p = next;
    }
    assert_int_equal(n, lpLength(lp));
    lpFree(lp);
}

static void test_int_boundaries(void **state) {
    (void)state;
    const int_case cases[] = {
        {0, 0x00, 2},
        {127, 0x7f, 2},
        {128, 0xc0, 3},
        {-1, 0xdf, 3},
        {4095, 0xcf, 3},
        {-4096, 0xd0, 3},
        {4096, 0xf1, 4},
        {-4097, 0xf1, 4},
        {32767, 0xf1, 4},
        {-32768, 0xf1, 4},
        {32768, 0xf2, 5},
        {-32769, 0xf2, 5},
        {8388607, 0xf2, 5},
        {-8388608, 0xf2, 5},
        {8388608, 0xf3, 6},
        {-8388609, 0xf3, 6},
        {2147483647LL, 0xf3, 6},
        {-2147483648LL, 0xf3, 6},
        {2147483648LL, 0xf4, 10},
        {-2147483649LL, 0xf4, 10},
        {INT64_MAX, 0xf4, 10},
        {INT64_MIN, 0xf4, 10},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *a = lpAppendInteger(lpNew(0), cases[i].v);
        assert_int_equal(lpBytes(a), 7 + cases[i].size);
        assert_int_equal(a[6], cases[i].first);
        assert_int_equal(lpEntrySize(a + 6), cases[i].size);
        assert_int_equal(lpEntrySizeInteger(cases[i].v), cases[i].size);
        /* Backlen = entry size - 1. */
        assert_int_equal(a[6 + cases[i].size - 1], cases[i].size - 1);
        unsigned int slen;
        long long got = 0;
        assert_null(lpGetValue(lpFirst(a), &slen, &got));
        assert_true(got == cases[i].v);
        int64_t cnt;
        assert_null(lpGet(lpFirst(a), &cnt, NULL));
        assert_true(cnt == cases[i].v);
        /* The decimal text is stored identically. */
        char txt[32];
        int n = snprintf(txt, sizeof(txt), "%lld", cases[i].v);
        unsigned char *b = lpAppend(lpNew(0), (unsigned char *)txt, (uint32_t)n);
        assert_same_bytes(b, a, lpBytes(a));
        assert_int_equal(lpEntrySizeString((unsigned char *)txt, (uint32_t)n), cases[i].size);
        assert_true(lpCompare(lpFirst(a), (unsigned char *)txt, (uint32_t)n));
        assert_non_null(lpFind(a, lpFirst(a), (unsigned char *)txt, (uint32_t)n, 0));
        assert_true(lpValidateIntegrity(a, lpBytes(a), 1, NULL, NULL));
        lpFree(a);
        lpFree(b);
    }
}

static void test_string_to_int_rules(void **state) {
    (void)state;
    const char *ints[] = {"0", "1", "-1", "9223372036854775807", "-9223372036854775808", "10", "-10"};
    const char *strs[] = {"",    "-",    "-0",  "00",   "01",  "+1",  " 1",  "1 ",  "1.5", "1e3",
                          "0x1", "007", "9223372036854775808", "-9223372036854775809",
                          "18446744073709551616", "123456789012345678901", "--1", "1-"};
    int64_t v;
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        assert_true(lpStringToInt64(ints[i], strlen(ints[i]), &v));
    assert_true(lpStringToInt64("-9223372036854775808", 20, &v) && v == INT64_MIN);
    assert_true(lpStringToInt64("9223372036854775807", 19, &v) && v == INT64_MAX);
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        assert_false(lpStringToInt64(strs[i], strlen(strs[i]), &v));
        /* Non-canonical numbers stay strings: 6-bit string encoding. */
        unsigned char *lp = lpAppend(lpNew(0), (const unsigned char *)strs[i], (uint32_t)strlen(strs[i]));
        assert_int_equal(lp[6] & 0xc0, 0x80);
        lpFree(lp);
    }
}

/* String length classes and every backlen width up to 4 bytes, at the exact
 * boundaries (encoding header + data = L; backlen 1 byte for L <= 127, 2 for
 * L < 16383, 3 for L < 2097151, then 4). */
static void test_string_boundaries(void **state) {
    (void)state;
    struct {
        uint32_t len;
        unsigned char first_mask, first_val;
        unsigned hdr, blen;
    } cases[] = {
        {0, 0xc0, 0x80, 1, 1},        {1, 0xc0, 0x80, 1, 1},         {63, 0xc0, 0x80, 1, 1},
        {64, 0xf0, 0xe0, 2, 1},       {125, 0xf0, 0xe0, 2, 1},       {126, 0xf0, 0xe0, 2, 2},
        {4095, 0xff, 0xef, 2, 2},     {4096, 0xff, 0xf0, 5, 2},      {16377, 0xff, 0xf0, 5, 2},
        {16378, 0xff, 0xf0, 5, 3},    {2097145, 0xff, 0xf0, 5, 3},   {2097146, 0xff, 0xf0, 5, 4},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t len = cases[i].len;
        unsigned char *s = zmalloc(len ? len : 1);
        for (uint32_t j = 0; j < len; j++) s[j] = (unsigned char)('a' + j % 26);
        unsigned char *lp = lpAppendInteger(lpNew(0), 1);
        lp = lpAppend(lp, s, len);
        lp = lpAppendInteger(lp, 2);
        unsigned char *p = lpSeek(lp, 1);
        assert_int_equal(p[0] & cases[i].first_mask, cases[i].first_val);
        uint64_t L = cases[i].hdr + (uint64_t)len;
        assert_int_equal(lpEntrySize(p), L + cases[i].blen);
        assert_int_equal(lpEntrySizeString(s, len), L + cases[i].blen);
        assert_int_equal(lpBytes(lp), 7 + 2 + L + cases[i].blen + 2);
        /* Backlen bytes: big-endian 7-bit groups, continuation bit on all but the first. */
        const unsigned char *bl = p + L;
        uint64_t dec = 0;
        for (unsigned k = 0; k < cases[i].blen; k++) {
            if (k == 0)
                assert_int_equal(bl[k] & 0x80, 0);
            else
                assert_int_equal(bl[k] & 0x80, 0x80);
            dec = (dec << 7) | (bl[k] & 0x7f);
        }
        assert_int_equal(dec, L);
        unsigned int slen = 0;
        long long lv;
        unsigned char *v = lpGetValue(p, &slen, &lv);
        assert_int_equal(slen, len);
        if (len) assert_memory_equal(v, s, len);
        /* Backwards traversal crosses the entry correctly. */
        assert_ptr_equal(lpPrev(lp, lpLast(lp)), p);
        assert_ptr_equal(lpPrev(lp, p), lpFirst(lp));
        assert_true(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
        assert_non_null(lpFind(lp, lpFirst(lp), s, len, 0));
        lpFree(lp);
        zfree(s);
    }
}

static void test_insert_replace_delete(void **state) {
    (void)state;
    unsigned char *lp = lpNew(0), *p, *np;
    lp = lpAppend(lp, (unsigned char *)"b", 1);
    lp = lpPrepend(lp, (unsigned char *)"a", 1);
    lp = lpAppendInteger(lp, 100);
    lp = lpPrependInteger(lp, -5);
    const char *e1[] = {"-5", "a", "b", "100"};
    assert_entries(lp, e1, 4);

    p = lpSeek(lp, 1);
    lp = lpInsertString(lp, (unsigned char *)"after-a", 7, p, LP_AFTER, &np);
    assert_true(lpCompare(np, (unsigned char *)"after-a", 7));
    p = lpSeek(lp, 0);
    lp = lpInsertInteger(lp, 42, p, LP_BEFORE, &np);
    assert_ptr_equal(np, lpFirst(lp));
    const char *e2[] = {"42", "-5", "a", "after-a", "b", "100"};
    assert_entries(lp, e2, 6);

    /* Replace with a longer, a shorter and an integer value. */
    p = lpSeek(lp, 2);
    lp = lpReplace(lp, &p, (unsigned char *)"a-much-longer-string-value-than-before-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 70);
    assert_true(lpCompare(p, (unsigned char *)"a-much-longer-string-value-than-before-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 70));
    p = lpSeek(lp, 2);
    lp = lpReplace(lp, &p, (unsigned char *)"s", 1);
    p = lpSeek(lp, 3);
    lp = lpReplaceInteger(lp, &p, 123456789);
    const char *e3[] = {"42", "-5", "s", "123456789", "b", "100"};
    assert_entries(lp, e3, 6);

    /* Replacing from a string that lives inside the listpack itself. */
    p = lpSeek(lp, 4);
    unsigned char *self = lpSeek(lp, 2);
    unsigned int sl;
    long long lv;
    unsigned char *sv = lpGetValue(self, &sl, &lv);
    lp = lpReplace(lp, &p, sv, sl);
    const char *e4[] = {"42", "-5", "s", "123456789", "s", "100"};
    assert_entries(lp, e4, 6);

    /* Delete: newp is the following entry, NULL after the last. */
    p = lpSeek(lp, 1);
    lp = lpDelete(lp, p, &np);
    assert_true(lpCompare(np, (unsigned char *)"s", 1));
    p = lpLast(lp);
    lp = lpDelete(lp, p, &np);
    assert_null(np);
    const char *e5[] = {"42", "s", "123456789", "s"};
    assert_entries(lp, e5, 4);

    /* Ranges. */
    lp = lpDeleteRange(lp, 1, 2);
    const char *e6[] = {"42", "s"};
    assert_entries(lp, e6, 2);
    lp = lpDeleteRange(lp, 5, 1); /* out of range: nothing */
    assert_int_equal(lpLength(lp), 2);
    lp = lpDeleteRange(lp, -1, 10);
    const char *e7[] = {"42"};
    assert_entries(lp, e7, 1);
    p = lpFirst(lp);
    lp = lpDeleteRangeWithEntry(lp, &p, 100);
    assert_int_equal(lpLength(lp), 0);
    assert_int_equal(*p, 0xff);
    assert_int_equal(lpBytes(lp), 7);
    assert_true(lpValidateIntegrity(lp, 7, 1, NULL, NULL));
    lpFree(lp);
}

static void test_batch_ops(void **state) {
    (void)state;
    listpackEntry ents[5] = {
        {(unsigned char *)"f1", 2, 0}, {NULL, 0, 7}, {(unsigned char *)"f2", 2, 0}, {(unsigned char *)"-12", 3, 0},
        {(unsigned char *)"", 0, 0}};
    unsigned char *lp = lpBatchAppend(lpNew(0), ents, 5);
    const char *e1[] = {"f1", "7", "f2", "-12", ""};
    assert_entries(lp, e1, 5);
    /* Same bytes as one-by-one appends. */
    unsigned char *ref = build_from_args(e1, 5);
    assert_same_bytes(lp, ref, lpBytes(ref));
    lpFree(ref);

    unsigned char *np;
    lp = lpBatchInsert(lp, lpSeek(lp, 1), LP_AFTER, ents, 2, &np);
    assert_true(lpCompare(np, (unsigned char *)"f1", 2));
    const char *e2[] = {"f1", "7", "f1", "7", "f2", "-12", ""};
    assert_entries(lp, e2, 7);

    unsigned char *del[3];
    del[0] = lpSeek(lp, 0);
    del[1] = lpSeek(lp, 3);
    del[2] = lpSeek(lp, 6);
    lp = lpBatchDelete(lp, del, 3);
    const char *e3[] = {"7", "f1", "f2", "-12"};
    assert_entries(lp, e3, 4);
    assert_true(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
    lpFree(lp);
}

static void test_merge(void **state) {
    (void)state;
    const char *a_args[] = {"a", "1", "b"};
    const char *b_args[] = {"c", "2", "d", "some longer text to make b the bigger listpack"};
    const char *all[] = {"a", "1", "b", "c", "2", "d", "some longer text to make b the bigger listpack"};
    unsigned char *ref = build_from_args(all, 7);

    /* Second is bigger: it is kept, the first is freed. */
    unsigned char *a = build_from_args(a_args, 3), *b = build_from_args(b_args, 4);
    unsigned char *m = lpMerge(&a, &b);
    assert_non_null(m);
    assert_null(a);
    assert_ptr_equal(b, m);
    assert_same_bytes(m, ref, lpBytes(ref));
    lpFree(m);

    /* First is bigger: it is kept. */
    const char *c_args[] = {"a", "1", "b", "c", "2", "d"};
    const char *d_args[] = {"some longer text to make b the bigger listpack"};
    a = build_from_args(b_args, 4);
    b = build_from_args(a_args, 3);
    m = lpMerge(&a, &b);
    assert_ptr_equal(a, m);
    assert_null(b);
    const char *swapped[] = {"c", "2", "d", "some longer text to make b the bigger listpack", "a", "1", "b"};
    unsigned char *ref2 = build_from_args(swapped, 7);
    assert_same_bytes(m, ref2, lpBytes(ref2));
    lpFree(ref2);
    lpFree(m);
    /* Same sizes on both sides. */
    a = build_from_args(c_args, 6);
    b = build_from_args(d_args, 1);
    m = lpMerge(&a, &b);
    assert_non_null(m);
    assert_same_bytes(m, ref, lpBytes(ref));

    /* Merging with itself or NULL is refused. */
    unsigned char *same = m;
    assert_null(lpMerge(&m, &same));
    unsigned char *nul = NULL;
    assert_null(lpMerge(&m, &nul));
    lpFree(m);

    /* Empty + non-empty. */
    a = lpNew(0);
    b = build_from_args(all, 7);
    m = lpMerge(&a, &b);
    assert_same_bytes(m, ref, lpBytes(ref));
    lpFree(m);
    lpFree(ref);
}

static void test_find_and_compare(void **state) {
    (void)state;
    const char *h[] = {"f1", "v1", "100", "v100", "f2", "f1", "007", "7"};
    unsigned char *lp = build_from_args(h, 8);
    /* skip=1: only fields (even indexes) are compared. */
    unsigned char *p = lpFind(lp, lpFirst(lp), (unsigned char *)"f1", 2, 1);
    assert_ptr_equal(p, lpSeek(lp, 0));
    p = lpFind(lp, lpFirst(lp), (unsigned char *)"v1", 2, 1);
    assert_null(p);
    p = lpFind(lp, lpFirst(lp), (unsigned char *)"v1", 2, 0);
    assert_ptr_equal(p, lpSeek(lp, 1));
    p = lpFind(lp, lpFirst(lp), (unsigned char *)"100", 3, 1);
    assert_ptr_equal(p, lpSeek(lp, 2));
    p = lpFind(lp, lpSeek(lp, 1), (unsigned char *)"f1", 2, 1); /* starting at odd index */
    assert_ptr_equal(p, lpSeek(lp, 5));
    /* "007" is a string entry, "7" an integer; neither matches the other. */
    p = lpFind(lp, lpFirst(lp), (unsigned char *)"7", 1, 0);
    assert_ptr_equal(p, lpSeek(lp, 7));
    p = lpFind(lp, lpFirst(lp), (unsigned char *)"007", 3, 0);
    assert_ptr_equal(p, lpSeek(lp, 6));
    assert_null(lpFind(lp, lpFirst(lp), (unsigned char *)"+7", 2, 0));
    assert_null(lpFind(lp, NULL, (unsigned char *)"f1", 2, 0));
    assert_true(lpCompare(lpSeek(lp, 2), (unsigned char *)"100", 3));
    assert_false(lpCompare(lpSeek(lp, 2), (unsigned char *)"1000", 4));
    assert_false(lpCompare(lpSeek(lp, 0), (unsigned char *)"f", 1));

    listpackEntry e;
    lpGetEntry(lpSeek(lp, 2), &e);
    assert_null(e.sval);
    assert_int_equal(e.lval, 100);
    lpGetEntry(lpSeek(lp, 3), &e);
    assert_int_equal(e.slen, 4);
    assert_memory_equal(e.sval, "v100", 4);
    unsigned char buf[LP_INTBUF_SIZE];
    int64_t n;
    unsigned char *s = lpGet(lpSeek(lp, 2), &n, buf);
    assert_ptr_equal(s, buf);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "100", 3);
    lpFree(lp);

    /* INT64_MIN text via intbuf. */
    lp = lpAppendInteger(lpNew(0), INT64_MIN);
    s = lpGet(lpFirst(lp), &n, buf);
    assert_int_equal(n, 20);
    assert_memory_equal(s, "-9223372036854775808", 20);
    lpFree(lp);
}

/* More than 65534 entries: the header count becomes 65535 ("unknown") and
 * lpLength counts; once below 65535 again, lpLength writes it back. */
static void test_unknown_count(void **state) {
    (void)state;
    /* Built in one batch (one reallocation). */
    listpackEntry *many = zmalloc(sizeof(listpackEntry) * 65534);
    for (int i = 0; i < 65534; i++) {
        many[i].sval = NULL;
        many[i].slen = 0;
        many[i].lval = i & 127;
    }
    unsigned char *lp = lpBatchAppend(lpNew(0), many, 65534);
    zfree(many);
    assert_int_equal(lpBytes(lp), 7 + 2 * 65534);
    assert_int_equal(lp[4] | (lp[5] << 8), 65534);
    lp = lpAppendInteger(lp, 1);
    assert_int_equal(lp[4] | (lp[5] << 8), 65535);
    lp = lpAppendInteger(lp, 2);
    assert_int_equal(lp[4] | (lp[5] << 8), 65535);
    assert_int_equal(lpLength(lp), 65536);
    assert_true(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
    unsigned char *p = lpSeek(lp, -1);
    long long v;
    unsigned int sl;
    assert_null(lpGetValue(p, &sl, &v));
    assert_int_equal(v, 2);
    lp = lpDeleteRange(lp, 0, 2);
    assert_int_equal(lp[4] | (lp[5] << 8), 65535);
    assert_int_equal(lpLength(lp), 65534);
    assert_int_equal(lp[4] | (lp[5] << 8), 65534);
    /* A wrong known count is rejected by the deep check. */
    lp[4] = 1;
    lp[5] = 0;
    assert_false(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
    assert_true(lpValidateIntegrity(lp, lpBytes(lp), 0, NULL, NULL));
    lpFree(lp);
}

static int count_cb(unsigned char *p, unsigned int head_count, void *ud) {
    (void)p;
    int *c = ud;
    (*c)++;
    return head_count != 999; /* never 999 here */
}
static int reject_third_cb(unsigned char *p, unsigned int head_count, void *ud) {
    (void)p;
    (void)head_count;
    int *c = ud;
    return ++(*c) < 3;
}

/* Walk a listpack that passed validation with every reader (ASan watches). */
static void exercise_reader(unsigned char *lp) {
    unsigned long n = lpLength(lp);
    unsigned long seen = 0;
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        int64_t cnt;
        unsigned char *s = lpGet(p, &cnt, buf);
        volatile unsigned char sink = 0;
        for (int64_t i = 0; i < cnt; i++) sink ^= s[i];
        (void)sink;
        seen++;
    }
    assert_int_equal(seen, n);
    seen = 0;
    for (unsigned char *p = lpLast(lp); p; p = lpPrev(lp, p)) seen++;
    assert_int_equal(seen, n);
    if (n) {
        assert_non_null(lpSeek(lp, (long)n - 1));
        assert_non_null(lpSeek(lp, -(long)n));
    }
    lpFind(lp, lpFirst(lp), (unsigned char *)"zz-not-there", 12, 0);
    lpFind(lp, lpFirst(lp), (unsigned char *)"12345", 5, 1);
}

static void fuzz_blob(const char *hex) {
    size_t len;
    unsigned char *orig = from_hex(hex, &len);
    assert_true(lpValidateIntegrity(orig, len, 1, NULL, NULL));
    int cnt = 0;
    assert_true(lpValidateIntegrity(orig, len, 1, count_cb, &cnt));
    assert_int_equal((unsigned long)cnt, lpLength(orig));
    if (cnt >= 3) {
        cnt = 0;
        assert_false(lpValidateIntegrity(orig, len, 1, reject_third_cb, &cnt));
    }

    /* Every truncation: the header total no longer matches. */
    for (size_t n = 0; n < len; n++) {
        unsigned char *t = zmalloc(n ? n : 1);
        memcpy(t, orig, n);
        assert_false(lpValidateIntegrity(t, n, 0, NULL, NULL));
        assert_false(lpValidateIntegrity(t, n, 1, NULL, NULL));
        /* Same truncation with the header patched to look right: only the
         * deep walk can tell, and it must never read past the buffer. */
        if (n >= 7) {
            t[0] = n & 0xff;
            t[1] = (n >> 8) & 0xff;
            t[2] = (n >> 16) & 0xff;
            t[3] = (n >> 24) & 0xff;
            t[n - 1] = 0xff;
            if (lpValidateIntegrity(t, n, 1, NULL, NULL)) exercise_reader(t);
            t[4] = t[5] = 0xff; /* unknown count */
            if (lpValidateIntegrity(t, n, 1, NULL, NULL)) exercise_reader(t);
        }
        zfree(t);
    }
    /* Every single-byte change to every value: each is rejected, or accepted
     * and then readable without any out-of-bounds access. String payload bytes
     * can change freely, so some variants must be accepted. */
    unsigned char *t = zmalloc(len);
    unsigned long accepted = 0, rejected = 0;
    for (size_t pos = 0; pos < len; pos++) {
        for (int val = 0; val < 256; val++) {
            if (val == orig[pos]) continue;
            memcpy(t, orig, len);
            t[pos] = (unsigned char)val;
            if (lpValidateIntegrity(t, len, 1, NULL, NULL)) {
                exercise_reader(t);
                accepted++;
            } else {
                rejected++;
            }
        }
    }
    assert_true(accepted > 0);
    assert_true(rejected > 0);
    /* Any change to the header or the terminator is always caught. */
    for (size_t pos = 0; pos < 6; pos++) {
        memcpy(t, orig, len);
        t[pos] ^= 0x01;
        assert_false(lpValidateIntegrity(t, len, 1, NULL, NULL));
    }
    memcpy(t, orig, len);
    t[len - 1] = 0xfe;
    assert_false(lpValidateIntegrity(t, len, 0, NULL, NULL));
    zfree(t);
    zfree(orig);
}

static void test_validate_corrupt(void **state) {
    (void)state;
    fuzz_blob(HEX_LIST_SMALL_STRINGS);
    fuzz_blob(HEX_LIST_INT_WIDTHS);
    fuzz_blob(HEX_HASH_SMALL);
    fuzz_blob(HEX_HASH_VALUE_64);
    fuzz_blob(HEX_SET_MIXED);
}

static void test_validate_specific(void **state) {
    (void)state;
    size_t len;
    unsigned char *b;
    /* Too small / NULL. */
    unsigned char six[6] = {6, 0, 0, 0, 0, 0};
    assert_false(lpValidateIntegrity(six, 6, 0, NULL, NULL));
    assert_false(lpValidateIntegrity(NULL, 7, 0, NULL, NULL));
    /* Count says 1 but there are none. */
    b = from_hex("07000000010" "0ff", &len);
    assert_true(lpValidateIntegrity(b, len, 0, NULL, NULL));
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* Invalid encoding byte 0xF5. */
    b = from_hex("09000000010" "0f501ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* Wrong backlen. */
    b = from_hex("0900000001000102ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    b = from_hex("0900000001000101ff", &len);
    assert_true(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* 6-bit string "abc" (the validator's fast path): valid, wrong backlen,
     * length running into the terminator. */
    b = from_hex("0c0000000100" "83616263" "04" "ff", &len);
    assert_true(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    b = from_hex("0c0000000100" "83616263" "05" "ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    b = from_hex("0c0000000100" "85616263" "04" "ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* Non-canonical 2-byte backlen for a 1-byte entry. */
    b = from_hex("0a000000010001" "0081ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* Terminator in the middle (extra garbage after it). */
    b = from_hex("0a0000000100" "0101ff" "ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* 32-bit string length pointing far beyond the end. */
    b = from_hex("0d000000010" "0f0ffffffff" "01ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* 12-bit string whose header is cut by the terminator. */
    b = from_hex("08000000010" "0e0ff", &len);
    assert_false(lpValidateIntegrity(b, len, 1, NULL, NULL));
    zfree(b);
    /* lpValidateFirst / lpValidateNext walking by hand. */
    b = from_hex(HEX_HASH_SMALL, &len);
    unsigned char *p = lpValidateFirst(b);
    int n = 0;
    while (p) {
        assert_true(lpValidateNext(b, &p, len));
        n++;
    }
    assert_int_equal(n, 8);
    p = b + 3; /* inside the header */
    assert_false(lpValidateNext(b, &p, len));
    p = b + len; /* past the end */
    assert_false(lpValidateNext(b, &p, len));
    zfree(b);
}

static void test_safe_to_add(void **state) {
    (void)state;
    unsigned char *lp = lpNew(0);
    assert_true(lpSafeToAdd(NULL, LISTPACK_MAX_SAFETY_SIZE));
    assert_false(lpSafeToAdd(NULL, (size_t)LISTPACK_MAX_SAFETY_SIZE + 1));
    assert_true(lpSafeToAdd(lp, LISTPACK_MAX_SAFETY_SIZE - 7));
    assert_false(lpSafeToAdd(lp, LISTPACK_MAX_SAFETY_SIZE - 6));
    assert_false(lpSafeToAdd(lp, SIZE_MAX));
    lpFree(lp);
}

static unsigned char *numbered_pairs(int pairs) {
    unsigned char *lp = lpNew(0);
    for (int i = 0; i < pairs; i++) {
        char f[16];
        int n = snprintf(f, sizeof(f), "f%d", i);
        lp = lpAppend(lp, (unsigned char *)f, (uint32_t)n);
        lp = lpAppendInteger(lp, i);
    }
    return lp;
}

static int field_num(const listpackEntry *e) {
    char tmp[16];
    assert_true(e->slen < sizeof(tmp));
    memcpy(tmp, e->sval + 1, e->slen - 1);
    tmp[e->slen - 1] = '\0';
    return atoi(tmp);
}

static void test_random(void **state) {
    (void)state;
    srandom(12345);
    unsigned char *lp = numbered_pairs(10);
    listpackEntry k, v;
    int hits[10] = {0};
    for (int i = 0; i < 2000; i++) {
        lpRandomPair(lp, 10, &k, &v);
        int f = field_num(&k);
        assert_true(f >= 0 && f < 10);
        assert_null(v.sval);
        assert_int_equal(v.lval, f);
        hits[f]++;
    }
    for (int i = 0; i < 10; i++) assert_true(hits[i] > 100);

    listpackEntry ks[50], vs[50];
    lpRandomPairs(lp, 50, ks, vs);
    for (int i = 0; i < 50; i++) assert_int_equal(vs[i].lval, field_num(&ks[i]));

    unsigned int got = lpRandomPairsUnique(lp, 4, ks, vs);
    assert_int_equal(got, 4);
    for (unsigned i = 1; i < got; i++) assert_true(field_num(&ks[i]) > field_num(&ks[i - 1]));
    got = lpRandomPairsUnique(lp, 50, ks, NULL);
    assert_int_equal(got, 10);
    for (unsigned i = 0; i < got; i++) assert_int_equal(field_num(&ks[i]), (int)i);

    /* Selection sampling over pairs: exactly `count` distinct even entries. */
    for (int round = 0; round < 50; round++) {
        unsigned int idx = 0, remaining = 3, picked = 0;
        int last = -1;
        unsigned char *p = lpFirst(lp);
        while (remaining && (p = lpNextRandom(lp, p, &idx, remaining, 1))) {
            assert_int_equal(idx % 2, 0);
            assert_true((int)idx > last);
            last = (int)idx;
            picked++;
            remaining--;
            p = lpNext(lp, p);
            idx++;
        }
        assert_int_equal(picked, 3);
    }
    lpFree(lp);

    /* Single-element variants (sets). */
    const char *m[] = {"a", "b", "c", "1", "2"};
    lp = build_from_args(m, 5);
    listpackEntry es[20];
    lpRandomEntry(lp, &es[0]);
    assert_true(es[0].sval != NULL || (es[0].lval >= 1 && es[0].lval <= 2));
    lpRandomEntries(lp, 20, es);
    got = lpRandomEntriesUnique(lp, 3, es);
    assert_int_equal(got, 3);
    got = lpRandomEntriesUnique(lp, 9, es);
    assert_int_equal(got, 5);
    assert_memory_equal(es[0].sval, "a", 1);
    assert_int_equal(es[4].lval, 2);
    unsigned int idx = 0, picked = 0;
    unsigned char *p = lpFirst(lp);
    while ((p = lpNextRandom(lp, p, &idx, 5 - picked, 0))) {
        assert_int_equal(idx, picked);
        picked++;
        p = lpNext(lp, p);
        idx++;
    }
    assert_int_equal(picked, 5);
    lpFree(lp);

    lp = lpNew(0);
    lpRandomEntry(lp, &es[0]);
    assert_null(es[0].sval);
    assert_int_equal(lpRandomEntriesUnique(lp, 3, es), 0);
    lpFree(lp);
}

static void test_dup_and_model(void **state) {
    (void)state;
    /* Random edits against a model array of strings. */
    srandom(777);
    char *model[400];
    size_t mlen[400];
    int n = 0;
    unsigned char *lp = lpNew(0);
    for (int step = 0; step < 3000; step++) {
        int op = (int)(random() % 6);
        if (op <= 2 || n == 0) {
            if (n >= 400) continue;
            char tmp[200];
            size_t l;
            if (random() % 2) {
                l = (size_t)snprintf(tmp, sizeof(tmp), "%ld", (long)(random() % 2000000) - 1000000);
            } else {
                l = (size_t)(random() % 150);
                for (size_t j = 0; j < l; j++) tmp[j] = (char)('A' + random() % 50);
            }
            int at = n ? (int)(random() % (n + 1)) : 0;
            unsigned char *p = at < n ? lpSeek(lp, at) : lp + lpBytes(lp) - 1;
            lp = lpInsertString(lp, (unsigned char *)tmp, (uint32_t)l, p, LP_BEFORE, NULL);
            memmove(&model[at + 1], &model[at], sizeof(char *) * (size_t)(n - at));
            memmove(&mlen[at + 1], &mlen[at], sizeof(size_t) * (size_t)(n - at));
            model[at] = zmalloc(l + 1);
            memcpy(model[at], tmp, l);
            mlen[at] = l;
            n++;
        } else if (op == 3) {
            int at = (int)(random() % n);
            lp = lpDelete(lp, lpSeek(lp, at), NULL);
            zfree(model[at]);
            memmove(&model[at], &model[at + 1], sizeof(char *) * (size_t)(n - at - 1));
            memmove(&mlen[at], &mlen[at + 1], sizeof(size_t) * (size_t)(n - at - 1));
            n--;
        } else if (op == 4) {
            int at = (int)(random() % n);
            unsigned char *p = lpSeek(lp, at);
            char tmp[32];
            size_t l = (size_t)snprintf(tmp, sizeof(tmp), "r%ld", random() % 1000);
            lp = lpReplace(lp, &p, (unsigned char *)tmp, (uint32_t)l);
            zfree(model[at]);
            model[at] = zmalloc(l + 1);
            memcpy(model[at], tmp, l);
            mlen[at] = l;
        } else {
            unsigned char *d = lpDup(lp);
            assert_memory_equal(d, lp, lpBytes(lp));
            lpFree(lp);
            lp = d;
        }
        if (step % 100 == 0 || step == 2999) {
            assert_true(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
            assert_int_equal(lpLength(lp), (unsigned long)n);
            unsigned char buf[200];
            unsigned char *p = lpFirst(lp);
            for (int i = 0; i < n; i++) {
                size_t l = entry_text(p, buf);
                assert_int_equal(l, mlen[i]);
                assert_memory_equal(buf, model[i], l);
                p = lpNext(lp, p);
            }
        }
    }
    for (int i = 0; i < n; i++) zfree(model[i]);
    lpFree(lp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_real_blobs_roundtrip),
        cmocka_unit_test(test_real_32bit_string_framing),
        cmocka_unit_test(test_int_boundaries),
        cmocka_unit_test(test_get_value_next),
        cmocka_unit_test(test_string_to_int_rules),
        cmocka_unit_test(test_string_boundaries),
        cmocka_unit_test(test_insert_replace_delete),
        cmocka_unit_test(test_batch_ops),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_find_and_compare),
        cmocka_unit_test(test_unknown_count),
        cmocka_unit_test(test_validate_specific),
        cmocka_unit_test(test_validate_corrupt),
        cmocka_unit_test(test_safe_to_add),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_dup_and_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
