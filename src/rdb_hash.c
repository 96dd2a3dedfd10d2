/* rdb_hash: RDB loaders and saver of the HASH type (formats and rules in
 * rdb_collections.h). Uses only t_hash.h's API. */
#include "listpack.h"
#include "rdb.h"
#include "rdb_collections.h"
#include "rdb_legacy.h"
#include "t_hash.h"
#include "zmalloc.h"

#define ELEMENT_BUF 256 /* fields and values up to this size are read without allocating */

/* HASH (4): a count, then field/value strings. */
static obj *loadHashPlain(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    (void)rdbtype;
    uint64_t len;
    if (rdbLoadCount(r, &len, 2, 0) != RIO_OK) { /* a pair takes at least 2 bytes */
        ctx->err = "hash: bad or empty length";
        return NULL;
    }
    hashLoader ld;
    if (!hashLoaderInit(&ld, len)) {
        ctx->err = "hash: length too large";
        return NULL;
    }
    char fbuf[ELEMENT_BUF], vbuf[ELEMENT_BUF];
    for (uint64_t i = 0; i < len; i++) {
        const char *f, *v;
        size_t flen, vlen;
        dstr fheap, vheap;
        if (rdbLoadStringBuf(r, ctx, fbuf, sizeof(fbuf), &f, &flen, &fheap) != RIO_OK) {
            ctx->err = "hash: field truncated or malformed";
            goto fail;
        }
        if (rdbLoadStringBuf(r, ctx, vbuf, sizeof(vbuf), &v, &vlen, &vheap) != RIO_OK) {
            dstrfree(fheap);
            ctx->err = "hash: value truncated or malformed";
            goto fail;
        }
        int added = hashLoaderAdd(&ld, f, flen, v, vlen);
        dstrfree(fheap);
        dstrfree(vheap);
        if (!added) {
            ctx->err = "hash: duplicate field";
            goto fail;
        }
    }
    obj *o = hashLoaderFinish(&ld);
    if (!o) ctx->err = "hash: duplicate field";
    return o;
fail:
    hashLoaderAbort(&ld);
    return NULL;
}

/* HASH_ZIPMAP (9), HASH_ZIPLIST (13), HASH_LISTPACK (16): one blob. */
static obj *loadHashBlob(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    size_t len, entries;
    unsigned char *blob = rdbLoadBlob(r, ctx, &len);
    if (!blob) {
        ctx->err = "hash: blob truncated, malformed or empty";
        return NULL;
    }
    unsigned char *lp = NULL;
    if (rdbtype == RDB_TYPE_HASH_ZIPMAP) {
        lp = rdbZipmapToListpack(blob, len, &entries);
        zfree(blob);
    } else if (rdbtype == RDB_TYPE_HASH_ZIPLIST) {
        lp = rdbZiplistToListpack(blob, len, RDB_BLOB_HASH, &entries);
        zfree(blob);
    } else if (rdbValidateListpackBlob(blob, len, RDB_BLOB_HASH, &entries)) {
        lp = blob; /* adopted as-is */
    } else {
        zfree(blob);
    }
    if (!lp) {
        ctx->err = "hash: invalid blob (structure, count, duplicate field or empty)";
        return NULL;
    }
    return hashTypeCreateFromListpack(lp);
}

static int hashSaveType(const obj *o, int target) {
    if (target >= 10 && hashTypeListpack(o)) return RDB_TYPE_HASH_LISTPACK;
    return RDB_TYPE_HASH;
}

static int hashSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)target;
    if (rdbtype == RDB_TYPE_HASH_LISTPACK) {
        unsigned char *lp = hashTypeListpack(o);
        if (!lp) return RIO_ERR;
        return rioWriteString(r, lp, lpBytes(lp));
    }
    if (rdbtype != RDB_TYPE_HASH) return RIO_ERR;
    rioWriteLen(r, hashTypeLength(o));
    hashTypeIterator hi;
    hashTypeInitIterator(&hi, (obj *)o);
    const char *f, *v;
    size_t flen, vlen;
    while (hashTypeNext(&hi, &f, &flen, &v, &vlen)) {
        rioWriteString(r, f, flen);
        if (rioWriteString(r, v, vlen) != RIO_OK) break;
    }
    hashTypeResetIterator(&hi);
    return rioHasError(r) ? RIO_ERR : RIO_OK;
}

void rdbHashRegister(void) {
    rdbRegisterLoader(RDB_TYPE_HASH, loadHashPlain);
    rdbRegisterLoader(RDB_TYPE_HASH_ZIPMAP, loadHashBlob);
    rdbRegisterLoader(RDB_TYPE_HASH_ZIPLIST, loadHashBlob);
    rdbRegisterLoader(RDB_TYPE_HASH_LISTPACK, loadHashBlob);
    rdbRegisterSaver(OBJ_HASH, hashSaveType, hashSave);
}
