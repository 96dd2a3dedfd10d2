/* Unit tests of number formatting/parsing and glob matching (src/util.c) and dstr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dstr.h"
#include "util.h"

static void test_string2ll(void **state) {
    (void)state;
    long long v;
    assert_true(string2ll("0", 1, &v) && v == 0);
    assert_true(string2ll("-9223372036854775808", 20, &v) && v == LLONG_MIN);
    assert_true(string2ll("9223372036854775807", 19, &v) && v == LLONG_MAX);
    assert_false(string2ll("9223372036854775808", 19, &v));
    assert_false(string2ll("01", 2, &v));
    assert_false(string2ll("+1", 2, &v));
    assert_false(string2ll(" 1", 2, &v));
    assert_false(string2ll("-", 1, &v));
    assert_false(string2ll("-0", 2, &v));
    assert_false(string2ll("", 0, &v));
    char buf[LONG_STR_SIZE];
    assert_int_equal(ll2string(buf, sizeof(buf), LLONG_MIN), 20);
    assert_string_equal(buf, "-9223372036854775808");
}

static void checkD(double d, const char *expect) {
    char buf[MAX_D2STRING_CHARS];
    d2string(buf, sizeof(buf), d);
    assert_string_equal(buf, expect);
}

/* Redis 7.2 prints the shortest text that reads back exactly (the Valkey vectors show it). */
static void test_d2string(void **state) {
    (void)state;
    checkD(0.1, "0.1");
    checkD(1.5, "1.5");
    checkD(-2.0, "-2");
    checkD(100, "100");
    checkD(5e-324, "5e-324");
    checkD(1e300, "1e+300");
    checkD(M_PI, "3.141592653589793");
    checkD(DBL_MAX, "1.7976931348623157e+308");
    checkD(4503599627370496.0, "4503599627370496");
    checkD(9007199254740993.0, "9007199254740992");
    checkD(1e17, "1e+17");
    checkD(0.0001, "0.0001");
    checkD(0.00001, "1e-05");
    checkD(INFINITY, "inf");
    checkD(-INFINITY, "-inf");
    checkD(-0.0, "-0");
    /* round trip of random doubles */
    srand(1);
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^ (uint64_t)rand();
        double d;
        memcpy(&d, &bits, sizeof(d));
        if (isnan(d) || isinf(d)) continue;
        char buf[MAX_D2STRING_CHARS];
        d2string(buf, sizeof(buf), d);
        assert_true(strtod(buf, NULL) == d);
    }
}

static void test_string2d(void **state) {
    (void)state;
    double d;
    assert_true(string2d("1.5", 3, &d) && d == 1.5);
    assert_true(string2d("-inf", 4, &d) && isinf(d) && d < 0);
    assert_true(string2d("+inf", 4, &d) && isinf(d));
    assert_false(string2d("nan", 3, &d));
    assert_false(string2d(" 1", 2, &d));
    assert_false(string2d("1x", 2, &d));
    assert_false(string2d("", 0, &d));
    assert_false(string2d("1e400", 5, &d));
    char buf[MAX_LONG_DOUBLE_CHARS];
    ld2string(buf, sizeof(buf), 10.5L);
    assert_string_equal(buf, "10.5");
    ld2string(buf, sizeof(buf), 3.0L);
    assert_string_equal(buf, "3");
}

static void test_match(void **state) {
    (void)state;
    assert_true(stringmatch("*", "anything", 0));
    assert_true(stringmatch("h?llo", "hello", 0));
    assert_true(stringmatch("h[ae]llo", "hallo", 0));
    assert_false(stringmatch("h[^e]llo", "hello", 0));
    assert_true(stringmatch("h[a-b]llo", "hbllo", 0));
    assert_true(stringmatch("h\\*llo", "h*llo", 0));
    assert_false(stringmatch("h\\*llo", "hello", 0));
    assert_true(stringmatch("HELLO", "hello", 1));
    assert_true(stringmatch("a*b*c", "axxbyyc", 0));
    assert_false(stringmatch("a*b*c", "axxbyy", 0));
    /* pathological pattern ends in bounded time */
    char s[200];
    memset(s, 'a', sizeof(s) - 1);
    s[199] = 0;
    assert_false(stringmatch("a*a*a*a*a*a*a*a*a*a*a*b", s, 0));
}

