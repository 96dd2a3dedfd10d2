/* hashtable: the one hash table of Cairn (keyspace, expires, hash-encoded sets
 * and hashes, the zset member->score dict, command tables, ...).
 *
 * The table stores `void *entry` pointers chosen by the user; an entry must
 * contain (or be) its key, which the type's entryGetKey callback extracts.
 * There is no per-entry node allocation: entries live directly in cache-line
 * sized buckets.  Semantics follow Redis's dict: incremental rehashing between
 * two tables, SCAN with a reverse-binary cursor, safe and unsafe iterators,
 * random sampling.  Leaf module: depends only on zmalloc.  Not thread-safe.
 *
 * Bucket layout (64-bit pointers; one bucket = 64 bytes = one cache line):
 *
 *   offset  size  field
 *   ------  ----  -----------------------------------------------------------
 *        0     1  meta: bits 0-6 presence bitmap (bit i set = slot i holds an
 *                 entry), bit 7 "chained" (slot 6 holds a child bucket)
 *        1     7  fingerprint of slot 0..6: the high 8 bits of the entry's hash
 *        8    56  slots 0..6: `void *` entry pointers (slot 6 = child bucket
 *                 pointer when the bucket is chained)
 *
 * A table is an array of 2^exp buckets; an entry with hash h lives in the
 * chain that starts at bucket (h & (2^exp - 1)).  When all 7 slots of the
 * last bucket of a chain are used and one more entry is needed there, a
 * child bucket is allocated, the entry of slot 6 moves to the child and slot
 * 6 becomes the link.  Deleting entries compacts the chain again (child
 * buckets are freed as soon as their entries fit in the earlier buckets).
 *
 * Fill factor: "fill" = entries / slots, slots = 7 * head buckets.
 *  - grow when an insert would take the fill above 7/8 (6.125 entries per
 *    bucket on average).  Reasoning: with keys spread like a Poisson process,
 *    at 7/8 about 27% of buckets need a child at the very peak (about 10%
 *    averaged over a doubling cycle), while going to 1.0 saves only ~8% of
 *    memory but needs ~60% more child buckets (longer probes, more small
 *    allocations); below ~0.8 the memory per entry rises quickly.  The new size is the smallest power of two that holds the
 *    entries at <= 7/8 fill, so a growing table lands at ~7/16 fill.
 *  - shrink when a delete leaves the fill below 1/8 (to the smallest power of
 *    two that holds the entries at <= 7/8 fill, at least 1 bucket); also
 *    checked when a rehash completes (unless it came from hashtableExpand)
 *    and when a safe iterator ends.
 *  - resize policy AVOID (set while a fork child exists, so copy-on-write
 *    pages stay shared): grow only above a fill of 4 (about 28 entries per
 *    bucket, i.e. chains of ~5 buckets), shrink only below 1/32, and do
 *    incremental rehash steps only on writes, never on lookups.
 *  - the type's resizeAllowed callback may veto any automatic resize.
 *
 * Memory per entry (table only, entries excluded): 64/7 = 9.14 bytes per slot,
 * so 10.4 bytes per entry at 7/8 fill, 20.9 right after a doubling, plus the
 * child buckets.  Measured (test_hashtable.c): 13.3 bytes/entry just before a
 * grow; 17.5 at exactly 1M entries, which need 2^18 head buckets (2^17 * 7
 * slots < 1M, so 16.78 is the floor there) plus ~10.7k child buckets.  The
 * Redis 7.0 dict needs 8 bytes of bucket array plus a 24-byte dictEntry (32
 * with jemalloc rounding) per entry, i.e. ~40 bytes/entry at 1M.
 *
 * Rehashing: while a resize is in progress both tables are live; new entries
 * go to the new table; every operation moves one bucket chain (visiting at
 * most 10 empty buckets), and hashtableRehashMicroseconds() moves more in the
 * server's cron.  Moving an entry recomputes its hash (no hash is stored). */
#ifndef CAIRN_HASHTABLE_H
#define CAIRN_HASHTABLE_H
#include <stddef.h>
#include <stdint.h>

typedef struct hashtable hashtable;

/* Callbacks describing what the table stores.  The table keeps the pointer to
 * the type (it must outlive the table; usually a static). */
