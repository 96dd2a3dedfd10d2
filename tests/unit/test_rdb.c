/* Unit tests for the RDB object codec (rdb.c) and the legacy blob converters
 * (rdb_legacy.c), against the recorded DUMP payloads of real servers
 * (../shared/vectors) and against truncated, oversized and bit-flipped input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>

#include "crc64.h"
#include "dstr.h"
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

#include "test_vectors.h"

/* ---- helpers -------------------------------------------------------------------- */

/* Payload = body + version (LE) + CRC-64 (LE). zmalloc'ed; *len set. */
static unsigned char *makePayload(const void *body, size_t blen, unsigned version, size_t *len) {
    unsigned char *p = zmalloc(blen + 10);
    if (blen) memcpy(p, body, blen);
    p[blen] = (unsigned char)version;
    p[blen + 1] = (unsigned char)(version >> 8);
    uint64_t crc = crc64(0, p, blen + 2);
    for (int i = 0; i < 8; i++) p[blen + 2 + i] = (unsigned char)(crc >> (8 * i));
    *len = blen + 10;
    return p;
}

/* Decode a payload expected to hold a string; returns its bytes (dstr) or NULL. */
static int decode(const unsigned char *p, size_t len, obj **o) {
    rdbLoadCtx ctx = {0};
    int rc = rdbDecodePayload(p, len, 1, o, &ctx);
    if (rc == RDB_PAYLOAD_OK) assert_non_null(*o);
    else assert_null(*o);
    return rc;
}

static dstr stringValue(const obj *o) {
    char buf[32];
    size_t len;
    assert_int_equal(o->type, OBJ_STRING);
    const char *p = objStringBytes(o, buf, &len);
    return dstrnewlen(p, len);
}

/* The expected GET reply of a vector as bytes (string vectors store it in
 * "expect", or "expect_digest" for the 600 KB values, checked separately). */
static unsigned char *expectBytes(const jval *v, size_t *len) {
    jval *e = jget(v, "expect");
    if (!e) return NULL;
    return jbytes(e, len);
}

/* Payload of a vector: dump_hex or the .bin dump_file next to the json. */
static unsigned char *vectorPayload(const char *folder, const jval *v, size_t *len) {
    const char *hex = jstr(v, "dump_hex");
    if (hex) return unhex(hex, len);
    const char *file = jstr(v, "dump_file");
    assert_non_null(file);
    char rel[512];
    snprintf(rel, sizeof(rel), "%s/%s", folder, file);
    return readVectorFile(rel, len);
}

static int vectorVersion(const unsigned char *p, size_t len) { return p[len - 10] | (p[len - 9] << 8); }

/* ---- string vectors ------------------------------------------------------------- */

/* Every string vector of a folder: decodes with the recorded value and
 * encoding; DUMP of the decoded value with the same version stamp gives the
 * recorded bytes (object bytes are reproducible for strings); and, when the
 * vector records a Redis 7.0.15 re-DUMP, the version-10 payload equals it. */
static void checkStringFolder(const char *folder) {
    char rel[256];
    snprintf(rel, sizeof(rel), "%s/strings.json", folder);
    jval *arr = loadVectors(rel);
    assert_true(arr->t == J_ARR && arr->n >= 10);
    for (size_t i = 0; i < arr->n; i++) {
        const jval *v = arr->items[i];
        const char *name = jstr(v, "name");
        size_t plen, elen = 0;
        unsigned char *payload = vectorPayload(folder, v, &plen);
        obj *o = NULL;
        if (decode(payload, plen, &o) != RDB_PAYLOAD_OK) fail_msg("%s/%s does not decode", folder, name);
        dstr got = stringValue(o);
        unsigned char *want = expectBytes(v, &elen);
        if (want) {
            if (dstrlen(got) != elen || memcmp(got, want, elen)) fail_msg("%s/%s: wrong value", folder, name);
            zfree(want);
        } else {
            jval *dg = jget(v, "expect_digest");
            assert_non_null(dg);
            assert_int_equal(dstrlen(got), (size_t)jget(dg, "length")->num);
        }
        const char *enc = jstr(v, "encoding_after_restore");
        if (enc && strcmp(enc, objEncodingName(o->encoding)))
            fail_msg("%s/%s: encoding %s, want %s", folder, name, objEncodingName(o->encoding), enc);
        /* same object bytes with the same footer version */
        int ver = vectorVersion(payload, plen);
        dstr again = rdbCreatePayload(o, ver, NULL);
        assert_non_null(again);
        if (dstrlen(again) != plen || memcmp(again, payload, plen))
            fail_msg("%s/%s: DUMP bytes differ from the recorded payload", folder, name);
        dstrfree(again);
        const char *redump = jstr(v, "redump_after_restore_hex");
        if (redump) {
            size_t rlen;
            unsigned char *r = unhex(redump, &rlen);
            dstr ten = rdbCreatePayload(o, 10, NULL);
            if (dstrlen(ten) != rlen || memcmp(ten, r, rlen))
                fail_msg("%s/%s: version-10 DUMP differs from Redis 7.0.15's re-DUMP", folder, name);
            dstrfree(ten);
            zfree(r);
        }
        dstrfree(got);
        objDecrRef(o);
        zfree(payload);
    }
    jfree(arr);
}

static void test_strings_redis70(void **state) { (void)state; checkStringFolder("redis-7.0.15"); }
static void test_strings_valkey(void **state) { (void)state; checkStringFolder("valkey-55bbbe0"); }
static void test_strings_redis62(void **state) { (void)state; checkStringFolder("redis-6.2.16"); }
static void test_strings_legacy(void **state) { (void)state; checkStringFolder("legacy-rdb-assets"); }

/* ---- encodings chosen by the writer ------------------------------------------- */

static void test_string_writer_forms(void **state) {
    (void)state;
    static const struct { const char *value; unsigned char form; } cases[] = {
        {"0", 0xc0}, {"-128", 0xc0}, {"127", 0xc0}, {"128", 0xc1}, {"-32768", 0xc1}, {"32768", 0xc2},
        {"-2147483648", 0xc2}, {"2147483647", 0xc2}, {"2147483648", 0x0a}, {"007", 0x03}, {"-0", 0x02},
        {"+5", 0x02}, {"", 0x00}, {"aaaaaaaaaaaaaaaaaaaa", 0x14}, {"aaaaaaaaaaaaaaaaaaaaa", 0xc3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        obj *o = objCreateString(cases[i].value, strlen(cases[i].value));
        dstr p = rdbCreatePayload(o, 10, NULL);
        assert_int_equal((unsigned char)p[0], RDB_TYPE_STRING);
        if ((unsigned char)p[1] != cases[i].form) fail_msg("%s: form %02x", cases[i].value, (unsigned char)p[1]);
        obj *back = NULL;
        assert_int_equal(decode((unsigned char *)p, dstrlen(p), &back), RDB_PAYLOAD_OK);
        dstr s = stringValue(back);
        assert_int_equal(dstrlen(s), strlen(cases[i].value));
        assert_memory_equal(s, cases[i].value, dstrlen(s));
        dstrfree(s);
        objDecrRef(back);
        objDecrRef(o);
        dstrfree(p);
    }
    /* ENC_INT beyond int32 is written as raw decimal text */
    obj *o = objCreateStringFromLongLong(LLONG_MIN);
    dstr p = rdbCreatePayload(o, 10, NULL);
    assert_int_equal((unsigned char)p[1], 20);
    assert_memory_equal(p + 2, "-9223372036854775808", 20);
    assert_int_equal(dstrlen(p), 2 + 20 + 10);
    dstrfree(p);
    objDecrRef(o);
}

/* ---- footer: length, versions, CRC --------------------------------------------- */

static void test_versions_and_crc(void **state) {
    (void)state;
    static const unsigned char body[] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
    for (unsigned ver = 0; ver < 300; ver++) {
        size_t len;
        unsigned char *p = makePayload(body, sizeof(body), ver, &len);
        obj *o = NULL;
        int want = (ver <= 13 || ver == 80 || ver == 81) ? RDB_PAYLOAD_OK : RDB_PAYLOAD_BAD_CHECKSUM;
        if (decode(p, len, &o) != want) fail_msg("version %u", ver);
        assert_int_equal(rdbVersionAccepted(ver), want == RDB_PAYLOAD_OK);
        objDecrRef(o);
        zfree(p);
    }
    /* the recorded "hello" payload; a zero CRC; every length below 10 */
    size_t len;
    unsigned char *p = unhex("000568656c6c6f0a006372df766534200a", &len);
    obj *o = NULL;
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_OK);
    objDecrRef(o);
    for (size_t n = 0; n < len; n++) assert_int_equal(decode(p, n, &o), RDB_PAYLOAD_BAD_CHECKSUM);
    memset(p + len - 8, 0, 8);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_BAD_CHECKSUM);
    zfree(p);
    /* without CRC checking (fuzzing), the same body decodes */
    p = unhex("000568656c6c6f0a000000000000000000", &len);
    assert_int_equal(rdbDecodePayload(p, len, 0, &o, NULL), RDB_PAYLOAD_OK);
    objDecrRef(o);
    zfree(p);
}

/* The recorded quirks: footer bytes read as object data, trailing bytes ignored. */
static void test_footer_quirks(void **state) {
    (void)state;
    size_t len;
    obj *o = NULL;
    unsigned char *p = unhex("000568656c0a00d06b9f97044ab97a", &len);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_OK);
    dstr s = stringValue(o);
    assert_int_equal(dstrlen(s), 5);
    assert_memory_equal(s, "hel\x0a\x00", 5);
    dstrfree(s);
    objDecrRef(o);
    zfree(p);
    p = unhex("003f68656c0a00d2d5b7212e085ca5", &len);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_BAD_FORMAT);
    zfree(p);
    p = unhex("000568656c6c6f4a554e4b0a002272b142e2982c09", &len);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_OK);
    s = stringValue(o);
    assert_int_equal(dstrlen(s), 5);
    assert_memory_equal(s, "hello", 5);
    dstrfree(s);
    objDecrRef(o);
    zfree(p);
    /* an exactly-10-byte payload: the version byte is read as the type */
    p = makePayload(NULL, 0, 0, &len);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_OK); /* type 0, string from the CRC bytes */
    objDecrRef(o);
    zfree(p);
}

