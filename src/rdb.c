/* rdb: RDB object codec and DUMP payload framing. Formats: see rdb.h. */
#include "rdb.h"
#include "crc64.h"
#include "zmalloc.h"
#include <string.h>

static rdbLoadFn loaders[RDB_TYPE_SLOTS];
static rdbSaveTypeFn save_type_fns[OBJ_TYPE_MAX];
static rdbSaveFn save_fns[OBJ_TYPE_MAX];

/* ---- STRING (type 0) --------------------------------------------------------- */

/* 1 if the RDB string at the reader's position is longer than `max` (0 = no
 * limit). Reads a copy of the reader, so nothing is consumed; a malformed
 * header answers 0 and is left to the real read to refuse. */
static int stringTooLong(const rio *r, uint64_t max) {
    if (!max) return 0;
    rio peek = *r; /* a reader holds no owned memory: copying it is safe */
    uint64_t len, clen, ulen;
    int enc;
    if (rioReadLen(&peek, &len, &enc) != RIO_OK) return 0;
    if (!enc) return len > max;
    if (len != RIO_ENC_LZF) return 0;
    if (rioReadLen(&peek, &clen, NULL) != RIO_OK || rioReadLen(&peek, &ulen, NULL) != RIO_OK) return 0;
    return ulen > max;
}

static obj *loadString(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    (void)rdbtype;
    if (stringTooLong(r, ctx->max_string_len)) {
        ctx->err = "string longer than the limit";
        return NULL;
    }
    dstr s = NULL;
    long long v;
    int kind = rioReadStringOrInt(r, &s, &v);
    if (kind < 0) {
        ctx->err = "string truncated or malformed";
        return NULL;
    }
    if (kind == 1) return objCreateStringFromLongLong(v);
    return objCreateStringFromDstr(s);
}

static int stringSaveType(const obj *o, int target) {
    (void)o;
    (void)target;
    return RDB_TYPE_STRING;
}

static int stringSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)rdbtype;
    (void)target;
    if (o->encoding == ENC_INT) return rioWriteStringFromInt(r, (long long)(intptr_t)o->ptr);
    size_t len;
    char buf[32];
    const char *p = objStringBytes(o, buf, &len);
    return rioWriteString(r, p, len);
}

/* ---- registration ---------------------------------------------------------------- */

static void registerBuiltins(void) {
    if (!loaders[RDB_TYPE_STRING]) loaders[RDB_TYPE_STRING] = loadString;
    if (!save_fns[OBJ_STRING]) {
        save_type_fns[OBJ_STRING] = stringSaveType;
        save_fns[OBJ_STRING] = stringSave;
    }
}

void rdbRegisterLoader(int rdbtype, rdbLoadFn fn) {
    if (rdbtype < 0 || rdbtype > RDB_TYPE_MAX_COMMON) return;
    loaders[rdbtype] = fn;
}

void rdbRegisterSaver(int objtype, rdbSaveTypeFn type_fn, rdbSaveFn save_fn) {
    if (objtype < 0 || objtype >= OBJ_TYPE_MAX) return;
    save_type_fns[objtype] = type_fn;
    save_fns[objtype] = save_fn;
}

/* ---- versions and names -------------------------------------------------------- */

int rdbVersionAccepted(unsigned ver) {
    return ver <= RDB_VERSION_REDIS_MAX || (ver >= RDB_VERSION_VALKEY_MIN && ver <= RDB_VERSION_VALKEY_MAX);
}

const char *rdbTypeName(int type, int ver) {
    static const char *common[] = {"STRING", "LIST", "SET", "ZSET", "HASH", "ZSET_2", "MODULE_PRE_GA", "MODULE_2",
                                   NULL, "HASH_ZIPMAP", "LIST_ZIPLIST", "SET_INTSET", "ZSET_ZIPLIST",
                                   "HASH_ZIPLIST", "LIST_QUICKLIST", "STREAM_LISTPACKS", "HASH_LISTPACK",
                                   "ZSET_LISTPACK", "LIST_QUICKLIST_2", "STREAM_LISTPACKS_2", "SET_LISTPACK",
                                   "STREAM_LISTPACKS_3"};
    if (type >= 0 && type <= RDB_TYPE_MAX_COMMON) return common[type] ? common[type] : "unknown";
    if (ver >= RDB_VERSION_VALKEY_MIN) {
        if (type == 22) return "HASH_2 (Valkey)";
    } else if (ver >= RDB_VERSION_FOREIGN_MIN) {
        static const char *redis_hfe[] = {"HASH_METADATA_PRE_GA", "HASH_LISTPACK_EX_PRE_GA", "HASH_METADATA",
                                          "HASH_LISTPACK_EX"};
        if (type >= 22 && type <= 25) return redis_hfe[type - 22];
    }
    return "unknown";
}

