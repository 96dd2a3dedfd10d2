/* Stream type: structure (nodes, iterator, append, delete, trim) and the
 * entry commands XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD,
 * XREADGROUP and XSETID. Consumer groups and XINFO live in t_stream_cg.c.
 * Layout and metadata: see t_stream.h. Replies and errors follow Redis 7.2. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "blocked.h"
#include "client.h"
#include "db.h"
#include "listpack.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "t_stream.h"
#include "t_stream_int.h"
#include "types.h"
#include "util.h"
#include "zmalloc.h"

/* ---- IDs ----------------------------------------------------------------- */

void streamEncodeID(unsigned char *buf, const streamID *id) {
    for (int i = 0; i < 8; i++) {
        buf[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        buf[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
}

void streamDecodeID(const unsigned char *buf, streamID *id) {
    id->ms = id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = (id->ms << 8) | buf[i];
        id->seq = (id->seq << 8) | buf[8 + i];
    }
}

int streamCompareID(const streamID *a, const streamID *b) {
    if (a->ms != b->ms) return a->ms < b->ms ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    return 0;
}

int streamIncrID(streamID *id) {
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) {
            id->ms = id->seq = 0;
            return -1;
        }
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return 0;
}

int streamDecrID(streamID *id) {
    if (id->seq == 0) {
        if (id->ms == 0) {
            id->ms = id->seq = UINT64_MAX;
            return -1;
        }
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return 0;
}

static int idIsZero(const streamID *id) { return !id->ms && !id->seq; }

void replyStreamID(client *c, const streamID *id) {
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%llu-%llu", (unsigned long long)id->ms, (unsigned long long)id->seq);
    replyBulk(c, buf, (size_t)n);
}

int streamParseID(client *c, const dstr arg, streamID *id, uint64_t missing_seq, int strict, int *seq_given) {
    char buf[128];
    size_t len = dstrlen(arg);
    if (len > sizeof(buf) - 1) goto invalid;
    memcpy(buf, arg, len);
    buf[len] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') goto invalid;
    if (seq_given) *seq_given = 1;
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = id->seq = 0;
        return 0;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        id->ms = id->seq = UINT64_MAX;
        return 0;
    }
    unsigned long long ms, seq;
    char *dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    if (!string2ull(buf, &ms)) goto invalid;
    if (dash) {
        if (seq_given && dash[1] == '*' && dash[2] == '\0') {
            seq = 0;
            *seq_given = 0;
        } else if (!string2ull(dash + 1, &seq)) {
            goto invalid;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return 0;
invalid:
    if (c) replyError(c, "ERR Invalid stream ID specified as stream command argument");
    return -1;
}

int streamParseIntervalID(client *c, const dstr arg, streamID *id, int *exclude, uint64_t missing_seq) {
    size_t len = dstrlen(arg);
    *exclude = len > 1 && arg[0] == '(';
    if (*exclude) {
        dstr t = dstrnewlen(arg + 1, len - 1);
        int r = streamParseID(c, t, id, missing_seq, 1, NULL);
        dstrfree(t);
        return r;
    }
    return streamParseID(c, arg, id, missing_seq, 0, NULL);
}

/* ---- life cycle ------------------------------------------------------------ */

stream *streamNew(void) {
    stream *s = zcalloc(sizeof(*s));
    s->nodes = omapNew();
    return s;
}

static void freeNack(void *p) { zfree(p); }

static void freeConsumer(void *p) {
    streamConsumer *sc = p;
    omapFree(sc->pel, NULL);
    dstrfree(sc->name);
    zfree(sc);
}

static void freeCG(void *p) {
    streamCG *cg = p;
    omapFree(cg->pel, freeNack);
    omapFree(cg->consumers, freeConsumer);
    zfree(cg);
}

static void freeListpack(void *p) { lpFree(p); }

void streamFree(stream *s) {
    if (!s) return;
    omapFree(s->nodes, freeListpack);
    omapFree(s->cgroups, freeCG);
    zfree(s);
}

streamCG *streamCreateCG(stream *s, const char *name, size_t namelen, const streamID *id, long long entries_read) {
    if (!s->cgroups) s->cgroups = omapNew();
    if (omapFind(s->cgroups, name, namelen)) return NULL;
    streamCG *cg = zmalloc(sizeof(*cg));
    cg->last_id = *id;
    cg->entries_read = entries_read;
    cg->pel = omapNew();
    cg->consumers = omapNew();
    omapInsert(s->cgroups, name, namelen, cg, NULL);
    return cg;
}

streamCG *streamLookupCG(stream *s, const char *name, size_t namelen) {
    if (!s->cgroups) return NULL;
    omapNode *n = omapFind(s->cgroups, name, namelen);
    return n ? n->val : NULL;
}

streamConsumer *streamCreateConsumer(streamCG *cg, const char *name, size_t namelen, long long now) {
    if (omapFind(cg->consumers, name, namelen)) return NULL;
    streamConsumer *sc = zmalloc(sizeof(*sc));
    sc->name = dstrnewlen(name, namelen);
    sc->seen_time = now;
    sc->active_time = -1;
    sc->pel = omapNew();
    omapInsert(cg->consumers, name, namelen, sc, NULL);
    return sc;
}

streamConsumer *streamLookupConsumer(streamCG *cg, const char *name, size_t namelen) {
    omapNode *n = omapFind(cg->consumers, name, namelen);
    return n ? n->val : NULL;
}

streamNACK *streamCreateNACK(streamConsumer *consumer, long long now) {
    streamNACK *nack = zmalloc(sizeof(*nack));
    nack->delivery_time = now;
    nack->delivery_count = 1;
    nack->consumer = consumer;
    return nack;
}

void streamDelConsumer(streamCG *cg, streamConsumer *consumer) {
    /* drop its pending entries from the group PEL too */
    for (omapNode *n = omapFirst(consumer->pel); n; n = omapNext(consumer->pel, n)) {
        void *nack = NULL;
        omapRemove(cg->pel, n->key, n->keylen, &nack);
        zfree(nack);
    }
    omapRemove(cg->consumers, consumer->name, dstrlen(consumer->name), NULL);
    freeConsumer(consumer);
}

stream *streamDup(const stream *s) {
    stream *d = streamNew();
    for (omapNode *n = omapFirst(s->nodes); n; n = omapNext(s->nodes, n))
        omapInsert(d->nodes, n->key, n->keylen, lpDup(n->val), NULL);
    d->length = s->length;
    d->last_id = s->last_id;
    d->first_id = s->first_id;
    d->max_deleted_entry_id = s->max_deleted_entry_id;
    d->entries_added = s->entries_added;
    if (!s->cgroups) return d;
    for (omapNode *g = omapFirst(s->cgroups); g; g = omapNext(s->cgroups, g)) {
        streamCG *cg = g->val;
        streamCG *ncg = streamCreateCG(d, (const char *)g->key, g->keylen, &cg->last_id, cg->entries_read);
        for (omapNode *p = omapFirst(cg->pel); p; p = omapNext(cg->pel, p)) {
            streamNACK *nack = p->val;
            streamNACK *nn = streamCreateNACK(NULL, nack->delivery_time);
            nn->delivery_count = nack->delivery_count;
            omapInsert(ncg->pel, p->key, p->keylen, nn, NULL);
        }
        for (omapNode *cn = omapFirst(cg->consumers); cn; cn = omapNext(cg->consumers, cn)) {
            streamConsumer *sc = cn->val;
            streamConsumer *nc = streamCreateConsumer(ncg, sc->name, dstrlen(sc->name), sc->seen_time);
            nc->active_time = sc->active_time;
            for (omapNode *p = omapFirst(sc->pel); p; p = omapNext(sc->pel, p)) {
                streamNACK *nn = omapFind(ncg->pel, p->key, p->keylen)->val;
                nn->consumer = nc;
                omapInsert(nc->pel, p->key, p->keylen, nn, NULL);
            }
        }
    }
    return d;
}

size_t streamMemUsage(const stream *s) {
    size_t total = sizeof(*s) + s->nodes->bytes;
    for (omapNode *n = omapFirst(s->nodes); n; n = omapNext(s->nodes, n)) total += lpBytes(n->val);
    if (!s->cgroups) return total;
    total += s->cgroups->bytes;
    for (omapNode *g = omapFirst(s->cgroups); g; g = omapNext(s->cgroups, g)) {
        streamCG *cg = g->val;
        total += sizeof(*cg) + cg->pel->bytes + omapSize(cg->pel) * sizeof(streamNACK) + cg->consumers->bytes;
        for (omapNode *cn = omapFirst(cg->consumers); cn; cn = omapNext(cg->consumers, cn)) {
            streamConsumer *sc = cn->val;
            total += sizeof(*sc) + dstrlen(sc->name) + sc->pel->bytes;
        }
    }
    return total;
}

static void streamObjFree(obj *o) { streamFree(o->ptr); }
static void *streamObjDup(const obj *o) { return streamDup(o->ptr); }
static size_t streamObjMem(const obj *o) { return streamMemUsage(o->ptr); }

void streamTypeRegister(void) {
    static const objTypeMethods m = {.free_value = streamObjFree, .dup_value = streamObjDup,
                                     .mem_usage = streamObjMem};
    objRegisterType(OBJ_STREAM, &m);
}

/* ---- listpack helpers ------------------------------------------------------ */

static int64_t lpGetInt(unsigned char *p) {
    unsigned int slen;
    long long v;
    unsigned char *s = lpGetValue(p, &slen, &v);
    if (s) {
        long long parsed = 0;
        string2ll((const char *)s, slen, &parsed);
        return parsed;
    }
    return v;
}

/* ---- iterator ---------------------------------------------------------------- */

void streamIterStart(streamIter *it, stream *s, const streamID *start, const streamID *end, int rev) {
    memset(it, 0, sizeof(*it));
    it->s = s;
    if (start) it->start = *start;
    if (end) it->end = *end;
    else it->end.ms = it->end.seq = UINT64_MAX;
    it->rev = rev;
}

static void iterLoadNode(streamIter *it, omapNode *n) {
    it->node = n;
    it->have_node = 1;
    memcpy(it->nodekey, n->key, STREAM_ID_KEYLEN);
    streamDecodeID(n->key, &it->master_id);
    it->lp = n->val;
    unsigned char *p = lpFirst(it->lp);   /* count */
    p = lpNext(it->lp, p);                /* deleted */
    p = lpNext(it->lp, p);                /* num-fields */
    it->master_fields_count = lpGetInt(p);
    p = lpNext(it->lp, p);
    it->master_fields = p;
    for (int64_t i = 0; i < it->master_fields_count; i++) p = lpNext(it->lp, p);
    it->master_end = p;
    it->p = it->rev ? lpLast(it->lp) : lpNext(it->lp, p);
}

/* Parse the entry whose flags are at p; returns the element after its lp-count. */
static unsigned char *iterParseEntry(streamIter *it, unsigned char *p) {
    unsigned char *lp = it->lp;
    it->cur_flags_p = p;
    it->cur_flags = lpGetInt(p);
    p = lpNext(lp, p);
    int64_t msd = lpGetInt(p);
    p = lpNext(lp, p);
    int64_t seqd = lpGetInt(p);
    p = lpNext(lp, p);
    it->cur_id.ms = it->master_id.ms + (uint64_t)msd;
    it->cur_id.seq = it->master_id.seq + (uint64_t)seqd;
    int64_t toskip;
    if (it->cur_flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
        it->cur_numfields = it->master_fields_count;
        it->cur_mfield_p = it->master_fields;
        toskip = it->cur_numfields;
    } else {
        it->cur_numfields = lpGetInt(p);
        p = lpNext(lp, p);
        it->cur_mfield_p = NULL;
        toskip = it->cur_numfields * 2;
    }
    it->cur_value_p = p;
    if (it->rev) return NULL;
    for (int64_t i = 0; i < toskip; i++) p = lpNext(lp, p);
    return lpNext(lp, p); /* skip lp-count */
}

int streamIterNext(streamIter *it, streamID *id, int64_t *numfields) {
    while (!it->done) {
        if (!it->lp) {
            omap *m = it->s->nodes;
            omapNode *n;
            unsigned char key[STREAM_ID_KEYLEN];
            if (!it->started) {
                it->started = 1;
                if (!it->rev) {
                    streamEncodeID(key, &it->start);
                    n = omapSeek(m, OMAP_LE, key, sizeof(key));
                    if (!n) n = omapFirst(m);
                } else {
                    streamEncodeID(key, &it->end);
                    n = omapSeek(m, OMAP_LE, key, sizeof(key));
                }
            } else if (it->have_node) {
                n = omapSeek(m, it->rev ? OMAP_LT : OMAP_GT, it->nodekey, STREAM_ID_KEYLEN);
            } else {
                n = NULL;
            }
            if (!n) {
                it->done = 1;
                break;
            }
            iterLoadNode(it, n);
            if (!it->rev && streamCompareID(&it->master_id, &it->end) > 0) {
                it->done = 1;
                break;
            }
        }
        if (!it->rev) {
            if (!it->p) {
                it->lp = NULL;
                continue;
            }
            it->p = iterParseEntry(it, it->p);
            if (it->cur_flags & STREAM_ITEM_FLAG_DELETED) continue;
            if (streamCompareID(&it->cur_id, &it->start) < 0) continue;
            if (streamCompareID(&it->cur_id, &it->end) > 0) {
                it->done = 1;
                break;
            }
        } else {
            if (!it->p || it->p == it->master_end) {
                it->lp = NULL;
                continue;
            }
            int64_t back = lpGetInt(it->p);
            unsigned char *q = it->p;
            for (int64_t i = 0; i < back; i++) q = lpPrev(it->lp, q);
            it->p = lpPrev(it->lp, q);
            iterParseEntry(it, q);
            if (it->cur_flags & STREAM_ITEM_FLAG_DELETED) continue;
            if (streamCompareID(&it->cur_id, &it->end) > 0) continue;
            if (streamCompareID(&it->cur_id, &it->start) < 0) {
                it->done = 1;
                break;
            }
        }
        *id = it->cur_id;
        if (numfields) *numfields = it->cur_numfields;
        return 1;
    }
    return 0;
}

void streamIterField(streamIter *it, const unsigned char **f, int64_t *flen, const unsigned char **v, int64_t *vlen) {
    if (it->cur_mfield_p) {
        *f = lpGet(it->cur_mfield_p, flen, it->fbuf);
        it->cur_mfield_p = lpNext(it->lp, it->cur_mfield_p);
    } else {
        *f = lpGet(it->cur_value_p, flen, it->fbuf);
        it->cur_value_p = lpNext(it->lp, it->cur_value_p);
    }
    *v = lpGet(it->cur_value_p, vlen, it->vbuf);
    it->cur_value_p = lpNext(it->lp, it->cur_value_p);
}

void streamIterRemove(streamIter *it) {
    stream *s = it->s;
    unsigned char *lp = it->lp;
    unsigned char *fp = it->cur_flags_p;
    lp = lpReplaceInteger(lp, &fp, it->cur_flags | STREAM_ITEM_FLAG_DELETED);
    unsigned char *p = lpFirst(lp);
    int64_t count = lpGetInt(p);
    if (count == 1) {
        lpFree(lp);
        omapRemove(s->nodes, it->nodekey, STREAM_ID_KEYLEN, NULL);
    } else {
        lp = lpReplaceInteger(lp, &p, count - 1);
        p = lpNext(lp, p);
        int64_t deleted = lpGetInt(p);
        lp = lpReplaceInteger(lp, &p, deleted + 1);
        it->node->val = lp;
    }
    s->length--;
    /* restart after the (now deleted) current entry */
    streamID start = it->start, end = it->end, cur = it->cur_id;
    if (it->rev) end = cur;
    else start = cur;
    streamIterStart(it, s, &start, &end, it->rev);
}

void streamGetEdgeID(stream *s, int first, streamID *id) {
    streamIter it;
    streamIterStart(&it, s, NULL, NULL, !first);
    if (!streamIterNext(&it, id, NULL)) {
        if (first) id->ms = id->seq = UINT64_MAX;
        else id->ms = id->seq = 0;
    }
}

void streamLastValidID(stream *s, streamID *id) { streamGetEdgeID(s, 0, id); }

int streamEntryExists(stream *s, const streamID *id) {
    streamIter it;
    streamID got;
    streamIterStart(&it, s, id, id, 0);
    return streamIterNext(&it, &got, NULL);
}

/* ---- validation of untrusted nodes -------------------------------------------- */

/* Read an integer element at *pp and advance; 0 if missing or not an integer. */
static int nodeReadInt(unsigned char *lp, unsigned char **pp, int64_t *v) {
    if (!*pp) return 0;
    unsigned int slen;
    long long lv;
    if (lpGetValue(*pp, &slen, &lv)) return 0;
    *v = lv;
    *pp = lpNext(lp, *pp);
    return 1;
}

/* Skip n elements at *pp; 0 if the listpack ends first. */
static int nodeSkip(unsigned char *lp, unsigned char **pp, int64_t n) {
    while (n-- > 0) {
        if (!*pp) return 0;
        *pp = lpNext(lp, *pp);
    }
    return 1;
}

int streamValidateNode(const unsigned char *key, unsigned char *lp, size_t size, streamID *last, uint64_t *live) {
    if (!lpValidateIntegrity(lp, size, 1, NULL, NULL)) return 0;
    streamID master;
    streamDecodeID(key, &master);
    unsigned char *p = lpFirst(lp);
    int64_t count, deleted, mfields, zero;
    if (!nodeReadInt(lp, &p, &count) || !nodeReadInt(lp, &p, &deleted) || !nodeReadInt(lp, &p, &mfields))
        return 0;
    if (count < 1 || deleted < 0 || mfields < 1) return 0;
    if (!nodeSkip(lp, &p, mfields)) return 0;
    if (!nodeReadInt(lp, &p, &zero) || zero != 0) return 0;
    int64_t seen_live = 0, seen_deleted = 0;
    streamID prev = {0, 0};
    int first = 1;
    while (p) {
        int64_t flags, msd, seqd, nf, lp_count;
        if (!nodeReadInt(lp, &p, &flags) || flags < 0 || flags > 3) return 0;
        if (!nodeReadInt(lp, &p, &msd) || !nodeReadInt(lp, &p, &seqd)) return 0;
        streamID id = {master.ms + (uint64_t)msd, master.seq + (uint64_t)seqd};
        if (first ? streamCompareID(&id, &master) < 0 : streamCompareID(&id, &prev) <= 0) return 0;
        first = 0;
        prev = id;
        int64_t expect;
        if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
            nf = mfields;
            if (!nodeSkip(lp, &p, nf)) return 0;
            expect = nf + 3;
        } else {
            if (!nodeReadInt(lp, &p, &nf) || nf < 1 || nf > (int64_t)size) return 0;
            if (!nodeSkip(lp, &p, nf * 2)) return 0;
            expect = nf * 2 + 4;
        }
        if (!nodeReadInt(lp, &p, &lp_count) || lp_count != expect) return 0;
        if (flags & STREAM_ITEM_FLAG_DELETED) seen_deleted++;
        else seen_live++;
    }
    if (first || seen_live != count || seen_deleted != deleted) return 0;
    if (last) *last = prev;
    if (live) *live = (uint64_t)seen_live;
    return 1;
}

int streamValidateNodeInStream(const unsigned char *key, unsigned char *lp, size_t size, streamNodeOrder *order,
                               streamID *last, uint64_t *live, uint64_t *deleted) {
    if (!lpValidateIntegrity(lp, size, 1, NULL, NULL)) return 0;
    streamID master;
    streamDecodeID(key, &master);
    if (order->have_live && streamCompareID(&master, &order->max_live) <= 0) return 0;
    unsigned char *p = lpFirst(lp);
    int64_t count, ndeleted, mfields, zero;
    if (!nodeReadInt(lp, &p, &count) || !nodeReadInt(lp, &p, &ndeleted) || !nodeReadInt(lp, &p, &mfields))
        return 0;
    if (count < 0 || ndeleted < 0 || mfields < 1) return 0;
    if (!nodeSkip(lp, &p, mfields)) return 0;
    if (!nodeReadInt(lp, &p, &zero) || zero != 0) return 0;
    int64_t seen_live = 0, seen_deleted = 0;
    streamID id = {0, 0};
    int first = 1;
    while (p) {
        int64_t flags, msd, seqd, nf, lp_count;
        if (!nodeReadInt(lp, &p, &flags) || flags < 0 || flags > 3) return 0;
        if (!nodeReadInt(lp, &p, &msd) || !nodeReadInt(lp, &p, &seqd)) return 0;
        id.ms = master.ms + (uint64_t)msd;
        id.seq = master.seq + (uint64_t)seqd;
        if (first && streamCompareID(&id, &master) < 0) return 0;
        if (order->have_live && streamCompareID(&id, &order->max_live) <= 0) return 0;
        first = 0;
        int64_t expect;
        if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
            nf = mfields;
            if (!nodeSkip(lp, &p, nf)) return 0;
            expect = nf + 3;
        } else {
            if (!nodeReadInt(lp, &p, &nf) || nf < 1 || nf > (int64_t)size) return 0;
            if (!nodeSkip(lp, &p, nf * 2)) return 0;
            expect = nf * 2 + 4;
        }
        if (!nodeReadInt(lp, &p, &lp_count) || lp_count != expect) return 0;
        if (flags & STREAM_ITEM_FLAG_DELETED) {
            seen_deleted++;
        } else {
            seen_live++;
            order->have_live = 1;
            order->max_live = id;
        }
    }
    if (first || seen_live != count || seen_deleted != ndeleted) return 0;
    if (last) *last = id;
    if (live) *live = (uint64_t)seen_live;
    if (deleted) *deleted = (uint64_t)seen_deleted;
    return 1;
}

/* ---- append ------------------------------------------------------------------ */

/* Next auto ID after last (ms = now when ahead). */
static void streamNextID(const streamID *last, streamID *id) {
    uint64_t ms = (uint64_t)mstime();
    if (ms > last->ms) {
        id->ms = ms;
        id->seq = 0;
    } else {
        *id = *last;
        streamIncrID(id);
    }
}

int streamAppendEntry(stream *s, dstr *argv, int64_t numfields, streamID *added, const streamID *use_id,
                            int seq_given) {
    streamID id;
    if (use_id) {
        if (seq_given) {
            id = *use_id;
        } else if (s->last_id.ms == use_id->ms) {
            if (s->last_id.seq == UINT64_MAX) {
                /* Redis 7.0.15 answers "Elements are too large to be stored" here */
                errno = ERANGE;
                return -1;
            }
            id = s->last_id;
            id.seq++;
        } else {
            id = *use_id;
        }
    } else {
        streamNextID(&s->last_id, &id);
    }
    if (streamCompareID(&id, &s->last_id) <= 0) {
        errno = EDOM;
        return -1;
    }
    size_t totelelen = 0;
    for (int64_t i = 0; i < numfields * 2; i++) totelelen += dstrlen(argv[i]);
    if (totelelen > STREAM_LISTPACK_MAX_SIZE) {
        errno = ERANGE;
        return -1;
    }

    omapNode *tail = omapLast(s->nodes);
    unsigned char *lp = tail ? tail->val : NULL;
    if (lp) {
        size_t max_bytes = (size_t)server.stream_node_max_bytes;
        if (max_bytes == 0 || max_bytes > STREAM_LISTPACK_MAX_SIZE) max_bytes = STREAM_LISTPACK_MAX_SIZE;
        int new_node = 0;
        if (lpBytes(lp) + totelelen >= max_bytes) {
            new_node = 1;
        } else if (server.stream_node_max_entries) {
            unsigned char *e = lpFirst(lp);
            int64_t count = lpGetInt(e) + lpGetInt(lpNext(lp, e));
            if (count >= server.stream_node_max_entries) new_node = 1;
        }
        if (new_node) {
            tail->val = lpShrinkToFit(lp);
            lp = NULL;
        }
    }

    int flags = STREAM_ITEM_FLAG_NONE;
    streamID master_id;
    if (!lp) {
        master_id = id;
        unsigned char key[STREAM_ID_KEYLEN];
        streamEncodeID(key, &id);
        lp = lpNew(0);
        lp = lpAppendInteger(lp, 1);
        lp = lpAppendInteger(lp, 0);
        lp = lpAppendInteger(lp, numfields);
        for (int64_t i = 0; i < numfields; i++)
            lp = lpAppend(lp, (unsigned char *)argv[i * 2], (uint32_t)dstrlen(argv[i * 2]));
        lp = lpAppendInteger(lp, 0);
        omapInsert(s->nodes, key, sizeof(key), lp, NULL);
        tail = omapFind(s->nodes, key, sizeof(key));
        flags |= STREAM_ITEM_FLAG_SAMEFIELDS;
    } else {
        streamDecodeID(tail->key, &master_id);
        unsigned char *e = lpFirst(lp);
        int64_t count = lpGetInt(e);
        lp = lpReplaceInteger(lp, &e, count + 1);
        e = lpNext(lp, e);
        e = lpNext(lp, e);
        int64_t mcount = lpGetInt(e);
        e = lpNext(lp, e);
        if (numfields == mcount) {
            int64_t i;
            for (i = 0; i < mcount; i++) {
                if (!lpCompare(e, (unsigned char *)argv[i * 2], (uint32_t)dstrlen(argv[i * 2]))) break;
                e = lpNext(lp, e);
            }
            if (i == mcount) flags |= STREAM_ITEM_FLAG_SAMEFIELDS;
        }
    }
    lp = lpAppendInteger(lp, flags);
    lp = lpAppendInteger(lp, (long long)(id.ms - master_id.ms));
    lp = lpAppendInteger(lp, (long long)(id.seq - master_id.seq));
    if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) lp = lpAppendInteger(lp, numfields);
    for (int64_t i = 0; i < numfields; i++) {
        if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS))
            lp = lpAppend(lp, (unsigned char *)argv[i * 2], (uint32_t)dstrlen(argv[i * 2]));
        lp = lpAppend(lp, (unsigned char *)argv[i * 2 + 1], (uint32_t)dstrlen(argv[i * 2 + 1]));
    }
    int64_t lp_count = numfields + 3;
    if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) lp_count += numfields + 1;
    lp = lpAppendInteger(lp, lp_count);
    tail->val = lp;

    s->length++;
    s->entries_added++;
    s->last_id = id;
    if (s->length == 1) s->first_id = id;
    if (added) *added = id;
    return 0;
}

