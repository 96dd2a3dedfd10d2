/* rdb_set: RDB loaders and saver of the SET type (formats and rules in
 * rdb_collections.h). Uses only t_set.h's API. */
#include "intset.h"
#include "rdb.h"
#include "rdb_collections.h"
#include "rdb_legacy.h"
#include "t_set.h"
#include "zmalloc.h"

#define ELEMENT_BUF 256 /* members up to this size are read without allocating */

/* SET (2): a count, then the members. */
static obj *loadSetPlain(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    (void)rdbtype;
    uint64_t len;
    if (rdbLoadCount(r, &len, 1, 0) != RIO_OK) {
        ctx->err = "set: bad or empty length";
        return NULL;
    }
    setLoader ld;
    if (!setLoaderInit(&ld, (size_t)len)) {
        ctx->err = "set: length too large";
        return NULL;
    }
    char buf[ELEMENT_BUF];
    for (uint64_t i = 0; i < len; i++) {
        const char *m;
        size_t mlen;
        dstr heap;
        if (rdbLoadStringBuf(r, ctx, buf, sizeof(buf), &m, &mlen, &heap) != RIO_OK) {
            ctx->err = "set: member truncated or malformed";
            goto fail;
        }
        int rc = setLoaderAdd(&ld, m, mlen);
        dstrfree(heap);
        if (rc != 1) {
            ctx->err = rc == 0 ? "set: duplicate member" : "set: length too large";
            goto fail;
        }
    }
    obj *o = setLoaderFinish(&ld);
    if (!o) ctx->err = "set: duplicate member";
    return o;
fail:
    setLoaderAbort(&ld);
    return NULL;
}

/* SET_INTSET (11) and SET_LISTPACK (20): one blob, adopted after validation. */
static obj *loadSetBlob(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    size_t len;
    unsigned char *blob = rdbLoadBlob(r, ctx, &len);
    if (!blob) {
        ctx->err = "set: blob truncated, malformed or empty";
        return NULL;
    }
    if (rdbtype == RDB_TYPE_SET_INTSET) {
        if (intsetValidateIntegrity(blob, len, 1)) return setTypeCreateFromIntset((intset *)blob);
        ctx->err = "set: invalid intset (size, encoding, order, duplicates or empty)";
    } else {
        if (rdbValidateListpackBlob(blob, len, RDB_BLOB_SET, NULL)) return setTypeCreateFromListpack(blob);
        ctx->err = "set: invalid listpack (structure, count, duplicate member or empty)";
    }
    zfree(blob);
    return NULL;
}

static int setSaveType(const obj *o, int target) {
    int enc;
    size_t len;
    if (!setTypeBlob(o, &enc, &len)) return RDB_TYPE_SET;
    if (enc == ENC_INTSET) return RDB_TYPE_SET_INTSET;
    /* a listpack set: SET_LISTPACK exists from RDB 11 (Redis 7.2); older
     * readers (Redis 7.0 included) get the plain form */
    return target >= 11 ? RDB_TYPE_SET_LISTPACK : RDB_TYPE_SET;
}

static int setSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)target;
    if (rdbtype == RDB_TYPE_SET_INTSET || rdbtype == RDB_TYPE_SET_LISTPACK) {
        int enc;
        size_t len;
        const unsigned char *blob = setTypeBlob(o, &enc, &len);
        if (!blob || enc != (rdbtype == RDB_TYPE_SET_INTSET ? ENC_INTSET : ENC_LISTPACK)) return RIO_ERR;
        return rioWriteString(r, blob, len);
    }
    if (rdbtype != RDB_TYPE_SET) return RIO_ERR;
    rioWriteLen(r, setTypeSize(o));
    setIterator si;
    setTypeInitIterator(&si, (obj *)o);
    const char *str;
    size_t len;
    int64_t v;
    while (setTypeNext(&si, &str, &len, &v) != -1) {
        int rc = str ? rioWriteString(r, str, len) : rioWriteStringFromInt(r, v);
        if (rc != RIO_OK) break;
    }
    setTypeResetIterator(&si);
    return rioHasError(r) ? RIO_ERR : RIO_OK;
}

void rdbSetRegister(void) {
    rdbRegisterLoader(RDB_TYPE_SET, loadSetPlain);
    rdbRegisterLoader(RDB_TYPE_SET_INTSET, loadSetBlob);
    rdbRegisterLoader(RDB_TYPE_SET_LISTPACK, loadSetBlob);
    rdbRegisterSaver(OBJ_SET, setSaveType, setSave);
}
