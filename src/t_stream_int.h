/* t_stream_int: helpers shared by t_stream.c (entries, XADD ... XREAD) and
 * t_stream_cg.c (consumer groups, XINFO). Not for other modules. */
#ifndef CAIRN_T_STREAM_INT_H
#define CAIRN_T_STREAM_INT_H
#include <stdint.h>
#include "listpack.h"
#include "t_stream.h"

typedef struct client client;

/* Iterator over the live entries of a stream between two IDs (inclusive),
 * forward or reverse. No allocation: needs no stop call. Any change to the
 * stream other than streamIterRemove invalidates it. */
typedef struct streamIter {
    stream *s;
    streamID start, end;
    int rev, started, done, have_node;
    unsigned char nodekey[STREAM_ID_KEYLEN];
    omapNode *node;
    unsigned char *lp;               /* current node's listpack, NULL between nodes */
    streamID master_id;
    int64_t master_fields_count;
    unsigned char *master_fields;    /* first master field */
    unsigned char *master_end;       /* master terminator element */
    unsigned char *p;                /* forward: next entry's flags (NULL: node done);
                                        reverse: previous entry's lp-count */
    /* the current entry */
    streamID cur_id;
    unsigned char *cur_flags_p;
    int64_t cur_flags, cur_numfields;
    unsigned char *cur_value_p, *cur_mfield_p;
    unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
} streamIter;

/* start/end NULL: from the first / to the last entry. */
void streamIterStart(streamIter *it, stream *s, const streamID *start, const streamID *end, int rev);
/* Next live entry: 1 with *id and *numfields, 0 at the end. */
int streamIterNext(streamIter *it, streamID *id, int64_t *numfields);
/* The next field/value pair of the current entry (call numfields times). */
void streamIterField(streamIter *it, const unsigned char **f, int64_t *flen, const unsigned char **v, int64_t *vlen);
/* Delete the current entry (flags it, updates counters, frees an empty node). */
void streamIterRemove(streamIter *it);

/* Parse a stream ID argument as Redis does. `strict` rejects "-" and "+".
 * seq_given (optional) enables the "<ms>-*" form and reports whether the
 * sequence was given. Replies "ERR Invalid stream ID ..." when c != NULL. */
int streamParseID(client *c, const dstr arg, streamID *id, uint64_t missing_seq, int strict, int *seq_given);
/* Range endpoint: "(" prefix for exclusive (strict ID after it). */
int streamParseIntervalID(client *c, const dstr arg, streamID *id, int *exclude, uint64_t missing_seq);
/* Reply the ID as a bulk string "<ms>-<seq>". */
void replyStreamID(client *c, const streamID *id);
/* Reply one entry [id, [f, v, ...]] if it exists (1), else nothing (0). */
int streamReplyEntry(client *c, stream *s, const streamID *id);
/* Reply the array of entries in [start, end] (NULL = open), at most count
 * (0 = all), reversed if rev. With a group: XREADGROUP ">" delivery (updates
 * the group's last_id/entries_read, and unless noack the PELs). Returns the count. */
size_t streamReplyRange(client *c, stream *s, const streamID *start, const streamID *end, size_t count, int rev,
                        streamCG *group, streamConsumer *consumer, int noack);
/* The ID of the first / last live entry; when none: max ID / 0-0. */
void streamGetEdgeID(stream *s, int first, streamID *id);
/* Group lag helpers (Redis 7 semantics). */
int streamRangeHasTombstones(stream *s, const streamID *start, const streamID *end);
long long streamEstimateDistanceFromFirstEverEntry(stream *s, const streamID *id);
/* Delete a consumer and its pending entries from the group. */
void streamDelConsumer(streamCG *cg, streamConsumer *consumer);

#endif