/* ---- trimming ------------------------------------------------------------------- */

#define TRIM_NONE 0
#define TRIM_MAXLEN 1
#define TRIM_MINID 2

typedef struct trimArgs {
    int strategy;
    int approx;
    long long maxlen;
    streamID minid;
    long long limit;          /* 0 = none */
    /* XADD only */
    int id_given, seq_given, no_mkstream;
    streamID id;
} trimArgs;

/* ID of the last entry (deleted or not) of a node. */
static void nodeLastID(unsigned char *lp, const streamID *master, streamID *last) {
    unsigned char *p = lpLast(lp);
    int64_t back = lpGetInt(p);
    for (int64_t i = 0; i < back; i++) p = lpPrev(lp, p);
    p = lpNext(lp, p);
    last->ms = master->ms + (uint64_t)lpGetInt(p);
    p = lpNext(lp, p);
    last->seq = master->seq + (uint64_t)lpGetInt(p);
}

static int64_t streamTrim(stream *s, const trimArgs *a) {
    if (a->strategy == TRIM_NONE) return 0;
    int64_t deleted = 0;
    omapNode *n = omapFirst(s->nodes);
    while (n) {
        if (a->strategy == TRIM_MAXLEN && s->length <= (uint64_t)a->maxlen) break;
        unsigned char *lp = n->val;
        unsigned char *p = lpFirst(lp);
        int64_t entries = lpGetInt(p);
        if (a->limit && deleted + entries > a->limit) break;
        streamID master_id;
        streamDecodeID(n->key, &master_id);
        int remove_node;
        if (a->strategy == TRIM_MAXLEN) {
            remove_node = s->length - (uint64_t)entries >= (uint64_t)a->maxlen;
        } else {
            streamID last;
            nodeLastID(lp, &master_id, &last);
            remove_node = streamCompareID(&last, &a->minid) < 0;
        }
        if (remove_node) {
            unsigned char key[STREAM_ID_KEYLEN];
            memcpy(key, n->key, sizeof(key));
            lpFree(lp);
            omapRemove(s->nodes, key, sizeof(key), NULL);
            s->length -= (uint64_t)entries;
            deleted += entries;
            n = omapSeek(s->nodes, OMAP_GT, key, sizeof(key));
            continue;
        }
        if (a->approx) break;
        /* mark entries deleted inside this node */
        int64_t from_lp = 0;
        p = lpNext(lp, p);              /* deleted */
        p = lpNext(lp, p);              /* num-fields */
        int64_t mfields = lpGetInt(p);
        p = lpNext(lp, p);
        for (int64_t j = 0; j < mfields; j++) p = lpNext(lp, p);
        p = lpNext(lp, p);              /* first entry's flags */
        while (p) {
            unsigned char *flagsp = p;
            int64_t flags = lpGetInt(p);
            p = lpNext(lp, p);
            int64_t msd = lpGetInt(p);
            p = lpNext(lp, p);
            int64_t seqd = lpGetInt(p);
            p = lpNext(lp, p);
            int stop;
            if (a->strategy == TRIM_MAXLEN) {
                stop = s->length <= (uint64_t)a->maxlen;
            } else {
                streamID cur = {master_id.ms + (uint64_t)msd, master_id.seq + (uint64_t)seqd};
                stop = streamCompareID(&cur, &a->minid) >= 0;
            }
            if (stop) break;
            int64_t toskip;
            if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
                toskip = mfields;
            } else {
                toskip = lpGetInt(p) * 2;
                p = lpNext(lp, p);
            }
            while (toskip--) p = lpNext(lp, p);
            p = lpNext(lp, p);          /* past lp-count */
            if (!(flags & STREAM_ITEM_FLAG_DELETED)) {
                ptrdiff_t off = p ? p - lp : -1;
                lp = lpReplaceInteger(lp, &flagsp, flags | STREAM_ITEM_FLAG_DELETED);
                from_lp++;
                s->length--;
                p = off >= 0 ? lp + off : NULL;
            }
        }
        deleted += from_lp;
        p = lpFirst(lp);
        lp = lpReplaceInteger(lp, &p, entries - from_lp);
        p = lpNext(lp, p);
        int64_t marked = lpGetInt(p);
        lp = lpReplaceInteger(lp, &p, marked + from_lp);
        n->val = lp;
        break;
    }
    if (s->length == 0) s->first_id.ms = s->first_id.seq = 0;
    else streamGetEdgeID(s, 1, &s->first_id);
    return deleted;
}