/* Types: unknown, module, numbering-dependent, unregistered. */
static void test_types(void **state) {
    (void)state;
    for (int t = 0; t < 256; t++) {
        unsigned char body[] = {(unsigned char)t, 0x01, 'x'};
        int versions[] = {9, 10, 12, 80};
        for (size_t k = 0; k < 4; k++) {
            size_t len;
            unsigned char *p = makePayload(body, sizeof(body), (unsigned)versions[k], &len);
            obj *o = NULL;
            rdbLoadCtx ctx = {0};
            int rc = rdbDecodePayload(p, len, 1, &o, &ctx);
            if (t == RDB_TYPE_STRING) {
                assert_int_equal(rc, RDB_PAYLOAD_OK);
                objDecrRef(o);
            } else if (t > RDB_TYPE_MAX_COMMON || t == 6 || t == 7 || t == 8) {
                assert_int_equal(rc, RDB_PAYLOAD_BAD_FORMAT);
                assert_non_null(ctx.err);
                assert_int_equal(ctx.unsupported, 1);
                assert_int_equal(ctx.rdbtype, t);
                assert_int_equal(ctx.rdbver, versions[k]);
            } else {
                /* collection types: whatever is registered, a 1-byte body never decodes */
                assert_int_equal(rc, RDB_PAYLOAD_BAD_FORMAT);
            }
            zfree(p);
        }
    }
    assert_string_equal(rdbTypeName(25, 12), "HASH_LISTPACK_EX");
    assert_string_equal(rdbTypeName(22, 80), "HASH_2 (Valkey)");
    assert_string_equal(rdbTypeName(22, 11), "unknown");
    assert_string_equal(rdbTypeName(18, 9), "LIST_QUICKLIST_2");
}

/* ---- truncated, oversized, bit-flipped --------------------------------------------- */

/* Small string vectors of the Redis 7.0.15 folder (payload <= 2 KB). */
static size_t smallVectors(unsigned char **out, size_t *lens, size_t max) {
    jval *arr = loadVectors("redis-7.0.15/strings.json");
    size_t n = 0;
    for (size_t i = 0; i < arr->n && n < max; i++) {
        const char *hex = jstr(arr->items[i], "dump_hex");
        if (!hex || strlen(hex) > 4096) continue;
        out[n] = unhex(hex, &lens[n]);
        n++;
    }
    jfree(arr);
    return n;
}

static void test_truncated(void **state) {
    (void)state;
    unsigned char *vec[64];
    size_t lens[64];
    size_t n = smallVectors(vec, lens, 64);
    assert_true(n > 20);
    for (size_t i = 0; i < n; i++) {
        size_t objlen = lens[i] - 10;
        for (size_t cut = 0; cut < objlen; cut++) {
            size_t plen;
            unsigned char *p = makePayload(vec[i], cut, 10, &plen);
            obj *o = NULL;
            int rc = decode(p, plen, &o);
            /* more than the 10 footer bytes missing: can never decode */
            if (objlen - cut > 10 && rc != RDB_PAYLOAD_BAD_FORMAT)
                fail_msg("vector %zu cut at %zu decoded", i, cut);
            objDecrRef(o);
            zfree(p);
        }
        zfree(vec[i]);
    }
}

static void test_oversized(void **state) {
    (void)state;
    static const char *bodies[] = {
        "003f",                      /* 63 bytes claimed, none there */
        "0080ffffffff",              /* 4 GB raw */
        "0081ffffffffffffffff",      /* 2^64-1 raw */
        "00817fffffffffffffff",      /* 2^63-1 raw */
        "00c3" "0a" "80ffffffff" "00000000000000000000", /* LZF: U = 4 GB from 10 bytes */
        "00c3" "80ffffffff" "0a" "00",                /* LZF: C = 4 GB */
        "00c3" "02" "81ffffffffffffffff" "0000",      /* LZF: U = 2^64-1 */
        "00c3" "00" "05",                             /* LZF: C = 0, U = 5 */
        "00c3" "03" "05" "016162",                    /* LZF literal shorter than U */
        "00c3" "03" "02" "e0ff00",                    /* LZF back reference before the start */
        "00c4",                                       /* string encoding 4 */
        "00ff",                                       /* string encoding 63 */
        "0082",                                       /* invalid length prefix */
        "00c1",                                       /* int16 with no bytes */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        size_t blen, plen;
        unsigned char *b = unhex(bodies[i], &blen);
        unsigned char *p = makePayload(b, blen, 10, &plen);
        obj *o = NULL;
        int rc = decode(p, plen, &o);
        if (i == 13) { /* int16 reads the 2 version bytes: 0x000a = 10 */
            assert_int_equal(rc, RDB_PAYLOAD_OK);
            dstr s = stringValue(o);
            assert_int_equal(dstrlen(s), 2);
            assert_memory_equal(s, "10", 2);
            dstrfree(s);
            objDecrRef(o);
        } else if (rc != RDB_PAYLOAD_BAD_FORMAT) {
            fail_msg("body %s decoded", bodies[i]);
        }
        zfree(b);
        zfree(p);
    }
}

/* Every single-bit flip: with the original CRC always refused; with the CRC
 * recomputed, either refused or decoded to a value that round-trips. */