typedef struct hashtableType {
    /* Key of an entry.  NULL: the entry pointer is its own key. */
    const void *(*entryGetKey)(const void *entry);
    /* Hash of a key (required), normally hashBytes()/hashBytesNocase() of
     * the key bytes.  Must be deterministic for equal keys. */
    uint64_t (*hashFunction)(const void *key);
    /* 0 when the keys are equal, non-zero otherwise.  NULL: pointer equality. */
    int (*keyCompare)(const void *key1, const void *key2);
    /* Frees an entry; called by Delete/Empty/Release (never by Pop or the
     * two-phase pop).  NULL: entries are not owned by the table. */
    void (*entryDestructor)(void *entry);
    /* Optional veto for automatic resizing: `moreMem` is the byte size of the
     * bucket array that would be allocated, `fillFactor` the current fill
     * (entries / slots).  Return 0 to refuse.  NULL: always allowed. */
    int (*resizeAllowed)(size_t moreMem, double fillFactor);
} hashtableType;

/* Opaque position returned by hashtableFindPositionForInsert (for
 * hashtableInsertAtPosition) and hashtableTwoPhasePopFindRef (for
 * hashtableTwoPhasePopDelete).  Caller-allocated, usually on the stack. */
typedef struct {
    uint64_t opaque[4];
} hashtablePosition;

/* Caller-allocated iterator state (contents private). */
typedef struct {
    uint64_t opaque[8];
} hashtableIterator;

/* Resize policies for hashtableSetResizePolicy(). */
#define HASHTABLE_RESIZE_AVOID 0
#define HASHTABLE_RESIZE_ALLOW 1

/* Slots per bucket (7 with 64-bit pointers). */
#define HASHTABLE_ENTRIES_PER_BUCKET 7

/* ---- life cycle ------------------------------------------------------------ */

/* New empty table of the given type (no bucket array is allocated until the
 * first insert or Expand).  Never returns NULL (allocation failure aborts). */
hashtable *hashtableCreate(hashtableType *type);
/* Destruct every entry (type->entryDestructor) and free the table.  NULL is a
 * no-op.  No iterator may be active. */
void hashtableRelease(hashtable *ht);
/* Destruct every entry and free all buckets; the table stays usable (empty,
 * no bucket array).  No iterator or two-phase operation may be pending.
 * `callback` (may be NULL) is called with `ht` once every
 * 65536 buckets freed, so a server can keep serving events during a huge
 * FLUSHALL; it must not touch the table. */
void hashtableEmpty(hashtable *ht, void (*callback)(hashtable *));
/* The type given to hashtableCreate. */
hashtableType *hashtableGetType(hashtable *ht);

/* ---- sizes ----------------------------------------------------------------- */

/* Number of entries. */
size_t hashtableSize(const hashtable *ht);
/* Head buckets in both tables (2^exp0 + 2^exp1), for INFO/DEBUG. */
size_t hashtableBuckets(const hashtable *ht);
/* Child buckets currently allocated for chains, in both tables. */
size_t hashtableChildBuckets(const hashtable *ht);
/* Bytes used by the table itself: the hashtable struct, both bucket arrays
 * and all child buckets (nominal sizes, allocator rounding excluded); entries
 * are not included. */
size_t hashtableMemUsage(const hashtable *ht);

/* ---- resizing -------------------------------------------------------------- */

/* Pre-size the table for `size` entries (bucket count = smallest power of two
 * holding `size` at <= 7/8 fill).  Ignores the resize policy and callback.
 * A new bucket array of 2 to 64 MB is prefaulted (MADV_POPULATE_WRITE): the
 * caller is expected to fill it.
 * Returns 1 when the table is (now) at least that big or a resize to that
 * size has started; 0 if refused: `size` is absurd (bucket array size would
 * overflow size_t), or a rehash is in progress while paused by a safe
 * iterator (an unpaused rehash in progress is first completed).  Aborts if
 * the allocation fails (zmalloc). */
int hashtableExpand(hashtable *ht, size_t size);
/* Like hashtableExpand, for sizes from untrusted input (e.g. an RDB length
 * field): also returns 0 instead of allocating when the bucket array would be
 * larger than the machine's physical memory.  NOTE: zmalloc has no
 * non-aborting variant, so an allocation that fails despite this check still
 * aborts the process. */
