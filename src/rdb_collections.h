/* rdb_collections: the RDB codec of the HASH, SET, ZSET and LIST types (DUMP /
 * RESTORE, later snapshots), plugged into rdb.h's registry.
 *
 * One glue file per type (rdb_hash.c, rdb_set.c, rdb_zset.c) registers a
 * loader for every RDB type number the type can be read from and one saver.
 * The glue files only use the public API of t_hash.h, t_set.h and t_zset.h:
 * t_<type>.c stays the only place that knows the in-memory encodings. Lists
 * and streams plug in the same way from their own glue files.
 *
 * ---- Body layouts (after the type byte; "string" = an RDB string, rio.h) -------
 *
 *   | type | name          | body                                                |
 *   |------|---------------|-----------------------------------------------------|
 *   | 2    | SET           | len L (>= 1), then L strings (members)              |
 *   | 11   | SET_INTSET    | one string: an intset (intset.h), >= 1 member,      |
 *   |      |               | strictly ascending                                  |
 *   | 20   | SET_LISTPACK  | one string: a listpack of the members (RDB 11+)     |
 *   | 4    | HASH          | len L (>= 1), then L times (field, value) strings   |
 *   | 9    | HASH_ZIPMAP   | one string: a zipmap (zipmap.h), Redis 2.x          |
 *   | 13   | HASH_ZIPLIST  | one string: a ziplist field, value, ... (<= 6.2)    |
 *   | 16   | HASH_LISTPACK | one string: a listpack field, value, ... (RDB 10+)  |
 *   | 3    | ZSET          | len L (>= 1), then L times (member string, score as  |
 *   |      |               | a text double: rio.h; 253 = NaN is refused)         |
 *   | 5    | ZSET_2        | len L (>= 1), then L times (member string, score as  |
 *   |      |               | 8-byte IEEE 754 binary64 LE) (RDB 8+)               |
 *   | 12   | ZSET_ZIPLIST  | one string: a ziplist member, score, ... (<= 6.2)   |
 *   | 17   | ZSET_LISTPACK | one string: a listpack member, score, ... (RDB 10+) |
 *
 * ---- Loading (RESTORE): everything is validated before the value exists ------
 * A count is checked against the bytes left (rdbLoadCount) before anything is
 * pre-sized from it; every blob is validated in full (rdb_legacy.h: deep
 * listpack / ziplist / zipmap checks, header count, no duplicate set member /
 * hash field / zset member, zset scores valid (no NaN) and sorted by (score,
 * member); intset.h: sorted, unique, non-empty); plain forms refuse duplicates
 * and NaN scores as they are added (hashtable and skiplist encodings put the
 * elements in their member table 16 at a time, hashtableAddBatch, so a
 * duplicate is found up to 15 elements later or at the end; same result). Empty collections are refused (Redis
 * refuses them in payloads). Validation is always deep, whatever
 * sanitize-dump-payload says (Redis accepts listpack duplicates unless it is
 * `yes`; Cairn never does). On any error the partial value is freed and the
 * loader returns NULL with ctx->err set.
 *
 * Encodings after loading, as Redis 7.2 picks them (the t_<type>.h helpers
 * implement the thresholds):
 *   - HASH 4: listpack when L <= hash-max-listpack-entries and no field or
 *     value is longer than hash-max-listpack-value, else a hashtable
 *     pre-sized for L; blobs (9, 13, 16) become a listpack (ziplists and
 *     zipmaps converted, listpacks adopted as-is) converted to a hashtable
 *     when over the limits;
 *   - SET 2: intset while every member is an integer and L <=
 *     set-max-intset-entries, else listpack while it fits the listpack limits,
 *     else a hashtable pre-sized for L (decided member by member, as 7.2);
 *     SET_INTSET adopted (hashtable when over set-max-intset-entries);
 *     SET_LISTPACK adopted (hashtable when over set-max-listpack-entries);
 *   - ZSET 3 / ZSET_2 5: a skiplist pre-sized for L, converted to a listpack
 *     afterwards when small enough (members given from the highest rank
 *     down, the order savers write, go in at the head without a search:
 *     zslInsertFirst; any other order takes the normal insert); blobs (12, 17) become a listpack adopted
 *     as-is, converted to a skiplist when over zset-max-listpack-entries.
 *
 * ---- Saving: the RDB type for a target version ----------------------------------
 *
 *   | value              | target < 8 | 8, 9       | 10         | 11, 12, 80+  |
 *   |--------------------|------------|------------|------------|--------------|
 *   | hash listpack      | HASH 4     | HASH 4     | HASH_LISTPACK 16 | 16     |
 *   | hash hashtable     | HASH 4     | HASH 4     | HASH 4     | HASH 4       |
 *   | set intset         | SET_INTSET 11 | 11      | 11         | 11           |
 *   | set listpack       | SET 2      | SET 2      | SET 2      | SET_LISTPACK 20 |
 *   | set hashtable      | SET 2      | SET 2      | SET 2      | SET 2        |
 *   | zset listpack      | ZSET 3     | ZSET_2 5   | ZSET_LISTPACK 17 | 17     |
 *   | zset skiplist      | ZSET 3     | ZSET_2 5   | ZSET_2 5   | ZSET_2 5     |
 *
 * Target 10 is what Redis 7.0 writes (it has no listpack sets); 11+ is what
 * Redis 7.2 / Valkey write; 9 uses only types Redis 5 and 6 read (the plain
 * forms: no hash / set / zset ziplist is written; lists: see below). Blobs
 * are written as one string with rioWriteString (LZF when it saves, as
 * Redis), the bytes of the in-memory listpack / intset as they are. Plain forms list the elements in the order
 * Redis writes them: hashtable order for hashes and sets, listpack order for
 * listpack values, and zsets from the highest rank down (Redis's order for
 * skiplists, which makes reloading append at the head). Elements are written
 * with rioWriteString (integer forms for canonical integers), so payloads are
 * byte-identical to Redis's wherever the element order is deterministic. */
