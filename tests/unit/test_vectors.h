/* Test helper shared by unit tests that read the recorded vectors
 * (../shared/vectors): a small JSON reader and file/hex helpers. Include after
 * <cmocka.h>, "zmalloc.h" and the libc headers listed below. Every function is
 * static and may go unused in a given test. */
#ifndef CAIRN_TEST_VECTORS_H
#define CAIRN_TEST_VECTORS_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

static __attribute__((unused)) void jskip(jcur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) c->p++;
}

static __attribute__((unused)) jval *jnew(jtype t) {
    jval *v = zcalloc(sizeof(*v));
    v->t = t;
    return v;
}

static __attribute__((unused)) void jfree(jval *v) {
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

static __attribute__((unused)) int jhex4(jcur *c, unsigned *out) {
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
static __attribute__((unused)) char *jstring(jcur *c, size_t *len) {
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

static __attribute__((unused)) jval *jvalue(jcur *c, int depth);

static __attribute__((unused)) void jpush(jval *v, char *key, jval *item) {
    v->items = zrealloc(v->items, (v->n + 1) * sizeof(*v->items));
    if (v->t == J_OBJ) {
        v->keys = zrealloc(v->keys, (v->n + 1) * sizeof(*v->keys));
        v->keys[v->n] = key;
    }
    v->items[v->n++] = item;
}

static __attribute__((unused)) jval *jcontainer(jcur *c, int depth, int obj) {
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

static __attribute__((unused)) jval *jvalue(jcur *c, int depth) {
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

static __attribute__((unused)) jval *jparse(const char *text, size_t len) {
    jcur c = {text, text + len};
    jval *v = jvalue(&c, 0);
    jskip(&c);
    if (v && c.p != c.end) { jfree(v); return NULL; }
    return v;
}

/* Member `key` of an object, or NULL. */
static __attribute__((unused)) jval *jget(const jval *o, const char *key) {
    if (!o || o->t != J_OBJ) return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key)) return o->items[i];
    return NULL;
}

static __attribute__((unused)) const char *jstr(const jval *o, const char *key) {
    jval *v = jget(o, key);
    return v && v->t == J_STR ? v->s : NULL;
}

/* Directory holding the vector folders; fails the test when absent. */
static __attribute__((unused)) const char *vectorsDir(void) {
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
static __attribute__((unused)) unsigned char *readVectorFile(const char *rel, size_t *len) {
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
static __attribute__((unused)) jval *loadVectors(const char *rel) {
    size_t len;
    unsigned char *text = readVectorFile(rel, &len);
    jval *v = jparse((const char *)text, len);
    zfree(text);
    if (!v) fail_msg("cannot parse %s", rel);
    return v;
}

/* Hex text to bytes (zmalloc'ed, at least 1 byte allocated). */
static __attribute__((unused)) unsigned char *unhex(const char *hex, size_t *outlen) {
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
static __attribute__((unused)) unsigned char *jbytes(const jval *v, size_t *len) {
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

#endif
