/* Unit tests for ziplist: validation and iteration of the ziplists recorded
 * from real servers (Redis 6.2.16 DUMPs, old RDB test assets, the docs
 * RESTORE example), hand-built edge cases, and every truncation and
 * single-byte change of a few blobs (must be rejected or read safely). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sha2.h>

#include "dstr.h"
#include "rio.h"
#include "ziplist.h"
#include "zmalloc.h"

#include "test_vectors.h" /* JSON reader for ../shared/vectors */

/* ---- building ziplists by hand (test-only writer) ------------------------------------ */

/* An entry to build: a string, or an integer with an explicit encoding byte
 * (0xc0, 0xd0, 0xe0, 0xf0, 0xfe, or 0xf1-0xfd for immediates). */
typedef struct {
    const char *str; /* NULL for an integer */
    size_t slen;
    unsigned char enc; /* integers; for strings: 0 = shortest, or 0x40 / 0x80 to force */
    long long val;
    int wide_prevlen; /* write the prevlen in the 5-byte form */
} buildEntry;

static size_t putEntry(unsigned char *p, const buildEntry *b, size_t prevlen) {
    size_t n = 0;
    if (prevlen >= 254 || b->wide_prevlen) {
        p[n++] = 0xfe;
        for (int i = 0; i < 4; i++) p[n++] = (unsigned char)(prevlen >> (8 * i));
    } else {
        p[n++] = (unsigned char)prevlen;
    }
    if (b->str) {
        unsigned char enc = b->enc ? b->enc : (b->slen < 64 ? 0x00 : b->slen < 16384 ? 0x40 : 0x80);
        if (enc == 0x00) {
            p[n++] = (unsigned char)b->slen;
        } else if (enc == 0x40) {
            p[n++] = (unsigned char)(0x40 | (b->slen >> 8));
            p[n++] = (unsigned char)b->slen;
        } else {
            p[n++] = enc;
            for (int i = 3; i >= 0; i--) p[n++] = (unsigned char)(b->slen >> (8 * i));
        }
        memcpy(p + n, b->str, b->slen);
        return n + b->slen;
    }
    p[n++] = b->enc;
    size_t bytes = b->enc == 0xc0 ? 2 : b->enc == 0xd0 ? 4 : b->enc == 0xe0 ? 8 : b->enc == 0xf0 ? 3 : b->enc == 0xfe ? 1 : 0;
    for (size_t i = 0; i < bytes; i++) p[n++] = (unsigned char)((uint64_t)b->val >> (8 * i));
    return n;
}

/* Builds a correct ziplist (zllen = count unless `zllen` >= 0). Returns a
 * zmalloc'ed buffer of exactly *size bytes. */
static unsigned char *buildZiplist(const buildEntry *e, size_t count, long zllen, size_t *size) {
    size_t cap = ZIPLIST_MIN_SIZE;
    for (size_t i = 0; i < count; i++) cap += 5 + 5 + (e[i].str ? e[i].slen : 8);
    unsigned char *zl = zmalloc(cap);
    size_t pos = ZIPLIST_HEADER_SIZE, prev = 0, tail = ZIPLIST_HEADER_SIZE;
    for (size_t i = 0; i < count; i++) {
        tail = pos;
        size_t n = putEntry(zl + pos, &e[i], prev);
        pos += n;
        prev = n;
    }
    zl[pos++] = ZIPLIST_END;
    uint32_t bytes = (uint32_t)pos, zltail = (uint32_t)tail;
    uint16_t len = (uint16_t)(zllen >= 0 ? (size_t)zllen : count);
    for (int i = 0; i < 4; i++) zl[i] = (unsigned char)(bytes >> (8 * i)), zl[4 + i] = (unsigned char)(zltail >> (8 * i));
    zl[8] = (unsigned char)len;
    zl[9] = (unsigned char)(len >> 8);
    /* Exact-size copy so ASan sees overreads. */
    unsigned char *exact = zmalloc(pos);
    memcpy(exact, zl, pos);
    zfree(zl);
    *size = pos;
    return exact;
}

static unsigned char *dupBytes(const void *p, size_t n) {
    unsigned char *c = zmalloc(n ? n : 1);
    if (n) memcpy(c, p, n);
    return c;
}

