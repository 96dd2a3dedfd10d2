#include "dstr.h"
#include "zmalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static inline int typeFor(size_t len) {
    if (len < 256) return DSTR_D8;
    if (len < 65536) return DSTR_D16;
    if (len <= UINT32_MAX) return DSTR_D32;
    return DSTR_D64;
}

static inline size_t hdrSize(int type) {
    switch (type) {
    case DSTR_D8: return sizeof(struct dstrhdr8);
    case DSTR_D16: return sizeof(struct dstrhdr16);
    case DSTR_D32: return sizeof(struct dstrhdr32);
    case DSTR_D5: return 1;
    default: return sizeof(struct dstrhdr64);
    }
}

static inline int typeOf(const dstr s) { return ((unsigned char)s[-1]) & DSTR_TYPE_MASK; }

static void setLenAlloc(dstr s, size_t len, size_t alloc) {
    switch (typeOf(s)) {
    case DSTR_D8: { struct dstrhdr8 *h = (void *)(s - sizeof(*h)); h->len = len; h->alloc = alloc; break; }
    case DSTR_D16: { struct dstrhdr16 *h = (void *)(s - sizeof(*h)); h->len = len; h->alloc = alloc; break; }
    case DSTR_D32: { struct dstrhdr32 *h = (void *)(s - sizeof(*h)); h->len = len; h->alloc = alloc; break; }
    default: { struct dstrhdr64 *h = (void *)(s - sizeof(*h)); h->len = len; h->alloc = alloc; break; }
    }
}

static void setLen(dstr s, size_t len) { setLenAlloc(s, len, dstralloc(s)); }

size_t dstralloc(const dstr s) {
    switch (typeOf(s)) {
    case DSTR_D5: return dstrlen(s);
    case DSTR_D8: return ((struct dstrhdr8 *)(s - sizeof(struct dstrhdr8)))->alloc;
    case DSTR_D16: return ((struct dstrhdr16 *)(s - sizeof(struct dstrhdr16)))->alloc;
    case DSTR_D32: return ((struct dstrhdr32 *)(s - sizeof(struct dstrhdr32)))->alloc;
    default: return ((struct dstrhdr64 *)(s - sizeof(struct dstrhdr64)))->alloc;
    }
}

size_t dstrHeaderSize(size_t len) { return hdrSize(typeFor(len)); }
size_t dstrEmbeddedHeaderSize(size_t len) { return len < 32 ? 1 : dstrHeaderSize(len); }
size_t dstrEmbeddedSize(size_t len) { return dstrEmbeddedHeaderSize(len) + len + 1; }

/* Lay out a string of type `type` at `mem` with capacity `alloc`. */
/* `init` may be NULL (zero-fill) or DSTR_UNINIT (leave the bytes as allocated). */
static const char uninit_marker;
#define DSTR_UNINIT ((const void *)&uninit_marker)

static dstr layout(void *mem, int type, const void *init, size_t len, size_t alloc, int flags) {
    dstr s = (char *)mem + hdrSize(type);
    s[-1] = (char)(type | flags);
    setLenAlloc(s, len, alloc);
    if (init == DSTR_UNINIT) { /* caller writes every byte */ }
    else if (init) memcpy(s, init, len);
    else memset(s, 0, len);
    s[len] = '\0';
    return s;
}

dstr dstrInitEmbedded(void *buf, const void *init, size_t len) {
    if (len < 32) {
        dstr s = (char *)buf + 1;
        s[-1] = (char)(DSTR_D5 | (len << 3));
        if (init) memcpy(s, init, len);
        else memset(s, 0, len);
        s[len] = '\0';
        return s;
    }
    return layout(buf, typeFor(len), init, len, len, DSTR_EMBEDDED);
}

/* Allocate a heap string able to hold `cap` bytes, using all usable space. */
static dstr allocString(const void *init, size_t len, size_t cap) {
    int type = typeFor(cap);
    size_t hs = hdrSize(type);
    void *mem = zmalloc(hs + cap + 1);
    size_t usable = zmalloc_size(mem) - hs - 1;
    /* never let usable space exceed what the header type can describe */
    if (type == DSTR_D8 && usable > 255) usable = 255;
    else if (type == DSTR_D16 && usable > 65535) usable = 65535;
    else if (type == DSTR_D32 && usable > UINT32_MAX) usable = UINT32_MAX;
    return layout(mem, type, init, len, usable, 0);
}

