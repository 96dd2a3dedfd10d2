/* resp: the RESP request parser (pure, no I/O).
 *
 * Requests arrive either as RESP arrays of bulk strings
 *     *<argc>\r\n $<len>\r\n<bytes>\r\n ...
 * or as inline commands (a text line split like redis-cli input, ended by \n
 * with an optional \r). The parser consumes bytes from a caller buffer and
 * fills argv with one dstr per argument; it keeps its state between calls, so
 * a request can arrive in any number of pieces.
 *
 * Errors are the exact texts Redis sends before closing the connection, e.g.
 * "Protocol error: invalid bulk length". Leaf module (dstr, zmalloc). */
#ifndef CAIRN_RESP_H
#define CAIRN_RESP_H
#include <stddef.h>
#include "dstr.h"

#define RESP_INLINE_MAX 65536        /* longest inline line / header line (bytes) */

typedef enum { RESP_NEED_MORE = 0, RESP_DONE = 1, RESP_ERROR = 2 } respStatus;

typedef struct respLimits {
    long long max_bulk_len;  /* proto-max-bulk-len (bytes) */
    int authenticated;       /* 0: stricter limits (argc <= 10, bulk <= 16384), as Redis */
} respLimits;

typedef struct respRequest {
    int type;                /* 0 none yet, 1 inline, 2 multibulk */
    long multibulk_left;     /* arguments still to read */
    long long bulk_len;      /* length of the bulk being read, -1 when reading a header */
    int argc, argv_cap;
    dstr *argv;              /* argc parsed arguments, owned by the request */
} respRequest;

/* Initialise an empty request. */
void respRequestInit(respRequest *r);
/* Free the arguments and reset to the initial state (argv storage kept). */
void respRequestReset(respRequest *r);
/* Free everything held by the request. */
void respRequestFree(respRequest *r);
/* Parse from buf[*pos .. len). On RESP_DONE, r->argc/argv hold a complete
 * request (argc may be 0 for an empty inline line or "*0": callers skip those)
 * and *pos is past it. On RESP_NEED_MORE all complete parts were consumed
 * (*pos advanced) and the rest must be fed again with more bytes appended.
 * On RESP_ERROR, *err is a static message without the leading '-'. */
respStatus respParse(respRequest *r, const char *buf, size_t len, size_t *pos, const respLimits *lim,
                     const char **err);
/* If a bulk of `r->bulk_len` bytes is being waited for, the number of bytes
 * still missing (including the trailing CRLF), else 0: lets the caller read
 * big arguments without re-parsing. */
size_t respBytesWanted(const respRequest *r, size_t available);

/* Bulks of at least this many bytes may be adopted whole (respAdoptBulk). */
#define RESP_BIG_BULK (32 * 1024)

/* Zero-copy path for big arguments. If the request waits for a bulk of at
 * least RESP_BIG_BULK bytes and `buf` holds exactly that bulk and its CRLF
 * from offset `pos` == 0 (the caller read only what respBytesWanted asked
 * for into a buffer sized for it), the buffer itself becomes the argument:
 * its length is cut to the bulk length (NUL-terminated), the request takes
 * ownership and 1 is returned; the caller must not use `buf` again. Returns 0
 * and changes nothing otherwise. When this completes the request, the next
 * respParse call returns RESP_DONE without needing input. */
int respAdoptBulk(respRequest *r, dstr buf, size_t pos);

#endif
