/* rdb_list: RDB loaders and saver of the LIST type (layouts and rules in
 * rdb_collections.h). Uses only t_list.h's API for the value; node blobs are
 * validated with rdb_legacy.h / listpack.h / ziplist.h. */
#include <lzf.h>
#include <string.h>

#include "listpack.h"
#include "parallel.h"
#include "rdb.h"
#include "rdb_collections.h"
#include "rdb_legacy.h"
#include "rio.h"
#include "t_list.h"
#include "ziplist.h"
#include "zmalloc.h"

#define ELEMENT_BUF 256 /* elements up to this size are read without allocating */

/* LIST (1): a count, then the elements as strings, pushed at the tail of a
 * quicklist (Redis 7.2's loader), then the AUTO rule. */
static obj *loadListPlain(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    (void)rdbtype;
    uint64_t len;
    if (rdbLoadCount(r, &len, 1, 0) != RIO_OK) {
        ctx->err = "list: bad or empty length";
        return NULL;
    }
    obj *o = listCreateForLoad();
    char buf[ELEMENT_BUF];
    for (uint64_t i = 0; i < len; i++) {
        const char *p;
        size_t plen;
        dstr heap;
        if (rdbLoadStringBuf(r, ctx, buf, sizeof(buf), &p, &plen, &heap) != RIO_OK) {
            ctx->err = "list: element truncated or malformed";
            objDecrRef(o);
            return NULL;
        }
        listPush(o, p, plen, LIST_TAIL);
        dstrfree(heap);
    }
    return listLoadFinish(o);
}

/* Is blob[0..len) a deep-valid ziplist / listpack with no entries? (Redis
 * skips such quicklist nodes.) */
static int emptyZiplist(const unsigned char *zl, size_t len) {
    return ziplistValidateIntegrity(zl, len, 1, NULL, NULL) && ziplistCount(zl, len) == 0;
}

static int emptyListpack(const unsigned char *lp, size_t len) {
    return lpValidateIntegrity(lp, len, 1, NULL, NULL) && lpFirst((unsigned char *)lp) == NULL;
}

/* LIST_ZIPLIST (10): one ziplist, converted to one listpack node. */
static obj *loadListZiplist(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    (void)rdbtype;
    size_t len;
    unsigned char *zl = rdbLoadBlob(r, ctx, &len);
    if (!zl) {
        ctx->err = "list: ziplist truncated, malformed or empty";
        return NULL;
    }
    unsigned char *lp = rdbZiplistToListpack(zl, len, RDB_BLOB_LIST, NULL);
    zfree(zl);
    if (!lp) {
        ctx->err = "list: invalid or empty ziplist";
        return NULL;
    }
    obj *o = listCreateForLoad();
    listLoadAppendListpack(o, lp);
    return listLoadFinish(o);
}

/* LIST_QUICKLIST (14): count, then per node a ziplist string.
 * LIST_QUICKLIST_2 (18): count, then per node a container (1 PLAIN, 2 PACKED)
 * and a string: the element (PLAIN) or a listpack (PACKED).
 * Empty ziplist / listpack nodes are skipped (as Redis does); an empty string
 * node, an unknown container or a list left empty is refused. */
/* Quicklist nodes are read in batches: their headers in order (cheap), then
 * the expensive part, LZF expansion and deep validation of each node, on two
 * threads when the batch is big (parallel.h), then the nodes are appended in
 * order. A batch bounds the memory held before the list adopts it. */
#define NODE_BATCH 1024
#define PARALLEL_MIN_BYTES (256 * 1024) /* decoded bytes of a batch worth a thread */

enum { NODE_OK, NODE_EMPTY, NODE_BAD_BLOB, NODE_BAD_CONTENT };

typedef struct {
    int container;
    rioStringRef ref;
    unsigned char *blob; /* decoded node: a listpack (or PLAIN element) to adopt */
    size_t len;
    int status;
} loadedNode;