dstr dstrnewlen(const void *init, size_t len) { return allocString(init, len, len); }
dstr dstrnewuninit(size_t len) { return allocString(DSTR_UNINIT, len, len); }
dstr dstrnew(const char *cstr) { return dstrnewlen(cstr, cstr ? strlen(cstr) : 0); }
dstr dstrempty(void) { return dstrnewlen("", 0); }
dstr dstrdup(const dstr s) { return dstrnewlen(s, dstrlen(s)); }

dstr dstrfromll(long long v) {
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld", v);
    return dstrnewlen(buf, (size_t)n);
}

void *dstrAllocPtr(const dstr s) { return s - hdrSize(typeOf(s)); }

void dstrfree(dstr s) {
    if (s) zfree(dstrAllocPtr(s));
}

size_t dstrAllocSize(const dstr s) { return zmalloc_size(dstrAllocPtr(s)); }

static dstr growTo(dstr s, size_t newcap) {
    size_t len = dstrlen(s);
    int oldtype = typeOf(s), newtype = typeFor(newcap);
    if (oldtype == newtype) {
        size_t hs = hdrSize(oldtype);
        void *mem = zrealloc(s - hs, hs + newcap + 1);
        s = (char *)mem + hs;
        size_t usable = zmalloc_size(mem) - hs - 1;
        if (newtype == DSTR_D8 && usable > 255) usable = 255;
        else if (newtype == DSTR_D16 && usable > 65535) usable = 65535;
        else if (newtype == DSTR_D32 && usable > UINT32_MAX) usable = UINT32_MAX;
        setLenAlloc(s, len, usable);
        return s;
    }
    dstr n = allocString(s, len, newcap);
    dstrfree(s);
    return n;
}

dstr dstrMakeRoomFor(dstr s, size_t addlen) {
    size_t len = dstrlen(s);
    if (dstralloc(s) - len >= addlen) return s;
    size_t need = len + addlen;
    size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
    return growTo(s, cap);
}

dstr dstrMakeRoomForExact(dstr s, size_t addlen) {
    size_t len = dstrlen(s);
    if (dstralloc(s) - len >= addlen) return s;
    return growTo(s, len + addlen);
}

void dstrsetlen(dstr s, size_t len) {
    setLen(s, len);
    s[len] = '\0';
}

void dstrIncrLen(dstr s, ssize_t incr) { dstrsetlen(s, (size_t)((ssize_t)dstrlen(s) + incr)); }

dstr dstrRemoveFreeSpace(dstr s) {
    if (dstravail(s) == 0) return s;
    size_t len = dstrlen(s);
    dstr n = dstrnewlen(s, len);
    dstrfree(s);
    return n;
}

dstr dstrcatlen(dstr s, const void *t, size_t len) {
    size_t cur = dstrlen(s);
    s = dstrMakeRoomFor(s, len);
    memcpy(s + cur, t, len);
    dstrsetlen(s, cur + len);
    return s;
}

dstr dstrcat(dstr s, const char *t) { return dstrcatlen(s, t, strlen(t)); }
dstr dstrcatdstr(dstr s, const dstr t) { return dstrcatlen(s, t, dstrlen(t)); }

dstr dstrcatvprintf(dstr s, const char *fmt, va_list ap) {
    char stackbuf[1024];
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(stackbuf, sizeof(stackbuf), fmt, cp);
    va_end(cp);
    if (n < 0) return s;
    if ((size_t)n < sizeof(stackbuf)) return dstrcatlen(s, stackbuf, (size_t)n);
    size_t cur = dstrlen(s);
    s = dstrMakeRoomFor(s, (size_t)n + 1);
    vsnprintf(s + cur, (size_t)n + 1, fmt, ap);
    dstrsetlen(s, cur + (size_t)n);
    return s;
}

dstr dstrcatprintf(dstr s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    s = dstrcatvprintf(s, fmt, ap);
    va_end(ap);
    return s;
}

dstr dstrcatrepr(dstr s, const char *p, size_t len) {
    s = dstrcatlen(s, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '\\': s = dstrcatlen(s, "\\\\", 2); break;
        case '"': s = dstrcatlen(s, "\\\"", 2); break;
        case '\n': s = dstrcatlen(s, "\\n", 2); break;
        case '\r': s = dstrcatlen(s, "\\r", 2); break;
        case '\t': s = dstrcatlen(s, "\\t", 2); break;
        case '\a': s = dstrcatlen(s, "\\a", 2); break;
        case '\b': s = dstrcatlen(s, "\\b", 2); break;
        default:
            if (isprint(c)) s = dstrcatlen(s, &p[i], 1);
            else s = dstrcatprintf(s, "\\x%02x", c);
        }
    }
    return dstrcatlen(s, "\"", 1);
}

