/* rdb: the RDB object codec (one value <-> its RDB type byte and body) and
 * the DUMP payload framing, over a rio byte stream (rio.h).
 *
 * Pure module: no client, no keyspace, no I/O. It turns bytes into a bare
 * `obj` (object.h) or an error, and an `obj` into bytes. DUMP/RESTORE
 * (dump.c) are built on it; RDB snapshots and replication can reuse it.
 *
 * ---- The DUMP payload (as written by Redis 2.6 .. 8.x and Valkey) -----------
 *
 *   | offset  | size | content                                           |
 *   |---------|------|---------------------------------------------------|
 *   | 0       | 1    | RDB object type (table below)                     |
 *   | 1       | n    | the object's body in that type's RDB encoding     |
 *   | 1+n     | 2    | RDB version stamp, u16 LE                         |
 *   | 3+n     | 8    | CRC-64/Jones (crc64.h) of bytes [0, 3+n), u64 LE  |
 *
 * Reading a payload (rdbDecodePayload), in Redis 7.0.15's order:
 *   1. fewer than 10 bytes, a version that is not accepted, or a CRC mismatch
 *      -> RDB_PAYLOAD_BAD_CHECKSUM ("ERR DUMP payload version or checksum are
 *      wrong"). A zero CRC is NOT "no checksum" (that exception is for files).
 *   2. the type byte and body are decoded from the WHOLE payload, footer
 *      included, as Redis does: an object that overruns into the footer bytes
 *      decodes (recorded: string_len_overruns_into_footer_valid_crc), and
 *      bytes left between the object and the footer are ignored
 *      (trailing_bytes_after_object_valid_crc). Anything that does not decode
 *      -> RDB_PAYLOAD_BAD_FORMAT ("ERR Bad data format").
 *
 * Version stamps accepted (rdbVersionAccepted): 0..13 (Redis; Redis 7.0.15
 * itself accepts 0..10, and 0 is recorded as accepted: "there is no lower
 * bound"), 80 and 81 (Valkey 9+). 14..79 and above 81 are refused.
 * The type byte decides how the body is read, never the version (recorded:
 * a type 18 body with a version 9 footer restores on Redis 7.0.15), except for
 * types above 21, whose meaning depends on the numbering: stamps 12..79 are
 * Redis's (22..25 = hash field expiration types), 80+ are Valkey's (22 = its
 * new hash type). Cairn represents none of those yet: they decode as
 * RDB_PAYLOAD_BAD_FORMAT with a reason naming type and numbering.
 *
 * ---- RDB object types ---------------------------------------------------------
 *
 *   | n  | name                 | first written by      | body            |
 *   |----|----------------------|-----------------------|-----------------|
 *   | 0  | STRING               | all                   | one RDB string  |
 *   | 1  | LIST                 | <= 2.x                | len + strings   |
 *   | 2  | SET                  | all                   | len + strings   |
 *   | 3  | ZSET                 | <= 3.x                | len + (string, text double) |
 *   | 4  | HASH                 | all                   | len + (string, string) |
 *   | 5  | ZSET_2               | 4.0 (RDB 8)           | len + (string, binary double) |
 *   | 6  | MODULE_PRE_GA        | 4.0 rc                | (module)        |
 *   | 7  | MODULE_2             | 4.0                   | (module)        |
 *   | 9  | HASH_ZIPMAP          | 2.x                   | string: zipmap  |
 *   | 10 | LIST_ZIPLIST         | 2.6                   | string: ziplist |
 *   | 11 | SET_INTSET           | 2.6                   | string: intset  |
 *   | 12 | ZSET_ZIPLIST         | 2.6 - 6.2             | string: ziplist |
 *   | 13 | HASH_ZIPLIST         | 2.6 - 6.2             | string: ziplist |
 *   | 14 | LIST_QUICKLIST       | 3.2 - 6.2             | len + ziplist strings |
 *   | 15 | STREAM_LISTPACKS     | 5.0 (RDB 9)           | (stream)        |
 *   | 16 | HASH_LISTPACK        | 7.0 (RDB 10)          | string: listpack|
 *   | 17 | ZSET_LISTPACK        | 7.0 (RDB 10)          | string: listpack|
 *   | 18 | LIST_QUICKLIST_2     | 7.0 (RDB 10)          | len + (container, listpack string) |
 *   | 19 | STREAM_LISTPACKS_2   | 7.0 (RDB 10)          | (stream)        |
 *   | 20 | SET_LISTPACK         | 7.2 (RDB 11)          | string: listpack|
 *   | 21 | STREAM_LISTPACKS_3   | 7.2 (RDB 11)          | (stream)        |
 *
 * ---- STRING (type 0), as written by Redis 7.0 --------------------------------
 *
 *   | offset | size | content                                              |
 *   |--------|------|------------------------------------------------------|
 *   | 0      | 1    | 0x00 (type byte)                                     |
 *   | 1      | m    | the value as one RDB string (rio.h: raw with a 1/2/5/9 |
 *   |        |      | byte length, int8 c0, int16 c1, int32 c2, LZF c3)    |
 *
 * Writer (rdbSaveObject), byte-identical to Redis 7.0 with rdbcompression on
 * (the default): an ENC_INT value is written as int8/int16/int32 when it fits,
 * else as its raw decimal text; other values as rioWriteString chooses (integer
 * forms for canonical integer text of <= 11 bytes in int32 range, LZF for > 20
 * bytes when lzf_compress fits in length - 4 bytes, else raw).
 * Reader: every form (rio.h validates lengths against the bytes left before
 * allocating, and LZF data strictly); the value becomes an object as Redis's
 * tryObjectEncoding does: ENC_INT for canonical integers of <= 20 bytes that
 * fit a long long, ENC_EMBSTR up to 44 bytes, else ENC_RAW.
 *
 * ---- Plugging in a type ----------------------------------------------------------
 * A collection type registers, at start-up (from its <type>TypeRegister):
 *   - one loader per RDB type number it reads (rdbRegisterLoader), called with
 *     the stream positioned after the type byte; it must consume exactly its
 *     body, validate everything (rdb_legacy.h has the blob converters and
 *     duplicate checks; intset.h's intsetValidateIntegrity for type 11), and
 *     return a new bare object or NULL (setting ctx->err to a static reason),
 *     freeing whatever it built. It reads strings with rdbLoadString /
 *     rdbLoadBlob / rdbLoadStringBuf (so ctx->max_string_len applies), counts with
 *     rdbLoadCount (never trusting a count for allocation), doubles with
 *     rioReadDoubleBinary / rioReadDoubleText.
 *   - one saver per object type (rdbRegisterSaver): `type` picks the RDB type
 *     for a target version (or -1 when the value cannot be written for it),
 *     `save` writes the body for that RDB type; blobs and elements are
 *     written with rioWriteString (Redis's choice of int / LZF / raw forms,
 *     so DUMP bytes match Redis's).
 * Unregistered RDB types decode as "Bad data format"; saving an object whose
 * type has no saver fails. HASH, SET, ZSET and LIST are plugged in by
 * rdb_hash.c, rdb_set.c, rdb_zset.c and rdb_list.c (rdb_collections.h:
 * layouts, encoding choices, the RDB type written per target).
 *
 * Thread safety: registration happens once at start-up; afterwards every
 * function is re-entrant (no global mutable state). */
