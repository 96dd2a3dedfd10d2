/* Unit tests for the stream RDB codec (rdb_stream.c, RDB types 15/19/21)
 * against every recorded stream payload (../shared/vectors/{redis-6.2.16,
 * redis-7.0.15,valkey-55bbbe0}/streams.json), Redis 7.0.15's quirky streams,
 * and truncated, oversized and bit-flipped input. */
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
#include "rio.h"
#include "server.h"
#include "t_stream.h"
#include "types.h"
#include "zmalloc.h"

#include "test_vectors.h"

static const char *FOLDERS[] = {"redis-6.2.16", "redis-7.0.15", "valkey-55bbbe0"};
static const int OWN_VERSION[] = {9, 10, 11};

/* body + version + CRC (zmalloc'ed). */
static unsigned char *makePayload(const unsigned char *body, size_t blen, unsigned version, size_t *len) {
    unsigned char *p = zmalloc(blen + 10);
    if (blen) memcpy(p, body, blen);
    p[blen] = (unsigned char)version;
    p[blen + 1] = (unsigned char)(version >> 8);
    uint64_t crc = crc64(0, p, blen + 2);
    for (int i = 0; i < 8; i++) p[blen + 2 + i] = (unsigned char)(crc >> (8 * i));
    *len = blen + 10;
    return p;
}

static int sameBytes(const dstr a, const unsigned char *b, size_t blen) {
    return a && dstrlen(a) == blen && memcmp(a, b, blen) == 0;
}

/* A decoded stream must survive every target: written for 9, 10 and 11,
 * each payload decodes again; and writing for 10 is idempotent. */
static void checkReencodes(const obj *o) {
    assert_int_equal(o->type, OBJ_STREAM);
    static const int targets[] = {9, 10, 11, 12, 80};
    for (size_t t = 0; t < sizeof(targets) / sizeof(*targets); t++) {
        dstr p = rdbCreatePayload(o, targets[t], NULL);
        assert_non_null(p);
        obj *o2 = NULL;
        assert_int_equal(rdbDecodePayload((unsigned char *)p, dstrlen(p), 1, &o2, NULL), RDB_PAYLOAD_OK);
        if (targets[t] == 10) {
            dstr q = rdbCreatePayload(o2, 10, NULL);
            assert_true(sameBytes(q, (unsigned char *)p, dstrlen(p)));
            dstrfree(q);
        }
        objDecrRef(o2);
        dstrfree(p);
    }
}

/* ---- vectors --------------------------------------------------------------------- */

static void test_vectors(void **state) {
    (void)state;
    int n = 0;
    for (int f = 0; f < 3; f++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "%s/streams.json", FOLDERS[f]);
        jval *arr = loadVectors(rel);
        for (size_t i = 0; i < arr->n; i++) {
            jval *v = arr->items[i];
            size_t len;
            unsigned char *p = unhex(jstr(v, "dump_hex"), &len);
            obj *o = NULL;
            rdbLoadCtx ctx = {0};
            assert_int_equal(rdbDecodePayload(p, len, 1, &o, &ctx), RDB_PAYLOAD_OK);
            assert_int_equal(o->type, OBJ_STREAM);
            stream *s = o->ptr;
            jval *layout = jget(v, "layout");
            assert_int_equal(s->length, (uint64_t)jget(layout, "length")->num);
            assert_int_equal(omapSize(s->nodes), (size_t)jget(layout, "listpack_nodes")->num);
            /* its own version gives the recorded bytes back */
            dstr again = rdbCreatePayload(o, OWN_VERSION[f], NULL);
            assert_true(sameBytes(again, p, len));
            dstrfree(again);
            /* Redis 7.0.15's re-DUMP of a 6.2 payload */
            const char *redump = jstr(v, "redump_after_restore_hex");
            if (redump) {
                size_t rlen;
                unsigned char *r = unhex(redump, &rlen);
                dstr mine = rdbCreatePayload(o, 10, NULL);
                assert_true(sameBytes(mine, r, rlen));
                dstrfree(mine);
                zfree(r);
            }
            checkReencodes(o);
            objDecrRef(o);
            zfree(p);
            n++;
        }
        jfree(arr);
    }
    assert_int_equal(n, 25);
}

/* Streams Redis 7.0.15 builds itself (DUMPs recorded from it): a node whose
 * entries are all deleted (XADD 1-0, 2-0; XDEL 2-0; XTRIM MINID = 2-0) and a
 * deleted entry above a later live one (XADD 1-0, 3-0; XDEL 3-0; XSETID 1-0;
 * XADD 2-0). Both restore and re-dump identically. */
