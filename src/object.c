#include "object.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const objTypeMethods *typeMethods[OBJ_TYPE_MAX];

void objRegisterType(int type, const objTypeMethods *m) { typeMethods[type] = m; }

static void initHeader(obj *o, int type, int encoding, void *ptr) {
    o->type = (unsigned)type;
    o->encoding = (unsigned)encoding;
    o->lru = (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) ? lfuInitial() : lruClock();
    o->refcount = 1;
    o->has_expire = o->has_key = o->has_embval = 0;
    o->ptr = ptr;
}

obj *objCreate(int type, int encoding, void *ptr) {
    obj *o = zmalloc(sizeof(obj));
    initHeader(o, type, encoding, ptr);
    return o;
}

obj *objCreateStringFromLongLong(long long v) { return objCreate(OBJ_STRING, ENC_INT, (void *)(intptr_t)v); }
obj *objCreateRawString(const char *p, size_t len) { return objCreate(OBJ_STRING, ENC_RAW, dstrnewlen(p, len)); }

/* Build an object with optional expire, key and embedded value in one allocation. */
static obj *buildObj(int type, int encoding, void *ptr, long long expire, int with_expire, const char *key,
                     size_t keylen, int with_key, const char *val, size_t vallen, int with_val) {
    size_t size = sizeof(obj);
    if (with_expire) size += sizeof(long long);
    if (with_key) size += 1 + dstrEmbeddedSize(keylen);
    if (with_val) size += dstrEmbeddedSize(vallen);
    obj *o = zmalloc(size);
    initHeader(o, type, encoding, ptr);
    char *p = (char *)(o + 1);
    if (with_expire) {
        o->has_expire = 1;
        memcpy(p, &expire, sizeof(expire));
        p += sizeof(long long);
    }
    if (with_key) {
        o->has_key = 1;
        *p = (char)dstrEmbeddedHeaderSize(keylen);
        p++;
        dstrInitEmbedded(p, key, keylen);
        p += dstrEmbeddedSize(keylen);
    }
    if (with_val) {
        o->has_embval = 1;
        o->ptr = dstrInitEmbedded(p, val, vallen);
    }
    return o;
}

obj *objCreateString(const char *p, size_t len) {
    long long v;
    if (len <= 20 && string2ll(p, len, &v)) return objCreateStringFromLongLong(v);
    if (len <= OBJ_EMBSTR_MAX) return buildObj(OBJ_STRING, ENC_EMBSTR, NULL, 0, 0, NULL, 0, 0, p, len, 1);
    return objCreateRawString(p, len);
}

obj *objCreateKeyedString(const char *key, size_t keylen, const char *p, size_t len) {
    long long v;
    if (len <= 20 && string2ll(p, len, &v))
        return buildObj(OBJ_STRING, ENC_INT, (void *)(intptr_t)v, 0, 0, key, keylen, 1, NULL, 0, 0);
    if (len <= OBJ_EMBSTR_MAX) return buildObj(OBJ_STRING, ENC_EMBSTR, NULL, 0, 0, key, keylen, 1, p, len, 1);
    return buildObj(OBJ_STRING, ENC_RAW, dstrnewlen(p, len), 0, 0, key, keylen, 1, NULL, 0, 0);
}

obj *objCreateStringFromDstr(dstr s) {
    size_t len = dstrlen(s);
    if (len <= OBJ_EMBSTR_MAX) {
        obj *o = objCreateString(s, len);
        dstrfree(s);
        return o;
    }
    if (dstravail(s) > len / 10) s = dstrRemoveFreeSpace(s);
    return objCreate(OBJ_STRING, ENC_RAW, s);
}

dstr objKey(const obj *o) {
    if (!o->has_key) return NULL;
    const char *p = (const char *)(o + 1) + (o->has_expire ? sizeof(long long) : 0);
    return (dstr)(p + 1 + (unsigned char)p[0]);
}

