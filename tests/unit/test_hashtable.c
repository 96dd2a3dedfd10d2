/* Unit tests for src/hashtable.c and src/siphash.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashtable.h"
#include "siphash.h"
#include "zmalloc.h"

/* ---- test entry types ------------------------------------------------------- */

/* Heap entry with an embedded 8-byte key. */
typedef struct item {
    uint64_t key;
    uint64_t value;
} item;

static size_t destructed;

static const void *itemKey(const void *entry) { return &((const item *)entry)->key; }
static uint64_t hashU64(const void *key) { return hashBytes(key, sizeof(uint64_t)); }
static int compareU64(const void *a, const void *b) { return *(const uint64_t *)a != *(const uint64_t *)b; }
static void freeItem(void *entry) {
    destructed++;
    zfree(entry);
}

static hashtableType itemType = {
    .entryGetKey = itemKey, .hashFunction = hashU64, .keyCompare = compareU64, .entryDestructor = freeItem};

/* Entries that are their own key: small integers stored as pointer values. */
static uint64_t hashPtrValue(const void *key) {
    uintptr_t v = (uintptr_t)key;
    return hashBytes(&v, sizeof(v));
}
static hashtableType intType = {.hashFunction = hashPtrValue};
#define INT_ENTRY(i) ((void *)(uintptr_t)((i) + 1))
#define ENTRY_INT(e) ((uint64_t)(uintptr_t)(e) - 1)

static item *newItem(uint64_t key) {
    item *it = zmalloc(sizeof(*it));
    it->key = key;
    it->value = key * 3;
    return it;
}

static int setup(void **state) {
    (void)state;
    uint8_t seed[16];
    for (int i = 0; i < 16; i++) seed[i] = (uint8_t)(0xa5 ^ (i * 37));
    hashSetSeed(seed);
    hashtableSetResizePolicy(HASHTABLE_RESIZE_ALLOW);
    destructed = 0;
    return 0;
}

/* ---- siphash ----------------------------------------------------------------- */

static void test_siphash_reference_vector(void **state) {
    (void)state;
    uint8_t key[16], msg[15];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++) msg[i] = (uint8_t)i;
    /* SipHash paper, appendix A: SipHash-2-4, key 00..0f, message 00..0e. */
    assert_true(siphashCD(msg, sizeof(msg), key, 2, 4, 0) == 0xa129ca6149be45e5ULL);

    /* hashBytes is SipHash-1-2 keyed with the process seed. */
    hashSetSeed(key);
    uint8_t got[16];
    hashGetSeed(got);
    assert_memory_equal(got, key, 16);
    for (size_t len = 0; len <= sizeof(msg); len++)
        assert_true(hashBytes(msg, len) == siphashCD(msg, len, key, 1, 2, 0));
    assert_true(hashBytes(msg, 15) != siphashCD(msg, 15, key, 2, 4, 0));
    assert_true(hashBytes(NULL, 0) == siphashCD("", 0, key, 1, 2, 0));

    /* Case folding: ASCII letters only. */
    assert_true(hashBytesNocase("GET", 3) == hashBytes("get", 3));
    assert_true(hashBytesNocase("ClUsTeR-InFo", 12) == hashBytes("cluster-info", 12));
    assert_true(hashBytesNocase("a longer Key with [brackets] and @ signs", 40) ==
                hashBytesNocase("A LONGER kEY WITH [BRACKETS] AND @ SIGNS", 40));
    assert_true(hashBytesNocase("[", 1) != hashBytes("{", 1)); /* not folded by a blind 0x20 OR */
    assert_true(hashBytes("GET", 3) != hashBytes("get", 3));
    const char hi[] = "\xc3\x89t\xc3\xa9"; /* non-ASCII bytes untouched */
    assert_true(hashBytesNocase(hi, 5) == hashBytes(hi, 5));

    /* The seed matters. */
    uint64_t before = hashBytes("key", 3);
    key[0] ^= 1;
    hashSetSeed(key);
    assert_true(hashBytes("key", 3) != before);
    setup(NULL);
}

/* ---- basic operations ---------------------------------------------------------- */

#define MILLION 1000000

static void test_add_find_delete_1m(void **state) {
    (void)state;
    size_t mem0 = zmalloc_used_memory();
    hashtable *ht = hashtableCreate(&itemType);
    assert_int_equal(hashtableSize(ht), 0);
    assert_int_equal(hashtableBuckets(ht), 0);
    void *found = NULL;
    uint64_t k = 42;
    assert_false(hashtableFind(ht, &k, &found));
    assert_false(hashtableDelete(ht, &k));

    for (uint64_t i = 0; i < MILLION; i++) assert_true(hashtableAdd(ht, newItem(i)));
    assert_int_equal(hashtableSize(ht), MILLION);
    assert_true(hashtableValidate(ht));

    /* Duplicates are refused and the existing entry reported. */
    item *dup = newItem(777);
    assert_false(hashtableAdd(ht, dup));
    void *existing = NULL;
    assert_false(hashtableAddOrFind(ht, dup, &existing));
    assert_non_null(existing);
    assert_ptr_not_equal(existing, dup);
    assert_int_equal(((item *)existing)->key, 777);
    zfree(dup);

    for (uint64_t i = 0; i < MILLION; i++) {
        assert_true(hashtableFind(ht, &i, &found));
        assert_int_equal(((item *)found)->key, i);
        assert_int_equal(((item *)found)->value, i * 3);
    }
    for (uint64_t i = MILLION; i < MILLION + 1000; i++) assert_false(hashtableFind(ht, &i, NULL));

    /* Delete the even keys. */
    for (uint64_t i = 0; i < MILLION; i += 2) assert_true(hashtableDelete(ht, &i));
    assert_int_equal(destructed, MILLION / 2);
    assert_int_equal(hashtableSize(ht), MILLION / 2);
    for (uint64_t i = 0; i < MILLION; i++) assert_int_equal(hashtableFind(ht, &i, NULL), (int)(i & 1));
    for (uint64_t i = 0; i < MILLION; i += 2) assert_false(hashtableDelete(ht, &i));

    /* Pop returns the entry without destructing it. */
    uint64_t one = 1;
    void *popped = NULL;
    assert_true(hashtablePop(ht, &one, &popped));
    assert_int_equal(((item *)popped)->key, 1);
    assert_int_equal(destructed, MILLION / 2);
    zfree(popped);
    assert_false(hashtablePop(ht, &one, &popped));

    for (uint64_t i = 3; i < MILLION; i += 2) assert_true(hashtableDelete(ht, &i));
    assert_int_equal(hashtableSize(ht), 0);
    assert_int_equal(destructed, MILLION - 1);
    /* Shrunk back (possibly still finishing the last rehash). */
    while (hashtableRehashMicroseconds(ht, 1000)) {
    }
    assert_int_equal(hashtableBuckets(ht), 1);
    assert_int_equal(hashtableChildBuckets(ht), 0);
    hashtableRelease(ht);
    assert_int_equal(zmalloc_used_memory(), mem0);
}

