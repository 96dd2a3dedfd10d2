/* libFuzzer target for the RESTORE payload decoder (rdb.h) and the blob
 * validators / converters RESTORE uses (rdb_legacy.h).
 *
 * Each input is a DUMP payload. The CRC is NOT checked (the fuzzer could not
 * forge it), everything else is exactly RESTORE's path: footer length and
 * version, type byte, body decoded from the whole payload. Checked
 * properties (abort() on violation, besides ASan/UBSan findings):
 *   - a decoded value re-encodes (rdbCreatePayload, versions 9, 10 and 11)
 *     into a payload that decodes again, CRC checked, to an equal value
 *     (strings: the same bytes; hashes: the same fields and values; sets: the
 *     same members; zsets: the same members and scores in the same order);
 *   - a decoded stream is written for targets 9, 10 and 11 (RDB types 15, 19,
 *     21); each decodes again, and the version-10 bytes are stable;
 *   - when the type byte is a blob type (9-14, 16-18, 20), the RDB string(s)
 *     after it go through the ziplist / zipmap / listpack converters and
 *     validators; a listpack they produce or accept passes the listpack
 *     module's own deep validation, with the same entry count.
 * Build and run: `make fuzz` (long run), `make test-fuzz` (short run). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"
#include "intset.h"
#include "listpack.h"
#include "object.h"
#include "rdb.h"
#include "rdb_legacy.h"
#include "rio.h"
#include "server.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"
#include "types.h"
#include "zmalloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    crc64Init();
    server.hash_max_listpack_entries = 512; /* Redis 7 defaults */
    server.hash_max_listpack_value = 64;
    server.set_max_intset_entries = 512;
    server.set_max_listpack_entries = 128;
    server.set_max_listpack_value = 64;
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    server.list_max_listpack_size = -2;
    server.list_compress_depth = 1; /* lists: exercise compressed nodes (saved as their LZF data) */
    typesRegisterAll();
    return 0;
}

static unsigned long collLength(obj *o) {
    if (o->type == OBJ_LIST) return listLength(o);
    if (o->type == OBJ_HASH) return hashTypeLength(o);
    if (o->type == OBJ_SET) return setTypeSize(o);
    return zsetLength(o);
}

/* a and b hold the same value (abort() otherwise); lists: the same elements
 * in the same order. */
static void sameValue(obj *a, obj *b) {
    if (a->type != b->type) abort();
    if (a->type == OBJ_STRING) {
        char ba[32], bb[32];
        size_t la, lb;
        const char *pa = objStringBytes(a, ba, &la), *pb = objStringBytes(b, bb, &lb);
        if (la != lb || (la && memcmp(pa, pb, la))) abort();
        return;
    }
    if (collLength(a) != collLength(b)) abort();
    if (a->type == OBJ_LIST) { /* the same elements in the same order */
        listIter ia, ib;
        listEntry ea, eb;
        unsigned char ba[LP_INTBUF_SIZE], bb[LP_INTBUF_SIZE];
        listIterInit(&ia, a, 0, LIST_TAIL);
        listIterInit(&ib, b, 0, LIST_TAIL);
        while (listIterNext(&ia, &ea)) {
            size_t la, lb;
            if (!listIterNext(&ib, &eb)) abort();
            const unsigned char *pa = listEntryBytes(&ea, ba, &la), *pb = listEntryBytes(&eb, bb, &lb);
            if (la != lb || (la && memcmp(pa, pb, la))) abort();
        }
        listIterRelease(&ia);
        listIterRelease(&ib);
    } else if (a->type == OBJ_HASH) {
        hashTypeIterator hi;
        hashTypeInitIterator(&hi, a);
        const char *f, *v;
        size_t flen, vlen;
        while (hashTypeNext(&hi, &f, &flen, &v, &vlen)) {
            dstr other = hashTypeGetValueDstr(b, f, flen);
            if (!other || dstrlen(other) != vlen || (vlen && memcmp(other, v, vlen))) abort();
            dstrfree(other);
        }
        hashTypeResetIterator(&hi);
    } else if (a->type == OBJ_SET) {
        setIterator si;
        setTypeInitIterator(&si, a);
        dstr m;
        while ((m = setTypeNextDstr(&si)) != NULL) {
            if (!setTypeIsMember(b, m, dstrlen(m))) abort();
            dstrfree(m);
        }
        setTypeResetIterator(&si);
    } else if (a->type == OBJ_ZSET) {
        zsetIter ia, ib;
        zsetIterInit(&ia, a);
        zsetIterInit(&ib, b);
        const char *ma, *mb;
        size_t la, lb;
        double sa, sb;
        while (zsetIterNext(&ia, &ma, &la, &sa)) {
            if (!zsetIterNext(&ib, &mb, &lb, &sb) || la != lb || (la && memcmp(ma, mb, la)) || !(sa == sb)) abort();
        }
    }
}

static void checkListpack(unsigned char *lp, size_t entries) {
    if (!lp) return;
    if (!lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL)) abort();
    if (lpLength(lp) != entries) abort();
    lpFree(lp);
}

