/* Unit tests for zipmap: the RDB 3 zipmap hash from Redis's test assets, the
 * refused empty one, hand-built blobs whose acceptance was checked against
 * Redis 7.0.15's RESTORE, and every truncation and single-byte change of a
 * few blobs (must be rejected or read safely). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dstr.h"
#include "rio.h"
#include "zipmap.h"
#include "zmalloc.h"

#include "test_vectors.h" /* JSON reader for ../shared/vectors */

/* ---- helpers ----------------------------------------------------------------------- */

static unsigned char *dupBytes(const void *p, size_t n) {
    unsigned char *c = zmalloc(n ? n : 1);
    if (n) memcpy(c, p, n);
    return c;
}

/* Appends a length in zipmap form (5-byte form when >= 254 or `wide`). */
static size_t putLen(unsigned char *p, uint32_t len, int wide) {
    if (len < ZIPMAP_BIGLEN && !wide) {
        p[0] = (unsigned char)len;
        return 1;
    }
    p[0] = ZIPMAP_BIGLEN;
    for (int i = 0; i < 4; i++) p[1 + i] = (unsigned char)(len >> (8 * i));
    return 5;
}

typedef struct {
    const char *key;
    uint32_t klen;
    const char *val;
    uint32_t vlen;
    unsigned char free_bytes;
} buildPair;

/* A correct zipmap (zmlen = count when < 254, else 254). Exact-size heap copy. */
static unsigned char *buildZipmap(const buildPair *pairs, size_t n, size_t *size) {
    size_t cap = 2;
    for (size_t i = 0; i < n; i++) cap += 11 + pairs[i].klen + pairs[i].vlen + pairs[i].free_bytes;
    unsigned char *zm = zmalloc(cap);
    size_t pos = 1;
    zm[0] = (unsigned char)(n < ZIPMAP_BIGLEN ? n : ZIPMAP_BIGLEN);
    for (size_t i = 0; i < n; i++) {
        pos += putLen(zm + pos, pairs[i].klen, 0);
        memcpy(zm + pos, pairs[i].key, pairs[i].klen);
        pos += pairs[i].klen;
        pos += putLen(zm + pos, pairs[i].vlen, 0);
        zm[pos++] = pairs[i].free_bytes;
        memcpy(zm + pos, pairs[i].val, pairs[i].vlen);
        pos += pairs[i].vlen;
        memset(zm + pos, '#', pairs[i].free_bytes);
        pos += pairs[i].free_bytes;
    }
    zm[pos++] = ZIPMAP_END;
    unsigned char *exact = dupBytes(zm, pos);
    zfree(zm);
    *size = pos;
    return exact;
}

/* Walks with the iterator; returns pairs seen or -1. */
static long walk(const unsigned char *zm, size_t size) {
    zipmapIter it;
    const unsigned char *k, *v;
    uint32_t kl, vl;
    long n = 0;
    int rc;
    zipmapIterInit(&it, zm, size);
    while ((rc = zipmapIterNext(&it, &k, &kl, &v, &vl)) == 1) {
        assert_true(k > zm && k + kl <= zm + size - 1);
        assert_true(v > zm && v + vl <= zm + size - 1);
        n++;
    }
    assert_int_equal(zipmapIterNext(&it, &k, &kl, &v, &vl), rc);
    return rc < 0 ? -1 : n;
}

/* The zipmap inside a type-9 DUMP payload (one RDB string). */
static dstr zipmapOfPayload(const unsigned char *payload, size_t len) {
    assert_true(len > 11);
    assert_int_equal(payload[0], 9);
    rio r;
    rioInitReader(&r, payload + 1, len - 11);
    dstr zm = rioReadString(&r);
    assert_non_null(zm);
    assert_int_equal(rioRemaining(&r), 0);
    return zm;
}

/* ---- recorded vectors ------------------------------------------------------------------- */

typedef struct {
    const jval *expect;
    size_t i;
} expectCursor;

static int checkAgainstExpect(const unsigned char *k, uint32_t kl, const unsigned char *v, uint32_t vl, void *ud) {
    expectCursor *c = ud;
    assert_true(c->i + 1 < c->expect->n);
    size_t ekl, evl;
    unsigned char *ek = jbytes(c->expect->items[c->i], &ekl), *ev = jbytes(c->expect->items[c->i + 1], &evl);
    assert_int_equal(kl, ekl);
    assert_memory_equal(k, ek, kl);
    assert_int_equal(vl, evl);
    assert_memory_equal(v, ev, vl);
    zfree(ek);
    zfree(ev);
    c->i += 2;
    return 1;
}