static void test_two_phase_insert(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&itemType);
    hashtablePosition pos;
    void *existing = NULL;
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t key = i;
        assert_true(hashtableFindPositionForInsert(ht, &key, &pos, &existing));
        /* Lookups in between are tolerated, even with a rehash in progress. */
        uint64_t other = i / 2;
        if (i) assert_true(hashtableFind(ht, &other, NULL));
        assert_false(hashtableFind(ht, &key, NULL));
        hashtableInsertAtPosition(ht, newItem(i), &pos);
        assert_int_equal(hashtableSize(ht), i + 1);
        assert_false(hashtableFindPositionForInsert(ht, &key, &pos, &existing));
        assert_int_equal(((item *)existing)->key, i);
        assert_false(hashtableFindPositionForInsert(ht, &key, &pos, NULL));
    }
    for (uint64_t i = 0; i < 5000; i++) {
        void *found;
        assert_true(hashtableFind(ht, &i, &found));
        assert_int_equal(((item *)found)->key, i);
    }
    hashtableRelease(ht);
    assert_int_equal(destructed, 5000);
}

/* hashtableAddBatch: everything added (growing and rehashing tables, a
 * pre-sized one, short and long batches), and the stop at a duplicate
 * (present before, or earlier in the same batch) with ownership split. */
static void test_add_batch(void **state) {
    (void)state;
    enum { N = 20000 };
    static void *entries[N];
    for (int presize = 0; presize <= 1; presize++) {
        hashtable *ht = hashtableCreate(&itemType);
        if (presize) assert_true(hashtableExpand(ht, N));
        size_t done = 0, len = 1;
        while (done < N) { /* batches of 1, 2, 3, ... entries: not multiples of HASHTABLE_BATCH */
            size_t k = N - done < len ? N - done : len;
            for (size_t i = 0; i < k; i++) entries[i] = newItem((done + i) * 7919 % N);
            assert_int_equal(hashtableAddBatch(ht, entries, k), k);
            done += k;
            len++;
            assert_int_equal(hashtableSize(ht), done);
        }
        assert_true(hashtableValidate(ht));
        for (uint64_t i = 0; i < N; i++) {
            void *found;
            assert_true(hashtableFind(ht, &i, &found));
            assert_int_equal(((item *)found)->key, i);
        }
        /* a key already in the table, in the middle of a batch */
        for (int i = 0; i < 40; i++) entries[i] = newItem(N + (uint64_t)i);
        ((item *)entries[25])->key = 123;
        assert_int_equal(hashtableAddBatch(ht, entries, 40), 25);
        assert_int_equal(hashtableSize(ht), N + 25);
        for (int i = 25; i < 40; i++) zfree(entries[i]); /* still the caller's */
        /* a key repeated inside the batch: the second one stops it */
        for (int i = 0; i < 10; i++) entries[i] = newItem(2 * N + (uint64_t)i);
        ((item *)entries[7])->key = 2 * N + 3;
        assert_int_equal(hashtableAddBatch(ht, entries, 10), 7);
        for (int i = 7; i < 10; i++) zfree(entries[i]);
        assert_int_equal(hashtableSize(ht), N + 25 + 7);
        assert_true(hashtableValidate(ht));
        assert_int_equal(hashtableAddBatch(ht, entries, 0), 0);
        destructed = 0;
        hashtableRelease(ht);
        assert_int_equal(destructed, N + 25 + 7);
    }
}

static void test_two_phase_pop(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&itemType);
    for (uint64_t i = 0; i < 20000; i++) hashtableAdd(ht, newItem(i));
    hashtablePosition pos;
    void **ref;
    uint64_t missing = 999999;
    assert_false(hashtableTwoPhasePopFindRef(ht, &missing, &ref, &pos));
    for (uint64_t i = 0; i < 20000; i += 3) {
        assert_true(hashtableTwoPhasePopFindRef(ht, &i, &ref, &pos));
        item *e = *ref;
        assert_int_equal(e->key, i);
        /* Lookups are allowed between the phases (rehashing is paused). */
        uint64_t other = i + 1;
        assert_true(hashtableFind(ht, &other, NULL));
        zfree(e);
        hashtableTwoPhasePopDelete(ht, &pos);
        assert_false(hashtableFind(ht, &i, NULL));
    }
    assert_int_equal(destructed, 0);
    size_t expect = 20000 - (20000 + 2) / 3;
    assert_int_equal(hashtableSize(ht), expect);
    for (uint64_t i = 0; i < 20000; i++) assert_int_equal(hashtableFind(ht, &i, NULL), i % 3 != 0);
    hashtableRelease(ht);
    assert_int_equal(destructed, expect);
}

