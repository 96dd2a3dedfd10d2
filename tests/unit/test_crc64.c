/* Unit tests for crc64: the check value, every recorded DUMP payload (whose
 * last 8 bytes are the CRC of the rest), and agreement between the table and
 * the PCLMULQDQ implementations on random data of every length 0..4096 at
 * every alignment, one-shot and incremental. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crc64.h"
#include "zmalloc.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Bit-at-a-time reference straight from the definition (reflected,
 * poly 0xad93d23594c935a9, init 0, no final xor). */
static uint64_t crcReference(uint64_t crc, const unsigned char *p, size_t len) {
    const uint64_t rpoly = 0x95ac9329ac4bc9b5ULL; /* 0xad93d23594c935a9 bit-reversed */
    while (len--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++) crc = (crc & 1) ? (crc >> 1) ^ rpoly : crc >> 1;
    }
    return crc;
}

static uint64_t load64le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* ---- vector files ------------------------------------------------------------------ */

static const char *vectorsDir(void) {
    static const char *const candidates[] = {"../shared/vectors", "../../shared/vectors", "/work/shared/vectors"};
    struct stat st;
    const char *env = getenv("CAIRN_VECTORS");
    if (env && *env) return env;
    for (size_t i = 0; i < sizeof(candidates) / sizeof(*candidates); i++)
        if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode)) return candidates[i];
    fail_msg("vector directory not found (set CAIRN_VECTORS)");
    return NULL;
}

static unsigned char *readVectorFile(const char *rel, size_t *len) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", vectorsDir(), rel);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = zmalloc((size_t)sz + 1);
    assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    buf[sz] = '\0';
    *len = (size_t)sz;
    return buf;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* A payload's last 8 bytes (LE) are the CRC of everything before them;
 * checked with all three entry points and the bit-at-a-time reference. */
static void checkPayload(const char *where, const unsigned char *p, size_t len) {
    if (len < 10) fail_msg("%s: payload of %zu bytes", where, len);
    uint64_t want = load64le(p + len - 8);
    uint64_t a = crc64Slice8(0, p, len - 8), b = crc64Clmul(0, p, len - 8), c = crc64(0, p, len - 8);
    if (a != want || b != want || c != want)
        fail_msg("%s: stored %016llx, slice8 %016llx, clmul %016llx, crc64 %016llx", where,
                 (unsigned long long)want, (unsigned long long)a, (unsigned long long)b,
                 (unsigned long long)c);
    if (len < 4096) assert_true(crcReference(0, p, len - 8) == want);
    /* Including the stored CRC, the remainder is 0. */
    assert_true(crc64(0, p, len) == 0);
}

/* Every "<field>": "<hex>" of a payload field in a JSON file. */
static size_t checkJsonFile(const char *rel) {
    static const char *const fields[] = {"\"dump_hex\": \"", "\"payload_hex\": \"",
                                         "\"redump_after_restore_hex\": \"", "\"redump_hex\": \""};
    size_t len, count = 0;
    char *text = (char *)readVectorFile(rel, &len);
    for (size_t f = 0; f < sizeof(fields) / sizeof(*fields); f++) {
        for (char *p = strstr(text, fields[f]); p; p = strstr(p, fields[f])) {
            p += strlen(fields[f]);
            char *end = strchr(p, '"');
            assert_non_null(end);
            size_t hexlen = (size_t)(end - p);
            assert_int_equal(hexlen % 2, 0);
            unsigned char *bytes = zmalloc(hexlen / 2 + 1);
            for (size_t i = 0; i < hexlen / 2; i++) {
                int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
                assert_true(hi >= 0 && lo >= 0);
                bytes[i] = (unsigned char)(hi << 4 | lo);
            }
            char where[256];
            snprintf(where, sizeof(where), "%s at offset %zu", rel, (size_t)(p - text));
            checkPayload(where, bytes, hexlen / 2);
            zfree(bytes);
            count++;
            p = end;
        }
    }
    zfree(text);
    return count;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_check_value(void **state) {
    (void)state;
    const uint64_t check = 0xe9c6d914c4b8d9caULL;
    assert_true(crc64(0, "123456789", 9) == check);
    assert_true(crc64Slice8(0, "123456789", 9) == check);
    assert_true(crc64Clmul(0, "123456789", 9) == check);
    assert_true(crcReference(0, (const unsigned char *)"123456789", 9) == check);
    /* Byte by byte. */
    uint64_t c = 0;
    for (int i = 0; i < 9; i++) c = crc64(c, "123456789" + i, 1);
    assert_true(c == check);
    /* Empty input leaves the CRC unchanged (NULL allowed). */
    assert_true(crc64(0, NULL, 0) == 0);
    assert_true(crc64(check, NULL, 0) == check);
    assert_true(crc64Slice8(12345, NULL, 0) == 12345);
    assert_true(crc64Clmul(12345, NULL, 0) == 12345);
    /* Known values: "hello" DUMP body of Redis 7.0.15 (errors.json). */
    const unsigned char hello[] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x0a, 0x00};
    assert_true(crc64(0, hello, sizeof(hello)) == 0x0a20346576df7263ULL);
}