static void test_bit_flips(void **state) {
    (void)state;
    unsigned char *vec[64];
    size_t lens[64];
    size_t n = smallVectors(vec, lens, 64);
    size_t decoded = 0, refused = 0;
    for (size_t i = 0; i < n; i++) {
        size_t objlen = lens[i] - 10;
        size_t bits = (objlen > 200 ? 200 : objlen) * 8;
        for (size_t bit = 0; bit < bits; bit++) {
            unsigned char *m = zmalloc(lens[i]);
            memcpy(m, vec[i], lens[i]);
            m[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            obj *o = NULL;
            assert_int_equal(decode(m, lens[i], &o), RDB_PAYLOAD_BAD_CHECKSUM);
            size_t plen;
            unsigned char *p = makePayload(m, objlen, 10, &plen);
            int rc = decode(p, plen, &o);
            if (rc == RDB_PAYLOAD_OK) {
                decoded++;
                dstr v = stringValue(o);
                dstr again = rdbCreatePayload(o, 10, NULL);
                obj *o2 = NULL;
                assert_int_equal(decode((unsigned char *)again, dstrlen(again), &o2), RDB_PAYLOAD_OK);
                dstr v2 = stringValue(o2);
                assert_int_equal(dstrlen(v), dstrlen(v2));
                if (dstrlen(v)) assert_memory_equal(v, v2, dstrlen(v));
                dstrfree(v);
                dstrfree(v2);
                dstrfree(again);
                objDecrRef(o);
                objDecrRef(o2);
            } else {
                assert_int_equal(rc, RDB_PAYLOAD_BAD_FORMAT);
                refused++;
            }
            zfree(p);
            zfree(m);
        }
        zfree(vec[i]);
    }
    assert_true(decoded > 0 && refused > 0);
}

/* ---- helpers for loaders --------------------------------------------------------- */

static void test_load_count_and_blob(void **state) {
    (void)state;
    rio r;
    uint64_t n;
    unsigned char in1[] = {0x03, 1, 2, 3};
    rioInitReader(&r, in1, sizeof(in1));
    assert_int_equal(rdbLoadCount(&r, &n, 1, 0), RIO_OK);
    assert_int_equal(n, 3);
    rioInitReader(&r, in1, sizeof(in1));
    assert_int_equal(rdbLoadCount(&r, &n, 2, 0), RIO_ERR); /* 3 * 2 > 3 bytes left */
    unsigned char in2[] = {0x00};
    rioInitReader(&r, in2, 1);
    assert_int_equal(rdbLoadCount(&r, &n, 1, 0), RIO_ERR);
    rioInitReader(&r, in2, 1);
    assert_int_equal(rdbLoadCount(&r, &n, 1, 1), RIO_OK);
    assert_int_equal(n, 0);
    unsigned char in3[] = {0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    rioInitReader(&r, in3, sizeof(in3));
    assert_int_equal(rdbLoadCount(&r, &n, 1, 0), RIO_ERR);
    unsigned char in4[] = {0x03, 'a', 'b', 'c'};
    size_t len;
    rdbLoadCtx ctx = {0};
    rioInitReader(&r, in4, sizeof(in4));
    unsigned char *b = rdbLoadBlob(&r, &ctx, &len);
    assert_non_null(b);
    assert_int_equal(len, 3);
    assert_memory_equal(b, "abc", 3);
    zfree(b);
    rioInitReader(&r, in2, 1);
    assert_null(rdbLoadBlob(&r, &ctx, &len));
    /* max_string_len: checked before allocating, raw and LZF (on U) */
    ctx.max_string_len = 2;
    rioInitReader(&r, in4, sizeof(in4));
    assert_null(rdbLoadBlob(&r, &ctx, &len));
    ctx.max_string_len = 3;
    rioInitReader(&r, in4, sizeof(in4));
    b = rdbLoadBlob(&r, &ctx, &len);
    assert_non_null(b);
    zfree(b);
    /* the recorded 600 KB LZF string: refused under a limit, fine at its size */
    jval *arr = loadVectors("redis-7.0.15/strings.json");
    for (size_t i = 0; i < arr->n; i++) {
        if (strcmp(jstr(arr->items[i], "name"), "compressible_600k")) continue;
        size_t plen;
        unsigned char *p = unhex(jstr(arr->items[i], "dump_hex"), &plen);
        obj *o = NULL;
        rdbLoadCtx lim = {.max_string_len = 614399};
        assert_int_equal(rdbDecodePayload(p, plen, 1, &o, &lim), RDB_PAYLOAD_BAD_FORMAT);
        assert_string_equal(lim.err, "string longer than the limit");
        lim.max_string_len = 614400;
        assert_int_equal(rdbDecodePayload(p, plen, 1, &o, &lim), RDB_PAYLOAD_OK);
        objDecrRef(o);
        zfree(p);
    }
    jfree(arr);
}

/* ---- legacy blobs: ziplist / zipmap -> listpack, listpack validation ------------ */

/* The blobs of a payload: one RDB string for types 9-13, 16, 17, 20; the
 * node strings of 14 (len + strings) and 18 (len + (container, string)). */
typedef struct blobs {
    int type;
    size_t n;
    unsigned char *b[64];
    size_t len[64];
    int plain[64]; /* type 18: PLAIN node (container 1), not a listpack */
} blobs;

static void payloadBlobs(const unsigned char *p, size_t len, blobs *out) {
    rio r;
    rioInitReader(&r, p, len - 10);
    int type;
    assert_int_equal(rdbLoadObjectType(&r, &type), RIO_OK);
    out->type = type;
    out->n = 0;
    uint64_t nodes = 1, container = 2;
    if (type == 14 || type == 18) assert_int_equal(rioReadLen(&r, &nodes, NULL), RIO_OK);
    assert_true(nodes <= 64);
    for (uint64_t i = 0; i < nodes; i++) {
        if (type == 18) assert_int_equal(rioReadLen(&r, &container, NULL), RIO_OK);
        dstr s = rioReadString(&r);
        assert_non_null(s);
        out->plain[out->n] = (type == 18 && container == 1);
        out->len[out->n] = dstrlen(s);
        out->b[out->n] = zmalloc(dstrlen(s) + 1);
        memcpy(out->b[out->n], s, dstrlen(s));
        out->n++;
        dstrfree(s);
    }
}

static void freeBlobs(blobs *b) {
    for (size_t i = 0; i < b->n; i++) zfree(b->b[i]);
    b->n = 0;
}

static int blobKind(int type) {
    switch (type) {
    case 10: case 14: case 18: return RDB_BLOB_LIST;
    case 9: case 13: case 16: return RDB_BLOB_HASH;
    case 12: case 17: return RDB_BLOB_ZSET;
    case 20: return RDB_BLOB_SET;
    default: return -1;
    }
}

/* Convert/validate every blob of every payload of a vector file whose type is
 * a ziplist, zipmap or listpack one. When the vector records Redis 7.0.15's
 * re-DUMP as a listpack type with the same number of blobs, the converted
 * listpacks must be byte-identical to it. Returns the number of blobs checked. */
static size_t compared_with_redis; /* converted listpacks byte-compared with Redis's */

static size_t checkBlobFile(const char *rel, const char *folder) {
    jval *arr = loadVectors(rel);
    size_t checked = 0;
    for (size_t i = 0; i < arr->n; i++) {
        const jval *v = arr->items[i];
        if (!jstr(v, "dump_hex") && !jstr(v, "dump_file")) continue;
        const char *reply = NULL;
        jval *rr = jget(v, "restore_reply");
        if (rr) reply = jstr(rr, "status");
        if (rr && !reply) continue; /* refused: refused.json covers those */
        size_t plen;
        unsigned char *p = vectorPayload(folder, v, &plen);
        blobs b;
        int type = p[0];
        int kind = blobKind(type);
        if (kind < 0) {
            zfree(p);
            continue;
        }
        payloadBlobs(p, plen, &b);
        blobs redump = {0};
        const char *rh = jstr(v, "redump_after_restore_hex");
        size_t rlen = 0;
        unsigned char *rp = rh ? unhex(rh, &rlen) : NULL;
        if (rp && blobKind(rp[0]) >= 0) payloadBlobs(rp, rlen, &redump);
        for (size_t k = 0; k < b.n; k++) {
            size_t entries = 0;
            unsigned char *lp = NULL;
            if (type == 9) lp = rdbZipmapToListpack(b.b[k], b.len[k], &entries);
            else if (type >= 10 && type <= 14) lp = rdbZiplistToListpack(b.b[k], b.len[k], kind, &entries);
            if (b.plain[k]) continue;
            if (type >= 16) {
                if (!rdbValidateListpackBlob(b.b[k], b.len[k], kind, &entries))
                    fail_msg("%s %s: listpack %zu refused", rel, jstr(v, "name"), k);
            } else {
                if (!lp) fail_msg("%s %s: blob %zu not converted", rel, jstr(v, "name"), k);
                if (redump.n == b.n && redump.type >= 16) {
                    if (lpBytes(lp) != redump.len[k] || memcmp(lp, redump.b[k], redump.len[k]))
                        fail_msg("%s %s: listpack %zu differs from Redis 7.0.15's", rel, jstr(v, "name"), k);
                    compared_with_redis++;
                }
                lpFree(lp);
            }
            assert_true(entries > 0);
            checked++;
        }
        freeBlobs(&b);
        freeBlobs(&redump);
        zfree(rp);
        zfree(p);
    }
    jfree(arr);
    return checked;
}

static void test_legacy_vectors(void **state) {
    (void)state;
    static const char *files[] = {"lists", "hashes", "zsets", "sets"};
    static const char *folders[] = {"redis-6.2.16", "legacy-rdb-assets", "redis-7.0.15", "valkey-55bbbe0"};
    size_t total = 0;
    for (size_t f = 0; f < 4; f++) {
        for (size_t k = 0; k < 4; k++) {
            char rel[256];
            snprintf(rel, sizeof(rel), "%s/%s.json", folders[f], files[k]);
            total += checkBlobFile(rel, folders[f]);
        }
    }
    fprintf(stderr, "blobs checked: %zu, byte-compared with Redis 7.0.15: %zu\n", total, compared_with_redis);
    assert_true(total > 50);
    assert_true(compared_with_redis > 20);
}

/* refused.json: every ziplist/zipmap/listpack payload Redis refuses is refused. */
static void test_legacy_refused(void **state) {
    (void)state;
    jval *arr = loadVectors("legacy-rdb-assets/refused.json");
    size_t checked = 0;
    for (size_t i = 0; i < arr->n; i++) {
        size_t plen;
        unsigned char *p = unhex(jstr(arr->items[i], "dump_hex"), &plen);
        int type = p[0], kind = blobKind(type);
        if (kind >= 0 && type != 18) {
            rio r;
            rioInitReader(&r, p, plen - 10);
            int t;
            rdbLoadObjectType(&r, &t);
            uint64_t nodes = 1;
            if (type == 14) rioReadLen(&r, &nodes, NULL);
            int all_ok = nodes > 0;
            for (uint64_t k = 0; k < nodes && all_ok; k++) {
                dstr s = rioReadString(&r);
                if (!s) { all_ok = 0; break; }
                size_t entries;
                unsigned char *lp = NULL;
                int ok;
                if (type == 9) ok = (lp = rdbZipmapToListpack((unsigned char *)s, dstrlen(s), &entries)) != NULL;
                else if (type <= 14) ok = (lp = rdbZiplistToListpack((unsigned char *)s, dstrlen(s), kind, &entries)) != NULL;
                else ok = rdbValidateListpackBlob((unsigned char *)s, dstrlen(s), kind, &entries);
                lpFree(lp);
                dstrfree(s);
                if (!ok) all_ok = 0;
            }
            if (all_ok) fail_msg("refused vector %s accepted", jstr(arr->items[i], "name"));
            checked++;
        }
        zfree(p);
    }
    jfree(arr);
    assert_true(checked >= 10);
}

/* Hand-built blobs: duplicates, odd counts, bad scores, order. */
static unsigned char *zl(const char *const *items, size_t n) {
    /* ziplist of short strings (6-bit lengths) */
    size_t size = 11;
    for (size_t i = 0; i < n; i++) size += 2 + strlen(items[i]);
    unsigned char *z = zcalloc(size);
    size_t pos = 10, prev = 0, last = 10;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(items[i]);
        last = pos;
        z[pos] = (unsigned char)prev;
        z[pos + 1] = (unsigned char)l;
        memcpy(z + pos + 2, items[i], l);
        prev = 2 + l;
        pos += prev;
    }
    z[pos] = 0xff;
    z[0] = (unsigned char)size;
    z[4] = (unsigned char)last;
    z[8] = (unsigned char)n;
    return z;
}

static int zlConverts(int kind, const char *const *items, size_t n) {
    unsigned char *z = zl(items, n);
    size_t size = 11;
    for (size_t i = 0; i < n; i++) size += 2 + strlen(items[i]);
    size_t entries;
    unsigned char *lp = rdbZiplistToListpack(z, size, kind, &entries);
    int ok = lp != NULL;
    if (ok) assert_int_equal(entries, n);
    lpFree(lp);
    zfree(z);
    return ok;
}

static void test_legacy_rules(void **state) {
    (void)state;
    const char *list[] = {"a", "a", "7"};
    assert_true(zlConverts(RDB_BLOB_LIST, list, 3));
    assert_false(zlConverts(RDB_BLOB_LIST, list, 0)); /* empty */
    const char *hash_ok[] = {"f1", "v", "f2", "v"};
    assert_true(zlConverts(RDB_BLOB_HASH, hash_ok, 4));
    assert_false(zlConverts(RDB_BLOB_HASH, hash_ok, 3)); /* odd */
    const char *hash_dup[] = {"f1", "v", "f2", "v", "f1", "w"};
    assert_false(zlConverts(RDB_BLOB_HASH, hash_dup, 6));
    const char *hash_valdup[] = {"f1", "f2", "f2", "f1"}; /* values may repeat fields' text */
    assert_true(zlConverts(RDB_BLOB_HASH, hash_valdup, 4));
    const char *set_dup[] = {"1", "2", "1"};
    assert_false(zlConverts(RDB_BLOB_SET, set_dup, 3));
    assert_true(zlConverts(RDB_BLOB_SET, set_dup, 2));
    const char *z_ok[] = {"a", "1", "b", "1", "a1", "2.5", "x", "inf"};
    assert_true(zlConverts(RDB_BLOB_ZSET, z_ok, 8));
    const char *z_dup[] = {"a", "1", "b", "2", "a", "3"};
    assert_false(zlConverts(RDB_BLOB_ZSET, z_dup, 6));
    const char *z_nan[] = {"a", "nan"};
    assert_false(zlConverts(RDB_BLOB_ZSET, z_nan, 2));
    const char *z_text[] = {"a", "1x"};
    assert_false(zlConverts(RDB_BLOB_ZSET, z_text, 2));
    char longscore[200];
    memset(longscore, '0', sizeof(longscore) - 1);
    longscore[0] = '1';
    longscore[sizeof(longscore) - 1] = '\0'; /* 1e198 written out: too long to be a score text */
    for (int cut = 0; cut < 2; cut++) {
        if (cut) longscore[127] = '\0'; /* 127 characters: accepted */
        unsigned char *zlp = lpNew(0);
        zlp = lpAppend(zlp, (const unsigned char *)"a", 1);
        zlp = lpAppend(zlp, (const unsigned char *)longscore, (uint32_t)strlen(longscore));
        assert_int_equal(rdbValidateListpackBlob(zlp, lpBytes(zlp), RDB_BLOB_ZSET, NULL), cut);
        lpFree(zlp);
    }
    const char *z_order[] = {"a", "2", "b", "1"};
    assert_false(zlConverts(RDB_BLOB_ZSET, z_order, 4));
    const char *z_tie[] = {"b", "1", "a", "1"};
    assert_false(zlConverts(RDB_BLOB_ZSET, z_tie, 4));
    /* ziplist structure errors: zlbytes, zltail, zllen */
    const char *two[] = {"ab", "cd"};
    unsigned char *z = zl(two, 2);
    size_t size = 11 + 8, entries;
    z[4] ^= 1;
    assert_null(rdbZiplistToListpack(z, size, RDB_BLOB_LIST, &entries));
    z[4] ^= 1;
    z[8] = 3;
    assert_null(rdbZiplistToListpack(z, size, RDB_BLOB_LIST, &entries));
    z[8] = 2;
    assert_null(rdbZiplistToListpack(z, size - 1, RDB_BLOB_LIST, &entries));
    unsigned char *lp = rdbZiplistToListpack(z, size, RDB_BLOB_LIST, &entries);
    assert_non_null(lp);
    lpFree(lp);
    zfree(z);

    /* listpack: a string "7" and the integer 7 are the same member */
    unsigned char lpbuf[] = {0x0b, 0, 0, 0, 0x02, 0x00, 0x81, '7', 0x02, 0x07, 0x01, 0xff};
    lpbuf[0] = sizeof(lpbuf);
    assert_true(lpValidateIntegrity(lpbuf, sizeof(lpbuf), 1, NULL, NULL));
    assert_false(rdbValidateListpackBlob(lpbuf, sizeof(lpbuf), RDB_BLOB_SET, &entries));
    assert_true(rdbValidateListpackBlob(lpbuf, sizeof(lpbuf), RDB_BLOB_LIST, &entries));
    assert_int_equal(entries, 2);
    assert_false(rdbValidateListpackBlob(lpbuf, sizeof(lpbuf), 9, &entries)); /* unknown kind */
    unsigned char empty[] = {0x07, 0, 0, 0, 0, 0, 0xff};
    assert_false(rdbValidateListpackBlob(empty, sizeof(empty), RDB_BLOB_LIST, &entries));
    /* header count wrong: refused (Redis accepts it unless sanitizing) */
    lpbuf[4] = 3;
    assert_false(rdbValidateListpackBlob(lpbuf, sizeof(lpbuf), RDB_BLOB_LIST, &entries));

    /* zipmap: duplicates, empty */
    unsigned char zm_dup[] = {2, 1, 'a', 1, 0, 'x', 1, 'a', 1, 0, 'y', 0xff};
    assert_null(rdbZipmapToListpack(zm_dup, sizeof(zm_dup), &entries));
    zm_dup[7] = 'b';
    lp = rdbZipmapToListpack(zm_dup, sizeof(zm_dup), &entries);
    assert_non_null(lp);
    assert_int_equal(entries, 4);
    lpFree(lp);
    unsigned char zm_empty[] = {0, 0xff};
    assert_null(rdbZipmapToListpack(zm_empty, sizeof(zm_empty), &entries));
}

/* Valkey's type-20 set listpack with duplicate members (errors.json) is refused. */
static void test_valkey_set_duplicates(void **state) {
    (void)state;
    jval *arr = loadVectors("valkey-55bbbe0/errors.json");
    size_t found = 0;
    for (size_t i = 0; i < arr->n; i++) {
        const char *name = jstr(arr->items[i], "name");
        if (!strstr(name, "dup")) continue;
        jval *steps = jget(arr->items[i], "steps");
        for (size_t s = 0; s < steps->n; s++) {
            jval *cmd = jget(steps->items[s], "command");
            if (strcasecmp(cmd->items[0]->s, "RESTORE")) continue;
            size_t plen;
            unsigned char *p = jbytes(cmd->items[3], &plen);
            if (p[0] == 20) {
                blobs b;
                payloadBlobs(p, plen, &b);
                assert_int_equal(b.n, 1);
                assert_true(rdbValidateListpackBlob(b.b[0], b.len[0], RDB_BLOB_LIST, NULL));
                assert_false(rdbValidateListpackBlob(b.b[0], b.len[0], RDB_BLOB_SET, NULL));
                freeBlobs(&b);
                found++;
            }
            zfree(p);
        }
    }
    jfree(arr);
    assert_true(found >= 1);
}


/* ---- registry: how a collection type plugs in ------------------------------------ */

static int fake_calls;
/* A loader for type 11 reading one RDB string and returning it as a string
 * object (stands in for a collection loader). */
static obj *fakeLoader(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    fake_calls++;
    assert_int_equal(rdbtype, RDB_TYPE_SET_INTSET);
    assert_int_equal(ctx->rdbtype, RDB_TYPE_SET_INTSET);
    dstr s = rdbLoadString(r, ctx);
    if (!s) {
        ctx->err = "fake: no string";
        return NULL;
    }
    return objCreateStringFromDstr(s);
}
/* A loader that "succeeds" after a failed read: the codec must refuse it. */
static obj *lyingLoader(rio *r, int rdbtype, rdbLoadCtx *ctx) {
    (void)rdbtype;
    (void)ctx;
    uint8_t b;
    while (rioReadU8(r, &b) == RIO_OK) {
    }
    return objCreateString("x", 1);
}
static int fakeType(const obj *o, int target) {
    (void)o;
    return target >= 11 ? RDB_TYPE_SET_LISTPACK : -1;
}
static int fakeSave(rio *r, const obj *o, int rdbtype, int target) {
    (void)o;
    (void)target;
    assert_int_equal(rdbtype, RDB_TYPE_SET_LISTPACK);
    return rioWriteString(r, "abc", 3);
}

static void test_registry(void **state) {
    (void)state;
    static const unsigned char body[] = {RDB_TYPE_SET_INTSET, 0x02, 'o', 'k'};
    size_t len;
    unsigned char *p = makePayload(body, sizeof(body), 10, &len);
    obj *o = NULL;
    rdbRegisterLoader(RDB_TYPE_SET_INTSET, NULL); /* whatever an earlier test registered */
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_BAD_FORMAT); /* not registered */
    rdbRegisterLoader(RDB_TYPE_SET_INTSET, fakeLoader);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_OK);
    assert_int_equal(fake_calls, 1);
    dstr v = stringValue(o);
    assert_int_equal(dstrlen(v), 2);
    dstrfree(v);
    objDecrRef(o);
    rdbLoadCtx ctx = {.max_string_len = 1};
    assert_int_equal(rdbDecodePayload(p, len, 1, &o, &ctx), RDB_PAYLOAD_BAD_FORMAT);
    assert_string_equal(ctx.err, "fake: no string");
    rdbRegisterLoader(RDB_TYPE_SET_INTSET, lyingLoader);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_BAD_FORMAT);
    rdbRegisterLoader(RDB_TYPE_SET_INTSET, NULL);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_BAD_FORMAT);
    rdbRegisterLoader(22, fakeLoader); /* numbering-dependent types are not registrable */
    unsigned char b22[] = {22, 0x02, 'o', 'k'};
    zfree(p);
    p = makePayload(b22, sizeof(b22), 12, &len);
    assert_int_equal(decode(p, len, &o), RDB_PAYLOAD_BAD_FORMAT);
    zfree(p);

    /* savers: an object type without one cannot be dumped; the type function
     * decides per target version */
    obj *list = objCreate(OBJ_LIST, ENC_LISTPACK, NULL);
    const char *why = NULL;
    assert_null(rdbCreatePayload(list, 10, &why));
    assert_non_null(why);
    rdbRegisterSaver(OBJ_LIST, fakeType, fakeSave);
    assert_null(rdbCreatePayload(list, 10, NULL));
    dstr d = rdbCreatePayload(list, 11, NULL);
    assert_non_null(d);
    assert_int_equal(dstrlen(d), 1 + 4 + 10);
    assert_memory_equal(d, "\x14\x03" "abc\x0b\x00", 7);
    assert_int_equal(rdbVerifyPayload((unsigned char *)d, dstrlen(d), 1, NULL), RDB_PAYLOAD_OK);
    dstrfree(d);
    rdbRegisterSaver(OBJ_LIST, NULL, NULL);
    zfree(list); /* bare header: no value behind ptr */
    typesRegisterAll(); /* the real set loaders again, for the tests after this one */
}