static const char *QUIRKS[] = {
    "1301100000000000000001000000000000000028280000000f00000102010101816602000103010001000181760204010301010100018176"
    "020401ff0002000000020002000a00b55239c6eae10ea8",
    "13011000000000000000010000000000000000c328330733000000140002014000078166020001020100200105817602040103600c600a40"
    "20800a0101ff0202000100030003000a00ac76895e6b52076e",
};

static void test_redis_quirks(void **state) {
    (void)state;
    for (int i = 0; i < 2; i++) {
        size_t len;
        unsigned char *p = unhex(QUIRKS[i], &len);
        obj *o = NULL;
        assert_int_equal(rdbDecodePayload(p, len, 1, &o, NULL), RDB_PAYLOAD_OK);
        stream *s = o->ptr;
        assert_int_equal(s->length, i == 0 ? 0 : 2);
        assert_int_equal(omapSize(s->nodes), 1);
        dstr again = rdbCreatePayload(o, 10, NULL);
        assert_true(sameBytes(again, p, len));
        dstrfree(again);
        checkReencodes(o);
        objDecrRef(o);
        zfree(p);
    }
}

static void test_targets(void **state) {
    (void)state;
    size_t len;
    jval *arr = loadVectors("valkey-55bbbe0/streams.json");
    const jval *v = NULL;
    for (size_t i = 0; i < arr->n; i++)
        if (!strcmp(jstr(arr->items[i], "name"), "consumer_groups")) v = arr->items[i];
    assert_non_null(v);
    unsigned char *p = unhex(jstr(v, "dump_hex"), &len);
    obj *o = NULL;
    assert_int_equal(rdbDecodePayload(p, len, 1, &o, NULL), RDB_PAYLOAD_OK);
    for (int t = 0; t < 9; t++) {
        const char *why = NULL;
        assert_int_equal(rdbObjectType(o, t), -1);
        assert_null(rdbCreatePayload(o, t, &why));
        assert_non_null(why);
    }
    assert_int_equal(rdbObjectType(o, 9), RDB_TYPE_STREAM_LISTPACKS);
    assert_int_equal(rdbObjectType(o, 10), RDB_TYPE_STREAM_LISTPACKS_2);
    int newer[] = {11, 12, 13, 80, 81};
    for (int i = 0; i < 5; i++) assert_int_equal(rdbObjectType(o, newer[i]), RDB_TYPE_STREAM_LISTPACKS_3);
    /* the four consumers' active times are what type 21 adds over 19 */
    dstr p10 = rdbCreatePayload(o, 10, NULL), p11 = rdbCreatePayload(o, 11, NULL);
    assert_int_equal(dstrlen(p11), dstrlen(p10) + 4 * 8);
    /* 19 -> active time = seen time on load (Redis 7.2 / Valkey) */
    obj *o19 = NULL;
    assert_int_equal(rdbDecodePayload((unsigned char *)p10, dstrlen(p10), 1, &o19, NULL), RDB_PAYLOAD_OK);
    stream *s = o19->ptr;
    streamCG *cg = streamLookupCG(s, "g1", 2);
    assert_non_null(cg);
    for (omapNode *n = omapFirst(cg->consumers); n; n = omapNext(cg->consumers, n)) {
        streamConsumer *sc = n->val;
        assert_int_equal(sc->active_time, sc->seen_time);
    }
    /* type 21 keeps -1 (never active: dave read with NOACK) */
    streamConsumer *dave = streamLookupConsumer(streamLookupCG(o->ptr, "g1", 2), "dave", 4);
    assert_non_null(dave);
    assert_int_equal(dave->active_time, -1);
    objDecrRef(o19);
    dstrfree(p10);
    dstrfree(p11);
    objDecrRef(o);
    zfree(p);
    jfree(arr);
}

/* ---- hostile input ----------------------------------------------------------------- */

static int decodeNoCrc(const unsigned char *p, size_t len) {
    obj *o = NULL;
    rdbLoadCtx ctx = {.max_string_len = 1 << 20};
    int rc = rdbDecodePayload(p, len, 0, &o, &ctx);
    if (rc == RDB_PAYLOAD_OK) {
        assert_non_null(o);
        checkReencodes(o);
        objDecrRef(o);
    } else {
        assert_null(o);
    }
    return rc;
}

/* Every truncation of every vector's body (footer rebuilt) and every single
 * bit flip of the bodies: no crash, no leak (ASan build), and anything that
 * decodes re-encodes for every target. */
