/* Unit tests for src/zmalloc.c: the used-memory count is the sum of the
 * usable sizes of the live allocations (zmalloc_size), whatever the size
 * class, through zmalloc, zcalloc, zrealloc (growing and shrinking), zstrdup
 * and zfree, and it comes back to where it started. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "zmalloc.h"

enum { N = 1000 };

static size_t sizeAt(int i) {
    /* 0 and every small size, then steps of ~2% up to ~1.7 MB (large size
     * classes); about 85 MB in all */
    if (i < 600) return (size_t)i;
    size_t s = 600;
    for (int k = 600; k < i; k++) s = s + s / 50 + 1;
    return s;
}

static void test_used_memory_is_sum_of_usable_sizes(void **state) {
    (void)state;
    static void *p[N];
    size_t base = zmalloc_used_memory(), sum = 0;
    for (int i = 0; i < N; i++) {
        size_t s = sizeAt(i);
        p[i] = (i % 3 == 0) ? zcalloc(s) : zmalloc(s);
        assert_non_null(p[i]);
        assert_true(zmalloc_size(p[i]) >= s);
        if (i % 3 == 0 && s) assert_int_equal(((unsigned char *)p[i])[s - 1], 0);
        sum += zmalloc_size(p[i]);
    }
    assert_int_equal(zmalloc_used_memory() - base, sum);
    for (int i = 0; i < N; i += 2) { /* grow some, shrink others */
        size_t s = (i % 4 == 0) ? sizeAt(i) * 2 + 5 : sizeAt(i) / 3;
        sum -= zmalloc_size(p[i]);
        p[i] = zrealloc(p[i], s);
        sum += zmalloc_size(p[i]);
    }
    char *d = zstrdup("a string");
    sum += zmalloc_size(d);
    assert_int_equal(zmalloc_used_memory() - base, sum);
    zfree(d);
    for (int i = 0; i < N; i++) zfree(p[i]);
    zfree(NULL);
    assert_int_equal(zmalloc_used_memory(), base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_used_memory_is_sum_of_usable_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
