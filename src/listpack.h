/* listpack: a compact, serialisable list of strings and integers.
 *
 * Byte-compatible with the listpack written by Redis 7.x (format by Salvatore
 * Sanfilippo, "listpack.md", as implemented in Redis 7.0/7.2 listpack.c).  A
 * listpack found inside an RDB / DUMP payload (hash, zset, set, list node,
 * stream node) is exactly these bytes, so a validated blob is adopted as-is and
 * our blobs are written out unchanged.
 *
 * Leaf module: depends only on zmalloc.  Not thread-safe (plain data).
 *
 * ---------------------------------------------------------------------------
 * Whole listpack (all multi-byte header fields little-endian)
 *
 *   offset  size  field
 *   0       4     total bytes (u32 LE), header and terminator included
 *   4       2     number of entries (u16 LE); 65535 = "unknown, count them"
 *   6       ...   entries, back to back
 *   total-1 1     terminator 0xFF
 *
 * An empty listpack is the 7 bytes 07 00 00 00 00 00 FF.
 *
 * Entry = <encoding+data> <backlen>
 *
 *   first byte     encoding          size of encoding+data     value
 *   0xxxxxxx       7-bit uint        1                         0..127 (the low 7 bits)
 *   10xxxxxx       6-bit string      1 + len                   len = low 6 bits (0..63), then the bytes
 *   110xxxxx b1    13-bit int        2                         ((x<<8)|b1), two's complement over 13 bits
 *   1110xxxx b1    12-bit string     2 + len                   len = (x<<8)|b1 (0..4095), then the bytes
 *   0xF0 l0..l3    32-bit string     5 + len                   len = u32 LE, then the bytes
 *   0xF1 b0 b1     16-bit int        3                         int16 LE
 *   0xF2 b0..b2    24-bit int        4                         int24 LE, two's complement
 *   0xF3 b0..b3    32-bit int        5                         int32 LE
 *   0xF4 b0..b7    64-bit int        9                         int64 LE
 *   0xF5..0xFE     (invalid)
 *   0xFF           terminator
 *
 * Writers always choose the smallest encoding: integers 0..127 -> 7-bit,
 * -4096..4095 -> 13-bit, then 16/24/32/64-bit by range; strings shorter than
 * 64 bytes -> 6-bit, shorter than 4096 -> 12-bit, else 32-bit.  A string that
 * is the canonical decimal text of an int64 (see lpStringToInt64) is stored as
 * an integer entry, exactly as Redis does.
 *
 * backlen = L, the size of <encoding+data>, written in 1..5 bytes so that it
 * can be read backwards from the byte before the next entry:
 *
 *   L range                 bytes   layout (lowest address first)
 *   0 .. 127                1       [L]
 *   128 .. 16382            2       [L>>7] [(L&127)|128]
 *   16383 .. 2097150        3       [L>>14] [((L>>7)&127)|128] [(L&127)|128]
 *   2097151 .. 268435454    4       [L>>21] [..|128] [..|128] [(L&127)|128]
 *   268435455 ..            5       [L>>28] [..|128] [..|128] [..|128] [(L&127)|128]
 *
 * (The upper bounds 16382 / 2097150 / 268435454 are Redis's exact thresholds.)
 * The first backlen byte has bit 7 clear, every later one has bit 7 set.
 *
 * ---------------------------------------------------------------------------
 * Conventions
 *
 *  - `lp` is a zmalloc'ed buffer.  Every function that may resize it returns
 *    the (possibly moved) listpack; the old pointer is then invalid.  Entry
 *    pointers `p` point at the first byte of an entry inside `lp` and become
 *    invalid after any modification (functions that need to keep a position
 *    return the new one through an out parameter).
 *  - Except for the lpValidate* functions, every function trusts its input:
 *    the listpack must have been built by this module or have passed
 *    lpValidateIntegrity(..., deep=1, ...).
 *  - Strings passed in may live anywhere, even inside `lp` itself.
 *  - Writing functions return NULL (leaving `lp` untouched) only when the
 *    result would not fit the u32 total-bytes field; callers keep listpacks far
 *    below that with lpSafeToAdd().
 */
#ifndef CAIRN_LISTPACK_H
#define CAIRN_LISTPACK_H
#include <stddef.h>
#include <stdint.h>

#define LP_HDR_SIZE 6             /* total bytes u32 + count u16 */
#define LP_HDR_NUMELE_UNKNOWN 65535
#define LP_EOF 0xFF
#define LP_INTBUF_SIZE 21         /* "-9223372036854775808" plus a NUL */
#define LISTPACK_MAX_SAFETY_SIZE (1 << 30) /* 1 GB, the limit lpSafeToAdd enforces */

/* `where` for lpInsertString / lpInsertInteger. */
#define LP_BEFORE 0
#define LP_AFTER 1
#define LP_REPLACE 2

/* A decoded entry: sval != NULL -> string of slen bytes (pointing into the
 * listpack, valid until it changes); sval == NULL -> the integer lval. */
typedef struct {
    unsigned char *sval;
    uint32_t slen;
    long long lval;
} listpackEntry;

