/* Unit tests of syncio (src/syncio.c): line reading with buffering,
 * truncation and timeouts, whole writes with timeouts, and connecting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "syncio.h"

static long long nowMs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connected stream pair; sv[0] non-blocking (the syncio side). */
static void pair(int sv[2]) {
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
}

static void writeStr(int fd, const char *s) {
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_readline_buffered(void **state) {
    (void)state;
    int sv[2];
    pair(sv);
    syncReader r;
    syncReaderInit(&r, sv[0]);
    char line[64];
    size_t len;
    /* three replies in one segment: each call returns one, in order */
    writeStr(sv[1], "+OK\r\n-ERR bad thing\r\n:12\n");
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_string_equal(line, "+OK");
    assert_int_equal(len, 3);
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_string_equal(line, "-ERR bad thing");
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_string_equal(line, ":12"); /* a bare "\n" ends a line too */
    /* a "\r" not followed by "\n" stays in the line; an empty line is length 0 */
    writeStr(sv[1], "a\rb\r\r\n\r\n");
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "a\rb\r", 5);
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_int_equal(len, 0);
    assert_string_equal(line, "");
    close(sv[0]);
    close(sv[1]);
}

static void test_readline_truncates(void **state) {
    (void)state;
    int sv[2];
    pair(sv);
    syncReader r;
    syncReaderInit(&r, sv[0]);
    /* a line longer than the reader's buffer and than `out` */
    size_t n = SYNCIO_READBUF * 2 + 77;
    char *big = malloc(n + 16);
    memset(big, 'x', n);
    big[0] = '-';
    memcpy(big + n, "\r\n+NEXT\r\n", 9);
    assert_int_equal(write(sv[1], big, n + 9), (ssize_t)(n + 9));
    char line[16];
    size_t len = 0;
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_int_equal(len, n);
    assert_int_equal(strlen(line), 15);
    assert_memory_equal(line, "-xxxxxxxxxxxxxx", 15);
    /* the rest of the long line was consumed: the next line is intact */
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, &len), SYNCIO_OK);
    assert_string_equal(line, "+NEXT");
    /* outsize 1: only the terminator fits */
    writeStr(sv[1], "abc\r\n");
    char one[1] = {'z'};
    assert_int_equal(syncReadLine(&r, one, 1, 1000, &len), SYNCIO_OK);
    assert_int_equal(one[0], '\0');
    assert_int_equal(len, 3);
    free(big);
    close(sv[0]);
    close(sv[1]);
}

typedef struct { int fd; int delay_ms; const char *text; } lateWrite;

static void *lateWriter(void *arg) {
    lateWrite *w = arg;
    struct timespec ts = {w->delay_ms / 1000, (long)(w->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    if (w->text) writeStr(w->fd, w->text);
    else close(w->fd);
    return NULL;
}

static void test_readline_waits_and_times_out(void **state) {
    (void)state;
    int sv[2];
    pair(sv);
    syncReader r;
    syncReaderInit(&r, sv[0]);
    char line[64];
    /* half a line now, the rest 50 ms later: the reader waits for it */
    writeStr(sv[1], "+PA");
    lateWrite w = {sv[1], 50, "RT\r\n"};
    pthread_t t;
    pthread_create(&t, NULL, lateWriter, &w);
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 2000, NULL), SYNCIO_OK);
    assert_string_equal(line, "+PART");
    pthread_join(t, NULL);
    /* nothing arrives: timeout after about the given time */
    long long t0 = nowMs();
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 80, NULL), SYNCIO_TIMEOUT);
    long long el = nowMs() - t0;
    assert_true(el >= 79 && el < 1000);
    /* a partial line then nothing: still a timeout (for the whole line) */
    writeStr(sv[1], "+HALF");
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 50, NULL), SYNCIO_TIMEOUT);
    close(sv[0]);
    close(sv[1]);
}

