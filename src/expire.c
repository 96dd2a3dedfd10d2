/* Expire commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT),
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.
 *
 * Expire times are absolute unix times in milliseconds, stored in the keyed
 * object (object.h) and indexed by the db's expires table (db.h). Expired keys
 * are removed lazily by lookups and by the active expire cycle (db.c).
 * Replies and error strings follow Redis 7.2. */
#include "client.h"
#include "db.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "util.h"
#include <limits.h>
#include <strings.h>

#define EXPIRE_NX (1 << 0)
#define EXPIRE_XX (1 << 1)
#define EXPIRE_GT (1 << 2)
#define EXPIRE_LT (1 << 3)

/* Parse the NX/XX/GT/LT options after the time argument. Returns 0 and the
 * flags, or replies the error and returns -1. */
static int parseExpireFlags(client *c, int *flags) {
    *flags = 0;
    for (int j = 3; j < c->argc; j++) {
        const char *opt = c->argv[j];
        if (!strcasecmp(opt, "nx")) *flags |= EXPIRE_NX;
        else if (!strcasecmp(opt, "xx")) *flags |= EXPIRE_XX;
        else if (!strcasecmp(opt, "gt")) *flags |= EXPIRE_GT;
        else if (!strcasecmp(opt, "lt")) *flags |= EXPIRE_LT;
        else {
            /* %s: Redis prints the option as a C string (up to a NUL byte) */
            replyErrorFormat(c, "ERR Unsupported option %s", opt);
            return -1;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        replyError(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        replyError(c, "ERR GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

/* EXPIRE-family core. `basetime` is added to the argument (now for the
 * relative forms, 0 for the *AT forms); `seconds` says the argument is in
 * seconds; `name` is the command name used in the invalid-time error. */
static void expireGeneric(client *c, long long basetime, int seconds, const char *name) {
    int flags;
    if (parseExpireFlags(c, &flags) < 0) return;
    long long when;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &when)) {
        replyErrorNotInteger(c);
        return;
    }
    /* negative times are allowed (they delete the key); reject overflows */
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            replyErrorFormat(c, "ERR invalid expire time in '%s' command", name);
            return;
        }
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime) {
        replyErrorFormat(c, "ERR invalid expire time in '%s' command", name);
        return;
    }
    when += basetime;

    dstr key = c->argv[1];
    obj *o = lookupKeyWrite(c->db, key);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    long long current = objGetExpire(o); /* -1: no expire, i.e. an infinite TTL */
    if ((flags & EXPIRE_NX) && current != -1) {
        replyLongLong(c, 0);
        return;
    }
    if ((flags & EXPIRE_XX) && current == -1) {
        replyLongLong(c, 0);
        return;
    }
    if ((flags & EXPIRE_GT) && (current == -1 || when <= current)) {
        replyLongLong(c, 0);
        return;
    }
    if ((flags & EXPIRE_LT) && current != -1 && when >= current) {
        replyLongLong(c, 0);
        return;
    }

    if (when <= mstime() && !server.loading) {
        /* already in the past: the key is deleted now */
        dbDelete(c->db, key);
    } else {
        dbSetExpire(c->db, o, when);
    }
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    replyLongLong(c, 1);
}

void expireCommand(client *c) { expireGeneric(c, mstime(), 1, "expire"); }
void pexpireCommand(client *c) { expireGeneric(c, mstime(), 0, "pexpire"); }
void expireatCommand(client *c) { expireGeneric(c, 0, 1, "expireat"); }
void pexpireatCommand(client *c) { expireGeneric(c, 0, 0, "pexpireat"); }

/* TTL-family core: -2 if the key does not exist, -1 if it has no expire,
 * else the remaining time (or with `absolute` the expire time itself) in
 * ms, or in seconds rounded to the nearest (as Redis). */
static void ttlGeneric(client *c, int ms, int absolute) {
    obj *o = lookupKeyReadFlags(c->db, c->argv[1], LOOKUP_NOTOUCH);
    if (!o) {
        replyLongLong(c, -2);
        return;
    }
    long long expire = objGetExpire(o);
    if (expire == -1) {
        replyLongLong(c, -1);
        return;
    }
    long long ttl = absolute ? expire : expire - mstime();
    if (ttl < 0) ttl = 0;
    /* seconds rounded to the nearest, i.e. (ttl + 500) / 1000 without the
     * overflow near LLONG_MAX (Redis replies the exact value there too) */
    replyLongLong(c, ms ? ttl : ttl / 1000 + (ttl % 1000 >= 500));
}

void ttlCommand(client *c) { ttlGeneric(c, 0, 0); }
void pttlCommand(client *c) { ttlGeneric(c, 1, 0); }
void expiretimeCommand(client *c) { ttlGeneric(c, 0, 1); }
void pexpiretimeCommand(client *c) { ttlGeneric(c, 1, 1); }

void persistCommand(client *c) {
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o || !dbRemoveExpire(c->db, &o)) {
        replyLongLong(c, 0);
        return;
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
    replyLongLong(c, 1);
}
