/* Unit tests of the engine-neutral scripting helpers (src/script.c): the RESP
 * reply parser scripts use to convert command replies, SHA-1 names, flag names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "script.h"

static scriptReply *parse(const char *s) { return scriptReplyParse(s, strlen(s)); }

static void test_scalars(void **state) {
    (void)state;
    scriptReply *r = parse("+OK\r\n");
    assert_non_null(r);
    assert_int_equal(r->type, SR_STATUS);
    assert_int_equal(r->len, 2);
    assert_memory_equal(r->str, "OK", 2);
    scriptReplyFree(r);
    r = parse("-ERR bad thing\r\n");
    assert_int_equal(r->type, SR_ERROR);
    assert_int_equal(r->len, 13);
    scriptReplyFree(r);
    r = parse(":-42\r\n");
    assert_int_equal(r->type, SR_INTEGER);
    assert_true(r->integer == -42);
    scriptReplyFree(r);
    r = parse("$5\r\na\r\nbc\r\n"); /* binary safe */
    assert_int_equal(r->type, SR_BULK);
    assert_int_equal(r->len, 5);
    assert_memory_equal(r->str, "a\r\nbc", 5);
    scriptReplyFree(r);
    r = parse("$-1\r\n");
    assert_int_equal(r->type, SR_NULL);
    scriptReplyFree(r);
    r = parse("*-1\r\n");
    assert_int_equal(r->type, SR_NULL_ARRAY);
    scriptReplyFree(r);
    r = parse("_\r\n");
    assert_int_equal(r->type, SR_NULL);
    scriptReplyFree(r);
    r = parse("#t\r\n");
    assert_int_equal(r->type, SR_BOOL);
    assert_true(r->integer == 1);
    scriptReplyFree(r);
    r = parse(",1.5\r\n");
    assert_int_equal(r->type, SR_DOUBLE);
    assert_true(r->dval == 1.5);
    scriptReplyFree(r);
    r = parse("(12345678901234567890\r\n");
    assert_int_equal(r->type, SR_BIGNUM);
    assert_int_equal(r->len, 20);
    scriptReplyFree(r);
    r = parse("=9\r\ntxt:hello\r\n");
    assert_int_equal(r->type, SR_VERBATIM);
    assert_memory_equal(r->str, "txt:hello", 9);
    scriptReplyFree(r);
}

static void test_aggregates(void **state) {
    (void)state;
    scriptReply *r = parse("*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n+s\r\n");
    assert_non_null(r);
    assert_int_equal(r->type, SR_ARRAY);
    assert_int_equal(r->elements, 3);
    assert_int_equal(r->element[1]->type, SR_ARRAY);
    assert_int_equal(r->element[1]->element[1]->type, SR_NULL);
    scriptReplyFree(r);
    r = parse("%1\r\n$1\r\nk\r\n~2\r\n:1\r\n:2\r\n");
    assert_int_equal(r->type, SR_MAP);
    assert_int_equal(r->elements, 2);
    assert_int_equal(r->element[1]->type, SR_SET);
    scriptReplyFree(r);
    /* an attribute before the reply is skipped */
    r = parse("|1\r\n+a\r\n+b\r\n:7\r\n");
    assert_int_equal(r->type, SR_INTEGER);
    assert_true(r->integer == 7);
    scriptReplyFree(r);
    r = parse("*0\r\n");
    assert_int_equal(r->type, SR_ARRAY);
    assert_int_equal(r->elements, 0);
    scriptReplyFree(r);
}

static void test_malformed(void **state) {
    (void)state;
    const char *bad[] = {"", "+OK", ":x\r\n", "$5\r\nab\r\n", "*2\r\n:1\r\n", "*999999999\r\n", "?\r\n",
                         "%-1\r\n", "$\r\n", ":\r\n", NULL};
    for (int i = 0; bad[i]; i++) assert_null(parse(bad[i]));
}

static void test_sha1_and_flags(void **state) {
    (void)state;
    char hex[41];
    scriptSha1Hex(hex, "", 0);
    assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    scriptSha1Hex(hex, "abc", 3);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_true(scriptFlagByName("no-writes", 9) == SCRIPT_FLAG_NO_WRITES);
    assert_true(scriptFlagByName("allow-cross-slot-keys", 21) == SCRIPT_FLAG_ALLOW_CROSS_SLOT);
    assert_true(scriptFlagByName("No-writes", 9) == 0);
    assert_true(scriptFlagByName("no-write", 8) == 0);
    int n = 0;
    for (int i = 0; scriptFlagsOrder[i]; i++, n++) {
        const char *name = scriptFlagName(scriptFlagsOrder[i]);
        assert_non_null(name);
        assert_true(scriptFlagByName(name, strlen(name)) == scriptFlagsOrder[i]);
    }
    assert_int_equal(n, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_sha1_and_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