/* Move o's payload into a new allocation with the given key/expire parts. */
static obj *rebuild(obj *o, const char *key, size_t keylen, int with_key, long long expire, int with_expire) {
    obj *n;
    if (o->has_embval) {
        dstr v = o->ptr;
        n = buildObj(o->type, o->encoding, NULL, expire, with_expire, key, keylen, with_key, v, dstrlen(v), 1);
    } else {
        n = buildObj(o->type, o->encoding, o->ptr, expire, with_expire, key, keylen, with_key, NULL, 0, 0);
    }
    n->lru = o->lru;
    n->refcount = o->refcount;
    zfree(o);
    return n;
}

obj *objSetKey(obj *val, const char *key, size_t keylen, long long expire) {
    return rebuild(val, key, keylen, 1, expire, expire >= 0);
}

obj *objSetExpire(obj *o, long long when) {
    if (o->has_expire) {
        memcpy(o + 1, &when, sizeof(when));
        return o;
    }
    if (when < 0) return o;
    dstr k = objKey(o);
    if (k) {
        /* copy the key out: rebuild frees the old allocation holding it */
        char stackbuf[256];
        size_t kl = dstrlen(k);
        char *kc = kl <= sizeof(stackbuf) ? stackbuf : zmalloc(kl);
        memcpy(kc, k, kl);
        obj *n = rebuild(o, kc, kl, 1, when, 1);
        if (kc != stackbuf) zfree(kc);
        return n;
    }
    return rebuild(o, NULL, 0, 0, when, 1);
}

static void freeValue(obj *o) {
    switch (o->type) {
    case OBJ_STRING:
        if (o->encoding == ENC_RAW) dstrfree(o->ptr);
        break;
    default:
        if (typeMethods[o->type] && typeMethods[o->type]->free_value) typeMethods[o->type]->free_value(o);
        else serverPanic("no free method for object type %d", o->type);
    }
}

void objDecrRef(obj *o) {
    if (!o) return;
    if (o->refcount == OBJ_SHARED_REFCOUNT) return;
    if (o->refcount == 1) {
        freeValue(o);
        zfree(o);
    } else {
        if (o->refcount == 0) serverPanic("objDecrRef against refcount 0");
        o->refcount--;
    }
}

void objIncrRef(obj *o) {
    if (o->refcount != OBJ_SHARED_REFCOUNT) o->refcount++;
}

obj *objDup(const obj *o) {
    if (o->type == OBJ_STRING) {
        switch (o->encoding) {
        case ENC_INT: return objCreateStringFromLongLong((long long)(intptr_t)o->ptr);
        case ENC_EMBSTR: return buildObj(OBJ_STRING, ENC_EMBSTR, NULL, 0, 0, NULL, 0, 0, o->ptr, dstrlen(o->ptr), 1);
        default: return objCreateRawString(o->ptr, dstrlen(o->ptr));
        }
    }
    if (!typeMethods[o->type] || !typeMethods[o->type]->dup_value) serverPanic("no dup method for type %d", o->type);
    return objCreate(o->type, o->encoding, typeMethods[o->type]->dup_value(o));
}

const char *objStringBytes(const obj *o, char *buf, size_t *len) {
    if (o->encoding == ENC_INT) {
        *len = (size_t)ll2string(buf, LONG_STR_SIZE, (long long)(intptr_t)o->ptr);
        return buf;
    }
    *len = dstrlen(o->ptr);
    return o->ptr;
}

size_t objStringLen(const obj *o) {
    if (o->encoding == ENC_INT) {
        char buf[LONG_STR_SIZE];
        return (size_t)ll2string(buf, sizeof(buf), (long long)(intptr_t)o->ptr);
    }
    return dstrlen(o->ptr);
}

int objGetLongLong(const obj *o, long long *out) {
    if (o->type != OBJ_STRING) return 0;
    if (o->encoding == ENC_INT) {
        *out = (long long)(intptr_t)o->ptr;
        return 1;
    }
    return string2ll(o->ptr, dstrlen(o->ptr), out);
}

