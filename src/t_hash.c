/* Hash commands and the HASH type's encodings (see t_hash.h for the layouts
 * and the conversion rules).
 *
 * Commands: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS,
 * HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN. Replies,
 * reply types (RESP2/RESP3) and error strings follow Redis 7.2. A hash that
 * loses its last field is deleted. Every command is registered by the build
 * from its commands/<name>.json (arity is checked before the handler runs). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "t_hash.h"
#include "client.h"
#include "cmdargs.h"
#include "db.h"
#include "reply.h"
#include "scan.h"
#include "sort.h"
#include "server.h"
#include "siphash.h"
#include "util.h"
#include "zmalloc.h"

/* ===========================================================================
 * Hashtable entries: field and value in one allocation (layout in t_hash.h)
 * =========================================================================== */

/* Allocation size of an entry for a field of flen and a value of vlen bytes. */
static size_t entrySize(size_t flen, size_t vlen) { return dstrEmbeddedSize(flen) + 1 + dstrEmbeddedSize(vlen); }

/* Start of the allocation of entry `f` (the field dstr). */
static void *entryAllocPtr(dstr f) { return f - dstrEmbeddedHeaderSize(dstrlen(f)); }

/* The value dstr of entry `f` (read-only, embedded). */
static dstr entryValue(const dstr f) {
    const char *p = f + dstrlen(f) + 1;
    return (dstr)(p + 1 + (unsigned char)p[0]);
}

/* Write the value part of an entry at `p` (the byte after the field's NUL). */
static void entryWriteValue(char *p, const char *v, size_t vlen) {
    p[0] = (char)dstrEmbeddedHeaderSize(vlen);
    dstrInitEmbedded(p + 1, v, vlen);
}

/* New entry holding copies of f[0..flen) and v[0..vlen); returns the field dstr. */
static dstr entryCreate(const char *f, size_t flen, const char *v, size_t vlen) {
    char *mem = zmalloc(entrySize(flen, vlen));
    dstr field = dstrInitEmbedded(mem, f, flen);
    entryWriteValue(field + flen + 1, v, vlen);
    return field;
}

/* Give entry `f` the value v[0..vlen) (v must not point into the entry).
 * Same length: overwritten in place; otherwise the entry is reallocated.
 * Returns the entry pointer to use from now on (the table must be told when
 * it changed). */
static dstr entrySetValue(dstr f, const char *v, size_t vlen) {
    dstr old = entryValue(f);
    if (dstrlen(old) == vlen) {
        memcpy(old, v, vlen);
        return f;
    }
    size_t flen = dstrlen(f), hf = dstrEmbeddedHeaderSize(flen);
    char *mem = zrealloc(f - hf, entrySize(flen, vlen));
    dstr nf = mem + hf;
    entryWriteValue(nf + flen + 1, v, vlen);
    return nf;
}

static size_t entryAllocSize(dstr f) { return entrySize(dstrlen(f), dstrlen(entryValue(f))); }

static uint64_t entryHash(const void *key) { return hashBytes(key, dstrlen((const dstr)key)); }

static int entryKeyCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la) != 0;
}

static void entryFree(void *entry) { zfree(entryAllocPtr(entry)); }

/* The entry pointer is the field dstr, which is the key: no entryGetKey. */
static hashtableType hashEntryType = {
    .hashFunction = entryHash, .keyCompare = entryKeyCompare, .entryDestructor = entryFree};

/* A lookup key (dstr) for field bytes f[0..flen): built in `stackbuf` when it
 * fits, else on the heap (release with fieldKeyRelease). */
static dstr fieldKeyMake(char *stackbuf, size_t bufsize, const char *f, size_t flen) {
    size_t need = dstrEmbeddedSize(flen);
    char *mem = need <= bufsize ? stackbuf : zmalloc(need);
    return dstrInitEmbedded(mem, f, flen);
}

static void fieldKeyRelease(char *stackbuf, dstr key) {
    void *mem = entryAllocPtr(key);
    if (mem != stackbuf) zfree(mem);
}

/* ===========================================================================
 * Encoding-level operations
 * =========================================================================== */

static int tooLongForListpack(size_t len) { return len > (size_t)server.hash_max_listpack_value; }

unsigned long hashTypeLength(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpLength(o->ptr) / 2;
    return (unsigned long)hashtableSize(o->ptr);
}