dstr dstrcpylen(dstr s, const char *t, size_t len) {
    if (dstralloc(s) < len) s = dstrMakeRoomForExact(s, len - dstrlen(s));
    memmove(s, t, len);
    dstrsetlen(s, len);
    return s;
}

dstr dstrgrowzero(dstr s, size_t len) {
    size_t cur = dstrlen(s);
    if (len <= cur) return s;
    s = dstrMakeRoomFor(s, len - cur);
    memset(s + cur, 0, len - cur + 1);
    dstrsetlen(s, len);
    return s;
}

void dstrrange(dstr s, ssize_t start, ssize_t end) {
    ssize_t len = (ssize_t)dstrlen(s);
    if (len == 0) return;
    if (start < 0) { start += len; if (start < 0) start = 0; }
    if (end < 0) { end += len; if (end < 0) end = 0; }
    ssize_t newlen = (start > end) ? 0 : end - start + 1;
    if (newlen != 0) {
        if (start >= len) newlen = 0;
        else if (end >= len) { end = len - 1; newlen = end - start + 1; }
    }
    if (start && newlen) memmove(s, s + start, (size_t)newlen);
    dstrsetlen(s, (size_t)newlen);
}

void dstrclear(dstr s) { dstrsetlen(s, 0); }

int dstrcmp(const dstr a, const dstr b) {
    size_t la = dstrlen(a), lb = dstrlen(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : la > lb ? 1 : 0;
}

void dstrtolower(dstr s) { for (size_t i = 0, l = dstrlen(s); i < l; i++) s[i] = (char)tolower((unsigned char)s[i]); }
void dstrtoupper(dstr s) { for (size_t i = 0, l = dstrlen(s); i < l; i++) s[i] = (char)toupper((unsigned char)s[i]); }

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

dstr *dstrsplitargs(const char *line, int *argc) {
    const char *p = line;
    dstr *vec = NULL;
    *argc = 0;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) {
            if (!vec) vec = zmalloc(sizeof(dstr));
            return vec;
        }
        int inq = 0, insq = 0, done = 0;
        dstr cur = dstrempty();
        while (!done) {
            if (inq) {
                if (p[0] == '\\' && p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0) {
                    char b = (char)(hexval(p[2]) * 16 + hexval(p[3]));
                    cur = dstrcatlen(cur, &b, 1);
                    p += 3;
                } else if (p[0] == '\\' && p[1]) {
                    char c;
                    p++;
                    switch (*p) {
                    case 'n': c = '\n'; break;
                    case 'r': c = '\r'; break;
                    case 't': c = '\t'; break;
                    case 'b': c = '\b'; break;
                    case 'a': c = '\a'; break;
                    default: c = *p; break;
                    }
                    cur = dstrcatlen(cur, &c, 1);
                } else if (*p == '"') {
                    if (p[1] && !isspace((unsigned char)p[1])) goto err;
                    done = 1;
                } else if (!*p) {
                    goto err;
                } else {
                    cur = dstrcatlen(cur, p, 1);
                }
            } else if (insq) {
                if (p[0] == '\\' && p[1] == '\'') {
                    p++;
                    cur = dstrcatlen(cur, "'", 1);
                } else if (*p == '\'') {
                    if (p[1] && !isspace((unsigned char)p[1])) goto err;
                    done = 1;
                } else if (!*p) {
                    goto err;
                } else {
                    cur = dstrcatlen(cur, p, 1);
                }
            } else {
                switch (*p) {
                case ' ': case '\n': case '\r': case '\t': case '\0': done = 1; break;
                case '"': inq = 1; break;
                case '\'': insq = 1; break;
                default: cur = dstrcatlen(cur, p, 1); break;
                }
            }
            if (*p) p++;
        }
        vec = zrealloc(vec, sizeof(dstr) * (size_t)(*argc + 1));
        vec[(*argc)++] = cur;
        continue;
    err:
        dstrfree(cur);
        dstrfreesplitres(vec, *argc);
        *argc = 0;
        return NULL;
    }
}

void dstrfreesplitres(dstr *tokens, int count) {
    if (!tokens) return;
    for (int i = 0; i < count; i++) dstrfree(tokens[i]);
    zfree(tokens);
}
