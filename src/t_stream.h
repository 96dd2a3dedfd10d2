/* t_stream: the STREAM type (OBJ_STREAM, encoding ENC_STREAM).
 *
 * Files: t_stream.c (structure, iterator, append/delete/trim, XADD XLEN
 * XRANGE XREVRANGE XDEL XTRIM XSETID XREAD XREADGROUP), t_stream_cg.c (XGROUP
 * XACK XPENDING XCLAIM XAUTOCLAIM XINFO), t_stream_int.h (helpers shared by
 * the two), omap.h (the ordered map behind nodes, PELs, groups, consumers).
 *
 * The in-memory layout mirrors Redis 7 so that an RDB STREAM_LISTPACKS
 * payload (RDB types 15, 19 and 21) maps onto it one to one.
 *
 * ---------------------------------------------------------------------------
 * Stream IDs
 *   A streamID is <ms>-<seq>, two unsigned 64-bit numbers. As a map key (the
 *   node table and every PEL) it is 16 bytes big-endian: ms at offset 0..7,
 *   seq at 8..15, so byte order = numeric order. This is also the key string
 *   RDB writes for each listpack node ("master ID", 16 bytes).
 *
 * ---------------------------------------------------------------------------
 * Nodes: stream->nodes maps the 16-byte master ID -> a listpack (listpack.h).
 * The master ID is the ID of the first entry appended to that node. Every
 * listpack holds, as listpack elements (integers stored as listpack ints):
 *
 *   master entry:
 *     count          live (not deleted) entries in this node
 *     deleted        entries flagged deleted in this node
 *     num-fields     number of master fields
 *     field_1 ... field_N   the field names of the node's first entry
 *     0              master terminator
 *   then each entry:
 *     flags          bit 0 (1) DELETED, bit 1 (2) SAMEFIELDS
 *     ms-diff        entry.ms  - master.ms   (as signed 64-bit, wraps)
 *     seq-diff       entry.seq - master.seq  (as signed 64-bit, wraps)
 *     if SAMEFIELDS: value_1 ... value_N      (fields are the master's)
 *     else:          num-fields, field_1, value_1, ... field_n, value_n
 *     lp-count       elements of this entry before lp-count:
 *                    N + 3 with SAMEFIELDS, 2n + 4 without
 *   lp-count lets readers walk a node backwards (XREVRANGE).
 *
 *   A new node is started when the tail node's bytes plus the new entry's
 *   field and value lengths reach stream-node-max-bytes (0 = 1 GB), or when
 *   its count + deleted reaches stream-node-max-entries (0 = no limit).
 *   Deleting (XDEL, exact trimming inside a node) only sets the DELETED flag
 *   and updates count/deleted; a node whose count drops to 0 is freed.
 *
 * ---------------------------------------------------------------------------
 * Metadata (RDB STREAM_LISTPACKS_2/_3 fields): length (live entries), last_id
 * (last ID ever generated, may be above the last live entry), first_id (first
 * live entry, 0-0 when empty), max_deleted_entry_id (largest ID removed by
 * XDEL), entries_added (entries ever added).
 *
 * Consumer groups: stream->cgroups (NULL until the first group) maps the group
 * name -> streamCG. A group has last_id (last delivered), entries_read (-1 =
 * unknown, SCG_INVALID_ENTRIES_READ), its PEL (16-byte ID -> streamNACK) and
 * its consumers (name -> streamConsumer). A NACK is shared: the group PEL and
 * the owning consumer's PEL point at the same streamNACK. The group PEL owns
 * NACKs; consumer PELs only reference them.
 */
#ifndef CAIRN_T_STREAM_H
#define CAIRN_T_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"
#include "omap.h"

#define STREAM_ITEM_FLAG_NONE 0
#define STREAM_ITEM_FLAG_DELETED (1 << 0)
#define STREAM_ITEM_FLAG_SAMEFIELDS (1 << 1)
#define STREAM_ID_KEYLEN 16
#define STREAM_LISTPACK_MAX_SIZE (1 << 30)
#define SCG_INVALID_ENTRIES_READ -1

typedef struct streamID {
    uint64_t ms;
    uint64_t seq;
} streamID;

typedef struct stream {
    omap *nodes;                   /* 16-byte master ID -> listpack */
    uint64_t length;
    streamID last_id;
    streamID first_id;
    streamID max_deleted_entry_id;
    uint64_t entries_added;
    omap *cgroups;                 /* group name -> streamCG*, NULL if none */
} stream;

typedef struct streamConsumer {
    long long seen_time;           /* unix ms of the last attempted interaction */
    long long active_time;         /* unix ms of the last successful one, -1 never (7.2) */
    dstr name;
    omap *pel;                     /* 16-byte ID -> streamNACK* (not owned) */
} streamConsumer;

typedef struct streamNACK {
    long long delivery_time;       /* unix ms of the last delivery */
    uint64_t delivery_count;
    streamConsumer *consumer;      /* current owner */
} streamNACK;

typedef struct streamCG {
    streamID last_id;
    long long entries_read;        /* SCG_INVALID_ENTRIES_READ when unknown */
    omap *pel;                     /* 16-byte ID -> streamNACK* (owned) */
    omap *consumers;               /* name -> streamConsumer* (owned) */
} streamCG;

/* ---- IDs ----------------------------------------------------------------- */
/* Write id as 16 big-endian bytes / read it back. */
void streamEncodeID(unsigned char *buf, const streamID *id);
void streamDecodeID(const unsigned char *buf, streamID *id);
/* -1, 0, 1 as a <, ==, > b. */
int streamCompareID(const streamID *a, const streamID *b);
/* Next / previous ID in place. 0 on success; -1 when there is none (incrementing
 * the maximum ID sets it to 0-0, decrementing 0-0 sets it to the maximum). */
