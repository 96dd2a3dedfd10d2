/* hashtable: cache-line bucket hash table with incremental rehashing.
 * Design and API contract: see hashtable.h. */
#include "hashtable.h"
#include "zmalloc.h"
#include <assert.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(void *) == 8, "hashtable buckets are laid out for 64-bit pointers");

#define ENTRIES_PER_BUCKET HASHTABLE_ENTRIES_PER_BUCKET
#define LAST_SLOT (ENTRIES_PER_BUCKET - 1)
#define PRESENCE_MASK 0x7fu
#define CHAINED_BIT 0x80u
#define MAX_EXP 56 /* 2^56 buckets = 2^62 bytes: keeps every size computation in range */

/* Grow above fill 7/8 (ALLOW) or 4 (AVOID); shrink below 1/8 (ALLOW) or 1/32 (AVOID). */
#define AVOID_MAX_FILL 4
#define ALLOW_MIN_FILL_DIV 8
#define AVOID_MIN_FILL_DIV 32
#define REHASH_EMPTY_VISITS 10
#define EMPTY_CALLBACK_EVERY 65536
#define FAIR_RANDOM_SAMPLE 16
#define FAIR_RANDOM_MAX_BUCKETS 100

/* One bucket: see the layout table in hashtable.h. */
typedef struct bucket {
    uint8_t meta;                    /* bits 0-6 presence, bit 7 chained */
    uint8_t fp[ENTRIES_PER_BUCKET];  /* high 8 bits of each entry's hash */
    void *slots[ENTRIES_PER_BUCKET]; /* entries; slots[LAST_SLOT] = child when chained */
} bucket;
_Static_assert(sizeof(bucket) == 64, "a bucket is one 64-byte cache line");

struct hashtable {
    hashtableType *type;
    bucket *tables[2];    /* [1] is live only while rehashing */
    size_t used[2];       /* entries in each table */
    size_t children[2];   /* child buckets allocated in each table's chains */
    size_t rehash_idx;    /* while rehashing: buckets of table 0 below this are moved (empty) */
    int8_t exp[2];        /* log2 of the head bucket count; -1 = no table */
    uint16_t pause_rehash; /* safe iterators, pending two-phase inserts/pops: no rehash steps, no chain compaction */
    uint16_t pause_shrink; /* safe iterators, pending two-phase pops: no automatic shrinking */
    uint8_t presized;      /* the resize in progress came from hashtableExpand */
};

/* Private layouts of the public opaque structs. */
typedef struct {
    bucket *b;     /* bucket holding (or to hold) the entry */
    bucket *head;  /* head of its chain (two-phase pop) */
    uint64_t hash; /* hash of the key (insert) */
    uint8_t slot;
    uint8_t table;
} position;
_Static_assert(sizeof(position) <= sizeof(hashtablePosition), "position fits the public struct");

typedef struct {
    hashtable *ht;
    bucket *b;            /* bucket being walked; NULL: continue at tables[table][index] */
    size_t index;         /* head bucket index in the current table */
    uint64_t fingerprint; /* unsafe iterators: table state at init */
    uint8_t table;
    uint8_t slot; /* next slot of *b to look at (always < slots of *b when stored) */
    uint8_t safe;
    uint8_t done;
} iter;
_Static_assert(sizeof(iter) <= sizeof(hashtableIterator), "iter fits the public struct");

static int resize_policy = HASHTABLE_RESIZE_ALLOW;

/* ---- small helpers ------------------------------------------------------------ */

static inline size_t numBuckets(int exp) { return exp < 0 ? 0 : (size_t)1 << exp; }
static inline size_t expMask(int exp) { return exp < 0 ? 0 : ((size_t)1 << exp) - 1; }
static inline int isRehashing(const hashtable *ht) { return ht->exp[1] >= 0; }
static inline unsigned presence(const bucket *b) { return b->meta & PRESENCE_MASK; }
static inline int isChained(const bucket *b) { return (b->meta & CHAINED_BIT) != 0; }
static inline unsigned bucketSlots(const bucket *b) { return isChained(b) ? LAST_SLOT : ENTRIES_PER_BUCKET; }
static inline bucket *childOf(const bucket *b) { return isChained(b) ? (bucket *)b->slots[LAST_SLOT] : NULL; }
static inline uint8_t fingerprintOf(uint64_t hash) { return (uint8_t)(hash >> 56); }
static inline unsigned popcount(unsigned x) { return (unsigned)__builtin_popcount(x); }
static inline unsigned lowestBit(unsigned x) { return (unsigned)__builtin_ctz(x); }

static inline const void *entryKey(const hashtable *ht, const void *entry) {
    return ht->type->entryGetKey ? ht->type->entryGetKey(entry) : entry;
}
static inline int keysEqual(const hashtable *ht, const void *k1, const void *k2) {
    return ht->type->keyCompare ? ht->type->keyCompare(k1, k2) == 0 : k1 == k2;
}
static inline uint64_t hashKey(const hashtable *ht, const void *key) { return ht->type->hashFunction(key); }

