#include "client.h"
#include "commands.h"
#include <errno.h>
#include "blocked.h"
#include "db.h"
#include "event.h"
#include "multi.h"
#include "server.h"
#include "zmalloc.h"
#include <stdio.h>
#include <sys/uio.h>
#include <string.h>
#include <unistd.h>

#define REPLY_BLOCK_SIZE (16 * 1024)
/* A reply that has queued this much is sent as it grows (see flushEarly). */
#define REPLY_EARLY_FLUSH_BYTES (64 * 1024)

static void replyBlockFree(void *p) {
    replyBlock *b = p;
    if (b->ext) dstrfree(b->ext);
    zfree(b);
}

client *clientCreate(int fd) {
    client *c = zcalloc(sizeof(*c));
    c->id = ++server.next_client_id;
    c->fd = fd;
    c->resp = 2;
    c->db = &server.dbs[0];
    c->authenticated = server.requirepass == NULL || server.requirepass[0] == '\0';
    c->querybuf = dstrempty();
    respRequestInit(&c->req);
    c->reply = dlistCreate();
    c->reply->free = replyBlockFree;
    c->watched_keys = dlistCreate();
    c->ctime_ms = c->last_interaction_ms = elWallMs();
    if (fd >= 0) {
        c->clients_node = dlistAddTail(server.clients, c);
    } else {
        c->flags |= CLIENT_FAKE;
        c->authenticated = 1;
    }
    return c;
}

int clientSelectDb(client *c, int id) {
    if (id < 0 || id >= server.dbnum) return -1;
    c->db = &server.dbs[id];
    return 0;
}

void clientDiscardReplies(client *c) {
    dlistEmpty(c->reply);
    c->reply_bytes = 0;
    c->sentlen = 0;
    c->flags &= ~CLIENT_OUTPUT_FULL;
}

static void freeArgv(client *c) {
    respRequestReset(&c->req);
    c->argc = 0;
    c->argv = NULL;
}

void clientFree(client *c) {
    if (c->flags & CLIENT_PROTECTED) {
        clientFreeAsync(c);
        return;
    }
    if (server.current_client == c) server.current_client = NULL;
    if (c->flags & CLIENT_BLOCKED) unblockClient(c);
    if (c->bstate.keys) dlistRelease(c->bstate.keys); /* created by blockForKeys, kept for reuse */
    c->bstate.keys = NULL;
    unwatchAllKeys(c);
    multiDiscard(c);
    if (c->fd >= 0) {
        elDelFile(server.el, c->fd, EL_READABLE | EL_WRITABLE);
        close(c->fd);
    }
    if (c->clients_node) dlistDelNode(server.clients, c->clients_node);
    if (c->pending_write_node) dlistUnlink(server.clients_pending_write, c->pending_write_node);
    if (c->flags & CLIENT_MONITOR) {
        dlistNode *n = dlistSearch(server.monitors, c);
        if (n) dlistDelNode(server.monitors, n);
    }
    if (c->flags & CLIENT_CLOSE_ASAP) {
        dlistNode *n = dlistSearch(server.clients_to_close, c);
        if (n) dlistDelNode(server.clients_to_close, n);
    }
    freeArgv(c);
    respRequestFree(&c->req);
    dstrfree(c->querybuf);
    dlistRelease(c->reply);
    dlistRelease(c->watched_keys);
    dstrfree(c->name);
    dstrfree(c->lib_name);
    dstrfree(c->lib_ver);
    zfree(c->redacted);
    zfree(c);
}

void clientRedactArg(client *c, int i) {
    if (i < 0) return;
    int need = i / 8 + 1;
    if (need > c->redacted_bytes) {
        c->redacted = zrealloc(c->redacted, (size_t)need);
        memset(c->redacted + c->redacted_bytes, 0, (size_t)(need - c->redacted_bytes));
        c->redacted_bytes = need;
    }
    c->redacted[i / 8] |= (unsigned char)(1u << (i % 8));
}