/* ---- create / free / size --------------------------------------------- */

/* New empty listpack; `capacity` is a hint of the bytes to pre-allocate (at
 * least the 7 bytes of an empty listpack are allocated). Never NULL. */
unsigned char *lpNew(size_t capacity);
/* Free a listpack (NULL is a no-op). */
void lpFree(unsigned char *lp);
/* Reallocate to exactly lpBytes(lp) bytes. Returns the possibly moved listpack. */
unsigned char *lpShrinkToFit(unsigned char *lp);
/* Exact-size zmalloc'ed copy of `lp`. */
unsigned char *lpDup(const unsigned char *lp);
/* Total bytes of the listpack (the header field). */
size_t lpBytes(const unsigned char *lp);
/* Number of entries. When the header holds 65535 the entries are counted and,
 * if the count is below 65535, written back to the header (as Redis does). */
unsigned long lpLength(unsigned char *lp);
/* 1 if `add` more bytes keep the listpack (NULL = empty) within 1 GB, else 0. */
int lpSafeToAdd(const unsigned char *lp, size_t add);

/* ---- insert / replace / delete ----------------------------------------- */

/* Insert the string s[0..slen) (stored as an integer when it is canonical
 * int64 text) before (LP_BEFORE) or after (LP_AFTER) the entry `p`, or replace
 * that entry (LP_REPLACE). `p` may point at the terminator for LP_BEFORE
 * (= append). When `newp` is not NULL it receives the address of the new
 * entry. Returns the new listpack, or NULL if it would exceed 4 GB. */
unsigned char *lpInsertString(unsigned char *lp, const unsigned char *s, uint32_t slen,
                              unsigned char *p, int where, unsigned char **newp);
/* Same with an integer value. */
unsigned char *lpInsertInteger(unsigned char *lp, long long lval, unsigned char *p,
                               int where, unsigned char **newp);
/* Add at the tail / head. */
unsigned char *lpAppend(unsigned char *lp, const unsigned char *s, uint32_t slen);
unsigned char *lpPrepend(unsigned char *lp, const unsigned char *s, uint32_t slen);
unsigned char *lpAppendInteger(unsigned char *lp, long long lval);
unsigned char *lpPrependInteger(unsigned char *lp, long long lval);
/* Replace the entry at *p; *p is updated to the new entry. */
unsigned char *lpReplace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen);
unsigned char *lpReplaceInteger(unsigned char *lp, unsigned char **p, long long lval);
/* Append `count` entries at once (one reallocation). */
unsigned char *lpBatchAppend(unsigned char *lp, const listpackEntry *entries, unsigned long count);
/* Insert `count` entries before/after `p` at once; `*newp` (optional) receives
 * the address of the first inserted entry. */
unsigned char *lpBatchInsert(unsigned char *lp, unsigned char *p, int where,
                             const listpackEntry *entries, unsigned int count, unsigned char **newp);

/* Delete the entry `p`. `newp` (optional) receives the entry that followed it,
 * or NULL when it was the last one. */
unsigned char *lpDelete(unsigned char *lp, unsigned char *p, unsigned char **newp);
/* Delete up to `num` entries starting at *p; *p is updated to the same offset
 * in the new listpack (the next surviving entry, or the terminator). */
unsigned char *lpDeleteRangeWithEntry(unsigned char *lp, unsigned char **p, unsigned long num);
/* Delete up to `num` entries starting at `index` (negative counts from the
 * tail, -1 = last). An out-of-range index deletes nothing. */
unsigned char *lpDeleteRange(unsigned char *lp, long index, unsigned long num);
/* Delete the `count` entries in ps[] (ascending addresses, no duplicates). */
unsigned char *lpBatchDelete(unsigned char *lp, unsigned char **ps, unsigned long count);

/* Concatenate two listpacks: *first's entries then *second's. The larger one
 * is grown in place; the other is freed and its pointer set to NULL. Returns
 * the merged listpack (also left in the surviving pointer), or NULL without
 * changes if either is NULL, they are the same, or the result would exceed 4 GB. */
unsigned char *lpMerge(unsigned char **first, unsigned char **second);

/* ---- navigation --------------------------------------------------------- */

/* First / last entry, NULL when empty. */
unsigned char *lpFirst(unsigned char *lp);
unsigned char *lpLast(unsigned char *lp);
/* Entry after / before `p`, NULL at either end. */
unsigned char *lpNext(unsigned char *lp, unsigned char *p);
unsigned char *lpPrev(unsigned char *lp, unsigned char *p);
/* Entry at `index` (negative counts from the tail), NULL when out of range. */
unsigned char *lpSeek(unsigned char *lp, long index);
/* Bytes taken by the entry at `p`, backlen included. */
uint32_t lpEntrySize(const unsigned char *p);
/* Bytes an entry for this string / integer would take (backlen included). */
uint32_t lpEntrySizeString(const unsigned char *s, uint32_t slen);
uint32_t lpEntrySizeInteger(long long lval);

/* ---- reading ------------------------------------------------------------ */