/* hash-zipmap.rdb (RDB 3): {f1: v1, f2: v2}; HGETALL on Redis 7.0.15 after
 * RESTORE gives the pairs in zipmap order. */
static void test_legacy_vector(void **state) {
    (void)state;
    jval *all = loadVectors("legacy-rdb-assets/hashes.json");
    size_t found = 0;
    for (size_t i = 0; i < all->n; i++) {
        const jval *v = all->items[i];
        const jval *layout = jget(v, "layout");
        if (jget(layout, "rdb_type")->num != 9) continue;
        found++;
        size_t len;
        unsigned char *payload = unhex(jstr(v, "dump_hex"), &len);
        dstr zm = zipmapOfPayload(payload, len);
        const unsigned char *p = (const unsigned char *)zm;
        size_t size = dstrlen(zm);
        assert_int_equal(size, (size_t)jget(layout, "zipmap_bytes")->num);
        assert_int_equal(p[0], (unsigned)jget(layout, "zipmap_zmlen")->num);
        assert_int_equal(zipmapValidateIntegrity(p, size, 0, NULL, NULL), 1);
        expectCursor c = {jget(v, "expect"), 0};
        assert_int_equal(zipmapValidateIntegrity(p, size, 1, checkAgainstExpect, &c), 1);
        assert_int_equal(c.i, c.expect->n);
        assert_int_equal(zipmapCount(p, size), (size_t)jget(layout, "zipmap_fields")->num);
        assert_int_equal(walk(p, size), 2);
        /* Iterator gives the same pairs. */
        zipmapIter it;
        const unsigned char *k, *val;
        uint32_t kl, vl;
        zipmapIterInit(&it, p, size);
        assert_int_equal(zipmapIterNext(&it, &k, &kl, &val, &vl), 1);
        assert_int_equal(kl, 2);
        assert_memory_equal(k, "f1", 2);
        assert_int_equal(vl, 2);
        assert_memory_equal(val, "v1", 2);
        assert_int_equal(zipmapIterNext(&it, &k, &kl, &val, &vl), 1);
        assert_memory_equal(k, "f2", 2);
        assert_memory_equal(val, "v2", 2);
        assert_int_equal(zipmapIterNext(&it, &k, &kl, &val, &vl), 0);
        dstrfree(zm);
        zfree(payload);
    }
    assert_int_equal(found, 1);
    jfree(all);

    /* The refused empty zipmap (Redis refuses it for being empty). */
    all = loadVectors("legacy-rdb-assets/refused.json");
    found = 0;
    for (size_t i = 0; i < all->n; i++) {
        size_t len;
        unsigned char *payload = unhex(jstr(all->items[i], "dump_hex"), &len);
        if (payload[0] == 9) {
            dstr zm = zipmapOfPayload(payload, len);
            assert_int_equal(dstrlen(zm), 2);
            assert_int_equal(zipmapValidateIntegrity((const unsigned char *)zm, 2, 1, NULL, NULL), 1);
            assert_int_equal(zipmapCount((const unsigned char *)zm, 2), 0);
            assert_string_equal(jget(jget(all->items[i], "reply"), "error")->s, "ERR Bad data format");
            dstrfree(zm);
            found++;
        }
        zfree(payload);
    }
    assert_int_equal(found, 1);
    jfree(all);
}

/* Hand-built type-9 payloads RESTOREd on Redis 7.0.15 (recorded while
 * writing this module: port 7391, default settings, footer version 3).
 * `redis` is what Redis answered (1 = OK, 0 = ERR Bad data format);
 * `valid` is this module's deep validation. They agree, except where Redis
 * refuses for a reason outside the encoding (empty hash, duplicate field),
 * which the caller checks with zipmapCount() and the pair callback. */
