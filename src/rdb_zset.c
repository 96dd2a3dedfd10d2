/* rdb_zset: RDB loaders and saver of the ZSET type (formats and rules in
 * rdb_collections.h). Uses only t_zset.h's API. */
#include <string.h>

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

#define SAVE_CHUNK 16384 /* bytes of elements encoded before one append to the output */

/* The common element of a ZSET_2 body written without a call per part: a
 * member of 1..20 bytes that cannot be an integer (its first byte is not a
 * digit or '-'), so rioWriteString would write it raw (no integer form;
 * no LZF below 21 bytes) as a 6-bit length byte and the bytes (rio.h), then
 * the score as 8 bytes binary64 little-endian. Writes at dst and adds the
 * size to *used; returns 0 (nothing written) for any other element. */
static int encodeElementFast(unsigned char *dst, const char *m, size_t mlen, double score, int binary,
                             size_t *used) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (!binary || mlen == 0 || mlen > 20 || (m[0] >= '0' && m[0] <= '9') || m[0] == '-') return 0;
    dst[0] = (unsigned char)mlen;
    memcpy(dst + 1, m, mlen);
    memcpy(dst + 1 + mlen, &score, 8);
    *used += 1 + mlen + 8;
    return 1;
#else
    (void)dst, (void)m, (void)mlen, (void)score, (void)binary, (void)used;
    return 0;
#endif
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
    /* The elements are encoded into a stack buffer appended to `r` a chunk
     * at a time: three appends per element (member length, bytes, score)
     * were the main cost of a big zset's DUMP. */
    int binary = rdbtype == RDB_TYPE_ZSET_2;
    unsigned char chunk[SAVE_CHUNK];
    size_t used = 0;
    zsetIter it;
    zsetIterInitReverse(&it, o); /* highest rank first, as Redis writes skiplists */
    const char *m;
    size_t mlen;
    double score;
    while (zsetIterNext(&it, &m, &mlen, &score)) {
        /* an upper bound of the element's encoded size: a string takes its
         * length form + its bytes, or an LZF form of at most that + 6 (rio.c
         * keeps LZF output to len - 4 bytes, plus a byte and two lengths);
         * a double at most 1 + 24 bytes (text) */
        size_t need = rioLenSize(mlen) + mlen + 48;
        if (need > sizeof(chunk) - used) {
            if (rioWrite(r, chunk, used) != RIO_OK) return RIO_ERR;
            used = 0;
        }
        if (need > sizeof(chunk)) { /* a huge member: straight to r */
            rioWriteString(r, m, mlen);
            if ((binary ? rioWriteDoubleBinary(r, score) : rioWriteDoubleText(r, score)) != RIO_OK) return RIO_ERR;
            continue;
        }
        if (!encodeElementFast(chunk + used, m, mlen, score, binary, &used)) {
            rio b; /* the general encoders, into the chunk's free space */
            rioInitBufferWriter(&b, chunk + used, sizeof(chunk) - used);
            rioWriteString(&b, m, mlen);
            if (binary) rioWriteDoubleBinary(&b, score);
            else rioWriteDoubleText(&b, score);
            if (rioHasError(&b)) return RIO_ERR; /* not expected: the bound above holds */
            used += rioTell(&b);
        }
    }
    return rioWrite(r, chunk, used);
}

void rdbZsetRegister(void) {
    rdbRegisterLoader(RDB_TYPE_ZSET, loadZsetPlain);
    rdbRegisterLoader(RDB_TYPE_ZSET_2, loadZsetPlain);
    rdbRegisterLoader(RDB_TYPE_ZSET_ZIPLIST, loadZsetBlob);
    rdbRegisterLoader(RDB_TYPE_ZSET_LISTPACK, loadZsetBlob);
    rdbRegisterSaver(OBJ_ZSET, zsetSaveType, zsetSave);
}
