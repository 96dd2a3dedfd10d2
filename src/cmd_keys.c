/* Keyspace commands: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY, MOVE,
 * TOUCH, RANDOMKEY, KEYS, SCAN, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, SELECT and
 * OBJECT ENCODING/REFCOUNT/IDLETIME/FREQ/HELP.
 *
 * Replies and error strings follow Redis 7.2. The expire commands (EXPIRE,
 * TTL, PERSIST, ...) live in expire.c. */
#include "blocked.h"
#include "client.h"
#include "db.h"
#include "hashtable.h"
#include "multi.h"
#include "object.h"
#include "reply.h"
#include "scan.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* ---- helpers ---------------------------------------------------------------- */

/* Parse a database index argument the way Redis's getIntFromObjectOrReply()
 * does: a strict integer that fits an int. On failure replies `msg` when it
 * is given, otherwise Redis's generic integer errors, and returns -1. */
static int parseIntArg(client *c, const dstr arg, int *out, const char *msg) {
    long long v;
    if (!string2ll(arg, dstrlen(arg), &v)) {
        replyError(c, msg ? msg : "ERR value is not an integer or out of range");
        return -1;
    }
    if (v < INT_MIN || v > INT_MAX) {
        if (msg) replyError(c, msg);
        else replyErrorFormat(c, "ERR value is out of range, value must between %d and %d", INT_MIN, INT_MAX);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* The database with index `id`, or NULL if it is out of range. */
static db *dbByIndex(int id) {
    if (id < 0 || id >= server.dbnum) return NULL;
    return &server.dbs[id];
}

static int sameKey(const dstr a, const dstr b) {
    size_t la = dstrlen(a);
    return la == dstrlen(b) && memcmp(a, b, la) == 0;
}

/* Take the stored object of `key` out of `d` without freeing it (RENAME and
 * MOVE reuse it under another key or database). Returns the object, which the
 * caller owns from now on, and its expire time (-1 if none) in *expire.
 * The key must exist. */
static obj *takeKeyObject(db *d, const dstr key, long long *expire) {
    void *found = NULL;
    int popped = hashtablePop(d->keys, key, &found);
    serverAssert(popped);
    obj *o = found;
    *expire = objGetExpire(o);
    if (*expire >= 0) hashtablePop(d->expires, key, NULL);
    return o;
}

/* Store `o` (taken with takeKeyObject, or a bare object) under `key` in `d`
 * with the given expire time (-1 none). The key must not exist in `d`. */
static obj *putKeyObject(db *d, const dstr key, obj *o, long long expire) {
    obj *stored = dbAdd(d, key, o);
    if (expire >= 0) stored = dbSetExpire(d, stored, expire);
    return stored;
}

/* ---- DEL / UNLINK / EXISTS / TYPE / TOUCH ------------------------------------------- */

static void delGeneric(client *c) {
    long long deleted = 0;
    for (int j = 1; j < c->argc; j++) {
        /* the lookup deletes the key first if it is logically expired */
        if (!lookupKeyWrite(c->db, c->argv[j])) continue;
        if (dbDelete(c->db, c->argv[j])) {
            signalModifiedKey(c, c->db, c->argv[j]);
            server.dirty++;
            deleted++;
        }
    }
    replyLongLong(c, deleted);
}

void delCommand(client *c) { delGeneric(c); }

/* UNLINK: the same as DEL for the client; dbDelete frees large values lazily. */
void unlinkCommand(client *c) { delGeneric(c); }

void existsCommand(client *c) {
    long long count = 0;
    for (int j = 1; j < c->argc; j++)
        if (lookupKeyReadFlags(c->db, c->argv[j], LOOKUP_NOTOUCH)) count++;
    replyLongLong(c, count);
}

void typeCommand(client *c) {
    obj *o = lookupKeyReadFlags(c->db, c->argv[1], LOOKUP_NOTOUCH);
    replyStatus(c, o ? objTypeName(o->type) : "none");
}

void touchCommand(client *c) {
    long long touched = 0;
    for (int j = 1; j < c->argc; j++)
        if (lookupKeyRead(c->db, c->argv[j])) touched++;
    replyLongLong(c, touched);
}

/* ---- RENAME / RENAMENX ------------------------------------------------------------ */

static void renameGeneric(client *c, int nx) {
    dstr src = c->argv[1], dst = c->argv[2];
    if (!lookupKeyWrite(c->db, src)) {
        replyError(c, "ERR no such key");
        return;
    }
    if (sameKey(src, dst)) {
        if (nx) replyLongLong(c, 0);
        else replyOk(c);
        return;
    }
    if (lookupKeyWrite(c->db, dst)) {
        if (nx) {
            replyLongLong(c, 0);
            return;
        }
        dbDelete(c->db, dst);
    }
    long long expire;
    obj *o = takeKeyObject(c->db, src, &expire);
    putKeyObject(c->db, dst, o, expire);
    signalModifiedKey(c, c->db, src);
    signalModifiedKey(c, c->db, dst);
    server.dirty++;
    if (nx) replyLongLong(c, 1);
    else replyOk(c);
}

void renameCommand(client *c) { renameGeneric(c, 0); }
void renamenxCommand(client *c) { renameGeneric(c, 1); }

/* ---- MOVE / COPY -------------------------------------------------------------------- */

void moveCommand(client *c) {
    int id;
    if (parseIntArg(c, c->argv[2], &id, NULL) < 0) return;
    db *src = c->db, *dst = dbByIndex(id);
    if (!dst) {
        replyError(c, "ERR DB index is out of range");
        return;
    }
    if (src == dst) {
        replyError(c, "ERR source and destination objects are the same");
        return;
    }
    dstr key = c->argv[1];
    if (!lookupKeyWrite(src, key) || lookupKeyWrite(dst, key)) {
        replyLongLong(c, 0);
        return;
    }
    long long expire;
    obj *o = takeKeyObject(src, key, &expire);
    putKeyObject(dst, key, o, expire);
    signalModifiedKey(c, src, key);
    signalModifiedKey(c, dst, key);
    server.dirty++;
    replyLongLong(c, 1);
}

/* COPY source destination [DB destination-db] [REPLACE] */
void copyCommand(client *c) {
    db *src = c->db, *dst = c->db;
    int replace = 0;
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (!strcasecmp(c->argv[j], "replace")) {
            replace = 1;
        } else if (!strcasecmp(c->argv[j], "db") && more >= 1) {
            int id;
            if (parseIntArg(c, c->argv[j + 1], &id, NULL) < 0) return;
            if (!(dst = dbByIndex(id))) {
                replyError(c, "ERR DB index is out of range");
                return;
            }
            j++;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    dstr key = c->argv[1], newkey = c->argv[2];
    if (src == dst && sameKey(key, newkey)) {
        replyError(c, "ERR source and destination objects are the same");
        return;
    }
    obj *o = lookupKeyRead(src, key);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    long long expire = objGetExpire(o);
    int existing = lookupKeyWrite(dst, newkey) != NULL;
    if (existing && !replace) {
        replyLongLong(c, 0);
        return;
    }
    obj *copy = objDup(o);
    if (existing) dbDelete(dst, newkey);
    putKeyObject(dst, newkey, copy, expire);
    signalModifiedKey(c, dst, newkey);
    server.dirty++;
    replyLongLong(c, 1);
}

/* ---- RANDOMKEY / KEYS / SCAN / DBSIZE ----------------------------------------------- */

void randomkeyCommand(client *c) {
    obj *o = dbRandomKey(c->db);
    if (!o) replyNull(c);
    else replyBulkDstr(c, objKey(o));
}

void keysCommand(client *c) {
    dstr pattern = c->argv[1];
    size_t plen = dstrlen(pattern);
    int allkeys = plen == 1 && pattern[0] == '*';
    void *replylen = replyDeferredLen(c);
    long count = 0;
    hashtableIterator it;
    hashtableInitIterator(&it, c->db->keys);
    void *entry;
    while (hashtableNext(&it, &entry)) {
        obj *o = entry;
        dstr key = objKey(o);
        if (!allkeys && !stringmatchlen(pattern, plen, key, dstrlen(key), 0)) continue;
        if (objIsExpired(o)) continue; /* reported as missing, deleted later */
        replyBulkDstr(c, key);
        count++;
    }
    hashtableResetIterator(&it);
    setDeferredArrayLen(c, replylen, count);
}

typedef struct scanBatch {
    obj **items;
    size_t len, cap;
} scanBatch;

static void scanCollect(void *privdata, void *entry) {
    scanBatch *b = privdata;
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->items = zrealloc(b->items, b->cap * sizeof(obj *));
    }
    b->items[b->len++] = entry;
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
 * The cursor is the keyspace hashtable's scan cursor, so the guarantees are
 * the hashtable's: every key present during the whole iteration is returned
 * at least once; keys may be returned more than once. */
void scanCommand(client *c) {
    unsigned long cursor;
    if (scanParseCursor(c, c->argv[1], &cursor) < 0) return;
    scanOptions opt;
    if (scanParseOptions(c, 2, 1, &opt) < 0) return;
    long count = opt.count;
    const char *pat = opt.pattern, *typename = opt.type;
    size_t patlen = opt.patlen;
    int use_pattern = opt.use_pattern;

    /* Visit buckets until COUNT entries were seen, the scan is complete, or
     * ten times COUNT buckets were visited (sparse tables). */
    scanBatch batch = {NULL, 0, 0};
    long maxsteps = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
    size_t cur = (size_t)cursor;
    do {
        cur = hashtableScan(c->db->keys, cur, scanCollect, &batch);
    } while (cur && maxsteps-- && batch.len < (unsigned long)count);

    /* Filter without modifying the keyspace (the collected pointers stay
     * valid), remembering the expired keys to delete them afterwards. As in
     * Redis, the TYPE check sees an expired key as deleted ("none"), so
     * "TYPE none" returns the names of expired keys (they are deleted). */
    size_t kept = 0;
    dstr *expired = NULL;
    size_t nexpired = 0;
    for (size_t i = 0; i < batch.len; i++) {
        obj *o = batch.items[i];
        dstr key = objKey(o);
        int keep = !use_pattern || stringmatchlen(pat, patlen, key, dstrlen(key), 0);
        int is_expired = keep && objIsExpired(o);
        if (is_expired) {
            expired = zrealloc(expired, (nexpired + 1) * sizeof(dstr));
            expired[nexpired++] = dstrdup(key);
        }
        if (keep && typename) keep = !strcasecmp(typename, is_expired ? "none" : objTypeName(o->type));
        else if (is_expired) keep = 0;
        if (keep) batch.items[kept++] = o;
    }

    char buf[LONG_STR_SIZE];
    int blen = ull2string(buf, sizeof(buf), (unsigned long long)cur);
    replyArrayLen(c, 2);
    replyBulk(c, buf, (size_t)blen);
    replyArrayLen(c, (long)kept);
    for (size_t i = 0; i < kept; i++) replyBulkDstr(c, objKey(batch.items[i]));
    zfree(batch.items);

    for (size_t i = 0; i < nexpired; i++) {
        void *found;
        if (hashtableFind(c->db->keys, expired[i], &found)) dbExpireIfNeeded(c->db, found);
        dstrfree(expired[i]);
    }
    zfree(expired);
}

void dbsizeCommand(client *c) { replyLongLong(c, (long long)dbSize(c->db)); }

/* ---- SELECT / SWAPDB / FLUSHDB / FLUSHALL ----------------------------------------- */

void selectCommand(client *c) {
    int id;
    if (parseIntArg(c, c->argv[1], &id, NULL) < 0) return;
    if (clientSelectDb(c, id) < 0) replyError(c, "ERR DB index is out of range");
    else replyOk(c);
}

/* Clients blocked on keys of `d` whose key now holds a value (after SWAPDB)
 * may be served: signal those keys as ready. */
static void signalReadyBlockingKeys(db *d) {
    if (!hashtableSize(d->blocking)) return;
    const void *(*keyOf)(const void *) = hashtableGetType(d->blocking)->entryGetKey;
    hashtableIterator it;
    hashtableInitSafeIterator(&it, d->blocking);
    void *entry;
    while (hashtableNext(&it, &entry)) {
        dstr key = (dstr)(keyOf ? keyOf(entry) : entry);
        void *found;
        if (hashtableFind(d->keys, key, &found)) signalKeyAsReady(d, key, ((obj *)found)->type);
    }
    hashtableResetIterator(&it);
}

void swapdbCommand(client *c) {
    int id1, id2;
    if (parseIntArg(c, c->argv[1], &id1, "ERR invalid first DB index") < 0) return;
    if (parseIntArg(c, c->argv[2], &id2, "ERR invalid second DB index") < 0) return;
    if (!dbByIndex(id1) || !dbByIndex(id2)) {
        replyError(c, "ERR DB index is out of range");
        return;
    }
    if (id1 != id2) {
        /* WATCHers of a key that exists on either side before or after the
         * swap see it as modified: touch with the old contents, swap, touch
         * with the new contents. */
        touchAllWatchedKeysInDb(id1);
        touchAllWatchedKeysInDb(id2);
        dbSwap(id1, id2);
        touchAllWatchedKeysInDb(id1);
        touchAllWatchedKeysInDb(id2);
        signalReadyBlockingKeys(&server.dbs[id1]);
        signalReadyBlockingKeys(&server.dbs[id2]);
    }
    server.dirty++;
    replyOk(c);
}

/* Parse FLUSHDB/FLUSHALL's optional ASYNC|SYNC. Returns 0 and *async, or
 * replies a syntax error and returns -1. */
static int parseFlushFlags(client *c, int *async) {
    if (c->argc == 1) {
        *async = server.lazyfree_lazy_user_flush;
    } else if (c->argc == 2 && !strcasecmp(c->argv[1], "sync")) {
        *async = 0;
    } else if (c->argc == 2 && !strcasecmp(c->argv[1], "async")) {
        *async = 1;
    } else {
        replyErrorSyntax(c);
        return -1;
    }
    return 0;
}

void flushdbCommand(client *c) {
    int async;
    if (parseFlushFlags(c, &async) < 0) return;
    touchAllWatchedKeysInDb(c->db->id);
    server.dirty += dbEmpty(c->db->id, async);
    replyOk(c);
}

void flushallCommand(client *c) {
    int async;
    if (parseFlushFlags(c, &async) < 0) return;
    touchAllWatchedKeysInDb(-1);
    server.dirty += dbEmpty(-1, async);
    replyOk(c);
}

/* ---- OBJECT ------------------------------------------------------------------------- */

/* Redis shares the string objects of the integers 0..9999 unless maxmemory is
 * set with an LRU/LFU policy, and OBJECT REFCOUNT then reports INT_MAX. Cairn
 * embeds keys in their values so nothing is shared; the figure is reproduced. */
#define SHARED_INTEGERS 10000
#define REDIS_SHARED_REFCOUNT INT_MAX

static obj *objectLookup(client *c) {
    obj *o = lookupKeyReadFlags(c->db, c->argv[2], LOOKUP_NOTOUCH | LOOKUP_NONOTIFY);
    if (!o) replyNull(c);
    return o;
}

void objectEncodingCommand(client *c) {
    obj *o = objectLookup(c);
    if (o) replyBulkCString(c, objEncodingName(o->encoding));
}

void objectRefcountCommand(client *c) {
    obj *o = objectLookup(c);
    if (!o) return;
    int sharing = server.maxmemory == 0 || !(server.maxmemory_policy & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU));
    long long v = (long long)(intptr_t)o->ptr;
    if (o->refcount == OBJ_SHARED_REFCOUNT ||
        (o->type == OBJ_STRING && o->encoding == ENC_INT && sharing && v >= 0 && v < SHARED_INTEGERS))
        replyLongLong(c, REDIS_SHARED_REFCOUNT);
    else
        replyLongLong(c, o->refcount);
}

void objectIdletimeCommand(client *c) {
    obj *o = objectLookup(c);
    if (!o) return;
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) {
        replyError(c, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
                      "switching between policies at runtime LRU and LFU data will take some time to adjust.");
        return;
    }
    replyLongLong(c, (long long)(objIdleTimeMs(o) / 1000));
}

void objectFreqCommand(client *c) {
    obj *o = objectLookup(c);
    if (!o) return;
    if (!(server.maxmemory_policy & MAXMEMORY_FLAG_LFU)) {
        replyError(c, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
                      "when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        return;
    }
    replyLongLong(c, (long long)lfuDecrAndReturn(o));
}

void objectHelpCommand(client *c) {
    static const char *help[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    replyHelp(c, help);
}