unsigned char *hashTypeListpack(const obj *o) { return o->encoding == ENC_LISTPACK ? o->ptr : NULL; }

/* Field entry of f[0..flen) in a listpack hash, or NULL. */
static unsigned char *lpFindField(unsigned char *lp, const char *f, size_t flen) {
    unsigned char *p = lpFirst(lp);
    if (!p) return NULL;
    return lpFind(lp, p, (const unsigned char *)f, (uint32_t)flen, 1);
}

/* Convert a listpack hash to the hashtable encoding, pre-sizing the table
 * for at least `presize` entries (0: the current number of fields). */
static void hashConvertToTable(obj *o, size_t presize) {
    unsigned char *lp = o->ptr;
    hashtable *ht = hashtableCreate(&hashEntryType);
    size_t n = lpLength(lp) / 2;
    hashtableExpand(ht, presize > n ? presize : n);
    unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        int64_t flen, vlen;
        unsigned char *f = lpGet(p, &flen, fbuf);
        p = lpNext(lp, p);
        serverAssert(p != NULL);
        unsigned char *v = lpGet(p, &vlen, vbuf);
        dstr e = entryCreate((const char *)f, (size_t)flen, (const char *)v, (size_t)vlen);
        if (!hashtableAdd(ht, e)) serverPanic("listpack hash with a duplicate field");
    }
    lpFree(lp);
    o->ptr = ht;
    o->encoding = ENC_HASHTABLE;
}

/* Before writing the pairs argv[start..end] (field, value, ...): convert as
 * Redis 7.2 does when there are more pairs than hash-max-listpack-entries
 * (pre-sizing the table for them), when an argument is longer than
 * hash-max-listpack-value, or when the listpack would pass its 1 GB limit. */
static void hashTryConversion(obj *o, dstr *argv, int start, int end) {
    if (o->encoding != ENC_LISTPACK) return;
    size_t pairs = (size_t)(end - start + 1) / 2;
    if (pairs > (size_t)server.hash_max_listpack_entries) {
        hashConvertToTable(o, pairs);
        return;
    }
    size_t sum = 0;
    for (int i = start; i <= end; i++) {
        size_t len = dstrlen(argv[i]);
        if (tooLongForListpack(len)) {
            hashConvertToTable(o, 0);
            return;
        }
        sum += len;
    }
    if (!lpSafeToAdd(o->ptr, sum)) hashConvertToTable(o, 0);
}

/* Look field `f` up. Returns 0 if absent; 1 with either (*vstr, *vlen) for a string
 * or *vstr = NULL and *vll (integer-encoded listpack value). */
static int hashGetValue(obj *o, const dstr f, const char **vstr, size_t *vlen, long long *vll) {
    if (o->encoding == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *fp = lpFindField(lp, f, dstrlen(f));
        if (!fp) return 0;
        unsigned char *vp = lpNext(lp, fp);
        unsigned int len;
        unsigned char *s = lpGetValue(vp, &len, vll);
        *vstr = (const char *)s;
        *vlen = s ? len : 0;
        return 1;
    }
    void *e;
    if (!hashtableFind(o->ptr, f, &e)) return 0;
    dstr v = entryValue(e);
    *vstr = v;
    *vlen = dstrlen(v);
    return 1;
}

static int hashExists(obj *o, const dstr f) {
    if (o->encoding == ENC_LISTPACK) return lpFindField(o->ptr, f, dstrlen(f)) != NULL;
    return hashtableFind(o->ptr, f, NULL);
}

/* Set field `f` to v[0..vlen) (v must not point into the hash). Converts
 * first when the field or the value is too long for a listpack, and after
 * the write when the hash has too many fields. Returns 1 if an existing
 * field was updated, 0 if the field was added. */
