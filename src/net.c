#define _GNU_SOURCE /* accept4 */
#include "net.h"
#include "call.h"
#include "client.h"
#include "event.h"
#include "reply.h"
#include "server.h"
#include "zmalloc.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define READ_CHUNK (16 * 1024)

static int setNonBlock(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void formatAddr(const struct sockaddr_storage *sa, char *buf, size_t len) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        port = ntohs(s->sin_port);
        snprintf(buf, len, "%s:%d", ip, port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        port = ntohs(s->sin6_port);
        snprintf(buf, len, "%s:%d", ip, port);
    } else {
        snprintf(buf, len, "%s:0", server.unixsocket ? server.unixsocket : "");
    }
}

static void readHandler(eventLoop *el, int fd, void *data, int mask);

static void acceptClient(int cfd, int is_unix) {
    if ((int)dlistLength(server.clients) >= server.maxclients) {
        const char *err = "-ERR max number of clients reached\r\n";
        if (write(cfd, err, strlen(err)) < 0) { /* best effort */ }
        close(cfd);
        server.stat_rejected_conn++;
        return;
    }
    setNonBlock(cfd);
    if (!is_unix) {
        int yes = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
        if (server.tcpkeepalive) setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes));
    }
    client *c = clientCreate(cfd);
    if (elAddFile(server.el, cfd, EL_READABLE, readHandler, c) == EL_ERR) {
        serverLog(LL_WARNING, "Error registering fd event for the new client: %s", strerror(errno));
        clientFree(c);
        return;
    }
    struct sockaddr_storage sa;
    socklen_t sl = sizeof(sa);
    if (is_unix) {
        c->flags |= CLIENT_UNIX_SOCKET;
        snprintf(c->addr, sizeof(c->addr), "%s:0", server.unixsocket);
        snprintf(c->laddr, sizeof(c->laddr), "%s:0", server.unixsocket);
    } else {
        if (getpeername(cfd, (struct sockaddr *)&sa, &sl) == 0) formatAddr(&sa, c->addr, sizeof(c->addr));
        sl = sizeof(sa);
        if (getsockname(cfd, (struct sockaddr *)&sa, &sl) == 0) formatAddr(&sa, c->laddr, sizeof(c->laddr));
    }
    server.stat_numconnections++;
}

static void acceptHandler(eventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)mask;
    int is_unix = data != NULL;
    for (int i = 0; i < 1000; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                serverLog(LL_WARNING, "Accepting client connection: %s", strerror(errno));
            return;
        }
        acceptClient(cfd, is_unix);
    }
}

static int listenOn(const char *addr, int port) {
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    const char *host = addr;
    int optional = 0;
    if (addr[0] == '-') { host = addr + 1; optional = 1; }
    if (!strcmp(host, "*")) host = NULL;
    if (getaddrinfo(host, portstr, &hints, &res) != 0) {
        serverLog(LL_WARNING, "Could not resolve bind address %s", addr);
        return optional ? 0 : -1;
    }
    int ok = 0;
    for (struct addrinfo *p = res; p; p = p->ai_next) {
        int fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0) continue;
        int yes = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        if (p->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
        if (bind(fd, p->ai_addr, p->ai_addrlen) < 0 || listen(fd, server.tcp_backlog) < 0) {
            serverLog(LL_WARNING, "Warning: Could not create server TCP listening socket %s:%d: %s",
                      host ? host : "*", port, strerror(errno));
            close(fd);
            continue;
        }
        setNonBlock(fd);
        if (server.listen_count >= 16) { close(fd); break; }
        server.listen_fds[server.listen_count++] = fd;
        elAddFile(server.el, fd, EL_READABLE, acceptHandler, NULL);
        ok = 1;
        if (!host) continue;
        break;
    }
    freeaddrinfo(res);
    return ok || optional ? 0 : -1;
}