int clientArgRedacted(const client *c, int i) {
    return i >= 0 && i / 8 < c->redacted_bytes && (c->redacted[i / 8] >> (i % 8)) & 1;
}

void clientClearRedacted(client *c) {
    if (c->redacted) memset(c->redacted, 0, (size_t)c->redacted_bytes);
}

void clientFreeAsync(client *c) {
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    dlistAddTail(server.clients_to_close, c);
}

static void markPendingWrite(client *c) {
    if (c->fd < 0 || (c->flags & CLIENT_PENDING_WRITE)) return;
    c->flags |= CLIENT_PENDING_WRITE;
    dlistLinkTail(server.clients_pending_write, &c->pending_write_link, c);
    c->pending_write_node = &c->pending_write_link;
}

static int replySuppressed(client *c) {
    if (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) return 1;
    if (c->flags & CLIENT_CLOSE_ASAP) return 1;
    return 0;
}

/* Usable size of a standard reply block (the allocator's size class of
 * REPLY_BLOCK_SIZE plus the header), asked once. */
static size_t stdBlockRoom(void) {
    static size_t room;
    if (!room) {
        void *p = zmalloc(sizeof(replyBlock) + REPLY_BLOCK_SIZE);
        room = zmalloc_size(p) - sizeof(replyBlock);
        zfree(p);
    }
    return room;
}

static int writeOut(client *c);

/* Send the queued output of a large reply while the command is still
 * producing it: the blocks are written while they are still in the CPU cache
 * and freed for the next ones, instead of holding the whole reply (and those
 * of every other client served in the same event loop round) until
 * beforeSleep. Only for connected clients whose socket took everything so
 * far. A write error closes the client asynchronously (it may be in use). */
static void flushEarly(client *c) {
    if (writeOut(c) < 0) {
        clientDiscardReplies(c);
        clientFreeAsync(c);
    }
}

static int canFlushEarly(const client *c) {
    return c->fd >= 0 && c->reply_bytes >= REPLY_EARLY_FLUSH_BYTES &&
           !(c->flags & (CLIENT_OUTPUT_FULL | CLIENT_FAKE | CLIENT_CLOSE_ASAP));
}

void clientAppendReply(client *c, const char *p, size_t len) {
    if (replySuppressed(c)) return;
    markPendingWrite(c);
    for (;;) {
        dlistNode *tail = dlistLast(c->reply);
        replyBlock *b = tail ? tail->value : NULL;
        if (b && b->size) {
            size_t room = b->size - b->used;
            size_t n = len < room ? len : room;
            memcpy(b->data + b->used, p, n);
            b->used += n;
            p += n;
            len -= n;
            c->reply_bytes += n;
        }
        if (!len) return;
        if (!canFlushEarly(c)) break;
        flushEarly(c);
        if (replySuppressed(c)) return;
        tail = dlistLast(c->reply);
        b = tail ? tail->value : NULL;
        if (!b || !b->size || b->used == b->size) break; /* nothing freed up: new block */
    }
    size_t room = stdBlockRoom();
    replyBlock *b;
    if (len > room) {
        b = zmalloc(sizeof(replyBlock) + len);
        b->size = zmalloc_size(b) - sizeof(replyBlock);
    } else {
        b = zmalloc(sizeof(replyBlock) + REPLY_BLOCK_SIZE);
        b->size = room;
    }
    b->used = len;
    b->ext = NULL;
    memcpy(b->data, p, len);
    dlistAddTail(c->reply, b);
    c->reply_bytes += len;
}

char *clientReplySpace(client *c, size_t len) {
    dlistNode *tail = dlistLast(c->reply);
    if (!tail || replySuppressed(c)) return NULL;
    replyBlock *b = tail->value;
    if (b->size - b->used < len || !b->size) return NULL;
    markPendingWrite(c);
    char *dst = b->data + b->used;
    b->used += len;
    c->reply_bytes += len;
    return dst;
}

