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

static char *jsonText;

/* The dump_hex of vector `name`, decoded (zmalloc'ed), or NULL. */
static unsigned char *vectorDump(const char *name, size_t *len) {
    char needle[128];
    snprintf(needle, sizeof(needle), "\"name\": \"%s\"", name);
    char *p = strstr(jsonText, needle);
    if (!p) return NULL;
    p = strstr(p, "\"dump_hex\": \"");
    if (!p) return NULL;
    p += strlen("\"dump_hex\": \"");
    char *end = strchr(p, '"');
    size_t n = (size_t)(end - p) / 2;
    unsigned char *out = zmalloc(n);
    for (size_t i = 0; i < n; i++) {
        unsigned int b;
        sscanf(p + 2 * i, "%2x", &b);
        out[i] = (unsigned char)b;
    }
    *len = n;
    return out;
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

int main(void) {
    server.stream_node_max_bytes = 4096;
    server.stream_node_max_entries = 100;
    FILE *f = fopen(VECTORS_FILE, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", VECTORS_FILE);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    jsonText = malloc((size_t)size + 1);
    if (fread(jsonText, 1, (size_t)size, f) != (size_t)size) return 1;
    jsonText[size] = '\0';
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_deletions),
        cmocka_unit_test(test_multi_node),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(jsonText);
    return rc;
}
