#include "blocked.h"
#include "call.h"
#include "client.h"
#include "commands.h"
#include "db.h"
#include "hashtable.h"
#include "net.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "siphash.h"
#include "util.h"
#include "zmalloc.h"
#include <limits.h>
#include <math.h>
#include <string.h>

/* key -> FIFO of clients blocked on it, per db */
typedef struct blockingKey {
    dstr key;
    dlist *clients;
} blockingKey;

/* a key signalled ready since the last beforeSleep */
typedef struct readyKey {
    db *d;
    dstr key;
} readyKey;

static dlist *blocked_clients;   /* every client blocked on keys or paused */
static dlist *ready_keys;        /* readyKey* */

static const void *bkKey(const void *e) { return ((const blockingKey *)e)->key; }
static uint64_t bkHash(const void *k) { return hashBytes(k, dstrlen((const dstr)k)); }
static int bkCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la);
}
static void bkFree(void *e) {
    blockingKey *bk = e;
    dstrfree(bk->key);
    dlistRelease(bk->clients);
    zfree(bk);
}
static hashtableType blockingType = {.entryGetKey = bkKey, .hashFunction = bkHash, .keyCompare = bkCompare,
                                     .entryDestructor = bkFree};

struct hashtable *blockingKeysCreate(void) {
    if (!blocked_clients) {
        blocked_clients = dlistCreate();
        ready_keys = dlistCreate();
    }
    return hashtableCreate(&blockingType);
}

long long blockedClientCount(void) { return blocked_clients ? (long long)dlistLength(blocked_clients) : 0; }

long long blockingKeysCount(void) {
    long long n = 0;
    for (int i = 0; i < server.dbnum; i++) n += (long long)hashtableSize(server.dbs[i].blocking);
    return n;
}

int blockingAllowed(client *c) {
    return !(c->flags & (CLIENT_MULTI | CLIENT_SCRIPT)) && !server.in_exec && !server.in_script;
}

int getBlockingTimeout(client *c, const dstr arg, long long *timeout_ms) {
    /* Redis 7.2: seconds * 1000 rounded up; +inf or a deadline past LLONG_MAX
     * is "out of range"; anything that rounds to a negative count of ms is
     * "negative" (so -0.0001 means 0: wait forever, as Redis). */
    long double v;
    if (!string2ld(arg, dstrlen(arg), &v)) {
        replyError(c, "ERR timeout is not a float or out of range");
        return -1;
    }
    long double ms = v * 1000.0L;
    if (ms > (long double)LLONG_MAX) {
        replyError(c, "ERR timeout is out of range");
        return -1;
    }
    if (ms <= -1.0L) {
        replyError(c, "ERR timeout is negative");
        return -1;
    }
    long long t = (long long)ceill(ms);
    if (t > 0) {
        long long now = elWallMs();
        if (t > LLONG_MAX - now) {
            replyError(c, "ERR timeout is out of range");
            return -1;
        }
        *timeout_ms = now + t;
    } else {
        *timeout_ms = 0;
    }
    return 0;
}

void blockForKeys(client *c, int btype, dstr *keys, int numkeys, long long timeout_ms, int timeout_null_bulk) {
    c->flags |= CLIENT_BLOCKED;
    c->bstate.btype = btype;
    c->bstate.timeout_ms = timeout_ms;
    c->bstate.db = c->db;
    c->bstate.data = (void *)(intptr_t)timeout_null_bulk;
    c->bstate.unblock_on_deleted = 0;
    if (!c->bstate.keys) {
        c->bstate.keys = dlistCreate();
        c->bstate.keys->free = (void (*)(void *))dstrfree;
    }
    for (int i = 0; i < numkeys; i++) {
        int dup = 0;
        for (dlistNode *n = dlistFirst(c->bstate.keys); n; n = n->next)
            if (!dstrcmp(n->value, keys[i])) dup = 1;
        if (dup) continue;
        dlistAddTail(c->bstate.keys, dstrdup(keys[i]));
        void *found;
        blockingKey *bk;
        if (hashtableFind(c->db->blocking, keys[i], &found)) {
            bk = found;
        } else {
            bk = zmalloc(sizeof(*bk));
            bk->key = dstrdup(keys[i]);
            bk->clients = dlistCreate();
            hashtableAdd(c->db->blocking, bk);
        }
        dlistAddTail(bk->clients, c);
    }
    dlistAddTail(blocked_clients, c);
}