typedef struct {
    loadedNode *nodes;
    int rdbtype;
} nodeBatch;

/* Decode and validate nodes [lo, hi) of a batch (runs on either thread). */
static void decodeNodes(void *arg, size_t lo, size_t hi) {
    nodeBatch *b = arg;
    for (size_t i = lo; i < hi; i++) {
        loadedNode *n = &b->nodes[i];
        n->len = n->ref.len;
        n->blob = zmalloc(n->len);
        if (rioExpandStringRef(&n->ref, n->blob) != RIO_OK) {
            n->status = NODE_BAD_BLOB;
            continue;
        }
        n->status = NODE_OK;
        if (n->container == QUICKLIST_NODE_CONTAINER_PLAIN) continue;
        if (b->rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if (!rdbValidateListpackBlob(n->blob, n->len, RDB_BLOB_LIST, NULL))
                n->status = emptyListpack(n->blob, n->len) ? NODE_EMPTY : NODE_BAD_CONTENT;
        } else {
            unsigned char *lp = rdbZiplistToListpack(n->blob, n->len, RDB_BLOB_LIST, NULL);
            if (!lp) {
                n->status = emptyZiplist(n->blob, n->len) ? NODE_EMPTY : NODE_BAD_CONTENT;
            } else {
                zfree(n->blob);
                n->blob = lp;
            }
        }
    }
}

/* Split [0, n) where the decoded bytes are about half. */
static size_t splitByBytes(const loadedNode *nodes, size_t n, size_t total) {
    size_t acc = 0, i = 0;
    while (i < n && acc < total / 2) acc += nodes[i++].ref.len;
    return i;
}

static obj *loadListQuicklist(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    uint64_t nodes;
    /* a node takes at least 2 bytes (container + empty string / string) */
    if (rdbLoadCount(r, &nodes, rdbtype == RDB_TYPE_LIST_QUICKLIST_2 ? 2 : 1, 0) != RIO_OK) {
        ctx->err = "list: bad or empty node count";
        return NULL;
    }
    obj *o = listCreateForLoad();
    loadedNode *batch = zmalloc(sizeof(loadedNode) * (nodes < NODE_BATCH ? nodes : NODE_BATCH));
    size_t held = 0, next = 0; /* nodes of the batch decoded / appended so far */
    for (uint64_t done = 0; done < nodes;) {
        size_t n = nodes - done < NODE_BATCH ? (size_t)(nodes - done) : NODE_BATCH;
        size_t bytes = 0;
        held = next = 0;
        /* 1. headers, in order */
        for (size_t i = 0; i < n; i++) {
            loadedNode *ln = &batch[i];
            uint64_t container = QUICKLIST_NODE_CONTAINER_PACKED;
            if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
                if (rioReadLen(r, &container, NULL) != RIO_OK ||
                    (container != QUICKLIST_NODE_CONTAINER_PACKED && container != QUICKLIST_NODE_CONTAINER_PLAIN)) {
                    ctx->err = "list: bad node container";
                    goto fail;
                }
            }
            ln->container = (int)container;
            if (rioReadStringRef(r, &ln->ref) != RIO_OK || ln->ref.len == 0 ||
                (ctx->max_string_len && ln->ref.len > ctx->max_string_len)) {
                ctx->err = "list: node truncated, malformed or empty";
                goto fail;
            }
            bytes += ln->ref.len;
        }
        /* 2. decode and validate, on two threads when it pays */
        nodeBatch nb = {batch, rdbtype};
        if (bytes >= PARALLEL_MIN_BYTES && n > 1) parallelRun2(decodeNodes, &nb, splitByBytes(batch, n, bytes), n);
        else decodeNodes(&nb, 0, n);
        held = n;
        /* 3. append, in order */
        for (; next < n; next++) {
            loadedNode *ln = &batch[next];
            if (ln->status == NODE_BAD_BLOB || ln->status == NODE_BAD_CONTENT) {
                ctx->err = ln->status == NODE_BAD_BLOB ? "list: node truncated, malformed or empty"
                           : rdbtype == RDB_TYPE_LIST_QUICKLIST_2 ? "list: invalid listpack node"
                                                                  : "list: invalid ziplist node";
                goto fail;
            }
            if (ln->status == NODE_EMPTY) zfree(ln->blob);
            else if (ln->container == QUICKLIST_NODE_CONTAINER_PLAIN) listLoadAppendPlain(o, ln->blob, ln->len);
            else listLoadAppendListpack(o, ln->blob);
            ln->blob = NULL;
        }
        done += n;
    }
    zfree(batch);
    o = listLoadFinish(o);
    if (!o) ctx->err = "list: no element";
    return o;
