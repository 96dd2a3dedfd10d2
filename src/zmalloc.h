/* zmalloc: the allocator every Cairn module uses.
 *
 * Thin wrappers over malloc (jemalloc in the release build, the system malloc
 * under ASan) that keep an exact count of the bytes in use, as reported by
 * malloc_usable_size(), so INFO's used_memory is the allocator's own figure.
 * Allocation failure is fatal: the process logs and aborts (as Redis does).
 * Leaf module: includes no server header. Thread-safe counter (relaxed atomics). */
#ifndef CAIRN_ZMALLOC_H
#define CAIRN_ZMALLOC_H
#include <stddef.h>

/* Allocate `size` bytes (uninitialised). Never returns NULL. Free with zfree(). */
void *zmalloc(size_t size);
/* Allocate `size` zeroed bytes. Never returns NULL. */
void *zcalloc(size_t size);
/* Resize `ptr` (may be NULL) to `size` bytes; contents kept up to min(old,new). */
void *zrealloc(void *ptr, size_t size);
/* Free memory from zmalloc/zcalloc/zrealloc/zstrdup. NULL is a no-op. */
void zfree(void *ptr);
/* Copy a NUL-terminated C string into a new zmalloc'ed buffer. */
char *zstrdup(const char *s);
/* Usable size of an allocation from this module, in bytes. */
size_t zmalloc_size(const void *ptr);
/* Bytes currently allocated through this module (sum of usable sizes). */
size_t zmalloc_used_memory(void);
/* Resident set size of the process in bytes (from /proc/self/statm), 0 if unknown. */
size_t zmalloc_get_rss(void);
/* Let the allocator return freed memory to the system from its own
 * background thread instead of inline in allocation calls (jemalloc's
 * background_thread, on by default in Redis too). Returns 1 if enabled, 0
 * when the allocator has no such thread (libc malloc, ASan build). */
int zmalloc_enable_background_thread(void);
/* Name of the allocator, for INFO mem_allocator ("jemalloc-5.3.0" or "libc"). */
const char *zmalloc_allocator_name(void);

#endif
