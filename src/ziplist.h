/* ziplist: read-only access to Redis's legacy "ziplist" encoding.
 *
 * Redis wrote ziplists in RDB files and DUMP payloads up to 6.2 (RDB 9):
 * RDB_TYPE_LIST_ZIPLIST (10), RDB_TYPE_ZSET_ZIPLIST (12), RDB_TYPE_HASH_ZIPLIST
 * (13) and the nodes of RDB_TYPE_LIST_QUICKLIST (14); each blob is stored as
 * an RDB string (raw or LZF). Cairn only reads them, to convert them to
 * listpacks, and writes them (ziplistWriter) only for DUMP targets older than
 * RDB 10 (the nodes of LIST_QUICKLIST). Format as written by Redis 2.6-6.2
 * (all integers little-endian unless noted):
 *
 * Ziplist:
 *   | offset     | size | field                                             |
 *   |------------|------|---------------------------------------------------|
 *   | 0          | 4    | zlbytes: total size of the ziplist, u32           |
 *   | 4          | 4    | zltail: offset of the last entry (10 when empty)  |
 *   | 8          | 2    | zllen: number of entries, u16; 65535 = "count the |
 *   |            |      | entries" (65535 or more of them)                  |
 *   | 10         | ...  | entries, back to back                             |
 *   | zlbytes-1  | 1    | 0xff end marker                                   |
 *
 * Entry = prevlen, encoding, data:
 *   prevlen (total size of the previous entry, 0 for the first one):
 *   | first byte | size | value                                             |
 *   |------------|------|---------------------------------------------------|
 *   | 0x00-0xfd  | 1    | the byte                                          |
 *   | 0xfe       | 5    | bytes 1-4, u32 (may also hold values < 254: Redis |
 *   |            |      | keeps the wide form to avoid cascading updates)   |
 *   | 0xff       | -    | not a prevlen: the end marker                     |
 *
 *   encoding and data:
 *   | encoding bytes               | size | data                            |
 *   |------------------------------|------|---------------------------------|
 *   | 00llllll                     | 1    | string of l (0..63) bytes       |
 *   | 01llllll llllllll            | 2    | string, 14-bit length, BE       |
 *   | 10xxxxxx + 4 bytes           | 5    | string, 32-bit length, BE (Redis|
 *   |                              |      | writes 0x80; it reads any x)    |
 *   | 0xc0                         | 1    | int16, 2 bytes                  |
 *   | 0xd0                         | 1    | int32, 4 bytes                  |
 *   | 0xe0                         | 1    | int64, 8 bytes                  |
 *   | 0xf0                         | 1    | int24, 3 bytes (sign-extended)  |
 *   | 0xfe                         | 1    | int8, 1 byte                    |
 *   | 0xf1-0xfd                    | 1    | immediate 0..12 (low 4 bits - 1)|
 *   | any other 11xxxxxx           | -    | invalid                         |
 *
 * Nothing here allocates memory. Every function reading a ziplist takes its
 * size and never reads outside [zl, zl + size), whatever the bytes are.
 * Leaf module: includes no server header. */
#ifndef CAIRN_ZIPLIST_H
#define CAIRN_ZIPLIST_H
#include <stddef.h>
#include <stdint.h>

#define ZIPLIST_HEADER_SIZE 10
#define ZIPLIST_END 0xff
#define ZIPLIST_LEN_UNKNOWN 65535 /* zllen value meaning "count them" */
/* Smallest valid ziplist: header + end marker (an empty one). */
#define ZIPLIST_MIN_SIZE (ZIPLIST_HEADER_SIZE + 1)
/* Buffer size that holds any integer entry as decimal text (with NUL). */
#define ZIPLIST_INT_STR_SIZE 21

/* One decoded entry. `sval` points into the ziplist: it is valid as long as
 * the ziplist bytes are. */
typedef struct ziplistEntry {
    const unsigned char *sval; /* string entries: the bytes (non-NULL, even
                                  for length 0); integer entries: NULL */
    uint32_t slen;             /* string length */
    long long lval;            /* integer value when sval is NULL */
    size_t offset;             /* offset of the entry in the ziplist */
    size_t size;               /* bytes of the whole entry (prevlen+encoding+data) */
    uint32_t prevlen;          /* value of its prevlen field */
    unsigned char encoding;    /* first encoding byte as stored */
} ziplistEntry;

/* Called by deep validation for every entry, in order. `header_count` is the
 * zllen field (may be ZIPLIST_LEN_UNKNOWN). Return 1 to go on, 0 to make the
 * validation fail (e.g. a duplicate hash field). */