static void test_findref_swap(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&itemType);
    for (uint64_t i = 0; i < 3000; i++) hashtableAdd(ht, newItem(i));
    uint64_t missing = 5000;
    assert_null(hashtableFindRef(ht, &missing));
    for (uint64_t i = 0; i < 3000; i++) {
        void **ref = hashtableFindRef(ht, &i);
        assert_non_null(ref);
        item *old = *ref, *repl = newItem(i);
        repl->value = 1000000 + i;
        *ref = repl;
        zfree(old);
    }
    for (uint64_t i = 0; i < 3000; i++) {
        void *found;
        assert_true(hashtableFind(ht, &i, &found));
        assert_int_equal(((item *)found)->value, 1000000 + i);
    }
    hashtableRelease(ht);
    assert_int_equal(destructed, 3000);
}

/* Replace-or-add with one lookup: absent keys get a position (second phase
 * required), present ones a slot through which a same-key entry is stored. */
static void test_findref_or_position(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&itemType);
    hashtablePosition pos;
    for (uint64_t round = 0; round < 2; round++) {
        for (uint64_t i = 0; i < 4000; i++) {
            void **ref = NULL;
            int absent = hashtableFindRefOrPositionForInsert(ht, &i, &pos, &ref);
            assert_int_equal(absent, round == 0);
            item *repl = newItem(i);
            repl->value = round * 1000000 + i;
            if (absent) {
                assert_null(ref);
                hashtableInsertAtPosition(ht, repl, &pos);
            } else {
                assert_non_null(ref);
                item *old = *ref;
                assert_int_equal(old->key, i);
                assert_int_equal(old->value, i);
                *ref = repl;
                zfree(old);
            }
        }
        assert_int_equal(hashtableSize(ht), 4000);
    }
    for (uint64_t i = 0; i < 4000; i++) {
        void *found;
        assert_true(hashtableFind(ht, &i, &found));
        assert_int_equal(((item *)found)->value, 1000000 + i);
    }
    hashtableRelease(ht);
    assert_int_equal(destructed, 4000);
}

static void test_replace_reallocated(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&itemType);
    item *items[4000];
    for (uint64_t i = 0; i < 4000; i++) hashtableAdd(ht, items[i] = newItem(i));
    for (uint64_t i = 0; i < 4000; i++) {
        item *old = items[i];
        /* A bigger allocation, so realloc usually moves it; then old is
         * freed before the table is told (it must not read old). */
        item *n = zmalloc(256);
        memcpy(n, old, sizeof(*old));
        zfree(old);
        assert_true(hashtableReplaceReallocatedEntry(ht, old, n));
        items[i] = n;
    }
    item probe = {.key = 12345678};
    assert_false(hashtableReplaceReallocatedEntry(ht, &probe, &probe));
    item other = {.key = 5}; /* key present, but another pointer */
    assert_false(hashtableReplaceReallocatedEntry(ht, &other, &other));
    for (uint64_t i = 0; i < 4000; i++) {
        void *found;
        assert_true(hashtableFind(ht, &i, &found));
        assert_ptr_equal(found, items[i]);
    }
    hashtableRelease(ht);
    assert_int_equal(destructed, 4000);
}

/* ---- iterators ----------------------------------------------------------------- */

static void test_safe_iterator_delete_all(void **state) {
    (void)state;
    const uint64_t n = 50000;
    hashtable *ht = hashtableCreate(&itemType);
    /* Stop right after a resize started, so iteration covers both tables. */
    uint64_t added = 0;
    while (added < n || !hashtableIsRehashing(ht)) hashtableAdd(ht, newItem(added++));
    assert_true(hashtableIsRehashing(ht));
    uint8_t *seen = calloc(added, 1);
    hashtableIterator it;
    hashtableInitSafeIterator(&it, ht);
    void *e;
    uint64_t count = 0;
    while (hashtableNext(&it, &e)) {
        uint64_t key = ((item *)e)->key;
        assert_true(key < added);
        assert_int_equal(seen[key], 0);
        seen[key] = 1;
        count++;
        assert_true(hashtableDelete(ht, &key));
        assert_true(hashtableIsRehashing(ht)); /* paused: no step completes it */
    }
    assert_false(hashtableNext(&it, &e));
    hashtableResetIterator(&it);
    assert_int_equal(count, added);
    assert_int_equal(destructed, added);
    assert_int_equal(hashtableSize(ht), 0);
    free(seen);
    /* Reuse after the iteration: the table works and shrinks. */
    for (uint64_t i = 0; i < 100; i++) assert_true(hashtableAdd(ht, newItem(i)));
    for (uint64_t i = 0; i < 100; i++) assert_true(hashtableDelete(ht, &i));
    while (hashtableRehashMicroseconds(ht, 1000)) {
    }
    assert_int_equal(hashtableBuckets(ht), 1);
    assert_int_equal(hashtableChildBuckets(ht), 0);
    hashtableRelease(ht);
}

static void test_safe_iterator_inserts(void **state) {
    (void)state;
    const uint64_t n = 20000;
    hashtable *ht = hashtableCreate(&itemType);
    for (uint64_t i = 0; i < n; i++) hashtableAdd(ht, newItem(i));
    uint32_t *seen = calloc(n, sizeof(uint32_t));
    hashtableIterator it;
    hashtableInitSafeIterator(&it, ht);
    void *e;
    uint64_t next_new = n;
    while (hashtableNext(&it, &e)) {
        uint64_t key = ((item *)e)->key;
        if (key < n) seen[key]++;
        /* Inserting (chains grow, a resize starts) while iterating. */
        for (int j = 0; j < 2 && next_new < 4 * n; j++) hashtableAdd(ht, newItem(next_new++));
        /* Replacing the returned entry through FindRef is allowed too. */
        void **ref = hashtableFindRef(ht, &key);
        assert_ptr_equal(*ref, e);
    }
    hashtableResetIterator(&it);
    for (uint64_t i = 0; i < n; i++) assert_int_equal(seen[i], 1);
    free(seen);
    assert_int_equal(hashtableSize(ht), next_new);
    for (uint64_t i = 0; i < next_new; i++) assert_true(hashtableFind(ht, &i, NULL));
    hashtableRelease(ht);
}