static void test_dstr(void **state) {
    (void)state;
    dstr s = dstrnew("hello");
    for (int i = 0; i < 1000; i++) s = dstrcat(s, "x");
    assert_int_equal(dstrlen(s), 1005);
    dstrrange(s, 0, 4);
    assert_string_equal(s, "hello");
    s = dstrcatrepr(s, "\n\x01\"", 3);
    assert_string_equal(s, "hello\"\\n\\x01\\\"\"");
    dstrfree(s);
    int argc;
    dstr *argv = dstrsplitargs("set \"a b\" 'c d' e", &argc);
    assert_int_equal(argc, 4);
    assert_string_equal(argv[1], "a b");
    assert_string_equal(argv[2], "c d");
    dstrfreesplitres(argv, argc);
    assert_null(dstrsplitargs("\"unterminated", &argc));
    char buf[64];
    dstr e = dstrInitEmbedded(buf, "key", 3);
    assert_true(dstrIsEmbedded(e));
    assert_int_equal(dstrlen(e), 3);
    assert_int_equal(dstrEmbeddedSize(3), 5); /* 1-byte D5 header below 32 bytes */
    assert_int_equal(dstralloc(e), 3);
    dstr d = dstrdup(e);
    assert_false(dstrIsEmbedded(d));
    assert_string_equal(d, "key");
    dstrfree(d);
    char big[64];
    char text[40];
    memset(text, 'x', sizeof(text));
    dstr e2 = dstrInitEmbedded(big, text, 31);
    assert_int_equal(dstrlen(e2), 31);
    assert_true(dstrIsEmbedded(e2));
    assert_int_equal(dstrEmbeddedSize(31), 33);
    dstr e3 = dstrInitEmbedded(big, text, 32);
    assert_int_equal(dstrlen(e3), 32);
    assert_true(dstrIsEmbedded(e3));
    assert_int_equal(dstrEmbeddedSize(32), 36);
}

/* Embedded strings of up to 31 bytes use the 1-byte D5 header (length in the
 * flags byte); longer ones keep the D8/D16/... headers. */
static void test_dstr_embedded_d5(void **state) {
    (void)state;
    char buf[600];
    assert_int_equal(dstrEmbeddedHeaderSize(0), 1);
    assert_int_equal(dstrEmbeddedHeaderSize(31), 1);
    assert_int_equal(dstrEmbeddedHeaderSize(32), 3);
    assert_int_equal(dstrEmbeddedHeaderSize(255), 3);
    assert_int_equal(dstrEmbeddedHeaderSize(256), 5);
    assert_int_equal(dstrEmbeddedSize(10), 12);
    assert_int_equal(dstrEmbeddedSize(16), 18);
    for (size_t len = 0; len <= 300; len++) {
        char src[300];
        for (size_t i = 0; i < len; i++) src[i] = (char)('a' + (i * 7 + len) % 26);
        memset(buf, 0x5a, sizeof(buf));
        dstr e = dstrInitEmbedded(buf, src, len);
        assert_ptr_equal(e, buf + dstrEmbeddedHeaderSize(len));
        assert_true(dstrIsEmbedded(e));
        assert_int_equal(dstrlen(e), len);
        assert_int_equal(dstralloc(e), len);
        assert_int_equal(dstravail(e), 0);
        assert_memory_equal(e, src, len);
        assert_int_equal(e[len], '\0');
        /* the byte after the string is untouched */
        assert_int_equal((unsigned char)buf[dstrEmbeddedSize(len)], 0x5a);
        /* a heap copy is a plain, non-embedded dstr */
        dstr d = dstrdup(e);
        assert_false(dstrIsEmbedded(d));
        assert_int_equal(dstrlen(d), len);
        assert_int_equal(dstrcmp(d, e), 0);
        dstrfree(d);
    }
    /* heap strings never get the D5 header */
    dstr h = dstrnew("short");
    assert_false(dstrIsEmbedded(h));
    assert_true(dstralloc(h) >= 5);
    dstrfree(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string2ll), cmocka_unit_test(test_d2string), cmocka_unit_test(test_string2d),
        cmocka_unit_test(test_match), cmocka_unit_test(test_dstr), cmocka_unit_test(test_dstr_embedded_d5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