static void putU32le(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Walks with the iterator; returns entries seen, or -1 on error. Also checks
 * the iterator keeps returning its final state. */
static long walk(const unsigned char *zl, size_t size) {
    ziplistIter it;
    ziplistEntry e;
    long n = 0;
    int rc;
    ziplistIterInit(&it, zl, size);
    while ((rc = ziplistIterNext(&it, &e)) == 1) {
        assert_true(e.offset >= ZIPLIST_HEADER_SIZE && e.offset + e.size <= size - 1);
        if (e.sval) assert_true(e.sval >= zl && e.sval + e.slen <= zl + size - 1);
        n++;
    }
    assert_int_equal(ziplistIterNext(&it, &e), rc);
    return rc < 0 ? -1 : n;
}

/* ---- payloads -> ziplist blobs ------------------------------------------------------- */

typedef struct {
    int type;
    size_t n;
    dstr blob[64];
} payloadBlobs;

/* The ziplist(s) inside a DUMP payload of type 10, 12, 13 (one RDB string)
 * or 14 (node count, then one RDB string per node). */
static void extractBlobs(const unsigned char *payload, size_t len, payloadBlobs *out) {
    memset(out, 0, sizeof(*out));
    assert_true(len > 11);
    out->type = payload[0];
    rio r;
    rioInitReader(&r, payload + 1, len - 11);
    uint64_t nodes = 1;
    if (out->type == 14) assert_int_equal(rioReadLen(&r, &nodes, NULL), RIO_OK);
    else assert_true(out->type == 10 || out->type == 12 || out->type == 13);
    assert_true(nodes <= 64);
    for (uint64_t i = 0; i < nodes; i++) {
        out->blob[i] = rioReadString(&r);
        assert_non_null(out->blob[i]);
        out->n++;
    }
    assert_int_equal(rioRemaining(&r), 0);
}

static void freeBlobs(payloadBlobs *b) {
    for (size_t i = 0; i < b->n; i++) dstrfree(b->blob[i]);
}

static const char *encodingName(const ziplistEntry *e) {
    if (e->sval) return e->encoding < 0x40 ? "str_6bit_len" : e->encoding < 0x80 ? "str_14bit_len" : "str_32bit_len";
    switch (e->encoding) {
    case 0xc0: return "int16";
    case 0xd0: return "int32";
    case 0xe0: return "int64";
    case 0xf0: return "int24";
    case 0xfe: return "int8";
    default: return "imm4bit";
    }
}

typedef struct {
    size_t entries;
    size_t prevlen5;
    const char *encodings[16];
    size_t nenc;
} cbStats;

static int statsCallback(const ziplistEntry *e, unsigned int header_count, void *ud) {
    cbStats *st = ud;
    (void)header_count;
    st->entries++;
    const char *name = encodingName(e);
    size_t i;
    for (i = 0; i < st->nenc; i++)
        if (!strcmp(st->encodings[i], name)) break;
    if (i == st->nenc) st->encodings[st->nenc++] = name;
    return 1;
}

/* Entries of all blobs, as byte strings, in order. */
typedef struct {
    size_t n;
    dstr *items;
    size_t prevlen5;
} entryList;

static void collect(const payloadBlobs *b, entryList *out) {
    memset(out, 0, sizeof(*out));
    for (size_t k = 0; k < b->n; k++) {
        ziplistIter it;
        ziplistEntry e;
        int rc;
        ziplistIterInit(&it, (const unsigned char *)b->blob[k], dstrlen(b->blob[k]));
        while ((rc = ziplistIterNext(&it, &e)) == 1) {
            char buf[ZIPLIST_INT_STR_SIZE];
            size_t len;
            const unsigned char *p = ziplistEntryBytes(&e, buf, &len);
            out->items = zrealloc(out->items, (out->n + 1) * sizeof(dstr));
            out->items[out->n++] = dstrnewlen(p, len);
            if (b->blob[k][e.offset] == (char)0xfe) out->prevlen5++;
        }
        assert_int_equal(rc, 0);
    }
}

static void freeEntries(entryList *l) {
    for (size_t i = 0; i < l->n; i++) dstrfree(l->items[i]);
    zfree(l->items);
}

static int cmpStr(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Checks one key vector whose payload holds ziplists against its layout and
 * the reads Redis 7.0.15 gave after RESTORE. */
static void checkZiplistVector(const char *file, const jval *v) {
    const char *name = jstr(v, "name");
    const jval *layout = jget(v, "layout");
    size_t len;
    unsigned char *payload = unhex(jstr(v, "dump_hex"), &len);
    payloadBlobs b;
    extractBlobs(payload, len, &b);

    /* Deep validation with a callback; stats vs layout. */
    cbStats st = {0};
    for (size_t k = 0; k < b.n; k++) {
        const unsigned char *zl = (const unsigned char *)b.blob[k];
        size_t size = dstrlen(b.blob[k]);
        if (!ziplistValidateIntegrity(zl, size, 1, statsCallback, &st))
            fail_msg("%s %s: node %zu rejected", file, name, k);
        assert_int_equal(ziplistValidateIntegrity(zl, size, 0, NULL, NULL), 1);
        assert_int_equal(ziplistCount(zl, size), (size_t)walk(zl, size));
    }
    const jval *encs = jget(layout, "ziplist_encodings");
    assert_non_null(encs);
    assert_int_equal(st.nenc, encs->n);
    qsort(st.encodings, st.nenc, sizeof(char *), cmpStr);
    for (size_t i = 0; i < encs->n; i++) assert_string_equal(st.encodings[i], encs->items[i]->s);
    const jval *zentries = jget(layout, "ziplist_entries");
    if (zentries) assert_int_equal(st.entries, (size_t)zentries->num);
    const jval *zbytes = jget(layout, "ziplist_bytes");
    if (zbytes) assert_int_equal(dstrlen(b.blob[0]), (size_t)zbytes->num);
    const jval *nodes = jget(layout, "quicklist_nodes");
    if (nodes) assert_int_equal(b.n, (size_t)nodes->num);

    entryList l;
    collect(&b, &l);
    assert_int_equal(l.n, st.entries);
    const jval *p5 = jget(layout, "ziplist_prevlen_5_bytes");
    assert_int_equal(l.prevlen5, p5 ? (size_t)p5->num : 0);

    /* Against the reads on Redis 7.0.15. */
    const jval *expect = jget(v, "expect");
    if (b.type == 10 || b.type == 14) {
        if (expect) {
            assert_int_equal(l.n, expect->n);
            for (size_t i = 0; i < l.n; i++) {
                size_t elen;
                unsigned char *want = jbytes(expect->items[i], &elen);
                assert_int_equal(dstrlen(l.items[i]), elen);
                assert_memory_equal(l.items[i], want, elen);
                zfree(want);
            }
        } else {
            const jval *dig = jget(v, "expect_digest");
            assert_non_null(dig);
            assert_int_equal(l.n, (size_t)jget(dig, "count")->num);
            SHA2_CTX ctx;
            char hex[SHA256_DIGEST_STRING_LENGTH];
            SHA256Init(&ctx);
            for (size_t i = 0; i < l.n; i++) {
                if (i) SHA256Update(&ctx, (const uint8_t *)"\n", 1);
                SHA256Update(&ctx, (const uint8_t *)l.items[i], dstrlen(l.items[i]));
            }
            SHA256End(&ctx, hex);
            assert_string_equal(hex, jstr(dig, "sha256_of_elements_joined_by_LF"));
        }
    } else if (b.type == 13) {
        /* HGETALL, field order = ziplist order. */
        assert_int_equal(l.n, expect->n);
        for (size_t i = 0; i < l.n; i++) {
            size_t elen;
            unsigned char *want = jbytes(expect->items[i], &elen);
            assert_int_equal(dstrlen(l.items[i]), elen);
            assert_memory_equal(l.items[i], want, elen);
            zfree(want);
        }
    } else {
        /* ZRANGE WITHSCORES: member bytes equal, scores equal as doubles. */
        assert_int_equal(l.n, expect->n);
        for (size_t i = 0; i < l.n; i += 2) {
            assert_string_equal(l.items[i], expect->items[i]->s);
            double got = strtod(l.items[i + 1], NULL), want = strtod(expect->items[i + 1]->s, NULL);
            assert_true(got == want);
            assert_int_equal(signbit(got), signbit(want));
        }
    }
    freeEntries(&l);
    freeBlobs(&b);
    zfree(payload);
}

/* ---- tests: recorded vectors -------------------------------------------------------- */

/* The docs RESTORE example: a type-10 ziplist of the int16 entries 1, 2, 3. */
static void test_seed_docs_example(void **state) {
    (void)state;
    jval *all = loadVectors("redis-7.0.15/seeds.json");
    const jval *v = NULL;
    for (size_t i = 0; i < all->n; i++)
        if (!strcmp(jstr(all->items[i], "name"), "docs_restore_list_ziplist")) v = all->items[i];
    assert_non_null(v);
    size_t len;
    unsigned char *payload = unhex(jstr(v, "payload_hex"), &len);
    payloadBlobs b;
    extractBlobs(payload, len, &b);
    assert_int_equal(b.type, 10);
    assert_int_equal(b.n, 1);
    const unsigned char *zl = (const unsigned char *)b.blob[0];
    size_t size = dstrlen(b.blob[0]);
    assert_int_equal(size, 23);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 1);
    assert_int_equal(ziplistHeaderCount(zl), 3);
    assert_int_equal(ziplistCount(zl, size), 3);
    ziplistIter it;
    ziplistEntry e;
    ziplistIterInit(&it, zl, size);
    for (long long want = 1; want <= 3; want++) {
        assert_int_equal(ziplistIterNext(&it, &e), 1);
        assert_null(e.sval);
        assert_int_equal(e.lval, want);
        assert_int_equal(e.encoding, 0xc0);
        assert_int_equal(e.size, 4);
        assert_int_equal(e.prevlen, want == 1 ? 0 : 4);
        assert_int_equal(e.offset, 10 + 4 * (want - 1));
    }
    assert_int_equal(ziplistIterNext(&it, &e), 0);
    /* The vector's decode, and Redis's LRANGE reply. */
    const jval *reply = jget(jget(v, "redis_7_0_15")->items[1], "reply");
    entryList l;
    collect(&b, &l);
    assert_int_equal(l.n, reply->n);
    for (size_t i = 0; i < l.n; i++) assert_string_equal(l.items[i], reply->items[i]->s);
    freeEntries(&l);
    freeBlobs(&b);
    zfree(payload);
    jfree(all);
}

static void test_recorded_vectors(void **state) {
    (void)state;
    static const char *const files[] = {"redis-6.2.16/lists.json", "redis-6.2.16/zsets.json",
                                        "redis-6.2.16/hashes.json", "legacy-rdb-assets/lists.json",
                                        "legacy-rdb-assets/zsets.json", "legacy-rdb-assets/hashes.json"};
    size_t checked = 0;
    for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
        jval *all = loadVectors(files[f]);
        for (size_t i = 0; i < all->n; i++) {
            const jval *v = all->items[i];
            int type = (int)jget(jget(v, "layout"), "rdb_type")->num;
            if (type != 10 && type != 12 && type != 13 && type != 14) continue;
            checkZiplistVector(files[f], v);
            checked++;
        }
        jfree(all);
    }
    /* 6.2.16: 13 lists + 4 zsets + 4 hashes; legacy: 3 lists + 3 zsets + 2 hashes. */
    assert_int_equal(checked, 29);
}

