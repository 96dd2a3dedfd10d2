/* Stream consumer groups and introspection: XGROUP (CREATE, SETID, DESTROY,
 * CREATECONSUMER, DELCONSUMER, HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM and
 * XINFO (STREAM [FULL], GROUPS, CONSUMERS, HELP). Structures: t_stream.h.
 * Replies and errors follow Redis 7.2 (consumers have an active-time and
 * XINFO CONSUMERS an "inactive" field, both new in 7.2). */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "db.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "t_stream.h"
#include "t_stream_int.h"
#include "util.h"
#include "zmalloc.h"

static int argLongLong(client *c, const dstr arg, long long *out, const char *msg) {
    if (!string2ll(arg, dstrlen(arg), out)) {
        if (msg) replyError(c, msg);
        else replyErrorNotInteger(c);
        return 0;
    }
    return 1;
}

/* Stream of `key` or NULL; *err set (and WRONGTYPE replied) for other types. */
static obj *getStream(client *c, const dstr key, int write, int *err) {
    obj *o = write ? lookupKeyWrite(c->db, key) : lookupKeyRead(c->db, key);
    *err = 0;
    if (o && o->type != OBJ_STREAM) {
        replyErrorWrongType(c);
        *err = 1;
        return NULL;
    }
    return o;
}

/* Remove the pending entry `key` from the group and its consumer; free it. */
static void pelDelete(streamCG *cg, const unsigned char *key, streamNACK *nack) {
    omapRemove(cg->pel, key, STREAM_ID_KEYLEN, NULL);
    if (nack->consumer) omapRemove(nack->consumer->pel, key, STREAM_ID_KEYLEN, NULL);
    zfree(nack);
}

/* ---- XGROUP --------------------------------------------------------------------- */

/* Common part of the XGROUP subcommands that take key and group: parses the
 * CREATE/SETID options from index `optstart`, looks the key and group up and
 * replies the errors. Returns 0 on error (replied). */
static int xgroupPrepare(client *c, int is_create, int optstart, int need_group, obj **o_out, streamCG **cg_out,
                         int *mkstream, long long *entries_read) {
    *mkstream = 0;
    *entries_read = SCG_INVALID_ENTRIES_READ;
    for (int i = optstart; optstart && i < c->argc; i++) {
        if (is_create && !strcasecmp(c->argv[i], "MKSTREAM")) {
            *mkstream = 1;
        } else if (!strcasecmp(c->argv[i], "ENTRIESREAD") && i + 1 < c->argc) {
            if (!argLongLong(c, c->argv[i + 1], entries_read, NULL)) return 0;
            if (*entries_read < 0 && *entries_read != SCG_INVALID_ENTRIES_READ) {
                replyError(c, "ERR value for ENTRIESREAD must be positive or -1");
                return 0;
            }
            i++;
        } else {
            replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try XGROUP HELP.",
                             c->argv[1]);
            return 0;
        }
    }
    int err;
    obj *o = getStream(c, c->argv[2], 1, &err);
    if (err) return 0;
    streamCG *cg = NULL;
    if (!*mkstream) {
        if (!o) {
            replyError(c, "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
                          "to use the MKSTREAM option to create an empty stream automatically.");
            return 0;
        }
    }
    if (o) cg = streamLookupCG(o->ptr, c->argv[3], dstrlen(c->argv[3]));
    if (need_group && !cg) {
        replyErrorFormat(c, "NOGROUP No such consumer group '%s' for key name '%s'", c->argv[3], c->argv[2]);
        return 0;
    }
    *o_out = o;
    *cg_out = cg;
    return 1;
}

