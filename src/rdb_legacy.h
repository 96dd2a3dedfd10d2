/* rdb_legacy: validation of the blob encodings found in DUMP payloads and RDB
 * files, and conversion of the legacy ones to listpacks.
 *
 * RESTORE must never trust a blob: every function here checks the whole
 * structure (ziplist.h, zipmap.h, listpack.h validators, deep mode), refuses
 * empty collections (as Redis 7.0.15's RESTORE does), and applies the rules
 * of the collection kind the blob holds:
 *
 *   | kind          | entries                   | rules                                 |
 *   |---------------|---------------------------|---------------------------------------|
 *   | RDB_BLOB_LIST | elements                  | at least one                          |
 *   | RDB_BLOB_SET  | members                   | no two equal                          |
 *   | RDB_BLOB_HASH | field, value, field, ...  | even count; no two equal fields       |
 *   | RDB_BLOB_ZSET | member, score, member, ...| even count; no two equal members;     |
 *   |               |                           | every score an integer entry or text  |
 *   |               |                           | of < 128 bytes that string2d() parses |
 *   |               |                           | (NaN refused);                        |
 *   |               |                           | sorted by (score, member bytes)       |
 *
 * "Equal" compares the entries as strings: an integer entry equals its
 * decimal text ("7" stored as a string equals the integer 7). Redis refuses
 * such duplicates in hash and zset ziplists always, and in listpacks with
 * sanitize-dump-payload yes; Cairn always refuses them (they would break the
 * uniqueness every command relies on). Duplicate detection sorts the keys
 * (O(n log n), no hashing an attacker could steer).
 *
 * Where the blobs come from (all carried as one RDB string in the payload):
 *   ziplist  -> RDB_TYPE_LIST_ZIPLIST (10, LIST), RDB_TYPE_ZSET_ZIPLIST (12,
 *               ZSET), RDB_TYPE_HASH_ZIPLIST (13, HASH), and each node of
 *               RDB_TYPE_LIST_QUICKLIST (14, LIST): Redis 2.6 - 6.2;
 *   zipmap   -> RDB_TYPE_HASH_ZIPMAP (9, HASH): Redis 2.x;
 *   listpack -> RDB_TYPE_HASH_LISTPACK (16), ZSET_LISTPACK (17), SET_LISTPACK
 *               (20), the nodes of LIST_QUICKLIST_2 (18): Redis 7.0+.
 * The converted listpack holds the same entries in the same order, each
 * written as listpack.h writes it (strings that are canonical integers become
 * integer entries, as Redis's conversion does), so it is byte-identical to
 * the listpack Redis 7.0 builds from the same ziplist.
 *
 * Pure functions: no server state. Memory: results are zmalloc'ed listpacks
 * owned by the caller (lpFree); inputs are only read, never outside
 * [blob, blob + size). */
#ifndef CAIRN_RDB_LEGACY_H
#define CAIRN_RDB_LEGACY_H
#include <stddef.h>

#define RDB_BLOB_LIST 0
#define RDB_BLOB_SET 1
#define RDB_BLOB_HASH 2
#define RDB_BLOB_ZSET 3

/* Validate `size` bytes at `lp` as a listpack holding a collection of `kind`
 * (table above): deep listpack validation, the header count equal to the
 * real count (Redis trusts it unless sanitizing: Cairn checks), non-empty,
 * and the kind's rules. Returns 1 and sets *entries (if non-NULL) to the
 * number of listpack entries, or 0 if anything is wrong. */
int rdbValidateListpackBlob(const unsigned char *lp, size_t size, int kind, size_t *entries);

/* Convert a ziplist blob holding a collection of `kind` into a new listpack
 * after full validation (deep ziplist validation incl. prevlen, zltail and
 * zllen; then the kind's rules on the result). Returns the listpack
 * (lpBytes() gives its size; *entries gets its entry count), or NULL if the
 * ziplist or the collection is invalid or empty. */
unsigned char *rdbZiplistToListpack(const unsigned char *zl, size_t size, int kind, size_t *entries);

/* Convert a zipmap blob (a hash) into a new listpack of field, value pairs
 * after full validation (zipmap.h deep rules; non-empty; no duplicate
 * fields). Returns the listpack (*entries = 2 * pairs), or NULL. */
unsigned char *rdbZipmapToListpack(const unsigned char *zm, size_t size, size_t *entries);

#endif