size_t objMemUsage(const obj *o) {
    size_t size = zmalloc_size(o);
    if (o->type == OBJ_STRING) {
        if (o->encoding == ENC_RAW) size += dstrAllocSize(o->ptr);
    } else if (typeMethods[o->type] && typeMethods[o->type]->mem_usage) {
        size += typeMethods[o->type]->mem_usage(o);
    }
    return size;
}

const char *objTypeName(int type) {
    switch (type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    case OBJ_STREAM: return "stream";
    default: return "unknown";
    }
}

const char *objEncodingName(int encoding) {
    switch (encoding) {
    case ENC_RAW: return "raw";
    case ENC_INT: return "int";
    case ENC_HASHTABLE: return "hashtable";
    case ENC_INTSET: return "intset";
    case ENC_SKIPLIST: return "skiplist";
    case ENC_EMBSTR: return "embstr";
    case ENC_QUICKLIST: return "quicklist";
    case ENC_STREAM: return "stream";
    case ENC_LISTPACK: return "listpack";
    default: return "unknown";
    }
}

/* ---- LRU / LFU --------------------------------------------------------------
 * LRU: the 24-bit field is the LRU clock (seconds, wrapping) at last access.
 * LFU: the top 16 bits are the last decrement time in minutes (wrapping), the
 * low 8 bits a logarithmic access counter (new objects start at 5). */
#define LFU_INIT_VAL 5

unsigned int lruClock(void) { return (unsigned int)((mstime() / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX); }

unsigned long long objIdleTimeMs(const obj *o) {
    unsigned int now = lruClock();
    unsigned long long ticks = now >= o->lru ? now - o->lru : (LRU_CLOCK_MAX - o->lru) + now;
    return ticks * LRU_CLOCK_RESOLUTION;
}

static unsigned long lfuMinutes(void) { return (unsigned long)(mstime() / 1000 / 60) & 65535; }

static unsigned long lfuElapsedMinutes(unsigned long ldt) {
    unsigned long now = lfuMinutes();
    return now >= ldt ? now - ldt : 65535 - ldt + now;
}

unsigned int lfuInitial(void) { return (unsigned int)((lfuMinutes() << 8) | LFU_INIT_VAL); }

unsigned long lfuDecrAndReturn(obj *o) {
    unsigned long ldt = o->lru >> 8, counter = o->lru & 255;
    unsigned long periods = server.lfu_decay_time ? lfuElapsedMinutes(ldt) / (unsigned long)server.lfu_decay_time : 0;
    if (periods) counter = periods > counter ? 0 : counter - periods;
    return counter;
}

static unsigned long lfuLogIncr(unsigned long counter) {
    if (counter == 255) return 255;
    double r = (double)random() / RAND_MAX;
    double base = counter > LFU_INIT_VAL ? (double)(counter - LFU_INIT_VAL) : 0;
    double p = 1.0 / (base * server.lfu_log_factor + 1);
    if (r < p) counter++;
    return counter;
}

void objTouch(obj *o) {
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) {
        unsigned long counter = lfuDecrAndReturn(o);
        counter = lfuLogIncr(counter);
        o->lru = (unsigned)((lfuMinutes() << 8) | counter);
    } else {
        o->lru = lruClock();
    }
}

void objSetLruIdle(obj *o, long long idle_seconds) {
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) return;
    long long ticks = idle_seconds * 1000 / LRU_CLOCK_RESOLUTION;
    long long clock = (long long)lruClock();
    long long v = clock - ticks;
    if (v < 0) v = (LRU_CLOCK_MAX + 1 + (v % (LRU_CLOCK_MAX + 1))) % (LRU_CLOCK_MAX + 1);
    o->lru = (unsigned)v;
}

void objSetLfuFreq(obj *o, int freq) {
    if (!(server.maxmemory_policy & MAXMEMORY_FLAG_LFU)) return;
    o->lru = (unsigned)((lfuMinutes() << 8) | (unsigned)(freq & 255));
}
