/* rdb_stream: RDB types 15, 19 and 21 (streams) for the codec of rdb.h.
 * Formats, validation rules and target versions: see rdb_stream.h. */
#include "rdb_stream.h"

#include <limits.h>
#include <string.h>

#include "listpack.h"
#include "object.h"
#include "omap.h"
#include "rdb.h"
#include "rio.h"
#include "t_stream.h"
#include "t_stream_int.h" /* streamGetEdgeID, streamEstimateDistanceFromFirstEverEntry (type 15) */
#include "zmalloc.h"

/* Smallest encoded size of the repeated records, to bound counts by the bytes
 * left (rdbLoadCount) before looping on them. */
#define MIN_NODE_BYTES 2          /* two strings of >= 1 byte */
#define MIN_GROUP_BYTES 5         /* name, ms, seq, PEL count, consumer count */
#define MIN_NACK_BYTES 25         /* id16 + ms + len */
#define MIN_CONSUMER_BYTES 10     /* name + ms + PEL count (+ 8 for type 21) */
#define MIN_CONSUMER_PEL_BYTES 16 /* id16 */

/* ---- loading ------------------------------------------------------------------ */

static int loadID(rio *r, streamID *id) {
    if (rioReadLen(r, &id->ms, NULL) != RIO_OK || rioReadLen(r, &id->seq, NULL) != RIO_OK) return RIO_ERR;
    return RIO_OK;
}

/* Read an 8-byte LE millisecond time; RIO_ERR on truncation or below `min`. */
static int loadTime(rio *r, long long min, long long *out) {
    int64_t v;
    if (rioReadMillisecondTime(r, &v) != RIO_OK || v < min) return RIO_ERR;
    *out = v;
    return RIO_OK;
}

/* Nodes: key + listpack pairs, then the length they must add up to. */
static const char *loadNodes(rio *r, const rdbLoadCtx *ctx, stream *s, streamNodeOrder *order, uint64_t *live_total) {
    uint64_t n;
    if (rdbLoadCount(r, &n, MIN_NODE_BYTES, 1) != RIO_OK) return "node count truncated or too large";
    unsigned char prev[STREAM_ID_KEYLEN];
    *live_total = 0;
    for (uint64_t i = 0; i < n; i++) {
        dstr key = rdbLoadString(r, ctx);
        if (!key) return "node master ID truncated or malformed";
        if (dstrlen(key) != STREAM_ID_KEYLEN) {
            dstrfree(key);
            return "node master ID is not 16 bytes";
        }
        size_t lplen;
        unsigned char *lp = rdbLoadBlob(r, ctx, &lplen);
        if (!lp) {
            dstrfree(key);
            return "node listpack truncated or malformed";
        }
        uint64_t live;
        const char *err = NULL;
        if (i > 0 && memcmp(key, prev, STREAM_ID_KEYLEN) <= 0)
            err = "nodes not in ascending master ID order";
        else if (!streamValidateNodeInStream((unsigned char *)key, lp, lplen, order, NULL, &live, NULL))
            err = "invalid stream node";
        if (err) {
            zfree(lp);
            dstrfree(key);
            return err;
        }
        memcpy(prev, key, STREAM_ID_KEYLEN);
        omapInsert(s->nodes, key, STREAM_ID_KEYLEN, lp, NULL); /* keys ascend: always added */
        dstrfree(key);
        *live_total += live;
    }
    return NULL;
}

/* Stream metadata after the nodes. */
static const char *loadMetadata(rio *r, int rdbtype, stream *s, const streamNodeOrder *order, uint64_t live_total) {
    if (rioReadLen(r, &s->length, NULL) != RIO_OK || loadID(r, &s->last_id) != RIO_OK)
        return "stream length / last ID truncated";
    if (s->length != live_total) return "stream length differs from the live entries of its nodes";
    if (order->have_live && streamCompareID(&s->last_id, &order->max_live) < 0)
        return "last ID below the last live entry";
    if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_2) {
        if (loadID(r, &s->first_id) != RIO_OK || loadID(r, &s->max_deleted_entry_id) != RIO_OK ||
            rioReadLen(r, &s->entries_added, NULL) != RIO_OK)
            return "stream metadata truncated";
        if (s->entries_added > (uint64_t)LLONG_MAX) return "entries added out of range";
        if (s->entries_added < s->length) return "entries added below the stream length";
    } else {
        /* Redis 5/6 kept none of these: derived as Redis 7 does on load */
        s->max_deleted_entry_id.ms = s->max_deleted_entry_id.seq = 0;
        s->entries_added = s->length;
        streamGetEdgeID(s, 1, &s->first_id);
    }
    return NULL;
}