/* ---- collections: HASH, SET, ZSET loaders and savers (rdb_collections.h) ------------ */

static int collSetup(void **state) {
    (void)state;
    server.hash_max_listpack_entries = 512; /* Redis 7 defaults */
    server.hash_max_listpack_value = 64;
    server.set_max_intset_entries = 512;
    server.set_max_listpack_entries = 128;
    server.set_max_listpack_value = 64;
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    typesRegisterAll();
    return 0;
}

static unsigned long collLength(const obj *o) {
    switch (o->type) {
    case OBJ_HASH: return hashTypeLength(o);
    case OBJ_SET: return setTypeSize(o);
    case OBJ_ZSET: return zsetLength(o);
    default: fail_msg("not a collection: type %d", o->type);
    }
    return 0;
}

/* Two collections hold the same elements (fields and values, members,
 * members and scores in order). */
static void sameCollection(obj *a, obj *b) {
    assert_int_equal(a->type, b->type);
    assert_int_equal(collLength(a), collLength(b));
    if (a->type == OBJ_HASH) {
        hashTypeIterator hi;
        hashTypeInitIterator(&hi, a);
        const char *f, *v;
        size_t flen, vlen;
        while (hashTypeNext(&hi, &f, &flen, &v, &vlen)) {
            dstr other = hashTypeGetValueDstr(b, f, flen);
            assert_non_null(other);
            assert_int_equal(dstrlen(other), vlen);
            if (vlen) assert_memory_equal(other, v, vlen);
            dstrfree(other);
        }
        hashTypeResetIterator(&hi);
    } else if (a->type == OBJ_SET) {
        setIterator si;
        setTypeInitIterator(&si, a);
        dstr m;
        while ((m = setTypeNextDstr(&si)) != NULL) {
            assert_true(setTypeIsMember(b, m, dstrlen(m)));
            dstrfree(m);
        }
        setTypeResetIterator(&si);
    } else {
        zsetIter ia, ib;
        zsetIterInit(&ia, a);
        zsetIterInit(&ib, b);
        const char *ma, *mb;
        size_t la, lb;
        double sa, sb;
        while (zsetIterNext(&ia, &ma, &la, &sa)) {
            assert_true(zsetIterNext(&ib, &mb, &lb, &sb));
            assert_int_equal(la, lb);
            if (la) assert_memory_equal(ma, mb, la);
            assert_true(sa == sb);
        }
    }
}