/* ---- objects --------------------------------------------------------------------- */

int rdbObjectType(const obj *o, int target) {
    registerBuiltins();
    if (o->type >= OBJ_TYPE_MAX || !save_type_fns[o->type]) return -1;
    return save_type_fns[o->type](o, target);
}

int rdbSaveObjectBody(rio *r, const obj *o, int rdbtype, int target) {
    registerBuiltins();
    if (o->type >= OBJ_TYPE_MAX || !save_fns[o->type]) return RIO_ERR;
    return save_fns[o->type](r, o, rdbtype, target);
}

int rdbSaveObject(rio *r, const obj *o, int target, const char **why) {
    int t = rdbObjectType(o, target);
    if (t < 0) {
        if (why) *why = "value cannot be written for this RDB version";
        return RIO_ERR;
    }
    if (rioWriteU8(r, (uint8_t)t) != RIO_OK || rdbSaveObjectBody(r, o, t, target) != RIO_OK) {
        if (why) *why = "write failed";
        return RIO_ERR;
    }
    return RIO_OK;
}

int rdbLoadObjectType(rio *r, int *type) {
    uint8_t b;
    if (rioReadU8(r, &b) != RIO_OK) return RIO_ERR;
    *type = b;
    return RIO_OK;
}

obj *rdbLoadObject(rio *r, int type, rdbLoadCtx *ctx) {
    registerBuiltins();
    ctx->rdbtype = type;
    ctx->unsupported = 1;
    if (type < 0 || type >= RDB_TYPE_SLOTS) {
        ctx->err = "invalid type";
        return NULL;
    }
    if (type > RDB_TYPE_MAX_COMMON) {
        ctx->err = (ctx->rdbver >= RDB_VERSION_FOREIGN_MIN) ? "type not supported" : "unknown type";
        return NULL;
    }
    if (type == RDB_TYPE_MODULE_PRE_GA || type == RDB_TYPE_MODULE_2) {
        ctx->err = "module types are not supported";
        return NULL;
    }
    if (!loaders[type]) {
        ctx->err = (type == 8) ? "unknown type" : "type not supported";
        return NULL;
    }
    ctx->unsupported = 0;
    obj *o = loaders[type](r, type, ctx);
    if (o && rioHasError(r)) { /* a loader must not succeed over a failed stream */
        objDecrRef(o);
        o = NULL;
    }
    if (!o && !ctx->err) ctx->err = "malformed body";
    return o;
}

/* ---- payloads -------------------------------------------------------------------- */

dstr rdbCreatePayload(const obj *o, int target, const char **why) {
    rio w;
    rioInitDstrWriter(&w, NULL);
    if (rdbSaveObject(&w, o, target, why) != RIO_OK) {
        rioRelease(&w);
        return NULL;
    }
    rioWriteU16LE(&w, (uint16_t)target);
    dstr s = rioDetachDstr(&w);
    uint64_t crc = crc64(0, s, dstrlen(s));
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(crc >> (8 * i));
    return dstrcatlen(s, le, 8);
}

int rdbVerifyPayload(const unsigned char *p, size_t len, int check_crc, int *version) {
    if (len < RDB_PAYLOAD_FOOTER_SIZE) return RDB_PAYLOAD_BAD_CHECKSUM;
    const unsigned char *footer = p + len - RDB_PAYLOAD_FOOTER_SIZE;
    unsigned ver = (unsigned)footer[0] | ((unsigned)footer[1] << 8);
    if (version) *version = (int)ver;
    if (!rdbVersionAccepted(ver)) return RDB_PAYLOAD_BAD_CHECKSUM;
    if (!check_crc) return RDB_PAYLOAD_OK;
    uint64_t crc = crc64(0, p, len - 8), stored = 0;
    for (int i = 7; i >= 0; i--) stored = (stored << 8) | footer[2 + i];
    return crc == stored ? RDB_PAYLOAD_OK : RDB_PAYLOAD_BAD_CHECKSUM;
}