void xgroupCreateCommand(client *c) {
    obj *o;
    streamCG *cg;
    int mkstream;
    long long entries_read;
    if (c->argc > 8) {
        replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try XGROUP HELP.",
                         c->argv[1]);
        return;
    }
    if (!xgroupPrepare(c, 1, 5, 0, &o, &cg, &mkstream, &entries_read)) return;
    streamID id;
    if (!strcmp(c->argv[4], "$")) {
        if (o) id = ((stream *)o->ptr)->last_id;
        else id.ms = id.seq = 0;
    } else if (streamParseID(c, c->argv[4], &id, 0, 1, NULL) < 0) {
        return;
    }
    if (!o) {
        o = dbAdd(c->db, c->argv[2], objCreate(OBJ_STREAM, ENC_STREAM, streamNew()));
        signalModifiedKey(c, c->db, c->argv[2]);
    }
    if (streamCreateCG(o->ptr, c->argv[3], dstrlen(c->argv[3]), &id, entries_read)) {
        replyOk(c);
        server.dirty++;
    } else {
        replyError(c, "BUSYGROUP Consumer Group name already exists");
    }
}

void xgroupSetidCommand(client *c) {
    obj *o;
    streamCG *cg;
    int mkstream;
    long long entries_read;
    if (c->argc != 5 && c->argc != 7) {
        replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try XGROUP HELP.",
                         c->argv[1]);
        return;
    }
    if (!xgroupPrepare(c, 0, 5, 1, &o, &cg, &mkstream, &entries_read)) return;
    streamID id;
    if (!strcmp(c->argv[4], "$")) id = ((stream *)o->ptr)->last_id;
    else if (streamParseID(c, c->argv[4], &id, 0, 0, NULL) < 0) return;
    cg->last_id = id;
    cg->entries_read = entries_read;
    replyOk(c);
    server.dirty++;
}

void xgroupDestroyCommand(client *c) {
    obj *o;
    streamCG *cg;
    int mkstream;
    long long entries_read;
    if (!xgroupPrepare(c, 0, 0, 0, &o, &cg, &mkstream, &entries_read)) return;
    if (!cg) {
        replyLongLong(c, 0);
        return;
    }
    stream *s = o->ptr;
    omapRemove(s->cgroups, c->argv[3], dstrlen(c->argv[3]), NULL);
    for (omapNode *n = omapFirst(cg->consumers); n; n = omapNext(cg->consumers, n)) {
        streamConsumer *sc = n->val;
        omapFree(sc->pel, NULL);
        dstrfree(sc->name);
        zfree(sc);
    }
    omapFree(cg->consumers, NULL);
    omapFree(cg->pel, zfree);
    zfree(cg);
    replyLongLong(c, 1);
    server.dirty++;
    /* wake XREADGROUP clients blocked on this group: they get NOGROUP */
    signalKeyAsReady(c->db, c->argv[2], OBJ_STREAM);
}

void xgroupCreateconsumerCommand(client *c) {
    obj *o;
    streamCG *cg;
    int mkstream;
    long long entries_read;
    if (!xgroupPrepare(c, 0, 0, 1, &o, &cg, &mkstream, &entries_read)) return;
    streamConsumer *sc = streamCreateConsumer(cg, c->argv[4], dstrlen(c->argv[4]), mstime());
    replyLongLong(c, sc ? 1 : 0);
    if (sc) server.dirty++;
}

void xgroupDelconsumerCommand(client *c) {
    obj *o;
    streamCG *cg;
    int mkstream;
    long long entries_read;
    if (!xgroupPrepare(c, 0, 0, 1, &o, &cg, &mkstream, &entries_read)) return;
    long long pending = 0;
    streamConsumer *sc = streamLookupConsumer(cg, c->argv[4], dstrlen(c->argv[4]));
    if (sc) {
        pending = (long long)omapSize(sc->pel);
        streamDelConsumer(cg, sc);
        server.dirty++;
    }
    replyLongLong(c, pending);
}

void xgroupHelpCommand(client *c) {
    static const char *help[] = {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        NULL};
    replyHelp(c, help);
}

/* ---- XACK -------------------------------------------------------------------------- */