/* Read the entry at `p`.  String entry: returns a pointer to its bytes and sets
 * *count to the length.  Integer entry: if `intbuf` (LP_INTBUF_SIZE bytes) is
 * given, writes the decimal text there, returns intbuf and sets *count to the
 * text length; without intbuf returns NULL and sets *count to the value. */
unsigned char *lpGet(unsigned char *p, int64_t *count, unsigned char *intbuf);
/* Read the entry at `p`: string -> returns its bytes, *slen = length;
 * integer -> returns NULL, *lval = value. */
unsigned char *lpGetValue(unsigned char *p, unsigned int *slen, long long *lval);
/* lpGetValue, and *next = the entry after `p` (NULL at the end): one decode
 * for a forward walk instead of lpGetValue + lpNext. */
unsigned char *lpGetValueNext(unsigned char *p, unsigned int *slen, long long *lval, unsigned char **next);
/* Fill a listpackEntry from the entry at `p`. */
void lpGetEntry(unsigned char *p, listpackEntry *e);
/* 1 if the entry at `p` equals the string s[0..slen) (an integer entry equals
 * its decimal text), else 0. */
int lpCompare(unsigned char *p, const unsigned char *s, uint32_t slen);
/* Starting at `p`, return the first entry equal to s[0..slen), comparing one
 * entry and then skipping `skip` entries (skip=1: every other entry, e.g. hash
 * fields). NULL when not found (or p is NULL). */
unsigned char *lpFind(unsigned char *lp, unsigned char *p, const unsigned char *s,
                      uint32_t slen, unsigned int skip);
/* Parse s[0..slen) as Redis's listpack does: optional '-', no leading zeros
 * (except "0"), no '+', no spaces, "-0" rejected, 1..20 chars, int64 range.
 * Returns 1 and *value (value may be NULL) on success, else 0. */
int lpStringToInt64(const char *s, unsigned long slen, int64_t *value);

/* ---- validation (safe on untrusted input) -------------------------------- */

/* Per-entry callback of lpValidateIntegrity: `p` is an entry already checked
 * to lie inside the listpack, `head_count` the header's entry count. Return 1
 * to continue, 0 to fail the validation. */
typedef int (*lpValidateEntryCB)(unsigned char *p, unsigned int head_count, void *userdata);

/* Validate a listpack of `size` bytes from an untrusted source. Always checks
 * size >= 7, header total == size and the final byte is 0xFF. With `deep`, also
 * walks every entry: a known encoding, encoding+data and backlen inside the
 * buffer, backlen canonical and equal to the entry size, the terminator exactly
 * at the end, and the entry count equal to the header's (unless 65535); the
 * callback (optional) runs for each entry. Never reads outside lp[0..size).
 * Returns 1 if valid, 0 if not. */
int lpValidateIntegrity(const unsigned char *lp, size_t size, int deep,
                        lpValidateEntryCB entry_cb, void *cb_userdata);
/* First entry of a listpack whose header was already checked (no assertions):
 * NULL if it is empty. */
unsigned char *lpValidateFirst(unsigned char *lp);
/* Check the entry at *pp inside a listpack of `lpbytes` bytes and advance *pp
 * to the next entry (NULL after the last one / at the terminator). Returns 1 if
 * the entry is valid, 0 if not (never reads outside lp[0..lpbytes)). */
int lpValidateNext(unsigned char *lp, unsigned char **pp, size_t lpbytes);

/* ---- random picks (HRANDFIELD / ZRANDMEMBER / SRANDMEMBER / SPOP) --------
 * All use random(); results point into the listpack. A "pair" is two
 * consecutive entries starting at an even index (field+value, member+score). */

/* One random pair; `total_count` = number of pairs (lpLength/2). `val` may be NULL. */
void lpRandomPair(unsigned char *lp, unsigned long total_count, listpackEntry *key, listpackEntry *val);
/* `count` random pairs with repetition, in random order. `vals` may be NULL. */
void lpRandomPairs(unsigned char *lp, unsigned int count, listpackEntry *keys, listpackEntry *vals);
/* Up to `count` distinct random pairs, in listpack order. Returns how many
 * were written (min(count, pairs)). `vals` may be NULL. */
unsigned int lpRandomPairsUnique(unsigned char *lp, unsigned int count, listpackEntry *keys, listpackEntry *vals);
/* One random entry (single-element listpacks such as sets). Empty -> sval NULL, lval 0. */
void lpRandomEntry(unsigned char *lp, listpackEntry *e);
/* `count` random entries with repetition, in random order. */
void lpRandomEntries(unsigned char *lp, unsigned int count, listpackEntry *entries);
/* Up to `count` distinct random entries, in listpack order. Returns how many. */
unsigned int lpRandomEntriesUnique(unsigned char *lp, unsigned int count, listpackEntry *entries);
/* Selection sampling step: starting at entry `p` whose index is *index, pick
 * the next entry so that `remaining` picks are spread uniformly over the rest
 * of the listpack (only even indexes when `even_only`). Returns the picked
 * entry and updates *index, or NULL when remaining is 0 or the end is reached. */
unsigned char *lpNextRandom(unsigned char *lp, unsigned char *p, unsigned int *index,
                            unsigned int remaining, int even_only);

#endif
