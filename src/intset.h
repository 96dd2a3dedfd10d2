/* intset: a sorted set of integers in one flat buffer.
 *
 * Byte-compatible with the intset of Redis 7.x (RDB type 11, SET_INTSET: the
 * RDB string is exactly these bytes). All fields little-endian:
 *
 *   offset  size              field
 *   0       4                 encoding (u32): bytes per element, 2, 4 or 8
 *   4       4                 length (u32): number of elements
 *   8       length*encoding   elements, signed ints of `encoding` bytes,
 *                             strictly ascending
 *
 * The encoding is the smallest width that holds every element ever added:
 * adding a value that needs a wider type upgrades the whole set (the value
 * then goes first if negative, last if positive, since it is outside the old
 * range); removals never downgrade.  A new set starts at width 2.
 *
 * Leaf module (zmalloc only).  An `intset *` is a zmalloc'ed buffer of exactly
 * intsetBlobLen() bytes; functions that can resize it return the new pointer.
 * Except intsetValidateIntegrity, functions trust their input.
 */
#ifndef CAIRN_INTSET_H
#define CAIRN_INTSET_H
#include <stddef.h>
#include <stdint.h>

#define INTSET_ENC_INT16 2
#define INTSET_ENC_INT32 4
#define INTSET_ENC_INT64 8

/* Opaque to callers: use the functions below (the struct mirrors the layout). */
typedef struct intset {
    uint32_t encoding;
    uint32_t length;
    int8_t contents[];
} intset;

/* New empty set (width 2). Never NULL. */
intset *intsetNew(void);
/* Free a set (NULL is a no-op). */
void intsetFree(intset *is);
/* Exact copy. */
intset *intsetDup(const intset *is);
/* Add `value`; *success (optional) = 1 if added, 0 if already present.
 * Returns the possibly moved set. */
intset *intsetAdd(intset *is, int64_t value, uint8_t *success);
/* Remove `value`; *success (optional) = 1 if removed, 0 if absent.
 * Returns the possibly moved set. */
intset *intsetRemove(intset *is, int64_t value, int *success);
/* 1 if `value` is in the set. */
uint8_t intsetFind(const intset *is, int64_t value);
/* A uniformly random element (random()); the set must not be empty. */
int64_t intsetRandom(const intset *is);
/* Element at position `pos` (0 = smallest) into *value; returns 1, or 0 when
 * pos is out of range. */
uint8_t intsetGet(const intset *is, uint32_t pos, int64_t *value);
/* Number of elements. */
uint32_t intsetLen(const intset *is);
/* Total bytes: 8 + length * encoding. */
size_t intsetBlobLen(const intset *is);
/* Width in bytes of each element (2, 4 or 8). */
uint32_t intsetEncoding(const intset *is);
/* Smallest / largest element; the set must not be empty. */
int64_t intsetMin(const intset *is);
int64_t intsetMax(const intset *is);
/* Check an untrusted blob of `size` bytes: size >= 8, encoding 2/4/8, size ==
 * 8 + length*encoding, length > 0 (Redis refuses empty intsets); with `deep`
 * also strictly ascending (sorted, no duplicates). Never reads outside
 * p[0..size). Returns 1 if valid, 0 if not. */
int intsetValidateIntegrity(const unsigned char *p, size_t size, int deep);

#endif