typedef int (*ziplistEntryCallback)(const ziplistEntry *entry, unsigned int header_count, void *userdata);

/* Check that `size` bytes at `zl` are a well-formed ziplist. Returns 1 if
 * valid, 0 if not.
 * Always checked: size >= 11, zlbytes == size, last byte 0xff, zltail <= size-1.
 * With `deep` non-zero, also: every entry's prevlen and encoding are valid
 * and the entry ends before the end marker; every prevlen equals the real
 * size of the previous entry (0 for the first); the walk stops exactly at
 * the last byte (an 0xff inside is an error); zltail is the offset of the
 * last entry (10 when empty); zllen equals the number of entries unless it
 * is 65535. `entry_cb` (may be NULL) is called for each entry during the
 * walk. An empty ziplist is structurally valid: refusing empty objects, as
 * Redis's RESTORE does, is the caller's decision. */
int ziplistValidateIntegrity(const unsigned char *zl, size_t size, int deep, ziplistEntryCallback entry_cb,
                             void *userdata);

/* The zllen header field (ZIPLIST_LEN_UNKNOWN = count them). Requires
 * size >= ZIPLIST_HEADER_SIZE. */
unsigned int ziplistHeaderCount(const unsigned char *zl);

/* Number of entries: zllen when below 65535 (only the header is checked),
 * else counted by walking (with the iterator's entry checks). Returns
 * SIZE_MAX if the header is bad or the walk fails. */
size_t ziplistCount(const unsigned char *zl, size_t size);

/* Forward iterator. Fields are private. */
typedef struct ziplistIter {
    const unsigned char *zl;
    size_t size;
    size_t pos;       /* offset of the next entry */
    size_t prev_size; /* size of the entry before it */
    int state;        /* 0 running, 1 finished, -1 malformed */
} ziplistIter;

/* Start iterating `size` bytes at `zl`. The header is checked as in a
 * shallow validation; a bad header makes the first ziplistIterNext fail. */
void ziplistIterInit(ziplistIter *it, const unsigned char *zl, size_t size);

/* Decode the next entry into *e. Returns 1 with an entry, 0 at the end marker
 * (which must be the last byte), -1 if the ziplist is malformed there (the
 * same entry checks as deep validation, prevlen included; the zltail and
 * zllen checks are validation's). After 0 or -1 it keeps returning that. */
int ziplistIterNext(ziplistIter *it, ziplistEntry *e);

/* The entry as bytes: its string, or the decimal text of its integer written
 * into `buf` (at least ZIPLIST_INT_STR_SIZE bytes, NUL-terminated). Returns
 * the pointer and sets *len. */
const unsigned char *ziplistEntryBytes(const ziplistEntry *e, char *buf, size_t *len);

/* ---- writing, as Redis 6.2 lays a ziplist out when elements are pushed at
 * the tail (ziplistPush): prevlen 1 byte when the previous entry is < 254
 * bytes, else 0xfe + u32; an element of 1..31 bytes that is the canonical
 * decimal text of an int64 is stored as an integer with the smallest
 * encoding (immediate 0..12, int8, int16, int24, int32, int64); other strings
 * with the 1/2/5-byte length encodings; zllen = entries (65535 when more).
 * The writer fills a caller-provided buffer (nothing is allocated). */
typedef struct ziplistWriter {
    unsigned char *buf;
    size_t cap;
    size_t len;       /* bytes written so far (header included) */
    size_t prev_size; /* size of the last entry (0 if none) */
    size_t tail;      /* offset of the last entry */
    unsigned long count;
    int overflow;     /* 1 if the buffer was too small (nothing valid written) */
} ziplistWriter;

/* Bytes an entry of a `len`-byte string element takes at most (prevlen 5 +
 * encoding 5 + data; integers take at most 1+5+8): size the buffer as
 * ZIPLIST_MIN_SIZE + the sum of this over the elements. */
#define ZIPLIST_ENTRY_MAX_SIZE(len) ((size_t)(len) + 18)

/* Start writing into buf[0..cap). */
void ziplistWriterInit(ziplistWriter *w, unsigned char *buf, size_t cap);
/* Append an element given as bytes (integer-encoded when it is the canonical
 * text of an int64 of at most 31 bytes, as Redis does). */
void ziplistWriterAppend(ziplistWriter *w, const unsigned char *s, size_t len);
/* Append an element given as an integer. */
void ziplistWriterAppendInteger(ziplistWriter *w, long long v);
/* Write the header and the end marker. Returns the ziplist size, or 0 if the
 * buffer was too small or the ziplist would exceed 4 GB. */
size_t ziplistWriterFinish(ziplistWriter *w);

#endif