void unblockClient(client *c) {
    if (!(c->flags & CLIENT_BLOCKED)) return;
    if (c->bstate.keys) {
        for (dlistNode *n = dlistFirst(c->bstate.keys); n; n = n->next) {
            void *found;
            if (!hashtableFind(c->bstate.db->blocking, n->value, &found)) continue;
            blockingKey *bk = found;
            dlistNode *cn = dlistSearch(bk->clients, c);
            if (cn) dlistDelNode(bk->clients, cn);
            if (!dlistLength(bk->clients)) hashtableDelete(c->bstate.db->blocking, n->value);
        }
        dlistEmpty(c->bstate.keys);
    }
    dlistNode *bn = dlistSearch(blocked_clients, c);
    if (bn) dlistDelNode(blocked_clients, bn);
    c->flags &= ~CLIENT_BLOCKED;
    c->bstate.btype = BLOCKED_NONE;
    c->bstate.timeout_ms = 0;
}

void signalAllBlockingKeysAsReady(db *d) {
    if (!d->blocking || !hashtableSize(d->blocking)) return;
    hashtableIterator it;
    hashtableInitSafeIterator(&it, d->blocking);
    void *entry;
    while (hashtableNext(&it, &entry)) signalKeyAsReady(d, ((blockingKey *)entry)->key, -1);
    hashtableResetIterator(&it);
}

void signalKeyAsReady(db *d, const dstr key, int type) {
    (void)type;
    if (!hashtableSize(d->blocking)) return;
    void *found;
    if (!hashtableFind(d->blocking, key, &found)) return;
    for (dlistNode *n = dlistFirst(ready_keys); n; n = n->next) {
        readyKey *rk = n->value;
        if (rk->d == d && !dstrcmp(rk->key, key)) return;
    }
    readyKey *rk = zmalloc(sizeof(*rk));
    rk->d = d;
    rk->key = dstrdup(key);
    dlistAddTail(ready_keys, rk);
}

/* Re-run the blocked command of an unblocked client, then its pending input.
 * `timeout_ms`: the deadline it was blocked with; if the command blocks again
 * it keeps that deadline (Redis 7.2). 0 = none / a first run. */
static void rerunCommand(client *c, long long timeout_ms) {
    c->flags |= CLIENT_PROTECTED | CLIENT_RERUN;
    call(c);
    c->flags &= ~CLIENT_RERUN;
    if ((c->flags & CLIENT_BLOCKED) && timeout_ms) c->bstate.timeout_ms = timeout_ms;
    if (!(c->flags & CLIENT_BLOCKED)) {
        commandDone(c);
        respRequestReset(&c->req);
        c->argc = 0;
        c->argv = NULL;
        netProcessInputBuffer(c);
    }
    c->flags &= ~CLIENT_PROTECTED;
    if (c->flags & CLIENT_CLOSE_ASAP) return;
}

void blockedSetUnblockOnDeleted(client *c) { c->bstate.unblock_on_deleted = 1; }

/* Unblock `c` answering `err` instead of running its command again; then
 * continue with its pending input. */
static void unblockWithError(client *c, const char *err) {
    unblockClient(c);
    replyError(c, err);
    if (c->cmd) c->cmd->calls++;
    commandDone(c);
    respRequestReset(&c->req);
    c->argc = 0;
    c->argv = NULL;
    c->flags |= CLIENT_PROTECTED;
    netProcessInputBuffer(c);
    c->flags &= ~CLIENT_PROTECTED;
}

/* When `key` no longer holds a stream, answer the clients that asked for it
 * (XREADGROUP) with -UNBLOCKED, in their queue order. A snapshot of the queue
 * is taken; each client is used only while it is still queued on the key. */
