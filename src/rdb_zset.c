/* rdb_zset: RDB loaders and saver of the ZSET type (formats and rules in
 * rdb_collections.h). Uses only t_zset.h's API. */
#include "listpack.h"
#include "rdb.h"
#include "rdb_collections.h"
#include "rdb_legacy.h"
#include "t_zset.h"
#include "zmalloc.h"

/* ZSET (3, text scores) and ZSET_2 (5, binary scores): a count, then
 * (member, score) pairs, loaded into a skiplist pre-sized for the count and
 * converted to a listpack afterwards when small enough. */
static obj *loadZsetPlain(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    int binary = rdbtype == RDB_TYPE_ZSET_2;
    uint64_t len;
    /* a pair takes at least 1 + 8 bytes (binary) or 1 + 1 (text) */
    if (rdbLoadCount(r, &len, binary ? 9 : 2, 0) != RIO_OK) {
        ctx->err = "zset: bad or empty length";
        return NULL;
    }
    zsetLoader ld;
    zsetLoaderInit(&ld, (size_t)len);
    for (uint64_t i = 0; i < len; i++) {
        dstr member = rdbLoadString(r, ctx);
        if (!member) {
            ctx->err = "zset: member truncated or malformed";
            goto fail;
        }
        double score;
        int rc = binary ? rioReadDoubleBinary(r, &score) : rioReadDoubleText(r, &score);
        if (rc != RIO_OK) {
            dstrfree(member);
            ctx->err = "zset: score truncated or malformed";
            goto fail;
        }
        if (!zsetLoaderAdd(&ld, member, score)) { /* member taken (freed) either way */
            ctx->err = "zset: duplicate member or NaN score";
            goto fail;
        }
    }
    obj *o = zsetLoaderFinish(&ld);
    if (!o) ctx->err = "zset: duplicate member";
    return o;
fail:
    zsetLoaderAbort(&ld);
    return NULL;
}

/* ZSET_ZIPLIST (12) and ZSET_LISTPACK (17): one blob of member, score pairs. */
static obj *loadZsetBlob(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    size_t len, entries;
    unsigned char *blob = rdbLoadBlob(r, ctx, &len);
    if (!blob) {
        ctx->err = "zset: blob truncated, malformed or empty";
        return NULL;
    }
    unsigned char *lp = NULL;
    if (rdbtype == RDB_TYPE_ZSET_ZIPLIST) {
        lp = rdbZiplistToListpack(blob, len, RDB_BLOB_ZSET, &entries);
        zfree(blob);
    } else if (rdbValidateListpackBlob(blob, len, RDB_BLOB_ZSET, &entries)) {
        lp = blob; /* adopted as-is */
    } else {
        zfree(blob);
    }
    if (!lp) {
        ctx->err = "zset: invalid blob (structure, count, duplicate member, bad or unsorted score, or empty)";
        return NULL;
    }
    return zsetCreateFromListpack(lp);
}

static int zsetSaveType(const obj *o, int target) {
    if (target >= 10 && zsetListpack(o)) return RDB_TYPE_ZSET_LISTPACK;
    return target >= 8 ? RDB_TYPE_ZSET_2 : RDB_TYPE_ZSET;
}

static int zsetSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)target;
    if (rdbtype == RDB_TYPE_ZSET_LISTPACK) {
        unsigned char *lp = zsetListpack(o);
        if (!lp) return RIO_ERR;
        return rioWriteString(r, lp, lpBytes(lp));
    }
    if (rdbtype != RDB_TYPE_ZSET_2 && rdbtype != RDB_TYPE_ZSET) return RIO_ERR;
    rioWriteLen(r, zsetLength(o));
    zsetIter it;
    zsetIterInitReverse(&it, o); /* highest rank first, as Redis writes skiplists */
    const char *m;
    size_t mlen;
    double score;
    while (zsetIterNext(&it, &m, &mlen, &score)) {
        rioWriteString(r, m, mlen);
        int rc = rdbtype == RDB_TYPE_ZSET_2 ? rioWriteDoubleBinary(r, score) : rioWriteDoubleText(r, score);
        if (rc != RIO_OK) break;
    }
    return rioHasError(r) ? RIO_ERR : RIO_OK;
}

void rdbZsetRegister(void) {
    rdbRegisterLoader(RDB_TYPE_ZSET, loadZsetPlain);
    rdbRegisterLoader(RDB_TYPE_ZSET_2, loadZsetPlain);
    rdbRegisterLoader(RDB_TYPE_ZSET_ZIPLIST, loadZsetBlob);
    rdbRegisterLoader(RDB_TYPE_ZSET_LISTPACK, loadZsetBlob);
    rdbRegisterSaver(OBJ_ZSET, zsetSaveType, zsetSave);
}