int rdbDecodePayload(const unsigned char *p, size_t len, int check_crc, obj **out, rdbLoadCtx *ctx) {
    rdbLoadCtx local;
    if (!ctx) {
        memset(&local, 0, sizeof(local));
        ctx = &local;
    }
    ctx->err = NULL;
    ctx->unsupported = 0;
    ctx->rdbtype = -1;
    *out = NULL;
    int ver = -1;
    int rc = rdbVerifyPayload(p, len, check_crc, &ver);
    ctx->rdbver = ver;
    if (rc != RDB_PAYLOAD_OK) {
        ctx->err = "version or checksum";
        return rc;
    }
    rio r;
    rioInitReader(&r, p, len); /* the whole payload, footer included (see rdb.h) */
    int type;
    if (rdbLoadObjectType(&r, &type) != RIO_OK) {
        ctx->err = "no type byte";
        return RDB_PAYLOAD_BAD_FORMAT;
    }
    obj *o = rdbLoadObject(&r, type, ctx);
    if (!o) return RDB_PAYLOAD_BAD_FORMAT;
    *out = o;
    return RDB_PAYLOAD_OK;
}

/* ---- loader helpers ------------------------------------------------------------ */

int rdbLoadCount(rio *r, uint64_t *count, size_t min_elem_bytes, int allow_zero) {
    uint64_t n;
    if (rioReadLen(r, &n, NULL) != RIO_OK) return RIO_ERR;
    if (n == 0 && !allow_zero) return RIO_ERR;
    if (min_elem_bytes && n > rioRemaining(r) / min_elem_bytes) return RIO_ERR;
    *count = n;
    return RIO_OK;
}

dstr rdbLoadString(rio *r, const rdbLoadCtx *ctx) {
    if (stringTooLong(r, ctx->max_string_len)) return NULL;
    return rioReadString(r);
}

unsigned char *rdbLoadBlob(rio *r, const rdbLoadCtx *ctx, size_t *len) {
    if (stringTooLong(r, ctx->max_string_len)) return NULL;
    rioStringRef ref;
    if (rioReadStringRef(r, &ref) != RIO_OK || ref.len == 0) return NULL;
    unsigned char *b = zmalloc(ref.len); /* decoded straight into the blob: no copy */
    if (rioExpandStringRef(&ref, b) != RIO_OK) {
        zfree(b);
        return NULL;
    }
    *len = ref.len;
    return b;
}

int rdbLoadStringBuf(rio *r, const rdbLoadCtx *ctx, char *buf, size_t cap, const char **p, size_t *len, dstr *heap) {
    *heap = NULL;
    rio peek = *r; /* a copy of the reader: nothing consumed until *r = peek */
    /* The common case first: a raw string with a 6-bit length (one header
     * byte 00xxxxxx, rio.h) is used in place, in the reader's input. */
    const unsigned char *h = rioReadPtr(&peek, 1);
    if (h && *h < 64 && (!ctx->max_string_len || *h <= ctx->max_string_len)) {
        const unsigned char *d = rioReadPtr(&peek, *h);
        if (d) {
            *r = peek;
            *p = (const char *)d;
            *len = *h;
            return RIO_OK;
        }
    }
    /* Otherwise peek at the header to learn the decoded length; anything
     * unusual takes the general path. */
    peek = *r;
    uint64_t l, clen, ulen;
    int enc, small = 0;
    if (rioReadLen(&peek, &l, &enc) == RIO_OK) {
        if (!enc) small = l <= cap;
        else if (l <= RIO_ENC_INT32) small = cap >= 32; /* decimal text of an int32 */
        else if (l == RIO_ENC_LZF && rioReadLen(&peek, &clen, NULL) == RIO_OK && rioReadLen(&peek, &ulen, NULL) == RIO_OK)
            small = ulen <= cap;
    }
    if (small && (!ctx->max_string_len || ctx->max_string_len >= cap)) {
        if (rioReadStringBuf(r, buf, cap, len) != RIO_OK) return RIO_ERR;
        *p = buf;
        return RIO_OK;
    }
    dstr s = rdbLoadString(r, ctx);
    if (!s) return RIO_ERR;
    *heap = s;
    *p = s;
    *len = dstrlen(s);
    return RIO_OK;
}
