/* lazyfree: freeing memory on a background thread, so that FLUSHALL ASYNC /
 * FLUSHDB ASYNC (and lazyfree-lazy-user-flush) reply at once however many keys
 * they drop, as Redis's lazyfree does.
 *
 * One worker thread takes jobs in FIFO order. A job only frees memory that
 * nothing else references any more (detached hash tables and the objects they
 * own): zmalloc's accounting is atomic and the allocator is thread-safe, and
 * object destructors touch no shared server state. */
#ifndef CAIRN_LAZYFREE_H
#define CAIRN_LAZYFREE_H
#include <stddef.h>

struct hashtable;

/* Release `keys` (its entry destructor frees every value) and `expires` (which
 * holds the same objects and must not free them) on the worker thread.
 * `nobjects` is the number of values, for INFO lazyfree_pending_objects /
 * lazyfreed_objects. Both tables must already be detached from every db. */
void lazyfreeTables(struct hashtable *keys, struct hashtable *expires, size_t nobjects);
/* Objects queued and not yet freed (INFO lazyfree_pending_objects). */
size_t lazyfreePendingObjects(void);
/* Objects freed by the worker since start or CONFIG RESETSTAT (INFO lazyfreed_objects). */
size_t lazyfreeFreedObjects(void);
void lazyfreeResetStats(void);
/* Wait until every queued job is done (tests, shutdown). */
void lazyfreeDrain(void);

#endif