static int hashSet(obj *o, const dstr f, const char *v, size_t vlen) {
    size_t flen = dstrlen(f);
    if (o->encoding == ENC_LISTPACK && (tooLongForListpack(flen) || tooLongForListpack(vlen)))
        hashConvertToTable(o, 0);
    if (o->encoding == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *fp = lpFindField(lp, f, flen);
        int update = fp != NULL;
        if (update) {
            unsigned char *vp = lpNext(lp, fp);
            lp = lpReplace(lp, &vp, (const unsigned char *)v, (uint32_t)vlen);
        } else {
            lp = lpAppend(lp, (const unsigned char *)f, (uint32_t)flen);
            serverAssert(lp != NULL);
            lp = lpAppend(lp, (const unsigned char *)v, (uint32_t)vlen);
        }
        serverAssert(lp != NULL);
        o->ptr = lp;
        /* checked after updates too (matters when the limit was lowered) */
        if (hashTypeLength(o) > (unsigned long)server.hash_max_listpack_entries) hashConvertToTable(o, 0);
        return update;
    }
    hashtable *ht = o->ptr;
    hashtablePosition pos;
    void *existing;
    if (hashtableFindPositionForInsert(ht, f, &pos, &existing)) {
        hashtableInsertAtPosition(ht, entryCreate(f, flen, v, vlen), &pos);
        return 0;
    }
    dstr ne = entrySetValue(existing, v, vlen);
    if (ne != existing) hashtableReplaceReallocatedEntry(ht, existing, ne);
    return 1;
}

/* Delete field `f`; 1 if it existed. */
static int hashDelete(obj *o, const dstr f) {
    if (o->encoding == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *fp = lpFindField(lp, f, dstrlen(f));
        if (!fp) return 0;
        o->ptr = lpDeleteRangeWithEntry(lp, &fp, 2);
        return 1;
    }
    return hashtableDelete(o->ptr, f);
}

/* ===========================================================================
 * Public API (t_hash.h)
 * =========================================================================== */

obj *hashTypeCreate(void) { return objCreate(OBJ_HASH, ENC_LISTPACK, lpNew(0)); }

typedef struct lpValidateState {
    unsigned long count;
    hashtable *fields;  /* dstr copies of the fields seen (deep check) */
} lpValidateState;

static uint64_t dstrKeyHash(const void *key) { return hashBytes(key, dstrlen((const dstr)key)); }
static void dstrEntryFree(void *e) { dstrfree(e); }
static hashtableType dstrSetType = {
    .hashFunction = dstrKeyHash, .keyCompare = entryKeyCompare, .entryDestructor = dstrEntryFree};

static int lpValidateEntry(unsigned char *p, unsigned int head_count, void *userdata) {
    (void)head_count;
    lpValidateState *st = userdata;
    if ((st->count++ & 1) == 0) {
        unsigned char buf[LP_INTBUF_SIZE];
        int64_t len;
        unsigned char *s = lpGet(p, &len, buf);
        dstr field = dstrnewlen(s, (size_t)len);
        if (!hashtableAdd(st->fields, field)) {
            dstrfree(field);
            return 0;
        }
    }
    return 1;
}

int hashListpackValidate(const unsigned char *lp, size_t size, int deep) {
    if (!deep) return lpValidateIntegrity(lp, size, 0, NULL, NULL);
    lpValidateState st = {0, hashtableCreate(&dstrSetType)};
    int ok = lpValidateIntegrity(lp, size, 1, lpValidateEntry, &st);
    if (st.count & 1) ok = 0;
    hashtableRelease(st.fields);
    return ok;
}

obj *hashTypeCreateFromListpack(unsigned char *lp) {
    obj *o = objCreate(OBJ_HASH, ENC_LISTPACK, lp);
    int convert = hashTypeLength(o) > (unsigned long)server.hash_max_listpack_entries;
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lpFirst(lp); p && !convert; p = lpNext(lp, p)) {
        int64_t len; /* integer entries count by the length of their text, as in HSET */
        lpGet(p, &len, buf);
        if (tooLongForListpack((size_t)len)) convert = 1;
    }
    if (convert) hashConvertToTable(o, 0);
    return o;
}

obj *hashTypeCreateForLoad(unsigned long long len) {
    if (len <= (unsigned long long)server.hash_max_listpack_entries) return hashTypeCreate();
    hashtable *ht = hashtableCreate(&hashEntryType);
    if (len > SIZE_MAX || !hashtableTryExpand(ht, (size_t)len)) {
        hashtableRelease(ht);
        return NULL;
    }
    return objCreate(OBJ_HASH, ENC_HASHTABLE, ht);
}