static void test_unsafe_iterator(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&intType);
    hashtableIterator it;
    void *e;
    hashtableInitIterator(&it, ht); /* empty table, no buckets */
    assert_false(hashtableNext(&it, &e));
    hashtableResetIterator(&it);

    uint64_t added = 0;
    while (added < 30000 || !hashtableIsRehashing(ht)) hashtableAdd(ht, INT_ENTRY(added++));
    uint8_t *seen = calloc(added, 1);
    hashtableInitIterator(&it, ht);
    uint64_t count = 0;
    while (hashtableNext(&it, &e)) {
        uint64_t v = ENTRY_INT(e);
        assert_true(v < added);
        assert_int_equal(seen[v]++, 0);
        count++;
    }
    hashtableResetIterator(&it);
    assert_int_equal(count, added);
    free(seen);
    hashtableRelease(ht);
}

/* ---- SCAN ------------------------------------------------------------------------ */

typedef struct {
    uint32_t *seen; /* per stable key */
    uint64_t stable;
    uint64_t calls;
} scanState;

static void scanCollect(void *privdata, void *entry) {
    scanState *s = privdata;
    uint64_t v = ENTRY_INT(entry);
    if (v < s->stable) s->seen[v]++;
    s->calls++;
}

static void test_scan_static(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&intType);
    scanState s = {.stable = 10000};
    s.seen = calloc(s.stable, sizeof(uint32_t));
    assert_int_equal(hashtableScan(ht, 0, scanCollect, &s), 0); /* empty */
    for (uint64_t i = 0; i < s.stable; i++) hashtableAdd(ht, INT_ENTRY(i));
    while (hashtableRehashMicroseconds(ht, 1000)) {
    }
    size_t cursor = 0, steps = 0;
    do {
        cursor = hashtableScan(ht, cursor, scanCollect, &s);
        steps++;
    } while (cursor);
    assert_int_equal(steps, hashtableBuckets(ht));
    for (uint64_t i = 0; i < s.stable; i++) assert_int_equal(s.seen[i], 1); /* unchanged table: exactly once */
    free(s.seen);
    hashtableRelease(ht);
}

/* Between SCAN calls the table grows (temporaries added) and shrinks
 * (temporaries deleted); the stable keys must all be returned. */
static void scanWhileResizing(uint64_t stable, uint64_t max_temp, uint64_t step) {
    hashtable *ht = hashtableCreate(&intType);
    scanState s = {.stable = stable};
    s.seen = calloc(stable, sizeof(uint32_t));
    for (uint64_t i = 0; i < stable; i++) hashtableAdd(ht, INT_ENTRY(i));
    const uint64_t temp_base = 1ULL << 40;
    uint64_t temps = 0;
    int growing = 1;
    size_t min_buckets = SIZE_MAX, max_buckets = 0, rehashing_calls = 0, calls = 0, cycles = 0, shrunk = 0;
    size_t cursor = 0;
    do {
        cursor = hashtableScan(ht, cursor, scanCollect, &s);
        calls++;
        if (hashtableIsRehashing(ht)) rehashing_calls++;
        size_t b = hashtableBuckets(ht);
        if (b < min_buckets) min_buckets = b;
        if (b > max_buckets) max_buckets = b;
        if (!hashtableIsRehashing(ht) && b * 4 <= max_buckets) shrunk++;
        for (uint64_t j = 0; j < step; j++) {
            if (growing) {
                assert_true(hashtableAdd(ht, INT_ENTRY(temp_base + temps)));
                if (++temps == max_temp) growing = 0;
            } else {
                temps--;
                assert_true(hashtableDelete(ht, INT_ENTRY(temp_base + temps)));
                if (temps == 0) {
                    growing = 1;
                    cycles++;
                }
            }
        }
        assert_true(calls < 50000000);
    } while (cursor);
    printf("  scan stable=%llu temps<=%llu step=%llu: %zu calls, %zu while rehashing, buckets %zu..%zu, %zu "
           "grow/shrink cycles, %zu calls after a shrink\n",
           (unsigned long long)stable, (unsigned long long)max_temp, (unsigned long long)step, calls, rehashing_calls,
           min_buckets, max_buckets, cycles, shrunk);
    for (uint64_t i = 0; i < stable; i++) assert_true(s.seen[i] >= 1);
    /* The scan really spanned growing, shrinking and rehashing tables. */
    assert_true(max_buckets >= 8 * min_buckets);
    assert_true(rehashing_calls > 0);
    assert_true(shrunk > 0);
    free(s.seen);
    hashtableRelease(ht);
}

static void test_scan_guarantee_resizing(void **state) {
    (void)state;
    scanWhileResizing(200, 20000, 50);
    scanWhileResizing(1000, 50000, 400);
    scanWhileResizing(50, 5000, 400);scanWhileResizing(50, 20000, 400);
    scanWhileResizing(3000, 100000, 2000);
}

/* ---- random -------------------------------------------------------------------- */

