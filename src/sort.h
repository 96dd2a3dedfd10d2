/* sort: SORT and SORT_RO (BY, LIMIT, GET, ASC/DESC, ALPHA, STORE), as Redis 7.2.
 *
 * sort.c knows no value encoding. Each type that SORT accepts registers a
 * source (lists do it in t_list.c; sets and sorted sets plug in the same way):
 *
 *   static const sortSourceType zsetSortSource = {.length = ..., .load = ..., .ordered = 1};
 *   sortRegisterSource(OBJ_ZSET, &zsetSortSource);     (from <type>TypeRegister)
 *
 * A key of a type with no registered source gets WRONGTYPE. The hash type
 * registers the getter used by "pattern->field" in BY and GET
 * (sortRegisterHashGetter); without it such lookups find nothing.
 *
 * Semantics kept from Redis: BY with a pattern that has no '*' skips sorting
 * (native order; for unordered sources, i.e. sets, ALPHA sorting is forced
 * when STORE is given or in scripts); numeric sorting parses elements (or BY
 * values) with strtod and fails with "One or more scores can't be converted
 * into double"; ties compare the elements as binary strings; ALPHA compares
 * with strcoll (LC_COLLATE from the environment) except with STORE (binary);
 * GET # is the element, GET of a missing key or non-string value is a null
 * (an empty string in STORE); STORE writes a list (listpack or quicklist by
 * the usual rules) replacing the destination, or deletes it for no result. */
#ifndef CAIRN_SORT_H
#define CAIRN_SORT_H
#include <stddef.h>
#include "dstr.h"
#include "object.h"

/* Called by a source for each element it loads (the bytes are copied). */
typedef void sortAddElement(void *ctx, const char *p, size_t len);

typedef struct sortSourceType {
    /* Number of elements of `o`. */
    unsigned long (*length)(obj *o);
    /* Add `count` elements of `o`: those at native positions start,
     * start+1, ... when reverse is 0, or counting from the other end (the
     * element at position len-1-start first) when reverse is 1. start and
     * count are within range. For unordered sources (sets) only the whole
     * content is asked for (start 0, count len, reverse 0), in any order. */
    void (*load)(obj *o, unsigned long start, unsigned long count, int reverse, sortAddElement *add, void *ctx);
    /* 1 if the native order is meaningful (lists, sorted sets): BY <no '*'>
     * then keeps it, reversed by DESC, and LIMIT is applied while loading. */
    int ordered;
} sortSourceType;

/* Register the source for values of `type` (OBJ_LIST, OBJ_SET, OBJ_ZSET). */
void sortRegisterSource(int type, const sortSourceType *src);

/* Hash field lookup for "key->field" patterns: the value of `field` in the
 * hash object `h` as a new dstr (caller frees), or NULL if absent. */
typedef dstr sortHashGetter(obj *h, const char *field, size_t len);
void sortRegisterHashGetter(sortHashGetter *fn);

#endif