int hashTypeLoadPair(obj *o, const char *f, size_t flen, const char *v, size_t vlen) {
    if (o->encoding == ENC_LISTPACK && (tooLongForListpack(flen) || tooLongForListpack(vlen)))
        hashConvertToTable(o, 0);
    if (o->encoding == ENC_LISTPACK) {
        if (lpFindField(o->ptr, f, flen)) return 0;
        unsigned char *lp = lpAppend(o->ptr, (const unsigned char *)f, (uint32_t)flen);
        serverAssert(lp != NULL);
        lp = lpAppend(lp, (const unsigned char *)v, (uint32_t)vlen);
        serverAssert(lp != NULL);
        o->ptr = lp;
        if (hashTypeLength(o) > (unsigned long)server.hash_max_listpack_entries) hashConvertToTable(o, 0);
        return 1;
    }
    dstr e = entryCreate(f, flen, v, vlen);
    if (hashtableAdd(o->ptr, e)) return 1;
    entryFree(e);
    return 0;
}

int hashLoaderInit(hashLoader *ld, unsigned long long len) {
    ld->pending = 0;
    ld->o = hashTypeCreateForLoad(len);
    return ld->o != NULL;
}

/* Insert the pending entries; 0 (and the entries not added freed) at a
 * duplicate field. */
static int hashLoaderFlush(hashLoader *ld) {
    size_t n = ld->pending, added = hashtableAddBatch(ld->o->ptr, ld->batch, n);
    ld->pending = 0;
    for (size_t i = added; i < n; i++) entryFree(ld->batch[i]);
    return added == n;
}

int hashLoaderAdd(hashLoader *ld, const char *f, size_t flen, const char *v, size_t vlen) {
    if (ld->o->encoding == ENC_LISTPACK) return hashTypeLoadPair(ld->o, f, flen, v, vlen);
    ld->batch[ld->pending++] = entryCreate(f, flen, v, vlen);
    return ld->pending < HASHTABLE_BATCH || hashLoaderFlush(ld);
}

obj *hashLoaderFinish(hashLoader *ld) {
    if (ld->pending && !hashLoaderFlush(ld)) {
        hashLoaderAbort(ld);
        return NULL;
    }
    obj *o = ld->o;
    ld->o = NULL;
    return o;
}

void hashLoaderAbort(hashLoader *ld) {
    for (unsigned i = 0; i < ld->pending; i++) entryFree(ld->batch[i]);
    ld->pending = 0;
    if (ld->o) objDecrRef(ld->o);
    ld->o = NULL;
}

dstr hashTypeGetValueDstr(obj *o, const char *f, size_t flen) {
    char stackbuf[256];
    dstr key = fieldKeyMake(stackbuf, sizeof(stackbuf), f, flen);
    const char *vstr;
    size_t vlen;
    long long vll;
    dstr res = NULL;
    if (hashGetValue(o, key, &vstr, &vlen, &vll)) res = vstr ? dstrnewlen(vstr, vlen) : dstrfromll(vll);
    fieldKeyRelease(stackbuf, key);
    return res;
}

void hashTypeInitIterator(hashTypeIterator *hi, obj *o) {
    hi->o = o;
    hi->next = NULL;
    if (o->encoding == ENC_LISTPACK) hi->next = lpFirst(o->ptr);
    else hashtableInitIterator(&hi->it, o->ptr);
}

int hashTypeNext(hashTypeIterator *hi, const char **f, size_t *flen, const char **v, size_t *vlen) {
    if (hi->o->encoding == ENC_LISTPACK) {
        if (!hi->next) return 0;
        unsigned char *lp = hi->o->ptr;
        int64_t fl, vl;
        *f = (const char *)lpGet(hi->next, &fl, hi->fbuf);
        unsigned char *vp = lpNext(lp, hi->next);
        *v = (const char *)lpGet(vp, &vl, hi->vbuf);
        *flen = (size_t)fl;
        *vlen = (size_t)vl;
        hi->next = lpNext(lp, vp);
        return 1;
    }
    void *e;
    if (!hashtableNext(&hi->it, &e)) return 0;
    dstr val = entryValue(e);
    *f = e;
    *flen = dstrlen(e);
    *v = val;
    *vlen = dstrlen(val);
    return 1;
}

void hashTypeResetIterator(hashTypeIterator *hi) {
    if (hi->o->encoding != ENC_LISTPACK) hashtableResetIterator(&hi->it);
}

/* ---- type methods (object.c) ------------------------------------------------ */

static void hashFreeValue(obj *o) {
    if (o->encoding == ENC_LISTPACK) lpFree(o->ptr);
    else hashtableRelease(o->ptr);
}