static void test_random_fairness(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&intType);
    void *e;
    void *dst[200];
    assert_false(hashtableRandomEntry(ht, &e));
    assert_false(hashtableFairRandomEntry(ht, &e));
    assert_int_equal(hashtableSampleEntries(ht, dst, 10), 0);
    for (uint64_t i = 0; i < 100; i++) hashtableAdd(ht, INT_ENTRY(i));

    unsigned fair[100] = {0}, plain[100] = {0};
    for (int d = 0; d < 10000; d++) {
        assert_true(hashtableFairRandomEntry(ht, &e));
        assert_true(ENTRY_INT(e) < 100);
        fair[ENTRY_INT(e)]++;
        assert_true(hashtableRandomEntry(ht, &e));
        assert_true(ENTRY_INT(e) < 100);
        plain[ENTRY_INT(e)]++;
    }
    unsigned fmin = 10000, fmax = 0, pmin = 10000, pmax = 0;
    for (int i = 0; i < 100; i++) {
        if (fair[i] < fmin) fmin = fair[i];
        if (fair[i] > fmax) fmax = fair[i];
        if (plain[i] < pmin) pmin = plain[i];
        if (plain[i] > pmax) pmax = plain[i];
    }
    printf("  10000 draws over 100 entries: fair min/max %u/%u, plain min/max %u/%u (ideal 100)\n", fmin, fmax, pmin,
           pmax);
    assert_true(fmin > 0 && pmin > 0);
    assert_true(fmin >= 40 && fmax <= 250); /* rough: within 2.5x of uniform */

    /* Sampling: distinct entries, never more than asked or present. */
    for (int r = 0; r < 1000; r++) {
        unsigned want = 1 + (unsigned)(r % 150);
        unsigned got = hashtableSampleEntries(ht, dst, want);
        assert_true(got >= 1 && got <= want && got <= 100);
        uint8_t dupe[100] = {0};
        for (unsigned i = 0; i < got; i++) assert_int_equal(dupe[ENTRY_INT(dst[i])]++, 0);
    }
    assert_int_equal(hashtableSampleEntries(ht, dst, 0), 0);

    /* A very sparse table (pre-sized) still yields entries. */
    hashtable *sparse = hashtableCreate(&intType);
    assert_true(hashtableExpand(sparse, 2000000));
    hashtableAdd(sparse, INT_ENTRY(7));
    for (int r = 0; r < 5; r++) {
        assert_true(hashtableFairRandomEntry(sparse, &e));
        assert_int_equal(ENTRY_INT(e), 7);
        assert_true(hashtableRandomEntry(sparse, &e));
        assert_int_equal(ENTRY_INT(e), 7);
        assert_int_equal(hashtableSampleEntries(sparse, dst, 5), 1);
    }
    hashtableRelease(sparse);

    /* While rehashing, draws come from both tables. */
    uint64_t n = 100;
    while (!hashtableIsRehashing(ht)) hashtableAdd(ht, INT_ENTRY(n++));
    for (int d = 0; d < 1000; d++) {
        assert_true(hashtableFairRandomEntry(ht, &e));
        assert_true(ENTRY_INT(e) < n);
    }
    hashtableRelease(ht);
}

/* ---- memory ------------------------------------------------------------------- */

static void test_memory_usage(void **state) {
    (void)state;
    size_t mem0 = zmalloc_used_memory();
    hashtable *ht = hashtableCreate(&intType);
    double peak_density = 1e9;
    size_t checkpoints = 0;
    double sum_log_sweep = 0; /* bytes/entry averaged over sizes 2^17 .. 2^20 */
    for (uint64_t i = 0; i < MILLION; i++) {
        hashtableAdd(ht, INT_ENTRY(i));
        uint64_t n = i + 1;
        if (n >= (1u << 17) && (n % 4096) == 0) {
            double bpe = (double)hashtableMemUsage(ht) / (double)n;
            sum_log_sweep += bpe;
            checkpoints++;
            if (!hashtableIsRehashing(ht) && bpe < peak_density) peak_density = bpe;
        }
    }
    while (hashtableRehashMicroseconds(ht, 10000)) {
    }
    size_t usage = hashtableMemUsage(ht);
    size_t allocated = zmalloc_used_memory() - mem0;
    double bpe = (double)usage / MILLION;
    /* Redis 7.0 dict for 1M keys: 2^20 bucket pointers (8 bytes) + 1M dictEntry
     * of 24 bytes, rounded to 32 by jemalloc. */
    double redis70 = ((double)(1u << 20) * 8 + (double)MILLION * 32) / MILLION;
    printf("  1M entries: %zu head buckets + %zu child buckets, MemUsage %zu bytes = %.2f bytes/entry "
           "(allocator: %.2f); Redis 7.0 dict ~%.1f bytes/entry\n",
           hashtableBuckets(ht), hashtableChildBuckets(ht), usage, bpe, (double)allocated / MILLION, redis70);
    printf("  densest point (just before a grow): %.2f bytes/entry; average over %zu sizes in 2^17..1M (both tables while rehashing): %.2f\n",
           peak_density, checkpoints, sum_log_sweep / (double)checkpoints);
    /* 1M entries need 2^18 head buckets (2^17 * 7 slots = 917504 < 1M), i.e.
     * 16.78 bytes/entry before any child bucket: the bound below is that
     * plus the few chains a 3.8 entries/bucket load needs. */
    assert_int_equal(hashtableBuckets(ht), 1u << 18);
    assert_true(bpe < 18.0);
    assert_true(bpe < redis70 * 0.5);
    assert_true(peak_density < 14.0);
    assert_true(allocated >= usage && allocated < usage + usage / 50);
    hashtableRelease(ht);
    assert_int_equal(zmalloc_used_memory(), mem0);
}

/* ---- empty / resize ------------------------------------------------------------ */

static int empty_callbacks;
static void emptyCallback(hashtable *ht) {
    (void)ht;
    empty_callbacks++;
}