/* Refused payloads: the empty ziplists are structurally valid (emptiness is
 * the loader's call), the 5-byte "xxxxx" blob is not a ziplist. */
static void test_refused_vectors(void **state) {
    (void)state;
    jval *all = loadVectors("legacy-rdb-assets/refused.json");
    size_t empty = 0, bogus = 0;
    for (size_t i = 0; i < all->n; i++) {
        const jval *v = all->items[i];
        const char *name = jstr(v, "name");
        size_t len;
        unsigned char *payload = unhex(jstr(v, "dump_hex"), &len);
        int type = payload[0];
        if (type == 10 || type == 12 || type == 13 || type == 14) {
            payloadBlobs b;
            extractBlobs(payload, len, &b);
            for (size_t k = 0; k < b.n; k++) {
                const unsigned char *zl = (const unsigned char *)b.blob[k];
                size_t size = dstrlen(b.blob[k]);
                if (strstr(name, "key:000000000091")) {
                    assert_int_equal(size, 5);
                    assert_int_equal(ziplistValidateIntegrity(zl, size, 0, NULL, NULL), 0);
                    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 0);
                    assert_int_equal(walk(zl, size), -1);
                    assert_true(ziplistCount(zl, size) == SIZE_MAX);
                    bogus++;
                } else {
                    assert_int_equal(size, 11);
                    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 1);
                    assert_int_equal(ziplistCount(zl, size), 0);
                    assert_int_equal(walk(zl, size), 0);
                    empty++;
                }
            }
            freeBlobs(&b);
        }
        zfree(payload);
    }
    assert_int_equal(bogus, 1);
    assert_int_equal(empty, 7); /* 3 in corrupt_empty_keys, 4 in its 6.2.16 version */
    jfree(all);
}