static void *hashDupValue(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpDup(o->ptr);
    hashtable *src = o->ptr;
    hashtable *dst = hashtableCreate(&hashEntryType);
    hashtableExpand(dst, hashtableSize(src));
    hashtableIterator it;
    void *e;
    hashtableInitIterator(&it, src);
    while (hashtableNext(&it, &e)) {
        size_t size = entryAllocSize(e);
        char *mem = zmalloc(size);
        memcpy(mem, entryAllocPtr(e), size);
        hashtableAdd(dst, mem + ((char *)e - (char *)entryAllocPtr(e)));
    }
    hashtableResetIterator(&it);
    return dst;
}

static size_t hashMemUsage(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return zmalloc_size(o->ptr);
    hashtable *ht = o->ptr;
    size_t size = hashtableMemUsage(ht);
    hashtableIterator it;
    void *e;
    hashtableInitIterator(&it, ht);
    while (hashtableNext(&it, &e)) size += zmalloc_size(entryAllocPtr(e));
    hashtableResetIterator(&it);
    return size;
}

static const objTypeMethods hashMethods = {
    .free_value = hashFreeValue, .dup_value = hashDupValue, .mem_usage = hashMemUsage};

void hashTypeRegister(void) {
    objRegisterType(OBJ_HASH, &hashMethods);
    sortRegisterHashGetter(hashTypeGetValueDstr); /* SORT ... BY/GET key->field */
}

/* ===========================================================================
 * Command helpers
 * =========================================================================== */

/* Reply WRONGTYPE and return 1 when `o` exists and is not a hash. */
static int notHash(client *c, const obj *o) {
    if (o && o->type != OBJ_HASH) {
        replyErrorWrongType(c);
        return 1;
    }
    return 0;
}

/* The hash at `key` for writing, created (empty, listpack) when missing.
 * NULL after replying WRONGTYPE. */
static obj *hashLookupWriteOrCreate(client *c, const dstr key) {
    obj *o = lookupKeyWrite(c->db, key);
    if (o) return notHash(c, o) ? NULL : o;
    return dbAdd(c->db, key, hashTypeCreate());
}

/* Bulk reply with a value as hashGetValue returns it. */
static void replyHashValue(client *c, const char *vstr, size_t vlen, long long vll) {
    if (vstr) replyBulk(c, vstr, vlen);
    else replyBulkLongLong(c, vll);
}

/* Bulk reply with the value of field `f`, or null when it is missing. */
static void replyHashField(client *c, obj *o, const dstr f) {
    const char *vstr;
    size_t vlen;
    long long vll;
    if (!o || !hashGetValue(o, f, &vstr, &vlen, &vll)) replyNull(c);
    else replyHashValue(c, vstr, vlen, vll);
}

static void replyListpackEntry(client *c, const listpackEntry *e) {
    if (e->sval) replyBulk(c, e->sval, e->slen);
    else replyBulkLongLong(c, e->lval);
}

/* ===========================================================================
 * Commands
 * =========================================================================== */

/* HSET key field value [field value ...] -> fields added.
 * HMSET: same, replies +OK. */
static void hsetGeneric(client *c, int hmset) {
    if (c->argc % 2 == 1) {
        replyErrorArity(c);
        return;
    }
    obj *o = hashLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    hashTryConversion(o, c->argv, 2, c->argc - 1);
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2)
        created += !hashSet(o, c->argv[i], c->argv[i + 1], dstrlen(c->argv[i + 1]));
    if (hmset) replyOk(c);
    else replyLongLong(c, created);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty += (c->argc - 2) / 2;
}

void hsetCommand(client *c) { hsetGeneric(c, 0); }

void hmsetCommand(client *c) { hsetGeneric(c, 1); }

void hsetnxCommand(client *c) {
    obj *o = hashLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    if (hashExists(o, c->argv[2])) {
        replyLongLong(c, 0);
        return;
    }
    hashTryConversion(o, c->argv, 2, 3);
    hashSet(o, c->argv[2], c->argv[3], dstrlen(c->argv[3]));
    replyLongLong(c, 1);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

void hgetCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notHash(c, o)) return;
    replyHashField(c, o, c->argv[2]);
}

void hmgetCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notHash(c, o)) return;
    replyArrayLen(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) replyHashField(c, o, c->argv[i]);
}