static int blobKind(int type) {
    switch (type) {
    case RDB_TYPE_LIST_ZIPLIST: case RDB_TYPE_LIST_QUICKLIST: case RDB_TYPE_LIST_QUICKLIST_2: return RDB_BLOB_LIST;
    case RDB_TYPE_HASH_ZIPMAP: case RDB_TYPE_HASH_ZIPLIST: case RDB_TYPE_HASH_LISTPACK: return RDB_BLOB_HASH;
    case RDB_TYPE_ZSET_ZIPLIST: case RDB_TYPE_ZSET_LISTPACK: return RDB_BLOB_ZSET;
    case RDB_TYPE_SET_LISTPACK: case RDB_TYPE_SET_INTSET: return RDB_BLOB_SET;
    default: return -1;
    }
}

static void fuzzBlob(int type, const unsigned char *b, size_t len) {
    size_t entries = 0;
    int kind = blobKind(type);
    switch (type) {
    case RDB_TYPE_HASH_ZIPMAP:
        checkListpack(rdbZipmapToListpack(b, len, &entries), entries);
        break;
    case RDB_TYPE_LIST_ZIPLIST: case RDB_TYPE_ZSET_ZIPLIST: case RDB_TYPE_HASH_ZIPLIST: case RDB_TYPE_LIST_QUICKLIST:
        checkListpack(rdbZiplistToListpack(b, len, kind, &entries), entries);
        break;
    case RDB_TYPE_SET_INTSET:
        (void)intsetValidateIntegrity(b, len, 1);
        break;
    default:
        if (rdbValidateListpackBlob(b, len, kind, &entries)) {
            unsigned char *copy = zmalloc(len);
            memcpy(copy, b, len);
            checkListpack(copy, entries);
        }
    }
}

/* The blob strings after a blob type byte, as the type's loader will read them. */
static void fuzzBlobs(const uint8_t *data, size_t size) {
    rio r;
    rioInitReader(&r, data, size);
    int type;
    if (rdbLoadObjectType(&r, &type) != RIO_OK || blobKind(type) < 0) return;
    uint64_t nodes = 1, container = 2;
    if (type == RDB_TYPE_LIST_QUICKLIST || type == RDB_TYPE_LIST_QUICKLIST_2) {
        if (rdbLoadCount(&r, &nodes, 2, 0) != RIO_OK) return;
    }
    for (uint64_t i = 0; i < nodes; i++) {
        if (type == RDB_TYPE_LIST_QUICKLIST_2 && rioReadLen(&r, &container, NULL) != RIO_OK) return;
        size_t len;
        rdbLoadCtx limits = {.max_string_len = 1 << 24};
        unsigned char *b = rdbLoadBlob(&r, &limits, &len);
        if (!b) return;
        if (container == 2) fuzzBlob(type, b, len);
        zfree(b);
    }
}

/* A decoded stream is written for every target (types 15, 19, 21); each
 * payload decodes again, and writing the version-10 result again gives the
 * same bytes (nothing is lost or invented between 19 and the object). */
static void checkStream(const obj *o) {
    static const int targets[] = {9, 10, 11};
    if (o->type != OBJ_STREAM) return;
    for (size_t i = 0; i < sizeof(targets) / sizeof(*targets); i++) {
        dstr p = rdbCreatePayload(o, targets[i], NULL);
        if (!p) abort();
        obj *o2 = NULL;
        if (rdbDecodePayload((const unsigned char *)p, dstrlen(p), 1, &o2, NULL) != RDB_PAYLOAD_OK) abort();
        if (targets[i] == 10) {
            dstr q = rdbCreatePayload(o2, 10, NULL);
            if (!q || dstrlen(q) != dstrlen(p) || memcmp(q, p, dstrlen(p))) abort();
            dstrfree(q);
        }
        objDecrRef(o2);
        dstrfree(p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    obj *o = NULL;
    rdbLoadCtx ctx = {.max_string_len = 1 << 24};
    int rc = rdbDecodePayload(data, size, 0, &o, &ctx);
    if (rc == RDB_PAYLOAD_OK) {
        if (!o) abort();
        static const int targets[] = {9, 10, 11};
        for (size_t t = 0; t < sizeof(targets) / sizeof(*targets); t++) {
            dstr again = rdbCreatePayload(o, targets[t], NULL);
            if (!again) continue; /* a type without a saver (lists, streams: other modules) */
            obj *o2 = NULL;
            if (rdbDecodePayload((const unsigned char *)again, dstrlen(again), 1, &o2, NULL) != RDB_PAYLOAD_OK) abort();
            if (o->type != OBJ_STREAM) sameValue(o, o2); /* streams: checkStream below */
            objDecrRef(o2);
            dstrfree(again);
        }
        checkStream(o);
        objDecrRef(o);
    } else if (o) {
        abort();
    }
    if (size >= RDB_PAYLOAD_FOOTER_SIZE + 1) fuzzBlobs(data, size - RDB_PAYLOAD_FOOTER_SIZE);
    return 0;
}