int streamIncrID(streamID *id);
int streamDecrID(streamID *id);

/* ---- life cycle (also used by the RDB codec) ------------------------------ */
/* New empty stream (no nodes, no groups, all IDs 0-0). */
stream *streamNew(void);
/* Free a stream with its listpacks, groups, consumers and NACKs. */
void streamFree(stream *s);
/* Deep copy (COPY). */
stream *streamDup(const stream *s);
/* Bytes used (MEMORY USAGE). */
size_t streamMemUsage(const stream *s);
/* New group `name` starting at `id` with entries_read; NULL if it exists. */
streamCG *streamCreateCG(stream *s, const char *name, size_t namelen, const streamID *id, long long entries_read);
streamCG *streamLookupCG(stream *s, const char *name, size_t namelen);
/* New consumer; NULL if it exists. seen_time = now, active_time = -1. */
streamConsumer *streamCreateConsumer(streamCG *cg, const char *name, size_t namelen, long long now);
streamConsumer *streamLookupConsumer(streamCG *cg, const char *name, size_t namelen);
/* New NACK owned by `consumer` (may be NULL), delivered now, count 1. */
streamNACK *streamCreateNACK(streamConsumer *consumer, long long now);

/* ---- loading from RDB (for the codec) -------------------------------------------
 * Building a stream from a payload (rdb_stream.c does it): streamNew(); for
 * each node check it with streamValidateNodeInStream() (streamValidateNode()
 * is the stricter check of one tidy node) and insert it with omapInsert(s->nodes, key, 16, lp,
 * NULL) (the stream then owns lp); set length, last_id, first_id,
 * max_deleted_entry_id, entries_added; add groups with streamCreateCG(), put
 * each PEL entry in cg->pel as streamCreateNACK(NULL, delivery_time) with its
 * delivery_count, then for each consumer streamCreateConsumer() and, for each
 * ID of its PEL, look the NACK up in cg->pel, set nack->consumer and insert
 * it into consumer->pel. Writing walks the same tables in order. */

/* Check one node from an untrusted source: `key` (16 bytes) is its master ID,
 * lp[0..size) its listpack. Verifies the listpack itself (listpack.h, deep),
 * then the layout above: integer count/deleted/num-fields, num-fields >= 1,
 * the 0 terminator, each entry's flags (0..3), ID deltas (the first entry's ID
 * not below the master ID, IDs strictly ascending: stricter than Redis, which
 * the iterator relies on), field count, lp-count, and
 * that count/deleted equal the live/deleted entries found with count >= 1.
 * On success returns 1 and the node's last entry ID (deleted or not) in *last
 * (optional) and its live entries in *live (optional); 0 if invalid. */
int streamValidateNode(const unsigned char *key, unsigned char *lp, size_t size, streamID *last, uint64_t *live);

/* Ordering state that streamValidateNodeInStream carries from one node of a
 * stream to the next (zero-initialise it before the first node). */
typedef struct streamNodeOrder {
    int have_live;      /* a live entry was seen in an earlier node */
    streamID max_live;  /* the largest live entry ID seen so far */
} streamNodeOrder;

/* Check one node of a stream loaded from RDB against what Redis (and Cairn)
 * can really leave in memory, which is looser than streamValidateNode:
 *   - a node whose entries are all deleted (count 0, deleted >= 1) passes:
 *     Redis 7.0.15 leaves one after XDEL of a node's last entry followed by
 *     XTRIM MINID (checked), and so does Cairn's trim;
 *   - deleted entries need not ascend: XSETID may lower last_id below a
 *     deleted entry (it only checks the last live one), and the next XADD
 *     then appends an ID below that entry (Redis 7.0.15 does, checked).
 * What holds in every stream either server builds, and what the iterator
 * needs (it skips deleted entries before comparing IDs, and finds a start
 * node by master ID), is checked: every entry ID is above every live ID
 * before it, in this node or (through `order`) in earlier nodes, and the
 * master ID is above every live ID of the earlier nodes; the first entry is
 * not below the master ID. Everything else is as streamValidateNode (deep
 * listpack check, integers, terminator, flags, field counts, lp-count, the
 * count/deleted header equal to what the entries say). `order` is updated.
 * Returns 1 with *last (the node's last entry ID, deleted or not), *live and
 * *deleted (each optional), or 0 if the node is invalid. */
int streamValidateNodeInStream(const unsigned char *key, unsigned char *lp, size_t size, streamNodeOrder *order,
                               streamID *last, uint64_t *live, uint64_t *deleted);

/* ---- entries ----------------------------------------------------------------- */
/* Append an entry of `numfields` field/value pairs (argv[2i], argv[2i+1]) as
 * XADD does: use_id NULL = auto ID from the clock; with use_id and !seq_given
 * the "<ms>-*" form. Nodes split by server.stream_node_max_bytes/_entries.
 * Returns 0 and *added (optional), or -1 with errno EDOM (ID not above the
 * last ID) or ERANGE (elements too large / sequence exhausted). */
int streamAppendEntry(stream *s, dstr *argv, int64_t numfields, streamID *added, const streamID *use_id,
                      int seq_given);
/* XDEL one ID: flags it deleted, updates length, first_id and
 * max_deleted_entry_id; frees a node left without live entries. 1 if it existed. */
int streamDeleteEntry(stream *s, const streamID *id);
/* 1 if the live entry `id` exists. */
int streamEntryExists(stream *s, const streamID *id);
/* The ID of the last live entry (0-0 when empty). */
void streamLastValidID(stream *s, streamID *id);

#endif