static void test_cpu_detection(void **state) {
    (void)state;
    crc64Init();
    crc64Init(); /* idempotent */
#if defined(__x86_64__)
    __builtin_cpu_init();
    int want = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    assert_int_equal(crc64HasClmul(), want);
#else
    assert_int_equal(crc64HasClmul(), 0);
#endif
}

static void test_vector_payloads(void **state) {
    (void)state;
    static const char *const files[] = {
        "redis-7.0.15/strings.json",     "redis-7.0.15/lists.json",      "redis-7.0.15/sets.json",
        "redis-7.0.15/zsets.json",       "redis-7.0.15/hashes.json",     "redis-7.0.15/streams.json",
        "redis-7.0.15/functions.json",   "redis-7.0.15/seeds.json",      "redis-6.2.16/strings.json",
        "redis-6.2.16/lists.json",       "redis-6.2.16/sets.json",       "redis-6.2.16/zsets.json",
        "redis-6.2.16/hashes.json",      "redis-6.2.16/streams.json",    "valkey-55bbbe0/strings.json",
        "valkey-55bbbe0/lists.json",     "valkey-55bbbe0/sets.json",     "valkey-55bbbe0/zsets.json",
        "valkey-55bbbe0/hashes.json",    "valkey-55bbbe0/streams.json",  "valkey-55bbbe0/functions.json",
        "legacy-rdb-assets/strings.json", "legacy-rdb-assets/lists.json", "legacy-rdb-assets/sets.json",
        "legacy-rdb-assets/zsets.json",  "legacy-rdb-assets/hashes.json", "legacy-rdb-assets/refused.json",
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        size_t n = checkJsonFile(files[i]);
        if (n == 0) fail_msg("%s: no payloads found", files[i]);
        total += n;
    }
    /* 45 + 82 + 82 + 91 dump_hex, 3 payload_hex, 1 redump_hex, redumps. */
    assert_true(total >= 400);

    static const char *const bins[] = {
        "redis-7.0.15/strings.random_600k.bin",    "redis-7.0.15/sets.hashtable_100000.bin",
        "redis-6.2.16/strings.random_600k.bin",    "redis-6.2.16/sets.hashtable_100000.bin",
        "valkey-55bbbe0/strings.random_600k.bin",  "valkey-55bbbe0/sets.hashtable_100000.bin",
    };
    for (size_t i = 0; i < sizeof(bins) / sizeof(*bins); i++) {
        size_t len;
        unsigned char *p = readVectorFile(bins[i], &len);
        checkPayload(bins[i], p, len);
        /* Incremental over uneven pieces gives the same value. */
        uint64_t c = 0;
        size_t off = 0, piece = 1;
        while (off < len - 8) {
            size_t n = piece < len - 8 - off ? piece : len - 8 - off;
            c = crc64(c, p + off, n);
            off += n;
            piece = piece * 3 + 1;
        }
        assert_true(c == load64le(p + len - 8));
        zfree(p);
    }
}

/* Every length 0..4096 at alignments 0..15, with a random starting CRC:
 * slice-by-8, CLMUL, crc64() and the bit-at-a-time reference agree. */
