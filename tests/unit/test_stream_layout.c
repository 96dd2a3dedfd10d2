/* Unit test for the stream node layout of src/t_stream.c: the same XADD/XDEL
 * sequences as the recorded Redis 7.0.15 stream vectors
 * (../shared/vectors/redis-7.0.15/streams.json) must produce byte-identical
 * listpack nodes under the same master IDs, and the same metadata (length,
 * last/first/max-deleted IDs, entries added), as the DUMP payload holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "listpack.h"
#include "rio.h"
#include "server.h"
#include "t_stream.h"
#include "zmalloc.h"

#define VECTORS_FILE "../shared/vectors/redis-7.0.15/streams.json"
static const char *ALL_VECTOR_FILES[] = {"../shared/vectors/redis-6.2.16/streams.json",
                                         "../shared/vectors/redis-7.0.15/streams.json",
                                         "../shared/vectors/valkey-55bbbe0/streams.json", NULL};

static char *jsonText;

static char *readFile(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size) size = 0;
    text[size] = '\0';
    fclose(f);
    return text;
}

/* Decode the hex string starting at p (up to the closing quote). */
static unsigned char *hexAt(const char *p, size_t *len) {
    const char *end = strchr(p, '"');
    size_t n = (size_t)(end - p) / 2;
    unsigned char *out = zmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned int b;
        sscanf(p + 2 * i, "%2x", &b);
        out[i] = (unsigned char)b;
    }
    *len = n;
    return out;
}

/* The dump_hex of vector `name`, decoded (zmalloc'ed), or NULL. */
static unsigned char *vectorDump(const char *name, size_t *len) {
    char needle[128];
    snprintf(needle, sizeof(needle), "\"name\": \"%s\"", name);
    char *p = strstr(jsonText, needle);
    if (!p) return NULL;
    p = strstr(p, "\"dump_hex\": \"");
    if (!p) return NULL;
    p += strlen("\"dump_hex\": \"");
    return hexAt(p, len);
}

static void xadd(stream *s, uint64_t ms, uint64_t seq, int nargs, ...) {
    dstr argv[16];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) {
        const char *a = va_arg(ap, const char *);
        argv[i] = dstrnew(a);
    }
    va_end(ap);
    streamID id = {ms, seq};
    assert_int_equal(streamAppendEntry(s, argv, nargs / 2, NULL, &id, 1), 0);
    for (int i = 0; i < nargs; i++) dstrfree(argv[i]);
}

static void xdel(stream *s, uint64_t ms, uint64_t seq) {
    streamID id = {ms, seq};
    assert_int_equal(streamDeleteEntry(s, &id), 1);
}

static uint64_t readLen(rio *r) {
    uint64_t v;
    int enc;
    rioReadLen(r, &v, &enc);
    assert_false(rioHasError(r));
    assert_false(enc);
    return v;
}

/* Compare `s` with the STREAM_LISTPACKS_2 payload of vector `name`. */
static void compareWithVector(stream *s, const char *name) {
    size_t len = 0;
    unsigned char *dump = vectorDump(name, &len);
    assert_non_null(dump);
    rio r;
    rioInitReader(&r, dump, len);
    uint8_t type;
    rioReadU8(&r, &type);
    assert_int_equal(type, 19);
    uint64_t nodes = readLen(&r);
    assert_int_equal(nodes, omapSize(s->nodes));
    omapNode *n = omapFirst(s->nodes);
    for (uint64_t i = 0; i < nodes; i++, n = omapNext(s->nodes, n)) {
        dstr key = rioReadString(&r);
        dstr lp = rioReadString(&r);
        assert_non_null(key);
        assert_non_null(lp);
        assert_int_equal(dstrlen(key), STREAM_ID_KEYLEN);
        assert_memory_equal(key, n->key, STREAM_ID_KEYLEN);
        assert_int_equal(dstrlen(lp), lpBytes(n->val));
        assert_memory_equal(lp, n->val, dstrlen(lp));
        dstrfree(key);
        dstrfree(lp);
    }
    assert_int_equal(readLen(&r), s->length);
    assert_int_equal(readLen(&r), s->last_id.ms);
    assert_int_equal(readLen(&r), s->last_id.seq);
    assert_int_equal(readLen(&r), s->first_id.ms);
    assert_int_equal(readLen(&r), s->first_id.seq);
    assert_int_equal(readLen(&r), s->max_deleted_entry_id.ms);
    assert_int_equal(readLen(&r), s->max_deleted_entry_id.seq);
    assert_int_equal(readLen(&r), s->entries_added);
    assert_false(rioHasError(&r));
    zfree(dump);
}