/* Entries a table of 2^exp buckets holds at the maximum fill 7/8. */
static inline size_t capacityOf(int exp) { return (numBuckets(exp) * ENTRIES_PER_BUCKET * 7) / 8; }

/* Smallest exp whose table holds n entries at <= 7/8 fill, -1 if too big. */
static int expForCapacity(size_t n) {
    for (int e = 0; e <= MAX_EXP; e++)
        if (n <= capacityOf(e)) return e;
    return -1;
}

static inline void placeEntry(bucket *b, unsigned slot, uint8_t fp, void *entry) {
    b->slots[slot] = entry;
    b->fp[slot] = fp;
    b->meta |= (uint8_t)(1u << slot);
}

static inline void clearSlot(bucket *b, unsigned slot) {
    b->meta &= (uint8_t)~(1u << slot);
    b->slots[slot] = NULL;
}

static size_t chainCount(const bucket *b) {
    size_t n = 0;
    for (; b; b = childOf(b)) n += popcount(presence(b));
    return n;
}

/* Debug fingerprint of everything a modification changes. */
static uint64_t tableFingerprint(const hashtable *ht) {
    uint64_t parts[8] = {(uint64_t)(uintptr_t)ht->tables[0], (uint64_t)(uintptr_t)ht->tables[1],
                         (uint64_t)ht->exp[0] << 8 | (uint8_t)ht->exp[1], ht->used[0], ht->used[1],
                         ht->rehash_idx, ht->children[0], ht->children[1]};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 8; i++) {
        h ^= parts[i];
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h;
}

static uint64_t rng_state;