/* One group's PEL: IDs with delivery time and count, owners still unknown. */
static const char *loadGroupPEL(rio *r, streamCG *cg) {
    uint64_t n;
    if (rdbLoadCount(r, &n, MIN_NACK_BYTES, 1) != RIO_OK) return "PEL size truncated or too large";
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *raw = rioReadPtr(r, STREAM_ID_KEYLEN);
        long long delivery_time;
        uint64_t delivery_count;
        if (!raw || loadTime(r, 0, &delivery_time) != RIO_OK || rioReadLen(r, &delivery_count, NULL) != RIO_OK)
            return "PEL entry truncated or negative delivery time";
        streamNACK *nack = streamCreateNACK(NULL, delivery_time);
        nack->delivery_count = delivery_count;
        if (!omapInsert(cg->pel, raw, STREAM_ID_KEYLEN, nack, NULL)) {
            zfree(nack);
            return "duplicate ID in a group PEL";
        }
    }
    return NULL;
}

/* One group's consumers, each taking ownership of its PEL entries. */
static const char *loadConsumers(rio *r, int rdbtype, const rdbLoadCtx *ctx, streamCG *cg) {
    uint64_t n;
    size_t min = MIN_CONSUMER_BYTES + (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_3 ? 8 : 0);
    if (rdbLoadCount(r, &n, min, 1) != RIO_OK) return "consumer count truncated or too large";
    for (uint64_t i = 0; i < n; i++) {
        dstr name = rdbLoadString(r, ctx);
        if (!name) return "consumer name truncated or malformed";
        streamConsumer *sc = streamCreateConsumer(cg, name, dstrlen(name), 0);
        dstrfree(name);
        if (!sc) return "duplicate consumer name";
        if (loadTime(r, 0, &sc->seen_time) != RIO_OK) return "consumer seen time truncated or negative";
        if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_3) {
            if (loadTime(r, -1, &sc->active_time) != RIO_OK) return "consumer active time truncated or below -1";
        } else {
            sc->active_time = sc->seen_time; /* as Redis 7.2 / Valkey load older types */
        }
        uint64_t k;
        if (rdbLoadCount(r, &k, MIN_CONSUMER_PEL_BYTES, 1) != RIO_OK) return "consumer PEL size truncated or too large";
        for (uint64_t j = 0; j < k; j++) {
            const unsigned char *raw = rioReadPtr(r, STREAM_ID_KEYLEN);
            if (!raw) return "consumer PEL ID truncated";
            omapNode *found = omapFind(cg->pel, raw, STREAM_ID_KEYLEN);
            if (!found) return "consumer PEL entry missing from the group PEL";
            streamNACK *nack = found->val;
            if (nack->consumer) return "PEL entry claimed twice by consumers";
            nack->consumer = sc;
            omapInsert(sc->pel, raw, STREAM_ID_KEYLEN, nack, NULL);
        }
    }
    for (omapNode *p = omapFirst(cg->pel); p; p = omapNext(cg->pel, p)) {
        streamNACK *nack = p->val;
        if (!nack->consumer) return "group PEL entry without a consumer";
    }
    return NULL;
}

static const char *loadGroups(rio *r, int rdbtype, const rdbLoadCtx *ctx, stream *s) {
    uint64_t n;
    if (rdbLoadCount(r, &n, MIN_GROUP_BYTES, 1) != RIO_OK) return "group count truncated or too large";
    for (uint64_t i = 0; i < n; i++) {
        dstr name = rdbLoadString(r, ctx);
        if (!name) return "group name truncated or malformed";
        streamID last;
        long long entries_read = SCG_INVALID_ENTRIES_READ;
        const char *err = NULL;
        if (loadID(r, &last) != RIO_OK) {
            err = "group last ID truncated";
        } else if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_2) {
            uint64_t er;
            if (rioReadLen(r, &er, NULL) != RIO_OK) err = "group entries read truncated";
            else if (er == UINT64_MAX) entries_read = SCG_INVALID_ENTRIES_READ;
            else if (er > (uint64_t)LLONG_MAX) err = "group entries read out of range";
            else entries_read = (long long)er;
        } else {
            entries_read = streamEstimateDistanceFromFirstEverEntry(s, &last);
        }
        streamCG *cg = NULL;
        if (!err) {
            cg = streamCreateCG(s, name, dstrlen(name), &last, entries_read);
            if (!cg) err = "duplicate group name";
        }
        dstrfree(name);
        if (err) return err;
        if ((err = loadGroupPEL(r, cg)) != NULL) return err;
        if ((err = loadConsumers(r, rdbtype, ctx, cg)) != NULL) return err;
    }
    return NULL;
}