void clientAppendReplyDstr(client *c, dstr s) {
    if (replySuppressed(c) || dstrlen(s) == 0) {
        dstrfree(s);
        return;
    }
    markPendingWrite(c);
    replyBlock *b = zmalloc(sizeof(replyBlock));
    b->size = b->used = dstrlen(s);
    b->ext = s;
    dlistAddTail(c->reply, b);
    c->reply_bytes += b->used;
}

void *clientAddDeferred(client *c) {
    if (replySuppressed(c)) return NULL;
    replyBlock *b = zmalloc(sizeof(replyBlock));
    b->size = b->used = 0;
    b->ext = NULL;
    dlistAddTail(c->reply, b);
    return dlistLast(c->reply);
}

void clientSetDeferred(client *c, void *node, const char *p, size_t len) {
    if (!node) return;
    dlistNode *n = node;
    replyBlock *b = zrealloc(n->value, sizeof(replyBlock) + len);
    b->size = b->used = len;
    memcpy(b->data, p, len);
    n->value = b;
    c->reply_bytes += len;
    markPendingWrite(c);
}

int clientHasPendingReplies(const client *c) { return c->reply_bytes > 0 && dlistLength(c->reply) > 0; }

/* Drop the first reply block once fully sent (keeping it, emptied, when it
 * is the only one and of about the standard size). 1 if the caller may go on
 * with the next block, 0 when the kept block ends the list. */
static int releaseSentBlock(client *c, dlistNode *n) {
    replyBlock *b = n->value;
    c->reply_bytes -= b->used;
    c->sentlen = 0;
    if (!n->next && b->size < 2 * REPLY_BLOCK_SIZE && !b->ext) {
        /* no allocation per reply: the next replies go into this block */
        b->used = 0;
        return 0;
    }
    dlistDelNode(c->reply, n);
    return 1;
}

#define WRITE_IOV_MAX 16

/* Write as much of the queued output as the socket takes. 0 when done or
 * when the socket is full (CLIENT_OUTPUT_FULL set until the output is all
 * gone), -1 on a write error (the client is left to the caller). */
static int writeOut(client *c) {
    while (dlistLength(c->reply)) {
        dlistNode *n = dlistFirst(c->reply);
        replyBlock *b = n->value;
        if (b->size == 0) return 0; /* unfilled deferred length: wait */
        if (b->used == 0 || c->sentlen == b->used) {
            if (!releaseSentBlock(c, n)) break;
            continue;
        }
        /* gather the filled blocks (up to an unfilled deferred one): one
         * system call for a multi-block reply */
        struct iovec iov[WRITE_IOV_MAX];
        int cnt = 0;
        size_t total = 0;
        for (dlistNode *m = n; m && cnt < WRITE_IOV_MAX; m = m->next) {
            replyBlock *mb = m->value;
            if (mb->size == 0) break;
            size_t off = m == n ? c->sentlen : 0;
            iov[cnt].iov_base = replyBlockBytes(mb) + off;
            iov[cnt].iov_len = mb->used - off;
            total += mb->used - off;
            cnt++;
        }
        ssize_t w = cnt == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len) : writev(c->fd, iov, cnt);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                c->flags |= CLIENT_OUTPUT_FULL;
                break;
            }
            return -1;
        }
        server.stat_net_output_bytes += w;
        /* advance over what was sent, block by block (iov order) */
        size_t left = (size_t)w;
        int more = 1;
        for (int i = 0; i < cnt && more; i++) {
            dlistNode *f = dlistFirst(c->reply);
            replyBlock *fb = f->value;
            size_t rem = fb->used - c->sentlen;
            if (left < rem) {
                c->sentlen += left;
                break;
            }
            left -= rem;
            c->sentlen = fb->used;
            more = releaseSentBlock(c, f);
        }
        if ((size_t)w < total) {
            c->flags |= CLIENT_OUTPUT_FULL;
            break;
        }
    }
    if (c->reply_bytes == 0) c->flags &= ~CLIENT_OUTPUT_FULL;
    c->last_interaction_ms = elWallMs();
    return 0;
}