/* HDEL key field [field ...] -> fields removed; the key goes with the last. */
void hdelCommand(client *c) {
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    if (notHash(c, o)) return;
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        if (!hashDelete(o, c->argv[i])) continue;
        deleted++;
        if (hashTypeLength(o) == 0) {
            dbDelete(c->db, c->argv[1]);
            break;
        }
    }
    if (deleted) {
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += deleted;
    }
    replyLongLong(c, deleted);
}

void hlenCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notHash(c, o)) return;
    replyLongLong(c, o ? (long long)hashTypeLength(o) : 0);
}

void hstrlenCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notHash(c, o)) return;
    const char *vstr;
    size_t vlen = 0;
    long long vll;
    if (o && hashGetValue(o, c->argv[2], &vstr, &vlen, &vll) && !vstr) {
        char buf[LONG_STR_SIZE];
        vlen = (size_t)ll2string(buf, sizeof(buf), vll);
    }
    replyLongLong(c, (long long)vlen);
}

void hexistsCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notHash(c, o)) return;
    replyLongLong(c, o && hashExists(o, c->argv[2]));
}

#define HGETALL_FIELDS 1
#define HGETALL_VALUES 2

/* HKEYS / HVALS (arrays) and HGETALL (a map: RESP2 flat array). */
static void hgetallGeneric(client *c, int what) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notHash(c, o)) return;
    int both = what == (HGETALL_FIELDS | HGETALL_VALUES);
    long len = o ? (long)hashTypeLength(o) : 0;
    if (both) replyMapLen(c, len);
    else replyArrayLen(c, len);
    if (!o) return;
    hashTypeIterator hi;
    const char *f, *v;
    size_t flen, vlen;
    hashTypeInitIterator(&hi, o);
    while (hashTypeNext(&hi, &f, &flen, &v, &vlen)) {
        if (what & HGETALL_FIELDS) replyBulk(c, f, flen);
        if (what & HGETALL_VALUES) replyBulk(c, v, vlen);
    }
    hashTypeResetIterator(&hi);
}

void hkeysCommand(client *c) { hgetallGeneric(c, HGETALL_FIELDS); }

void hvalsCommand(client *c) { hgetallGeneric(c, HGETALL_VALUES); }

void hgetallCommand(client *c) { hgetallGeneric(c, HGETALL_FIELDS | HGETALL_VALUES); }

