/* Unit tests of parallelRun2 (src/parallel.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include "parallel.h"

typedef struct {
    int visits[1000];
    pthread_t seen[2];
    int calls;
    pthread_mutex_t lock;
} job;

static void mark(void *arg, size_t lo, size_t hi) {
    job *j = arg;
    pthread_mutex_lock(&j->lock);
    if (j->calls < 2) j->seen[j->calls] = pthread_self();
    j->calls++;
    pthread_mutex_unlock(&j->lock);
    for (size_t i = lo; i < hi; i++) j->visits[i]++;
}

/* Every item is visited exactly once, whatever the split; the second range
 * runs on another thread; empty ranges are not called. */
static void test_ranges(void **state) {
    (void)state;
    size_t splits[] = {0, 1, 500, 999, 1000};
    for (size_t s = 0; s < sizeof(splits) / sizeof(splits[0]); s++) {
        job j;
        memset(&j, 0, sizeof(j));
        pthread_mutex_init(&j.lock, NULL);
        parallelRun2(mark, &j, splits[s], 1000);
        for (int i = 0; i < 1000; i++) assert_int_equal(j.visits[i], 1);
        int expect = (splits[s] > 0) + (splits[s] < 1000);
        assert_int_equal(j.calls, expect);
        if (expect == 2) assert_false(pthread_equal(j.seen[0], j.seen[1]));
        pthread_mutex_destroy(&j.lock);
    }
    /* split beyond n is clamped */
    job j;
    memset(&j, 0, sizeof(j));
    pthread_mutex_init(&j.lock, NULL);
    parallelRun2(mark, &j, 5000, 10);
    for (int i = 0; i < 10; i++) assert_int_equal(j.visits[i], 1);
    assert_int_equal(j.visits[10], 0);
    assert_int_equal(j.calls, 1);
    pthread_mutex_destroy(&j.lock);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ranges)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
