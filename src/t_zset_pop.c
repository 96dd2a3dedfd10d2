/* Sorted set pops: ZPOPMIN, ZPOPMAX, BZPOPMIN, BZPOPMAX, ZMPOP, BZMPOP, with
 * Redis 7.2's reply shapes and errors. The blocking forms wait through
 * blocked.h: when every key is missing they block, and the framework re-runs
 * the command once a key holding a zset is signalled ready. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "blocked.h"
#include "client.h"
#include "db.h"
#include "dstr.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "t_zset.h"
#include "t_zset_int.h"
#include "util.h"

/* Pop up to `count` members (count -1: one, flat reply) from the first
 * non-empty zset among keys[0..numkeys). Reply shapes as Redis 7.2:
 *   emitkey=0, nested=0: [m, s, m, s ...]            (ZPOP*, RESP2 or no COUNT)
 *   emitkey=0, nested=1: [[m, s], ...]               (ZPOP* COUNT in RESP3)
 *   emitkey=1, nested=0: [key, m, s]                 (BZPOP*)
 *   emitkey=1, nested=1: [key, [[m, s], ...]]        (ZMPOP, BZMPOP)
 * With no candidate: null array when nil_when_empty, else an empty array. */
static void zpopGeneric(client *c, dstr *keys, int numkeys, int max, int emitkey, long count, int nested,
                        int nil_when_empty) {
    obj *zobj = NULL;
    dstr key = NULL;
    for (int i = 0; i < numkeys; i++) {
        if (zsetLookup(c, keys[i], 1, &zobj) < 0) return;
        if (zobj) {
            key = keys[i];
            break;
        }
    }
    if (!zobj) {
        if (nil_when_empty) replyNullArray(c);
        else replyEmptyArray(c);
        return;
    }
    if (count == 0) {
        replyEmptyArray(c);
        return;
    }
    if (count == -1) count = 1;
    long llen = (long)zsetLength(zobj);
    long n = count > llen ? llen : count;
    dstr keycopy = dstrdup(key);
    if (!nested && !emitkey) {
        replyArrayLen(c, n * 2);
    } else if (nested && !emitkey) {
        replyArrayLen(c, n);
    } else if (!nested && emitkey) {
        replyArrayLen(c, n * 2 + 1);
        replyBulkDstr(c, keycopy);
    } else {
        replyArrayLen(c, 2);
        replyBulkDstr(c, keycopy);
        replyArrayLen(c, n);
    }
    for (long i = 0; i < n; i++) {
        zcur cur;
        zcurSeekRank(&cur, zobj, 0, max);
        const char *m;
        size_t len;
        double s;
        zcurGet(&cur, &m, &len, &s);
        dstr ele = dstrnewlen(m, len);
        zsetDel(zobj, ele, len);
        if (nested) replyArrayLen(c, 2);
        replyBulk(c, ele, len);
        replyDouble(c, s);
        dstrfree(ele);
    }
    server.dirty += n;
    zsetDeleteIfEmpty(c, keycopy, zobj);
    signalModifiedKey(c, c->db, keycopy);
    dstrfree(keycopy);
}

static void zpopMinMax(client *c, int max) {
    if (c->argc > 3) {
        replyErrorSyntax(c);
        return;
    }
    long count = -1;
    if (c->argc == 3) {
        long long v;
        if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &v) || v < 0 || v > LONG_MAX) {
            replyError(c, "ERR value is out of range, must be positive");
            return;
        }
        count = (long)v;
    }
    zpopGeneric(c, &c->argv[1], 1, max, 0, count, c->resp > 2 && count != -1, 0);
}

void zpopminCommand(client *c) { zpopMinMax(c, 0); }
void zpopmaxCommand(client *c) { zpopMinMax(c, 1); }

static void blockingZpop(client *c, dstr *keys, int numkeys, int max, int timeout_idx, long count, int nested,
                         int nil_when_empty) {
    long long timeout;
    if (getBlockingTimeout(c, c->argv[timeout_idx], &timeout) < 0) return;
    for (int j = 0; j < numkeys; j++) {
        obj *zobj;
        if (zsetLookup(c, keys[j], 1, &zobj) < 0) return;
        if (!zobj || !zsetLength(zobj)) continue;
        zpopGeneric(c, &keys[j], 1, max, 1, count, nested, nil_when_empty);
        return;
    }
    if (!blockingAllowed(c)) {
        replyNullArray(c);
        return;
    }
    blockForKeys(c, BLOCKED_ZSET, keys, numkeys, timeout, 0);
}

void bzpopminCommand(client *c) { blockingZpop(c, &c->argv[1], c->argc - 2, 0, c->argc - 1, -1, 0, 0); }
void bzpopmaxCommand(client *c) { blockingZpop(c, &c->argv[1], c->argc - 2, 1, c->argc - 1, -1, 0, 0); }

/* Parse a long in [1, LONG_MAX] or reply `msg` (not an integer: the standard error). */
static int argPositive(client *c, const dstr arg, long *out, const char *msg) {
    long long v;
    if (!string2ll(arg, dstrlen(arg), &v) || v < 1 || v > LONG_MAX) {
        replyError(c, msg);
        return 0;
    }
    *out = (long)v;
    return 1;
}

static void zmpopGeneric(client *c, int numkeys_idx, int blocking) {
    long numkeys, count = -1;
    int max;
    if (!argPositive(c, c->argv[numkeys_idx], &numkeys, "ERR numkeys should be greater than 0")) return;
    long where_idx = numkeys_idx + numkeys + 1;
    if (numkeys > c->argc || where_idx >= c->argc) {
        replyErrorSyntax(c);
        return;
    }
    if (!strcasecmp(c->argv[where_idx], "min")) max = 0;
    else if (!strcasecmp(c->argv[where_idx], "max")) max = 1;
    else {
        replyErrorSyntax(c);
        return;
    }
    for (long j = where_idx + 1; j < c->argc; j++) {
        int more = c->argc - 1 - (int)j;
        if (count == -1 && !strcasecmp(c->argv[j], "count") && more) {
            j++;
            if (!argPositive(c, c->argv[j], &count, "ERR count should be greater than 0")) return;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    if (count == -1) count = 1;
    if (blocking) blockingZpop(c, &c->argv[numkeys_idx + 1], (int)numkeys, max, 1, count, 1, 1);
    else zpopGeneric(c, &c->argv[numkeys_idx + 1], (int)numkeys, max, 1, count, 1, 1);
}

void zmpopCommand(client *c) { zmpopGeneric(c, 1, 0); }
void bzmpopCommand(client *c) { zmpopGeneric(c, 2, 1); }