static void test_truncations_and_bit_flips(void **state) {
    (void)state;
    size_t total_ok = 0, total_bad = 0;
    for (int f = 0; f < 3; f++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "%s/streams.json", FOLDERS[f]);
        jval *arr = loadVectors(rel);
        for (size_t i = 0; i < arr->n; i++) {
            size_t len;
            unsigned char *p = unhex(jstr(arr->items[i], "dump_hex"), &len);
            size_t blen = len - 10;
            unsigned ver = p[blen] | (p[blen + 1] << 8);
            size_t cut_ok = 0;
            for (size_t cut = 0; cut < blen; cut++) {
                size_t plen;
                unsigned char *q = makePayload(p, cut, ver, &plen);
                if (decodeNoCrc(q, plen) == RDB_PAYLOAD_OK) cut_ok++;
                zfree(q);
            }
            assert_true(cut_ok <= 4); /* only where the footer bytes happen to complete it */
            unsigned char *b = zmalloc(len);
            for (size_t bit = 8; bit < blen * 8; bit += (blen > 400 ? 7 : 1)) {
                memcpy(b, p, len);
                b[bit / 8] ^= (unsigned char)(1 << (bit % 8));
                if (decodeNoCrc(b, len) == RDB_PAYLOAD_OK) total_ok++;
                else total_bad++;
            }
            zfree(b);
            zfree(p);
        }
        jfree(arr);
    }
    assert_true(total_bad > total_ok);
    assert_true(total_ok > 0);
}