static void test_readline_eof(void **state) {
    (void)state;
    int sv[2];
    pair(sv);
    syncReader r;
    syncReaderInit(&r, sv[0]);
    char line[64];
    /* end of file mid-line and on an empty stream are errors, not timeouts */
    writeStr(sv[1], "+OK\r\n+TRUNC");
    close(sv[1]);
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, NULL), SYNCIO_OK);
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, NULL), SYNCIO_ERR);
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 1000, NULL), SYNCIO_ERR);
    close(sv[0]);
    /* the peer closes while we wait */
    pair(sv);
    syncReaderInit(&r, sv[0]);
    lateWrite w = {sv[1], 30, NULL};
    pthread_t t;
    pthread_create(&t, NULL, lateWriter, &w);
    long long t0 = nowMs();
    assert_int_equal(syncReadLine(&r, line, sizeof(line), 5000, NULL), SYNCIO_ERR);
    assert_true(nowMs() - t0 < 2000);
    pthread_join(t, NULL);
    close(sv[0]);
}

static void test_write(void **state) {
    (void)state;
    int sv[2];
    pair(sv);
    /* a small write completes */
    assert_int_equal(syncWriteAll(sv[0], "hello", 5, 1000), SYNCIO_OK);
    char buf[8] = {0};
    assert_int_equal(read(sv[1], buf, 5), 5);
    assert_string_equal(buf, "hello");
    /* the peer never reads: the socket fills and the write times out */
    size_t n = 16 * 1024 * 1024;
    char *big = calloc(1, n);
    long long t0 = nowMs();
    assert_int_equal(syncWriteAll(sv[0], big, n, 60), SYNCIO_TIMEOUT);
    long long el = nowMs() - t0;
    assert_true(el >= 59 && el < 2000);
    /* the peer is gone: an error, not a timeout (and no SIGPIPE) */
    close(sv[1]);
    assert_int_equal(syncWriteAll(sv[0], "x", 1, 1000), SYNCIO_ERR);
    free(big);
    close(sv[0]);
}

/* A loopback listener on an ephemeral port; returns its fd and port. */
static int listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t l = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_connect(void **state) {
    (void)state;
    int port, lfd = listener(&port);
    int fd = -1;
    /* a listening port: connected, non-blocking, and data flows both ways */
    assert_int_equal(syncConnect("127.0.0.1", port, 1000, &fd), SYNCIO_OK);
    assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
    int peer = accept(lfd, NULL, NULL);
    assert_true(peer >= 0);
    assert_int_equal(syncWriteAll(fd, "PING\r\n", 6, 1000), SYNCIO_OK);
    char buf[8] = {0};
    assert_int_equal(read(peer, buf, 6), 6);
    writeStr(peer, "+PONG\r\n");
    syncReader r;
    syncReaderInit(&r, fd);
    assert_int_equal(syncReadLine(&r, buf, sizeof(buf), 1000, NULL), SYNCIO_OK);
    assert_string_equal(buf, "+PONG");
    close(peer);
    close(fd);
    /* "localhost" resolves */
    assert_int_equal(syncConnect("localhost", port, 1000, &fd), SYNCIO_OK);
    close(fd);
    close(lfd);

    /* the port is now closed: the refusal shows at connect or at the first
     * write (Linux reports it at the write, as Redis relies on) */
    int rc = syncConnect("127.0.0.1", port, 1000, &fd);
    if (rc == SYNCIO_OK) {
        assert_int_equal(syncWriteAll(fd, "PING\r\n", 6, 1000), SYNCIO_ERR);
        close(fd);
    } else {
        assert_int_equal(rc, SYNCIO_ERR);
    }
    /* a name that does not resolve */
    assert_int_equal(syncConnect("no.such.host.invalid", 6379, 1000, &fd), SYNCIO_ERR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readline_buffered),  cmocka_unit_test(test_readline_truncates),
        cmocka_unit_test(test_readline_waits_and_times_out), cmocka_unit_test(test_readline_eof),
        cmocka_unit_test(test_write),              cmocka_unit_test(test_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
