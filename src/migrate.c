/* MIGRATE: move (or copy) keys to another server with DUMP payloads and
 * RESTORE, blocking this server for at most `timeout` per network step.
 *
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 *         [AUTH password] [AUTH2 username password] [KEYS key ...]
 *
 * Semantics and replies of Redis 7 (checked against redis-server 7.0.15):
 *   1. options from argument 6, left to right: COPY, REPLACE, AUTH pw,
 *      AUTH2 user pw (a missing value or an unknown word -> "ERR syntax
 *      error"; a later AUTH/AUTH2 overrides the password, AUTH2's user
 *      stays), KEYS: every remaining argument is a key, and `key` must be ""
 *      ("ERR When using MIGRATE KEYS option, the key argument must be set to
 *      the empty string");
 *   2. timeout then destination-db must be integers ("ERR value is not an
 *      integer or out of range"); a timeout <= 0 means 1000 ms;
 *   3. keys missing here are skipped; none left -> +NOKEY;
 *   4. the connection to "host:port" (the two arguments as written) is taken
 *      from the cache or opened; failing to open it -> "IOERR error or
 *      timeout connecting to the client";
 *   5. one pipelined write: AUTH [user] pw when asked, SELECT db when the
 *      connection's last selected db differs, then for each key RESTORE key
 *      ttl payload [REPLACE], ttl being the remaining time to live in ms
 *      (0 = none, at least 1 for a key about to expire), payload the DUMP
 *      payload stamped with `dump-rdb-version`;
 *   6. replies are read in order, each line within `timeout`. An error line
 *      from AUTH, SELECT or any RESTORE -> "ERR Target instance replied with
 *      error: <line>" (the first one; the others are still read), and no
 *      key is deleted while AUTH or SELECT failed. Each key whose RESTORE was
 *      confirmed is deleted here unless COPY;
 *   7. a socket error (not a timeout) while writing, while reading AUTH or
 *      SELECT, or before the first RESTORE reply closes the connection and
 *      retries once with a new one (a stale cached connection is common);
 *      otherwise -> "IOERR error or timeout writing to target instance" or
 *      "IOERR error or timeout reading to target instance" (the connection is
 *      closed). A closed port shows as the writing error, as in Redis: the
 *      refusal surfaces at the first write;
 *   8. success -> +OK and the connection remembers the db; after an error
 *      reply from the target it forgets it (SELECT is sent next time).
 * Cache: at most 64 connections (a random one is closed to make room), each
 * closed after 10 s unused (migrateCron) or on any socket error. */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "db.h"
#include "dstr.h"
#include "event.h"
#include "object.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "syncio.h"
#include "util.h"
#include "zmalloc.h"

#define MIGRATE_CACHE_MAX 64         /* Redis: MIGRATE_SOCKET_CACHE_ITEMS */
#define MIGRATE_CACHE_IDLE_MS 10000  /* Redis: MIGRATE_SOCKET_CACHE_TTL (10 s) */
#define MIGRATE_WRITE_CHUNK (64 * 1024)
#define MIGRATE_LINE_MAX 1024        /* a reply line kept for the error message */

typedef struct migrateConn {
    dstr name;              /* "host:port" exactly as given */
    long last_dbid;         /* db selected on this connection, -1 unknown */
    long long last_use_ms;  /* monotonic ms of the last MIGRATE that used it */
    syncReader rd;          /* rd.fd is the socket */
} migrateConn;

static migrateConn *cache[MIGRATE_CACHE_MAX];
static int cache_len;

static void connFree(migrateConn *mc) {
    close(mc->rd.fd);
    dstrfree(mc->name);
    zfree(mc);
}

static void cacheRemoveAt(int i) {
    connFree(cache[i]);
    cache[i] = cache[--cache_len];
    cache[cache_len] = NULL;
}

static int cacheFind(const char *name, size_t len) {
    for (int i = 0; i < cache_len; i++)
        if (dstrlen(cache[i]->name) == len && memcmp(cache[i]->name, name, len) == 0) return i;
    return -1;
}

/* Close the cached connection for `name`, if any (idempotent). */
static void cacheClose(const dstr name) {
    int i = cacheFind(name, dstrlen(name));
    if (i >= 0) cacheRemoveAt(i);
}

/* The cached connection for `name` ("host:port"), or a new one. NULL when
 * connecting fails (the caller replies). */
