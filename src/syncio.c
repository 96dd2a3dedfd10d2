/* syncio: blocking-style TCP client I/O with deadlines (see syncio.h). */
#define _GNU_SOURCE /* MSG_NOSIGNAL on every libc */
#include "syncio.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long monotonicMs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until `fd` has `events` or the deadline (monotonic ms) passes.
 * 1: ready (revents may carry an error the next syscall reports), 0: timed
 * out, -1: poll failed. */
static int waitFor(int fd, short events, long long deadline) {
    for (;;) {
        long long left = deadline - monotonicMs();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (n > 0) return 1;
        if (n < 0 && errno != EINTR) return -1;
    }
}

/* A deadline `timeout_ms` from now, saturated so that huge timeouts work. */
static long long deadlineIn(long long timeout_ms) {
    long long now = monotonicMs();
    return timeout_ms > (long long)9e15 - now ? (long long)9e15 : now + timeout_ms;
}

int syncConnect(const char *host, int port, long long timeout_ms, int *fd_out) {
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, portstr, &hints, &res) != 0) return SYNCIO_ERR;

    long long deadline = deadlineIn(timeout_ms);
    int fd = -1;
    for (struct addrinfo *p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0 || errno == EINPROGRESS) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return SYNCIO_ERR;

    /* Writable means connected or failed: a failure shows at the first write. */
    int w = waitFor(fd, POLLOUT, deadline);
    if (w <= 0) {
        close(fd);
        return w == 0 ? SYNCIO_TIMEOUT : SYNCIO_ERR;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    *fd_out = fd;
    return SYNCIO_OK;
}

int syncWriteAll(int fd, const char *buf, size_t len, long long timeout_ms) {
    long long deadline = deadlineIn(timeout_ms);
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return SYNCIO_ERR;
        if (n < 0 && errno == EINTR) continue;
        int w = waitFor(fd, POLLOUT, deadline);
        if (w == 0) return SYNCIO_TIMEOUT;
        if (w < 0) return SYNCIO_ERR;
    }
    return SYNCIO_OK;
}

void syncReaderInit(syncReader *r, int fd) {
    r->fd = fd;
    r->pos = r->len = 0;
}

int syncReadLine(syncReader *r, char *out, size_t outsize, long long timeout_ms, size_t *linelen) {
    long long deadline = deadlineIn(timeout_ms);
    size_t total = 0; /* bytes of the line seen so far (without "\n") */
    int pending_cr = 0; /* the last byte seen was "\r" (not copied yet) */
    out[0] = '\0';
    for (;;) {
        /* consume buffered bytes up to and including "\n" */
        while (r->pos < r->len) {
            char ch = r->buf[r->pos++];
            if (ch == '\n') {
                if (linelen) *linelen = total;
                return SYNCIO_OK;
            }
            if (pending_cr) {
                /* the "\r" was part of the line after all */
                if (total < outsize - 1) {
                    out[total] = '\r';
                    out[total + 1] = '\0';
                }
                total++;
                pending_cr = 0;
            }
            if (ch == '\r') {
                pending_cr = 1;
                continue;
            }
            if (total < outsize - 1) {
                out[total] = ch;
                out[total + 1] = '\0';
            }
            total++;
        }
        r->pos = r->len = 0;
        ssize_t n = recv(r->fd, r->buf, sizeof(r->buf), 0);
        if (n > 0) {
            r->len = (size_t)n;
            continue;
        }
        if (n == 0) return SYNCIO_ERR; /* end of file before the end of the line */
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return SYNCIO_ERR;
        int w = waitFor(r->fd, POLLIN, deadline);
        if (w == 0) return SYNCIO_TIMEOUT;
        if (w < 0) return SYNCIO_ERR;
    }
}