static void test_empty_with_callback(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&itemType);
    for (uint64_t i = 0; i < 500000; i++) hashtableAdd(ht, newItem(i));
    while (hashtableRehashMicroseconds(ht, 1000)) {
    }
    size_t buckets = hashtableBuckets(ht);
    assert_int_equal(buckets, 1u << 17);
    empty_callbacks = 0;
    hashtableEmpty(ht, emptyCallback);
    assert_int_equal(empty_callbacks, buckets / 65536);
    assert_int_equal(destructed, 500000);
    assert_int_equal(hashtableSize(ht), 0);
    assert_int_equal(hashtableBuckets(ht), 0);
    assert_int_equal(hashtableChildBuckets(ht), 0);
    assert_true(hashtableMemUsage(ht) < 128); /* just the struct */
    /* Empty in the middle of a rehash, without callback; the table is reusable. */
    uint64_t n = 0;
    while (!hashtableIsRehashing(ht)) hashtableAdd(ht, newItem(n++));
    hashtableEmpty(ht, NULL);
    assert_int_equal(destructed, 500000 + n);
    assert_false(hashtableIsRehashing(ht));
    for (uint64_t i = 0; i < 10; i++) assert_true(hashtableAdd(ht, newItem(i)));
    assert_int_equal(hashtableSize(ht), 10);
    hashtableRelease(ht);
    assert_int_equal(destructed, 500000 + n + 10);
}

static int veto_calls;
static size_t veto_last_mem;
static int vetoResize(size_t moreMem, double fill) {
    veto_calls++;
    veto_last_mem = moreMem;
    return fill >= 2.0; /* only when very full */
}

static void test_resize_policy_and_veto(void **state) {
    (void)state;
    /* AVOID: no growth until fill 4, then growth again under ALLOW. */
    hashtable *ht = hashtableCreate(&intType);
    for (uint64_t i = 0; i < 6; i++) hashtableAdd(ht, INT_ENTRY(i));
    assert_int_equal(hashtableBuckets(ht), 1);
    hashtableSetResizePolicy(HASHTABLE_RESIZE_AVOID);
    for (uint64_t i = 6; i < 28; i++) hashtableAdd(ht, INT_ENTRY(i));
    assert_int_equal(hashtableBuckets(ht), 1); /* 28 entries in one chain */
    assert_true(hashtableChildBuckets(ht) >= 4);
    for (uint64_t i = 0; i < 28; i++) assert_true(hashtableFind(ht, INT_ENTRY(i), NULL));
    hashtableAdd(ht, INT_ENTRY(28)); /* fill > 4: grows even when avoiding */
    assert_true(hashtableBuckets(ht) > 1);
    /* Under AVOID, lookups do not advance the rehash, writes do. */
    while (hashtableIsRehashing(ht)) {
        size_t b = hashtableBuckets(ht);
        for (int r = 0; r < 10; r++) assert_true(hashtableFind(ht, INT_ENTRY(3), NULL));
        assert_int_equal(hashtableBuckets(ht), b);
        assert_int_equal(hashtableRehashMicroseconds(ht, 1000), 0);
        assert_true(hashtableIsRehashing(ht));
        assert_true(hashtableAdd(ht, INT_ENTRY(1000 + b)));
        assert_true(hashtableDelete(ht, INT_ENTRY(1000 + b)));
    }
    hashtableSetResizePolicy(HASHTABLE_RESIZE_ALLOW);
    for (uint64_t i = 0; i < 29; i++) assert_true(hashtableFind(ht, INT_ENTRY(i), NULL));
    hashtableRelease(ht);

    /* The type's veto callback. */
    hashtableType vetoType = {.hashFunction = hashPtrValue, .resizeAllowed = vetoResize};
    ht = hashtableCreate(&vetoType);
    veto_calls = 0;
    for (uint64_t i = 0; i < 14; i++) hashtableAdd(ht, INT_ENTRY(i));
    assert_int_equal(hashtableBuckets(ht), 1); /* fill 2 = 14/7: refused */
    assert_true(veto_calls > 0);
    hashtableAdd(ht, INT_ENTRY(14)); /* fill > 2: allowed */
    assert_true(hashtableBuckets(ht) > 1);
    assert_int_equal(veto_last_mem, (hashtableBuckets(ht) - 1) * 64);
    for (uint64_t i = 0; i < 15; i++) assert_true(hashtableFind(ht, INT_ENTRY(i), NULL));
    hashtableRelease(ht);
}

static void test_expand_and_rehash(void **state) {
    (void)state;
    hashtable *ht = hashtableCreate(&intType);
    assert_true(hashtableExpand(ht, 1000));
    assert_int_equal(hashtableBuckets(ht), 256); /* 128 buckets hold 784 at 7/8 */
    for (uint64_t i = 0; i < 1000; i++) hashtableAdd(ht, INT_ENTRY(i));
    assert_int_equal(hashtableBuckets(ht), 256); /* no resize needed */
    assert_false(hashtableIsRehashing(ht));
    assert_true(hashtableExpand(ht, 10)); /* already big enough */
    assert_int_equal(hashtableBuckets(ht), 256);

    /* Absurd sizes are refused, not aborted on. */
    assert_false(hashtableExpand(ht, SIZE_MAX));
    assert_false(hashtableTryExpand(ht, SIZE_MAX));
    assert_false(hashtableTryExpand(ht, (size_t)1 << 58)); /* 2^52 buckets: beyond physical memory */
    assert_int_equal(hashtableBuckets(ht), 256);

    /* Expand of a populated table starts an incremental rehash. */
    assert_true(hashtableTryExpand(ht, 100000));
    assert_true(hashtableIsRehashing(ht));
    assert_int_equal(hashtableBuckets(ht), 256 + 16384);
    /* Expanding further while rehashing completes the current rehash first. */
    assert_true(hashtableExpand(ht, 400000));
    assert_true(hashtableIsRehashing(ht));
    assert_int_equal(hashtableBuckets(ht), 16384 + 65536);
    /* ...but not while a safe iterator pauses rehashing. */
    hashtableIterator it;
    hashtableInitSafeIterator(&it, ht);
    assert_false(hashtableExpand(ht, 2000000));
    assert_true(hashtableExpand(ht, 300000)); /* the target table is big enough */
    assert_int_equal(hashtableRehashMicroseconds(ht, 1000), 0);
    hashtableResetIterator(&it);
    assert_true(hashtableIsRehashing(ht));
    while (hashtableRehashMicroseconds(ht, 50)) {
    }
    assert_false(hashtableIsRehashing(ht));
    assert_int_equal(hashtableBuckets(ht), 65536); /* pre-sized: not shrunk when the rehash ends */
    for (uint64_t i = 0; i < 1000; i++) assert_true(hashtableFind(ht, INT_ENTRY(i), NULL));
    /* The next delete shrinks the oversized table back. */
    assert_true(hashtableDelete(ht, INT_ENTRY(0)));
    while (hashtableRehashMicroseconds(ht, 1000)) {
    }
    assert_int_equal(hashtableBuckets(ht), 256);
    for (uint64_t i = 1; i < 1000; i++) assert_true(hashtableFind(ht, INT_ENTRY(i), NULL));
    assert_false(hashtableRehashMicroseconds(ht, 1000));
    assert_ptr_equal(hashtableGetType(ht), &intType);
    hashtableRelease(ht);
}

