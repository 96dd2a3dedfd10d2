/* Unit tests for the zset encodings of src/t_zset.c:
 *  - byte compatibility: building a zset with zsetAdd gives exactly the
 *    listpack that a 7.2-compatible server (Valkey 55bbbe0, the recorded
 *    DUMP payloads in /work/shared/vectors/valkey-55bbbe0/zsets.json) stores,
 *    shortest-form scores included;
 *  - the RDB codec API: zsetValidateListpack on recorded and corrupted blobs,
 *    zsetCreateFromListpack, zsetIter, zsetLoadAdd / zsetLoadFinish;
 *  - listpack <-> skiplist conversions keep the members and order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzf.h>

#include "listpack.h"
#include "object.h"
#include "server.h"
#include "t_zset.h"
#include "t_zset_int.h"
#include "util.h"
#include "zmalloc.h"

/* valkey-55bbbe0/zsets.json: DUMP payloads (type 17 = ZSET_LISTPACK) and the ZADD arguments. */
static const char *DUMP_INT_SCORES =
    "1128280000000a00836e656704dff9028161020101816202020181630203018362696704f2a0860104ff0b0011b77df8360d3790";
static const char *ARGS_INT_SCORES[] = {"1", "a", "2", "b", "3", "c", "-7", "neg", "100000", "big", NULL};
static const char *DUMP_SPECIAL =
    "11c340e840f10df10000001e00846e696e6605842d400514876e65676672616308852d322e3235068774696e7920130908872d31652d"
    "333030084021077a65726f0800018440070c0500018664656e6f726d07863520221f3234078574656e74680683302e3104876f6e6568"
    "616c660883312e35048270691f0391332e3134313539323635333538393739331283696e74042a018570325f35023206f42095200003"
    "1000098a40100633706c7573310ba0150c2000098468756765058631652b208f1b078664626c6d61780797312e37393736393331333438"
    "3632333135374020033818847040d82062026604ff0b00b5e72fa33da073fa";
static const char *ARGS_SPECIAL[] = {
    "inf", "pinf", "-inf", "ninf", "0.1", "tenth", "1.5", "onehalf", "-2.25", "negfrac", "3.141592653589793", "pi",
    "1e300", "huge", "-1e-300", "tinyneg", "5e-324", "denorm", "1.7976931348623157e308", "dblmax", "0", "zero",
    "-0", "negzero", "4503599627370496", "p2_52", "9007199254740993", "p2_53plus1", "42", "int", NULL};
static const char *DUMP_SAME =
    "1116160000000600816102010181620201018163020101ff0b00442698e5a9ce23ae";
static const char *ARGS_SAME[] = {"1", "c", "1", "a", "1", "b", NULL};

static unsigned char *fromHex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *b = zmalloc(n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        b[i] = (unsigned char)v;
    }
    *len = n;
    return b;
}

/* RDB length (6/14/32-bit forms only, enough here). */
static size_t rdbLen(const unsigned char **p) {
    unsigned char b = **p;
    if ((b >> 6) == 0) {
        (*p)++;
        return b & 0x3f;
    }
    if ((b >> 6) == 1) {
        size_t v = ((size_t)(b & 0x3f) << 8) | (*p)[1];
        *p += 2;
        return v;
    }
    assert_int_equal(b, 0x80);
    size_t v = ((size_t)(*p)[1] << 24) | ((size_t)(*p)[2] << 16) | ((size_t)(*p)[3] << 8) | (*p)[4];
    *p += 5;
    return v;
}

/* The listpack blob inside a ZSET_LISTPACK DUMP payload (plain or LZF). */
static unsigned char *listpackFromDump(const char *hex, size_t *lplen) {
    size_t n;
    unsigned char *dump = fromHex(hex, &n);
    assert_int_equal(dump[0], 17);
    const unsigned char *p = dump + 1;
    unsigned char *lp;
    if (*p == 0xC3) {
        p++;
        size_t clen = rdbLen(&p), ulen = rdbLen(&p);
        lp = zmalloc(ulen);
        assert_int_equal(lzf_decompress(p, (unsigned int)clen, lp, (unsigned int)ulen), ulen);
        *lplen = ulen;
    } else {
        size_t len = rdbLen(&p);
        lp = zmalloc(len);
        memcpy(lp, p, len);
        *lplen = len;
    }
    zfree(dump);
    return lp;
}

/* A zset built through the command path (zsetCreateObject + zsetAdd). */
static obj *buildWithZadd(const char **args) {
    size_t pairs = 0, maxlen = 0;
    for (size_t i = 0; args[i]; i += 2, pairs++)
        if (strlen(args[i + 1]) > maxlen) maxlen = strlen(args[i + 1]);
    obj *o = zsetCreateObject(pairs, maxlen);
    for (size_t i = 0; args[i]; i += 2) {
        double score;
        assert_true(string2d(args[i], strlen(args[i]), &score));
        int out;
        assert_true(zsetAdd(o, score, args[i + 1], strlen(args[i + 1]), 0, &out, NULL));
    }
    return o;
}

static int setup(void **state) {
    (void)state;
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    zsetTypeRegister();
    return 0;
}