#ifndef CAIRN_RDB_H
#define CAIRN_RDB_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"
#include "object.h"
#include "rio.h"

#define RDB_TYPE_STRING 0
#define RDB_TYPE_LIST 1
#define RDB_TYPE_SET 2
#define RDB_TYPE_ZSET 3
#define RDB_TYPE_HASH 4
#define RDB_TYPE_ZSET_2 5
#define RDB_TYPE_MODULE_PRE_GA 6
#define RDB_TYPE_MODULE_2 7
#define RDB_TYPE_HASH_ZIPMAP 9
#define RDB_TYPE_LIST_ZIPLIST 10
#define RDB_TYPE_SET_INTSET 11
#define RDB_TYPE_ZSET_ZIPLIST 12
#define RDB_TYPE_HASH_ZIPLIST 13
#define RDB_TYPE_LIST_QUICKLIST 14
#define RDB_TYPE_STREAM_LISTPACKS 15
#define RDB_TYPE_HASH_LISTPACK 16
#define RDB_TYPE_ZSET_LISTPACK 17
#define RDB_TYPE_LIST_QUICKLIST_2 18
#define RDB_TYPE_STREAM_LISTPACKS_2 19
#define RDB_TYPE_SET_LISTPACK 20
#define RDB_TYPE_STREAM_LISTPACKS_3 21
#define RDB_TYPE_MAX_COMMON 21 /* types 0..21 mean the same in every numbering */
#define RDB_TYPE_SLOTS 256     /* loader table size (a type byte is 0..255) */