fail:
    for (size_t i = next; i < held; i++) zfree(batch[i].blob); /* decoded, not adopted */
    zfree(batch);
    objDecrRef(o);
    return NULL;
}

/* ---- saving ------------------------------------------------------------------- */

static int listSaveType(const obj *o, int target) {
    (void)o;
    return target >= 10 ? RDB_TYPE_LIST_QUICKLIST_2 : RDB_TYPE_LIST_QUICKLIST;
}

/* A compressed node as Redis 7.0 writes it: its LZF data as they are, as an
 * RDB LZF string (0xc3, compressed length, raw length, data). */
static int writeLzfString(rio *r, const unsigned char *lzf, size_t clen, size_t raw_len) {
    if (rioWriteU8(r, 0xc3) != RIO_OK || rioWriteLen(r, clen) != RIO_OK || rioWriteLen(r, raw_len) != RIO_OK)
        return RIO_ERR;
    return rioWrite(r, lzf, clen);
}

/* The node's uncompressed bytes: `v->data`, or a zmalloc'ed copy in *tmp. */
static const unsigned char *nodeRaw(const listNodeView *v, unsigned char **tmp) {
    *tmp = NULL;
    if (!v->compressed) return v->data;
    unsigned char *raw = zmalloc(v->raw_len ? v->raw_len : 1);
    unsigned got = lzf_decompress(v->data, (unsigned)v->len, raw, (unsigned)v->raw_len);
    if (got != v->raw_len) {
        zfree(raw);
        return NULL;
    }
    *tmp = raw;
    return raw;
}

/* One node as a ziplist (Redis 6.2's LIST_QUICKLIST node): a PLAIN node
 * becomes a one-element ziplist. Written with rioWriteString (LZF when it
 * saves, which is also how Redis 6.2 writes its compressed nodes: the same
 * LZF bytes). */
static int writeZiplistNode(rio *r, const listNodeView *v) {
    unsigned char *tmp;
    const unsigned char *raw = nodeRaw(v, &tmp);
    if (!raw) return RIO_ERR;
    size_t cap = ZIPLIST_MIN_SIZE;
    if (v->container == QUICKLIST_NODE_CONTAINER_PLAIN) cap += ZIPLIST_ENTRY_MAX_SIZE(v->raw_len);
    else cap += v->raw_len + (size_t)v->count * ZIPLIST_ENTRY_MAX_SIZE(8);
    unsigned char *zl = zmalloc(cap);
    ziplistWriter w;
    ziplistWriterInit(&w, zl, cap);
    if (v->container == QUICKLIST_NODE_CONTAINER_PLAIN) {
        ziplistWriterAppend(&w, raw, v->raw_len);
    } else {
        unsigned char *lp = (unsigned char *)raw;
        for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
            unsigned int slen = 0;
            long long ll;
            unsigned char *s = lpGetValue(p, &slen, &ll);
            if (s) ziplistWriterAppend(&w, s, slen);
            else ziplistWriterAppendInteger(&w, ll);
        }
    }
    size_t size = ziplistWriterFinish(&w);
    int rc = size ? rioWriteString(r, zl, size) : RIO_ERR;
    zfree(zl);
    zfree(tmp);
    return rc;
}

