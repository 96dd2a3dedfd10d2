/* parallel: run one loop over two threads (leaf module: pthreads only).
 *
 * Used where a command does a large amount of independent, CPU-bound work on
 * separate pieces (LZF of quicklist nodes in DUMP / RESTORE of big lists).
 * The caller's thread takes part, so at most one extra thread runs, and only
 * for the duration of the call. */
#ifndef CAIRN_PARALLEL_H
#define CAIRN_PARALLEL_H
#include <stddef.h>

/* Work on items [lo, hi) of whatever `arg` describes. */
typedef void (*parallelRangeFn)(void *arg, size_t lo, size_t hi);

/* Run fn(arg, split, n) on a second thread while the calling thread runs
 * fn(arg, 0, split); return when both are done. If the thread cannot be
 * started, both ranges run on the caller, one after the other. fn must touch
 * only the data of its own range and call only thread-safe functions
 * (zmalloc, liblzf, the pure listpack/rio decoders are). split <= n. */
void parallelRun2(parallelRangeFn fn, void *arg, size_t split, size_t n);

#endif