/* Number of elements a vector's first read returns (HGETALL: pairs, SMEMBERS:
 * members, ZRANGE WITHSCORES: pairs). */
static size_t vectorCount(const jval *v, const char *group) {
    jval *e = jget(v, "expect");
    if (!e) return (size_t)jget(jget(v, "expect_digest"), "count")->num;
    return strcmp(group, "sets") ? e->n / 2 : e->n;
}

/* Every hash / set / zset vector of every folder decodes (CRC checked) with
 * the recorded element count; the value re-encodes for every target into a
 * payload that decodes to the same elements; and where the recording server
 * re-DUMPed the same bytes, Cairn writes them too (same version stamp). */
static void test_coll_vectors(void **state) {
    (void)state;
    static const char *folders[] = {"redis-7.0.15", "valkey-55bbbe0", "redis-6.2.16", "legacy-rdb-assets"};
    static const char *groups[] = {"hashes", "sets", "zsets"};
    static const int types[] = {OBJ_HASH, OBJ_SET, OBJ_ZSET};
    static const int targets[] = {9, 10, 11, 12, 80};
    size_t total = 0, identical = 0;
    for (size_t f = 0; f < 4; f++) {
        for (size_t g = 0; g < 3; g++) {
            char rel[256];
            snprintf(rel, sizeof(rel), "%s/%s.json", folders[f], groups[g]);
            jval *arr = loadVectors(rel);
            for (size_t i = 0; i < arr->n; i++) {
                const jval *v = arr->items[i];
                size_t plen;
                unsigned char *p = vectorPayload(folders[f], v, &plen);
                obj *o = NULL;
                if (decode(p, plen, &o) != RDB_PAYLOAD_OK) fail_msg("%s %s does not decode", rel, jstr(v, "name"));
                assert_int_equal(o->type, types[g]);
                assert_int_equal(collLength(o), vectorCount(v, groups[g]));
                for (size_t t = 0; t < 5; t++) {
                    dstr again = rdbCreatePayload(o, targets[t], NULL);
                    assert_non_null(again);
                    if (targets[t] <= 9) assert_true((unsigned char)again[0] <= 14);
                    if (targets[t] <= 10) assert_true((unsigned char)again[0] != RDB_TYPE_SET_LISTPACK);
                    obj *o2 = NULL;
                    assert_int_equal(decode((unsigned char *)again, dstrlen(again), &o2), RDB_PAYLOAD_OK);
                    sameCollection(o, o2);
                    objDecrRef(o2);
                    dstrfree(again);
                }
                jval *same = jget(v, "redump_after_restore_identical");
                if (same && same->t == J_BOOL && same->num == 1 && (f == 0 || f == 1)) {
                    dstr again = rdbCreatePayload(o, vectorVersion(p, plen), NULL);
                    if (dstrlen(again) != plen || memcmp(again, p, plen))
                        fail_msg("%s %s: DUMP bytes differ", rel, jstr(v, "name"));
                    dstrfree(again);
                    identical++;
                }
                objDecrRef(o);
                zfree(p);
                total++;
            }
            jfree(arr);
        }
    }
    fprintf(stderr, "collection vectors: %zu decoded, %zu re-dumped byte-identical\n", total, identical);
    assert_true(total >= 80 && identical >= 25);
}

/* One valid body (type byte + object, no footer) per loader, from the vectors. */
typedef struct loaderCase {
    int type;
    const char *file, *name;
} loaderCase;
static const loaderCase loader_cases[] = {
    {RDB_TYPE_SET, "redis-7.0.15/sets.json", "hashtable_strings"},
    {RDB_TYPE_ZSET, "legacy-rdb-assets/zsets.json", "encodings/zset"},
    {RDB_TYPE_HASH, "redis-7.0.15/hashes.json", "hashtable_long_value"},
    {RDB_TYPE_ZSET_2, "redis-7.0.15/zsets.json", "skiplist_long_member"},
    {RDB_TYPE_HASH_ZIPMAP, "legacy-rdb-assets/hashes.json", "hash-zipmap/hash"},
    {RDB_TYPE_SET_INTSET, "redis-7.0.15/sets.json", "intset_64"},
    {RDB_TYPE_ZSET_ZIPLIST, "redis-6.2.16/zsets.json", "listpack_special_scores"},
    {RDB_TYPE_HASH_ZIPLIST, "redis-6.2.16/hashes.json", "listpack_int_widths"},
    {RDB_TYPE_HASH_LISTPACK, "redis-7.0.15/hashes.json", "listpack_int_widths"},
    {RDB_TYPE_ZSET_LISTPACK, "redis-7.0.15/zsets.json", "listpack_special_scores"},
    {RDB_TYPE_SET_LISTPACK, "valkey-55bbbe0/sets.json", "listpack_mixed_int_widths"},
};
#define LOADER_CASES (sizeof(loader_cases) / sizeof(loader_cases[0]))

static unsigned char *loaderBody(const loaderCase *lc, size_t *len) {
    jval *arr = loadVectors(lc->file);
    unsigned char *body = NULL;
    for (size_t i = 0; i < arr->n && !body; i++) {
        if (strcmp(jstr(arr->items[i], "name"), lc->name)) continue;
        size_t plen;
        body = unhex(jstr(arr->items[i], "dump_hex"), &plen);
        *len = plen - 10;
    }
    jfree(arr);
    if (!body) fail_msg("no vector %s %s", lc->file, lc->name);
    assert_int_equal(body[0], lc->type);
    return body;
}

/* Decode exactly `len` bytes (type byte + object, no footer, no CRC); NULL if
 * they do not hold one complete object. *used gets the bytes consumed. */
static obj *loadBody(const unsigned char *b, size_t len, size_t *used) {
    rio r;
    rioInitReader(&r, b, len);
    int type;
    if (rdbLoadObjectType(&r, &type) != RIO_OK) return NULL;
    rdbLoadCtx ctx = {.max_string_len = 1 << 20, .rdbver = 10};
    obj *o = rdbLoadObject(&r, type, &ctx);
    if (!o) assert_non_null(ctx.err);
    if (used) *used = rioTell(&r);
    return o;
}

/* Every loader: the whole body decodes consuming exactly its bytes; every
 * truncation of it is refused. */
static void test_coll_truncated(void **state) {
    (void)state;
    for (size_t c = 0; c < LOADER_CASES; c++) {
        size_t len, used = 0;
        unsigned char *b = loaderBody(&loader_cases[c], &len);
        obj *o = loadBody(b, len, &used);
        if (!o) fail_msg("type %d: the whole body does not decode", loader_cases[c].type);
        assert_int_equal(used, len);
        objDecrRef(o);
        for (size_t cut = 0; cut < len; cut++) {
            unsigned char *copy = zmalloc(cut + 1); /* exact size: ASan sees any overread */
            memcpy(copy, b, cut);
            o = loadBody(copy, cut, NULL);
            if (o) fail_msg("type %d: body cut at %zu of %zu decoded", loader_cases[c].type, cut, len);
            zfree(copy);
        }
        zfree(b);
    }
}