static migrateConn *connGet(const dstr name, const dstr host, const dstr port, long timeout) {
    int i = cacheFind(name, dstrlen(name));
    if (i >= 0) {
        cache[i]->last_use_ms = elMonotonicMs();
        return cache[i];
    }
    if (cache_len == MIGRATE_CACHE_MAX) cacheRemoveAt(rand() % cache_len);
    int fd;
    /* the port is read as atoi() does: "abc" is port 0, which fails */
    if (syncConnect(host, atoi(port), timeout, &fd) != SYNCIO_OK) return NULL;
    migrateConn *mc = zmalloc(sizeof(*mc));
    mc->name = dstrdup(name);
    mc->last_dbid = -1;
    mc->last_use_ms = elMonotonicMs();
    syncReaderInit(&mc->rd, fd);
    cache[cache_len++] = mc;
    return mc;
}

void migrateCron(void) {
    if (!cache_len) return;
    long long now = elMonotonicMs();
    for (int i = cache_len - 1; i >= 0; i--)
        if (now - cache[i]->last_use_ms > MIGRATE_CACHE_IDLE_MS) cacheRemoveAt(i);
}

int migrateCachedSockets(void) { return cache_len; }

/* ---- the command ------------------------------------------------------------------ */

static dstr catBulk(dstr s, const char *p, size_t len) {
    s = dstrcatprintf(s, "$%zu\r\n", len);
    s = dstrcatlen(s, p, len);
    return dstrcatlen(s, "\r\n", 2);
}

static dstr catBulkLongLong(dstr s, long long v) {
    char buf[32];
    int n = ll2string(buf, sizeof(buf), v);
    return catBulk(s, buf, (size_t)n);
}

/* Write `buf` in 64 KB chunks, each within `timeout` ms (as Redis does). */
static int writeChunks(int fd, const char *buf, size_t len, long timeout) {
    for (size_t pos = 0; pos < len;) {
        size_t n = len - pos > MIGRATE_WRITE_CHUNK ? MIGRATE_WRITE_CHUNK : len - pos;
        int rc = syncWriteAll(fd, buf + pos, n, timeout);
        if (rc != SYNCIO_OK) return rc;
        pos += n;
    }
    return SYNCIO_OK;
}

/* One line of reply; SYNCIO_OK only for a non-empty line (Redis treats an
 * empty line as a failed read). */
static int readReply(migrateConn *mc, char *line, long timeout) {
    size_t len = 0;
    int rc = syncReadLine(&mc->rd, line, MIGRATE_LINE_MAX, timeout, &len);
    if (rc == SYNCIO_OK && len == 0) return SYNCIO_ERR;
    return rc;
}

