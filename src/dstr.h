/* dstr: binary-safe dynamic strings.
 *
 * A dstr is a `char *` to the first byte of the string; a small header sits
 * just before it and the buffer is always NUL-terminated (the terminator is not
 * counted in the length), so a dstr can be passed to C string functions when it
 * holds no NUL bytes.  Memory layout (all little-endian, packed):
 *
 *   type D8 :  [len u8 ][alloc u8 ][flags u8] buf[alloc+1]      header 3 bytes
 *   type D16:  [len u16][alloc u16][flags u8] buf[alloc+1]      header 5 bytes
 *   type D32:  [len u32][alloc u32][flags u8] buf[alloc+1]      header 9 bytes
 *   type D64:  [len u64][alloc u64][flags u8] buf[alloc+1]      header 17 bytes
 *   type D5 :  [flags u8: type in bits 0-2, len in bits 3-7] buf[len+1]
 *              header 1 byte; only for embedded strings shorter than 32
 *              bytes (keys and small values inside a keyspace object)
 *
 * flags (the byte at s[-1]): bits 0-2 the type, bit 3 DSTR_EMBEDDED (the
 * string lives inside another allocation and must never be freed or grown;
 * a D5 string is always embedded and uses bit 3 for its length).
 * Functions that may reallocate return the new pointer; the old one is invalid.
 * Leaf module: depends only on zmalloc. */
#ifndef CAIRN_DSTR_H
#define CAIRN_DSTR_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef char *dstr;

#define DSTR_D8 0
#define DSTR_D16 1
#define DSTR_D32 2
#define DSTR_D64 3
#define DSTR_D5 4
#define DSTR_TYPE_MASK 7
#define DSTR_EMBEDDED 8

