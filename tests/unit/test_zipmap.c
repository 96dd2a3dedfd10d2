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

/* ---- vector files: a small JSON reader (test helper) ----------------------
 * The recorded vectors live in ../shared/vectors (CI layout: the repository
 * with ../shared beside it), or where $CAIRN_VECTORS points. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jval {
    jtype t;
    double num;         /* J_NUM, J_BOOL (0/1) */
    char *s;            /* J_STR: decoded bytes, NUL-terminated */
    size_t slen;
    struct jval **items; /* J_ARR / J_OBJ values */
    char **keys;         /* J_OBJ keys */
    size_t n;
} jval;

typedef struct { const char *p, *end; } jcur;

static void jskip(jcur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) c->p++;
}

static jval *jnew(jtype t) {
    jval *v = zcalloc(sizeof(*v));
    v->t = t;
    return v;
}

static void jfree(jval *v) {
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) {
        jfree(v->items[i]);
        if (v->keys) zfree(v->keys[i]);
    }
    zfree(v->items);
    zfree(v->keys);
    zfree(v->s);
    zfree(v);
}

static int jhex4(jcur *c, unsigned *out) {
    if (c->end - c->p < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = *c->p++;
        v <<= 4;
        if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* Parses a string starting at the opening quote; returns a zmalloc'ed buffer. */
static char *jstring(jcur *c, size_t *len) {
    if (c->p >= c->end || *c->p != '"') return NULL;
    c->p++;
    size_t cap = 16, n = 0;
    char *out = zmalloc(cap);
    for (;;) {
        if (c->p >= c->end) { zfree(out); return NULL; }
        if (n + 5 > cap) { cap *= 2; out = zrealloc(out, cap); }
        char ch = *c->p++;
        if (ch == '"') break;
        if (ch != '\\') { out[n++] = ch; continue; }
        if (c->p >= c->end) { zfree(out); return NULL; }
        ch = *c->p++;
        switch (ch) {
        case '"': case '\\': case '/': out[n++] = ch; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': { /* the vector files only escape ASCII control characters */
            unsigned cp;
            if (jhex4(c, &cp) || cp >= 0x80) { zfree(out); return NULL; }
            out[n++] = (char)cp;
            break;
        }
        default: zfree(out); return NULL;
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static jval *jvalue(jcur *c, int depth);

static void jpush(jval *v, char *key, jval *item) {
    v->items = zrealloc(v->items, (v->n + 1) * sizeof(*v->items));
    if (v->t == J_OBJ) {
        v->keys = zrealloc(v->keys, (v->n + 1) * sizeof(*v->keys));
        v->keys[v->n] = key;
    }
    v->items[v->n++] = item;
}

static jval *jcontainer(jcur *c, int depth, int obj) {
    jval *v = jnew(obj ? J_OBJ : J_ARR);
    c->p++;
    jskip(c);
    if (c->p < c->end && *c->p == (obj ? '}' : ']')) { c->p++; return v; }
    for (;;) {
        char *key = NULL;
        if (obj) {
            size_t kl;
            jskip(c);
            if (!(key = jstring(c, &kl))) goto err;
            jskip(c);
            if (c->p >= c->end || *c->p != ':') { zfree(key); goto err; }
            c->p++;
        }
        jval *item = jvalue(c, depth + 1);
        if (!item) { zfree(key); goto err; }
        jpush(v, key, item);
        jskip(c);
        if (c->p >= c->end) goto err;
        if (*c->p == ',') { c->p++; continue; }
        if (*c->p == (obj ? '}' : ']')) { c->p++; return v; }
        goto err;
    }
err:
    jfree(v);
    return NULL;
}

static jval *jvalue(jcur *c, int depth) {
    jskip(c);
    if (c->p >= c->end || depth > 64) return NULL;
    char ch = *c->p;
    if (ch == '{' || ch == '[') return jcontainer(c, depth, ch == '{');
    if (ch == '"') {
        jval *v = jnew(J_STR);
        if (!(v->s = jstring(c, &v->slen))) { jfree(v); return NULL; }
        return v;
    }
    static const struct { const char *w; jtype t; double n; } words[] = {
        {"null", J_NULL, 0}, {"true", J_BOOL, 1}, {"false", J_BOOL, 0}};
    for (size_t i = 0; i < 3; i++) {
        size_t wl = strlen(words[i].w);
        if ((size_t)(c->end - c->p) >= wl && !memcmp(c->p, words[i].w, wl)) {
            c->p += wl;
            jval *v = jnew(words[i].t);
            v->num = words[i].n;
            return v;
        }
    }
    char tmp[64];
    size_t n = 0;
    while (c->p + n < c->end && n < sizeof(tmp) - 1 && strchr("+-0123456789.eE", c->p[n])) n++;
    if (!n) return NULL;
    memcpy(tmp, c->p, n);
    tmp[n] = '\0';
    c->p += n;
    jval *v = jnew(J_NUM);
    v->num = strtod(tmp, NULL);
    return v;
}

static jval *jparse(const char *text, size_t len) {
    jcur c = {text, text + len};
    jval *v = jvalue(&c, 0);
    jskip(&c);
    if (v && c.p != c.end) { jfree(v); return NULL; }
    return v;
}

/* Member `key` of an object, or NULL. */
static jval *jget(const jval *o, const char *key) {
    if (!o || o->t != J_OBJ) return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key)) return o->items[i];
    return NULL;
}

static const char *jstr(const jval *o, const char *key) {
    jval *v = jget(o, key);
    return v && v->t == J_STR ? v->s : NULL;
}

/* Directory holding the vector folders; fails the test when absent. */
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

/* Whole file `vectorsDir()/rel` in a zmalloc'ed buffer (NUL-terminated). */
static unsigned char *readVectorFile(const char *rel, size_t *len) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", vectorsDir(), rel);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = zmalloc((size_t)sz + 1);
    size_t got = fread(buf, 1, (size_t)sz, f);
    fclose(f);
    assert_int_equal(got, (size_t)sz);
    buf[sz] = '\0';
    *len = (size_t)sz;
    return buf;
}

/* Parsed JSON of `vectorsDir()/rel`; free with jfree. */
static jval *loadVectors(const char *rel) {
    size_t len;
    unsigned char *text = readVectorFile(rel, &len);
    jval *v = jparse((const char *)text, len);
    zfree(text);
    if (!v) fail_msg("cannot parse %s", rel);
    return v;
}

/* Hex text to bytes (zmalloc'ed, at least 1 byte allocated). */
static unsigned char *unhex(const char *hex, size_t *outlen) {
    size_t n = strlen(hex);
    assert_int_equal(n % 2, 0);
    unsigned char *out = zmalloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
    *outlen = n / 2;
    return out;
}
/* Bytes of a command argument / bulk reply: a JSON string, or {"hex": ...}.
 * Returns a zmalloc'ed copy. */
static unsigned char *jbytes(const jval *v, size_t *len) {
    if (v && v->t == J_STR) {
        unsigned char *out = zmalloc(v->slen + 1);
        memcpy(out, v->s, v->slen);
        *len = v->slen;
        return out;
    }
    const char *hex = jstr(v, "hex");
    if (!hex) fail_msg("expected a string or {\"hex\": ...}");
    return unhex(hex, len);
}
/* ---- end of the JSON reader --------------------------------------------- */

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
