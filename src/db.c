#include "db.h"
#include "blocked.h"
#include "client.h"
#include "hashtable.h"
#include "lazyfree.h"
#include "multi.h"
#include "server.h"
#include "siphash.h"
#include "zmalloc.h"
#include <string.h>

/* ---- hash table types ------------------------------------------------------ */
static const void *keyOfObj(const void *entry) { return objKey((const obj *)entry); }
static uint64_t hashDstr(const void *key) { return hashBytes(key, dstrlen((const dstr)key)); }
static int compareDstr(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la) != 0;
}
static void freeObjEntry(void *entry) { objDecrRef(entry); }

static hashtableType keyspaceType = {
    .entryGetKey = keyOfObj, .hashFunction = hashDstr, .keyCompare = compareDstr, .entryDestructor = freeObjEntry};
/* expires holds the same objects; it never frees them */
static hashtableType expiresType = {.entryGetKey = keyOfObj, .hashFunction = hashDstr, .keyCompare = compareDstr};

void dbInitAll(void) {
    server.dbs = zcalloc(sizeof(db) * (size_t)server.dbnum);
    for (int i = 0; i < server.dbnum; i++) {
        server.dbs[i].id = i;
        server.dbs[i].keys = hashtableCreate(&keyspaceType);
        server.dbs[i].expires = hashtableCreate(&expiresType);
        server.dbs[i].watched = watchedKeysCreate();
        server.dbs[i].blocking = blockingKeysCreate();
    }
}

size_t dbSize(const db *d) { return hashtableSize(d->keys); }

int objIsExpired(const obj *o) {
    long long when = objGetExpire(o);
    if (when < 0) return 0;
    if (server.loading) return 0;
    return mstime() > when;
}

/* Unlink `o` from both tables and free it. */
static void deleteObj(db *d, obj *o) {
    dstr key = objKey(o);
    if (o->has_expire && objGetExpire(o) >= 0) hashtableDelete(d->expires, key);
    hashtableDelete(d->keys, key); /* destructor frees o (and key) */
}

int dbExpireIfNeeded(db *d, obj *o) {
    if (!objIsExpired(o)) return 0;
    server.stat_expiredkeys++;
    dstr key = dstrdup(objKey(o));
    deleteObj(d, o);
    signalModifiedKey(NULL, d, key);
    dstrfree(key);
    return 1;
}

static obj *lookup(db *d, const dstr key, int flags) {
    void *found;
    if (!hashtableFind(d->keys, key, &found)) return NULL;
    obj *o = found;
    if (dbExpireIfNeeded(d, o)) return NULL;
    if (!(flags & LOOKUP_NOTOUCH) && !(server.current_client && (server.current_client->flags & CLIENT_NO_TOUCH)))
        objTouch(o);
    return o;
}

obj *lookupKeyReadFlags(db *d, const dstr key, int flags) {
    obj *o = lookup(d, key, flags);
    if (!(flags & LOOKUP_NOSTATS)) {
        if (o) server.stat_keyspace_hits++;
        else server.stat_keyspace_misses++;
    }
    return o;
}

obj *lookupKeyRead(db *d, const dstr key) { return lookupKeyReadFlags(d, key, LOOKUP_NONE); }
obj *lookupKeyWrite(db *d, const dstr key) { return lookup(d, key, LOOKUP_WRITE); }

obj *lookupKeyReadLen(db *d, const char *key, size_t len, int flags) {
    char stackbuf[512];
    char *buf = dstrEmbeddedSize(len) <= sizeof(stackbuf) ? stackbuf : zmalloc(dstrEmbeddedSize(len));
    dstr k = dstrInitEmbedded(buf, key, len);
    obj *o = lookupKeyReadFlags(d, k, flags);
    if (buf != stackbuf) zfree(buf);
    return o;
}

obj *dbAdd(db *d, const dstr key, obj *val) {
    obj *o = objSetKey(val, key, dstrlen(key), -1);
    int added = hashtableAdd(d->keys, o);
    serverAssert(added);
    if (o->type != OBJ_STRING) signalKeyAsReady(d, key, o->type);
    return o;
}

/* SET semantics with one lookup of `key`. `val` is either a bare object
 * (keyed = 0: objSetKey embeds the key) or already the keyed entry with no
 * expire slot (keyed = 1: objCreateKeyedString). */
static obj *setKeyGeneric(db *d, const dstr key, obj *val, int keyed, int flags) {
    hashtablePosition pos;
    void **ref;
    if (hashtableFindRefOrPositionForInsert(d->keys, key, &pos, &ref)) {
        obj *o = keyed ? val : objSetKey(val, key, dstrlen(key), -1);
        hashtableInsertAtPosition(d->keys, o, &pos);
        if (o->type != OBJ_STRING) signalKeyAsReady(d, key, o->type);
        if (!(flags & SETKEY_NO_SIGNAL)) signalModifiedKey(NULL, d, key);
        return o;
    }
    obj *old = *ref;
    long long expire = (flags & SETKEY_KEEPTTL) ? objGetExpire(old) : -1;
    if (objGetExpire(old) >= 0) hashtableDelete(d->expires, key);
    obj *o;
    if (keyed) o = expire >= 0 ? objSetExpire(val, expire) : val;
    else o = objSetKey(val, key, dstrlen(key), expire);
    *ref = o; /* same key: the slot stays valid (only d->expires was touched) */
    if (expire >= 0) hashtableAdd(d->expires, o);
    int was_stream = old->type == OBJ_STREAM;
    objDecrRef(old);
    if (o->type != OBJ_STRING || was_stream) signalKeyAsReady(d, key, o->type);
    if (!(flags & SETKEY_NO_SIGNAL)) signalModifiedKey(NULL, d, key);
    return o;
}

