#include "multi.h"
#include "call.h"
#include "client.h"
#include "commands.h"
#include "db.h"
#include "hashtable.h"
#include "reply.h"
#include "server.h"
#include "siphash.h"
#include "zmalloc.h"
#include <string.h>

/* A watched key: the key and the clients watching it (in one db's table). */
typedef struct watchedKey {
    dstr key;
    dlist *clients;
} watchedKey;

/* What a client remembers of each key it watches. */
typedef struct clientWatch {
    dstr key;
    db *d;
    int expired_at_watch; /* the key existed but was logically expired */
} clientWatch;

static const void *wkKey(const void *e) { return ((const watchedKey *)e)->key; }
static uint64_t wkHash(const void *k) { return hashBytes(k, dstrlen((const dstr)k)); }
static int wkCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la);
}
static void wkFree(void *e) {
    watchedKey *wk = e;
    dstrfree(wk->key);
    dlistRelease(wk->clients);
    zfree(wk);
}
static hashtableType watchedType = {.entryGetKey = wkKey, .hashFunction = wkHash, .keyCompare = wkCompare,
                                    .entryDestructor = wkFree};

struct hashtable *watchedKeysCreate(void) { return hashtableCreate(&watchedType); }

void multiQueueCommand(client *c) {
    if (c->flags & (CLIENT_DIRTY_EXEC)) {
        /* still queue nothing: EXEC will abort anyway */
        replyStatus(c, "QUEUED");
        return;
    }
    if (c->mstate_count == c->mstate_cap) {
        c->mstate_cap = c->mstate_cap ? c->mstate_cap * 2 : 4;
        c->mstate = zrealloc(c->mstate, sizeof(multiCmd) * (size_t)c->mstate_cap);
    }
    multiCmd *mc = &c->mstate[c->mstate_count++];
    mc->cmd = c->cmd;
    mc->argc = c->argc;
    mc->argv = zmalloc(sizeof(dstr) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) mc->argv[i] = dstrdup(c->argv[i]);
    replyStatus(c, "QUEUED");
}

void multiFlagDirty(client *c) {
    if (c->flags & CLIENT_MULTI) c->flags |= CLIENT_DIRTY_EXEC;
}

void multiDiscard(client *c) {
    for (int i = 0; i < c->mstate_count; i++) {
        for (int j = 0; j < c->mstate[i].argc; j++) dstrfree(c->mstate[i].argv[j]);
        zfree(c->mstate[i].argv);
    }
    zfree(c->mstate);
    c->mstate = NULL;
    c->mstate_count = c->mstate_cap = 0;
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
}

static void watchKey(client *c, const dstr key) {
    for (dlistNode *n = dlistFirst(c->watched_keys); n; n = n->next) {
        clientWatch *cw = n->value;
        if (cw->d == c->db && !dstrcmp(cw->key, key)) return;
    }
    void *found;
    watchedKey *wk;
    if (hashtableFind(c->db->watched, key, &found)) {
        wk = found;
    } else {
        wk = zmalloc(sizeof(*wk));
        wk->key = dstrdup(key);
        wk->clients = dlistCreate();
        hashtableAdd(c->db->watched, wk);
    }
    dlistAddTail(wk->clients, c);
    clientWatch *cw = zmalloc(sizeof(*cw));
    cw->key = dstrdup(key);
    cw->d = c->db;
    void *o;
    cw->expired_at_watch = hashtableFind(c->db->keys, key, &o) && objIsExpired(o);
    dlistAddTail(c->watched_keys, cw);
}

void unwatchAllKeys(client *c) {
    while (dlistLength(c->watched_keys)) {
        dlistNode *n = dlistFirst(c->watched_keys);
        clientWatch *cw = n->value;
        void *found;
        if (hashtableFind(cw->d->watched, cw->key, &found)) {
            watchedKey *wk = found;
            dlistNode *cn = dlistSearch(wk->clients, c);
            if (cn) dlistDelNode(wk->clients, cn);
            if (!dlistLength(wk->clients)) hashtableDelete(cw->d->watched, cw->key);
        }
        dstrfree(cw->key);
        zfree(cw);
        dlistDelNode(c->watched_keys, n);
    }
}

