/* syncio: blocking-style TCP client I/O with deadlines, for a command that
 * talks to another server while the event loop waits for it (MIGRATE).
 *
 * Leaf module: no server header. Sockets are non-blocking; every call waits
 * with poll() for at most its timeout and reports a timeout distinctly from
 * other failures, because MIGRATE retries after an error but never after a
 * timeout. Writes use MSG_NOSIGNAL (no SIGPIPE).
 *
 * Connecting follows Redis's blocking connect: the first resolved address
 * whose connect() does not fail at once is used; the call then waits for the
 * socket to become writable. A connection refused asynchronously (the usual
 * case, even on loopback) makes the socket writable with an error pending:
 * syncConnect reports success and the first write fails, which is how Redis
 * reports a closed port ("IOERR error or timeout writing to target
 * instance"). A connection still pending at the deadline is a timeout.
 *
 * Results: SYNCIO_OK (0), SYNCIO_ERR (-1: errno-style failure, end of file,
 * unresolvable host), SYNCIO_TIMEOUT (-2: the deadline passed). */
#ifndef CAIRN_SYNCIO_H
#define CAIRN_SYNCIO_H
#include <stddef.h>

#define SYNCIO_OK 0
#define SYNCIO_ERR (-1)
#define SYNCIO_TIMEOUT (-2)

#define SYNCIO_READBUF 4096

/* Buffered line reader over one socket. Bytes read past a line stay in
 * `buf` for the next call, so replies to pipelined commands are never lost
 * between calls. Zero it and set `fd` before use (syncReaderInit). */
typedef struct syncReader {
    int fd;
    size_t pos, len;          /* unread bytes are buf[pos, len) */
    char buf[SYNCIO_READBUF];
} syncReader;

/* Connect to `host` (name or IPv4/IPv6 literal) and TCP `port`, waiting at
 * most `timeout_ms` (> 0) for the connection. On SYNCIO_OK *fd gets a
 * non-blocking, close-on-exec TCP socket with TCP_NODELAY set (the caller
 * closes it). SYNCIO_ERR when the name does not resolve or every address
 * fails at once; SYNCIO_TIMEOUT when still pending at the deadline. */
int syncConnect(const char *host, int port, long long timeout_ms, int *fd);

/* Write all `len` bytes of `buf` to `fd`, waiting at most `timeout_ms` in
 * total. SYNCIO_OK when everything was written; SYNCIO_ERR on a socket error
 * (the peer closed, reset, a pending connect error); SYNCIO_TIMEOUT when the
 * socket stayed full until the deadline (part may have been written). */
int syncWriteAll(int fd, const char *buf, size_t len, long long timeout_ms);

/* Prepare `r` to read from `fd` (empty buffer). */
void syncReaderInit(syncReader *r, int fd);

/* Read one line ending in "\n" (a "\r" before it is removed too), waiting at
 * most `timeout_ms` for the whole line. The line is copied to `out`,
 * truncated to `outsize` - 1 bytes and NUL-terminated (`outsize` >= 1); the
 * rest of a longer line is consumed and dropped. *linelen (if non-NULL) gets
 * the full length of the line without its terminator.
 * SYNCIO_OK, SYNCIO_ERR (socket error, or end of file before "\n"),
 * SYNCIO_TIMEOUT. */
int syncReadLine(syncReader *r, char *out, size_t outsize, long long timeout_ms, size_t *linelen);

#endif