static void test_redis_acceptance(void **state) {
    (void)state;
    static const struct {
        const char *name, *hex;
        int redis, valid;
        long pairs;
    } cases[] = {
        {"plain", "020266310200763102663202007632ff", 1, 1, 2},
        {"zmlen 254", "fe0266310200763102663202007632ff", 1, 1, 2},
        {"zmlen 253", "fd0266310200763102663202007632ff", 0, 0, 2},
        {"zmlen 1 (wrong)", "010266310200763102663202007632ff", 0, 0, 2},
        {"zmlen 3 (wrong)", "030266310200763102663202007632ff", 0, 0, 2},
        {"empty", "00ff", 0, 1, 0},
        {"empty 254", "feff", 0, 1, 0},
        {"free 3", "010266310203763178797aff", 1, 1, 1},
        {"free beyond", "010266310209763178797aff", 0, 0, -1},
        {"wide key len", "01fe02000000663102007631ff", 0, 0, -1},
        {"wide val len", "01026631fe02000000007631ff", 0, 0, -1},
        {"val len 0xff 5-byte", "01026631ff02000000007631ff", 0, 0, -1},
        {"trailing after end", "0102663102007631ff7878ff", 1, 1, 1},
        {"end missing", "0102663102007631", 0, 0, -1},
        {"no end, last byte ff is value", "01026631020076ff", 0, 0, -1},
        {"dup key", "020266310200763102663102007632ff", 0, 1, 2},
        {"empty key/val", "01000000ff", 1, 1, 1},
        {"val runs into end", "0102663103007631ff", 0, 0, -1},
        {"key len big", "01fee8030000663102007631ff", 0, 0, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        size_t size;
        unsigned char *zm = unhex(cases[i].hex, &size);
        unsigned char *exact = dupBytes(zm, size);
        zfree(zm);
        if (zipmapValidateIntegrity(exact, size, 1, NULL, NULL) != cases[i].valid)
            fail_msg("%s: validation disagrees", cases[i].name);
        if (walk(exact, size) != cases[i].pairs) fail_msg("%s: iteration gives a different count", cases[i].name);
        if (cases[i].redis != cases[i].valid) {
            /* Empty, or a duplicate field: visible to the caller. */
            assert_true(zipmapCount(exact, size) == 0 || !strcmp(cases[i].name, "dup key"));
        }
        zfree(exact);
    }
}

static int rejectDuplicates(const unsigned char *k, uint32_t kl, const unsigned char *v, uint32_t vl, void *ud) {
    dstr *seen = ud; /* up to 8 keys */
    (void)v;
    (void)vl;
    for (int i = 0; i < 8 && seen[i]; i++)
        if (dstrlen(seen[i]) == kl && !memcmp(seen[i], k, kl)) return 0;
    for (int i = 0; i < 8; i++)
        if (!seen[i]) {
            seen[i] = dstrnewlen(k, kl);
            break;
        }
    return 1;
}

static void test_callback(void **state) {
    (void)state;
    size_t size;
    unsigned char *zm = unhex("020266310200763102663102007632ff", &size); /* f1 twice */
    dstr seen[8] = {0};
    assert_int_equal(zipmapValidateIntegrity(zm, size, 1, rejectDuplicates, seen), 0);
    for (int i = 0; i < 8; i++) dstrfree(seen[i]);
    memset(seen, 0, sizeof(seen));
    zm[10] = '2'; /* second key -> f2 */
    assert_int_equal(zipmapValidateIntegrity(zm, size, 1, rejectDuplicates, seen), 1);
    /* Shallow validation does not call it. */
    assert_int_equal(zipmapValidateIntegrity(zm, size, 0, rejectDuplicates, NULL), 1);
    for (int i = 0; i < 8; i++) dstrfree(seen[i]);
    zfree(zm);
}

/* Long keys and values (5-byte lengths), free bytes, 254+ pairs. */
static void test_big(void **state) {
    (void)state;
    static char k300[300], v70000[70000];
    memset(k300, 'k', sizeof(k300));
    memset(v70000, 'v', sizeof(v70000));
    const buildPair pairs[] = {
        {k300, sizeof(k300), "small", 5, 0},
        {"a", 1, v70000, sizeof(v70000), 4},
        {"", 0, "", 0, 255},
        {k300, 253, v70000, 254, 1},
    };
    size_t size;
    unsigned char *zm = buildZipmap(pairs, 4, &size);
    assert_int_equal(zipmapValidateIntegrity(zm, size, 1, NULL, NULL), 1);
    zipmapIter it;
    const unsigned char *k, *v;
    uint32_t kl, vl;
    zipmapIterInit(&it, zm, size);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(zipmapIterNext(&it, &k, &kl, &v, &vl), 1);
        assert_int_equal(kl, pairs[i].klen);
        assert_int_equal(vl, pairs[i].vlen);
        if (kl) assert_memory_equal(k, pairs[i].key, kl);
        if (vl) assert_memory_equal(v, pairs[i].val, vl);
    }
    assert_int_equal(zipmapIterNext(&it, &k, &kl, &v, &vl), 0);
    zfree(zm);

    /* 300 pairs: zmlen 254 = count them. */
    buildPair many[300];
    char keys[300][16];
    for (int i = 0; i < 300; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%d", i);
        many[i] = (buildPair){keys[i], (uint32_t)strlen(keys[i]), "x", 1, 0};
    }
    zm = buildZipmap(many, 300, &size);
    assert_int_equal(zm[0], ZIPMAP_BIGLEN);
    assert_int_equal(zipmapValidateIntegrity(zm, size, 1, NULL, NULL), 1);
    assert_int_equal(zipmapCount(zm, size), 300);
    zfree(zm);

    /* Shallow checks. */
    assert_int_equal(zipmapValidateIntegrity(NULL, 0, 0, NULL, NULL), 0);
    assert_int_equal(zipmapValidateIntegrity((const unsigned char *)"\xff", 1, 0, NULL, NULL), 0);
    assert_int_equal(zipmapValidateIntegrity((const unsigned char *)"\x00\x00", 2, 0, NULL, NULL), 0);
    assert_true(zipmapCount((const unsigned char *)"\x00\x00", 2) == SIZE_MAX);
}