void xackCommand(client *c) {
    int err;
    obj *o = getStream(c, c->argv[1], 0, &err);
    if (err) return;
    streamCG *cg = o ? streamLookupCG(o->ptr, c->argv[2], dstrlen(c->argv[2])) : NULL;
    if (!cg) {
        replyLongLong(c, 0);
        return;
    }
    int n = c->argc - 3;
    streamID *ids = zmalloc(sizeof(streamID) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (streamParseID(c, c->argv[j + 3], &ids[j], 0, 1, NULL) < 0) {
            zfree(ids);
            return;
        }
    }
    long long acked = 0;
    for (int j = 0; j < n; j++) {
        unsigned char key[STREAM_ID_KEYLEN];
        streamEncodeID(key, &ids[j]);
        omapNode *p = omapFind(cg->pel, key, sizeof(key));
        if (p) {
            pelDelete(cg, key, p->val);
            acked++;
            server.dirty++;
        }
    }
    zfree(ids);
    replyLongLong(c, acked);
}

/* ---- XPENDING ------------------------------------------------------------------------ */

void xpendingCommand(client *c) {
    int justinfo = c->argc == 3;
    streamID start = {0, 0}, end = {0, 0};
    long long count = 0, minidle = 0;
    dstr consumername = NULL;
    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        replyErrorSyntax(c);
        return;
    }
    if (c->argc >= 6) {
        int startidx = 3;
        if (!strcasecmp(c->argv[3], "IDLE")) {
            if (!argLongLong(c, c->argv[4], &minidle, NULL)) return;
            if (c->argc < 8) {
                replyErrorSyntax(c);
                return;
            }
            startidx += 2;
        }
        if (!argLongLong(c, c->argv[startidx + 2], &count, NULL)) return;
        if (count < 0) count = 0;
        int startex, endex;
        if (streamParseIntervalID(c, c->argv[startidx], &start, &startex, 0) < 0) return;
        if (startex && streamIncrID(&start) < 0) {
            replyError(c, "ERR invalid start ID for the interval");
            return;
        }
        if (streamParseIntervalID(c, c->argv[startidx + 1], &end, &endex, UINT64_MAX) < 0) return;
        if (endex && streamDecrID(&end) < 0) {
            replyError(c, "ERR invalid end ID for the interval");
            return;
        }
        if (startidx + 3 < c->argc) consumername = c->argv[startidx + 3];
    }
    int err;
    obj *o = getStream(c, c->argv[1], 0, &err);
    if (err) return;
    streamCG *cg = o ? streamLookupCG(o->ptr, c->argv[2], dstrlen(c->argv[2])) : NULL;
    if (!cg) {
        replyErrorFormat(c, "NOGROUP No such key '%s' or consumer group '%s'", c->argv[1], c->argv[2]);
        return;
    }
    if (justinfo) {
        replyArrayLen(c, 4);
        replyLongLong(c, (long long)omapSize(cg->pel));
        if (!omapSize(cg->pel)) {
            replyNull(c);
            replyNull(c);
            replyNullArray(c);
            return;
        }
        streamID id;
        streamDecodeID(omapFirst(cg->pel)->key, &id);
        replyStreamID(c, &id);
        streamDecodeID(omapLast(cg->pel)->key, &id);
        replyStreamID(c, &id);
        void *len = replyDeferredLen(c);
        long n = 0;
        for (omapNode *cn = omapFirst(cg->consumers); cn; cn = omapNext(cg->consumers, cn)) {
            streamConsumer *sc = cn->val;
            if (!omapSize(sc->pel)) continue;
            replyArrayLen(c, 2);
            replyBulk(c, cn->key, cn->keylen);
            replyBulkLongLong(c, (long long)omapSize(sc->pel));
            n++;
        }
        setDeferredArrayLen(c, len, n);
        return;
    }
    omap *pel = cg->pel;
    if (consumername) {
        streamConsumer *sc = streamLookupConsumer(cg, consumername, dstrlen(consumername));
        if (!sc) {
            replyEmptyArray(c);
            return;
        }
        pel = sc->pel;
    }
    unsigned char skey[STREAM_ID_KEYLEN], ekey[STREAM_ID_KEYLEN];
    streamEncodeID(skey, &start);
    streamEncodeID(ekey, &end);
    long long now = mstime();
    void *len = replyDeferredLen(c);
    long n = 0;
    for (omapNode *p = omapSeek(pel, OMAP_GE, skey, sizeof(skey));
         count && p && memcmp(p->key, ekey, sizeof(ekey)) <= 0; p = omapNext(pel, p)) {
        streamNACK *nack = p->val;
        if (minidle && now - nack->delivery_time < minidle) continue;
        n++;
        count--;
        streamID id;
        streamDecodeID(p->key, &id);
        replyArrayLen(c, 4);
        replyStreamID(c, &id);
        replyBulkDstr(c, nack->consumer->name);
        long long elapsed = now - nack->delivery_time;
        replyLongLong(c, elapsed < 0 ? 0 : elapsed);
        replyLongLong(c, (long long)nack->delivery_count);
    }
    setDeferredArrayLen(c, len, n);
}