int hashtableTryExpand(hashtable *ht, size_t size);
/* Do incremental rehashing (in steps of 100 buckets) for about `us`
 * microseconds.  Returns 1 if a rehash is still in progress afterwards, 0 if
 * there is none, or if rehashing is paused (safe iterator, two-phase pop) or
 * the resize policy is AVOID (nothing is done then). */
int hashtableRehashMicroseconds(hashtable *ht, uint64_t us);
/* Start shrinking now if the fill is below the shrink threshold (for a cron
 * that tidies tables which stopped receiving deletes; deletes, the end of a
 * safe iteration and the end of a rehash already check).  Respects the
 * policy, the veto callback and pauses.  Returns 1 if a shrink started. */
int hashtableShrinkIfNeeded(hashtable *ht);
/* 1 while two tables are live (an incremental rehash is in progress). */
int hashtableIsRehashing(const hashtable *ht);
/* Global resize policy: HASHTABLE_RESIZE_AVOID (0) while a fork child
 * exists, HASHTABLE_RESIZE_ALLOW (1, the default) otherwise. */
void hashtableSetResizePolicy(int policy);

/* ---- lookup ---------------------------------------------------------------- */

/* Look `key` up.  Returns 1 and sets *found (if found != NULL) to the entry,
 * or 0.  May do one incremental rehash step. */
int hashtableFind(hashtable *ht, const void *key, void **found);
/* Pointer to the slot holding the entry with `key`, or NULL.  The caller may
 * store a different entry pointer with the SAME key through it (e.g. after
 * reallocating the entry).  Valid only until the next table operation. */
void **hashtableFindRef(hashtable *ht, const void *key);

/* ---- insert ---------------------------------------------------------------- */

/* Insert `entry` unless an entry with the same key exists.  Returns 1 if
 * added, 0 if the key exists (nothing changed, `entry` not owned). */
int hashtableAdd(hashtable *ht, void *entry);
/* Batch size hashtableAddBatch works in (and a good batch for callers). */
#define HASHTABLE_BATCH 16
/* Add entries[0..n-1] in that order, as hashtableAdd would one by one, but
 * HASHTABLE_BATCH at a time: the hashes of a batch are computed and its
 * buckets prefetched before any of them is inserted, so the cache misses of
 * keys that arrive in an order unrelated to the table's bucket order (a
 * large payload made by another process) overlap instead of adding up.
 * Stops at the first entry whose key is already present (in the table or
 * earlier in `entries`) and returns its index: entries[0..index) are in the
 * table (owned by it), entries[index..n) are not (still the caller's).
 * Returns n when every entry was added. */
size_t hashtableAddBatch(hashtable *ht, void **entries, size_t n);
/* Like hashtableAdd; when the key exists returns 0 and sets *existing (if
 * existing != NULL) to the entry already in the table. */
int hashtableAddOrFind(hashtable *ht, void *entry, void **existing);
/* First half of a two-phase insert: look `key` up and, if absent, reserve a
 * place for it (growing the table first if needed).  Returns 1 (absent, `pos`
 * filled) or 0 (present; *existing set to the entry if existing != NULL).
 * After a 1 the caller MUST call hashtableInsertAtPosition with an entry
 * whose key equals `key`; until then rehashing is paused, so lookups on this
 * table are allowed in between, inserts and deletes are not. */
int hashtableFindPositionForInsert(hashtable *ht, void *key, hashtablePosition *pos, void **existing);
/* Same first half, but when the key is present returns 0 and sets *ref (if
 * ref != NULL) to the slot holding its entry, as hashtableFindRef does: the
 * caller may store a different entry with the SAME key through it, valid
 * until the next operation on this table.  One lookup for "replace or add". */
int hashtableFindRefOrPositionForInsert(hashtable *ht, void *key, hashtablePosition *pos, void ***ref);
/* Second half: store `entry` at the position found above. */
void hashtableInsertAtPosition(hashtable *ht, void *entry, hashtablePosition *pos);

/* ---- delete ---------------------------------------------------------------- */

/* Remove the entry with `key` and call the destructor on it (after it is
 * unlinked).  Returns 1 if deleted, 0 if absent. */
int hashtableDelete(hashtable *ht, const void *key);
/* Remove the entry with `key` without calling the destructor.  Returns 1 and
 * sets *popped (if popped != NULL) to the entry, or 0 if absent. */