int netListen(void) {
    server.unix_fd = -1;
    if (server.port != 0) {
        char *addrs = zstrdup(server.bindaddr ? server.bindaddr : "127.0.0.1");
        char *save = NULL;
        for (char *tok = strtok_r(addrs, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            if (listenOn(tok, server.port) < 0) {
                zfree(addrs);
                return -1;
            }
        }
        zfree(addrs);
        if (server.listen_count == 0) return -1;
    }
    if (server.unixsocket && server.unixsocket[0]) {
        unlink(server.unixsocket);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {0};
        sa.sun_family = AF_UNIX;
        strncpy(sa.sun_path, server.unixsocket, sizeof(sa.sun_path) - 1);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, server.tcp_backlog) < 0) {
            serverLog(LL_WARNING, "Failed opening Unix socket: %s", strerror(errno));
            if (fd >= 0) close(fd);
            return -1;
        }
        if (server.unixsocketperm) chmod(server.unixsocket, (mode_t)server.unixsocketperm);
        setNonBlock(fd);
        server.unix_fd = fd;
        elAddFile(server.el, fd, EL_READABLE, acceptHandler, (void *)1);
    }
    if (server.listen_count == 0 && server.unix_fd < 0) {
        serverLog(LL_WARNING, "Configured to not listen anywhere, exiting.");
        return -1;
    }
    return 0;
}

void netCloseListeners(void) {
    for (int i = 0; i < server.listen_count; i++) {
        elDelFile(server.el, server.listen_fds[i], EL_READABLE);
        close(server.listen_fds[i]);
    }
    server.listen_count = 0;
    if (server.unix_fd >= 0) {
        elDelFile(server.el, server.unix_fd, EL_READABLE);
        close(server.unix_fd);
        unlink(server.unixsocket);
        server.unix_fd = -1;
    }
}

/* Reply with a protocol error and close after writing it. */
static void protocolError(client *c, const char *err) {
    replyError(c, err);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    serverLog(LL_VERBOSE, "Protocol error (%s) from client: %s", err, c->addr);
}

void netProcessInputBuffer(client *c) {
    for (;;) {
        /* CLIENT_EXECUTING: a script of this client is serving events (busy script) */
        if (c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_EXECUTING)) break;
        if (respAdoptBulk(&c->req, c->querybuf, c->qb_pos)) {
            c->querybuf = dstrempty(); /* the old buffer is now an argument */
            c->qb_pos = 0;
        } else if (c->qb_pos >= dstrlen(c->querybuf)) {
            break;
        }
        respLimits lim = {.max_bulk_len = server.proto_max_bulk_len, .authenticated = c->authenticated};
        const char *err = NULL;
        respStatus st = respParse(&c->req, c->querybuf, dstrlen(c->querybuf), &c->qb_pos, &lim, &err);
        if (st == RESP_ERROR) {
            protocolError(c, err);
            break;
        }
        if (st == RESP_NEED_MORE) break;
        if (c->req.argc == 0) continue;
        c->argc = c->req.argc;
        c->argv = c->req.argv;
        if (processCommand(c) < 0) return; /* client freed */
        if (!(c->flags & CLIENT_BLOCKED)) {
            respRequestReset(&c->req);
            c->argc = 0;
            c->argv = NULL;
        }
    }
    /* drop consumed bytes */
    if (c->qb_pos > 0) {
        size_t len = dstrlen(c->querybuf);
        if (c->qb_pos >= len) dstrclear(c->querybuf);
        else dstrrange(c->querybuf, (ssize_t)c->qb_pos, -1);
        c->qb_pos = 0;
    }
}