/* ---- XCLAIM / XAUTOCLAIM ---------------------------------------------------------------- */

/* Give the pending entry `key` to `consumer`. */
static void nackMoveTo(streamNACK *nack, const unsigned char *key, streamConsumer *consumer) {
    if (nack->consumer == consumer) return;
    if (nack->consumer) omapRemove(nack->consumer->pel, key, STREAM_ID_KEYLEN, NULL);
    omapInsert(consumer->pel, key, STREAM_ID_KEYLEN, nack, NULL);
    nack->consumer = consumer;
}

void xclaimCommand(client *c) {
    int err;
    obj *o = getStream(c, c->argv[1], 0, &err);
    if (err) return;
    streamCG *cg = o ? streamLookupCG(o->ptr, c->argv[2], dstrlen(c->argv[2])) : NULL;
    if (!cg) {
        replyErrorFormat(c, "NOGROUP No such key '%s' or consumer group '%s'", c->argv[1], c->argv[2]);
        return;
    }
    stream *s = o->ptr;
    long long minidle, retrycount = -1, deliverytime = -1;
    int force = 0, justid = 0;
    if (!argLongLong(c, c->argv[4], &minidle, "ERR Invalid min-idle-time argument for XCLAIM")) return;
    if (minidle < 0) minidle = 0;
    int j;
    for (j = 5; j < c->argc; j++) {
        streamID tmp;
        if (streamParseID(NULL, c->argv[j], &tmp, 0, 1, NULL) < 0) break;
    }
    int last_id_arg = j - 1;
    long long now = mstime();
    streamID last_id = {0, 0};
    for (; j < c->argc; j++) {
        int moreargs = c->argc - 1 - j;
        const char *opt = c->argv[j];
        if (!strcasecmp(opt, "FORCE")) {
            force = 1;
        } else if (!strcasecmp(opt, "JUSTID")) {
            justid = 1;
        } else if (!strcasecmp(opt, "IDLE") && moreargs) {
            j++;
            if (!argLongLong(c, c->argv[j], &deliverytime, "ERR Invalid IDLE option argument for XCLAIM")) return;
            deliverytime = now - deliverytime;
        } else if (!strcasecmp(opt, "TIME") && moreargs) {
            j++;
            if (!argLongLong(c, c->argv[j], &deliverytime, "ERR Invalid TIME option argument for XCLAIM")) return;
        } else if (!strcasecmp(opt, "RETRYCOUNT") && moreargs) {
            j++;
            if (!argLongLong(c, c->argv[j], &retrycount, "ERR Invalid RETRYCOUNT option argument for XCLAIM"))
                return;
        } else if (!strcasecmp(opt, "LASTID") && moreargs) {
            j++;
            if (streamParseID(c, c->argv[j], &last_id, 0, 1, NULL) < 0) return;
        } else {
            replyErrorFormat(c, "ERR Unrecognized XCLAIM option '%s'", opt);
            return;
        }
    }
    if (streamCompareID(&last_id, &cg->last_id) > 0) cg->last_id = last_id;
    if (deliverytime != -1) {
        if (deliverytime < 0 || deliverytime > now) deliverytime = now;
    } else {
        deliverytime = now;
    }
    /* 7.2: the consumer is created (and its seen-time refreshed) up front */
    streamConsumer *consumer = streamLookupConsumer(cg, c->argv[3], dstrlen(c->argv[3]));
    if (!consumer) consumer = streamCreateConsumer(cg, c->argv[3], dstrlen(c->argv[3]), now);
    consumer->seen_time = now;
    void *len = replyDeferredLen(c);
    long n = 0;
    for (j = 5; j <= last_id_arg; j++) {
        streamID id;
        streamParseID(NULL, c->argv[j], &id, 0, 1, NULL);
        unsigned char key[STREAM_ID_KEYLEN];
        streamEncodeID(key, &id);
        omapNode *p = omapFind(cg->pel, key, sizeof(key));
        streamNACK *nack = p ? p->val : NULL;
        if (!streamEntryExists(s, &id)) {
            if (nack) {
                pelDelete(cg, key, nack);
                server.dirty++;
            }
            continue;
        }
        if (force && !nack) {
            nack = streamCreateNACK(NULL, now);
            omapInsert(cg->pel, key, sizeof(key), nack, NULL);
        }
        if (!nack) continue;
        if (nack->consumer && minidle && now - nack->delivery_time < minidle) continue;
        nack->delivery_time = deliverytime;
        if (retrycount >= 0) nack->delivery_count = (uint64_t)retrycount;
        else if (!justid) nack->delivery_count++;
        nackMoveTo(nack, key, consumer);
        if (justid) replyStreamID(c, &id);
        else if (!streamReplyEntry(c, s, &id)) replyNull(c);
        n++;
        consumer->active_time = now;
        server.dirty++;
    }
    setDeferredArrayLen(c, len, n);
}

