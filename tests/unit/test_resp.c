/* Unit tests of the RESP request parser (src/resp.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "resp.h"

static respLimits lim = {.max_bulk_len = 512LL * 1024 * 1024, .authenticated = 1};

static respStatus parseAll(respRequest *r, const char *buf, size_t len, size_t *pos, const char **err) {
    return respParse(r, buf, len, pos, &lim, err);
}

static void test_multibulk(void **state) {
    (void)state;
    respRequest r;
    respRequestInit(&r);
    const char *req = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\0l\r\n\r\n";
    size_t len = 4 + 9 + 7 + 11, pos = 0;
    const char *err = NULL;
    assert_int_equal(parseAll(&r, req, len, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 3);
    assert_int_equal(dstrlen(r.argv[2]), 5);
    assert_memory_equal(r.argv[2], "v\0l\r\n", 5);
    assert_int_equal(pos, len);
    respRequestFree(&r);
}

/* Feeding a request one byte at a time gives the same result. */
static void test_byte_by_byte(void **state) {
    (void)state;
    const char *req = "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n*1\r\n$4\r\nPING\r\n";
    size_t total = strlen(req), pos = 0;
    respRequest r;
    respRequestInit(&r);
    const char *err = NULL;
    int done = 0;
    for (size_t avail = 1; avail <= total; avail++) {
        respStatus st = parseAll(&r, req, avail, &pos, &err);
        assert_int_not_equal(st, RESP_ERROR);
        if (st == RESP_DONE) {
            done++;
            if (done == 1) {
                assert_int_equal(r.argc, 2);
                assert_string_equal(r.argv[1], "hello world");
            } else {
                assert_int_equal(r.argc, 1);
                assert_string_equal(r.argv[0], "PING");
            }
            respRequestReset(&r);
        }
    }
    assert_int_equal(done, 2);
    respRequestFree(&r);
}