static void checkVector(const char *dump, const char **args) {
    size_t lplen;
    unsigned char *lp = listpackFromDump(dump, &lplen);
    assert_true(zsetValidateListpack(lp, lplen));
    obj *built = buildWithZadd(args);
    assert_int_equal(built->encoding, ENC_LISTPACK);
    assert_int_equal(lpBytes(built->ptr), lplen);
    assert_memory_equal(built->ptr, lp, lplen);   /* byte for byte as 7.2 */

    /* adopt the blob and read it back in order */
    obj *loaded = zsetCreateFromListpack(lp);
    assert_int_equal(zsetLength(loaded), zsetLength(built));
    zsetIter a, b;
    zsetIterInit(&a, loaded);
    zsetIterInit(&b, built);
    const char *ma, *mb;
    size_t la, lb;
    double sa, sb;
    while (zsetIterNext(&a, &ma, &la, &sa)) {
        assert_true(zsetIterNext(&b, &mb, &lb, &sb));
        assert_int_equal(la, lb);
        assert_memory_equal(ma, mb, la);
        assert_true(sa == sb || (isnan(sa) && isnan(sb)));
    }
    assert_false(zsetIterNext(&b, &mb, &lb, &sb));

    /* reverse iteration visits the same pairs backwards, in both encodings */
    for (int pass = 0; pass < 2; pass++) {
        if (pass) zsetConvert(loaded, ENC_SKIPLIST, 0);
        size_t n = zsetLength(loaded), i = 0;
        zsetIterInitReverse(&a, loaded);
        while (zsetIterNext(&a, &ma, &la, &sa)) {
            double s2;
            assert_int_equal(zsetRank(loaded, ma, la, 1, &s2), (long)i);
            assert_true(s2 == sa);
            i++;
        }
        assert_int_equal(i, n);
    }
    zsetConvert(loaded, ENC_LISTPACK, 0);

    /* skiplist round trip keeps the bytes */
    zsetConvert(built, ENC_SKIPLIST, 0);
    assert_int_equal(built->encoding, ENC_SKIPLIST);
    assert_int_equal(zsetLength(built), zsetLength(loaded));
    zsetConvert(built, ENC_LISTPACK, 0);
    assert_memory_equal(built->ptr, loaded->ptr, lplen);
    objDecrRef(built);
    objDecrRef(loaded);
}

static void test_vectors_int_scores(void **state) {
    (void)state;
    checkVector(DUMP_INT_SCORES, ARGS_INT_SCORES);
}
static void test_vectors_special_scores(void **state) {
    (void)state;
    checkVector(DUMP_SPECIAL, ARGS_SPECIAL);
}
static void test_vectors_same_scores(void **state) {
    (void)state;
    checkVector(DUMP_SAME, ARGS_SAME);
}

static unsigned char *lpOf(const char **entries) {
    unsigned char *lp = lpNew(0);
    for (size_t i = 0; entries[i]; i++) lp = lpAppend(lp, (const unsigned char *)entries[i], (uint32_t)strlen(entries[i]));
    return lp;
}

static void test_validate_rejects(void **state) {
    (void)state;
    const char *good[] = {"a", "1", "b", "2.5", NULL};
    const char *odd[] = {"a", "1", "b", NULL};
    const char *dup[] = {"a", "1", "a", "2", NULL};
    const char *dupint[] = {"12", "1", "12", "2", NULL};
    const char *nan[] = {"a", "nan", NULL};
    const char *junk[] = {"a", "1x", NULL};
    const char **bad[] = {odd, dup, dupint, nan, junk};
    unsigned char *lp = lpOf(good);
    assert_true(zsetValidateListpack(lp, lpBytes(lp)));
    assert_false(zsetValidateListpack(lp, lpBytes(lp) - 1));   /* truncated */
    lpFree(lp);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lp = lpOf(bad[i]);
        assert_false(zsetValidateListpack(lp, lpBytes(lp)));
        lpFree(lp);
    }
}

/* Every member of a 1000-member zset loaded from m0 (score 0) .. m999
 * (score 999): ranks, scores, order. */
static void checkLoaded(obj *o) {
    assert_int_equal(o->encoding, ENC_SKIPLIST);
    assert_int_equal(zsetLength(o), 1000);
    char buf[16];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(buf, sizeof(buf), "m%d", i);
        double s;
        assert_int_equal(zsetRank(o, buf, (size_t)n, 0, &s), i);
        assert_true(s == i);
        assert_int_equal(zsetRank(o, buf, (size_t)n, 1, &s), 999 - i);
    }
    zsetIter it;
    zsetIterInit(&it, o);
    const char *m;
    size_t len;
    double s, prev = -1;
    int count = 0;
    while (zsetIterNext(&it, &m, &len, &s)) {
        assert_true(s > prev);
        prev = s;
        count++;
    }
    assert_int_equal(count, 1000);
}

/* zsetLoader: members from the highest rank down (the payload order, head
 * inserts), ascending and shuffled (normal inserts) give the same zset;
 * duplicates and NaN are refused, a duplicate possibly only by Finish. */