/* ---- Lists (rdb_list.c, t_list.h's load / node API) ------------------------------
 *
 *   | type | name             | body                                             |
 *   |------|------------------|--------------------------------------------------|
 *   | 1    | LIST             | len L (>= 1), then L strings (elements)          |
 *   | 10   | LIST_ZIPLIST     | one string: a ziplist of the elements (<= 3.0)   |
 *   | 14   | LIST_QUICKLIST   | len N (>= 1), then N strings: ziplist nodes      |
 *   |      |                  | (3.2 - 6.2)                                      |
 *   | 18   | LIST_QUICKLIST_2 | len N (>= 1), then N times (container as an RDB  |
 *   |      |                  | length: 1 PLAIN / 2 PACKED, string: the element  |
 *   |      |                  | (PLAIN) or a listpack (PACKED)) (7.0+, RDB 10)   |
 *
 * Loading, as Redis 7.2: the elements / nodes go into a quicklist created with
 * list-max-listpack-size and list-compress-depth; LIST pushes each element at
 * the tail (normal node filling); every ziplist is deep-validated and
 * converted (rdb_legacy.h) into one listpack node; a PACKED listpack is
 * deep-validated (header count included, always: Redis only with
 * sanitize-dump-payload yes) and adopted as the node as it is (whatever its
 * size); a PLAIN string is adopted as a PLAIN node. A ziplist or listpack
 * node with no entry is skipped (Redis does the same); an empty string, a
 * container other than 1 / 2, or a list left with no element is refused.
 * Nodes are handled in batches of 1024: string headers read in order, then
 * LZF expansion and validation of the batch on two threads when it holds
 * >= 256 KB (parallel.h), then the nodes appended in order (the first bad
 * node refuses the payload; memory held is bounded by the batch). The
 * quicklist recompresses its interior nodes per list-compress-depth. Finally LIST_CONV_AUTO: a list
 * left with a single PACKED node within the list-max-listpack-size limits
 * becomes a listpack-encoded list.
 *
 * Saving: target >= 10 writes LIST_QUICKLIST_2 byte-identical to Redis 7.0 /
 * 7.2: the node count, then per node its container and its bytes with
 * rioWriteString (LZF when it saves; for a batch of 1024 nodes holding
 * >= 256 KB, the LZF forms are computed on two threads first with
 * rioCompressString and written in order: the same bytes); a node the
 * quicklist holds compressed
 * is written as its LZF data as they are (0xc3, compressed length, raw
 * length, data), as Redis does; a listpack-encoded list is one PACKED node.
 * Target 9 writes LIST_QUICKLIST with one ziplist per node, laid out as Redis
 * 6.2 does (ziplist.h's writer; a PLAIN node becomes a one-entry ziplist),
 * each written with rioWriteString: byte-identical to Redis 6.2.16's DUMP of
 * the same nodes (checked against its recorded payloads). */
#ifndef CAIRN_RDB_COLLECTIONS_H
#define CAIRN_RDB_COLLECTIONS_H

/* Register the loaders of RDB types 4, 9, 13, 16 and the OBJ_HASH saver. */
void rdbHashRegister(void);
/* Register the loaders of RDB types 2, 11, 20 and the OBJ_SET saver. */
void rdbSetRegister(void);
/* Register the loaders of RDB types 3, 5, 12, 17 and the OBJ_ZSET saver. */
void rdbZsetRegister(void);
/* Register the loaders of RDB types 1, 10, 14, 18 and the OBJ_LIST saver
 * (rdb_list.c; see "Lists" above). */
void rdbListRegister(void);

#endif