/* Forged counts never drive an allocation or a long loop. */
static void test_oversized_counts(void **state) {
    (void)state;
    /* an empty type-19 stream: 0 nodes, length 0, last 0-0, first 0-0,
     * max deleted 0-0, added 0, 0 groups */
    unsigned char empty[] = {19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    size_t len;
    unsigned char *p = makePayload(empty, sizeof(empty), 10, &len);
    assert_int_equal(decodeNoCrc(p, len), RDB_PAYLOAD_OK);
    zfree(p);
    /* the node count, then the group count, forged as 2^62 and 2^32-1 */
    static const unsigned char big62[] = {0x81, 0x40, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char big32[] = {0x80, 0xff, 0xff, 0xff, 0xff};
    const unsigned char *forged[] = {big62, big32};
    size_t flen[] = {sizeof(big62), sizeof(big32)};
    for (int k = 0; k < 2; k++) {
        for (int where = 0; where < 2; where++) {
            unsigned char body[64];
            size_t n = 0;
            body[n++] = 19;
            if (where == 0) {
                memcpy(body + n, forged[k], flen[k]);
                n += flen[k];
            } else {
                body[n++] = 0;
            }
            for (int j = 0; j < 8; j++) body[n++] = 0; /* length, last, first, max deleted, added */
            if (where == 1) {
                memcpy(body + n, forged[k], flen[k]);
                n += flen[k];
            } else {
                body[n++] = 0;
            }
            p = makePayload(body, n, 10, &len);
            assert_int_equal(decodeNoCrc(p, len), RDB_PAYLOAD_BAD_FORMAT);
            zfree(p);
        }
    }
    /* a node listpack longer than the string limit is refused before allocation */
    unsigned char node[] = {19, 1, 16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x10, 0, 0, 0};
    p = makePayload(node, sizeof(node), 10, &len);
    assert_int_equal(decodeNoCrc(p, len), RDB_PAYLOAD_BAD_FORMAT);
    zfree(p);
}

/* Hand-made cross-reference errors on a tiny valid stream with one group. */
static size_t buildGroupStream(unsigned char *out, int mutation) {
    /* one node from Redis 7.0.15 (entries 1-0 f=v, 2-0 deleted, as QUIRKS[0]
     * but count 1): reuse the recorded plain listpack of the 7.0 vector */
    rio w;
    rioInitDstrWriter(&w, NULL);
    stream *s = streamNew();
    dstr argv[2] = {dstrnew("f"), dstrnew("v")};
    streamID id = {1, 0}, added;
    assert_int_equal(streamAppendEntry(s, argv, 1, &added, &id, 1), 0);
    id.ms = 2;
    assert_int_equal(streamAppendEntry(s, argv, 1, &added, &id, 1), 0);
    dstrfree(argv[0]);
    dstrfree(argv[1]);
    omapNode *n = omapFirst(s->nodes);
    rioWriteU8(&w, 19);
    rioWriteLen(&w, 1);
    rioWriteString(&w, n->key, 16);
    rioWriteString(&w, n->val, lpBytes(n->val));
    rioWriteLen(&w, mutation == 1 ? 3 : 2);       /* length */
    rioWriteLen(&w, mutation == 2 ? 1 : 2);       /* last ID ms (1: below the last entry) */
    rioWriteLen(&w, 0);
    rioWriteLen(&w, 1);
    rioWriteLen(&w, 0);                          /* first ID */
    rioWriteLen(&w, 0);
    rioWriteLen(&w, 0);                          /* max deleted */
    rioWriteLen(&w, mutation == 3 ? 1 : 2);       /* entries added (1: below length) */
    rioWriteLen(&w, 1);                          /* groups */
    rioWriteString(&w, "g", 1);
    rioWriteLen(&w, 2);
    rioWriteLen(&w, 0);
    rioWriteLen(&w, mutation == 4 ? (uint64_t)LLONG_MAX + 1 : 2); /* entries read */
    unsigned char id1[16] = {0}, id2[16] = {0}, id9[16] = {0};
    id1[7] = 1;
    id2[7] = 2;
    id9[7] = 9;
    rioWriteLen(&w, mutation == 5 ? 3 : 2);       /* PEL: 1-0, 2-0 (5: + 9-0 owned by nobody) */
    rioWrite(&w, id1, 16);
    rioWriteMillisecondTime(&w, mutation == 6 ? -1 : 1000);
    rioWriteLen(&w, 1);
    rioWrite(&w, id2, 16);
    rioWriteMillisecondTime(&w, 1000);
    rioWriteLen(&w, 2);
    if (mutation == 5) {
        rioWrite(&w, id9, 16);
        rioWriteMillisecondTime(&w, 1000);
        rioWriteLen(&w, 1);
    }
    rioWriteLen(&w, 2);                          /* consumers a (1-0), b (2-0) */
    rioWriteString(&w, "a", 1);
    rioWriteMillisecondTime(&w, 1000);
    rioWriteLen(&w, mutation == 7 ? 2 : 1);
    rioWrite(&w, id1, 16);
    if (mutation == 7) rioWrite(&w, id2, 16);    /* 7: a also claims b's entry */
    rioWriteString(&w, mutation == 8 ? "a" : "b", 1); /* 8: duplicate consumer */
    rioWriteMillisecondTime(&w, 1000);
    rioWriteLen(&w, 1);
    rioWrite(&w, mutation == 9 ? id9 : id2, 16);  /* 9: not in the group PEL */
    rioWriteU16LE(&w, 10);
    dstr body = rioDetachDstr(&w);
    size_t len = dstrlen(body) - 2;
    memcpy(out, body, len);
    dstrfree(body);
    streamFree(s);
    return len;
}

static void test_cross_references(void **state) {
    (void)state;
    /* the reason each mutation must be refused for (rdbLoadCtx.err) */
    static const char *why[] = {NULL,
                                "length differs",
                                "last ID below",
                                "entries added below",
                                "entries read out of range",
                                "without a consumer",
                                "negative delivery time",
                                "claimed twice",
                                "duplicate consumer",
                                "missing from the group PEL"};
    unsigned char body[512];
    for (int m = 0; m <= 9; m++) {
        size_t blen = buildGroupStream(body, m), len;
        unsigned char *p = makePayload(body, blen, 10, &len);
        obj *o = NULL;
        rdbLoadCtx ctx = {0};
        int rc = rdbDecodePayload(p, len, 1, &o, &ctx);
        if (m) {
            assert_non_null(ctx.err);
            if (!strstr(ctx.err, why[m])) fail_msg("mutation %d refused for '%s'", m, ctx.err);
        }
        if (m == 0) {
            assert_int_equal(rc, RDB_PAYLOAD_OK);
            stream *s = o->ptr;
            streamCG *cg = streamLookupCG(s, "g", 1);
            assert_int_equal(omapSize(cg->pel), 2);
            assert_int_equal(cg->entries_read, 2);
            objDecrRef(o);
        } else if (rc != RDB_PAYLOAD_BAD_FORMAT) {
            fail_msg("mutation %d accepted", m);
        }
        zfree(p);
    }
}

int main(void) {
    crc64Init();
    server.stream_node_max_bytes = 4096;
    server.stream_node_max_entries = 100;
    typesRegisterAll();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_redis_quirks),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_truncations_and_bit_flips),
        cmocka_unit_test(test_oversized_counts),
        cmocka_unit_test(test_cross_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