void xautoclaimCommand(client *c) {
    long long minidle, count = 100;
    const long long attempts_factor = 10;
    int justid = 0;
    if (!argLongLong(c, c->argv[4], &minidle, "ERR Invalid min-idle-time argument for XAUTOCLAIM")) return;
    if (minidle < 0) minidle = 0;
    streamID start;
    int startex;
    if (streamParseIntervalID(c, c->argv[5], &start, &startex, 0) < 0) return;
    if (startex && streamIncrID(&start) < 0) {
        replyError(c, "ERR invalid start ID for the interval");
        return;
    }
    for (int j = 6; j < c->argc; j++) {
        int moreargs = c->argc - 1 - j;
        if (!strcasecmp(c->argv[j], "COUNT") && moreargs) {
            long long max_count = LONG_MAX / (long long)(sizeof(streamID) > 10 ? sizeof(streamID) : 10);
            if (!string2ll(c->argv[j + 1], dstrlen(c->argv[j + 1]), &count) || count < 1 || count > max_count) {
                replyError(c, "ERR COUNT must be > 0");
                return;
            }
            j++;
        } else if (!strcasecmp(c->argv[j], "JUSTID")) {
            justid = 1;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    int err;
    obj *o = getStream(c, c->argv[1], 0, &err);
    if (err) return;
    streamCG *cg = o ? streamLookupCG(o->ptr, c->argv[2], dstrlen(c->argv[2])) : NULL;
    if (!cg) {
        replyErrorFormat(c, "NOGROUP No such key '%s' or consumer group '%s'", c->argv[1], c->argv[2]);
        return;
    }
    stream *s = o->ptr;
    long long now = mstime();
    /* 7.2: the consumer is created (and its seen-time refreshed) up front */
    streamConsumer *consumer = streamLookupConsumer(cg, c->argv[3], dstrlen(c->argv[3]));
    if (!consumer) consumer = streamCreateConsumer(cg, c->argv[3], dstrlen(c->argv[3]), now);
    consumer->seen_time = now;

    long long attempts = count * attempts_factor;
    streamID *claimed = zmalloc(sizeof(streamID) * (size_t)count);
    streamID *deleted = zmalloc(sizeof(streamID) * (size_t)count);
    long nclaimed = 0, ndeleted = 0;
    unsigned char key[STREAM_ID_KEYLEN];
    streamEncodeID(key, &start);
    omapNode *p = omapSeek(cg->pel, OMAP_GE, key, sizeof(key));
    while (attempts-- && count && p) {
        streamNACK *nack = p->val;
        streamID id;
        memcpy(key, p->key, sizeof(key));
        streamDecodeID(key, &id);
        if (!streamEntryExists(s, &id)) {
            pelDelete(cg, key, nack);
            server.dirty++;
            deleted[ndeleted++] = id;
            count--;
            p = omapSeek(cg->pel, OMAP_GT, key, sizeof(key));
            continue;
        }
        if (minidle && now - nack->delivery_time < minidle) {
            p = omapNext(cg->pel, p);
            continue;
        }
        nack->delivery_time = now;
        if (!justid) nack->delivery_count++;
        nackMoveTo(nack, key, consumer);
        claimed[nclaimed++] = id;
        count--;
        consumer->active_time = now;
        server.dirty++;
        p = omapNext(cg->pel, p);
    }
    streamID next = {0, 0};
    if (p) streamDecodeID(p->key, &next);
    replyArrayLen(c, 3);
    replyStreamID(c, &next);
    replyArrayLen(c, nclaimed);
    for (long i = 0; i < nclaimed; i++) {
        if (justid) replyStreamID(c, &claimed[i]);
        else if (!streamReplyEntry(c, s, &claimed[i])) replyNull(c);
    }
    replyArrayLen(c, ndeleted);
    for (long i = 0; i < ndeleted; i++) replyStreamID(c, &deleted[i]);
    zfree(claimed);
    zfree(deleted);
}

/* ---- XINFO ------------------------------------------------------------------------------- */

/* Group lag as XINFO reports it: -1 when it cannot be computed (null). */
static long long groupLag(stream *s, streamCG *cg, int *valid) {
    *valid = 1;
    if (!s->entries_added) return 0;
    if (cg->entries_read != SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(s, &cg->last_id, NULL))
        return (long long)s->entries_added - cg->entries_read;
    long long er = streamEstimateDistanceFromFirstEverEntry(s, &cg->last_id);
    if (er != SCG_INVALID_ENTRIES_READ) return (long long)s->entries_added - er;
    *valid = 0;
    return 0;
}

static void replyEntriesRead(client *c, streamCG *cg) {
    if (cg->entries_read != SCG_INVALID_ENTRIES_READ) replyLongLong(c, cg->entries_read);
    else replyNull(c);
}

static void replyLag(client *c, stream *s, streamCG *cg) {
    int valid;
    long long lag = groupLag(s, cg, &valid);
    if (valid) replyLongLong(c, lag);
    else replyNull(c);
}

/* XINFO radix-tree-nodes: the number of nodes Redis's rax holds for the node
 * keys (16-byte master IDs), computed from the keys. A rax built by inserts
 * has one node per maximal run of single-child trie positions (compressed or
 * a 1-char node), one per branching position and one (empty) per key end;
 * an empty rax is its single root node. The compressed trie of the sorted
 * keys is rebuilt with the LCP stack method to count them: O(keys) per call
 * (Redis keeps the count; XINFO is not a hot path). */
static int keyLcp(const unsigned char *a, const unsigned char *b) {
    int i = 0;
    while (i < STREAM_ID_KEYLEN && a[i] == b[i]) i++;
    return i;
}

static long long raxNodeCount(stream *s) {
    size_t n = omapSize(s->nodes);
    if (n == 0) return 1;
    /* rightmost path of the compressed trie: depths of its nodes, root first */
    int stack[STREAM_ID_KEYLEN + 2];
    int top = 0;
    long long branch = 0, chains = 0;
    stack[top++] = STREAM_ID_KEYLEN; /* first key's end */
    omapNode *prev = omapFirst(s->nodes);
    for (omapNode *cur = omapNext(s->nodes, prev); cur; prev = cur, cur = omapNext(s->nodes, cur)) {
        int l = keyLcp(prev->key, cur->key);
        while (top && stack[top - 1] > l) {
            int child = stack[--top];
            int parent = (top && stack[top - 1] >= l) ? stack[top - 1] : l;
            if (child > parent + 1) chains++;
        }
        if (!top || stack[top - 1] != l) {
            stack[top++] = l;
            branch++;
        }
        stack[top++] = STREAM_ID_KEYLEN;
    }
    while (top > 1) {
        int child = stack[--top];
        if (child > stack[top - 1] + 1) chains++;
    }
    if (stack[0] > 0) chains++; /* run from the root down to the first branch (or key end) */
    return branch + (long long)n + chains;
}

void xinfoStreamCommand(client *c) {
    int full = 0;
    long long count = 10;
    if (c->argc > 3) {
        if ((c->argc != 4 && c->argc != 6) || strcasecmp(c->argv[3], "FULL")) {
            replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try XINFO HELP.",
                             c->argv[1]);
            return;
        }
        full = 1;
        if (c->argc == 6 && !strcasecmp(c->argv[4], "COUNT")) {
            if (!argLongLong(c, c->argv[5], &count, NULL)) return;
            if (count < 0) count = 10;
        } else if (c->argc != 4) {
            replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try XINFO HELP.",
                             c->argv[1]);
            return;
        }
    }
    int err;
    obj *o = getStream(c, c->argv[2], 0, &err);
    if (err) return;
    if (!o) {
        replyError(c, "ERR no such key");
        return;
    }
    stream *s = o->ptr;
    replyMapLen(c, full ? 9 : 10);
    replyBulkCString(c, "length");
    replyLongLong(c, (long long)s->length);
    replyBulkCString(c, "radix-tree-keys");
    replyLongLong(c, (long long)omapSize(s->nodes));
    replyBulkCString(c, "radix-tree-nodes");
    replyLongLong(c, raxNodeCount(s));
    replyBulkCString(c, "last-generated-id");
    replyStreamID(c, &s->last_id);
    replyBulkCString(c, "max-deleted-entry-id");
    replyStreamID(c, &s->max_deleted_entry_id);
    replyBulkCString(c, "entries-added");
    replyLongLong(c, (long long)s->entries_added);
    replyBulkCString(c, "recorded-first-entry-id");
    replyStreamID(c, &s->first_id);
    if (!full) {
        replyBulkCString(c, "groups");
        replyLongLong(c, s->cgroups ? (long long)omapSize(s->cgroups) : 0);
        streamID id;
        replyBulkCString(c, "first-entry");
        streamGetEdgeID(s, 1, &id);
        if (!s->length || !streamReplyEntry(c, s, &id)) replyNull(c);
        replyBulkCString(c, "last-entry");
        streamGetEdgeID(s, 0, &id);
        if (!s->length || !streamReplyEntry(c, s, &id)) replyNull(c);
        return;
    }
    replyBulkCString(c, "entries");
    streamReplyRange(c, s, NULL, NULL, (size_t)count, 0, NULL, NULL, 0);
    replyBulkCString(c, "groups");
    if (!s->cgroups) {
        replyArrayLen(c, 0);
        return;
    }
    replyArrayLen(c, (long)omapSize(s->cgroups));
    for (omapNode *g = omapFirst(s->cgroups); g; g = omapNext(s->cgroups, g)) {
        streamCG *cg = g->val;
        replyMapLen(c, 7);
        replyBulkCString(c, "name");
        replyBulk(c, g->key, g->keylen);
        replyBulkCString(c, "last-delivered-id");
        replyStreamID(c, &cg->last_id);
        replyBulkCString(c, "entries-read");
        replyEntriesRead(c, cg);
        replyBulkCString(c, "lag");
        replyLag(c, s, cg);
        replyBulkCString(c, "pel-count");
        replyLongLong(c, (long long)omapSize(cg->pel));
        replyBulkCString(c, "pending");
        long long n = (long long)omapSize(cg->pel);
        if (count && n > count) n = count;
        replyArrayLen(c, (long)n);
        omapNode *p = omapFirst(cg->pel);
        for (long long i = 0; i < n; i++, p = omapNext(cg->pel, p)) {
            streamNACK *nack = p->val;
            streamID id;
            streamDecodeID(p->key, &id);
            replyArrayLen(c, 4);
            replyStreamID(c, &id);
            replyBulkDstr(c, nack->consumer->name);
            replyLongLong(c, nack->delivery_time);
            replyLongLong(c, (long long)nack->delivery_count);
        }
        replyBulkCString(c, "consumers");
        replyArrayLen(c, (long)omapSize(cg->consumers));
        for (omapNode *cn = omapFirst(cg->consumers); cn; cn = omapNext(cg->consumers, cn)) {
            streamConsumer *sc = cn->val;
            replyMapLen(c, 5);
            replyBulkCString(c, "name");
            replyBulkDstr(c, sc->name);
            replyBulkCString(c, "seen-time");
            replyLongLong(c, sc->seen_time);
            replyBulkCString(c, "active-time"); /* 7.2 */
            replyLongLong(c, sc->active_time);
            replyBulkCString(c, "pel-count");
            replyLongLong(c, (long long)omapSize(sc->pel));
            replyBulkCString(c, "pending");
            long long m = (long long)omapSize(sc->pel);
            if (count && m > count) m = count;
            replyArrayLen(c, (long)m);
            omapNode *q = omapFirst(sc->pel);
            for (long long i = 0; i < m; i++, q = omapNext(sc->pel, q)) {
                streamNACK *nack = q->val;
                streamID id;
                streamDecodeID(q->key, &id);
                replyArrayLen(c, 3);
                replyStreamID(c, &id);
                replyLongLong(c, nack->delivery_time);
                replyLongLong(c, (long long)nack->delivery_count);
            }
        }
    }
}