/* Version stamps. */
#define RDB_VERSION_REDIS_7_0 10 /* Cairn's default DUMP stamp (dump-rdb-version) */
#define RDB_VERSION_REDIS_MAX 13 /* newest Redis stamp accepted */
#define RDB_VERSION_VALKEY_MIN 80
#define RDB_VERSION_VALKEY_MAX 81
#define RDB_VERSION_FOREIGN_MIN 12 /* 12..79: Redis numbering of types > 21 */

#define RDB_PAYLOAD_FOOTER_SIZE 10 /* 2 version bytes + 8 CRC bytes */

/* rdbDecodePayload results. */
#define RDB_PAYLOAD_OK 0
#define RDB_PAYLOAD_BAD_CHECKSUM 1 /* too short, version not accepted, CRC mismatch */
#define RDB_PAYLOAD_BAD_FORMAT 2   /* CRC fine, body does not decode */

/* Decoding context, passed to every loader. Zero-initialise it, set the
 * limits, then pass it to rdbDecodePayload (which fills the other fields). */
typedef struct rdbLoadCtx {
    /* input */
    uint64_t max_string_len; /* 0 = none: longest string (after LZF expansion)
                                rdbLoadString / rdbLoadBlob accept; an LZF
                                string may claim 88x its compressed size, so
                                this bounds what a small payload can make us
                                allocate (RESTORE: proto-max-bulk-len) */
    /* output */
    int rdbver;      /* version stamp of the payload / file */
    int rdbtype;     /* type byte being decoded (set by rdbLoadObject) */
    const char *err; /* on failure: a static reason for the log (may stay NULL) */
    int unsupported; /* on failure: 1 when the type itself cannot be decoded
                        (unknown, module, numbering-dependent > 21, or no
                        loader registered), 0 for a malformed body */
} rdbLoadCtx;

/* Loader: decode the body of RDB type `rdbtype` (stream just after the type
 * byte). Returns a new bare object (refcount 1, no key) or NULL on any error. */
typedef obj *(*rdbLoadFn)(rio *r, int rdbtype, rdbLoadCtx *ctx);
/* Saver, part 1: the RDB type `o` is written as for a reader of RDB version
 * `target` (9, 10, 11, 12, 80, ...), or -1 when it cannot be written for it. */
typedef int (*rdbSaveTypeFn)(const obj *o, int target);
/* Saver, part 2: write the body of `o` as RDB type `rdbtype` (a value the
 * type function returned). RIO_OK / RIO_ERR. */
typedef int (*rdbSaveFn)(rio *r, const obj *o, int rdbtype, int target);

/* ---- registration (start-up only) ------------------------------------------ */

/* Make `fn` the decoder of RDB type `rdbtype` (0..RDB_TYPE_MAX_COMMON; types
 * above that are numbering-dependent and are not registrable yet). The
 * STRING loader is built in. Registering again replaces the previous one. */
void rdbRegisterLoader(int rdbtype, rdbLoadFn fn);
/* Make (`type_fn`, `save_fn`) the encoder of objects of `objtype` (OBJ_LIST,
 * ...). The OBJ_STRING saver is built in. */
void rdbRegisterSaver(int objtype, rdbSaveTypeFn type_fn, rdbSaveFn save_fn);

/* ---- versions and type names ---------------------------------------------------- */

/* 1 if a payload stamped `ver` is accepted (0..13, 80, 81), else 0. */
int rdbVersionAccepted(unsigned ver);
/* Name of RDB type `type` under the numbering of version `ver` ("STRING",
 * "HASH_LISTPACK_EX", ...), or "unknown". Static string. */
const char *rdbTypeName(int type, int ver);

/* ---- objects -------------------------------------------------------------------- */

/* Write `o`'s type byte and body for a reader of RDB version `target`.
 * RIO_ERR if the stream fails, the type has no saver, or `o` cannot be
 * written for `target` (then nothing useful was written; *why, if non-NULL,
 * gets a static reason). */