void hincrbyCommand(client *c) {
    long long incr, value = 0;
    if (!string2ll(c->argv[3], dstrlen(c->argv[3]), &incr)) {
        replyErrorNotInteger(c);
        return;
    }
    obj *o = hashLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    const char *vstr;
    size_t vlen;
    if (hashGetValue(o, c->argv[2], &vstr, &vlen, &value) && vstr && !string2ll(vstr, vlen, &value)) {
        replyError(c, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) || (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        replyError(c, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    char buf[LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), value);
    hashSet(o, c->argv[2], buf, (size_t)len);
    replyLongLong(c, value);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

void hincrbyfloatCommand(client *c) {
    long double incr, value = 0;
    if (!string2ld(c->argv[3], dstrlen(c->argv[3]), &incr)) {
        replyErrorNotFloat(c);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        replyError(c, "ERR value is NaN or Infinity");
        return;
    }
    obj *o = hashLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    const char *vstr;
    size_t vlen;
    long long vll;
    if (hashGetValue(o, c->argv[2], &vstr, &vlen, &vll)) {
        if (!vstr) {
            value = (long double)vll;
        } else if (!string2ld(vstr, vlen, &value)) {
            replyError(c, "ERR hash value is not a float");
            return;
        }
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        replyError(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), value);
    hashSet(o, c->argv[2], buf, (size_t)len);
    replyBulk(c, buf, (size_t)len);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

/* ---- HRANDFIELD ----------------------------------------------------------------- */

/* Batch size for random pairs drawn from a listpack with repetitions. */
#define HRANDFIELD_LP_BATCH 1000
/* Below count * 3 > size pick by shuffling all entries, else by sampling. */
#define HRANDFIELD_SHUFFLE_MUL 3

static void hrandfieldReplyListpack(client *c, unsigned long n, const listpackEntry *keys,
                                    const listpackEntry *vals) {
    for (unsigned long i = 0; i < n; i++) {
        if (vals && c->resp > 2) replyArrayLen(c, 2);
        replyListpackEntry(c, &keys[i]);
        if (vals) replyListpackEntry(c, &vals[i]);
    }
}

static void hrandfieldReplyEntry(client *c, dstr e, int withvalues) {
    if (withvalues && c->resp > 2) replyArrayLen(c, 2);
    replyBulkDstr(c, e);
    if (withvalues) replyBulkDstr(c, entryValue(e));
}

/* A random number in [0, n), n > 0 (random() gives only 31 bits). */
static size_t randomIndex(size_t n) {
    uint64_t r = ((uint64_t)random() << 31) ^ (uint64_t)random();
    if (n > (1UL << 31)) r = (r << 31) ^ (uint64_t)random();
    return (size_t)(r % n);
}

static uint64_t ptrHash(const void *key) { return hashBytes(&key, sizeof(key)); }
/* A set of entry pointers (no key callback: pointer identity). */
static hashtableType ptrSetType = {.hashFunction = ptrHash};

/* HRANDFIELD key count [WITHVALUES]: a positive count gives distinct fields
 * (at most the whole hash), a negative one |count| fields that may repeat.
 * RESP2 replies are flat; RESP3 with WITHVALUES nests [field, value] pairs. */
static void hrandfieldWithCount(client *c, long l, int withvalues) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyEmptyArray(c);
        return;
    }
    if (notHash(c, o)) return;
    unsigned long size = hashTypeLength(o);
    int uniq = l >= 0;
    unsigned long count = uniq ? (unsigned long)l : (unsigned long)-l;
    if (count == 0) {
        replyEmptyArray(c);
        return;
    }

    /* repetitions allowed (or a single field): independent draws */
    if (!uniq || count == 1) {
        replyArrayLen(c, (long)(withvalues && c->resp == 2 ? count * 2 : count));
        if (o->encoding == ENC_HASHTABLE) {
            while (count--) {
                void *e;
                hashtableFairRandomEntry(o->ptr, &e);
                hrandfieldReplyEntry(c, e, withvalues);
                if (c->flags & CLIENT_CLOSE_ASAP) break;
            }
            return;
        }
        unsigned long limit = count > HRANDFIELD_LP_BATCH ? HRANDFIELD_LP_BATCH : count;
        listpackEntry *keys = zmalloc(sizeof(listpackEntry) * limit);
        listpackEntry *vals = withvalues ? zmalloc(sizeof(listpackEntry) * limit) : NULL;
        while (count) {
            unsigned long n = count > limit ? limit : count;
            count -= n;
            lpRandomPairs(o->ptr, (unsigned int)n, keys, vals);
            hrandfieldReplyListpack(c, n, keys, vals);
            if (c->flags & CLIENT_CLOSE_ASAP) break;
        }
        zfree(keys);
        zfree(vals);
        return;
    }

    unsigned long n = count < size ? count : size;
    replyArrayLen(c, (long)(withvalues && c->resp == 2 ? n * 2 : n));

    /* the whole hash */
    if (count >= size) {
        hashTypeIterator hi;
        const char *f, *v;
        size_t flen, vlen;
        hashTypeInitIterator(&hi, o);
        while (hashTypeNext(&hi, &f, &flen, &v, &vlen)) {
            if (withvalues && c->resp > 2) replyArrayLen(c, 2);
            replyBulk(c, f, flen);
            if (withvalues) replyBulk(c, v, vlen);
        }
        hashTypeResetIterator(&hi);
        return;
    }

    /* listpack: distinct pairs in listpack order */
    if (o->encoding == ENC_LISTPACK) {
        listpackEntry *keys = zmalloc(sizeof(listpackEntry) * count);
        listpackEntry *vals = withvalues ? zmalloc(sizeof(listpackEntry) * count) : NULL;
        unsigned int got = lpRandomPairsUnique(o->ptr, (unsigned int)count, keys, vals);
        serverAssert(got == count);
        hrandfieldReplyListpack(c, count, keys, vals);
        zfree(keys);
        zfree(vals);
        return;
    }

    hashtable *ht = o->ptr;
    if (count * HRANDFIELD_SHUFFLE_MUL > size) {
        /* a large share of the hash: partial Fisher-Yates over all entries */
        void **all = zmalloc(sizeof(void *) * size);
        hashtableIterator it;
        size_t i = 0;
        hashtableInitIterator(&it, ht);
        while (hashtableNext(&it, &all[i])) i++;
        hashtableResetIterator(&it);
        for (i = 0; i < count; i++) {
            size_t j = i + randomIndex(size - i);
            void *tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
            hrandfieldReplyEntry(c, all[i], withvalues);
        }
        zfree(all);
        return;
    }
    /* a small share: draw until `count` distinct entries were seen */
    hashtable *seen = hashtableCreate(&ptrSetType);
    hashtableExpand(seen, count);
    unsigned long added = 0;
    while (added < count) {
        void *e;
        hashtableFairRandomEntry(ht, &e);
        if (!hashtableAdd(seen, e)) continue;
        hrandfieldReplyEntry(c, e, withvalues);
        added++;
    }
    hashtableRelease(seen);
}

void hrandfieldCommand(client *c) {
    if (c->argc >= 3) {
        long count;
        int withvalues;
        if (parseRandomCountArgs(c, "withvalues", &count, &withvalues) < 0) return;
        hrandfieldWithCount(c, count, withvalues);
        return;
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyNull(c);
        return;
    }
    if (notHash(c, o)) return;
    if (o->encoding == ENC_HASHTABLE) {
        void *e;
        hashtableFairRandomEntry(o->ptr, &e);
        replyBulkDstr(c, e);
    } else {
        listpackEntry key;
        lpRandomPair(o->ptr, hashTypeLength(o), &key, NULL);
        replyListpackEntry(c, &key);
    }
}

/* ---- HSCAN -------------------------------------------------------------------------- */

typedef struct hscanBatch {
    void **items;
    size_t len, cap;
} hscanBatch;

static void hscanCollect(void *privdata, void *entry) {
    hscanBatch *b = privdata;
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->items = zrealloc(b->items, b->cap * sizeof(void *));
    }
    b->items[b->len++] = entry;
}

/* HSCAN key cursor [MATCH pattern] [COUNT count]
 * A listpack hash is returned whole in one call with cursor 0 (the cursor
 * given is ignored); a hashtable hash is scanned with the table's cursor
 * (COUNT buckets' worth of fields per call, at most 10*COUNT buckets). */
void hscanCommand(client *c) {
    unsigned long cursor;
    if (scanParseCursor(c, c->argv[2], &cursor) < 0) return;
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyArrayLen(c, 2);
        replyBulk(c, "0", 1);
        replyEmptyArray(c);
        return;
    }
    if (notHash(c, o)) return;
    scanOptions opt;
    if (scanParseOptions(c, 3, 0, &opt) < 0) return;
    long count = opt.count;
    const char *pat = opt.pattern;
    size_t patlen = opt.patlen;
    int use_pattern = opt.use_pattern;

    if (o->encoding == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        replyArrayLen(c, 2);
        replyBulk(c, "0", 1);
        void *node = replyDeferredLen(c);
        long n = 0;
        unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
        for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
            int64_t flen, vlen;
            unsigned char *f = lpGet(p, &flen, fbuf);
            p = lpNext(lp, p);
            if (use_pattern && !stringmatchlen(pat, patlen, (const char *)f, (size_t)flen, 0)) continue;
            unsigned char *v = lpGet(p, &vlen, vbuf);
            replyBulk(c, f, (size_t)flen);
            replyBulk(c, v, (size_t)vlen);
            n += 2;
        }
        setDeferredArrayLen(c, node, n);
        return;
    }

    hscanBatch batch = {NULL, 0, 0};
    long maxsteps = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
    size_t cur = (size_t)cursor;
    do {
        cur = hashtableScan(o->ptr, cur, hscanCollect, &batch);
    } while (cur && maxsteps-- && batch.len < (unsigned long)count);

    size_t kept = 0;
    for (size_t i = 0; i < batch.len; i++) {
        dstr f = batch.items[i];
        if (!use_pattern || stringmatchlen(pat, patlen, f, dstrlen(f), 0)) batch.items[kept++] = f;
    }
    char buf[LONG_STR_SIZE];
    int blen = ull2string(buf, sizeof(buf), (unsigned long long)cur);
    replyArrayLen(c, 2);
    replyBulk(c, buf, (size_t)blen);
    replyArrayLen(c, (long)kept * 2);
    for (size_t i = 0; i < kept; i++) {
        replyBulkDstr(c, batch.items[i]);
        replyBulkDstr(c, entryValue(batch.items[i]));
    }
    zfree(batch.items);
}