int clientWrite(client *c) {
    if (c->fd < 0) return 0;
    if (writeOut(c) < 0) {
        clientFree(c);
        return -1;
    }
    return 0;
}

dstr clientTakeReplies(client *c) {
    dstr s = dstrempty();
    for (dlistNode *n = dlistFirst(c->reply); n; n = n->next) {
        replyBlock *b = n->value;
        s = dstrcatlen(s, replyBlockBytes(b), b->used);
    }
    clientDiscardReplies(c);
    return s;
}

client *clientLookupById(uint64_t id) {
    for (dlistNode *n = dlistFirst(server.clients); n; n = n->next) {
        client *c = n->value;
        if (c->id == id) return c;
    }
    return NULL;
}

static dstr flagsString(dstr s, client *c) {
    size_t before = dstrlen(s);
    if (c->flags & CLIENT_MONITOR) s = dstrcat(s, "O");
    if (c->flags & CLIENT_MULTI) s = dstrcat(s, "x");
    if (c->flags & CLIENT_BLOCKED) s = dstrcat(s, "b");
    if (c->flags & CLIENT_DIRTY_CAS) s = dstrcat(s, "d");
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) s = dstrcat(s, "c");
    if (c->flags & CLIENT_UNIX_SOCKET) s = dstrcat(s, "U");
    if (c->flags & CLIENT_CLOSE_ASAP) s = dstrcat(s, "A");
    if (c->flags & CLIENT_NO_EVICT) s = dstrcat(s, "e");
    if (c->flags & CLIENT_NO_TOUCH) s = dstrcat(s, "T");
    if (dstrlen(s) == before) s = dstrcat(s, "N");
    return s;
}

/* Reply blocks holding output (oll in CLIENT LIST): an emptied block kept
 * by clientWrite for reuse does not count. */
static size_t replyBlocksInUse(const client *c) {
    size_t n = dlistLength(c->reply);
    if (n == 1 && ((replyBlock *)dlistFirst(c->reply)->value)->used == 0 &&
        ((replyBlock *)dlistFirst(c->reply)->value)->size > 0)
        n = 0;
    return n;
}

size_t clientTotalMemory(const client *c) {
    return zmalloc_size(c) + dstrAllocSize(c->querybuf) + c->reply_bytes;
}

dstr clientInfoString(dstr s, client *c) {
    long long now = elWallMs();
    size_t qbuf = dstrlen(c->querybuf) - c->qb_pos;
    s = dstrcatprintf(s, "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=",
                      (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
                      (now - c->ctime_ms) / 1000, (now - c->last_interaction_ms) / 1000);
    s = flagsString(s, c);
    const char *cmdname = c->lastcmd ? c->lastcmd->fullname : "NULL";
    s = dstrcatprintf(s,
                      " db=%d sub=%d psub=%d ssub=0 multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu "
                      "rbp=%zu obl=0 oll=%zu omem=%zu tot-mem=%zu events=r%s cmd=%s user=default redir=-1 resp=%d "
                      "lib-name=%s lib-ver=%s",
                      c->db->id, c->sub_channels, c->sub_patterns, (c->flags & CLIENT_MULTI) ? c->mstate_count : -1,
                      qbuf, dstravail(c->querybuf), dstralloc(c->querybuf), c->querybuf_peak, replyBlocksInUse(c),
                      c->reply_bytes, clientTotalMemory(c),
                      clientHasPendingReplies(c) ? "w" : "", cmdname, c->resp, c->lib_name ? c->lib_name : "",
                      c->lib_ver ? c->lib_ver : "");
    return s;
}