void migrateCommand(client *c) {
    int copy = 0, replace = 0;
    dstr username = NULL, password = NULL;
    int first_key = 3, num_keys = 1;

    for (int j = 6; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int more = c->argc - 1 - j;
        if (!strcasecmp(opt, "copy")) {
            copy = 1;
        } else if (!strcasecmp(opt, "replace")) {
            replace = 1;
        } else if (!strcasecmp(opt, "auth")) {
            if (more < 1) {
                replyErrorSyntax(c);
                return;
            }
            password = c->argv[++j];
            clientRedactArg(c, j);
        } else if (!strcasecmp(opt, "auth2")) {
            if (more < 2) {
                replyErrorSyntax(c);
                return;
            }
            username = c->argv[++j];
            password = c->argv[++j];
            clientRedactArg(c, j - 1);
            clientRedactArg(c, j);
        } else if (!strcasecmp(opt, "keys")) {
            if (dstrlen(c->argv[3]) != 0) {
                replyError(c, "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
                return;
            }
            first_key = j + 1;
            num_keys = c->argc - j - 1;
            break;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }

    long timeout, dbid;
    if (!string2l(c->argv[5], dstrlen(c->argv[5]), &timeout) || !string2l(c->argv[4], dstrlen(c->argv[4]), &dbid)) {
        replyErrorNotInteger(c);
        return;
    }
    if (timeout <= 0) timeout = 1000;

    /* The keys that exist here, and their RESTORE commands (built once: the
     * command's clock does not move while it runs). */
    dstr *kv = zmalloc(sizeof(dstr) * (size_t)(num_keys ? num_keys : 1));
    int nk = 0;
    dstr restores = dstrempty();
    for (int j = 0; j < num_keys; j++) {
        dstr key = c->argv[first_key + j];
        obj *o = lookupKeyRead(c->db, key);
        if (!o) continue;
        long long ttl = 0, when = objGetExpire(o);
        if (when != -1) {
            ttl = when - mstime();
            if (ttl < 0) continue;
            if (ttl < 1) ttl = 1;
        }
        const char *why = NULL;
        dstr payload = rdbCreatePayload(o, server.dump_rdb_version, &why);
        if (!payload) {
            replyErrorFormat(c, "ERR DUMP of a %s value is not possible for RDB version %d (%s)",
                             objTypeName(o->type), server.dump_rdb_version, why ? why : "unsupported");
            dstrfree(restores);
            zfree(kv);
            return;
        }
        restores = dstrcat(restores, replace ? "*5\r\n" : "*4\r\n");
        restores = catBulk(restores, "RESTORE", 7);
        restores = catBulk(restores, key, dstrlen(key));
        restores = catBulkLongLong(restores, ttl);
        restores = catBulk(restores, payload, dstrlen(payload));
        if (replace) restores = catBulk(restores, "REPLACE", 7);
        dstrfree(payload);
        kv[nk++] = key;
    }
    if (nk == 0) {
        replyStatus(c, "NOKEY");
        dstrfree(restores);
        zfree(kv);
        return;
    }

    dstr name = dstrdup(c->argv[1]); /* the cache key: "host:port" as written */
    name = dstrcatlen(name, ":", 1);
    name = dstrcatdstr(name, c->argv[2]);
    char authline[MIGRATE_LINE_MAX], selectline[MIGRATE_LINE_MAX], line[MIGRATE_LINE_MAX];
    int may_retry = 1;

    for (;;) {
        migrateConn *mc = connGet(name, c->argv[1], c->argv[2], timeout);
        if (!mc) {
            replyError(c, "IOERR error or timeout connecting to the client");
            break;
        }

        dstr head = dstrempty();
        if (password) {
            head = dstrcat(head, username ? "*3\r\n" : "*2\r\n");
            head = catBulk(head, "AUTH", 4);
            if (username) head = catBulk(head, username, dstrlen(username));
            head = catBulk(head, password, dstrlen(password));
        }
        int select = mc->last_dbid != dbid;
        if (select) {
            head = dstrcat(head, "*2\r\n");
            head = catBulk(head, "SELECT", 6);
            head = catBulkLongLong(head, dbid);
        }

        int write_error = 0, rc;
        rc = writeChunks(mc->rd.fd, head, dstrlen(head), timeout);
        if (rc == SYNCIO_OK) rc = writeChunks(mc->rd.fd, restores, dstrlen(restores), timeout);
        dstrfree(head);
        if (rc != SYNCIO_OK) write_error = 1;
        if (rc == SYNCIO_OK && password) rc = readReply(mc, authline, timeout);
        if (rc == SYNCIO_OK && select) rc = readReply(mc, selectline, timeout);

        if (rc == SYNCIO_OK) {
            /* the RESTORE replies */
            int error_from_target = 0, j;
            int auth_failed = password && authline[0] == '-';
            int select_failed = select && selectline[0] == '-';
            for (j = 0; j < nk; j++) {
                rc = readReply(mc, line, timeout);
                if (rc != SYNCIO_OK) break;
                if (auth_failed || select_failed || line[0] == '-') {
                    if (!error_from_target) {
                        const char *err = auth_failed ? authline : select_failed ? selectline : line;
                        mc->last_dbid = -1;
                        error_from_target = 1;
                        replyErrorFormat(c, "ERR Target instance replied with error: %s", err + 1);
                    }
                } else if (!copy) {
                    if (dbDelete(c->db, kv[j])) {
                        signalModifiedKey(c, c->db, kv[j]);
                        server.dirty++;
                    }
                }
            }
            if (rc == SYNCIO_OK) {
                if (!error_from_target) {
                    mc->last_dbid = dbid;
                    replyOk(c);
                }
                break;
            }
            /* A socket error before any RESTORE reply: nothing was processed
             * here, so a retry on a new connection is safe (not after a
             * timeout). Otherwise close and report. */
            cacheClose(name);
            if (!error_from_target && j == 0 && rc == SYNCIO_ERR && may_retry) {
                may_retry = 0;
                continue;
            }
            if (!error_from_target) replyError(c, "IOERR error or timeout reading to target instance");
            break;
        }

        /* Writing, or reading the AUTH / SELECT reply, failed. */
        cacheClose(name);
        if (rc == SYNCIO_ERR && may_retry) {
            may_retry = 0;
            continue;
        }
        replyError(c, write_error ? "IOERR error or timeout writing to target instance"
                                  : "IOERR error or timeout reading to target instance");
        break;
    }
    dstrfree(name);
    dstrfree(restores);
    zfree(kv);
}