/* Redis 6.2.16 errors.json: hand-built type-14 payloads that Redis 7.0.15
 * refuses because of the ziplist (bad zllen, bad zlbytes, bad zltail). */
static void test_error_cases(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int shallow, deep;
    } cases[] = {
        {"quicklist_ziplist_ok", 1, 1},
        {"quicklist_ziplist_bad_count_valid_crc", 1, 0},
        {"quicklist_ziplist_bad_total_bytes_valid_crc", 0, 0},
        {"quicklist_ziplist_bad_tail_valid_crc", 1, 0},
        {"quicklist_empty_ziplist_node", 1, 1},
    };
    jval *all = loadVectors("redis-6.2.16/errors.json");
    for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
        const jval *v = NULL;
        for (size_t i = 0; i < all->n; i++)
            if (!strcmp(jstr(all->items[i], "name"), cases[c].name)) v = all->items[i];
        assert_non_null(v);
        const jval *cmd = jget(jget(v, "steps")->items[0], "command");
        size_t len;
        unsigned char *payload = unhex(jstr(cmd->items[3], "hex"), &len);
        payloadBlobs b;
        extractBlobs(payload, len, &b);
        assert_int_equal(b.n, 1);
        const unsigned char *zl = (const unsigned char *)b.blob[0];
        size_t size = dstrlen(b.blob[0]);
        if (ziplistValidateIntegrity(zl, size, 0, NULL, NULL) != cases[c].shallow ||
            ziplistValidateIntegrity(zl, size, 1, NULL, NULL) != cases[c].deep)
            fail_msg("%s: unexpected validation result", cases[c].name);
        freeBlobs(&b);
        zfree(payload);
    }
    jfree(all);
}

/* ---- tests: hand-built ziplists ----------------------------------------------------- */

static void test_all_encodings(void **state) {
    (void)state;
    static char big14[300], big32[17000];
    memset(big14, 'y', sizeof(big14));
    memset(big32, 'z', sizeof(big32));
    const buildEntry in[] = {
        {NULL, 0, 0xf1, 0, 0},                      /* imm 0 */
        {NULL, 0, 0xfd, 12, 0},                     /* imm 12 */
        {NULL, 0, 0xfe, -128, 0},                   /* int8 */
        {NULL, 0, 0xfe, 127, 0},
        {NULL, 0, 0xc0, -32768, 0},                 /* int16 */
        {NULL, 0, 0xc0, 32767, 0},
        {NULL, 0, 0xf0, -8388608, 0},               /* int24 */
        {NULL, 0, 0xf0, 8388607, 0},
        {NULL, 0, 0xd0, INT32_MIN, 0},              /* int32 */
        {NULL, 0, 0xd0, INT32_MAX, 0},
        {NULL, 0, 0xe0, INT64_MIN, 0},              /* int64 */
        {NULL, 0, 0xe0, INT64_MAX, 0},
        {"", 0, 0, 0, 0},                           /* empty string */
        {"hello", 5, 0, 0, 0},
        {big14, 63, 0, 0, 0},                       /* 6-bit max */
        {big14, 64, 0, 0, 0},                       /* 14-bit */
        {big14, sizeof(big14), 0, 0, 0},            /* prevlen of next >= 254 */
        {"after-big", 9, 0, 0, 0},
        {"wide", 4, 0, 0, 1},                       /* 5-byte prevlen holding 12 */
        {"x", 1, 0x40, 0, 0},                       /* 14-bit form of a short string */
        {big32, sizeof(big32), 0, 0, 0},            /* 32-bit length */
        {"y", 1, 0x80, 0, 0},                       /* 32-bit form of a short string */
        {"z", 1, 0xbf, 0, 0},                       /* 10xxxxxx, non-zero low bits */
        {NULL, 0, 0xf5, 4, 0},
    };
    const size_t count = sizeof(in) / sizeof(*in);
    size_t size;
    unsigned char *zl = buildZiplist(in, count, -1, &size);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 1);
    assert_int_equal(ziplistCount(zl, size), count);
    ziplistIter it;
    ziplistEntry e;
    ziplistIterInit(&it, zl, size);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(ziplistIterNext(&it, &e), 1);
        if (in[i].str) {
            assert_non_null(e.sval);
            assert_int_equal(e.slen, in[i].slen);
            assert_memory_equal(e.sval, in[i].str, in[i].slen);
        } else {
            assert_null(e.sval);
            assert_true(e.lval == in[i].val);
            assert_int_equal(e.encoding, in[i].enc);
            char buf[ZIPLIST_INT_STR_SIZE], want[32];
            size_t len;
            const unsigned char *p = ziplistEntryBytes(&e, buf, &len);
            snprintf(want, sizeof(want), "%lld", in[i].val);
            assert_int_equal(len, strlen(want));
            assert_memory_equal(p, want, len);
        }
    }
    assert_int_equal(ziplistIterNext(&it, &e), 0);
    assert_int_equal(ziplistIterNext(&it, &e), 0);
    zfree(zl);

    /* zllen 65535 means "count them": any real count is accepted. */
    zl = buildZiplist(in, 3, ZIPLIST_LEN_UNKNOWN, &size);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 1);
    assert_int_equal(ziplistCount(zl, size), 3);
    zfree(zl);
    /* A wrong count below 65535 is not. */
    zl = buildZiplist(in, 3, 4, &size);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 0, NULL, NULL), 1);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 0);
    zfree(zl);
    zl = buildZiplist(in, 3, 2, &size);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 0);
    zfree(zl);
    /* Empty. */
    zl = buildZiplist(in, 0, -1, &size);
    assert_int_equal(size, ZIPLIST_MIN_SIZE);
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, NULL, NULL), 1);
    assert_int_equal(walk(zl, size), 0);
    zfree(zl);
}