static void test_random_lengths(void **state) {
    (void)state;
    const size_t maxlen = 4096;
    unsigned char *buf = zmalloc(maxlen + 16);
    for (size_t i = 0; i < maxlen + 16; i++) buf[i] = (unsigned char)rnd();
    for (size_t len = 0; len <= maxlen; len++) {
        size_t align = (size_t)(rnd() % 16);
        uint64_t seed = (len % 3 == 0) ? 0 : rnd();
        /* Exact-size heap copy so ASan catches any overread. */
        unsigned char *p = zmalloc(len + align);
        memcpy(p + align, buf + (len % 16), len);
        const unsigned char *data = p + align;
        uint64_t a = crc64Slice8(seed, data, len);
        uint64_t b = crc64Clmul(seed, data, len);
        uint64_t c = crc64(seed, data, len);
        if (a != b || a != c) fail_msg("len %zu align %zu: %016llx %016llx %016llx", len, align,
                                       (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
        if (len < 600 || len % 97 == 0) assert_true(crcReference(seed, data, len) == a);
        zfree(p);
    }
    /* Every alignment for a few lengths around the CLMUL block sizes. */
    static const size_t lens[] = {15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 383, 384, 1000};
    for (size_t i = 0; i < sizeof(lens) / sizeof(*lens); i++)
        for (size_t align = 0; align < 16; align++) {
            uint64_t want = crcReference(7, buf + align, lens[i]);
            assert_true(crc64Slice8(7, buf + align, lens[i]) == want);
            assert_true(crc64Clmul(7, buf + align, lens[i]) == want);
            assert_true(crc64(7, buf + align, lens[i]) == want);
        }
    zfree(buf);
}

/* Splitting a buffer anywhere, into any number of pieces, gives the one-shot
 * CRC, with either implementation for the pieces. */
static void test_incremental(void **state) {
    (void)state;
    const size_t len = 20000;
    unsigned char *buf = zmalloc(len);
    for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)rnd();
    uint64_t whole = crc64Slice8(0, buf, len);
    assert_true(crc64Clmul(0, buf, len) == whole);
    for (size_t cut = 0; cut <= 600; cut++) {
        assert_true(crc64(crc64(0, buf, cut), buf + cut, len - cut) == whole);
        assert_true(crc64Clmul(crc64Slice8(0, buf, cut), buf + cut, len - cut) == whole);
        assert_true(crc64Slice8(crc64Clmul(0, buf, cut), buf + cut, len - cut) == whole);
    }
    for (int round = 0; round < 200; round++) {
        uint64_t c = 0;
        size_t off = 0;
        int impl = 0;
        while (off < len) {
            size_t n = (size_t)(rnd() % 700);
            if (n > len - off) n = len - off;
            c = (impl++ % 2) ? crc64Clmul(c, buf + off, n) : crc64Slice8(c, buf + off, n);
            off += n;
        }
        assert_true(c == whole);
    }
    zfree(buf);
}

/* Large buffers (bulk of the 8-lane folding loop) with a nonzero start. */
static void test_large(void **state) {
    (void)state;
    const size_t len = (3u << 20) + 77;
    unsigned char *buf = zmalloc(len);
    for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)rnd();
    for (size_t off = 0; off < 9; off++) {
        uint64_t seed = rnd();
        assert_true(crc64Slice8(seed, buf + off, len - off) == crc64Clmul(seed, buf + off, len - off));
    }
    /* Appending the CRC little-endian gives a remainder of 0. */
    uint64_t c = crc64(0, buf, len - 8);
    for (int i = 0; i < 8; i++) buf[len - 8 + i] = (unsigned char)(c >> (8 * i));
    assert_true(crc64(0, buf, len) == 0);
    assert_true(crc64Slice8(0, buf, len) == 0);
    /* All zeros: CRC 0 (init 0, no final xor). */
    memset(buf, 0, len);
    assert_true(crc64(0, buf, len) == 0);
    zfree(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),   cmocka_unit_test(test_cpu_detection),
        cmocka_unit_test(test_vector_payloads), cmocka_unit_test(test_random_lengths),
        cmocka_unit_test(test_incremental),   cmocka_unit_test(test_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