void touchWatchedKey(db *d, const dstr key) {
    if (!hashtableSize(d->watched)) return;
    void *found;
    if (!hashtableFind(d->watched, key, &found)) return;
    watchedKey *wk = found;
    for (dlistNode *n = dlistFirst(wk->clients); n; n = n->next) {
        client *c = n->value;
        c->flags |= CLIENT_DIRTY_CAS;
    }
}

void touchAllWatchedKeysInDb(int dbid) {
    for (int i = 0; i < server.dbnum; i++) {
        if (dbid != -1 && dbid != i) continue;
        db *d = &server.dbs[i];
        if (!hashtableSize(d->watched)) continue;
        hashtableIterator it;
        hashtableInitIterator(&it, d->watched);
        void *e;
        while (hashtableNext(&it, &e)) {
            watchedKey *wk = e;
            void *o;
            /* only keys that exist (Redis: a flush touches keys that held a value) */
            if (!hashtableFind(d->keys, wk->key, &o)) continue;
            for (dlistNode *n = dlistFirst(wk->clients); n; n = n->next) ((client *)n->value)->flags |= CLIENT_DIRTY_CAS;
        }
        hashtableResetIterator(&it);
    }
}

void signalModifiedKey(client *c, db *d, const dstr key) {
    (void)c;
    touchWatchedKey(d, key);
}

/* A watched key that was logically expired at WATCH and is now gone was not
 * "modified" (Redis: watching an expired key and then it being deleted by
 * expiry does not abort EXEC). */
static int watchedKeysExpiredSinceWatch(client *c) {
    for (dlistNode *n = dlistFirst(c->watched_keys); n; n = n->next) {
        clientWatch *cw = n->value;
        if (cw->expired_at_watch) continue;
        void *o;
        if (hashtableFind(cw->d->keys, cw->key, &o) && objIsExpired(o)) return 1;
    }
    return 0;
}

/* ---- commands --------------------------------------------------------------- */
void multiCommand(client *c) {
    if (c->flags & CLIENT_MULTI) {
        replyError(c, "ERR MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    replyOk(c);
}

void discardCommand(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        replyError(c, "ERR DISCARD without MULTI");
        return;
    }
    multiDiscard(c);
    unwatchAllKeys(c);
    replyOk(c);
}

void watchCommand(client *c) {
    if (c->flags & CLIENT_MULTI) {
        replyError(c, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    for (int i = 1; i < c->argc; i++) watchKey(c, c->argv[i]);
    replyOk(c);
}

void unwatchCommand(client *c) {
    unwatchAllKeys(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    replyOk(c);
}

void execCommand(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        replyError(c, "ERR EXEC without MULTI");
        return;
    }
    if (watchedKeysExpiredSinceWatch(c)) c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & CLIENT_DIRTY_EXEC) {
        replyError(c, "EXECABORT Transaction discarded because of previous errors.");
        multiDiscard(c);
        unwatchAllKeys(c);
        return;
    }
    if (c->flags & CLIENT_DIRTY_CAS) {
        replyNullArray(c);
        multiDiscard(c);
        unwatchAllKeys(c);
        return;
    }
    unwatchAllKeys(c);
    int count = c->mstate_count;
    multiCmd *cmds = c->mstate;
    c->mstate = NULL;
    c->mstate_count = c->mstate_cap = 0;
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
    dstr *orig_argv = c->argv;
    int orig_argc = c->argc;
    command *orig_cmd = c->cmd;
    replyArrayLen(c, count);
    server.in_exec = 1;
    for (int i = 0; i < count; i++) {
        c->argv = cmds[i].argv;
        c->argc = cmds[i].argc;
        c->cmd = cmds[i].cmd;
        if (!c->authenticated && !(c->cmd->flags & CMD_NO_AUTH)) replyError(c, "NOAUTH Authentication required.");
        else call(c);
    }
    server.in_exec = 0;
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < cmds[i].argc; j++) dstrfree(cmds[i].argv[j]);
        zfree(cmds[i].argv);
    }
    zfree(cmds);
    c->argv = orig_argv;
    c->argc = orig_argc;
    c->cmd = orig_cmd;
}