/* splitmix64, seeded once from the clock; for sampling only (not crypto). */
static uint64_t randomU64(void) {
    if (rng_state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rng_state = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^ (uint64_t)(uintptr_t)&rng_state;
        rng_state |= 1;
    }
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t monotonicMicros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- chains ------------------------------------------------------------------- */

/* A bucket with a free slot in the chain at index (hash & mask) of table t,
 * appending a child bucket if the chain is full.  *slot gets the free slot. */
static bucket *findFreeSlot(hashtable *ht, int t, uint64_t hash, unsigned *slot) {
    bucket *b = &ht->tables[t][hash & expMask(ht->exp[t])];
    for (;;) {
        unsigned free_slots = ~presence(b) & ((1u << bucketSlots(b)) - 1);
        if (free_slots) {
            *slot = lowestBit(free_slots);
            return b;
        }
        bucket *c = childOf(b);
        if (c) {
            b = c;
            continue;
        }
        /* Full and last: the entry of the last slot moves to a new child. */
        c = zcalloc(sizeof(bucket));
        ht->children[t]++;
        placeEntry(c, 0, b->fp[LAST_SLOT], b->slots[LAST_SLOT]);
        b->meta = (uint8_t)((b->meta & ~(1u << LAST_SLOT)) | CHAINED_BIT);
        b->fp[LAST_SLOT] = 0;
        b->slots[LAST_SLOT] = c;
        *slot = 1;
        return c;
    }
}

/* Free the child buckets hanging off `head` (entries are not touched). */
static void freeChildren(hashtable *ht, int t, bucket *head) {
    bucket *c = childOf(head);
    while (c) {
        bucket *next = childOf(c);
        zfree(c);
        ht->children[t]--;
        c = next;
    }
}

/* After a delete in the chain starting at `head`: while the entries of the
 * last bucket fit in the free slots of the buckets before it (counting the
 * link slot the removal frees), move them there and free the last bucket.
 * Skipped while paused, so iterators and two-phase pops keep their places. */
static void compactChain(hashtable *ht, int t, bucket *head) {
    if (ht->pause_rehash) return;
    while (isChained(head)) {
        bucket *prev = head, *last = childOf(head);
        size_t room = 1; /* prev's link slot */
        room += popcount(~presence(head) & ((1u << bucketSlots(head)) - 1));
        while (isChained(last)) {
            prev = last;
            last = childOf(last);
            room += popcount(~presence(prev) & ((1u << bucketSlots(prev)) - 1));
        }
        unsigned moving = presence(last);
        if (popcount(moving) > room) return;
        prev->meta &= (uint8_t)~CHAINED_BIT;
        prev->slots[LAST_SLOT] = NULL;
        prev->fp[LAST_SLOT] = 0;
        while (moving) {
            unsigned s = lowestBit(moving), free_slot;
            moving &= moving - 1;
            bucket *dst = head;
            for (;;) { /* first free slot from the head on; it exists by the room count */
                unsigned fr = ~presence(dst) & ((1u << bucketSlots(dst)) - 1);
                if (fr) {
                    free_slot = lowestBit(fr);
                    break;
                }
                dst = childOf(dst);
                assert(dst != NULL);
            }
            placeEntry(dst, free_slot, last->fp[s], last->slots[s]);
        }
        zfree(last);
        ht->children[t]--;
    }
}

/* Find the entry with `key` (hash `hash`).  Returns its bucket, with *slot,
 * *table and *head (chain head) set, or NULL. */
static bucket *findEntry(hashtable *ht, const void *key, uint64_t hash, unsigned *slot, int *table, bucket **head) {
    if (ht->used[0] + ht->used[1] == 0) return NULL;
    uint8_t fp = fingerprintOf(hash);
    for (int t = 0; t <= 1; t++) {
        if (ht->exp[t] < 0) continue;
        size_t idx = hash & expMask(ht->exp[t]);
        if (t == 0 && isRehashing(ht) && idx < ht->rehash_idx) continue; /* already moved */
        bucket *h = &ht->tables[t][idx];
        for (bucket *b = h; b; b = childOf(b)) {
            unsigned p = presence(b);
            while (p) {
                unsigned s = lowestBit(p);
                p &= p - 1;
                if (b->fp[s] == fp && keysEqual(ht, key, entryKey(ht, b->slots[s]))) {
                    if (slot) *slot = s;
                    if (table) *table = t;
                    if (head) *head = h;
                    return b;
                }
            }
        }
    }
    return NULL;
}

/* ---- resizing and rehashing ------------------------------------------------------ */

static inline size_t bucketBytes(int exp) { return numBuckets(exp) * sizeof(bucket); }

/* Free every bucket of table t (children included); entries untouched. */
static void freeTable(hashtable *ht, int t) {
    if (ht->exp[t] < 0) return;
    size_t n = numBuckets(ht->exp[t]);
    for (size_t i = 0; ht->children[t] && i < n; i++) freeChildren(ht, t, &ht->tables[t][i]);
    zfree(ht->tables[t]);
    ht->tables[t] = NULL;
    ht->exp[t] = -1;
    ht->used[t] = 0;
    ht->children[t] = 0;
}

/* Start resizing to 2^e buckets (not rehashing now).  An empty table is
 * replaced at once, unless rehashing is paused. */
static void resizeTo(hashtable *ht, int e) {
    assert(!isRehashing(ht));
    bucket *t = zcalloc(bucketBytes(e));
    if (ht->exp[0] >= 0 && (ht->used[0] != 0 || ht->pause_rehash)) {
        ht->tables[1] = t;
        ht->exp[1] = (int8_t)e;
        ht->used[1] = 0;
        ht->children[1] = 0;
        ht->rehash_idx = 0;
        return;
    }
    freeTable(ht, 0);
    ht->tables[0] = t;
    ht->exp[0] = (int8_t)e;
}

static void completeRehash(hashtable *ht) {
    assert(ht->used[0] == 0 && ht->children[0] == 0);
    zfree(ht->tables[0]);
    ht->tables[0] = ht->tables[1];
    ht->exp[0] = ht->exp[1];
    ht->used[0] = ht->used[1];
    ht->children[0] = ht->children[1];
    ht->tables[1] = NULL;
    ht->exp[1] = -1;
    ht->used[1] = 0;
    ht->children[1] = 0;
    ht->rehash_idx = 0;
}

/* Move every entry of the chain at table 0 index `idx` to table 1. */
static void rehashChain(hashtable *ht, size_t idx) {
    bucket *head = &ht->tables[0][idx];
    size_t moved = 0;
    for (bucket *b = head; b; b = childOf(b)) {
        unsigned p = presence(b);
        while (p) {
            unsigned s = lowestBit(p), dst_slot;
            p &= p - 1;
            void *entry = b->slots[s];
            uint64_t hash = hashKey(ht, entryKey(ht, entry));
            bucket *dst = findFreeSlot(ht, 1, hash, &dst_slot);
            placeEntry(dst, dst_slot, fingerprintOf(hash), entry);
            moved++;
        }
    }
    freeChildren(ht, 0, head);
    memset(head, 0, sizeof(*head));
    ht->used[0] -= moved;
    ht->used[1] += moved;
}

static int shrinkIfNeeded(hashtable *ht);

/* Move up to `chains` non-empty chains, looking at no more than `empty`
 * empty buckets.  Completes the rehash when table 0 is done. */
static void rehashSome(hashtable *ht, size_t chains, size_t empty) {
    size_t n0 = numBuckets(ht->exp[0]);
    while (ht->rehash_idx < n0 && chains) {
        bucket *b = &ht->tables[0][ht->rehash_idx];
        if (b->meta == 0) {
            ht->rehash_idx++;
            if (--empty == 0) break;
            continue;
        }
        rehashChain(ht, ht->rehash_idx++);
        chains--;
    }
    if (ht->rehash_idx >= n0) {
        completeRehash(ht);
        /* Deletes during the rehash could not shrink; check now (but keep
         * a size the user asked for with hashtableExpand). */
        if (!ht->presized) shrinkIfNeeded(ht);
        ht->presized = 0;
    }
}

/* One incremental step, as every operation does: reads only under ALLOW. */
static void rehashStepIfAllowed(hashtable *ht, int write) {
    if (!isRehashing(ht) || ht->pause_rehash) return;
    if (resize_policy == HASHTABLE_RESIZE_AVOID && !write) return;
    rehashSome(ht, 1, REHASH_EMPTY_VISITS);
}

static int resizeVetoed(hashtable *ht, int e) {
    if (!ht->type->resizeAllowed) return 0;
    size_t slots = numBuckets(ht->exp[0]) * ENTRIES_PER_BUCKET;
    double fill = slots ? (double)ht->used[0] / (double)slots : 0.0;
    return !ht->type->resizeAllowed(bucketBytes(e), fill);
}

/* Before inserting one entry: create the first table or start growing. */
static void growIfNeeded(hashtable *ht) {
    if (ht->exp[0] < 0) {
        resizeTo(ht, 0);
        return;
    }
    if (isRehashing(ht)) return;
    size_t n = ht->used[0] + 1;
    int grow = resize_policy == HASHTABLE_RESIZE_ALLOW
                   ? n > capacityOf(ht->exp[0])
                   : n > numBuckets(ht->exp[0]) * ENTRIES_PER_BUCKET * AVOID_MAX_FILL;
    if (!grow) return;
    int e = expForCapacity(n);
    if (e <= ht->exp[0] || resizeVetoed(ht, e)) return;
    resizeTo(ht, e);
}

/* After deleting: start shrinking if the fill dropped low enough.
 * Returns 1 if a shrink started (or was done at once). */
static int shrinkIfNeeded(hashtable *ht) {
    if (ht->pause_shrink || isRehashing(ht) || ht->exp[0] <= 0) return 0;
    size_t n = ht->used[0], slots = numBuckets(ht->exp[0]) * ENTRIES_PER_BUCKET;
    size_t div = resize_policy == HASHTABLE_RESIZE_ALLOW ? ALLOW_MIN_FILL_DIV : AVOID_MIN_FILL_DIV;
    if (n * div >= slots) return 0;
    int e = expForCapacity(n);
    if (e < 0 || e >= ht->exp[0] || resizeVetoed(ht, e)) return 0;
    resizeTo(ht, e);
    return 1;
}

static size_t physicalMemory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return SIZE_MAX;
    return (size_t)pages * (size_t)page;
}