/* Many inserts and deletes in random order checked against a plain array:
 * exercises chain growth and compaction, grow and shrink. */
static void test_random_ops_model(void **state) {
    (void)state;
    const uint64_t universe = 30000;
    uint8_t *present = calloc(universe, 1);
    hashtable *ht = hashtableCreate(&intType);
    uint64_t rng = 88172645463325252ULL, size = 0;
    for (int op = 0; op < 2000000; op++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        uint64_t phase = (uint64_t)op / 250000; /* alternate insert-heavy and delete-heavy */
        uint64_t k = (rng >> 8) % universe;
        int insert = (rng & 0xff) < ((phase & 1) ? 20u : 230u);
        if (insert) {
            assert_int_equal(hashtableAdd(ht, INT_ENTRY(k)), !present[k]);
            if (!present[k]) size++;
            present[k] = 1;
        } else {
            assert_int_equal(hashtableDelete(ht, INT_ENTRY(k)), present[k]);
            if (present[k]) size--;
            present[k] = 0;
        }
        if ((op & 4095) == 0) {
            assert_int_equal(hashtableSize(ht), size);
            for (uint64_t j = 0; j < 200; j++) {
                uint64_t q = (k + j * 7919) % universe;
                assert_int_equal(hashtableFind(ht, INT_ENTRY(q), NULL), present[q]);
            }
        }
    }
    for (uint64_t q = 0; q < universe; q++) assert_int_equal(hashtableFind(ht, INT_ENTRY(q), NULL), present[q]);
    assert_true(hashtableValidate(ht));
    /* Chains are compacted: few child buckets relative to head buckets. */
    while (hashtableRehashMicroseconds(ht, 1000)) {
    }
    printf("  model: %zu entries, %zu buckets, %zu child buckets\n", hashtableSize(ht), hashtableBuckets(ht),
           hashtableChildBuckets(ht));
    assert_true(hashtableChildBuckets(ht) <= hashtableBuckets(ht) / 2);
    free(present);
    hashtableRelease(ht);
}

/* Every operation in random order against a model (an array of the entry
 * pointers), with hashtableValidate() checking the internal invariants. */