static void answerDeletedStreamWaiters(db *d, const dstr key) {
    obj *o = lookupKeyReadFlags(d, key, LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
    if (o && o->type == OBJ_STREAM) return;
    void *found;
    if (!hashtableFind(d->blocking, key, &found)) return;
    dlist *snapshot = dlistCreate();
    for (dlistNode *cn = dlistFirst(((blockingKey *)found)->clients); cn; cn = cn->next)
        dlistAddTail(snapshot, cn->value);
    for (dlistNode *sn = dlistFirst(snapshot); sn; sn = sn->next) {
        if (!hashtableFind(d->blocking, key, &found)) break;
        if (!dlistSearch(((blockingKey *)found)->clients, sn->value)) continue;
        client *c = sn->value;
        if (c->bstate.btype == BLOCKED_STREAM && c->bstate.unblock_on_deleted)
            unblockWithError(c, "UNBLOCKED the stream key no longer exists");
    }
    dlistRelease(snapshot);
}

static int typeForBlock(int btype) {
    switch (btype) {
    case BLOCKED_LIST: return OBJ_LIST;
    case BLOCKED_ZSET: return OBJ_ZSET;
    case BLOCKED_STREAM: return OBJ_STREAM;
    default: return -1;
    }
}

void handleClientsBlockedOnKeys(void) {
    while (ready_keys && dlistLength(ready_keys)) {
        dlist *list = ready_keys;
        ready_keys = dlistCreate();
        for (dlistNode *n = dlistFirst(list); n; n = n->next) {
            readyKey *rk = n->value;
            void *found;
            if (hashtableFind(rk->d->blocking, rk->key, &found)) {
                blockingKey *bk = found;
                answerDeletedStreamWaiters(rk->d, rk->key);
                if (!hashtableFind(rk->d->blocking, rk->key, &found)) goto next_key;
                bk = found;
                size_t count = dlistLength(bk->clients);
                /* serve in FIFO order while the key holds data of the awaited type */
                while (count--) {
                    if (!hashtableFind(rk->d->blocking, rk->key, &found)) break;
                    bk = found;
                    dlistNode *cn = dlistFirst(bk->clients);
                    if (!cn) break;
                    client *c = cn->value;
                    obj *o = lookupKeyReadFlags(rk->d, rk->key, LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
                    int want = typeForBlock(c->bstate.btype);
                    if (!o) break;
                    if (o->type != want) {
                        /* wrong type now: Redis leaves such clients blocked */
                        break;
                    }
                    long long timeout_ms = c->bstate.timeout_ms;
                    unblockClient(c);
                    rerunCommand(c, timeout_ms);
                }
            }
        next_key:
            dstrfree(rk->key);
            zfree(rk);
        }
        dlistRelease(list);
    }
}

void blockedTimeoutCheck(long long now_ms) {
    if (!blocked_clients) return;
    dlistNode *n = dlistFirst(blocked_clients);
    while (n) {
        dlistNode *next = n->next;
        client *c = n->value;
        if (c->bstate.timeout_ms && c->bstate.timeout_ms <= now_ms && c->bstate.btype != BLOCKED_PAUSE) {
            int null_bulk = (int)(intptr_t)c->bstate.data;
            unblockClient(c);
            if (null_bulk) replyNull(c);
            else replyNullArray(c);
            if (c->cmd) c->cmd->calls++;
            commandDone(c);
            respRequestReset(&c->req);
            c->argc = 0;
            c->argv = NULL;
            c->flags |= CLIENT_PROTECTED;
            netProcessInputBuffer(c);
            c->flags &= ~CLIENT_PROTECTED;
        }
        n = next;
    }
}

/* ---- CLIENT PAUSE support ---------------------------------------------------- */
void blockForPause(client *c) {
    c->flags |= CLIENT_BLOCKED;
    c->bstate.btype = BLOCKED_PAUSE;
    c->bstate.timeout_ms = 0;
    c->bstate.db = c->db;
    dlistAddTail(blocked_clients, c);
}

void unblockPausedClients(void) {
    if (!blocked_clients) return;
    dlist *paused = dlistCreate();
    for (dlistNode *n = dlistFirst(blocked_clients); n; n = n->next) {
        client *c = n->value;
        if (c->bstate.btype == BLOCKED_PAUSE) dlistAddTail(paused, c);
    }
    for (dlistNode *n = dlistFirst(paused); n; n = n->next) {
        client *c = n->value;
        unblockClient(c);
        rerunCommand(c, 0);
    }
    dlistRelease(paused);
}