static void test_plain(void **state) {
    (void)state;
    stream *s = streamNew();
    xadd(s, 1, 1, 4, "name", "alice", "age", "30");
    xadd(s, 1, 2, 4, "name", "bob", "age", "25");
    xadd(s, 2, 0, 2, "city", "paris");
    xadd(s, 1700000000000ULL, 0, 6, "name", "carol", "age", "-1", "extra", "x");
    /* "bin" -> the two bytes 00 ff */
    dstr argv[2] = {dstrnew("bin"), dstrnewlen("\x00\xff", 2)};
    streamID id = {1700000000000ULL, 1};
    assert_int_equal(streamAppendEntry(s, argv, 1, NULL, &id, 1), 0);
    dstrfree(argv[0]);
    dstrfree(argv[1]);
    compareWithVector(s, "plain");
    streamFree(s);
}

static void test_deletions(void **state) {
    (void)state;
    char v[16];
    stream *s = streamNew();
    for (int i = 1; i <= 10; i++) {
        snprintf(v, sizeof(v), "v%d", i);
        xadd(s, (uint64_t)i, 0, 2, "f", v);
    }
    xdel(s, 3, 0);
    xdel(s, 5, 0);
    xdel(s, 10, 0);
    compareWithVector(s, "with_deletions");
    streamFree(s);

    s = streamNew();
    for (int i = 1; i <= 5; i++) {
        snprintf(v, sizeof(v), "v%d", i);
        xadd(s, (uint64_t)i, 0, 2, "f", v);
    }
    xdel(s, 1, 0);
    compareWithVector(s, "deleted_first");
    streamFree(s);
}

static void test_multi_node(void **state) {
    (void)state;
    stream *s = streamNew();
    char n[16], val[16];
    for (int i = 0; i < 250; i++) {
        snprintf(n, sizeof(n), "%d", i);
        snprintf(val, sizeof(val), "val%d", i);
        xadd(s, (uint64_t)(1000 + i), 0, 4, "n", n, "s", val);
    }
    assert_int_equal(omapSize(s->nodes), 3);
    compareWithVector(s, "multi_node_250");
    streamFree(s);
}

/* Every node of every recorded stream payload (Redis 6.2 type 15, Redis 7.0
 * type 19, Valkey type 21: same node format) passes streamValidateNode, and
 * the live counts add up to the recorded length. */
static void test_validate_recorded_nodes(void **state) {
    (void)state;
    int checked = 0;
    for (int f = 0; ALL_VECTOR_FILES[f]; f++) {
        char *text = readFile(ALL_VECTOR_FILES[f]);
        assert_non_null(text);
        for (char *p = strstr(text, "\"dump_hex\": \""); p; p = strstr(p + 1, "\"dump_hex\": \"")) {
            size_t len;
            unsigned char *dump = hexAt(p + strlen("\"dump_hex\": \""), &len);
            rio r;
            rioInitReader(&r, dump, len);
            uint8_t type;
            rioReadU8(&r, &type);
            assert_true(type == 15 || type == 19 || type == 21);
            uint64_t nodes = readLen(&r), total = 0;
            streamID prev_last = {0, 0};
            for (uint64_t i = 0; i < nodes; i++) {
                dstr key = rioReadString(&r);
                dstr lp = rioReadString(&r);
                assert_non_null(key);
                assert_non_null(lp);
                assert_int_equal(dstrlen(key), 16);
                streamID last, master;
                uint64_t live;
                assert_true(streamValidateNode((unsigned char *)key, (unsigned char *)lp, dstrlen(lp), &last, &live));
                streamDecodeID((unsigned char *)key, &master);
                assert_true(i == 0 || streamCompareID(&master, &prev_last) > 0);
                prev_last = last;
                total += live;
                checked++;
                dstrfree(key);
                dstrfree(lp);
            }
            assert_int_equal(readLen(&r), total); /* length */
            zfree(dump);
        }
        free(text);
    }
    assert_true(checked >= 20);
}

