#include "zmalloc.h"
#include <malloc.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static _Atomic size_t used_memory;

static void oom(size_t size) {
    fprintf(stderr, "zmalloc: out of memory trying to allocate %zu bytes\n", size);
    fflush(stderr);
    abort();
}

/* Usable size of `p`, just allocated for `size` bytes. With jemalloc it is
 * the size class of `size` (nallocx: arithmetic on the size, the same figure
 * malloc_usable_size gives, without looking the pointer up: that lookup was
 * ~5% of a big RESTORE, one allocation per element). */
static inline size_t allocatedSize(void *p, size_t size) {
#ifdef USE_JEMALLOC
    (void)p;
    return nallocx(size ? size : 1, 0);
#else
    (void)size;
    return malloc_usable_size(p);
#endif
}

static inline void *account(void *p, size_t size) {
    if (!p) oom(size);
    atomic_fetch_add_explicit(&used_memory, allocatedSize(p, size), memory_order_relaxed);
    return p;
}

void *zmalloc(size_t size) { return account(malloc(size ? size : 1), size); }
void *zcalloc(size_t size) { return account(calloc(1, size ? size : 1), size); }

void *zrealloc(void *ptr, size_t size) {
    if (!ptr) return zmalloc(size);
    size_t old = malloc_usable_size(ptr);
    void *p = realloc(ptr, size ? size : 1);
    if (!p) oom(size);
    atomic_fetch_sub_explicit(&used_memory, old, memory_order_relaxed);
    atomic_fetch_add_explicit(&used_memory, malloc_usable_size(p), memory_order_relaxed);
    return p;
}

void zfree(void *ptr) {
    if (!ptr) return;
    atomic_fetch_sub_explicit(&used_memory, malloc_usable_size(ptr), memory_order_relaxed);
    free(ptr);
}

char *zstrdup(const char *s) {
    size_t l = strlen(s) + 1;
    char *p = zmalloc(l);
    memcpy(p, s, l);
    return p;
}

size_t zmalloc_size(const void *ptr) { return malloc_usable_size((void *)ptr); }
size_t zmalloc_used_memory(void) { return atomic_load_explicit(&used_memory, memory_order_relaxed); }

size_t zmalloc_get_rss(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, rss = 0;
    int n = fscanf(f, "%lu %lu", &size, &rss);
    fclose(f);
    return n == 2 ? rss * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

int zmalloc_enable_background_thread(void) {
#ifdef USE_JEMALLOC
    bool on = true;
    return mallctl("background_thread", NULL, NULL, &on, sizeof(on)) == 0;
#else
    return 0;
#endif
}

const char *zmalloc_allocator_name(void) {
#ifdef USE_JEMALLOC
    static char name[64];
    if (!name[0]) snprintf(name, sizeof(name), "jemalloc-%d.%d.%d", JEMALLOC_VERSION_MAJOR,
                           JEMALLOC_VERSION_MINOR, JEMALLOC_VERSION_BUGFIX);
    return name;
#else
    return "libc";
#endif
}