int hashtablePop(hashtable *ht, const void *key, void **popped);
/* First half of a two-phase pop: find `key`; returns 1 with *ref pointing to
 * the slot holding the entry and `pos` filled, or 0 if absent.  From a 1
 * until hashtableTwoPhasePopDelete (which MUST follow) rehashing is paused,
 * so the caller may use/free the entry and do lookups; no inserts/deletes. */
int hashtableTwoPhasePopFindRef(hashtable *ht, const void *key, void ***ref, hashtablePosition *pos);
/* Second half: unlink the slot found above (no destructor call) and resume
 * rehashing. */
void hashtableTwoPhasePopDelete(hashtable *ht, hashtablePosition *pos);
/* The entry `old_entry` was reallocated to `new_entry` (same key): find the
 * slot holding the pointer `old_entry` (located through new_entry's key;
 * old_entry is never dereferenced, so it may already be freed) and store
 * `new_entry` there.  Returns 1 if found and replaced, 0 otherwise. */
int hashtableReplaceReallocatedEntry(hashtable *ht, const void *old_entry, void *new_entry);

/* ---- scan and iterators ---------------------------------------------------- */

/* One SCAN step: call fn(privdata, entry) for every entry of one bucket chain
 * (in the larger table, of all chains that map to the same smaller-table
 * chain while rehashing) and return the next cursor; 0 when the scan is
 * complete.  Start with cursor 0.  Guarantee (as Redis SCAN): an entry
 * present during the whole scan is returned at least once, even if the table
 * grows, shrinks or rehashes between calls; entries may be returned more than
 * once.  fn must not modify the table (asserted). */
size_t hashtableScan(hashtable *ht, size_t cursor, void (*fn)(void *privdata, void *entry), void *privdata);

/* Unsafe iterator: the table must not be modified, and no lookup may be done
 * on it while rehashing, until hashtableResetIterator (asserted: a fingerprint
 * of the table state is checked on every Next and at Reset).  Does not touch
 * the table, so it is the one to use in a fork child. */
void hashtableInitIterator(hashtableIterator *it, hashtable *ht);
/* Safe iterator: pauses rehashing, chain compaction and automatic shrinking
 * until Reset.  The caller may delete entries (typically the one just
 * returned; deleted entries not reached yet are not returned), replace an
 * entry pointer via FindRef/ReplaceReallocatedEntry, do lookups and insert.
 * Every entry present for the whole iteration is returned exactly once;
 * entries inserted during the iteration may or may not be returned. */
void hashtableInitSafeIterator(hashtableIterator *it, hashtable *ht);
/* Next entry: returns 1 and sets *entry, or 0 when the iteration is over. */
int hashtableNext(hashtableIterator *it, void **entry);
/* Finish an iteration (required, also after Next returned 0): resumes
 * rehashing/shrinking for safe iterators (and shrinks if due now); checks
 * the no-modification rule for unsafe ones.  The iterator may be re-inited. */
void hashtableResetIterator(hashtableIterator *it);

/* ---- random ---------------------------------------------------------------- */

/* A random entry: a random non-empty bucket chain, then a random entry in
 * it (fast; entries in short chains are favoured).  Returns 1 and *found, or
 * 0 if the table is empty. */
int hashtableRandomEntry(hashtable *ht, void **found);
/* A fairer random entry (RANDOMKEY, SRANDMEMBER, SPOP, eviction): samples
 * the chains of several random buckets until at least 16 entries were seen
 * and returns one uniformly among all seen entries.  1 and *found, 0 if empty. */
int hashtableFairRandomEntry(hashtable *ht, void **found);
/* Store up to `count` distinct entries in dst[0..] (dst has room for count),
 * taken from consecutive bucket chains starting at a random bucket; returns
 * how many were stored (may be less than count even if the table holds more;
 * at least 1 when the table is not empty and count > 0). */
unsigned hashtableSampleEntries(hashtable *ht, void **dst, unsigned count);

/* ---- debugging ------------------------------------------------------------- */

/* Check every internal invariant (O(n), calls hashFunction on every entry):
 * counts, chain links, each entry in the bucket its hash selects with the
 * right fingerprint, moved buckets empty.  Returns 1 if consistent, else 0.
 * For tests and DEBUG commands. */
int hashtableValidate(hashtable *ht);

#endif