static uint64_t xorshift(uint64_t *r) {
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

static void test_mixed_ops_validate(void **state) {
    (void)state;
    const uint64_t universe = 6000;
    item **model = calloc(universe, sizeof(item *));
    uint64_t size = 0, rng = 0x9e3779b97f4a7c15ULL;
    hashtable *ht = hashtableCreate(&itemType);
    size_t expected_destructed = 0, safe_iterations = 0, checks_rehashing = 0, checks_chained = 0, max_buckets = 0;
    for (int op = 0; op < 300000; op++) {
        uint64_t r = xorshift(&rng);
        uint64_t k = (r >> 16) % universe;
        unsigned kind = (unsigned)(r % 100);
        int heavy_insert = ((op / 20000) & 1) == 0;
        if (kind < (heavy_insert ? 40u : 15u)) { /* add */
            item *it = newItem(k);
            if (model[k]) {
                void *ex;
                assert_false(hashtableAddOrFind(ht, it, &ex));
                assert_ptr_equal(ex, model[k]);
                zfree(it);
            } else {
                assert_true(hashtableAdd(ht, it));
                model[k] = it;
                size++;
            }
        } else if (kind < 55) { /* two-phase insert */
            hashtablePosition pos;
            void *ex = NULL;
            int absent = hashtableFindPositionForInsert(ht, &k, &pos, &ex);
            assert_int_equal(absent, model[k] == NULL);
            if (absent) {
                hashtableInsertAtPosition(ht, model[k] = newItem(k), &pos);
                size++;
            } else {
                assert_ptr_equal(ex, model[k]);
            }
        } else if (kind < (heavy_insert ? 70u : 80u)) { /* delete / pop / two-phase pop */
            int present = model[k] != NULL;
            if (kind % 3 == 0) {
                assert_int_equal(hashtableDelete(ht, &k), present);
                if (present) expected_destructed++;
            } else if (kind % 3 == 1) {
                void *popped = NULL;
                assert_int_equal(hashtablePop(ht, &k, &popped), present);
                if (present) {
                    assert_ptr_equal(popped, model[k]);
                    zfree(popped);
                }
            } else {
                void **ref;
                hashtablePosition pos;
                assert_int_equal(hashtableTwoPhasePopFindRef(ht, &k, &ref, &pos), present);
                if (present) {
                    assert_ptr_equal(*ref, model[k]);
                    zfree(*ref);
                    hashtableTwoPhasePopDelete(ht, &pos);
                }
            }
            if (present) {
                model[k] = NULL;
                size--;
            }
        } else if (kind < 85) { /* replace through FindRef or ReplaceReallocatedEntry */
            if (model[k]) {
                item *n = newItem(k);
                if (kind & 1) {
                    void **ref = hashtableFindRef(ht, &k);
                    assert_ptr_equal(*ref, model[k]);
                    *ref = n;
                } else {
                    assert_true(hashtableReplaceReallocatedEntry(ht, model[k], n));
                }
                zfree(model[k]);
                model[k] = n;
            } else {
                assert_null(hashtableFindRef(ht, &k));
            }
        } else if (kind < 93) { /* lookups */
            void *found = NULL;
            assert_int_equal(hashtableFind(ht, &k, &found), model[k] != NULL);
            if (model[k]) assert_ptr_equal(found, model[k]);
        } else if (kind < 95) { /* random */
            void *e;
            void *dst[20];
            assert_int_equal(hashtableFairRandomEntry(ht, &e), size > 0);
            if (size) assert_ptr_equal(model[((item *)e)->key], e);
            unsigned got = hashtableSampleEntries(ht, dst, 20);
            assert_true(got <= 20 && (got > 0) == (size > 0));
            for (unsigned i = 0; i < got; i++) assert_ptr_equal(model[((item *)dst[i])->key], dst[i]);
        } else if (kind < 96) { /* a safe iteration that deletes some and inserts some */
            hashtableIterator it;
            hashtableInitSafeIterator(&it, ht);
            void *e;
            item **orig = malloc(universe * sizeof(item *));
            uint8_t *seen = calloc(universe, 1);
            memcpy(orig, model, universe * sizeof(item *));
            while (hashtableNext(&it, &e)) {
                item *x = e;
                assert_ptr_equal(model[x->key], x);
                if (orig[x->key] == x) assert_int_equal(seen[x->key]++, 0);
                uint64_t rr = xorshift(&rng);
                if (rr % 4 == 0) {
                    uint64_t key = x->key;
                    assert_true(hashtableDelete(ht, &key));
                    expected_destructed++;
                    model[key] = NULL;
                    orig[key] = NULL; /* seen; its address may be reused */
                    size--;
                } else if (rr % 4 == 1) {
                    uint64_t nk = (rr >> 8) % universe;
                    if (!model[nk]) {
                        assert_true(hashtableAdd(ht, model[nk] = newItem(nk)));
                        size++;
                    }
                }
            }
            hashtableResetIterator(&it);
            /* Every entry present before and not deleted: returned exactly once. */
            for (uint64_t q = 0; q < universe; q++)
                if (orig[q]) assert_int_equal(seen[q], 1);
            free(orig);
            free(seen);
            safe_iterations++;
        } else if (kind < 97) { /* a full scan of an unchanged table */
            scanState st = {.stable = 0};
            size_t cursor = 0;
            do cursor = hashtableScan(ht, cursor, scanCollect, &st);
            while (cursor);
            assert_true(st.calls >= size);
        } else if (kind < 98) { /* policy switch */
            hashtableSetResizePolicy((r >> 40) & 1 ? HASHTABLE_RESIZE_AVOID : HASHTABLE_RESIZE_ALLOW);
        } else if (kind < 99) {
            hashtableRehashMicroseconds(ht, 20);
        } else {
            if ((r >> 20) % 50 == 0) assert_true(hashtableExpand(ht, size + (r >> 32) % 20000) || hashtableIsRehashing(ht));
            hashtableShrinkIfNeeded(ht);
        }
        if ((op % 1000) == 0 || op < 2000) {
            assert_true(hashtableValidate(ht));
            assert_int_equal(hashtableSize(ht), size);
            checks_rehashing += (size_t)hashtableIsRehashing(ht);
            checks_chained += hashtableChildBuckets(ht) > 0;
            if (hashtableBuckets(ht) > max_buckets) max_buckets = hashtableBuckets(ht);
        }
    }
    printf("  mixed: %zu safe iterations; of %d validations %zu while rehashing, %zu with child buckets; max %zu "
           "buckets\n",
           safe_iterations, 2000 + 300, checks_rehashing, checks_chained, max_buckets);
    assert_true(safe_iterations > 100 && checks_rehashing > 10 && checks_chained > 10);
    hashtableSetResizePolicy(HASHTABLE_RESIZE_ALLOW);
    assert_true(hashtableValidate(ht));
    for (uint64_t k = 0; k < universe; k++) {
        void *found = NULL;
        assert_int_equal(hashtableFind(ht, &k, &found), model[k] != NULL);
        if (model[k]) assert_ptr_equal(found, model[k]);
    }
    assert_int_equal(destructed, expected_destructed);
    hashtableRelease(ht);
    assert_int_equal(destructed, expected_destructed + size);
    free(model);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_siphash_reference_vector, setup),
        cmocka_unit_test_setup(test_add_find_delete_1m, setup),
        cmocka_unit_test_setup(test_two_phase_insert, setup),
        cmocka_unit_test_setup(test_add_batch, setup),
        cmocka_unit_test_setup(test_two_phase_pop, setup),
        cmocka_unit_test_setup(test_findref_swap, setup),
        cmocka_unit_test_setup(test_findref_or_position, setup),
        cmocka_unit_test_setup(test_replace_reallocated, setup),
        cmocka_unit_test_setup(test_safe_iterator_delete_all, setup),
        cmocka_unit_test_setup(test_safe_iterator_inserts, setup),
        cmocka_unit_test_setup(test_unsafe_iterator, setup),
        cmocka_unit_test_setup(test_scan_static, setup),
        cmocka_unit_test_setup(test_scan_guarantee_resizing, setup),
        cmocka_unit_test_setup(test_random_fairness, setup),
        cmocka_unit_test_setup(test_memory_usage, setup),
        cmocka_unit_test_setup(test_empty_with_callback, setup),
        cmocka_unit_test_setup(test_resize_policy_and_veto, setup),
        cmocka_unit_test_setup(test_expand_and_rehash, setup),
        cmocka_unit_test_setup(test_random_ops_model, setup),
        cmocka_unit_test_setup(test_mixed_ops_validate, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
