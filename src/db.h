/* db: the keyspace. Each database is a hash table of keyed objects (the key
 * is embedded in its value object, see object.h) and a second table holding
 * the same objects for those with an expire time, for the active expire cycle.
 * Lookups apply lazy expiry; writes notify WATCH and blocked clients. */
#ifndef CAIRN_DB_H
#define CAIRN_DB_H
#include <stddef.h>
#include "dstr.h"
#include "object.h"

struct hashtable;
typedef struct client client;

typedef struct db {
    struct hashtable *keys;        /* obj* with embedded keys */
    struct hashtable *expires;     /* the subset with an expire time */
    struct hashtable *watched;     /* key -> clients WATCHing it (multi.c) */
    struct hashtable *blocking;    /* key -> clients blocked on it (blocked.c) */
    int id;
    long long avg_ttl;
    size_t expires_cursor;
} db;

#define LOOKUP_NONE 0
#define LOOKUP_NOTOUCH (1 << 0)   /* do not update LRU/LFU */
#define LOOKUP_NONOTIFY (1 << 1)
#define LOOKUP_NOSTATS (1 << 2)   /* do not count keyspace hits/misses */
#define LOOKUP_WRITE (1 << 3)

#define SETKEY_KEEPTTL 1
#define SETKEY_NO_SIGNAL 2
#define SETKEY_ALREADY_EXIST 4
#define SETKEY_DOESNT_EXIST 8

/* Create the server's databases (server.dbnum). */
void dbInitAll(void);
/* Value of `key` for reading, or NULL if missing/expired (expired keys are
 * deleted). Updates LRU/LFU and hit/miss stats. */
obj *lookupKeyRead(db *d, const dstr key);
obj *lookupKeyReadFlags(db *d, const dstr key, int flags);
/* Value of `key` for writing (no hit/miss stats), or NULL. */
obj *lookupKeyWrite(db *d, const dstr key);
/* Like lookupKeyRead but the key is given as bytes. */
obj *lookupKeyReadLen(db *d, const char *key, size_t len, int flags);
/* Add `key` -> `val` (the key must not exist). `val` is a bare object and is
 * consumed; returns the stored keyed object. Signals blocked clients. */
obj *dbAdd(db *d, const dstr key, obj *val);
/* Set `key` to `val` whether or not it exists (SET semantics): the old value
 * is freed; with SETKEY_KEEPTTL its expire time is kept. Returns the stored object. */
obj *dbSetKey(db *d, const dstr key, obj *val, int flags);
/* dbSetKey with a string value given as bytes (copied; encoded as
 * objCreateString would): the keyed entry is built directly, one allocation
 * (two for values over 44 bytes) and one lookup. Returns the stored object. */
obj *dbSetStringKey(db *d, const dstr key, const char *val, size_t len, int flags);
/* Replace the value of an existing key with `val` keeping the TTL (in-place
 * ops that change representation, e.g. APPEND on an int). Returns the stored object. */
obj *dbReplaceValue(db *d, obj *old, obj *val);
/* Delete `key`; 1 if it existed. With lazyfree, large values are freed in the background. */
int dbDelete(db *d, const dstr key);
int dbDeleteLen(db *d, const char *key, size_t len);
/* Set the expire time (unix ms) of a stored object; returns the object to use afterwards. */
obj *dbSetExpire(db *d, obj *o, long long when);
/* Remove the expire time; 1 if it had one. Returns via *o the object to use. */
int dbRemoveExpire(db *d, obj **o);
/* 1 if `o` is logically expired now (and may be deleted). */
int objIsExpired(const obj *o);
/* Delete `o` (from `d`) if it is expired; 1 if deleted. */
int dbExpireIfNeeded(db *d, obj *o);
/* Number of keys. */
size_t dbSize(const db *d);
/* Remove every key of database `dbnum` (-1 all). Returns the number removed. */
long long dbEmpty(int dbnum, int async);
/* Swap two databases' contents (SWAPDB). */
void dbSwap(int a, int b);
/* A random non-expired key's object, or NULL if none. */
obj *dbRandomKey(db *d);
/* Run the active expire cycle for up to `us` microseconds (cron). */
void activeExpireCycle(long long us);
/* Tell WATCHers that `key` changed (call after every modification). */
void signalModifiedKey(client *c, db *d, const dstr key);
/* Tell WATCHers of every key in `d` (-1: all dbs) that it changed (FLUSHDB...). */
void signalFlushedDb(int dbid);
/* Ask that clients blocked on `key` be served in beforeSleep. */
void signalKeyAsReady(db *d, const dstr key, int type);

#endif