/* A pre-sized table is about to be filled (RESTORE of a big collection):
 * its bucket array is touched everywhere, in no particular order. Map all
 * its pages now with one call (MADV_POPULATE_WRITE, Linux 5.14+) instead of
 * taking a page fault for each of them during the inserts. Only for arrays
 * of 2 MB to 64 MB: the size may come from an untrusted length field (a
 * payload that claims more elements than it holds fails early, and an
 * unpopulated array never costs its untouched pages), so what a bad payload
 * can make us commit stays bounded. A kernel without it refuses (ignored). */
static void prefaultBuckets(void *table, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    if (bytes < ((size_t)2 << 20) || bytes > ((size_t)64 << 20) || page <= 0) return;
    uintptr_t start = ((uintptr_t)table + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)table + bytes) & ~((uintptr_t)page - 1);
    if (end > start) (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
    (void)table;
    (void)bytes;
#endif
}

static int expandImpl(hashtable *ht, size_t size, int try_only) {
    int e = expForCapacity(size);
    if (e < 0) return 0;
    if (try_only && bucketBytes(e) > physicalMemory()) return 0;
    if (isRehashing(ht)) {
        if (ht->exp[1] >= e) return 1;
        if (ht->pause_rehash) return 0;
        while (isRehashing(ht)) rehashSome(ht, SIZE_MAX, SIZE_MAX);
    }
    if (ht->exp[0] >= e) return 1;
    resizeTo(ht, e);
    ht->presized = (uint8_t)isRehashing(ht);
    prefaultBuckets(ht->tables[isRehashing(ht) ? 1 : 0], bucketBytes(e));
    return 1;
}

/* ---- public: life cycle and sizes ------------------------------------------------ */

hashtable *hashtableCreate(hashtableType *type) {
    assert(type && type->hashFunction);
    hashtable *ht = zcalloc(sizeof(*ht));
    ht->type = type;
    ht->exp[0] = ht->exp[1] = -1;
    return ht;
}

void hashtableEmpty(hashtable *ht, void (*callback)(hashtable *)) {
    size_t visited = 0;
    for (int t = 0; t <= 1; t++) {
        if (ht->exp[t] < 0) continue;
        size_t n = numBuckets(ht->exp[t]);
        for (size_t i = 0; i < n; i++) {
            bucket *head = &ht->tables[t][i];
            if (ht->type->entryDestructor && head->meta) {
                for (bucket *b = head; b; b = childOf(b)) {
                    unsigned p = presence(b);
                    while (p) {
                        unsigned s = lowestBit(p);
                        p &= p - 1;
                        ht->type->entryDestructor(b->slots[s]);
                    }
                }
            }
            freeChildren(ht, t, head);
            if (callback && (++visited % EMPTY_CALLBACK_EVERY) == 0) callback(ht);
        }
        zfree(ht->tables[t]);
        ht->tables[t] = NULL;
        ht->exp[t] = -1;
        ht->used[t] = 0;
        ht->children[t] = 0;
    }
    ht->rehash_idx = 0;
    ht->presized = 0;
}