static void readHandler(eventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)mask;
    client *c = data;
    size_t readlen = READ_CHUNK;
    size_t want = respBytesWanted(&c->req, dstrlen(c->querybuf) - c->qb_pos);
    if (c->req.bulk_len >= RESP_BIG_BULK && c->qb_pos == 0 && want > 0) {
        /* Big argument at the start of the buffer: size the buffer for exactly
         * this bulk and read no further, so respAdoptBulk can take it whole. */
        c->querybuf = dstrMakeRoomForExact(c->querybuf, want);
        readlen = want;
    } else {
        if (want > readlen) readlen = want;
        if (readlen > 1024 * 1024 * 64) readlen = 1024 * 1024 * 64;
        c->querybuf = dstrMakeRoomFor(c->querybuf, readlen);
        readlen = dstravail(c->querybuf);
    }
    size_t cur = dstrlen(c->querybuf);
    ssize_t n = read(fd, c->querybuf + cur, readlen);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        serverLog(LL_VERBOSE, "Reading from client: %s", strerror(errno));
        clientFree(c);
        return;
    }
    if (n == 0) {
        serverLog(LL_VERBOSE, "Client closed connection id=%llu addr=%s", (unsigned long long)c->id, c->addr);
        clientFree(c);
        return;
    }
    dstrIncrLen(c->querybuf, n);
    server.stat_net_input_bytes += n;
    c->last_interaction_ms = elWallMs();
    if (dstrlen(c->querybuf) > c->querybuf_peak) c->querybuf_peak = dstrlen(c->querybuf);
    if (dstrlen(c->querybuf) - c->qb_pos > server.client_max_querybuf_len) {
        serverLog(LL_WARNING, "Closing client that reached max query buffer length: id=%llu addr=%s",
                  (unsigned long long)c->id, c->addr);
        clientFree(c);
        return;
    }
    /* keep an outer protection (a busy script of this client serves events) */
    uint64_t was_protected = c->flags & CLIENT_PROTECTED;
    c->flags |= CLIENT_PROTECTED;
    netProcessInputBuffer(c);
    if (!was_protected) c->flags &= ~CLIENT_PROTECTED;
}

static void writeHandler(eventLoop *el, int fd, void *data, int mask) {
    (void)mask;
    client *c = data;
    if (clientWrite(c) < 0) return;
    if (!clientHasPendingReplies(c)) {
        elDelFile(el, fd, EL_WRITABLE);
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) clientFree(c);
    }
}

static int outputLimitReached(client *c) {
    if (c->flags & (CLIENT_MONITOR | CLIENT_FAKE)) return 0;
    if (server.cob_normal_hard && c->reply_bytes >= server.cob_normal_hard) return 1;
    if (server.cob_normal_soft && c->reply_bytes >= server.cob_normal_soft) {
        long long now = elWallMs();
        if (!c->obuf_soft_limit_reached_ms) c->obuf_soft_limit_reached_ms = now;
        else if (now - c->obuf_soft_limit_reached_ms > server.cob_normal_soft_seconds * 1000LL) return 1;
    } else {
        c->obuf_soft_limit_reached_ms = 0;
    }
    return 0;
}

void netHandleClientsWithPendingWrites(void) {
    while (dlistLength(server.clients_pending_write)) {
        dlistNode *n = dlistFirst(server.clients_pending_write);
        client *c = n->value;
        c->flags &= ~CLIENT_PENDING_WRITE;
        c->pending_write_node = NULL;
        dlistUnlink(server.clients_pending_write, n);
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        if (outputLimitReached(c)) {
            serverLog(LL_WARNING, "Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.",
                      (unsigned long long)c->id, c->addr);
            clientFreeAsync(c);
            continue;
        }
        if (clientWrite(c) < 0) continue;
        if (clientHasPendingReplies(c)) {
            elAddFile(server.el, c->fd, EL_WRITABLE, writeHandler, c);
        } else if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
            clientFree(c);
        }
    }
}

void netClientsCron(void) {
    long long now = elWallMs();
    dlistNode *n = dlistFirst(server.clients);
    while (n) {
        dlistNode *next = n->next;
        client *c = n->value;
        if (server.maxidletime && !(c->flags & (CLIENT_BLOCKED | CLIENT_MONITOR)) &&
            now - c->last_interaction_ms > (long long)server.maxidletime * 1000) {
            serverLog(LL_VERBOSE, "Closing idle client");
            clientFree(c);
        } else if (outputLimitReached(c)) {
            clientFreeAsync(c);
        } else if (c->querybuf && dstrlen(c->querybuf) == 0 && dstralloc(c->querybuf) > 64 * 1024) {
            dstrfree(c->querybuf);
            c->querybuf = dstrempty();
        }
        n = next;
    }
}