void xinfoGroupsCommand(client *c) {
    int err;
    obj *o = getStream(c, c->argv[2], 0, &err);
    if (err) return;
    if (!o) {
        replyError(c, "ERR no such key");
        return;
    }
    stream *s = o->ptr;
    if (!s->cgroups) {
        replyArrayLen(c, 0);
        return;
    }
    replyArrayLen(c, (long)omapSize(s->cgroups));
    for (omapNode *g = omapFirst(s->cgroups); g; g = omapNext(s->cgroups, g)) {
        streamCG *cg = g->val;
        replyMapLen(c, 6);
        replyBulkCString(c, "name");
        replyBulk(c, g->key, g->keylen);
        replyBulkCString(c, "consumers");
        replyLongLong(c, (long long)omapSize(cg->consumers));
        replyBulkCString(c, "pending");
        replyLongLong(c, (long long)omapSize(cg->pel));
        replyBulkCString(c, "last-delivered-id");
        replyStreamID(c, &cg->last_id);
        replyBulkCString(c, "entries-read");
        replyEntriesRead(c, cg);
        replyBulkCString(c, "lag");
        replyLag(c, s, cg);
    }
}

void xinfoConsumersCommand(client *c) {
    int err;
    obj *o = getStream(c, c->argv[2], 0, &err);
    if (err) return;
    if (!o) {
        replyError(c, "ERR no such key");
        return;
    }
    streamCG *cg = streamLookupCG(o->ptr, c->argv[3], dstrlen(c->argv[3]));
    if (!cg) {
        replyErrorFormat(c, "NOGROUP No such consumer group '%s' for key name '%s'", c->argv[3], c->argv[2]);
        return;
    }
    long long now = mstime();
    replyArrayLen(c, (long)omapSize(cg->consumers));
    for (omapNode *cn = omapFirst(cg->consumers); cn; cn = omapNext(cg->consumers, cn)) {
        streamConsumer *sc = cn->val;
        long long idle = now - sc->seen_time;
        replyMapLen(c, 4);
        replyBulkCString(c, "name");
        replyBulkDstr(c, sc->name);
        replyBulkCString(c, "pending");
        replyLongLong(c, (long long)omapSize(sc->pel));
        replyBulkCString(c, "idle");
        replyLongLong(c, idle < 0 ? 0 : idle);
        replyBulkCString(c, "inactive"); /* 7.2 */
        replyLongLong(c, sc->active_time != -1 ? (now - sc->active_time < 0 ? 0 : now - sc->active_time) : -1);
    }
}

void xinfoHelpCommand(client *c) {
    static const char *help[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        NULL};
    replyHelp(c, help);
}