void hashtableRelease(hashtable *ht) {
    if (!ht) return;
    hashtableEmpty(ht, NULL);
    zfree(ht);
}

hashtableType *hashtableGetType(hashtable *ht) { return ht->type; }
size_t hashtableSize(const hashtable *ht) { return ht->used[0] + ht->used[1]; }
size_t hashtableBuckets(const hashtable *ht) { return numBuckets(ht->exp[0]) + numBuckets(ht->exp[1]); }
size_t hashtableChildBuckets(const hashtable *ht) { return ht->children[0] + ht->children[1]; }

size_t hashtableMemUsage(const hashtable *ht) {
    return sizeof(*ht) + (hashtableBuckets(ht) + hashtableChildBuckets(ht)) * sizeof(bucket);
}

int hashtableExpand(hashtable *ht, size_t size) { return expandImpl(ht, size, 0); }
int hashtableTryExpand(hashtable *ht, size_t size) { return expandImpl(ht, size, 1); }

int hashtableRehashMicroseconds(hashtable *ht, uint64_t us) {
    if (!isRehashing(ht) || ht->pause_rehash || resize_policy == HASHTABLE_RESIZE_AVOID) return 0;
    uint64_t start = monotonicMicros();
    while (isRehashing(ht)) {
        rehashSome(ht, 100, 1000);
        if (monotonicMicros() - start >= us) break;
    }
    return isRehashing(ht);
}

int hashtableIsRehashing(const hashtable *ht) { return isRehashing(ht); }

int hashtableShrinkIfNeeded(hashtable *ht) { return shrinkIfNeeded(ht); }

void hashtableSetResizePolicy(int policy) {
    resize_policy = policy == HASHTABLE_RESIZE_AVOID ? HASHTABLE_RESIZE_AVOID : HASHTABLE_RESIZE_ALLOW;
}

/* ---- public: lookup, insert, delete ------------------------------------------- */

int hashtableFind(hashtable *ht, const void *key, void **found) {
    if (hashtableSize(ht) == 0) return 0;
    rehashStepIfAllowed(ht, 0);
    unsigned s;
    bucket *b = findEntry(ht, key, hashKey(ht, key), &s, NULL, NULL);
    if (!b) return 0;
    if (found) *found = b->slots[s];
    return 1;
}

void **hashtableFindRef(hashtable *ht, const void *key) {
    if (hashtableSize(ht) == 0) return NULL;
    rehashStepIfAllowed(ht, 0);
    unsigned s;
    bucket *b = findEntry(ht, key, hashKey(ht, key), &s, NULL, NULL);
    return b ? &b->slots[s] : NULL;
}

int hashtableFindPositionForInsert(hashtable *ht, void *key, hashtablePosition *pos, void **existing) {
    void **ref;
    if (hashtableFindRefOrPositionForInsert(ht, key, pos, &ref)) return 1;
    if (existing) *existing = *ref;
    return 0;
}

/* hashtableFindRefOrPositionForInsert with the hash of `key` given. */
static int findRefOrPosition(hashtable *ht, const void *key, uint64_t hash, hashtablePosition *pos, void ***ref) {
    unsigned s;
    bucket *b = findEntry(ht, key, hash, &s, NULL, NULL);
    if (b) {
        if (ref) *ref = &b->slots[s];
        return 0;
    }
    growIfNeeded(ht);
    int t = isRehashing(ht) ? 1 : 0;
    position *p = (position *)pos;
    memset(pos, 0, sizeof(*pos));
    p->b = findFreeSlot(ht, t, hash, &s);
    p->hash = hash;
    p->slot = (uint8_t)s;
    p->table = (uint8_t)t;
    ht->pause_rehash++; /* until InsertAtPosition: lookups must not move entries */
    return 1;
}

int hashtableFindRefOrPositionForInsert(hashtable *ht, void *key, hashtablePosition *pos, void ***ref) {
    rehashStepIfAllowed(ht, 1);
    return findRefOrPosition(ht, key, hashKey(ht, key), pos, ref);
}

void hashtableInsertAtPosition(hashtable *ht, void *entry, hashtablePosition *pos) {
    position *p = (position *)pos;
    assert(ht->pause_rehash > 0);
    ht->pause_rehash--;
    bucket *b = p->b;
    unsigned s = p->slot;
    /* Defensive: if the reserved slot was taken after all, use another free
     * slot of the same chain. */
    if (s >= bucketSlots(b) || (presence(b) >> s) & 1) b = findFreeSlot(ht, p->table, p->hash, &s);
    placeEntry(b, s, fingerprintOf(p->hash), entry);
    ht->used[p->table]++;
}