/* ---- mutations ------------------------------------------------------------------------- */

static void mutateBlob(const unsigned char *blob, size_t size) {
    assert_int_equal(zipmapValidateIntegrity(blob, size, 1, NULL, NULL), 1);
    for (size_t cut = 0; cut < size; cut++) {
        unsigned char *zm = dupBytes(blob, cut);
        int ok = zipmapValidateIntegrity(zm, cut, 1, NULL, NULL);
        long n = walk(zm, cut);
        if (ok) assert_true(n >= 0);
        /* With an end byte at the cut, the walk reaches the cut point. */
        if (cut >= 2) {
            zm[cut - 1] = ZIPMAP_END;
            ok = zipmapValidateIntegrity(zm, cut, 1, NULL, NULL);
            n = walk(zm, cut);
            if (ok) assert_true(n >= 0);
        }
        zfree(zm);
    }
    static const unsigned char deltas[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x7f};
    for (size_t pos = 0; pos < size; pos++)
        for (size_t d = 0; d < sizeof(deltas); d++) {
            unsigned char *zm = dupBytes(blob, size);
            zm[pos] ^= deltas[d];
            int ok = zipmapValidateIntegrity(zm, size, 1, NULL, NULL);
            long n = walk(zm, size);
            if (ok) {
                assert_true(n >= 0);
                assert_int_equal(zipmapCount(zm, size), (size_t)n);
                if (zm[0] != ZIPMAP_BIGLEN) assert_int_equal(zm[0], n);
            }
            zfree(zm);
        }
}

static void test_mutations(void **state) {
    (void)state;
    jval *all = loadVectors("legacy-rdb-assets/hashes.json");
    for (size_t i = 0; i < all->n; i++) {
        if (jget(jget(all->items[i], "layout"), "rdb_type")->num != 9) continue;
        size_t len;
        unsigned char *payload = unhex(jstr(all->items[i], "dump_hex"), &len);
        dstr zm = zipmapOfPayload(payload, len);
        mutateBlob((const unsigned char *)zm, dstrlen(zm));
        dstrfree(zm);
        zfree(payload);
    }
    jfree(all);

    static char k300[300];
    memset(k300, 'k', sizeof(k300));
    const buildPair pairs[] = {{k300, sizeof(k300), "v", 1, 2}, {"a", 1, k300, 260, 0}, {"", 0, "", 0, 3}};
    size_t size;
    unsigned char *zm = buildZipmap(pairs, 3, &size);
    mutateBlob(zm, size);
    zfree(zm);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_vector), cmocka_unit_test(test_redis_acceptance),
        cmocka_unit_test(test_callback),      cmocka_unit_test(test_big),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
