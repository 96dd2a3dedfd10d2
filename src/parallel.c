#include "parallel.h"
#include <pthread.h>

typedef struct {
    parallelRangeFn fn;
    void *arg;
    size_t lo, hi;
} rangeJob;

static void *runJob(void *p) {
    rangeJob *j = p;
    j->fn(j->arg, j->lo, j->hi);
    return NULL;
}

void parallelRun2(parallelRangeFn fn, void *arg, size_t split, size_t n) {
    if (split > n) split = n;
    rangeJob second = {fn, arg, split, n};
    pthread_t tid;
    int started = split < n && pthread_create(&tid, NULL, runJob, &second) == 0;
    if (split > 0) fn(arg, 0, split);
    if (started) pthread_join(tid, NULL);
    else if (split < n) fn(arg, split, n);
}
