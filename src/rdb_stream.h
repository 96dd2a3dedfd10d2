/* rdb_stream: the RDB encodings of streams (DUMP / RESTORE, and RDB files
 * later), plugged into the codec of rdb.h.
 *
 * Three RDB object types carry a stream. They share one layout; the newer
 * ones add fields (marked 19+ / 21):
 *
 *   | type | name               | written by                      |
 *   |------|--------------------|---------------------------------|
 *   | 15   | STREAM_LISTPACKS   | Redis 5.0 - 6.2 (RDB 9)         |
 *   | 19   | STREAM_LISTPACKS_2 | Redis 7.0 (RDB 10)              |
 *   | 21   | STREAM_LISTPACKS_3 | Redis 7.2+, Valkey (RDB 11+)    |
 *
 * Body (after the type byte). "len" = an RDB length (rio.h), "str" = an RDB
 * string in any form (raw, int, LZF), "ms" = 8-byte little-endian signed
 * milliseconds, "id16" = 16 raw bytes, a stream ID big-endian (t_stream.h):
 *
 *   | field                         | encoding | types | notes                        |
 *   |-------------------------------|----------|-------|------------------------------|
 *   | number of nodes N             | len      | all   |                              |
 *   | N x { master ID, listpack }   | str, str | all   | key: 16 bytes (the node's    |
 *   |                               |          |       | master ID, big-endian);      |
 *   |                               |          |       | listpack: the node verbatim  |
 *   |                               |          |       | (t_stream.h layout), in      |
 *   |                               |          |       | ascending master ID order    |
 *   | length (live entries)         | len      | all   |                              |
 *   | last ID: ms, seq              | len, len | all   |                              |
 *   | first ID: ms, seq             | len, len | 19+   | "recorded-first-entry-id"    |
 *   | max deleted ID: ms, seq       | len, len | 19+   |                              |
 *   | entries added                 | len      | 19+   |                              |
 *   | number of groups G            | len      | all   |                              |
 *   | G x group:                    |          |       | in name order                |
 *   |   name                        | str      | all   |                              |
 *   |   last delivered ID: ms, seq  | len, len | all   |                              |
 *   |   entries read                | len      | 19+   | -1 (unknown) as 2^64 - 1     |
 *   |   number of PEL entries P     | len      | all   |                              |
 *   |   P x { ID, delivery time,    | id16, ms,| all   | ascending ID order; the      |
 *   |         delivery count }      | len      |       | owner comes with consumers   |
 *   |   number of consumers C       | len      | all   |                              |
 *   |   C x consumer:               |          |       | in name order                |
 *   |     name                      | str      | all   |                              |
 *   |     seen time                 | ms       | all   |                              |
 *   |     active time               | ms       | 21    | -1 = never active            |
 *   |     number of its PEL IDs K   | len      | all   |                              |
 *   |     K x ID                    | id16     | all   | each in the group PEL        |
 *
 * Strings are written as Redis's rdbSaveRawString does (rioWriteString: int
 * forms for short canonical integers, LZF above 20 bytes when it saves 4+
 * bytes), so a node listpack is usually LZF-compressed, a 16-byte master ID
 * is raw, and a group named "12" is an int8 string.
 *
 * ---- RESTORE (loader for types 15, 19, 21) -------------------------------------
 * Everything is validated before the value exists; any failure frees what
 * was built and answers NULL ("ERR Bad data format"):
 *   - each node: key of exactly 16 bytes, master IDs strictly ascending, the
 *     listpack checked by streamValidateNodeInStream (t_stream.h: deep
 *     listpack check, header counts, flags, field counts, lp-counts, entry IDs
 *     above every earlier live ID across nodes). A node whose entries are all
 *     deleted, which Redis 7.0 itself can DUMP, is kept;
 *   - length = the sum of the nodes' live entries; the last ID is not below
 *     the last live entry; entries added >= length and <= 2^63 - 1;
 *   - groups: no two with one name; entries read is -1 or 0..2^63-1;
 *   - PEL: no duplicate ID; delivery time >= 0; each consumer name unique,
 *     seen time >= 0, active time >= -1; each consumer PEL ID is in the group
 *     PEL and owned by no other consumer (nor listed twice); afterwards every
 *     group PEL entry has its owner.
 * Values that commands can set freely (first ID, max deleted ID, a group's
 * last ID or an entries-read above entries-added after XSETID) are taken as
 * recorded. Types 15 and 19 lack what later versions added; the loader fills
 * it in as Redis 7.2 does: for 15, max deleted ID 0-0, entries added =
 * length, first ID = the first live entry (2^64-1 - 2^64-1 when empty, as
 * Redis 7.0.15 reports it), each group's entries read estimated from its last
 * ID (streamEstimateDistanceFromFirstEverEntry); for 15 and 19, each
 * consumer's active time = its seen time.
 *
 * ---- DUMP (saver) --------------------------------------------------------------
 * The target RDB version picks the type: 9 -> 15 (drops first ID, max deleted
 * ID, entries added, entries read and active times: Redis 5.0-6.2 read it);
 * 10 -> 19 (Redis 7.0, the default: byte-identical to Redis 7.0.15's DUMP of
 * the same stream); 11 and above -> 21 (Redis 7.2+, Valkey); below 9 streams
 * cannot be written (they appeared in RDB 9): -1. */
#ifndef CAIRN_RDB_STREAM_H
#define CAIRN_RDB_STREAM_H

/* Register the loaders of RDB types 15, 19, 21 and the OBJ_STREAM saver with
 * the codec (rdb.h). Start-up only. */
void rdbStreamRegister(void);

#endif
