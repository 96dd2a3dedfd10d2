/* DUMP and RESTORE: serialise a value into a DUMP payload and back (rdb.h has
 * the payload format and the codec).
 *
 * DUMP key -> the payload stamped with `dump-rdb-version` (default 10, which
 * every Redis >= 7.0 and every Valkey restores), or a null reply for a
 * missing key.
 *
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with Redis
 * 7.0's order of checks and exact replies:
 *   1. options, left to right: REPLACE, ABSTTL, IDLETIME s (integer, >= 0),
 *      FREQ f (integer, 0..255); IDLETIME after FREQ or FREQ after IDLETIME,
 *      an option without its value and an unknown word -> "ERR syntax error";
 *      a repeated option is allowed (the last value wins);
 *   2. the key exists and no REPLACE -> "BUSYKEY Target key name already exists.";
 *   3. ttl not an integer -> "ERR value is not an integer or out of range",
 *      ttl < 0 -> "ERR Invalid TTL value, must be >= 0";
 *   4. payload footer (length, version, CRC) -> "ERR DUMP payload version or
 *      checksum are wrong";
 *   5. the whole body is decoded and validated -> "ERR Bad data format"
 *      (the reason, type and version are logged: at notice level when the
 *      type cannot be represented, at verbose level for a corrupt body); no
 *      string may expand beyond proto-max-bulk-len (Redis has no such
 *      limit, but an LZF header can claim 88 times its size);
 *   6. only now, with REPLACE, the old value is deleted; a ttl (relative, or
 *      absolute with ABSTTL; 0 = none) already in the past replies OK and
 *      leaves no key; otherwise the key is added with its expire time and the
 *      IDLETIME (non-LFU policies) or FREQ (LFU policies) applied. */
#include <limits.h>
#include <strings.h>

#include "client.h"
#include "db.h"
#include "object.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "util.h"

void dumpCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyNull(c);
        return;
    }
    const char *why = NULL;
    dstr payload = rdbCreatePayload(o, server.dump_rdb_version, &why);
    if (!payload) {
        replyErrorFormat(c, "ERR DUMP of a %s value is not possible for RDB version %d (%s)",
                         objTypeName(o->type), server.dump_rdb_version, why ? why : "unsupported");
        return;
    }
    replyBulkTakeDstr(c, payload); /* big payloads are sent without a copy */
}

/* Parse an integer option value, replying the standard error on failure. */
static int optionInteger(client *c, const dstr arg, long long *out) {
    if (!string2ll(arg, dstrlen(arg), out)) {
        replyErrorNotInteger(c);
        return 0;
    }
    return 1;
}

void restoreCommand(client *c) {
    long long ttl, lfu_freq = -1, lru_idle = -1;
    int replace = 0, absttl = 0;

    for (int j = 4; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int more = c->argc - j - 1;
        if (!strcasecmp(opt, "replace")) {
            replace = 1;
        } else if (!strcasecmp(opt, "absttl")) {
            absttl = 1;
        } else if (!strcasecmp(opt, "idletime") && more >= 1 && lfu_freq == -1) {
            if (!optionInteger(c, c->argv[j + 1], &lru_idle)) return;
            if (lru_idle < 0) {
                replyError(c, "ERR Invalid IDLETIME value, must be >= 0");
                return;
            }
            j++;
        } else if (!strcasecmp(opt, "freq") && more >= 1 && lru_idle == -1) {
            if (!optionInteger(c, c->argv[j + 1], &lfu_freq)) return;
            if (lfu_freq < 0 || lfu_freq > 255) {
                replyError(c, "ERR Invalid FREQ value, must be >= 0 and <= 255");
                return;
            }
            j++;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }

    dstr key = c->argv[1];
    if (!replace && lookupKeyWrite(c->db, key) != NULL) {
        replyError(c, "BUSYKEY Target key name already exists.");
        return;
    }
    if (!optionInteger(c, c->argv[2], &ttl)) return;
    if (ttl < 0) {
        replyError(c, "ERR Invalid TTL value, must be >= 0");
        return;
    }

    obj *val = NULL;
    rdbLoadCtx ctx = {.max_string_len = (uint64_t)server.proto_max_bulk_len};
    const dstr payload = c->argv[3];
    int rc = rdbDecodePayload((const unsigned char *)payload, dstrlen(payload), 1, &val, &ctx);
    if (rc == RDB_PAYLOAD_BAD_CHECKSUM) {
        replyError(c, "ERR DUMP payload version or checksum are wrong");
        return;
    }
    if (rc != RDB_PAYLOAD_OK) {
        /* a type Cairn cannot represent is worth a notice; a corrupt body is not */
        serverLog(ctx.unsupported ? LL_NOTICE : LL_VERBOSE, "RESTORE: bad data format: %s (RDB type %d %s, version %d)",
                  ctx.err ? ctx.err : "?", ctx.rdbtype, rdbTypeName(ctx.rdbtype, ctx.rdbver), ctx.rdbver);
        replyError(c, "ERR Bad data format");
        return;
    }

    int deleted = replace ? dbDelete(c->db, key) : 0;
    /* Relative ttl: added to the clock with wrap-around (no signed overflow);
     * a wrapped result is in the past, as on Redis. */
    if (ttl && !absttl) ttl = (long long)((unsigned long long)ttl + (unsigned long long)mstime());
    if (ttl && ttl <= mstime()) {
        if (deleted) {
            signalModifiedKey(c, c->db, key);
            server.dirty++;
        }
        objDecrRef(val);
        replyOk(c);
        return;
    }

    obj *o = dbAdd(c->db, key, val);
    if (ttl) o = dbSetExpire(c->db, o, ttl);
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) {
        if (lfu_freq >= 0) objSetLfuFreq(o, (int)lfu_freq);
    } else if (lru_idle >= 0) {
        /* LRU ticks are seconds: keep the product inside objSetLruIdle's range */
        objSetLruIdle(o, lru_idle > LLONG_MAX / 1000 ? LLONG_MAX / 1000 : lru_idle);
    }
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    replyOk(c);
}