static void test_inline(void **state) {
    (void)state;
    respRequest r;
    respRequestInit(&r);
    const char *req = "set k \"a b\\x41\"\r\nping\n\r\n";
    size_t pos = 0, len = strlen(req);
    const char *err = NULL;
    assert_int_equal(parseAll(&r, req, len, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 3);
    assert_string_equal(r.argv[2], "a bA");
    respRequestReset(&r);
    assert_int_equal(parseAll(&r, req, len, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 1);
    respRequestReset(&r);
    assert_int_equal(parseAll(&r, req, len, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 0); /* empty line: no command */
    respRequestFree(&r);
}

static void expectError(const char *req, size_t len, const char *msg, int authenticated) {
    respRequest r;
    respRequestInit(&r);
    respLimits l = lim;
    l.authenticated = authenticated;
    size_t pos = 0;
    const char *err = NULL;
    respStatus st = respParse(&r, req, len, &pos, &l, &err);
    assert_int_equal(st, RESP_ERROR);
    assert_string_equal(err, msg);
    respRequestFree(&r);
}

static void test_errors(void **state) {
    (void)state;
    expectError("*1\r\n$-5\r\n", 9, "Protocol error: invalid bulk length", 1);
    expectError("*1\r\n$x\r\n", 8, "Protocol error: invalid bulk length", 1);
    expectError("*abc\r\n", 6, "Protocol error: invalid multibulk length", 1);
    expectError("*1\r\n:5\r\n", 8, "Protocol error: expected '$', got ':'", 1);
    expectError("\"unbalanced\r\n", 13, "Protocol error: unbalanced quotes in request", 1);
    expectError("*20\r\n", 5, "Protocol error: unauthenticated multibulk length", 0);
    expectError("*1\r\n$20000\r\n", 12, "Protocol error: unauthenticated bulk length", 0);
    expectError("*1\r\n$536870913\r\n", 16, "Protocol error: invalid bulk length", 1);
    static char big[70000];
    memset(big, 'a', sizeof(big));
    expectError(big, sizeof(big), "Protocol error: too big inline request", 1);
    big[0] = '*';
    expectError(big, sizeof(big), "Protocol error: too big mbulk count string", 1);
}

static void test_empty_multibulk(void **state) {
    (void)state;
    respRequest r;
    respRequestInit(&r);
    size_t pos = 0;
    const char *err = NULL;
    assert_int_equal(parseAll(&r, "*0\r\n", 4, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 0);
    assert_int_equal(pos, 4);
    respRequestFree(&r);
}

/* A big bulk that fills the caller's buffer exactly is adopted without a
 * copy; the request then completes with no further input, and the bulks
 * around it are parsed as usual. */
static void test_adopt_big_bulk(void **state) {
    (void)state;
    size_t big = RESP_BIG_BULK + 5;
    respRequest r;
    respRequestInit(&r);
    const char *err = NULL;
    size_t pos = 0;
    char hdr[64];
    snprintf(hdr, sizeof(hdr), "*3\r\n$7\r\nRESTORE\r\n$%zu\r\n", big);
    assert_int_equal(parseAll(&r, hdr, strlen(hdr), &pos, &err), RESP_NEED_MORE);
    assert_int_equal(pos, strlen(hdr));
    assert_int_equal(r.argc, 1);
    assert_int_equal(respBytesWanted(&r, 0), big + 2);
    /* not at offset 0, or not exactly the bulk: refused, nothing changes */
    dstr buf = dstrnewlen(NULL, big + 2);
    memset(buf, 'x', big);
    memcpy(buf + big, "\r\n", 2);
    assert_int_equal(respAdoptBulk(&r, buf, 1), 0);
    dstr longer = dstrcatlen(dstrdup(buf), "*", 1);
    assert_int_equal(respAdoptBulk(&r, longer, 0), 0);
    dstrfree(longer);
    assert_int_equal(r.argc, 1);
    /* adopted: the buffer is the argument, cut to the bulk length */
    char *data = buf;
    assert_int_equal(respAdoptBulk(&r, buf, 0), 1);
    assert_int_equal(r.argc, 2);
    assert_ptr_equal(r.argv[1], data);
    assert_int_equal(dstrlen(r.argv[1]), big);
    assert_int_equal(r.argv[1][big], '\0');
    /* the third argument arrives in a new buffer */
    pos = 0;
    assert_int_equal(parseAll(&r, "$1\r\nz\r\n", 7, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 3);
    assert_string_equal(r.argv[2], "z");
    respRequestReset(&r);
    /* a big bulk that is the last argument completes the request at once */
    pos = 0;
    snprintf(hdr, sizeof(hdr), "*2\r\n$4\r\nECHO\r\n$%zu\r\n", big);
    assert_int_equal(parseAll(&r, hdr, strlen(hdr), &pos, &err), RESP_NEED_MORE);
    buf = dstrnewlen(NULL, big + 2);
    assert_int_equal(respAdoptBulk(&r, buf, 0), 1);
    pos = 0;
    assert_int_equal(parseAll(&r, "", 0, &pos, &err), RESP_DONE);
    assert_int_equal(r.argc, 2);
    assert_int_equal(dstrlen(r.argv[1]), big);
    respRequestReset(&r);
    /* small bulks are never adopted */
    pos = 0;
    assert_int_equal(parseAll(&r, "*2\r\n$4\r\nECHO\r\n$3\r\n", 18, &pos, &err), RESP_NEED_MORE);
    buf = dstrnewlen("abc\r\n", 5);
    assert_int_equal(respAdoptBulk(&r, buf, 0), 0);
    dstrfree(buf);
    respRequestFree(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multibulk), cmocka_unit_test(test_byte_by_byte), cmocka_unit_test(test_inline),
        cmocka_unit_test(test_errors), cmocka_unit_test(test_empty_multibulk),
        cmocka_unit_test(test_adopt_big_bulk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