int hashtableAddOrFind(hashtable *ht, void *entry, void **existing) {
    hashtablePosition pos;
    if (!hashtableFindPositionForInsert(ht, (void *)entryKey(ht, entry), &pos, existing)) return 0;
    hashtableInsertAtPosition(ht, entry, &pos);
    return 1;
}

int hashtableAdd(hashtable *ht, void *entry) { return hashtableAddOrFind(ht, entry, NULL); }

size_t hashtableAddBatch(hashtable *ht, void **entries, size_t n) {
    uint64_t hashes[HASHTABLE_BATCH];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < HASHTABLE_BATCH ? n - done : HASHTABLE_BATCH;
        /* all hashes and prefetches first, so the bucket misses overlap.
         * The prefetches are written here, not in a helper: GCC deems a
         * function made only of prefetches pure and drops the call. A hint
         * only: a resize in between merely wastes it. */
        for (size_t i = 0; i < k; i++) {
            uint64_t h = hashKey(ht, entryKey(ht, entries[done + i]));
            hashes[i] = h;
            if (ht->exp[0] >= 0) __builtin_prefetch(&ht->tables[0][h & expMask(ht->exp[0])]);
            if (ht->exp[1] >= 0) __builtin_prefetch(&ht->tables[1][h & expMask(ht->exp[1])]);
        }
        for (size_t i = 0; i < k; i++) {
            void *e = entries[done + i];
            hashtablePosition pos;
            rehashStepIfAllowed(ht, 1);
            if (!findRefOrPosition(ht, entryKey(ht, e), hashes[i], &pos, NULL)) return done + i;
            hashtableInsertAtPosition(ht, e, &pos);
        }
        done += k;
    }
    return n;
}

int hashtablePop(hashtable *ht, const void *key, void **popped) {
    if (hashtableSize(ht) == 0) return 0;
    rehashStepIfAllowed(ht, 1);
    unsigned s;
    int t;
    bucket *head;
    bucket *b = findEntry(ht, key, hashKey(ht, key), &s, &t, &head);
    if (!b) return 0;
    void *entry = b->slots[s];
    clearSlot(b, s);
    ht->used[t]--;
    compactChain(ht, t, head);
    shrinkIfNeeded(ht);
    if (popped) *popped = entry;
    return 1;
}

int hashtableDelete(hashtable *ht, const void *key) {
    void *entry;
    if (!hashtablePop(ht, key, &entry)) return 0;
    if (ht->type->entryDestructor) ht->type->entryDestructor(entry);
    return 1;
}

int hashtableTwoPhasePopFindRef(hashtable *ht, const void *key, void ***ref, hashtablePosition *pos) {
    if (hashtableSize(ht) == 0) return 0;
    rehashStepIfAllowed(ht, 1);
    unsigned s;
    int t;
    bucket *head;
    bucket *b = findEntry(ht, key, hashKey(ht, key), &s, &t, &head);
    if (!b) return 0;
    position *p = (position *)pos;
    memset(pos, 0, sizeof(*pos));
    p->b = b;
    p->head = head;
    p->slot = (uint8_t)s;
    p->table = (uint8_t)t;
    ht->pause_rehash++;
    ht->pause_shrink++;
    *ref = &b->slots[s];
    return 1;
}

void hashtableTwoPhasePopDelete(hashtable *ht, hashtablePosition *pos) {
    position *p = (position *)pos;
    assert(ht->pause_rehash > 0 && ht->pause_shrink > 0);
    assert((presence(p->b) >> p->slot) & 1);
    clearSlot(p->b, p->slot);
    ht->used[p->table]--;
    ht->pause_rehash--;
    ht->pause_shrink--;
    compactChain(ht, p->table, p->head);
    shrinkIfNeeded(ht);
}