static obj *loadStream(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    stream *s = streamNew();
    streamNodeOrder order = {0};
    uint64_t live_total;
    const char *err = loadNodes(r, ctx, s, &order, &live_total);
    if (!err) err = loadMetadata(r, rdbtype, s, &order, live_total);
    if (!err) err = loadGroups(r, rdbtype, ctx, s);
    if (!err && rioHasError(r)) err = "stream truncated";
    if (err) {
        ctx->err = err;
        streamFree(s);
        return NULL;
    }
    return objCreate(OBJ_STREAM, ENC_STREAM, s);
}

/* ---- saving --------------------------------------------------------------------- */

static int streamSaveType(const obj *o, int target) {
    (void)o;
    if (target < 9) return -1; /* streams first appeared in RDB 9 (Redis 5.0) */
    if (target == 9) return RDB_TYPE_STREAM_LISTPACKS;
    if (target == 10) return RDB_TYPE_STREAM_LISTPACKS_2;
    return RDB_TYPE_STREAM_LISTPACKS_3;
}

static void saveID(rio *r, const streamID *id) {
    rioWriteLen(r, id->ms);
    rioWriteLen(r, id->seq);
}

static void savePEL(rio *r, const omap *pel, int with_nacks) {
    rioWriteLen(r, omapSize(pel));
    for (omapNode *p = omapFirst(pel); p; p = omapNext(pel, p)) {
        rioWrite(r, p->key, STREAM_ID_KEYLEN);
        if (!with_nacks) continue;
        const streamNACK *nack = p->val;
        rioWriteMillisecondTime(r, nack->delivery_time);
        rioWriteLen(r, nack->delivery_count);
    }
}

static int streamSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)target;
    const stream *s = o->ptr;
    rioWriteLen(r, omapSize(s->nodes));
    for (omapNode *n = omapFirst(s->nodes); n; n = omapNext(s->nodes, n)) {
        rioWriteString(r, n->key, n->keylen);
        rioWriteString(r, n->val, lpBytes(n->val));
    }
    rioWriteLen(r, s->length);
    saveID(r, &s->last_id);
    if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_2) {
        saveID(r, &s->first_id);
        saveID(r, &s->max_deleted_entry_id);
        rioWriteLen(r, s->entries_added);
    }
    rioWriteLen(r, s->cgroups ? omapSize(s->cgroups) : 0);
    if (s->cgroups) {
        for (omapNode *g = omapFirst(s->cgroups); g; g = omapNext(s->cgroups, g)) {
            const streamCG *cg = g->val;
            rioWriteString(r, g->key, g->keylen);
            saveID(r, &cg->last_id);
            if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_2) rioWriteLen(r, (uint64_t)cg->entries_read);
            savePEL(r, cg->pel, 1);
            rioWriteLen(r, omapSize(cg->consumers));
            for (omapNode *cn = omapFirst(cg->consumers); cn; cn = omapNext(cg->consumers, cn)) {
                const streamConsumer *sc = cn->val;
                rioWriteString(r, sc->name, dstrlen(sc->name));
                rioWriteMillisecondTime(r, sc->seen_time);
                if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_3) rioWriteMillisecondTime(r, sc->active_time);
                savePEL(r, sc->pel, 0);
            }
        }
    }
    return rioHasError(r) ? RIO_ERR : RIO_OK;
}

/* ---- registration ------------------------------------------------------------------ */

void rdbStreamRegister(void) {
    rdbRegisterLoader(RDB_TYPE_STREAM_LISTPACKS, loadStream);
    rdbRegisterLoader(RDB_TYPE_STREAM_LISTPACKS_2, loadStream);
    rdbRegisterLoader(RDB_TYPE_STREAM_LISTPACKS_3, loadStream);
    rdbRegisterSaver(OBJ_STREAM, streamSaveType, streamSave);
}