/* Counts and lengths far beyond the bytes present: refused before anything
 * is allocated from them. */
static void test_coll_oversized(void **state) {
    (void)state;
    static const char *bodies[] = {
        "0280ffffffff" "0161",                   /* SET: 4G members, one present */
        "0281ffffffffffffffff" "0161",           /* SET: 2^64-1 members */
        "0480ffffffff" "01610162",               /* HASH: 4G pairs */
        "0581000000010000000001610000000000000000", /* ZSET_2: 2^32 pairs */
        "0540ff" "0161000000000000f03f",         /* ZSET_2: 255 pairs, one present */
        "0380ffffffff" "016101" "31",            /* ZSET: 4G pairs */
        "0b80ffffffff",                          /* SET_INTSET blob of 4 GB */
        "0b0c" "0200000010000000" "01000200",    /* intset header: 16 members, 2 present */
        "0b0c" "0800000001000000" "01000200",    /* intset: width 8, 1 member, 4 bytes */
        "10c3" "05" "81ffffffffffffffff" "0000000000", /* HASH_LISTPACK: LZF claiming 2^64-1 bytes */
        "10c3" "05" "80ffffffff" "0000000000",   /* HASH_LISTPACK: LZF claiming 4 GB */
        "110d" "ff00000002008161028162" "02ff",  /* ZSET_LISTPACK: total bytes 255, 13 present */
        "140b" "0b0000000500816102ff" "00",      /* SET_LISTPACK: header count 5, 1 entry */
        "0d0d" "ff0000000a00000002000000ff",     /* HASH_ZIPLIST: zlbytes 255 */
        "0905" "ff01610162",                     /* HASH_ZIPMAP: truncated zipmap */
        "0c40" "01",                             /* ZSET_ZIPLIST: 14-bit length, no bytes */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        size_t blen;
        unsigned char *b = unhex(bodies[i], &blen);
        obj *o = loadBody(b, blen, NULL);
        if (o) fail_msg("oversized body %zu (%s) decoded", i, bodies[i]);
        /* and inside a payload, whose footer the loaders may read into */
        size_t plen;
        unsigned char *p = makePayload(b, blen, 10, &plen);
        assert_int_equal(decode(p, plen, &o), RDB_PAYLOAD_BAD_FORMAT);
        zfree(p);
        zfree(b);
    }
    /* the string limit applies to every element and blob */
    size_t len;
    unsigned char *b = loaderBody(&loader_cases[3], &len); /* ZSET_2 with a long member */
    rio r;
    rioInitReader(&r, b + 1, len - 1);
    rdbLoadCtx ctx = {.max_string_len = 10, .rdbver = 10};
    assert_null(rdbLoadObject(&r, RDB_TYPE_ZSET_2, &ctx));
    assert_non_null(ctx.err);
    zfree(b);
}

/* Every single-bit flip of every loader's body: refused, or decoded into a
 * value that re-encodes and decodes to the same elements. */
static void test_coll_bit_flips(void **state) {
    (void)state;
    size_t decoded = 0, refused = 0;
    for (size_t c = 0; c < LOADER_CASES; c++) {
        size_t len;
        unsigned char *b = loaderBody(&loader_cases[c], &len);
        size_t bits = (len > 400 ? 400 : len) * 8;
        for (size_t bit = 8; bit < bits; bit++) { /* the type byte stays */
            unsigned char *m = zmalloc(len);
            memcpy(m, b, len);
            m[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            obj *o = loadBody(m, len, NULL);
            if (o) {
                decoded++;
                dstr again = rdbCreatePayload(o, 10, NULL);
                assert_non_null(again);
                obj *o2 = NULL;
                assert_int_equal(decode((unsigned char *)again, dstrlen(again), &o2), RDB_PAYLOAD_OK);
                sameCollection(o, o2);
                objDecrRef(o2);
                dstrfree(again);
                objDecrRef(o);
            } else {
                refused++;
            }
            zfree(m);
        }
        zfree(b);
    }
    fprintf(stderr, "collection bit flips: %zu decoded, %zu refused\n", decoded, refused);
    assert_true(decoded > 0 && refused > 0);
}

/* Encodings after loading follow the thresholds in force (rdb_collections.h). */
static void test_coll_encodings(void **state) {
    (void)state;
    size_t len;
    unsigned char *b;
    obj *o;
    /* a plain SET of strings: listpack (7.2); beyond set-max-listpack-entries: hashtable */
    b = loaderBody(&loader_cases[0], &len);
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    server.set_max_listpack_entries = 1;
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    objDecrRef(o);
    server.set_max_listpack_entries = 128;
    zfree(b);
    /* an intset over set-max-intset-entries becomes a hashtable */
    b = loaderBody(&loader_cases[5], &len);
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_INTSET);
    objDecrRef(o);
    server.set_max_intset_entries = 1;
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    objDecrRef(o);
    server.set_max_intset_entries = 512;
    zfree(b);
    /* a plain HASH with a long value: hashtable; a listpack over the limit: hashtable */
    b = loaderBody(&loader_cases[2], &len);
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    objDecrRef(o);
    zfree(b);
    b = loaderBody(&loader_cases[8], &len);
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    assert_non_null(hashTypeListpack(o));
    objDecrRef(o);
    server.hash_max_listpack_entries = 1;
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_HASHTABLE);
    objDecrRef(o);
    server.hash_max_listpack_entries = 512;
    zfree(b);
    /* ZSET_2 with a long member stays a skiplist; ZSET (text) small: listpack */
    b = loaderBody(&loader_cases[3], &len);
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_SKIPLIST);
    objDecrRef(o);
    zfree(b);
    b = loaderBody(&loader_cases[1], &len);
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    server.zset_max_listpack_entries = 2;
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_SKIPLIST);
    objDecrRef(o);
    server.zset_max_listpack_entries = 128;
    zfree(b);
}

/* The zset saver encodes elements into a chunk buffer (with a shortcut for
 * short non-numeric members): its ZSET_2 and ZSET bodies must equal the
 * plain per-element encoding (rioWriteString + the double writer, highest
 * rank first) for members of every form: empty, integer-like, '-' prefixed,
 * 20 / 21 bytes (no LZF / LZF), long compressible, longer than a chunk. */
static void test_zset_saver_chunks(void **state) {
    (void)state;
    obj *z = zsetCreateSkiplistObject(3000);
    char buf[64];
    static char huge[40000];
    memset(huge, 'h', sizeof(huge));
    assert_true(zsetLoadAdd(z, dstrnewlen(huge, sizeof(huge)), 0.25));
    assert_true(zsetLoadAdd(z, dstrnew(""), -1e300));
    assert_true(zsetLoadAdd(z, dstrnew("-"), 3));
    assert_true(zsetLoadAdd(z, dstrnew("xxxxxxxxxxxxxxxxxxxx"), 3));  /* 20 bytes */
    assert_true(zsetLoadAdd(z, dstrnew("yyyyyyyyyyyyyyyyyyyyy"), 3)); /* 21: LZF */
    for (int i = 0; i < 2500; i++) {
        int kind = i % 5;
        if (kind == 0) snprintf(buf, sizeof(buf), "m:%08d", i);
        else if (kind == 1) snprintf(buf, sizeof(buf), "%d", i * 7 - 5000);
        else if (kind == 2) snprintf(buf, sizeof(buf), "-%dk", i);
        else if (kind == 3) snprintf(buf, sizeof(buf), "long-member-%d-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", i);
        else snprintf(buf, sizeof(buf), "%c%d", 'A' + i % 50, i);
        assert_true(zsetLoadAdd(z, dstrnew(buf), (i % 7) * 1.5 - (i % 3) * 1e10));
    }
    zsetLoadFinish(z);
    assert_int_equal(z->encoding, ENC_SKIPLIST);
    for (int text = 0; text <= 1; text++) {
        int type = text ? RDB_TYPE_ZSET : RDB_TYPE_ZSET_2;
        rio got, want;
        rioInitDstrWriter(&got, NULL);
        assert_int_equal(rdbSaveObjectBody(&got, z, type, text ? 7 : 10), RIO_OK);
        rioInitDstrWriter(&want, NULL);
        rioWriteLen(&want, zsetLength(z));
        zsetIter it;
        zsetIterInitReverse(&it, z);
        const char *m;
        size_t mlen;
        double score;
        while (zsetIterNext(&it, &m, &mlen, &score)) {
            rioWriteString(&want, m, mlen);
            if (text) rioWriteDoubleText(&want, score);
            else rioWriteDoubleBinary(&want, score);
        }
        dstr g = rioDetachDstr(&got), w = rioDetachDstr(&want);
        assert_int_equal(dstrlen(g), dstrlen(w));
        assert_memory_equal(g, w, dstrlen(w));
        dstrfree(g);
        dstrfree(w);
        /* and the payload loads back to the same zset */
        dstr p = rdbCreatePayload(z, text ? 7 : 10, NULL);
        obj *z2 = NULL;
        assert_int_equal(decode((unsigned char *)p, dstrlen(p), &z2), RDB_PAYLOAD_OK);
        sameCollection(z, z2);
        objDecrRef(z2);
        dstrfree(p);
    }
    objDecrRef(z);
}