int hashtableReplaceReallocatedEntry(hashtable *ht, const void *old_entry, void *new_entry) {
    if (hashtableSize(ht) == 0) return 0;
    uint64_t hash = hashKey(ht, entryKey(ht, new_entry));
    for (int t = 0; t <= 1; t++) {
        if (ht->exp[t] < 0) continue;
        size_t idx = hash & expMask(ht->exp[t]);
        if (t == 0 && isRehashing(ht) && idx < ht->rehash_idx) continue;
        for (bucket *b = &ht->tables[t][idx]; b; b = childOf(b)) {
            unsigned p = presence(b);
            while (p) {
                unsigned s = lowestBit(p);
                p &= p - 1;
                if (b->slots[s] == old_entry) {
                    b->slots[s] = new_entry;
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* ---- public: scan and iterators ------------------------------------------------- */

/* Reverse-binary increment of the cursor bits under `mask`. */
static inline size_t reverseBits(size_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    return __builtin_bswap64(v);
}
static inline size_t nextCursor(size_t v, size_t mask) {
    v |= ~mask;
    v = reverseBits(v);
    v++;
    return reverseBits(v);
}

static void scanChain(hashtable *ht, bucket *head, void (*fn)(void *, void *), void *privdata, uint64_t fpr) {
    for (bucket *b = head; b; b = childOf(b)) {
        unsigned p = presence(b);
        while (p) {
            unsigned s = lowestBit(p);
            p &= p - 1;
            fn(privdata, b->slots[s]);
            assert(tableFingerprint(ht) == fpr && "hashtableScan callback modified the table");
        }
    }
}

size_t hashtableScan(hashtable *ht, size_t cursor, void (*fn)(void *privdata, void *entry), void *privdata) {
    if (hashtableSize(ht) == 0) return 0;
    uint64_t fpr = tableFingerprint(ht);
    if (!isRehashing(ht)) {
        size_t m0 = expMask(ht->exp[0]);
        scanChain(ht, &ht->tables[0][cursor & m0], fn, privdata, fpr);
        return nextCursor(cursor, m0);
    }
    /* Both tables: the chain of the smaller one, then every chain of the
     * larger one whose index ends in the same low bits. */
    int small = ht->exp[0] <= ht->exp[1] ? 0 : 1, big = 1 - small;
    size_t ms = expMask(ht->exp[small]), mb = expMask(ht->exp[big]);
    scanChain(ht, &ht->tables[small][cursor & ms], fn, privdata, fpr);
    do {
        scanChain(ht, &ht->tables[big][cursor & mb], fn, privdata, fpr);
        cursor = nextCursor(cursor, mb);
    } while (cursor & (ms ^ mb));
    return cursor;
}

static void iterInit(hashtableIterator *iterator, hashtable *ht, int safe) {
    iter *it = (iter *)iterator;
    memset(iterator, 0, sizeof(*iterator));
    it->ht = ht;
    it->safe = (uint8_t)safe;
    if (safe) {
        ht->pause_rehash++;
        ht->pause_shrink++;
    } else {
        it->fingerprint = tableFingerprint(ht);
    }
}

void hashtableInitIterator(hashtableIterator *it, hashtable *ht) { iterInit(it, ht, 0); }
void hashtableInitSafeIterator(hashtableIterator *it, hashtable *ht) { iterInit(it, ht, 1); }

/* Leave the current bucket: to its child, or to the next head bucket. */
static inline void iterLeaveBucket(iter *it) {
    bucket *c = childOf(it->b);
    if (c) {
        it->b = c;
    } else {
        it->b = NULL;
        it->index++;
    }
    it->slot = 0;
}

int hashtableNext(hashtableIterator *iterator, void **entry) {
    iter *it = (iter *)iterator;
    hashtable *ht = it->ht;
    assert(it->safe || tableFingerprint(ht) == it->fingerprint);
    if (it->done) return 0;
    for (;;) {
        if (!it->b) {
            if (ht->exp[it->table] < 0 || it->index >= numBuckets(ht->exp[it->table])) {
                if (it->table == 0 && isRehashing(ht)) {
                    it->table = 1;
                    it->index = 0;
                    continue;
                }
                it->done = 1;
                return 0;
            }
            it->b = &ht->tables[it->table][it->index];
            it->slot = 0;
        }
        unsigned avail = presence(it->b) & ~((1u << it->slot) - 1);
        if (avail) {
            unsigned s = lowestBit(avail);
            *entry = it->b->slots[s];
            /* Advance now: if the caller's insert later chains this bucket,
             * an entry already returned is not met again in the child. */
            it->slot = (uint8_t)(s + 1);
            if (it->slot >= bucketSlots(it->b)) iterLeaveBucket(it);
            return 1;
        }
        iterLeaveBucket(it);
    }
}

void hashtableResetIterator(hashtableIterator *iterator) {
    iter *it = (iter *)iterator;
    hashtable *ht = it->ht;
    if (!ht) return;
    if (it->safe) {
        assert(ht->pause_rehash > 0 && ht->pause_shrink > 0);
        ht->pause_rehash--;
        ht->pause_shrink--;
        shrinkIfNeeded(ht);
    } else {
        assert(tableFingerprint(ht) == it->fingerprint && "table modified during unsafe iteration");
    }
    it->ht = NULL;
}

/* ---- public: self-check -------------------------------------------------------- */

int hashtableValidate(hashtable *ht) {
    if (isRehashing(ht) && ht->exp[0] < 0) return 0;
    if (!isRehashing(ht) && (ht->tables[1] || ht->used[1] || ht->children[1])) return 0;
    for (int t = 0; t <= 1; t++) {
        if (ht->exp[t] < 0) {
            if (ht->tables[t] || ht->used[t] || ht->children[t]) return 0;
            continue;
        }
        size_t n = numBuckets(ht->exp[t]), used = 0, children = 0;
        for (size_t i = 0; i < n; i++) {
            bucket *head = &ht->tables[t][i];
            if (t == 0 && isRehashing(ht) && i < ht->rehash_idx && head->meta) return 0;
            for (bucket *b = head; b; b = childOf(b)) {
                if (b != head) children++;
                if (isChained(b) && (presence(b) >> LAST_SLOT) & 1) return 0;
                if (isChained(b) && !b->slots[LAST_SLOT]) return 0;
                unsigned p = presence(b);
                while (p) {
                    unsigned s = lowestBit(p);
                    p &= p - 1;
                    uint64_t hash = hashKey(ht, entryKey(ht, b->slots[s]));
                    if ((hash & expMask(ht->exp[t])) != i || fingerprintOf(hash) != b->fp[s]) return 0;
                    used++;
                }
            }
        }
        if (used != ht->used[t] || children != ht->children[t]) return 0;
    }
    return 1;
}

/* ---- public: random ------------------------------------------------------------ */

/* Head buckets that can hold entries, numbered 0..total-1 across both
 * tables (table 0 from rehash_idx on, then table 1). */
static size_t liveBuckets(const hashtable *ht, size_t *start0) {
    *start0 = isRehashing(ht) ? ht->rehash_idx : 0;
    return numBuckets(ht->exp[0]) - *start0 + numBuckets(ht->exp[1]);
}

static bucket *liveBucketAt(hashtable *ht, size_t start0, size_t pos) {
    size_t n0 = numBuckets(ht->exp[0]) - start0;
    return pos < n0 ? &ht->tables[0][start0 + pos] : &ht->tables[1][pos - n0];
}

static void *chainNth(bucket *b, size_t k) {
    for (; b; b = childOf(b)) {
        unsigned p = presence(b);
        size_t c = popcount(p);
        if (k < c) {
            while (k--) p &= p - 1;
            return b->slots[lowestBit(p)];
        }
        k -= c;
    }
    return NULL;
}

int hashtableRandomEntry(hashtable *ht, void **found) {
    if (hashtableSize(ht) == 0) return 0;
    rehashStepIfAllowed(ht, 0);
    size_t start0, total = liveBuckets(ht, &start0);
    for (int tries = 0; tries < 1000; tries++) {
        bucket *b = liveBucketAt(ht, start0, randomU64() % total);
        size_t n = chainCount(b);
        if (n) {
            *found = chainNth(b, randomU64() % n);
            return 1;
        }
    }
    /* Very sparse table (e.g. pre-sized): walk from a random bucket. */
    size_t pos = randomU64() % total;
    for (size_t i = 0; i < total; i++) {
        bucket *b = liveBucketAt(ht, start0, pos);
        size_t n = chainCount(b);
        if (n) {
            *found = chainNth(b, randomU64() % n);
            return 1;
        }
        if (++pos == total) pos = 0;
    }
    return 0; /* not reached: the table is not empty */
}

int hashtableFairRandomEntry(hashtable *ht, void **found) {
    if (hashtableSize(ht) == 0) return 0;
    rehashStepIfAllowed(ht, 0);
    size_t start0, total = liveBuckets(ht, &start0);
    uint64_t seen = 0;
    void *chosen = NULL;
    /* Reservoir sampling over the entries of random chains: each seen entry
     * is kept with probability 1/seen, i.e. the result is uniform among all
     * entries seen, whatever the chain lengths. */
    for (int tries = 0; tries < FAIR_RANDOM_MAX_BUCKETS && seen < FAIR_RANDOM_SAMPLE; tries++) {
        for (bucket *b = liveBucketAt(ht, start0, randomU64() % total); b; b = childOf(b)) {
            unsigned p = presence(b);
            while (p) {
                unsigned s = lowestBit(p);
                p &= p - 1;
                if (randomU64() % ++seen == 0) chosen = b->slots[s];
            }
        }
    }
    if (!seen) return hashtableRandomEntry(ht, found);
    *found = chosen;
    return 1;
}

unsigned hashtableSampleEntries(hashtable *ht, void **dst, unsigned count) {
    if (hashtableSize(ht) == 0 || count == 0) return 0;
    rehashStepIfAllowed(ht, 0);
    size_t start0, total = liveBuckets(ht, &start0);
    size_t pos = randomU64() % total, max_steps = (size_t)count * 10;
    unsigned stored = 0;
    /* Consecutive chains, each visited at most once: no entry repeats. */
    for (size_t step = 0; step < total && stored < count; step++) {
        if (step >= max_steps && stored > 0) break;
        for (bucket *b = liveBucketAt(ht, start0, pos); b && stored < count; b = childOf(b)) {
            unsigned p = presence(b);
            while (p && stored < count) {
                unsigned s = lowestBit(p);
                p &= p - 1;
                dst[stored++] = b->slots[s];
            }
        }
        if (++pos == total) pos = 0;
    }
    return stored;
}