/* Saving QUICKLIST_2 in batches: the nodes that are not compressed already
 * get their LZF form computed (rioCompressString, on two threads when the
 * batch is big), then everything is written in order, the same bytes as a
 * node-by-node rioWriteString. */
typedef struct {
    listNodeView view;
    unsigned char *lzf; /* LZF bytes to write (zmalloc'ed), or NULL */
    size_t clen;
} savedNode;

static void compressNodes(void *arg, size_t lo, size_t hi) {
    savedNode *nodes = arg;
    for (size_t i = lo; i < hi; i++) {
        if (nodes[i].view.compressed) continue; /* written as it is */
        nodes[i].clen = rioCompressString(nodes[i].view.data, nodes[i].view.len, &nodes[i].lzf);
    }
}

static int writeNodeBatch(rio *r, savedNode *batch, size_t n) {
    size_t bytes = 0, half = 0, split = 0;
    for (size_t i = 0; i < n; i++)
        if (!batch[i].view.compressed) bytes += batch[i].view.len;
    while (split < n && half < bytes / 2) {
        if (!batch[split].view.compressed) half += batch[split].view.len;
        split++;
    }
    if (bytes >= PARALLEL_MIN_BYTES && n > 1) parallelRun2(compressNodes, batch, split, n);
    else compressNodes(batch, 0, n);
    int rc = RIO_OK;
    for (size_t i = 0; i < n; i++) {
        const listNodeView *v = &batch[i].view;
        if (rc == RIO_OK && rioWriteLen(r, (uint64_t)v->container) != RIO_OK) rc = RIO_ERR;
        if (rc == RIO_OK) {
            if (v->compressed) rc = writeLzfString(r, v->data, v->len, v->raw_len);
            else rc = rioWriteStringPrepared(r, v->data, v->len, batch[i].lzf, batch[i].clen);
        }
        zfree(batch[i].lzf);
        batch[i].lzf = NULL;
    }
    return rc;
}

static int listSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)target;
    if (rdbtype != RDB_TYPE_LIST_QUICKLIST_2 && rdbtype != RDB_TYPE_LIST_QUICKLIST) return RIO_ERR;
    unsigned long count = listNodeCount(o);
    if (rioWriteLen(r, count) != RIO_OK) return RIO_ERR;
    listNodeIter ni;
    listNodeView v;
    listNodeIterInit(&ni, o);
    if (rdbtype == RDB_TYPE_LIST_QUICKLIST) {
        while (listNodeIterNext(&ni, &v))
            if (writeZiplistNode(r, &v) != RIO_OK) return RIO_ERR;
        return rioHasError(r) ? RIO_ERR : RIO_OK;
    }
    savedNode *batch = zcalloc(sizeof(savedNode) * (count < NODE_BATCH ? count : NODE_BATCH));
    size_t n = 0;
    int rc = RIO_OK;
    while (rc == RIO_OK && listNodeIterNext(&ni, &v)) {
        batch[n].view = v;
        if (++n == NODE_BATCH) {
            rc = writeNodeBatch(r, batch, n);
            n = 0;
        }
    }
    if (rc == RIO_OK && n) rc = writeNodeBatch(r, batch, n);
    zfree(batch);
    if (rc != RIO_OK) return RIO_ERR;
    return rioHasError(r) ? RIO_ERR : RIO_OK;
}

void rdbListRegister(void) {
    rdbRegisterLoader(RDB_TYPE_LIST, loadListPlain);
    rdbRegisterLoader(RDB_TYPE_LIST_ZIPLIST, loadListZiplist);
    rdbRegisterLoader(RDB_TYPE_LIST_QUICKLIST, loadListQuicklist);
    rdbRegisterLoader(RDB_TYPE_LIST_QUICKLIST_2, loadListQuicklist);
    rdbRegisterSaver(OBJ_LIST, listSaveType, listSave);
}