struct __attribute__((__packed__)) dstrhdr8 { uint8_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((__packed__)) dstrhdr16 { uint16_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((__packed__)) dstrhdr32 { uint32_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((__packed__)) dstrhdr64 { uint64_t len, alloc; unsigned char flags; char buf[]; };

/* Length in bytes (terminator not counted). */
static inline size_t dstrlen(const dstr s) {
    switch (((unsigned char)s[-1]) & DSTR_TYPE_MASK) {
    case DSTR_D8: return ((struct dstrhdr8 *)(s - sizeof(struct dstrhdr8)))->len;
    case DSTR_D16: return ((struct dstrhdr16 *)(s - sizeof(struct dstrhdr16)))->len;
    case DSTR_D32: return ((struct dstrhdr32 *)(s - sizeof(struct dstrhdr32)))->len;
    case DSTR_D5: return ((unsigned char)s[-1]) >> 3;
    default: return ((struct dstrhdr64 *)(s - sizeof(struct dstrhdr64)))->len;
    }
}
/* Capacity in bytes, terminator not counted. */
size_t dstralloc(const dstr s);
/* Free bytes after the string: dstralloc(s) - dstrlen(s). */
static inline size_t dstravail(const dstr s) { return dstralloc(s) - dstrlen(s); }

/* New string of `len` bytes copied from `init` (zero-filled when init is NULL). */
dstr dstrnewlen(const void *init, size_t len);
/* New string of `len` bytes whose contents are undefined (no zero-fill: large
 * buffers are not touched, so their pages are not faulted in twice); the caller
 * must write all `len` bytes before reading them. The terminating NUL is set. */
dstr dstrnewuninit(size_t len);
/* New string from a NUL-terminated C string (NULL gives ""). */
dstr dstrnew(const char *cstr);
/* New empty string. */
dstr dstrempty(void);
/* Copy of `s` (a plain heap dstr even when `s` is embedded). */
dstr dstrdup(const dstr s);
/* Decimal text of `v`. */
dstr dstrfromll(long long v);
/* Free a heap dstr; NULL is a no-op. Must not be called on embedded strings. */
void dstrfree(dstr s);

/* Bytes of header of a heap string of `len` bytes (D8 if len < 256, ...). */
size_t dstrHeaderSize(size_t len);
/* Bytes of header dstrInitEmbedded() writes for `len` bytes: 1 (D5) below
 * 32 bytes, else as dstrHeaderSize(). */
size_t dstrEmbeddedHeaderSize(size_t len);
/* Bytes dstrInitEmbedded() needs for a `len`-byte string: header + len + 1. */
size_t dstrEmbeddedSize(size_t len);
/* Build an embedded dstr inside `buf` (at least dstrEmbeddedSize(len) bytes).
 * The result is read-only: never grow, shrink or free it (its length may be
 * read, and it may be copied with dstrdup). Returns the dstr. */
dstr dstrInitEmbedded(void *buf, const void *init, size_t len);
/* Non-zero if `s` lives inside another allocation. */
static inline int dstrIsEmbedded(const dstr s) {
    unsigned char f = (unsigned char)s[-1];
    return (f & DSTR_TYPE_MASK) == DSTR_D5 || (f & DSTR_EMBEDDED);
}

/* Make room for `addlen` more bytes after the length (greedy: doubles below 1 MB,
 * +1 MB beyond). Length unchanged. Returns the possibly moved string. */
dstr dstrMakeRoomFor(dstr s, size_t addlen);
/* Make room for exactly `addlen` more bytes, no greedy growth. */
dstr dstrMakeRoomForExact(dstr s, size_t addlen);
/* Set the length to `len` (must be <= dstralloc) and write the terminator. */
void dstrsetlen(dstr s, size_t len);
/* Add `incr` (may be negative) to the length after writing into free space. */
void dstrIncrLen(dstr s, ssize_t incr);
/* Release unused capacity. Returns the possibly moved string. */
dstr dstrRemoveFreeSpace(dstr s);
/* Total heap bytes used by `s` (header + capacity + terminator). */
size_t dstrAllocSize(const dstr s);
/* Pointer to the start of the allocation (for zmalloc_size). */
void *dstrAllocPtr(const dstr s);

/* Append `len` bytes from `t`. */
dstr dstrcatlen(dstr s, const void *t, size_t len);
/* Append a C string. */
dstr dstrcat(dstr s, const char *t);
/* Append another dstr. */
dstr dstrcatdstr(dstr s, const dstr t);
/* Append printf-formatted text. */
dstr dstrcatprintf(dstr s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
dstr dstrcatvprintf(dstr s, const char *fmt, va_list ap);
/* Append `len` bytes of `p` as a double-quoted, escaped string the way
 * redis-cli and MONITOR print it: \n \r \t \a \b \" \\ and \xHH for the rest. */
dstr dstrcatrepr(dstr s, const char *p, size_t len);
/* Replace the content with `len` bytes from `t`. */
dstr dstrcpylen(dstr s, const char *t, size_t len);
/* Grow to `len` bytes, zero-filling the new part; no-op if already as long. */
dstr dstrgrowzero(dstr s, size_t len);

/* Keep bytes [start, end] (inclusive; negative counts from the end), in place. */
void dstrrange(dstr s, ssize_t start, ssize_t end);
/* Set the length to 0 (capacity kept). */
void dstrclear(dstr s);
/* Compare bytewise, then by length: <0, 0, >0 like memcmp. */
int dstrcmp(const dstr a, const dstr b);
/* ASCII case changes, in place. */
void dstrtolower(dstr s);
void dstrtoupper(dstr s);

/* Split a line into arguments the way redis.conf and inline commands are read:
 * spaces separate, "double quotes" understand \n \r \t \b \a \\ \" and \xHH,
 * 'single quotes' understand only \'. A closing quote must be followed by a
 * space or the end. Returns an array of `*argc` dstrs (free with
 * dstrfreesplitres), or NULL on unbalanced quotes. An empty line gives argc 0
 * and a non-NULL array. */
dstr *dstrsplitargs(const char *line, int *argc);
void dstrfreesplitres(dstr *tokens, int count);

#endif
