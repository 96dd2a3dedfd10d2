/* The SET type: encodings, conversions and the member API of t_set.h, then
 * the commands SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS,
 * SPOP, SRANDMEMBER, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
 * SDIFF, SDIFFSTORE and SSCAN.  See t_set.h for the encodings and the
 * conversion rules; behaviour, reply types and error strings follow Redis 7.2.
 * Every command is registered by the build from its commands/<name>.json
 * (arity is checked before the handler runs). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "db.h"
#include "hashtable.h"
#include "intset.h"
#include "listpack.h"
#include "object.h"
#include "reply.h"
#include "scan.h"
#include "sort.h"
#include "server.h"
#include "siphash.h"
#include "t_set.h"
#include "util.h"
#include "zmalloc.h"

/* ---- hashtable of dstr members ------------------------------------------------ */

static uint64_t memberHash(const void *key) { return hashBytes(key, dstrlen((const dstr)key)); }
static int memberCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    return la != lb || memcmp(a, b, la) != 0;
}
static void memberFree(void *entry) { dstrfree(entry); }

static hashtableType setHashtableType = {
    .entryGetKey = NULL, .hashFunction = memberHash, .keyCompare = memberCompare, .entryDestructor = memberFree};

/* A dstr holding s[0..len) to look a member up with: embedded in the caller's
 * stack buffer when it fits, else on the heap (keyViewDone frees it). */
typedef struct keyView {
    char buf[112];
    dstr s;
} keyView;

static dstr keyViewInit(keyView *kv, const char *s, size_t len) {
    if (dstrEmbeddedSize(len) <= sizeof(kv->buf)) kv->s = dstrInitEmbedded(kv->buf, s, len);
    else kv->s = dstrnewlen(s, len);
    return kv->s;
}

static void keyViewDone(keyView *kv) {
    if (!dstrIsEmbedded(kv->s)) dstrfree(kv->s);
}

/* ---- limits ------------------------------------------------------------------- */

/* set-max-intset-entries, capped at 2^30 (the intset's own limit). */
static size_t intsetMaxEntries(void) {
    long v = server.set_max_intset_entries;
    if (v < 0) v = 0;
    if ((unsigned long)v >= (1ul << 30)) return 1ul << 30;
    return (size_t)v;
}

static size_t listpackMaxEntries(void) { return server.set_max_listpack_entries < 0 ? 0 : (size_t)server.set_max_listpack_entries; }
static size_t listpackMaxValue(void) { return server.set_max_listpack_value < 0 ? 0 : (size_t)server.set_max_listpack_value; }

/* Characters of the decimal text of v (sign included). */
static size_t decimalDigits(long long v) {
    char buf[LONG_STR_SIZE];
    return (size_t)ll2string(buf, sizeof(buf), v);
}

/* Upper bound of the bytes of a listpack holding `n` integer entries each as
 * wide as `v`'s (header and terminator included). */
static size_t listpackBytesForIntegers(long long v, size_t n) {
    return LP_HDR_SIZE + (size_t)lpEntrySizeInteger(v) * n + 1;
}

/* ---- creation ----------------------------------------------------------------- */

obj *setTypeCreateIntset(void) { return objCreate(OBJ_SET, ENC_INTSET, intsetNew()); }
obj *setTypeCreateListpack(void) { return objCreate(OBJ_SET, ENC_LISTPACK, lpNew(0)); }

obj *setTypeCreateHashtable(size_t presize) {
    hashtable *ht = hashtableCreate(&setHashtableType);
    if (presize) hashtableExpand(ht, presize);
    return objCreate(OBJ_SET, ENC_HASHTABLE, ht);
}

obj *setTypeCreate(const char *first, size_t len, size_t size_hint) {
    long long v;
    if (string2ll(first, len, &v) && size_hint <= intsetMaxEntries()) return setTypeCreateIntset();
    if (size_hint <= listpackMaxEntries()) return setTypeCreateListpack();
    return setTypeCreateHashtable(size_hint);
}

/* ---- size, iteration, random ---------------------------------------------------- */