/* Parse XADD / XTRIM options. Returns the index of the ID (XADD) or argc, or -1 after replying. */
static int parseAddTrimArgs(client *c, trimArgs *a, int xadd) {
    memset(a, 0, sizeof(*a));
    int limit_given = 0;
    int i = 2;
    for (; i < c->argc; i++) {
        int moreargs = c->argc - 1 - i;
        const char *opt = c->argv[i];
        if (xadd && opt[0] == '*' && opt[1] == '\0') {
            break;
        } else if (!strcasecmp(opt, "maxlen") && moreargs) {
            if (a->strategy != TRIM_NONE) {
                replyError(c, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                return -1;
            }
            a->approx = 0;
            const char *next = c->argv[i + 1];
            if (moreargs >= 2 && next[0] == '~' && next[1] == '\0') {
                a->approx = 1;
                i++;
            } else if (moreargs >= 2 && next[0] == '=' && next[1] == '\0') {
                i++;
            }
            if (!string2ll(c->argv[i + 1], dstrlen(c->argv[i + 1]), &a->maxlen)) {
                replyErrorNotInteger(c);
                return -1;
            }
            if (a->maxlen < 0) {
                replyError(c, "ERR The MAXLEN argument must be >= 0.");
                return -1;
            }
            i++;
            a->strategy = TRIM_MAXLEN;
        } else if (!strcasecmp(opt, "minid") && moreargs) {
            if (a->strategy != TRIM_NONE) {
                replyError(c, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                return -1;
            }
            a->approx = 0;
            const char *next = c->argv[i + 1];
            if (moreargs >= 2 && next[0] == '~' && next[1] == '\0') {
                a->approx = 1;
                i++;
            } else if (moreargs >= 2 && next[0] == '=' && next[1] == '\0') {
                i++;
            }
            if (streamParseID(c, c->argv[i + 1], &a->minid, 0, 1, NULL) < 0) return -1;
            i++;
            a->strategy = TRIM_MINID;
        } else if (!strcasecmp(opt, "limit") && moreargs) {
            if (!string2ll(c->argv[i + 1], dstrlen(c->argv[i + 1]), &a->limit)) {
                replyErrorNotInteger(c);
                return -1;
            }
            if (a->limit < 0) {
                replyError(c, "ERR The LIMIT argument must be >= 0.");
                return -1;
            }
            limit_given = 1;
            i++;
        } else if (xadd && !strcasecmp(opt, "nomkstream")) {
            a->no_mkstream = 1;
        } else if (xadd) {
            if (streamParseID(c, c->argv[i], &a->id, 0, 1, &a->seq_given) < 0) return -1;
            a->id_given = 1;
            break;
        } else {
            replyErrorSyntax(c);
            return -1;
        }
    }
    if (a->limit && a->strategy == TRIM_NONE) {
        replyError(c, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return -1;
    }
    if (!xadd && a->strategy == TRIM_NONE) {
        replyError(c, "ERR syntax error, XTRIM must be called with a trimming strategy");
        return -1;
    }
    if (limit_given) {
        if (!a->approx) {
            replyError(c, "ERR syntax error, LIMIT cannot be used without the special ~ option");
            return -1;
        }
    } else if (a->approx) {
        a->limit = 100 * server.stream_node_max_entries;
        if (a->limit <= 0 || a->limit > 1000000) a->limit = 10000;
    } else {
        a->limit = 0;
    }
    return i;
}

/* Stream at key for reading: NULL (nothing replied) if missing, NULL with
 * WRONGTYPE replied (*err set) if another type. */
static obj *lookupStream(client *c, const dstr key, int write, int *err) {
    obj *o = write ? lookupKeyWrite(c->db, key) : lookupKeyRead(c->db, key);
    *err = 0;
    if (o && o->type != OBJ_STREAM) {
        replyErrorWrongType(c);
        *err = 1;
        return NULL;
    }
    return o;
}

/* ---- commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID ---------------------------- */

void xaddCommand(client *c) {
    trimArgs a;
    int idpos = parseAddTrimArgs(c, &a, 1);
    if (idpos < 0) return;
    int field_pos = idpos + 1;
    if (c->argc - field_pos < 2 || (c->argc - field_pos) % 2 == 1) {
        replyErrorArity(c);
        return;
    }
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        replyError(c, "ERR The ID specified in XADD must be greater than 0-0");
        return;
    }
    int err;
    obj *o = lookupStream(c, c->argv[1], 1, &err);
    if (err) return;
    if (!o) {
        if (a.no_mkstream) {
            replyNull(c);
            return;
        }
        o = dbAdd(c->db, c->argv[1], objCreate(OBJ_STREAM, ENC_STREAM, streamNew()));
    }
    stream *s = o->ptr;
    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX) {
        replyError(c, "ERR The stream has exhausted the last possible ID, unable to add more items");
        return;
    }
    streamID id;
    errno = 0;
    if (streamAppendEntry(s, c->argv + field_pos, (c->argc - field_pos) / 2, &id, a.id_given ? &a.id : NULL,
                         a.seq_given) < 0) {
        if (errno == EDOM) replyError(c, "ERR The ID specified in XADD is equal or smaller than the target stream top item");
        else replyError(c, "ERR Elements are too large to be stored");
        return;
    }
    replyStreamID(c, &id);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
    if (a.strategy != TRIM_NONE) streamTrim(s, &a);
    signalKeyAsReady(c->db, c->argv[1], OBJ_STREAM);
}

void xlenCommand(client *c) {
    int err;
    obj *o = lookupStream(c, c->argv[1], 0, &err);
    if (err) return;
    replyLongLong(c, o ? (long long)((stream *)o->ptr)->length : 0);
}

/* Reply the fields of the iterator's current entry as [id, [f, v ...]]. */
static void replyIterEntry(client *c, streamIter *it, const streamID *id, int64_t numfields) {
    replyArrayLen(c, 2);
    replyStreamID(c, id);
    replyArrayLen(c, numfields * 2);
    for (int64_t i = 0; i < numfields; i++) {
        const unsigned char *f, *v;
        int64_t fl, vl;
        streamIterField(it, &f, &fl, &v, &vl);
        replyBulk(c, f, (size_t)fl);
        replyBulk(c, v, (size_t)vl);
    }
}

int streamReplyEntry(client *c, stream *s, const streamID *id) {
    streamIter it;
    streamID got;
    int64_t nf;
    streamIterStart(&it, s, id, id, 0);
    if (!streamIterNext(&it, &got, &nf)) return 0;
    replyIterEntry(c, &it, &got, nf);
    return 1;
}

/* Group helpers (also in t_stream_cg.c). */
int streamRangeHasTombstones(stream *s, const streamID *start, const streamID *end) {
    if (!s->length || idIsZero(&s->max_deleted_entry_id)) return 0;
    if (streamCompareID(&s->first_id, &s->max_deleted_entry_id) > 0) return 0;
    streamID st = {0, 0}, en = {UINT64_MAX, UINT64_MAX};
    if (start) st = *start;
    if (end) en = *end;
    return streamCompareID(&st, &s->max_deleted_entry_id) <= 0 && streamCompareID(&s->max_deleted_entry_id, &en) <= 0;
}

long long streamEstimateDistanceFromFirstEverEntry(stream *s, const streamID *id) {
    if (!s->entries_added) return 0;
    if (!s->length && streamCompareID(id, &s->last_id) < 1) return (long long)s->entries_added;
    int cmp_last = streamCompareID(id, &s->last_id);
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return SCG_INVALID_ENTRIES_READ;
    int cmp_id_first = streamCompareID(id, &s->first_id);
    int cmp_xdel_first = streamCompareID(&s->max_deleted_entry_id, &s->first_id);
    if (idIsZero(&s->max_deleted_entry_id) || cmp_xdel_first < 0) {
        if (cmp_id_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_id_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return SCG_INVALID_ENTRIES_READ;
}

size_t streamReplyRange(client *c, stream *s, const streamID *start, const streamID *end, size_t count, int rev,
                        streamCG *group, streamConsumer *consumer, int noack) {
    streamIter it;
    streamID id;
    int64_t nf;
    size_t emitted = 0;
    void *len = replyDeferredLen(c);
    streamIterStart(&it, s, start, end, rev);
    long long now = mstime();
    while (!(count && emitted >= count) && streamIterNext(&it, &id, &nf)) {
        if (group && streamCompareID(&id, &group->last_id) > 0) {
            if (group->entries_read != SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(s, &id, NULL))
                group->entries_read++;
            else if (s->entries_added)
                group->entries_read = streamEstimateDistanceFromFirstEverEntry(s, &id);
            group->last_id = id;
        }
        replyIterEntry(c, &it, &id, nf);
        emitted++;
        if (group && !noack) {
            unsigned char key[STREAM_ID_KEYLEN];
            streamEncodeID(key, &id);
            omapNode *found = NULL;
            streamNACK *nack = streamCreateNACK(consumer, now);
            if (!omapInsert(group->pel, key, sizeof(key), nack, &found)) {
                zfree(nack);
                nack = found->val;
                omapRemove(nack->consumer->pel, key, sizeof(key), NULL);
                nack->consumer = consumer;
                nack->delivery_time = now;
                nack->delivery_count = 1;
            }
            omapInsert(consumer->pel, key, sizeof(key), nack, NULL);
        }
    }
    /* 7.2: a consumer is active when entries entered its PEL */
    if (group && consumer && emitted && !noack) consumer->active_time = now;
    setDeferredArrayLen(c, len, (long)emitted);
    return emitted;
}

static void xrangeGeneric(client *c, int rev) {
    const dstr startarg = rev ? c->argv[3] : c->argv[2];
    const dstr endarg = rev ? c->argv[2] : c->argv[3];
    streamID start, end;
    int startex, endex;
    long long count = -1;
    if (streamParseIntervalID(c, startarg, &start, &startex, 0) < 0) return;
    if (startex && streamIncrID(&start) < 0) {
        replyError(c, "ERR invalid start ID for the interval");
        return;
    }
    if (streamParseIntervalID(c, endarg, &end, &endex, UINT64_MAX) < 0) return;
    if (endex && streamDecrID(&end) < 0) {
        replyError(c, "ERR invalid end ID for the interval");
        return;
    }
    for (int j = 4; j < c->argc; j++) {
        int additional = c->argc - j - 1;
        if (!strcasecmp(c->argv[j], "COUNT") && additional >= 1) {
            if (!string2ll(c->argv[j + 1], dstrlen(c->argv[j + 1]), &count)) {
                replyErrorNotInteger(c);
                return;
            }
            if (count < 0) count = 0;
            j++;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    int err;
    obj *o = lookupStream(c, c->argv[1], 0, &err);
    if (err) return;
    if (!o) {
        replyEmptyArray(c);
        return;
    }
    if (count == 0) {
        replyNullArray(c);
        return;
    }
    if (count == -1) count = 0;
    streamReplyRange(c, o->ptr, &start, &end, (size_t)count, rev, NULL, NULL, 0);
}

void xrangeCommand(client *c) { xrangeGeneric(c, 0); }
void xrevrangeCommand(client *c) { xrangeGeneric(c, 1); }

int streamDeleteEntry(stream *s, const streamID *id) {
    streamIter it;
    streamID got;
    streamIterStart(&it, s, id, id, 0);
    if (!streamIterNext(&it, &got, NULL)) return 0;
    streamIterRemove(&it);
    if (streamCompareID(id, &s->max_deleted_entry_id) > 0) s->max_deleted_entry_id = *id;
    if (s->length == 0) s->first_id.ms = s->first_id.seq = 0;
    else if (streamCompareID(id, &s->first_id) == 0) streamGetEdgeID(s, 1, &s->first_id);
    return 1;
}

void xdelCommand(client *c) {
    int err;
    obj *o = lookupStream(c, c->argv[1], 1, &err);
    if (err) return;
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    stream *s = o->ptr;
    int n = c->argc - 2;
    streamID *ids = zmalloc(sizeof(streamID) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (streamParseID(c, c->argv[j + 2], &ids[j], 0, 1, NULL) < 0) {
            zfree(ids);
            return;
        }
    }
    int deleted = 0;
    for (int j = 0; j < n; j++) deleted += streamDeleteEntry(s, &ids[j]);
    zfree(ids);
    if (deleted) {
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += deleted;
    }
    replyLongLong(c, deleted);
}

void xtrimCommand(client *c) {
    trimArgs a;
    if (parseAddTrimArgs(c, &a, 0) < 0) return;
    int err;
    obj *o = lookupStream(c, c->argv[1], 1, &err);
    if (err) return;
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    int64_t deleted = streamTrim(o->ptr, &a);
    if (deleted) {
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += deleted;
    }
    replyLongLong(c, deleted);
}

void xsetidCommand(client *c) {
    streamID id, max_xdel = {0, 0};
    long long entries_added = -1;
    if (streamParseID(c, c->argv[2], &id, 0, 1, NULL) < 0) return;
    int i = 3;
    while (i < c->argc) {
        int moreargs = c->argc - 1 - i;
        const char *opt = c->argv[i];
        if (!strcasecmp(opt, "ENTRIESADDED") && moreargs) {
            if (!string2ll(c->argv[i + 1], dstrlen(c->argv[i + 1]), &entries_added)) {
                replyErrorNotInteger(c);
                return;
            }
            if (entries_added < 0) {
                replyError(c, "ERR entries_added must be positive");
                return;
            }
            i += 2;
        } else if (!strcasecmp(opt, "MAXDELETEDID") && moreargs) {
            if (streamParseID(c, c->argv[i + 1], &max_xdel, 0, 1, NULL) < 0) return;
            if (streamCompareID(&id, &max_xdel) < 0) {
                replyError(c, "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                return;
            }
            i += 2;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    int err;
    obj *o = lookupStream(c, c->argv[1], 1, &err);
    if (err) return;
    if (!o) {
        replyError(c, "ERR no such key");
        return;
    }
    stream *s = o->ptr;
    /* Redis 7.0.15 accepts an ID below the current max_deleted_entry_id here */
    if (s->length > 0) {
        streamID maxid;
        streamLastValidID(s, &maxid);
        if (streamCompareID(&id, &maxid) < 0) {
            replyError(c, "ERR The ID specified in XSETID is smaller than the target stream top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            replyError(c, "ERR The entries_added specified in XSETID is smaller than the target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1) s->entries_added = (uint64_t)entries_added;
    if (!idIsZero(&max_xdel)) s->max_deleted_entry_id = max_xdel;
    replyOk(c);
    server.dirty++; /* Redis 7.0.15 does not touch WATCH here */
}

/* ---- XREAD / XREADGROUP -------------------------------------------------------------- */

static void xreadGeneric(client *c, int xreadgroup) {
    long long timeout = -1, count = 0;
    int streams_arg = 0, streams_count = 0, noack = 0;
    dstr groupname = NULL, consumername = NULL;
    for (int i = 1; i < c->argc; i++) {
        int moreargs = c->argc - i - 1;
        const char *o = c->argv[i];
        if (!strcasecmp(o, "BLOCK") && moreargs) {
            if ((c->flags & CLIENT_SCRIPT) || server.in_script) {
                replyErrorFormat(c, "ERR %s command is not allowed with BLOCK option from scripts", c->argv[0]);
                return;
            }
            i++;
            if (!string2ll(c->argv[i], dstrlen(c->argv[i]), &timeout)) {
                replyError(c, "ERR timeout is not an integer or out of range");
                return;
            }
            if (timeout < 0) {
                replyError(c, "ERR timeout is negative");
                return;
            }
        } else if (!strcasecmp(o, "COUNT") && moreargs) {
            i++;
            if (!string2ll(c->argv[i], dstrlen(c->argv[i]), &count)) {
                replyErrorNotInteger(c);
                return;
            }
            if (count < 0) count = 0;
        } else if (!strcasecmp(o, "STREAMS") && moreargs) {
            streams_arg = i + 1;
            streams_count = c->argc - streams_arg;
            if (streams_count % 2) {
                replyErrorFormat(c,
                                 "ERR Unbalanced %s list of streams: for each stream key an ID or '%c' must be "
                                 "specified.",
                                 xreadgroup ? "XREADGROUP" : "XREAD", xreadgroup ? '>' : '$');
                return;
            }
            streams_count /= 2;
            break;
        } else if (!strcasecmp(o, "GROUP") && moreargs >= 2) {
            if (!xreadgroup) {
                replyError(c, "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return;
            }
            groupname = c->argv[i + 1];
            consumername = c->argv[i + 2];
            i += 2;
        } else if (!strcasecmp(o, "NOACK")) {
            if (!xreadgroup) {
                replyError(c, "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return;
            }
            noack = 1;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    if (!streams_arg) {
        replyErrorSyntax(c);
        return;
    }
    if (xreadgroup && !groupname) {
        replyError(c, "ERR Missing GROUP option for XREADGROUP");
        return;
    }
    streamID *ids = zmalloc(sizeof(streamID) * (size_t)streams_count);
    streamCG **groups = groupname ? zmalloc(sizeof(streamCG *) * (size_t)streams_count) : NULL;
    for (int k = 0; k < streams_count; k++) {
        const dstr key = c->argv[streams_arg + k];
        const dstr idarg = c->argv[streams_arg + streams_count + k];
        int err;
        obj *o = lookupStream(c, key, 0, &err);
        if (err) goto cleanup;
        if (groupname) {
            streamCG *g = o ? streamLookupCG(o->ptr, groupname, dstrlen(groupname)) : NULL;
            if (!g) {
                replyErrorFormat(c, "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option",
                                 key, groupname);
                goto cleanup;
            }
            groups[k] = g;
        }
        if (!strcmp(idarg, "$")) {
            if (xreadgroup) {
                replyError(c, "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
                              "history of this consumer by specifying a proper ID, or use the > ID to get new "
                              "messages. The $ ID would just return an empty result set.");
                goto cleanup;
            }
            if (o) ids[k] = ((stream *)o->ptr)->last_id;
            else ids[k].ms = ids[k].seq = 0;
            continue;
        } else if (!strcmp(idarg, ">")) {
            if (!xreadgroup) {
                replyError(c, "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                              "<consumer> option.");
                goto cleanup;
            }
            ids[k].ms = ids[k].seq = UINT64_MAX;
            continue;
        }
        if (streamParseID(c, idarg, &ids[k], 0, 1, NULL) < 0) goto cleanup;
    }

    size_t served = 0;
    void *len = NULL;
    for (int k = 0; k < streams_count; k++) {
        obj *o = lookupKeyRead(c->db, c->argv[streams_arg + k]);
        if (!o) continue;
        stream *s = o->ptr;
        streamID gt = ids[k];
        int sync = 0, history = 0;
        streamConsumer *consumer = NULL;
        if (groups) {
            if (gt.ms != UINT64_MAX || gt.seq != UINT64_MAX) {
                sync = history = 1;
            } else if (s->length) {
                streamID maxid;
                streamLastValidID(s, &maxid);
                if (streamCompareID(&maxid, &groups[k]->last_id) > 0) {
                    sync = 1;
                    gt = groups[k]->last_id;
                }
            }
            consumer = streamLookupConsumer(groups[k], consumername, dstrlen(consumername));
            if (!consumer) consumer = streamCreateConsumer(groups[k], consumername, dstrlen(consumername), mstime());
            consumer->seen_time = mstime();
        } else if (s->length) {
            streamID maxid;
            streamLastValidID(s, &maxid);
            if (streamCompareID(&maxid, &gt) > 0) sync = 1;
        }
        if (!sync) continue;
        if (!served++) len = replyDeferredLen(c);
        if (c->resp == 2) replyArrayLen(c, 2);
        replyBulkDstr(c, c->argv[streams_arg + k]);
        if (history) {
            /* the consumer's own pending entries after gt */
            unsigned char key[STREAM_ID_KEYLEN];
            streamID from = gt;
            streamIncrID(&from);
            streamEncodeID(key, &from);
            void *hl = replyDeferredLen(c);
            long n = 0;
            long long now = mstime();
            for (omapNode *p = omapSeek(consumer->pel, OMAP_GE, key, sizeof(key));
                 p && !(count && n >= count); p = omapNext(consumer->pel, p)) {
                streamID pid;
                streamDecodeID(p->key, &pid);
                if (!streamReplyEntry(c, s, &pid)) {
                    replyArrayLen(c, 2);
                    replyStreamID(c, &pid);
                    replyNullArray(c);
                } else {
                    streamNACK *nack = p->val;
                    nack->delivery_time = now;
                    nack->delivery_count++;
                }
                n++;
            }
            setDeferredArrayLen(c, hl, n);
        } else {
            streamID start = gt;
            streamIncrID(&start);
            streamReplyRange(c, s, &start, NULL, (size_t)count, 0, groups ? groups[k] : NULL, consumer, noack);
        }
        if (groups) server.dirty++;
    }
    if (served) {
        if (c->resp == 2) setDeferredArrayLen(c, len, (long)served);
        else setDeferredMapLen(c, len, (long)served);
        goto cleanup;
    }
    if (timeout != -1) {
        if (!blockingAllowed(c)) {
            replyNullArray(c);
            goto cleanup;
        }
        /* "$" becomes the ID it stands for now, so that the command run again
         * when data arrives reads what came after this moment (as Redis 7.2). */
        for (int k = 0; k < streams_count; k++) {
            int idx = streams_arg + streams_count + k;
            if (!strcmp(c->argv[idx], "$")) {
                char buf[64];
                snprintf(buf, sizeof(buf), "%llu-%llu", (unsigned long long)ids[k].ms,
                         (unsigned long long)ids[k].seq);
                dstrfree(c->argv[idx]);
                c->argv[idx] = dstrnew(buf);
            }
        }
        long long deadline = timeout > 0 ? elWallMs() + timeout : 0;
        blockForKeys(c, BLOCKED_STREAM, c->argv + streams_arg, streams_count, deadline, 0);
        if (xreadgroup) blockedSetUnblockOnDeleted(c);
        goto cleanup;
    }
    replyNullArray(c);
cleanup:
    zfree(ids);
    zfree(groups);
}

void xreadCommand(client *c) { xreadGeneric(c, 0); }
void xreadgroupCommand(client *c) { xreadGeneric(c, 1); }