/* Saver details: type per target, element order, text doubles for targets < 8. */
static void test_coll_savers(void **state) {
    (void)state;
    obj *z = zsetCreateSkiplistObject(4);
    assert_true(zsetLoadAdd(z, dstrnew("a"), 1.5));
    assert_true(zsetLoadAdd(z, dstrnew("b"), -2));
    assert_true(zsetLoadAdd(z, dstrnew("c"), 1e300));
    assert_false(zsetLoadAdd(z, dstrnew("a"), 3)); /* duplicate */
    assert_int_equal(rdbObjectType(z, 7), RDB_TYPE_ZSET);
    assert_int_equal(rdbObjectType(z, 9), RDB_TYPE_ZSET_2);
    assert_int_equal(rdbObjectType(z, 10), RDB_TYPE_ZSET_2);
    /* ZSET_2: highest score first, binary doubles */
    dstr p = rdbCreatePayload(z, 10, NULL);
    static const unsigned char want2[] = {0x05, 0x03, 0x01, 'c', 0x9c, 0x75, 0x00, 0x88, 0x3c, 0xe4, 0x37, 0x7e,
                                          0x01, 'a', 0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
                                          0x01, 'b', 0, 0, 0, 0, 0, 0, 0x00, 0xc0};
    assert_int_equal(dstrlen(p), sizeof(want2) + 10);
    assert_memory_equal(p, want2, sizeof(want2));
    dstrfree(p);
    /* ZSET (3) for old readers: text doubles, and it loads back */
    p = rdbCreatePayload(z, 7, NULL);
    static const char want3[] = "\x03\x03\x01" "c" "\x17" "1.0000000000000001e+300" "\x01" "a" "\x03" "1.5"
                                "\x01" "b" "\x02" "-2";
    assert_int_equal(dstrlen(p), sizeof(want3) - 1 + 10);
    assert_memory_equal(p, want3, sizeof(want3) - 1);
    obj *z2 = NULL;
    assert_int_equal(decode((unsigned char *)p, dstrlen(p), &z2), RDB_PAYLOAD_OK);
    sameCollection(z, z2);
    objDecrRef(z2);
    dstrfree(p);
    /* a body asked for a type the value's encoding cannot give */
    rio w;
    rioInitDstrWriter(&w, NULL);
    assert_int_equal(rdbSaveObjectBody(&w, z, RDB_TYPE_ZSET_LISTPACK, 10), RIO_ERR);
    assert_int_equal(rdbSaveObjectBody(&w, z, RDB_TYPE_HASH, 10), RIO_ERR);
    rioRelease(&w);
    objDecrRef(z);

    /* sets: listpack -> SET 2 below 11, SET_LISTPACK from 11; intset -> 11 always */
    obj *s = setTypeCreateListpack();
    setTypeAdd(s, "x", 1);
    setTypeAdd(s, "12", 2);
    assert_int_equal(rdbObjectType(s, 9), RDB_TYPE_SET);
    assert_int_equal(rdbObjectType(s, 10), RDB_TYPE_SET);
    assert_int_equal(rdbObjectType(s, 11), RDB_TYPE_SET_LISTPACK);
    assert_int_equal(rdbObjectType(s, 80), RDB_TYPE_SET_LISTPACK);
    p = rdbCreatePayload(s, 10, NULL);
    static const unsigned char wants[] = {0x02, 0x02, 0x01, 'x', 0xc0, 12}; /* listpack order, int form */
    assert_memory_equal(p, wants, sizeof(wants));
    dstrfree(p);
    objDecrRef(s);
    s = setTypeCreateIntset();
    setTypeAdd(s, "5", 1);
    for (int t = 9; t <= 12; t++) assert_int_equal(rdbObjectType(s, t), RDB_TYPE_SET_INTSET);
    objDecrRef(s);

    /* hashes: listpack -> HASH 4 for 9, HASH_LISTPACK from 10 */
    obj *h = hashTypeCreateForLoad(1);
    assert_true(hashTypeLoadPair(h, "f", 1, "v", 1));
    assert_false(hashTypeLoadPair(h, "f", 1, "w", 1));
    assert_int_equal(rdbObjectType(h, 9), RDB_TYPE_HASH);
    assert_int_equal(rdbObjectType(h, 10), RDB_TYPE_HASH_LISTPACK);
    p = rdbCreatePayload(h, 9, NULL);
    static const unsigned char wanth[] = {0x04, 0x01, 0x01, 'f', 0x01, 'v', 0x09, 0x00};
    assert_memory_equal(p, wanth, sizeof(wanth));
    dstrfree(p);
    objDecrRef(h);
}

/* rdbLoadStringBuf: a raw string of up to 63 bytes in place (in the
 * reader's input), other forms in the buffer when they fit, the heap for
 * the rest, same checks. */
static void test_load_string_buf(void **state) {
    (void)state;
    unsigned char in[] = {0x03, 'a', 'b', 'c', 0xc1, 0x39, 0x30, 0x05, 'l', 'o', 'n', 'g', '!', 0x05, 'x'};
    rio r;
    rioInitReader(&r, in, sizeof(in));
    rdbLoadCtx ctx = {0};
    char buf[32];
    const char *p;
    size_t len;
    dstr heap;
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, 4, &p, &len, &heap), RIO_OK);
    assert_null(heap);
    assert_ptr_equal(p, (const char *)in + 1); /* in place */
    assert_int_equal(len, 3);
    assert_memory_equal(p, "abc", 3);
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, sizeof(buf), &p, &len, &heap), RIO_OK);
    assert_null(heap);
    assert_ptr_equal(p, buf); /* an integer form: its text in the buffer */
    assert_int_equal(len, 5);
    assert_memory_equal(p, "12345", 5);
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, 4, &p, &len, &heap), RIO_OK); /* longer than cap: in place still */
    assert_null(heap);
    assert_ptr_equal(p, (const char *)in + 8);
    assert_int_equal(len, 5);
    assert_memory_equal(p, "long!", 5);
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, 4, &p, &len, &heap), RIO_ERR); /* truncated */
    assert_null(heap);
    /* the string limit applies on every path */
    rioInitReader(&r, in, sizeof(in));
    ctx.max_string_len = 2;
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, sizeof(buf), &p, &len, &heap), RIO_ERR);
    ctx.max_string_len = 3;
    rioInitReader(&r, in, sizeof(in));
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, sizeof(buf), &p, &len, &heap), RIO_OK);
    assert_int_equal(len, 3);
    /* a raw string of 64+ bytes (14-bit length): buffer when it fits, else heap */
    unsigned char big[2 + 70];
    big[0] = 0x40;
    big[1] = 70;
    memset(big + 2, 'q', 70);
    ctx.max_string_len = 0;
    rioInitReader(&r, big, sizeof(big));
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf, sizeof(buf), &p, &len, &heap), RIO_OK);
    assert_non_null(heap);
    assert_ptr_equal(p, heap);
    assert_int_equal(len, 70);
    dstrfree(heap);
    char buf2[80];
    rioInitReader(&r, big, sizeof(big));
    assert_int_equal(rdbLoadStringBuf(&r, &ctx, buf2, sizeof(buf2), &p, &len, &heap), RIO_OK);
    assert_null(heap);
    assert_ptr_equal(p, buf2);
    assert_int_equal(len, 70);
}

/* ---- lists: LIST, LIST_ZIPLIST, LIST_QUICKLIST, LIST_QUICKLIST_2 (rdb_list.c) ---- */

static int listSetup(void **state) {
    (void)state;
    server.list_max_listpack_size = -2; /* Redis 7 defaults */
    server.list_compress_depth = 0;
    typesRegisterAll();
    return 0;
}

/* Two lists hold the same elements in the same order. */
static void sameList(obj *a, obj *b) {
    assert_int_equal(a->type, OBJ_LIST);
    assert_int_equal(b->type, OBJ_LIST);
    assert_int_equal(listLength(a), listLength(b));
    listIter ia, ib;
    listEntry ea, eb;
    unsigned char ba[LP_INTBUF_SIZE], bb[LP_INTBUF_SIZE];
    listIterInit(&ia, a, 0, LIST_TAIL);
    listIterInit(&ib, b, 0, LIST_TAIL);
    while (listIterNext(&ia, &ea)) {
        assert_true(listIterNext(&ib, &eb));
        size_t la, lb;
        const unsigned char *pa = listEntryBytes(&ea, ba, &la), *pb = listEntryBytes(&eb, bb, &lb);
        assert_int_equal(la, lb);
        if (la) assert_memory_equal(pa, pb, la);
    }
    assert_false(listIterNext(&ib, &eb));
    listIterRelease(&ia);
    listIterRelease(&ib);
}

/* Every list vector of every folder decodes with the recorded length,
 * re-encodes for every target into a payload that decodes to the same list,
 * and re-DUMPs byte-identically where the recording server did (Redis 7.0.15
 * and Valkey at their own stamps; Redis 6.2.16's ziplist payloads at 9). */
