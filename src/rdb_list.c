/* rdb_list: RDB loaders and saver of the LIST type (layouts and rules in
 * rdb_collections.h). Uses only t_list.h's API for the value; node blobs are
 * validated with rdb_legacy.h / listpack.h / ziplist.h. */
#include <lzf.h>
#include <string.h>

#include "listpack.h"
#include "rdb.h"
#include "rdb_collections.h"
#include "rdb_legacy.h"
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
static obj *loadListQuicklist(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    uint64_t nodes;
    /* a node takes at least 2 bytes (container + empty string / string) */
    if (rdbLoadCount(r, &nodes, rdbtype == RDB_TYPE_LIST_QUICKLIST_2 ? 2 : 1, 0) != RIO_OK) {
        ctx->err = "list: bad or empty node count";
        return NULL;
    }
    obj *o = listCreateForLoad();
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if (rioReadLen(r, &container, NULL) != RIO_OK ||
                (container != QUICKLIST_NODE_CONTAINER_PACKED && container != QUICKLIST_NODE_CONTAINER_PLAIN)) {
                ctx->err = "list: bad node container";
                goto fail;
            }
        }
        size_t len;
        unsigned char *blob = rdbLoadBlob(r, ctx, &len);
        if (!blob) {
            ctx->err = "list: node truncated, malformed or empty";
            goto fail;
        }
        if (container == QUICKLIST_NODE_CONTAINER_PLAIN) {
            listLoadAppendPlain(o, blob, len);
            continue;
        }
        unsigned char *lp;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if (rdbValidateListpackBlob(blob, len, RDB_BLOB_LIST, NULL)) {
                lp = blob; /* adopted as-is */
            } else {
                int empty = emptyListpack(blob, len);
                zfree(blob);
                if (empty) continue;
                ctx->err = "list: invalid listpack node";
                goto fail;
            }
        } else {
            lp = rdbZiplistToListpack(blob, len, RDB_BLOB_LIST, NULL);
            if (!lp) {
                int empty = emptyZiplist(blob, len);
                zfree(blob);
                if (empty) continue;
                ctx->err = "list: invalid ziplist node";
                goto fail;
            }
            zfree(blob);
        }
        listLoadAppendListpack(o, lp);
    }
    o = listLoadFinish(o);
    if (!o) ctx->err = "list: no element";
    return o;
fail:
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

static int listSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)target;
    if (rdbtype != RDB_TYPE_LIST_QUICKLIST_2 && rdbtype != RDB_TYPE_LIST_QUICKLIST) return RIO_ERR;
    if (rioWriteLen(r, listNodeCount(o)) != RIO_OK) return RIO_ERR;
    listNodeIter ni;
    listNodeView v;
    listNodeIterInit(&ni, o);
    while (listNodeIterNext(&ni, &v)) {
        int rc;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST) {
            rc = writeZiplistNode(r, &v);
        } else {
            if (rioWriteLen(r, (uint64_t)v.container) != RIO_OK) return RIO_ERR;
            if (v.compressed) rc = writeLzfString(r, v.data, v.len, v.raw_len);
            else rc = rioWriteString(r, v.data, v.len);
        }
        if (rc != RIO_OK) return RIO_ERR;
    }
    return rioHasError(r) ? RIO_ERR : RIO_OK;
}

void rdbListRegister(void) {
    rdbRegisterLoader(RDB_TYPE_LIST, loadListPlain);
    rdbRegisterLoader(RDB_TYPE_LIST_ZIPLIST, loadListZiplist);
    rdbRegisterLoader(RDB_TYPE_LIST_QUICKLIST, loadListQuicklist);
    rdbRegisterLoader(RDB_TYPE_LIST_QUICKLIST_2, loadListQuicklist);
    rdbRegisterSaver(OBJ_LIST, listSaveType, listSave);
}
