/* script: the engine-neutral part of scripting, shared by EVAL (eval.c) and
 * FUNCTION/FCALL (functions.c). It knows nothing about Lua: the engine
 * (script_lua.c) calls back into it to run commands, to learn whether the
 * script must stop, and to turn command replies into a tree it can walk.
 *
 * One script runs at a time (the server is single threaded); while it runs,
 * scriptCurrent() returns its run context. A script that runs longer than
 * busy-reply-threshold ms makes the server answer other clients with BUSY
 * (call.c asks scriptIsBusy()) while the engine keeps calling
 * scriptInterrupt(), which serves the other clients' events; SCRIPT KILL /
 * FUNCTION KILL (scriptKill) then stop a script that has not written.
 *
 * Commands run by a script go through the normal command table and call()
 * on one fake client (flags CLIENT_FAKE | CLIENT_SCRIPT) that takes the
 * caller's database and the protocol chosen by redis.setresp (2 or 3). */
#ifndef CAIRN_SCRIPT_H
#define CAIRN_SCRIPT_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"

typedef struct client client;

/* Script flags (shebang `flags=` of EVAL scripts, `flags` of a registered
 * function). The names are Redis's. */
#define SCRIPT_FLAG_NO_WRITES (1ULL << 0)        /* "no-writes" */
#define SCRIPT_FLAG_ALLOW_OOM (1ULL << 1)        /* "allow-oom" */
#define SCRIPT_FLAG_ALLOW_STALE (1ULL << 2)      /* "allow-stale" */
#define SCRIPT_FLAG_NO_CLUSTER (1ULL << 3)       /* "no-cluster" */
#define SCRIPT_FLAG_EVAL_COMPAT_MODE (1ULL << 4) /* EVAL script without a shebang (no name) */
#define SCRIPT_FLAG_ALLOW_CROSS_SLOT (1ULL << 5) /* "allow-cross-slot-keys" */

/* Flag for a flag name (exact, case-sensitive as in Redis), 0 if unknown or
 * if it is the compat-mode pseudo flag. */
uint64_t scriptFlagByName(const char *name, size_t len);
/* Name of one SCRIPT_FLAG_* bit (static string), NULL if none. Flags are
 * listed in the order: no-writes, allow-oom, allow-stale, no-cluster,
 * allow-cross-slot-keys. */
const char *scriptFlagName(uint64_t flag);
/* The user-visible flags in listing order (terminated by 0). */
extern const uint64_t scriptFlagsOrder[];

/* Run-time state bits of a running script (scriptRunCtx.state). */
#define SCRIPT_STATE_READ_ONLY (1 << 0)   /* write commands refused */
#define SCRIPT_STATE_WRITE_DIRTY (1 << 1) /* a write command ran: cannot be killed */
#define SCRIPT_STATE_TIMEDOUT (1 << 2)    /* past busy-reply-threshold */
#define SCRIPT_STATE_KILLED (1 << 3)      /* SCRIPT KILL / FUNCTION KILL asked */
#define SCRIPT_STATE_EVAL_MODE (1 << 4)   /* EVAL family (else FCALL) */
#define SCRIPT_STATE_ALLOW_OOM (1 << 5)   /* deny-oom commands allowed when over maxmemory */

typedef struct scriptRunCtx {
    client *caller;         /* the client that sent EVAL/FCALL */
    client *fake;           /* the script client commands run on */
    const char *funcname;   /* sha1 (EVAL) or function name (FCALL); borrowed */
    int state;              /* SCRIPT_STATE_* */
    long long start_ms;     /* monotonic start time */
    int resp;               /* protocol of the replies the script sees (setresp) */
    int caller_was_protected; /* CLIENT_PROTECTED of the caller before the run */
} scriptRunCtx;

/* Check that a script with `script_flags` may run for `caller` now, as
 * Redis's scriptPrepareForRun does; on refusal reply the error to caller
 * and return -1. `ro` is 1 for EVAL_RO/EVALSHA_RO/FCALL_RO. On success fill
 * *ctx, make it current and return 0; end with scriptResetRun(). */
int scriptPrepareRun(scriptRunCtx *ctx, client *caller, const char *funcname, uint64_t script_flags, int ro,
                     int eval_mode);
/* End the run started by scriptPrepareRun (restores the non-busy state). */
void scriptResetRun(scriptRunCtx *ctx);
/* The script running now, or NULL. */
scriptRunCtx *scriptCurrent(void);
/* 1 while a script has run past busy-reply-threshold (other clients get
 * BUSY), else 0. */
int scriptIsBusy(void);
/* The BUSY error for the running script (EVAL or FUNCTION variant), without
 * the leading '-'. */
const char *scriptBusyError(void);

/* Run one command (argv[0..argc-1], borrowed) for the current script.
 * Returns 0 and sets *reply to the command's RESP reply (a new dstr, in the
 * script's protocol; it may be an error reply) or returns -1 with *err set
 * to a new dstr when the script may not run this command (unknown command,
 * wrong arity, noscript command, write in a read-only script, OOM). */
int scriptCall(scriptRunCtx *ctx, dstr *argv, int argc, dstr *reply, dstr *err);

#define SCRIPT_CONTINUE 0
#define SCRIPT_KILL 1
/* Called by the engine regularly while a script runs: after
 * busy-reply-threshold ms it serves other clients' events; returns
 * SCRIPT_KILL once the script was killed. */
int scriptInterrupt(scriptRunCtx *ctx);

/* SCRIPT KILL (is_eval 1) / FUNCTION KILL (is_eval 0): reply to c. */
void scriptKill(client *c, int is_eval);

/* Write an error reply exactly as given (no "ERR " added): `msg` is the text
 * after '-'; CR/LF become spaces. Counted in the error statistics. */
void scriptReplyErrorRaw(client *c, const char *msg, size_t len);
/* Same; with count_stats 0 the error is not counted again in INFO
 * errorstats / total_error_replies (it was counted when the command inside
 * the script replied it), but the command still counts as failed. */
void scriptReplyErrorRawEx(client *c, const char *msg, size_t len, int count_stats);

/* ---- RESP reply trees ---------------------------------------------------------
 * A parsed command reply (RESP2 or RESP3), for the engine to convert. */
typedef enum {
    SR_STATUS, SR_ERROR, SR_INTEGER, SR_BULK, SR_NULL, SR_NULL_ARRAY, SR_ARRAY, SR_MAP, SR_SET, SR_DOUBLE,
    SR_BOOL, SR_BIGNUM, SR_VERBATIM, SR_ATTRIBUTE, SR_PUSH
} scriptReplyType;

typedef struct scriptReply {
    scriptReplyType type;
    long long integer;       /* SR_INTEGER, SR_BOOL (0/1) */
    double dval;             /* SR_DOUBLE */
    const char *str;         /* STATUS/ERROR/BULK/BIGNUM/VERBATIM text (into the parsed buffer); */
    size_t len;              /* VERBATIM: str is the "txt:" prefix + text */
    size_t elements;         /* ARRAY/SET/PUSH: elements; MAP/ATTRIBUTE: 2*pairs */
    struct scriptReply **element;
} scriptReply;

/* Parse one reply from `len` bytes at `p` (the buffer must outlive the tree).
 * NULL if the bytes are not exactly one well-formed reply. */
scriptReply *scriptReplyParse(const char *p, size_t len);
void scriptReplyFree(scriptReply *r);

/* SHA-1 of `len` bytes as 40 lower-case hex chars + NUL into out[41]. */
void scriptSha1Hex(char *out, const char *p, size_t len);

/* Create the shared script client (once, at start-up; idempotent). */
void scriptInit(void);

#endif