static void test_list_vectors(void **state) {
    (void)state;
    static const char *folders[] = {"redis-7.0.15", "valkey-55bbbe0", "redis-6.2.16", "legacy-rdb-assets"};
    static const int targets[] = {9, 10, 11, 12, 80};
    size_t total = 0, identical = 0;
    for (size_t f = 0; f < 4; f++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "%s/lists.json", folders[f]);
        jval *arr = loadVectors(rel);
        for (size_t i = 0; i < arr->n; i++) {
            const jval *v = arr->items[i];
            size_t plen;
            unsigned char *p = vectorPayload(folders[f], v, &plen);
            obj *o = NULL;
            if (decode(p, plen, &o) != RDB_PAYLOAD_OK) fail_msg("%s %s does not decode", rel, jstr(v, "name"));
            jval *e = jget(v, "expect");
            size_t n = e ? e->n : (size_t)jget(jget(v, "expect_digest"), "count")->num;
            assert_int_equal(listLength(o), n);
            for (size_t t = 0; t < 5; t++) {
                dstr again = rdbCreatePayload(o, targets[t], NULL);
                assert_non_null(again);
                assert_int_equal((unsigned char)again[0], targets[t] == 9 ? RDB_TYPE_LIST_QUICKLIST : RDB_TYPE_LIST_QUICKLIST_2);
                obj *o2 = NULL;
                assert_int_equal(decode((unsigned char *)again, dstrlen(again), &o2), RDB_PAYLOAD_OK);
                sameList(o, o2);
                objDecrRef(o2);
                dstrfree(again);
            }
            if (f != 3) { /* legacy payloads were re-DUMPed by 7.0 in another type */
                dstr again = rdbCreatePayload(o, vectorVersion(p, plen), NULL);
                if (dstrlen(again) != plen || memcmp(again, p, plen))
                    fail_msg("%s %s: DUMP bytes differ", rel, jstr(v, "name"));
                dstrfree(again);
                identical++;
            }
            objDecrRef(o);
            zfree(p);
            total++;
        }
        jfree(arr);
    }
    fprintf(stderr, "list vectors: %zu decoded, %zu re-dumped byte-identical\n", total, identical);
    assert_int_equal(total, 39);
    assert_int_equal(identical, 35);
}

static const loaderCase list_cases[] = {
    {RDB_TYPE_LIST, "legacy-rdb-assets/lists.json", "encodings/list"},
    {RDB_TYPE_LIST_ZIPLIST, "legacy-rdb-assets/lists.json", "encodings/list_zipped"},
    {RDB_TYPE_LIST_QUICKLIST, "redis-6.2.16/lists.json", "ziplist_int_widths"},
    {RDB_TYPE_LIST_QUICKLIST, "redis-6.2.16/lists.json", "random_300x40_compress_depth_1"},
    {RDB_TYPE_LIST_QUICKLIST_2, "redis-7.0.15/lists.json", "random_300x40_compress_depth_1"},
    {RDB_TYPE_LIST_QUICKLIST_2, "redis-7.0.15/lists.json", "plain_nodes"},
    {RDB_TYPE_LIST_QUICKLIST_2, "redis-7.0.15/lists.json", "listpack_int_widths"},
};
#define LIST_CASES (sizeof(list_cases) / sizeof(list_cases[0]))

/* Every list loader: the whole body decodes consuming exactly its bytes;
 * every truncation is refused. */
static void test_list_truncated(void **state) {
    (void)state;
    for (size_t c = 0; c < LIST_CASES; c++) {
        size_t len, used = 0;
        unsigned char *b = loaderBody(&list_cases[c], &len);
        obj *o = loadBody(b, len, &used);
        if (!o) fail_msg("%s: the whole body does not decode", list_cases[c].name);
        assert_int_equal(used, len);
        objDecrRef(o);
        for (size_t cut = 0; cut < len; cut++) {
            unsigned char *copy = zmalloc(cut + 1);
            memcpy(copy, b, cut);
            o = loadBody(copy, cut, NULL);
            if (o) fail_msg("%s: body cut at %zu of %zu decoded", list_cases[c].name, cut, len);
            zfree(copy);
        }
        zfree(b);
    }
}

/* Counts and lengths beyond the bytes present, empty lists and nodes,
 * bad containers: refused before anything is allocated from them. */
static void test_list_oversized(void **state) {
    (void)state;
    static const char *bodies[] = {
        "0180ffffffff" "0161",                     /* LIST: 4G elements, one present */
        "0181ffffffffffffffff" "0161",             /* LIST: 2^64-1 elements */
        "0100",                                    /* LIST: empty */
        "0a80ffffffff",                            /* LIST_ZIPLIST: 4 GB blob */
        "0a0b" "0b0000000a0000000000ff",           /* LIST_ZIPLIST: empty ziplist */
        "0a0e" "ff0000000a0000000100000161ff",     /* LIST_ZIPLIST: zlbytes 255 */
        "0e80ffffffff" "0e" "0e0000000a00000001000001" "61ff", /* LIST_QUICKLIST: 4G nodes */
        "0e00",                                    /* LIST_QUICKLIST: no node */
        "0e01" "0b" "0b0000000a0000000000ff",      /* LIST_QUICKLIST: only an empty node */
        "0e01" "0e" "0e0000000a00000009000001" "61ff", /* ziplist node: zllen 9, 1 entry */
        "1200",                                    /* LIST_QUICKLIST_2: no node */
        "1240ff" "02" "0a" "0a0000000100816100ff",  /* 255 nodes, one present */
        "1201" "03" "0a" "0a00000001008161" "02ff", /* container 3 */
        "1201" "00" "0a" "0a00000001008161" "02ff", /* container 0 */
        "1201" "01" "00",                          /* empty PLAIN node */
        "1201" "02" "07" "0700000000" "00ff",      /* only an empty listpack node */
        "1201" "02" "0a" "0a00000005008161" "02ff", /* listpack header count 5, 1 entry */
        "1201" "02" "0a" "ff00000001008161" "02ff", /* listpack total bytes 255 */
        "1201" "02" "c3" "05" "80ffffffff" "0000000000", /* LZF node claiming 4 GB */
        "1201" "01" "40" "ff" "61",                /* PLAIN node: 255 bytes claimed, 1 present */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        size_t blen;
        unsigned char *b = unhex(bodies[i], &blen);
        obj *o = loadBody(b, blen, NULL);
        if (o) fail_msg("bad list body %zu (%s) decoded", i, bodies[i]);
        zfree(b);
    }
    /* an empty node among others is skipped, as Redis does */
    size_t blen;
    unsigned char *b = unhex("1202" "02" "07" "0700000000" "00ff" "02" "0a" "0a00000001008161" "02ff", &blen);
    obj *o = loadBody(b, blen, NULL);
    assert_non_null(o);
    assert_int_equal(listLength(o), 1);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    zfree(b);
    /* the string limit applies to elements and node blobs */
    size_t len;
    unsigned char *body = loaderBody(&list_cases[5], &len); /* PLAIN nodes of >= 100 bytes */
    rio r;
    rioInitReader(&r, body + 1, len - 1);
    rdbLoadCtx ctx = {.max_string_len = 50, .rdbver = 10};
    assert_null(rdbLoadObject(&r, RDB_TYPE_LIST_QUICKLIST_2, &ctx));
    assert_non_null(ctx.err);
    zfree(body);
}

/* Every single-bit flip of every list loader's body: refused, or decoded
 * into a list that re-encodes (targets 9 and 10) and decodes to the same. */
static void test_list_bit_flips(void **state) {
    (void)state;
    size_t decoded = 0, refused = 0;
    for (size_t c = 0; c < LIST_CASES; c++) {
        size_t len;
        unsigned char *b = loaderBody(&list_cases[c], &len);
        size_t bits = (len > 600 ? 600 : len) * 8;
        for (size_t bit = 8; bit < bits; bit++) {
            unsigned char *m = zmalloc(len);
            memcpy(m, b, len);
            m[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            obj *o = loadBody(m, len, NULL);
            if (o) {
                decoded++;
                for (int target = 9; target <= 10; target++) {
                    dstr again = rdbCreatePayload(o, target, NULL);
                    assert_non_null(again);
                    obj *o2 = NULL;
                    assert_int_equal(decode((unsigned char *)again, dstrlen(again), &o2), RDB_PAYLOAD_OK);
                    sameList(o, o2);
                    objDecrRef(o2);
                    dstrfree(again);
                }
                objDecrRef(o);
            } else {
                refused++;
            }
            zfree(m);
        }
        zfree(b);
    }
    fprintf(stderr, "list bit flips: %zu decoded, %zu refused\n", decoded, refused);
    assert_true(decoded > 0 && refused > 0);
}

/* Encodings after loading follow list-max-listpack-size (7.2's AUTO rule). */
static void test_list_encodings(void **state) {
    (void)state;
    size_t len;
    unsigned char *b = loaderBody(&list_cases[6], &len); /* one small node */
    obj *o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    objDecrRef(o);
    server.list_max_listpack_size = 2; /* the node holds more entries than that */
    o = loadBody(b, len, NULL);
    assert_int_equal(o->encoding, ENC_QUICKLIST);
    objDecrRef(o);
    server.list_max_listpack_size = -2;
    zfree(b);
}

int main(void) {
    crc64Init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_redis70),
        cmocka_unit_test(test_strings_valkey),
        cmocka_unit_test(test_strings_redis62),
        cmocka_unit_test(test_strings_legacy),
        cmocka_unit_test(test_string_writer_forms),
        cmocka_unit_test(test_versions_and_crc),
        cmocka_unit_test(test_footer_quirks),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_load_count_and_blob),
        cmocka_unit_test(test_legacy_vectors),
        cmocka_unit_test(test_legacy_refused),
        cmocka_unit_test(test_legacy_rules),
        cmocka_unit_test(test_valkey_set_duplicates),
        cmocka_unit_test(test_registry),
        cmocka_unit_test_setup(test_coll_vectors, collSetup),
        cmocka_unit_test_setup(test_coll_truncated, collSetup),
        cmocka_unit_test_setup(test_coll_oversized, collSetup),
        cmocka_unit_test_setup(test_coll_bit_flips, collSetup),
        cmocka_unit_test_setup(test_coll_encodings, collSetup),
        cmocka_unit_test_setup(test_coll_savers, collSetup),
        cmocka_unit_test_setup(test_zset_saver_chunks, collSetup),
        cmocka_unit_test(test_load_string_buf),
        cmocka_unit_test_setup(test_list_vectors, listSetup),
        cmocka_unit_test_setup(test_list_truncated, listSetup),
        cmocka_unit_test_setup(test_list_oversized, listSetup),
        cmocka_unit_test_setup(test_list_bit_flips, listSetup),
        cmocka_unit_test_setup(test_list_encodings, listSetup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