static void test_loader(void **state) {
    (void)state;
    char buf[16];
    int order[1000];
    for (int mode = 0; mode < 3; mode++) {
        for (int i = 0; i < 1000; i++) order[i] = mode == 0 ? 999 - i : i;
        if (mode == 2) {
            srandom(7);
            for (int i = 999; i > 0; i--) {
                int j = (int)(random() % (i + 1)), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        zsetLoader ld;
        zsetLoaderInit(&ld, 1000);
        for (int i = 0; i < 1000; i++) {
            snprintf(buf, sizeof(buf), "m%d", order[i]);
            assert_true(zsetLoaderAdd(&ld, dstrnew(buf), order[i]));
        }
        obj *o = zsetLoaderFinish(&ld);
        assert_non_null(o);
        checkLoaded(o);
        objDecrRef(o);
    }
    /* a duplicate member with the same or another score, in the middle:
     * reported by the add completing its batch */
    for (int same = 0; same <= 1; same++) {
        zsetLoader ld;
        zsetLoaderInit(&ld, 1000);
        int rc = 1, at = -1;
        for (int i = 0; i < 1000 && rc; i++) {
            int k = i == 40 ? 990 : 999 - i; /* pair 40 repeats m990 (pair 9) */
            snprintf(buf, sizeof(buf), "m%d", k);
            rc = zsetLoaderAdd(&ld, dstrnew(buf), same ? k : 2000 + i);
            if (!rc) at = i;
        }
        assert_int_equal(at, 47); /* the batch 32..47 */
        zsetLoaderAbort(&ld);
    }
    /* in the last batch: Finish returns NULL */
    zsetLoader ld;
    zsetLoaderInit(&ld, 200);
    for (int i = 0; i < 200; i++) {
        snprintf(buf, sizeof(buf), "m%d", 199 - i);
        assert_true(zsetLoaderAdd(&ld, dstrnew(buf), 199 - i));
    }
    assert_true(zsetLoaderAdd(&ld, dstrnew("m0"), -5)); /* sorts first: a head insert */
    assert_null(zsetLoaderFinish(&ld));
    zsetLoaderAbort(&ld);
    /* NaN: refused at once */
    zsetLoaderInit(&ld, 3);
    assert_true(zsetLoaderAdd(&ld, dstrnew("a"), 1));
    assert_false(zsetLoaderAdd(&ld, dstrnew("b"), NAN));
    zsetLoaderAbort(&ld);
    /* small: converted to a listpack by Finish */
    zsetLoaderInit(&ld, 2);
    assert_true(zsetLoaderAdd(&ld, dstrnew("b"), 2));
    assert_true(zsetLoaderAdd(&ld, dstrnew("a"), 1));
    obj *o = zsetLoaderFinish(&ld);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    assert_int_equal(zsetLength(o), 2);
    objDecrRef(o);
}

static void test_load_api(void **state) {
    (void)state;
    /* small skiplist load is converted to a listpack, big one stays */
    obj *o = zsetCreateSkiplistObject(3);
    assert_true(zsetLoadAdd(o, dstrnew("b"), 2));
    assert_true(zsetLoadAdd(o, dstrnew("a"), 1));
    assert_false(zsetLoadAdd(o, dstrnew("a"), 5));     /* duplicate */
    assert_false(zsetLoadAdd(o, dstrnew("n"), NAN));
    zsetLoadFinish(o);
    assert_int_equal(o->encoding, ENC_LISTPACK);
    assert_int_equal(zsetLength(o), 2);
    double s;
    assert_true(zsetScore(o, "a", 1, &s) && s == 1);
    objDecrRef(o);

    o = zsetCreateSkiplistObject(200);
    char buf[16];
    for (int i = 0; i < 200; i++) {
        snprintf(buf, sizeof(buf), "m%d", i);
        assert_true(zsetLoadAdd(o, dstrnew(buf), 200 - i));
    }
    zsetLoadFinish(o);
    assert_int_equal(o->encoding, ENC_SKIPLIST);
    assert_int_equal(zsetRank(o, "m199", 4, 0, &s), 0);
    assert_true(s == 1);
    objDecrRef(o);

    /* a listpack with more entries than the limit is converted on load */
    unsigned char *lp = lpNew(0);
    for (int i = 0; i < 130; i++) {
        snprintf(buf, sizeof(buf), "m%03d", i);
        lp = lpAppend(lp, (unsigned char *)buf, (uint32_t)strlen(buf));
        lp = lpAppendInteger(lp, i);
    }
    assert_true(zsetValidateListpack(lp, lpBytes(lp)));
    o = zsetCreateFromListpack(lp);
    assert_int_equal(o->encoding, ENC_SKIPLIST);
    assert_int_equal(zsetLength(o), 130);
    assert_int_equal(zsetRank(o, "m129", 4, 1, NULL), 0);
    objDecrRef(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_int_scores), cmocka_unit_test(test_vectors_special_scores),
        cmocka_unit_test(test_vectors_same_scores), cmocka_unit_test(test_validate_rejects),
        cmocka_unit_test(test_load_api),
        cmocka_unit_test(test_loader),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