/* Corrupted nodes are rejected. */
static void test_validate_corruptions(void **state) {
    (void)state;
    stream *s = streamNew();
    xadd(s, 5, 0, 4, "a", "1", "b", "2");
    xadd(s, 5, 1, 4, "a", "3", "b", "4");
    xadd(s, 6, 0, 2, "c", "5");
    xdel(s, 5, 1);
    omapNode *n = omapFirst(s->nodes);
    unsigned char *good = n->val;
    size_t goodlen = lpBytes(good);
    assert_true(streamValidateNode(n->key, good, goodlen, NULL, NULL));
    /* element index -> replacement integer; each must fail */
    struct { long idx; long long v; } muts[] = {
        {0, 3},   /* count */
        {0, 0},   /* count 0 */
        {1, 0},   /* deleted */
        {2, 3},   /* num-fields */
        {2, 0},   /* num-fields 0 */
        {5, 1},   /* master terminator */
        {6, 7},   /* flags out of range */
        {7, 1},   /* first entry ms-diff */
        {11, 9},  /* first entry lp-count */
        {13, -1}, /* second entry ms-diff: ID below the first */
        {17, 2},  /* second entry lp-count */
        {18, 2},  /* third entry flags: SAMEFIELDS with a different field count */
    };
    for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
        unsigned char *lp = lpDup(good);
        unsigned char *p = lpSeek(lp, muts[i].idx);
        assert_non_null(p);
        lp = lpReplaceInteger(lp, &p, muts[i].v);
        /* (idx 7: a first ID 6-0 above the master is allowed, but then 5-1 does not ascend) */
        if (streamValidateNode(n->key, lp, lpBytes(lp), NULL, NULL)) fail_msg("mutation %zu accepted", i);
        lpFree(lp);
    }
    /* a string where an integer is expected */
    unsigned char *lp = lpDup(good);
    unsigned char *p = lpSeek(lp, 0);
    lp = lpReplace(lp, &p, (const unsigned char *)"x", 1);
    assert_false(streamValidateNode(n->key, lp, lpBytes(lp), NULL, NULL));
    lpFree(lp);
    /* truncated: drop the last element (lp-count of the last entry) */
    lp = lpDup(good);
    lp = lpDeleteRange(lp, -1, 1);
    assert_false(streamValidateNode(n->key, lp, lpBytes(lp), NULL, NULL));
    lpFree(lp);
    /* bad listpack bytes and a size that does not match */
    assert_false(streamValidateNode(n->key, good, goodlen - 1, NULL, NULL));
    lp = lpDup(good);
    lp[goodlen - 1] = 0;
    assert_false(streamValidateNode(n->key, lp, goodlen, NULL, NULL));
    lpFree(lp);
    streamFree(s);
}

int main(void) {
    server.stream_node_max_bytes = 4096;
    server.stream_node_max_entries = 100;
    jsonText = readFile(VECTORS_FILE);
    if (!jsonText) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", VECTORS_FILE);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_deletions),
        cmocka_unit_test(test_multi_node),
        cmocka_unit_test(test_validate_recorded_nodes),
        cmocka_unit_test(test_validate_corruptions),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(jsonText);
    return rc;
}