unsigned long setTypeSize(const obj *set) {
    switch (set->encoding) {
    case ENC_INTSET: return intsetLen(set->ptr);
    case ENC_LISTPACK: return lpLength(set->ptr);
    case ENC_HASHTABLE: return (unsigned long)hashtableSize(set->ptr);
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
}

void setTypeInitIterator(setIterator *si, obj *set) {
    si->set = set;
    si->encoding = set->encoding;
    si->ii = 0;
    si->lpi = NULL;
    if (si->encoding == ENC_HASHTABLE) hashtableInitIterator(&si->hi, set->ptr);
}

void setTypeResetIterator(setIterator *si) {
    if (si->encoding == ENC_HASHTABLE) hashtableResetIterator(&si->hi);
}

int setTypeNext(setIterator *si, const char **str, size_t *len, int64_t *llval) {
    switch (si->encoding) {
    case ENC_INTSET:
        if (!intsetGet(si->set->ptr, si->ii, llval)) return -1;
        si->ii++;
        *str = NULL;
        *len = 0;
        break;
    case ENC_LISTPACK: {
        unsigned char *lp = si->set->ptr;
        si->lpi = si->lpi ? lpNext(lp, si->lpi) : lpFirst(lp);
        if (!si->lpi) return -1;
        unsigned int slen = 0;
        long long v = 0;
        *str = (const char *)lpGetValue(si->lpi, &slen, &v);
        *len = slen;
        *llval = v;
        break;
    }
    case ENC_HASHTABLE: {
        void *entry;
        if (!hashtableNext(&si->hi, &entry)) return -1;
        *str = entry;
        *len = dstrlen(entry);
        *llval = 0;
        break;
    }
    default: serverPanic("unknown set encoding %d", si->encoding);
    }
    return si->encoding;
}

dstr setTypeNextDstr(setIterator *si) {
    const char *str;
    size_t len;
    int64_t v;
    if (setTypeNext(si, &str, &len, &v) == -1) return NULL;
    return str ? dstrnewlen(str, len) : dstrfromll(v);
}

int setTypeRandomElement(obj *set, const char **str, size_t *len, int64_t *llval) {
    switch (set->encoding) {
    case ENC_INTSET:
        *llval = intsetRandom(set->ptr);
        *str = NULL;
        *len = 0;
        break;
    case ENC_LISTPACK: {
        listpackEntry e;
        lpRandomEntry(set->ptr, &e);
        *str = (const char *)e.sval;
        *len = e.slen;
        *llval = e.lval;
        break;
    }
    case ENC_HASHTABLE: {
        void *entry = NULL;
        int found = hashtableFairRandomEntry(set->ptr, &entry);
        serverAssert(found);
        *str = entry;
        *len = dstrlen(entry);
        *llval = 0;
        break;
    }
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
    return set->encoding;
}

/* ---- conversion ----------------------------------------------------------------- */

/* Free the structure behind set->ptr (not the object). */
static void freeSetValue(obj *set) {
    switch (set->encoding) {
    case ENC_INTSET: intsetFree(set->ptr); break;
    case ENC_LISTPACK: lpFree(set->ptr); break;
    case ENC_HASHTABLE: hashtableRelease(set->ptr); break;
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
    set->ptr = NULL;
}

int setTypeConvertAndExpand(obj *set, int enc, size_t cap, int panic) {
    serverAssert(set->type == OBJ_SET && (int)set->encoding != enc);
    setIterator si;
    const char *str;
    size_t len;
    int64_t v;
    if (enc == ENC_HASHTABLE) {
        hashtable *ht = hashtableCreate(&setHashtableType);
        if (panic) {
            hashtableExpand(ht, cap);
        } else if (!hashtableTryExpand(ht, cap)) {
            hashtableRelease(ht);
            return 0;
        }
        setTypeInitIterator(&si, set);
        while (setTypeNext(&si, &str, &len, &v) != -1) {
            dstr m = str ? dstrnewlen(str, len) : dstrfromll(v);
            int added = hashtableAdd(ht, m);
            serverAssert(added);
        }
        setTypeResetIterator(&si);
        freeSetValue(set);
        set->encoding = ENC_HASHTABLE;
        set->ptr = ht;
    } else if (enc == ENC_LISTPACK) {
        /* At least two bytes per entry (encoding and backlen); from an intset
         * the widest of its extremes gives a better estimate. */
        size_t estimate = cap * 2;
        if (set->encoding == ENC_INTSET && intsetLen(set->ptr) > 0) {
            size_t a = listpackBytesForIntegers(intsetMin(set->ptr), cap);
            size_t b = listpackBytesForIntegers(intsetMax(set->ptr), cap);
            estimate = a > b ? a : b;
        }
        unsigned char *lp = lpNew(estimate);
        setTypeInitIterator(&si, set);
        while (setTypeNext(&si, &str, &len, &v) != -1) {
            if (str) lp = lpAppend(lp, (const unsigned char *)str, (uint32_t)len);
            else lp = lpAppendInteger(lp, v);
        }
        setTypeResetIterator(&si);
        freeSetValue(set);
        set->encoding = ENC_LISTPACK;
        set->ptr = lp;
    } else {
        serverPanic("unsupported set conversion to encoding %d", enc);
    }
    return 1;
}

void setTypeConvert(obj *set, int enc) { setTypeConvertAndExpand(set, enc, setTypeSize(set), 1); }

void setTypeMaybeConvert(obj *set, size_t size_hint) {
    if ((set->encoding == ENC_LISTPACK && size_hint > listpackMaxEntries()) ||
        (set->encoding == ENC_INTSET && size_hint > intsetMaxEntries()))
        setTypeConvertAndExpand(set, ENC_HASHTABLE, size_hint, 1);
}

/* An intset that grew past set-max-intset-entries becomes a hashtable. */
static void maybeConvertIntset(obj *set) {
    if (intsetLen(set->ptr) > intsetMaxEntries()) setTypeConvert(set, ENC_HASHTABLE);
}

/* Turn a listpack or hashtable set whose members are all integers into an
 * intset, unless it has too many members for one.  The caller knows that
 * every member is an integer. */
void setTypeConvertToIntsetIfFits(obj *set) {
    if (set->encoding == ENC_INTSET || setTypeSize(set) > intsetMaxEntries()) return;
    intset *is = intsetNew();
    setIterator si;
    const char *str;
    size_t len;
    int64_t v;
    setTypeInitIterator(&si, set);
    while (setTypeNext(&si, &str, &len, &v) != -1) {
        if (str) {
            long long ll;
            int ok = string2ll(str, len, &ll);
            serverAssert(ok);
            v = ll;
        }
        uint8_t added = 0;
        is = intsetAdd(is, v, &added);
        serverAssert(added);
    }
    setTypeResetIterator(&si);
    freeSetValue(set);
    set->encoding = ENC_INTSET;
    set->ptr = is;
}

/* ---- add / remove / lookup --------------------------------------------------------
 * The *Member functions take a member as bytes (str != NULL) or as an integer
 * (str == NULL, v).  `is_dstr` says that str is a heap-or-embedded dstr of
 * exactly len bytes (a hashtable member), usable as a hashtable key as is. */

static int addToHashtable(hashtable *ht, const char *str, size_t len, int is_dstr) {
    keyView kv;
    dstr key = is_dstr ? (dstr)str : keyViewInit(&kv, str, len);
    hashtablePosition pos;
    int absent = hashtableFindPositionForInsert(ht, key, &pos, NULL);
    if (absent) hashtableInsertAtPosition(ht, dstrnewlen(str, len), &pos);
    if (!is_dstr) keyViewDone(&kv);
    return absent;
}

int setTypeAddMember(obj *set, const char *str, size_t len, int64_t v, int is_dstr) {
    char buf[LONG_STR_SIZE];
    if (!str) {
        if (set->encoding == ENC_INTSET) {
            uint8_t added = 0;
            set->ptr = intsetAdd(set->ptr, v, &added);
            if (added) maybeConvertIntset(set);
            return added;
        }
        len = (size_t)ll2string(buf, sizeof(buf), v);
        str = buf;
        is_dstr = 0;
    }

    switch (set->encoding) {
    case ENC_HASHTABLE: return addToHashtable(set->ptr, str, len, is_dstr);
    case ENC_LISTPACK: {
        unsigned char *lp = set->ptr;
        unsigned char *p = lpFirst(lp);
        if (p && lpFind(lp, p, (const unsigned char *)str, (uint32_t)len, 0)) return 0;
        if (lpLength(lp) < listpackMaxEntries() && len <= listpackMaxValue() && lpSafeToAdd(lp, len)) {
            if (str == buf) lp = lpAppendInteger(lp, v);
            else lp = lpAppend(lp, (const unsigned char *)str, (uint32_t)len);
            set->ptr = lp;
        } else {
            setTypeConvertAndExpand(set, ENC_HASHTABLE, lpLength(lp) + 1, 1);
            int added = addToHashtable(set->ptr, str, len, 0);
            serverAssert(added);
        }
        return 1;
    }
    case ENC_INTSET: {
        long long ll;
        if (string2ll(str, len, &ll)) {
            uint8_t added = 0;
            set->ptr = intsetAdd(set->ptr, ll, &added);
            if (added) maybeConvertIntset(set);
            return added;
        }
        /* A string joins an intset: a listpack if everything fits its limits
         * (the intset's members are at most as long as its extremes). */
        size_t n = intsetLen(set->ptr), maxelelen = 0, totsize = 0;
        if (n) {
            int64_t lo = intsetMin(set->ptr), hi = intsetMax(set->ptr);
            size_t l1 = decimalDigits(lo), l2 = decimalDigits(hi);
            maxelelen = l1 > l2 ? l1 : l2;
            size_t s1 = listpackBytesForIntegers(lo, n), s2 = listpackBytesForIntegers(hi, n);
            totsize = s1 > s2 ? s1 : s2;
        }
        if (n < listpackMaxEntries() && len <= listpackMaxValue() && maxelelen <= listpackMaxValue() &&
            lpSafeToAdd(NULL, totsize + len)) {
            setTypeConvertAndExpand(set, ENC_LISTPACK, n + 1, 1);
            set->ptr = lpShrinkToFit(lpAppend(set->ptr, (const unsigned char *)str, (uint32_t)len));
        } else {
            setTypeConvertAndExpand(set, ENC_HASHTABLE, n + 1, 1);
            int added = addToHashtable(set->ptr, str, len, 0);
            serverAssert(added);
        }
        return 1;
    }
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
}

int setTypeRemoveMember(obj *set, const char *str, size_t len, int64_t v, int is_dstr) {
    char buf[LONG_STR_SIZE];
    if (!str) {
        if (set->encoding == ENC_INTSET) {
            int removed = 0;
            set->ptr = intsetRemove(set->ptr, v, &removed);
            return removed;
        }
        len = (size_t)ll2string(buf, sizeof(buf), v);
        str = buf;
        is_dstr = 0;
    }
    switch (set->encoding) {
    case ENC_HASHTABLE: {
        keyView kv;
        dstr key = is_dstr ? (dstr)str : keyViewInit(&kv, str, len);
        int removed = hashtableDelete(set->ptr, key);
        if (!is_dstr) keyViewDone(&kv);
        return removed;
    }
    case ENC_LISTPACK: {
        unsigned char *lp = set->ptr;
        unsigned char *p = lpFirst(lp);
        if (p) p = lpFind(lp, p, (const unsigned char *)str, (uint32_t)len, 0);
        if (!p) return 0;
        set->ptr = lpDelete(lp, p, NULL);
        return 1;
    }
    case ENC_INTSET: {
        long long ll;
        int removed = 0;
        if (string2ll(str, len, &ll)) set->ptr = intsetRemove(set->ptr, ll, &removed);
        return removed;
    }
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
}

int setTypeIsMemberAux(obj *set, const char *str, size_t len, int64_t v, int is_dstr) {
    char buf[LONG_STR_SIZE];
    if (!str) {
        if (set->encoding == ENC_INTSET) return intsetFind(set->ptr, v);
        len = (size_t)ll2string(buf, sizeof(buf), v);
        str = buf;
        is_dstr = 0;
    }
    switch (set->encoding) {
    case ENC_HASHTABLE: {
        keyView kv;
        dstr key = is_dstr ? (dstr)str : keyViewInit(&kv, str, len);
        int found = hashtableFind(set->ptr, key, NULL);
        if (!is_dstr) keyViewDone(&kv);
        return found;
    }
    case ENC_LISTPACK: {
        unsigned char *lp = set->ptr;
        unsigned char *p = lpFirst(lp);
        return p && lpFind(lp, p, (const unsigned char *)str, (uint32_t)len, 0) != NULL;
    }
    case ENC_INTSET: {
        long long ll;
        return string2ll(str, len, &ll) && intsetFind(set->ptr, ll);
    }
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
}

int setTypeAdd(obj *set, const char *s, size_t len) { return setTypeAddMember(set, s, len, 0, 0); }
int setTypeAddInteger(obj *set, long long v) { return setTypeAddMember(set, NULL, 0, v, 0); }
int setTypeRemove(obj *set, const char *s, size_t len) { return setTypeRemoveMember(set, s, len, 0, 0); }
int setTypeIsMember(obj *set, const char *s, size_t len) { return setTypeIsMemberAux(set, s, len, 0, 0); }

/* ---- object methods ------------------------------------------------------------ */

void *setTypeDupValue(const obj *set) {
    switch (set->encoding) {
    case ENC_INTSET: return intsetDup(set->ptr);
    case ENC_LISTPACK: return lpDup(set->ptr);
    case ENC_HASHTABLE: {
        hashtable *src = set->ptr, *dst = hashtableCreate(&setHashtableType);
        hashtableExpand(dst, hashtableSize(src));
        hashtableIterator it;
        void *entry;
        hashtableInitIterator(&it, src);
        while (hashtableNext(&it, &entry)) hashtableAdd(dst, dstrdup(entry));
        hashtableResetIterator(&it);
        return dst;
    }
    default: serverPanic("unknown set encoding %d", set->encoding);
    }
}

/* Members sampled to estimate the memory of a hashtable set (as Redis's
 * MEMORY USAGE default of 5 samples). */
#define SET_MEM_SAMPLES 5

static size_t setMemUsage(const obj *set) {
    switch (set->encoding) {
    case ENC_INTSET:
    case ENC_LISTPACK: return zmalloc_size(set->ptr);
    case ENC_HASHTABLE: {
        hashtable *ht = set->ptr;
        size_t size = hashtableMemUsage(ht), n = hashtableSize(ht), sampled = 0, bytes = 0;
        hashtableIterator it;
        void *entry;
        hashtableInitIterator(&it, ht);
        while (sampled < SET_MEM_SAMPLES && hashtableNext(&it, &entry)) {
            bytes += zmalloc_size(dstrAllocPtr(entry));
            sampled++;
        }
        hashtableResetIterator(&it);
        if (sampled) size += (size_t)((double)bytes / (double)sampled * (double)n);
        return size;
    }
    default: return 0;
    }
}

static const objTypeMethods setMethods = {
    .free_value = freeSetValue, .dup_value = setTypeDupValue, .mem_usage = setMemUsage};

/* SORT source: a set's members, in no particular order (sort.h). */
static unsigned long setSortLength(obj *o) { return setTypeSize(o); }

static void setSortLoad(obj *o, unsigned long start, unsigned long count, int reverse, sortAddElement *add,
                        void *ctx) {
    (void)start; (void)count; (void)reverse; /* unordered: always the whole set */
    setIterator si;
    setTypeInitIterator(&si, o);
    const char *str;
    size_t len;
    int64_t v;
    char buf[LONG_STR_SIZE];
    while (setTypeNext(&si, &str, &len, &v) != -1) {
        if (!str) {
            len = (size_t)ll2string(buf, sizeof(buf), v);
            str = buf;
        }
        add(ctx, str, len);
    }
    setTypeResetIterator(&si);
}

static const sortSourceType setSortSource = {.length = setSortLength, .load = setSortLoad, .ordered = 0};

void setTypeRegister(void) {
    objRegisterType(OBJ_SET, &setMethods);
    sortRegisterSource(OBJ_SET, &setSortSource);
}

/* ---- RDB helpers ------------------------------------------------------------------ */

const unsigned char *setTypeBlob(const obj *set, int *enc, size_t *len) {
    *enc = set->encoding;
    if (set->encoding == ENC_INTSET) {
        *len = intsetBlobLen(set->ptr);
        return set->ptr;
    }
    if (set->encoding == ENC_LISTPACK) {
        *len = lpBytes(set->ptr);
        return set->ptr;
    }
    *len = 0;
    return NULL;
}

obj *setTypeCreateFromIntset(intset *is) {
    obj *set = objCreate(OBJ_SET, ENC_INTSET, is);
    maybeConvertIntset(set);
    return set;
}

obj *setTypeCreateFromListpack(unsigned char *lp) {
    obj *set = objCreate(OBJ_SET, ENC_LISTPACK, lp);
    if (lpLength(lp) > listpackMaxEntries()) setTypeConvert(set, ENC_HASHTABLE);
    return set;
}

/* lpValidateIntegrity callback: collect each member into a hashtable and fail
 * on a duplicate. */
static int validateNoDup(unsigned char *p, unsigned int head_count, void *userdata) {
    (void)head_count;
    hashtable *seen = userdata;
    unsigned int slen = 0;
    long long v = 0;
    unsigned char *s = lpGetValue(p, &slen, &v);
    dstr m = s ? dstrnewlen(s, slen) : dstrfromll(v);
    if (!hashtableAdd(seen, m)) {
        dstrfree(m);
        return 0;
    }
    return 1;
}

int setTypeValidateListpack(const unsigned char *lp, size_t size, int deep) {
    if (!deep) return lpValidateIntegrity(lp, size, 0, NULL, NULL) && size > LP_HDR_SIZE + 1;
    hashtable *seen = hashtableCreate(&setHashtableType);
    int ok = lpValidateIntegrity(lp, size, 1, validateNoDup, seen) && hashtableSize(seen) > 0;
    hashtableRelease(seen);
    return ok;
}

int setLoaderInit(setLoader *ld, size_t len) {
    ld->declared = len;
    ld->pending = 0;
    ld->maxelelen = ld->sumelelen = 0;
    if (len > intsetMaxEntries()) {
        hashtable *ht = hashtableCreate(&setHashtableType);
        if (!hashtableTryExpand(ht, len)) {
            hashtableRelease(ht);
            ld->set = NULL;
            return 0;
        }
        ld->set = objCreate(OBJ_SET, ENC_HASHTABLE, ht);
    } else {
        ld->set = setTypeCreateIntset();
    }
    return 1;
}

/* Insert the pending members (hashtable encoding); 0 (and the members not
 * added freed) at a duplicate. */
static int setLoaderFlush(setLoader *ld) {
    size_t n = ld->pending, added = hashtableAddBatch(ld->set->ptr, ld->batch, n);
    ld->pending = 0;
    for (size_t i = added; i < n; i++) dstrfree(ld->batch[i]);
    return added == n;
}

int setLoaderAdd(setLoader *ld, const char *s, size_t len) {
    obj *set = ld->set;
    ld->sumelelen += len;
    if (len > ld->maxelelen) ld->maxelelen = len;
    if (set->encoding == ENC_INTSET) {
        long long v;
        if (string2ll(s, len, &v)) {
            uint8_t added = 0;
            set->ptr = intsetAdd(set->ptr, v, &added);
            return added;
        }
        if (intsetLen(set->ptr) < listpackMaxEntries() && ld->maxelelen <= listpackMaxValue() &&
            lpSafeToAdd(NULL, ld->sumelelen)) {
            setTypeConvert(set, ENC_LISTPACK);
        } else if (!setTypeConvertAndExpand(set, ENC_HASHTABLE, ld->declared, 0)) {
            return -1;
        }
    }
    if (set->encoding == ENC_LISTPACK) {
        if (lpLength(set->ptr) < listpackMaxEntries() && len <= listpackMaxValue() && lpSafeToAdd(set->ptr, len)) {
            unsigned char *p = lpFirst(set->ptr);
            if (p && lpFind(set->ptr, p, (const unsigned char *)s, (uint32_t)len, 0)) return 0;
            set->ptr = lpAppend(set->ptr, (const unsigned char *)s, (uint32_t)len);
            return 1;
        }
        if (!setTypeConvertAndExpand(set, ENC_HASHTABLE, ld->declared, 0)) return -1;
    }
    ld->batch[ld->pending++] = dstrnewlen(s, len);
    return ld->pending < HASHTABLE_BATCH || setLoaderFlush(ld);
}

obj *setLoaderFinish(setLoader *ld) {
    if (ld->pending && !setLoaderFlush(ld)) {
        setLoaderAbort(ld);
        return NULL;
    }
    obj *set = ld->set;
    ld->set = NULL;
    return set;
}

void setLoaderAbort(setLoader *ld) {
    for (unsigned i = 0; i < ld->pending; i++) dstrfree(ld->batch[i]);
    ld->pending = 0;
    if (ld->set) objDecrRef(ld->set);
    ld->set = NULL;
}

/* =================================================================================
 * Commands
 * ================================================================================= */

/* Reply WRONGTYPE and return 1 when `o` exists and is not a set. */
static int notSet(client *c, const obj *o) {
    if (o && o->type != OBJ_SET) {
        replyErrorWrongType(c);
        return 1;
    }
    return 0;
}

/* Bulk reply with a member given as bytes or as an integer. */
static void replyMember(client *c, const char *str, size_t len, int64_t v) {
    if (str) replyBulk(c, str, len);
    else replyBulkLongLong(c, v);
}

/* Parse a long argument as Redis's getLongFromObjectOrReply: strict decimal.
 * On failure replies `msg` (or the standard integer error) and returns 0. */
static int argToLong(client *c, const dstr arg, long *out, const char *msg) {
    long long v;
    if (!string2ll(arg, dstrlen(arg), &v) || v < LONG_MIN || v > LONG_MAX) {
        if (msg) replyError(c, msg);
        else replyErrorNotInteger(c);
        return 0;
    }
    *out = (long)v;
    return 1;
}

/* getPositiveLongFromObjectOrReply: a long >= 0.  Every failure (not an
 * integer, or negative) replies `msg`, by default "ERR value is out of range,
 * must be positive" (so SPOP s x says "must be positive", as Redis). */
static int argToPositiveLong(client *c, const dstr arg, long *out, const char *msg) {
    if (!msg) msg = "ERR value is out of range, must be positive";
    if (!argToLong(c, arg, out, msg)) return 0;
    if (*out < 0) {
        replyError(c, msg);
        return 0;
    }
    return 1;
}

/* Delete the key of a set that became empty. */
static void deleteIfEmpty(client *c, obj *set, const dstr key) {
    if (setTypeSize(set) == 0) dbDelete(c->db, key);
}

/* ---- SADD / SREM / SMOVE ------------------------------------------------------- */

/* SADD key member [member ...] */
void saddCommand(client *c) {
    obj *set = lookupKeyWrite(c->db, c->argv[1]);
    if (notSet(c, set)) return;
    size_t nargs = (size_t)(c->argc - 2);
    if (!set) set = dbAdd(c->db, c->argv[1], setTypeCreate(c->argv[2], dstrlen(c->argv[2]), nargs));
    else setTypeMaybeConvert(set, nargs);
    long long added = 0;
    for (int j = 2; j < c->argc; j++) added += setTypeAdd(set, c->argv[j], dstrlen(c->argv[j]));
    if (added) signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty += added;
    replyLongLong(c, added);
}

/* SREM key member [member ...] */
void sremCommand(client *c) {
    obj *set = lookupKeyWrite(c->db, c->argv[1]);
    if (!set) {
        replyLongLong(c, 0);
        return;
    }
    if (notSet(c, set)) return;
    long long removed = 0;
    for (int j = 2; j < c->argc; j++) {
        if (!setTypeRemove(set, c->argv[j], dstrlen(c->argv[j]))) continue;
        removed++;
        if (setTypeSize(set) == 0) {
            dbDelete(c->db, c->argv[1]);
            break;
        }
    }
    if (removed) {
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += removed;
    }
    replyLongLong(c, removed);
}

/* SMOVE source destination member */
void smoveCommand(client *c) {
    obj *src = lookupKeyWrite(c->db, c->argv[1]);
    obj *dst = lookupKeyWrite(c->db, c->argv[2]);
    const dstr member = c->argv[3];
    size_t mlen = dstrlen(member);
    if (!src) {
        replyLongLong(c, 0);
        return;
    }
    if (notSet(c, src) || notSet(c, dst)) return;
    if (src == dst) {
        replyLongLong(c, setTypeIsMember(src, member, mlen));
        return;
    }
    if (!setTypeRemove(src, member, mlen)) {
        replyLongLong(c, 0);
        return;
    }
    deleteIfEmpty(c, src, c->argv[1]);
    if (!dst) dst = dbAdd(c->db, c->argv[2], setTypeCreate(member, mlen, 1));
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
    if (setTypeAdd(dst, member, mlen)) {
        server.dirty++;
        signalModifiedKey(c, c->db, c->argv[2]);
    }
    replyLongLong(c, 1);
}

/* ---- membership and size ----------------------------------------------------------- */

/* SISMEMBER key member */
void sismemberCommand(client *c) {
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (notSet(c, set)) return;
    replyLongLong(c, set ? setTypeIsMember(set, c->argv[2], dstrlen(c->argv[2])) : 0);
}

/* SMISMEMBER key member [member ...]: a missing key is an empty set. */
void smismemberCommand(client *c) {
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (notSet(c, set)) return;
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        replyLongLong(c, set ? setTypeIsMember(set, c->argv[j], dstrlen(c->argv[j])) : 0);
}

/* SCARD key */
void scardCommand(client *c) {
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (notSet(c, set)) return;
    replyLongLong(c, set ? (long long)setTypeSize(set) : 0);
}

/* Reply every member of `set` as a RESP3 set (RESP2 array). */
static void replyWholeSet(client *c, obj *set) {
    setIterator si;
    const char *str;
    size_t len;
    int64_t v;
    replySetLen(c, (long)setTypeSize(set));
    setTypeInitIterator(&si, set);
    while (setTypeNext(&si, &str, &len, &v) != -1) replyMember(c, str, len, v);
    setTypeResetIterator(&si);
}

/* SMEMBERS key */
void smembersCommand(client *c) {
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (notSet(c, set)) return;
    if (!set) replySetLen(c, 0);
    else replyWholeSet(c, set);
}

/* ---- SPOP ---------------------------------------------------------------------------- */

/* With a count leaving fewer than count/5 members, SPOP builds the remaining
 * set anew instead of popping one member at a time (as Redis). */
#define SPOP_MOVE_STRATEGY_MUL 5

/* Remove one random member, replying it. */
static void popOneAndReply(client *c, obj *set) {
    if (set->encoding == ENC_LISTPACK) {
        unsigned char *lp = set->ptr;
        unsigned int index = 0;
        unsigned char *p = lpNextRandom(lp, lpFirst(lp), &index, 1, 0);
        unsigned int slen = 0;
        long long v = 0;
        unsigned char *s = lpGetValue(p, &slen, &v);
        replyMember(c, (const char *)s, slen, v);
        set->ptr = lpDelete(lp, p, NULL);
    } else if (set->encoding == ENC_HASHTABLE) {
        void *entry = NULL;
        int found = hashtableFairRandomEntry(set->ptr, &entry);
        serverAssert(found);
        replyBulkDstr(c, entry);
        hashtableDelete(set->ptr, entry); /* frees entry */
    } else {
        int64_t v = intsetRandom(set->ptr);
        replyBulkLongLong(c, v);
        int removed = 0;
        set->ptr = intsetRemove(set->ptr, v, &removed);
    }
}

/* Pick `n` distinct entries of a listpack uniformly, in listpack order, into ps[]. */
static void listpackPickUnique(unsigned char *lp, unsigned char **ps, unsigned long n) {
    unsigned char *p = lpFirst(lp);
    unsigned int index = 0;
    for (unsigned long i = 0; i < n; i++) {
        p = lpNextRandom(lp, p, &index, (unsigned int)(n - i), 0);
        ps[i] = p;
        p = lpNext(lp, p);
        index++;
    }
}

static void spopWithCount(client *c) {
    long l;
    if (!argToPositiveLong(c, c->argv[2], &l, NULL)) return;
    unsigned long count = (unsigned long)l;
    obj *set = lookupKeyWrite(c->db, c->argv[1]);
    if (!set) {
        replySetLen(c, 0);
        return;
    }
    if (notSet(c, set)) return;
    if (count == 0) {
        replySetLen(c, 0);
        return;
    }
    unsigned long size = setTypeSize(set);
    server.dirty += (long long)(count >= size ? size : count);

    if (count >= size) {
        /* Everything goes: reply the set and delete the key. */
        replyWholeSet(c, set);
        dbDelete(c->db, c->argv[1]);
        signalModifiedKey(c, c->db, c->argv[1]);
        return;
    }

    unsigned long remaining = size - count;
    replySetLen(c, (long)count);
    const char *str;
    size_t len;
    int64_t v;
    if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
        /* Few members popped: pick them and remove them. */
        if (set->encoding == ENC_LISTPACK) {
            unsigned char *lp = set->ptr;
            unsigned char **ps = zmalloc(sizeof(*ps) * count);
            listpackPickUnique(lp, ps, count);
            for (unsigned long i = 0; i < count; i++) {
                unsigned int slen = 0;
                long long lv = 0;
                unsigned char *s = lpGetValue(ps[i], &slen, &lv);
                replyMember(c, (const char *)s, slen, lv);
            }
            set->ptr = lpBatchDelete(lp, ps, count);
            zfree(ps);
        } else {
            for (unsigned long i = 0; i < count; i++) popOneAndReply(c, set);
        }
    } else {
        /* Most members popped: move the few that stay into a new set, reply
         * what is left in the old one and store the new one. */
        obj *newset = NULL;
        if (set->encoding == ENC_LISTPACK) {
            newset = setTypeCreateListpack();
            unsigned char *lp = set->ptr;
            unsigned char **ps = zmalloc(sizeof(*ps) * remaining);
            listpackPickUnique(lp, ps, remaining);
            for (unsigned long i = 0; i < remaining; i++) {
                unsigned int slen = 0;
                long long lv = 0;
                unsigned char *s = lpGetValue(ps[i], &slen, &lv);
                setTypeAddMember(newset, (const char *)s, slen, lv, 0);
            }
            set->ptr = lpBatchDelete(lp, ps, remaining);
            zfree(ps);
        } else {
            while (remaining--) {
                int enc = setTypeRandomElement(set, &str, &len, &v);
                if (!newset) newset = str ? setTypeCreateListpack() : setTypeCreateIntset();
                setTypeAddMember(newset, str, len, v, enc == ENC_HASHTABLE);
                setTypeRemoveMember(set, str, len, v, enc == ENC_HASHTABLE);
            }
        }
        setIterator si;
        setTypeInitIterator(&si, set);
        while (setTypeNext(&si, &str, &len, &v) != -1) replyMember(c, str, len, v);
        setTypeResetIterator(&si);
        dbReplaceValue(c->db, set, newset);
    }
    signalModifiedKey(c, c->db, c->argv[1]);
}

/* SPOP key [count] */
void spopCommand(client *c) {
    if (c->argc == 3) {
        spopWithCount(c);
        return;
    }
    if (c->argc > 3) {
        replyErrorSyntax(c);
        return;
    }
    obj *set = lookupKeyWrite(c->db, c->argv[1]);
    if (!set) {
        replyNull(c);
        return;
    }
    if (notSet(c, set)) return;
    popOneAndReply(c, set);
    deleteIfEmpty(c, set, c->argv[1]);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

/* ---- SRANDMEMBER ------------------------------------------------------------------- */

/* Above count*3 members, distinct random members are sampled one by one;
 * otherwise all members are copied and random ones dropped (as Redis). */
#define SRANDMEMBER_SUB_STRATEGY_MUL 3
/* Members sampled from a listpack per batch for negative counts. */
#define SRANDMEMBER_RANDOM_SAMPLE_LIMIT 1000

static void srandmemberWithCount(client *c) {
    long l;
    long long ll;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &ll)) {
        replyErrorNotInteger(c);
        return;
    }
    if (ll < -LONG_MAX || ll > LONG_MAX) {
        replyErrorFormat(c, "ERR value is out of range, value must between %ld and %ld", -LONG_MAX, LONG_MAX);
        return;
    }
    l = (long)ll;
    int unique = l >= 0;
    unsigned long count = unique ? (unsigned long)l : (unsigned long)-l;

    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (!set) {
        replyEmptyArray(c);
        return;
    }
    if (notSet(c, set)) return;
    unsigned long size = setTypeSize(set);
    if (count == 0) {
        replyEmptyArray(c);
        return;
    }
    const char *str;
    size_t len;
    int64_t v;

    /* Repetitions allowed (or a single member): independent draws. */
    if (!unique || count == 1) {
        replyArrayLen(c, (long)count);
        if (set->encoding == ENC_LISTPACK && count > 1) {
            unsigned long batch = count > SRANDMEMBER_RANDOM_SAMPLE_LIMIT ? SRANDMEMBER_RANDOM_SAMPLE_LIMIT : count;
            listpackEntry *entries = zmalloc(sizeof(*entries) * batch);
            while (count) {
                unsigned long n = count > batch ? batch : count;
                count -= n;
                lpRandomEntries(set->ptr, (unsigned int)n, entries);
                for (unsigned long i = 0; i < n; i++)
                    replyMember(c, (const char *)entries[i].sval, entries[i].slen, entries[i].lval);
                if (c->flags & CLIENT_CLOSE_ASAP) break;
            }
            zfree(entries);
            return;
        }
        while (count--) {
            setTypeRandomElement(set, &str, &len, &v);
            replyMember(c, str, len, v);
            if (c->flags & CLIENT_CLOSE_ASAP) break;
        }
        return;
    }

    /* At least as many as the set holds: the whole set. */
    if (count >= size) {
        setIterator si;
        replyArrayLen(c, (long)size);
        setTypeInitIterator(&si, set);
        while (setTypeNext(&si, &str, &len, &v) != -1) replyMember(c, str, len, v);
        setTypeResetIterator(&si);
        return;
    }

    /* Listpack: one pass of selection sampling. */
    if (set->encoding == ENC_LISTPACK) {
        unsigned char **ps = zmalloc(sizeof(*ps) * count);
        listpackPickUnique(set->ptr, ps, count);
        replyArrayLen(c, (long)count);
        for (unsigned long i = 0; i < count; i++) {
            unsigned int slen = 0;
            long long lv = 0;
            unsigned char *s = lpGetValue(ps[i], &slen, &lv);
            replyMember(c, (const char *)s, slen, lv);
        }
        zfree(ps);
        return;
    }

    hashtable *picked = hashtableCreate(&setHashtableType);
    if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
        /* Copy everything, then drop random members down to count. */
        setIterator si;
        hashtableExpand(picked, size);
        setTypeInitIterator(&si, set);
        while (setTypeNext(&si, &str, &len, &v) != -1) hashtableAdd(picked, str ? dstrnewlen(str, len) : dstrfromll(v));
        setTypeResetIterator(&si);
        while (hashtableSize(picked) > count) {
            void *entry = NULL;
            hashtableFairRandomEntry(picked, &entry);
            hashtableDelete(picked, entry);
        }
    } else {
        /* Draw until count distinct members were seen. */
        hashtableExpand(picked, count);
        while (hashtableSize(picked) < count) {
            setTypeRandomElement(set, &str, &len, &v);
            dstr m = str ? dstrnewlen(str, len) : dstrfromll(v);
            if (!hashtableAdd(picked, m)) dstrfree(m);
        }
    }
    hashtableIterator it;
    void *entry;
    replyArrayLen(c, (long)count);
    hashtableInitIterator(&it, picked);
    while (hashtableNext(&it, &entry)) replyBulkDstr(c, entry);
    hashtableResetIterator(&it);
    hashtableRelease(picked);
}

/* SRANDMEMBER key [count] */
void srandmemberCommand(client *c) {
    if (c->argc == 3) {
        srandmemberWithCount(c);
        return;
    }
    if (c->argc > 3) {
        replyErrorSyntax(c);
        return;
    }
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (!set) {
        replyNull(c);
        return;
    }
    if (notSet(c, set)) return;
    const char *str;
    size_t len;
    int64_t v;
    setTypeRandomElement(set, &str, &len, &v);
    replyMember(c, str, len, v);
}

/* ---- SINTER / SINTERCARD / SINTERSTORE ------------------------------------------------ */

static int compareBySize(const void *a, const void *b) {
    unsigned long x = setTypeSize(*(obj *const *)a), y = setTypeSize(*(obj *const *)b);
    return x < y ? -1 : x > y;
}

/* Sets to subtract (SDIFF), largest first; missing keys (NULL) are empty. */
static int compareBySizeDesc(const void *a, const void *b) {
    const obj *x = *(obj *const *)a, *y = *(obj *const *)b;
    unsigned long sx = x ? setTypeSize(x) : 0, sy = y ? setTypeSize(y) : 0;
    return sx < sy ? 1 : sx > sy ? -1 : 0;
}

/* Look the source keys up. Missing keys give NULL and are counted in
 * *missing. Returns NULL (after replying WRONGTYPE) when one is not a set. */
static obj **lookupSets(client *c, dstr *keys, int n, int *missing) {
    obj **sets = zmalloc(sizeof(obj *) * (size_t)n);
    *missing = 0;
    for (int j = 0; j < n; j++) {
        sets[j] = lookupKeyRead(c->db, keys[j]);
        if (!sets[j]) {
            (*missing)++;
        } else if (notSet(c, sets[j])) {
            zfree(sets);
            return NULL;
        }
    }
    return sets;
}

/* Store `result` at `dstkey` when it is not empty (replying its size), else
 * delete `dstkey` (replying 0).  Consumes `result`. */
static void storeResult(client *c, const dstr dstkey, obj *result) {
    unsigned long n = setTypeSize(result);
    if (n > 0) {
        dbSetKey(c->db, dstkey, result, 0);
        replyLongLong(c, (long long)n);
        server.dirty++;
        return;
    }
    objDecrRef(result);
    replyLongLong(c, 0);
    if (dbDelete(c->db, dstkey)) {
        signalModifiedKey(c, c->db, dstkey);
        server.dirty++;
    }
}

/* The intersection of `n` keys: replied as a set, counted (cardinality_only,
 * stopping at `limit` when not 0), or stored at `dstkey`. */
static void sinterGeneric(client *c, dstr *keys, int n, const dstr dstkey, int cardinality_only, unsigned long limit) {
    int missing;
    obj **sets = lookupSets(c, keys, n, &missing);
    if (!sets) return;
    if (missing) {
        zfree(sets);
        if (dstkey) {
            if (dbDelete(c->db, dstkey)) {
                signalModifiedKey(c, c->db, dstkey);
                server.dirty++;
            }
            replyLongLong(c, 0);
        } else if (cardinality_only) {
            replyLongLong(c, 0);
        } else {
            replySetLen(c, 0);
        }
        return;
    }
    qsort(sets, (size_t)n, sizeof(obj *), compareBySize);

    obj *dst = NULL;
    void *deferred = NULL;
    if (dstkey) {
        /* Start as the smallest set's encoding (an intset stays one); from a
         * hashtable start with a listpack: converted at the end if possible. */
        if (sets[0]->encoding == ENC_INTSET) dst = setTypeCreateIntset();
        else if (sets[0]->encoding == ENC_LISTPACK) dst = objCreate(OBJ_SET, ENC_LISTPACK, lpNew(lpBytes(sets[0]->ptr)));
        else dst = setTypeCreateListpack();
    } else if (!cardinality_only) {
        deferred = replyDeferredLen(c);
    }

    unsigned long cardinality = 0;
    int only_integers = 1;
    setIterator si;
    const char *str;
    size_t len;
    int64_t v;
    int enc;
    setTypeInitIterator(&si, sets[0]);
    while ((enc = setTypeNext(&si, &str, &len, &v)) != -1) {
        int j;
        for (j = 1; j < n; j++) {
            if (sets[j] == sets[0]) continue;
            if (!setTypeIsMemberAux(sets[j], str, len, v, enc == ENC_HASHTABLE)) break;
        }
        if (j != n) continue;
        if (cardinality_only) {
            cardinality++;
            if (limit && cardinality >= limit) break;
        } else if (!dstkey) {
            replyMember(c, str, len, v);
            cardinality++;
        } else {
            const char *add = str;
            if (str && only_integers) {
                long long lv;
                if (enc == ENC_HASHTABLE && string2ll(str, len, &lv)) {
                    if (dst->encoding == ENC_LISTPACK || dst->encoding == ENC_INTSET) {
                        add = NULL; /* cheaper to add as an integer */
                        v = lv;
                    }
                } else {
                    only_integers = 0;
                }
            }
            setTypeAddMember(dst, add, len, v, add && enc == ENC_HASHTABLE);
        }
    }
    setTypeResetIterator(&si);
    zfree(sets);

    if (cardinality_only) {
        replyLongLong(c, (long long)cardinality);
    } else if (dstkey) {
        if (setTypeSize(dst) > 0) {
            if (only_integers) setTypeConvertToIntsetIfFits(dst);
            if (dst->encoding == ENC_LISTPACK) dst->ptr = lpShrinkToFit(dst->ptr);
        }
        storeResult(c, dstkey, dst);
    } else {
        setDeferredSetLen(c, deferred, (long)cardinality);
    }
}

/* SINTER key [key ...] */
void sinterCommand(client *c) { sinterGeneric(c, c->argv + 1, c->argc - 1, NULL, 0, 0); }

/* SINTERSTORE destination key [key ...] */
void sinterstoreCommand(client *c) { sinterGeneric(c, c->argv + 2, c->argc - 2, c->argv[1], 0, 0); }

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
void sintercardCommand(client *c) {
    long numkeys, limit = 0;
    if (!argToLong(c, c->argv[1], &numkeys, "ERR numkeys should be greater than 0")) return;
    if (numkeys < 1) {
        replyError(c, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        replyError(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (!strcasecmp(c->argv[j], "limit") && more) {
            j++;
            if (!argToPositiveLong(c, c->argv[j], &limit, "ERR LIMIT can't be negative")) return;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    sinterGeneric(c, c->argv + 2, (int)numkeys, NULL, 1, (unsigned long)limit);
}

/* ---- SUNION / SDIFF (and their STORE forms) -------------------------------------------- */

#define SET_OP_UNION 0
#define SET_OP_DIFF 1

static void sunionDiffGeneric(client *c, dstr *keys, int n, const dstr dstkey, int op) {
    int missing;
    obj **sets = lookupSets(c, keys, n, &missing);
    if (!sets) return;
    int sameset = 0;
    for (int j = 1; j < n; j++)
        if (sets[j] && sets[j] == sets[0]) sameset = 1;

    /* DIFF: subtract member by member (algorithm 1, about |first| * n checks)
     * or copy the first set and remove the others' members (algorithm 2,
     * about the sum of all sizes), whichever looks cheaper. */
    int diff_algo = 1;
    if (op == SET_OP_DIFF && sets[0] && !sameset) {
        long long one = 0, two = 0;
        for (int j = 0; j < n; j++) {
            if (!sets[j]) continue;
            one += (long long)setTypeSize(sets[0]);
            two += (long long)setTypeSize(sets[j]);
        }
        one /= 2; /* algorithm 1 has the better constant */
        diff_algo = one <= two ? 1 : 2;
        if (diff_algo == 1 && n > 1) qsort(sets + 1, (size_t)n - 1, sizeof(obj *), compareBySizeDesc);
    }

    obj *dst = setTypeCreateIntset();
    long long cardinality = 0;
    setIterator si;
    const char *str;
    size_t len;
    int64_t v;
    int enc;
    if (op == SET_OP_UNION) {
        for (int j = 0; j < n; j++) {
            if (!sets[j]) continue;
            setTypeInitIterator(&si, sets[j]);
            while ((enc = setTypeNext(&si, &str, &len, &v)) != -1)
                cardinality += setTypeAddMember(dst, str, len, v, enc == ENC_HASHTABLE);
            setTypeResetIterator(&si);
        }
    } else if (sameset || !sets[0]) {
        /* the first set minus itself, or an empty first set: empty */
    } else if (diff_algo == 1) {
        setTypeInitIterator(&si, sets[0]);
        while ((enc = setTypeNext(&si, &str, &len, &v)) != -1) {
            int j;
            for (j = 1; j < n; j++) {
                if (!sets[j]) continue;
                if (setTypeIsMemberAux(sets[j], str, len, v, enc == ENC_HASHTABLE)) break;
            }
            if (j == n) cardinality += setTypeAddMember(dst, str, len, v, enc == ENC_HASHTABLE);
        }
        setTypeResetIterator(&si);
    } else {
        for (int j = 0; j < n; j++) {
            if (!sets[j]) continue;
            setTypeInitIterator(&si, sets[j]);
            while ((enc = setTypeNext(&si, &str, &len, &v)) != -1) {
                if (j == 0) cardinality += setTypeAddMember(dst, str, len, v, enc == ENC_HASHTABLE);
                else cardinality -= setTypeRemoveMember(dst, str, len, v, enc == ENC_HASHTABLE);
            }
            setTypeResetIterator(&si);
            if (cardinality == 0) break;
        }
    }
    zfree(sets);

    if (!dstkey) {
        replySetLen(c, (long)cardinality);
        setTypeInitIterator(&si, dst);
        while (setTypeNext(&si, &str, &len, &v) != -1) replyMember(c, str, len, v);
        setTypeResetIterator(&si);
        objDecrRef(dst);
    } else {
        storeResult(c, dstkey, dst);
    }
}

/* SUNION key [key ...] */
void sunionCommand(client *c) { sunionDiffGeneric(c, c->argv + 1, c->argc - 1, NULL, SET_OP_UNION); }
/* SUNIONSTORE destination key [key ...] */
void sunionstoreCommand(client *c) { sunionDiffGeneric(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_UNION); }
/* SDIFF key [key ...] */
void sdiffCommand(client *c) { sunionDiffGeneric(c, c->argv + 1, c->argc - 1, NULL, SET_OP_DIFF); }
/* SDIFFSTORE destination key [key ...] */
void sdiffstoreCommand(client *c) { sunionDiffGeneric(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_DIFF); }

/* ---- SSCAN ----------------------------------------------------------------------------- */

typedef struct scanBatch {
    dstr *items;
    size_t len, cap;
} scanBatch;

static void scanBatchAdd(scanBatch *b, dstr s) {
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->items = zrealloc(b->items, b->cap * sizeof(dstr));
    }
    b->items[b->len++] = s;
}

static void scanCollectMember(void *privdata, void *entry) { scanBatchAdd(privdata, dstrdup(entry)); }

/* SSCAN key cursor [MATCH pattern] [COUNT count]
 * Intset and listpack sets are returned whole in one call with cursor 0 (the
 * given cursor is ignored); hashtable sets are walked with the hashtable's
 * SCAN cursor, visiting buckets until COUNT members were collected, the scan
 * completes, or 10*COUNT buckets were visited.  MATCH filters afterwards. */
void sscanCommand(client *c) {
    unsigned long cursor;
    if (scanParseCursor(c, c->argv[2], &cursor) < 0) return;
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (!set) {
        replyArrayLen(c, 2);
        replyBulk(c, "0", 1);
        replyArrayLen(c, 0);
        return;
    }
    if (notSet(c, set)) return;

    scanOptions opt;
    if (scanParseOptions(c, 3, 0, &opt) < 0) return;
    long count = opt.count;
    const char *pat = opt.pattern;
    size_t patlen = opt.patlen;
    int use_pattern = opt.use_pattern;

    scanBatch batch = {NULL, 0, 0};
    if (set->encoding == ENC_HASHTABLE) {
        long maxsteps = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
        size_t cur = (size_t)cursor;
        do {
            cur = hashtableScan(set->ptr, cur, scanCollectMember, &batch);
        } while (cur && maxsteps-- && batch.len < (size_t)count);
        cursor = (unsigned long)cur;
    } else {
        setIterator si;
        dstr m;
        setTypeInitIterator(&si, set);
        while ((m = setTypeNextDstr(&si)) != NULL) scanBatchAdd(&batch, m);
        setTypeResetIterator(&si);
        cursor = 0;
    }

    size_t kept = 0;
    for (size_t i = 0; i < batch.len; i++) {
        dstr m = batch.items[i];
        if (use_pattern && !stringmatchlen(pat, patlen, m, dstrlen(m), 0)) {
            dstrfree(m);
            continue;
        }
        batch.items[kept++] = m;
    }
    char buf[LONG_STR_SIZE];
    int blen = ull2string(buf, sizeof(buf), (unsigned long long)cursor);
    replyArrayLen(c, 2);
    replyBulk(c, buf, (size_t)blen);
    replyArrayLen(c, (long)kept);
    for (size_t i = 0; i < kept; i++) {
        replyBulkDstr(c, batch.items[i]);
        dstrfree(batch.items[i]);
    }
    zfree(batch.items);
}