static int stopAtSecond(const ziplistEntry *e, unsigned int header_count, void *ud) {
    int *calls = ud;
    assert_int_equal(header_count, 3);
    (void)e;
    return ++*calls < 2;
}

static void test_callback(void **state) {
    (void)state;
    const buildEntry in[] = {{"a", 1, 0, 0, 0}, {"b", 1, 0, 0, 0}, {"c", 1, 0, 0, 0}};
    size_t size;
    unsigned char *zl = buildZiplist(in, 3, -1, &size);
    int calls = 0;
    assert_int_equal(ziplistValidateIntegrity(zl, size, 1, stopAtSecond, &calls), 0);
    assert_int_equal(calls, 2);
    /* Shallow validation never calls it. */
    calls = 0;
    assert_int_equal(ziplistValidateIntegrity(zl, size, 0, stopAtSecond, &calls), 1);
    assert_int_equal(calls, 0);
    zfree(zl);
}

/* Specific corruptions of a correct ziplist ["ab", 300, "cd"]. */
static void test_corruptions(void **state) {
    (void)state;
    const buildEntry in[] = {{"ab", 2, 0, 0, 0}, {NULL, 0, 0xc0, 300, 0}, {"cd", 2, 0, 0, 0}};
    size_t size;
    unsigned char *good = buildZiplist(in, 3, -1, &size);
    /* layout: 10 header | 00 02 'a' 'b' | 04 c0 2c 01 | 04 02 'c' 'd' | ff */
    assert_int_equal(size, 23);
    assert_int_equal(ziplistValidateIntegrity(good, size, 1, NULL, NULL), 1);
    static const struct {
        const char *what;
        size_t off;
        unsigned char val;
        int shallow;
    } bad[] = {
        {"zlbytes too big", 0, 24, 0},
        {"zlbytes too small", 0, 22, 0},
        {"zltail beyond end", 4, 23, 0},
        {"zltail on the end byte", 4, 22, 1},
        {"zltail on the middle entry", 4, 14, 1},
        {"first prevlen not 0", 10, 1, 1},
        {"second prevlen wrong", 14, 3, 1},
        {"third prevlen wrong", 18, 5, 1},
        {"prevlen 0xff", 14, 0xff, 1},
        {"invalid int encoding c1", 15, 0xc1, 1},
        {"invalid int encoding d5", 15, 0xd5, 1},
        {"invalid int encoding e1", 15, 0xe1, 1},
        {"invalid int encoding ff", 15, 0xff, 1},
        {"string longer than the ziplist", 11, 0x3f, 1},
        {"string runs into the end byte", 19, 0x03, 1},
        {"end marker not last", 22, 0x00, 0},
        {"0xff where an entry starts", 18, 0xff, 1},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        unsigned char *zl = dupBytes(good, size);
        zl[bad[i].off] = bad[i].val;
        if (ziplistValidateIntegrity(zl, size, 0, NULL, NULL) != bad[i].shallow)
            fail_msg("%s: shallow check", bad[i].what);
        if (ziplistValidateIntegrity(zl, size, 1, NULL, NULL) != 0) fail_msg("%s: accepted", bad[i].what);
        walk(zl, size);
        zfree(zl);
    }
    /* A 5-byte prevlen that runs past the end. */
    unsigned char tiny[] = {13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0xfe, 0, 0xff};
    assert_int_equal(ziplistValidateIntegrity(tiny, sizeof(tiny), 0, NULL, NULL), 1);
    assert_int_equal(ziplistValidateIntegrity(tiny, sizeof(tiny), 1, NULL, NULL), 0);
    /* A 32-bit string length of 4 GB. */
    unsigned char huge[] = {18, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff, 'a', 0xff};
    assert_int_equal(ziplistValidateIntegrity(huge, sizeof(huge), 0, NULL, NULL), 1);
    assert_int_equal(ziplistValidateIntegrity(huge, sizeof(huge), 1, NULL, NULL), 0);
    /* A 14-bit length header cut by the end byte. */
    unsigned char cut14[] = {13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0x00, 0x40, 0xff};
    assert_int_equal(ziplistValidateIntegrity(cut14, sizeof(cut14), 0, NULL, NULL), 1);
    assert_int_equal(ziplistValidateIntegrity(cut14, sizeof(cut14), 1, NULL, NULL), 0);
    /* An int64 whose data crosses the end. */
    unsigned char cut64[] = {16, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0x00, 0xe0, 1, 2, 3, 0xff};
    assert_int_equal(ziplistValidateIntegrity(cut64, sizeof(cut64), 0, NULL, NULL), 1);
    assert_int_equal(ziplistValidateIntegrity(cut64, sizeof(cut64), 1, NULL, NULL), 0);
    /* The same entry with its 8 data bytes present is fine: -1 as int64. */
    unsigned char ok64[] = {21, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(ziplistValidateIntegrity(ok64, sizeof(ok64), 1, NULL, NULL), 1);
    ziplistIter it;
    ziplistEntry e;
    ziplistIterInit(&it, ok64, sizeof(ok64));
    assert_int_equal(ziplistIterNext(&it, &e), 1);
    assert_true(e.lval == -1);
    assert_int_equal(ziplistIterNext(&it, &e), 0);
    /* Too short / NULL. */
    assert_int_equal(ziplistValidateIntegrity(good, 10, 0, NULL, NULL), 0);
    assert_int_equal(ziplistValidateIntegrity(NULL, 0, 1, NULL, NULL), 0);
    assert_true(ziplistCount(good, 5) == SIZE_MAX);
    zfree(good);
}

/* Hand-built ziplists RESTOREd on Redis 7.0.15 as type 10 and as a one-node
 * type 14 (recorded while writing this module: port 7391, default settings,
 * footer version 9); both replies were the same. Deep validation agrees with
 * Redis on each, including the forms Redis never writes but accepts. */
static void test_redis_acceptance(void **state) {
    (void)state;
    static const struct {
        const char *name, *hex;
        int redis_ok;
        long entries;
    } cases[] = {
        {"plain", "110000000d0000000200000161030162ff", 1, 2},
        {"5-byte prevlen holding 3", "150000000d0000000200000161fe030000000162ff", 1, 2},
        {"string encoding 0xbf", "150000000d000000020000016103bf0000000162ff", 1, 2},
        {"string encoding 0x80", "150000000d000000020000016103800000000162ff", 1, 2},
        {"14-bit length for 1 byte", "0f0000000a000000010000400161ff", 1, 1},
        {"zllen 65535", "110000000d000000ffff000161030162ff", 1, 2},
        {"zllen 3 for 2 entries", "110000000d0000000300000161030162ff", 0, 2},
        {"zltail on the first entry", "110000000a0000000200000161030162ff", 0, 2},
        {"immediates 0 and 12", "0f0000000c000000020000f102fdff", 1, 2},
        {"encoding 0xc1", "0f0000000a000000010000c10000ff", 0, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        size_t size;
        unsigned char *hex = unhex(cases[i].hex, &size);
        unsigned char *zl = dupBytes(hex, size);
        zfree(hex);
        if (ziplistValidateIntegrity(zl, size, 1, NULL, NULL) != cases[i].redis_ok)
            fail_msg("%s: differs from Redis", cases[i].name);
        if (walk(zl, size) != cases[i].entries) fail_msg("%s: iteration count", cases[i].name);
        zfree(zl);
    }
}

/* ---- tests: mutations ---------------------------------------------------------------- */

/* Every truncation (raw, and with zlbytes and the end byte patched so the
 * walk reaches the cut) and every single-byte change (each byte set to
 * several values) must be rejected or, if accepted, iterate cleanly with
 * the header's count. Runs on exact-size heap copies (ASan). */
static void mutateBlob(const char *what, const unsigned char *blob, size_t size) {
    assert_int_equal(ziplistValidateIntegrity(blob, size, 1, NULL, NULL), 1);
    size_t accepted = 0;
    for (size_t cut = 0; cut < size; cut++) {
        unsigned char *zl = dupBytes(blob, cut);
        assert_int_equal(ziplistValidateIntegrity(zl, cut, 1, NULL, NULL), 0);
        walk(zl, cut);
        if (cut >= ZIPLIST_MIN_SIZE) {
            putU32le(zl, (uint32_t)cut);
            zl[cut - 1] = ZIPLIST_END;
            if (ziplistValidateIntegrity(zl, cut, 1, NULL, NULL)) {
                accepted++;
                assert_true(walk(zl, cut) >= 0);
            } else {
                walk(zl, cut);
            }
        }
        zfree(zl);
    }
    static const unsigned char deltas[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x7f};
    for (size_t pos = 0; pos < size; pos++) {
        for (size_t d = 0; d < sizeof(deltas); d++) {
            unsigned char *zl = dupBytes(blob, size);
            zl[pos] ^= deltas[d];
            if (ziplistValidateIntegrity(zl, size, 1, NULL, NULL)) {
                accepted++;
                long n = walk(zl, size);
                assert_true(n >= 0);
                unsigned hc = ziplistHeaderCount(zl);
                if (hc != ZIPLIST_LEN_UNKNOWN) assert_int_equal((unsigned long)n, hc);
                assert_int_equal(ziplistCount(zl, size), (size_t)n);
            } else {
                walk(zl, size);
                ziplistCount(zl, size);
            }
            zfree(zl);
        }
    }
    (void)what;
    (void)accepted;
}

static void test_mutations(void **state) {
    (void)state;
    /* The docs example ziplist [1, 2, 3]. */
    jval *all = loadVectors("redis-7.0.15/seeds.json");
    size_t len;
    unsigned char *payload = unhex(jstr(all->items[0], "payload_hex"), &len);
    payloadBlobs b;
    extractBlobs(payload, len, &b);
    mutateBlob("docs example", (const unsigned char *)b.blob[0], dstrlen(b.blob[0]));
    freeBlobs(&b);
    zfree(payload);
    jfree(all);

    /* 6.2.16 blobs: every int width; 5-byte prevlens; immediates + strings. */
    static const struct {
        const char *file, *name;
    } picks[] = {
        {"redis-6.2.16/lists.json", "ziplist_int_widths"},
        {"redis-6.2.16/lists.json", "small_strings"},
        {"redis-6.2.16/hashes.json", "listpack_small"},
        {"redis-6.2.16/zsets.json", "listpack_int_scores"},
        {"legacy-rdb-assets/lists.json", "encodings/list_zipped"},
    };
    for (size_t i = 0; i < sizeof(picks) / sizeof(*picks); i++) {
        all = loadVectors(picks[i].file);
        const jval *v = NULL;
        for (size_t k = 0; k < all->n; k++)
            if (!strcmp(jstr(all->items[k], "name"), picks[i].name)) v = all->items[k];
        assert_non_null(v);
        payload = unhex(jstr(v, "dump_hex"), &len);
        extractBlobs(payload, len, &b);
        mutateBlob(picks[i].name, (const unsigned char *)b.blob[0], dstrlen(b.blob[0]));
        freeBlobs(&b);
        zfree(payload);
        jfree(all);
    }

    /* A ziplist with 5-byte prevlens (a 300-byte string before short ones). */
    static char big[300];
    memset(big, 'q', sizeof(big));
    const buildEntry in[] = {{big, sizeof(big), 0, 0, 0}, {"a", 1, 0, 0, 0}, {"b", 1, 0, 0, 1},
                             {NULL, 0, 0xf0, -5, 0}};
    size_t size;
    unsigned char *zl = buildZiplist(in, 4, -1, &size);
    mutateBlob("wide prevlens", zl, size);
    zfree(zl);
}

/* ---- the writer (ziplistWriter): Redis 6.2's layout, byte for byte --------------- */

/* Rebuild a ziplist from its decoded entries with the writer. */
static unsigned char *rewrite(const unsigned char *zl, size_t size, size_t *out_size) {
    size_t cap = ZIPLIST_MIN_SIZE;
    ziplistIter it;
    ziplistEntry e;
    ziplistIterInit(&it, zl, size);
    while (ziplistIterNext(&it, &e) == 1) cap += ZIPLIST_ENTRY_MAX_SIZE(e.sval ? e.slen : 8);
    unsigned char *buf = zmalloc(cap);
    ziplistWriter w;
    ziplistWriterInit(&w, buf, cap);
    ziplistIterInit(&it, zl, size);
    while (ziplistIterNext(&it, &e) == 1) {
        if (e.sval) ziplistWriterAppend(&w, e.sval, e.slen);
        else ziplistWriterAppendInteger(&w, e.lval);
    }
    *out_size = ziplistWriterFinish(&w);
    return buf;
}

/* Every ziplist Redis 6.2.16 wrote in the recorded payloads (list nodes,
 * zset and hash ziplists) is rebuilt byte for byte from its entries. */
static void test_writer_matches_redis62(void **state) {
    (void)state;
    static const char *const files[] = {"redis-6.2.16/lists.json", "redis-6.2.16/zsets.json",
                                        "redis-6.2.16/hashes.json"};
    size_t blobs = 0;
    for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
        jval *all = loadVectors(files[f]);
        for (size_t i = 0; i < all->n; i++) {
            const jval *v = all->items[i];
            int type = (int)jget(jget(v, "layout"), "rdb_type")->num;
            if (type != 12 && type != 13 && type != 14) continue;
            size_t len;
            unsigned char *payload = unhex(jstr(v, "dump_hex"), &len);
            payloadBlobs b;
            extractBlobs(payload, len, &b);
            for (size_t k = 0; k < b.n; k++) {
                const unsigned char *zl = (const unsigned char *)b.blob[k];
                size_t size = dstrlen(b.blob[k]), got_size;
                unsigned char *got = rewrite(zl, size, &got_size);
                if (got_size != size || memcmp(got, zl, size))
                    fail_msg("%s %s node %zu: writer differs", files[f], jstr(v, "name"), k);
                zfree(got);
                blobs++;
            }
            freeBlobs(&b);
            zfree(payload);
        }
        jfree(all);
    }
    fprintf(stderr, "ziplist writer: %zu Redis 6.2.16 ziplists rebuilt byte for byte\n", blobs);
    assert_true(blobs >= 40);
}

/* Encodings at their boundaries, strings that look like integers, prevlen
 * widths, the 65535 count cap and the buffer check. */
static void test_writer_forms(void **state) {
    (void)state;
    static const long long ints[] = {0, 12, 13, -1, 127, -128, 128, 32767, -32768, 32768, 8388607, -8388608,
                                     8388608, 2147483647, -2147483648LL, 2147483648LL, INT64_MAX, INT64_MIN};
    static const unsigned char encs[] = {0xf1, 0xfd, 0xfe, 0xfe, 0xfe, 0xfe, 0xc0, 0xc0, 0xc0, 0xf0, 0xf0, 0xf0,
                                         0xd0, 0xd0, 0xd0, 0xe0, 0xe0, 0xe0};
    unsigned char buf[4096];
    ziplistWriter w;
    ziplistWriterInit(&w, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) ziplistWriterAppendInteger(&w, ints[i]);
    /* canonical integer text becomes an integer; the rest stays a string */
    const char *texts[] = {"42", "-7", "007", "-0", "+1", "1.5", "", "9223372036854775808", "-9223372036854775808"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
        ziplistWriterAppend(&w, (const unsigned char *)texts[i], strlen(texts[i]));
    unsigned char big[300];
    memset(big, 'b', sizeof(big));
    ziplistWriterAppend(&w, big, 63);
    ziplistWriterAppend(&w, big, 64);
    ziplistWriterAppend(&w, big, 300); /* the next entry gets a 5-byte prevlen */
    ziplistWriterAppend(&w, (const unsigned char *)"z", 1);
    size_t size = ziplistWriterFinish(&w);
    assert_true(size > 0);
    assert_int_equal(ziplistValidateIntegrity(buf, size, 1, NULL, NULL), 1);
    ziplistIter it;
    ziplistEntry e;
    ziplistIterInit(&it, buf, size);
    for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
        assert_int_equal(ziplistIterNext(&it, &e), 1);
        assert_null(e.sval);
        assert_true(e.lval == ints[i]);
        assert_int_equal(e.encoding, encs[i]);
    }
    static const int is_int[] = {1, 1, 0, 0, 0, 0, 0, 0, 1};
    for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
        assert_int_equal(ziplistIterNext(&it, &e), 1);
        assert_int_equal(e.sval == NULL, is_int[i]);
        char nb[ZIPLIST_INT_STR_SIZE];
        size_t l;
        const unsigned char *p = ziplistEntryBytes(&e, nb, &l);
        assert_int_equal(l, strlen(texts[i]));
        assert_memory_equal(p, texts[i], l);
    }
    assert_int_equal(ziplistIterNext(&it, &e), 1);
    assert_int_equal(e.encoding, 63);
    assert_int_equal(ziplistIterNext(&it, &e), 1);
    assert_int_equal(e.encoding, 0x40);
    assert_int_equal(ziplistIterNext(&it, &e), 1);
    assert_int_equal(e.encoding, 0x41);
    assert_int_equal(ziplistIterNext(&it, &e), 1);
    assert_int_equal(e.prevlen, 303);
    assert_int_equal(buf[e.offset], 0xfe);
    assert_int_equal(ziplistIterNext(&it, &e), 0);
    assert_int_equal(ziplistHeaderCount(buf), 18 + 9 + 4);

    /* 70000 entries: zllen 65535, counted by walking */
    size_t cap = ZIPLIST_MIN_SIZE + 70000 * 2;
    unsigned char *many = zmalloc(cap);
    ziplistWriterInit(&w, many, cap);
    for (int i = 0; i < 70000; i++) ziplistWriterAppendInteger(&w, i % 13);
    size = ziplistWriterFinish(&w);
    assert_int_equal(size, cap);
    assert_int_equal(ziplistValidateIntegrity(many, size, 1, NULL, NULL), 1);
    assert_int_equal(ziplistHeaderCount(many), ZIPLIST_LEN_UNKNOWN);
    assert_int_equal(ziplistCount(many, size), 70000);
    /* a buffer one byte short fails cleanly */
    ziplistWriterInit(&w, many, cap - 1);
    for (int i = 0; i < 70000; i++) ziplistWriterAppendInteger(&w, i % 13);
    assert_int_equal(ziplistWriterFinish(&w), 0);
    zfree(many);
    /* an empty ziplist */
    ziplistWriterInit(&w, buf, ZIPLIST_MIN_SIZE);
    assert_int_equal(ziplistWriterFinish(&w), ZIPLIST_MIN_SIZE);
    assert_memory_equal(buf, "\x0b\x00\x00\x00\x0a\x00\x00\x00\x00\x00\xff", ZIPLIST_MIN_SIZE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_docs_example), cmocka_unit_test(test_recorded_vectors),
        cmocka_unit_test(test_refused_vectors),   cmocka_unit_test(test_error_cases),
        cmocka_unit_test(test_all_encodings),     cmocka_unit_test(test_callback),
        cmocka_unit_test(test_corruptions),       cmocka_unit_test(test_redis_acceptance),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_writer_matches_redis62), cmocka_unit_test(test_writer_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