int rdbSaveObject(rio *r, const obj *o, int target, const char **why);
/* Write only the body (no type byte) as RDB type `rdbtype`. */
int rdbSaveObjectBody(rio *r, const obj *o, int rdbtype, int target);
/* RDB type byte `o` gets for `target`, or -1. */
int rdbObjectType(const obj *o, int target);

/* Read a type byte. RIO_ERR on truncation. The byte is returned as read; use
 * rdbLoadObject to learn whether it can be decoded. */
int rdbLoadObjectType(rio *r, int *type);
/* Decode the body of RDB type `type` (stream after the type byte) with the
 * registered loader. NULL (ctx->err set) on any error, an unknown,
 * unregistered or numbering-dependent type included. ctx->rdbver must be set
 * by the caller; ctx->rdbtype is set here. */
obj *rdbLoadObject(rio *r, int type, rdbLoadCtx *ctx);

/* ---- DUMP payloads ------------------------------------------------------------- */

/* Build the DUMP payload of `o` stamped with version `target`: type byte,
 * body, version, CRC-64. Returns a new heap dstr (caller frees), or NULL when
 * `o` cannot be written for `target` (*why, if non-NULL, gets the reason). */
dstr rdbCreatePayload(const obj *o, int target, const char **why);
/* Check a payload's footer: length >= 10, version accepted, and (when
 * `check_crc`) the CRC. Returns RDB_PAYLOAD_OK or RDB_PAYLOAD_BAD_CHECKSUM;
 * *version (if non-NULL) gets the stamp when the length allows reading it. */
int rdbVerifyPayload(const unsigned char *p, size_t len, int check_crc, int *version);
/* Verify (rdbVerifyPayload) then decode `len` bytes at `p` into a new bare
 * object stored in *out. Returns RDB_PAYLOAD_OK (with *out set), or
 * RDB_PAYLOAD_BAD_CHECKSUM / RDB_PAYLOAD_BAD_FORMAT (*out = NULL). `ctx`
 * (may be NULL: no limits) gives the limits and receives the version, type
 * and failure reason. The bytes are only read. `check_crc` = 0 skips the CRC
 * (fuzzing, tests). */
int rdbDecodePayload(const unsigned char *p, size_t len, int check_crc, obj **out, rdbLoadCtx *ctx);

/* ---- helpers for type loaders -------------------------------------------------- */

/* Read an element count (RDB length) and check it is plausible: 1 <= count
 * (when `allow_zero` is 0; Redis refuses empty collections in payloads) and
 * count * min_elem_bytes <= the bytes left in the reader, so a forged count
 * never drives a large allocation. RIO_OK / RIO_ERR. */
int rdbLoadCount(rio *r, uint64_t *count, size_t min_elem_bytes, int allow_zero);
/* Read an RDB string (any form) into a new heap dstr, refusing (NULL) a
 * string longer than ctx->max_string_len before allocating it. Loaders read
 * every element through this (or rdbLoadBlob), never rioReadString. */
dstr rdbLoadString(rio *r, const rdbLoadCtx *ctx);
/* Same, into a new zmalloc'ed buffer of exactly its length (for blobs:
 * listpack, ziplist, intset, zipmap, which must live in their own
 * allocation). NULL on error or for an empty string (no valid blob is
 * empty); *len gets the length. Caller zfree()s. */
unsigned char *rdbLoadBlob(rio *r, const rdbLoadCtx *ctx, size_t *len);
/* Read an RDB string (any form) for a loader that only needs its bytes for a
 * moment (an element it copies into its own structure): into `buf` (`cap`
 * bytes, cap >= 32) when its decoded length fits, else into a new heap dstr
 * stored in *heap. *p and *len get the bytes (buf, *heap, or for a raw
 * string of up to 63 bytes the reader's own input, valid as long as it is);
 * *heap is NULL unless the heap was used, and the caller dstrfree()s it
 * then (also NULL-safe).
 * Same checks and limits as rdbLoadString; saves an allocation per element
 * for the common short elements. RIO_OK / RIO_ERR (*heap = NULL). */
int rdbLoadStringBuf(rio *r, const rdbLoadCtx *ctx, char *buf, size_t cap, const char **p, size_t *len, dstr *heap);

#endif