obj *dbSetKey(db *d, const dstr key, obj *val, int flags) { return setKeyGeneric(d, key, val, 0, flags); }

obj *dbSetStringKey(db *d, const dstr key, const char *val, size_t len, int flags) {
    return setKeyGeneric(d, key, objCreateKeyedString(key, dstrlen(key), val, len), 1, flags);
}

obj *dbReplaceValue(db *d, obj *old, obj *val) {
    dstr key = objKey(old);
    long long expire = objGetExpire(old);
    obj *o = objSetKey(val, key, dstrlen(key), expire);
    o->lru = old->lru;
    if (expire >= 0) hashtableReplaceReallocatedEntry(d->expires, old, o);
    hashtableReplaceReallocatedEntry(d->keys, old, o);
    objDecrRef(old);
    return o;
}

int dbDelete(db *d, const dstr key) {
    void *found;
    if (!hashtableFind(d->keys, key, &found)) return 0;
    int was_stream = ((obj *)found)->type == OBJ_STREAM;
    deleteObj(d, found);
    /* XREADGROUP clients blocked on a deleted stream are answered (blocked.c) */
    if (was_stream) signalKeyAsReady(d, key, OBJ_STREAM);
    return 1;
}

int dbDeleteLen(db *d, const char *key, size_t len) {
    char stackbuf[512];
    char *buf = dstrEmbeddedSize(len) <= sizeof(stackbuf) ? stackbuf : zmalloc(dstrEmbeddedSize(len));
    int r = dbDelete(d, dstrInitEmbedded(buf, key, len));
    if (buf != stackbuf) zfree(buf);
    return r;
}

obj *dbSetExpire(db *d, obj *o, long long when) {
    int had = objGetExpire(o) >= 0;
    obj *n = objSetExpire(o, when);
    if (n != o) {
        hashtableReplaceReallocatedEntry(d->keys, o, n);
        if (had) hashtableReplaceReallocatedEntry(d->expires, o, n);
    }
    if (!had) hashtableAdd(d->expires, n);
    return n;
}

int dbRemoveExpire(db *d, obj **o) {
    if (objGetExpire(*o) < 0) return 0;
    hashtableDelete(d->expires, objKey(*o));
    *o = objSetExpire(*o, -1);
    return 1;
}

obj *dbRandomKey(db *d) {
    for (int tries = 0; tries < 100 && hashtableSize(d->keys); tries++) {
        void *found;
        if (!hashtableFairRandomEntry(d->keys, &found)) return NULL;
        obj *o = found;
        if (!objIsExpired(o)) return o;
        if (hashtableSize(d->keys) == hashtableSize(d->expires) && tries > 50) return o;
        dbExpireIfNeeded(d, o);
    }
    return NULL;
}

long long dbEmpty(int dbnum, int async) {
    long long removed = 0;
    for (int i = 0; i < server.dbnum; i++) {
        if (dbnum != -1 && dbnum != i) continue;
        db *d = &server.dbs[i];
        size_t n = hashtableSize(d->keys);
        removed += (long long)n;
        if (async && n) {
            /* detach the tables; the lazyfree thread frees them and their values */
            lazyfreeTables(d->keys, d->expires, n);
            d->keys = hashtableCreate(&keyspaceType);
            d->expires = hashtableCreate(&expiresType);
        } else {
            hashtableEmpty(d->expires, NULL);
            hashtableEmpty(d->keys, NULL);
        }
        signalAllBlockingKeysAsReady(d);
        d->avg_ttl = 0;
        d->expires_cursor = 0;
    }
    return removed;
}

void dbSwap(int a, int b) {
    db *x = &server.dbs[a], *y = &server.dbs[b];
    struct hashtable *k = x->keys, *e = x->expires;
    x->keys = y->keys;
    x->expires = y->expires;
    y->keys = k;
    y->expires = e;
    long long t = x->avg_ttl;
    x->avg_ttl = y->avg_ttl;
    y->avg_ttl = t;
    x->expires_cursor = y->expires_cursor = 0;
    signalAllBlockingKeysAsReady(x);
    signalAllBlockingKeysAsReady(y);
}

/* ---- active expiry -------------------------------------------------------
 * Each cron tick walks part of every database's expires table with SCAN,
 * deleting expired keys, until the time budget is spent or a db yields
 * fewer than 10% expired among the keys sampled. */
typedef struct expireScan {
    db *d;
    long long now;
    long sampled, expired;
    obj *batch[64];
    int n;
} expireScan;

static void collectExpired(void *privdata, void *entry) {
    expireScan *s = privdata;
    obj *o = entry;
    s->sampled++;
    if (objGetExpire(o) < s->now && s->n < 64) s->batch[s->n++] = o;
}

void activeExpireCycle(long long us) {
    long long start = elMonotonicUs();
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        if (!hashtableSize(d->expires)) continue;
        int rounds = 0;
        for (;;) {
            expireScan s = {.d = d, .now = elWallMs()};
            int steps = 0;
            do {
                d->expires_cursor = hashtableScan(d->expires, d->expires_cursor, collectExpired, &s);
                steps++;
            } while (d->expires_cursor && s.sampled < 20 && steps < 50);
            for (int j = 0; j < s.n; j++) {
                dstr key = dstrdup(objKey(s.batch[j]));
                deleteObj(d, s.batch[j]);
                server.stat_expiredkeys++;
                signalModifiedKey(NULL, d, key);
                dstrfree(key);
            }
            rounds++;
            if (elMonotonicUs() - start > us) {
                server.stat_expired_time_cap_reached_count++;
                return;
            }
            if (s.sampled == 0 || s.expired * 10 < s.sampled || s.n * 10 < s.sampled) break;
            if (d->expires_cursor == 0 && rounds > 1) break;
        }
    }
}
