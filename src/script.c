/* script: engine-neutral run context for EVAL and FCALL (see script.h). */
#include "script.h"
#include "call.h"
#include "client.h"
#include "commands.h"
#include "net.h"
#include "reply.h"
#include "server.h"
#include "zmalloc.h"
#include <sha1.h>
#include <stdlib.h>
#include <string.h>

static client *script_client = NULL;
static scriptRunCtx *curr_ctx = NULL;

static const struct {
    const char *name;
    uint64_t flag;
} flag_names[] = {
    {"no-writes", SCRIPT_FLAG_NO_WRITES},
    {"allow-oom", SCRIPT_FLAG_ALLOW_OOM},
    {"allow-stale", SCRIPT_FLAG_ALLOW_STALE},
    {"no-cluster", SCRIPT_FLAG_NO_CLUSTER},
    {"allow-cross-slot-keys", SCRIPT_FLAG_ALLOW_CROSS_SLOT},
    {NULL, 0},
};

const uint64_t scriptFlagsOrder[] = {SCRIPT_FLAG_NO_WRITES, SCRIPT_FLAG_ALLOW_OOM, SCRIPT_FLAG_ALLOW_STALE,
                                     SCRIPT_FLAG_NO_CLUSTER, SCRIPT_FLAG_ALLOW_CROSS_SLOT, 0};

uint64_t scriptFlagByName(const char *name, size_t len) {
    for (int i = 0; flag_names[i].name; i++)
        if (strlen(flag_names[i].name) == len && !memcmp(flag_names[i].name, name, len)) return flag_names[i].flag;
    return 0;
}

const char *scriptFlagName(uint64_t flag) {
    for (int i = 0; flag_names[i].name; i++)
        if (flag_names[i].flag == flag) return flag_names[i].name;
    return NULL;
}

void scriptInit(void) {
    if (script_client) return;
    script_client = clientCreate(-1);
    script_client->flags |= CLIENT_SCRIPT;
}

void scriptSha1Hex(char *out, const char *p, size_t len) {
    static const char hex[] = "0123456789abcdef";
    SHA1_CTX ctx;
    unsigned char digest[20];
    SHA1Init(&ctx);
    SHA1Update(&ctx, (const uint8_t *)p, len);
    SHA1Final(digest, &ctx);
    for (int i = 0; i < 20; i++) {
        out[i * 2] = hex[digest[i] >> 4];
        out[i * 2 + 1] = hex[digest[i] & 15];
    }
    out[40] = '\0';
}

void scriptReplyErrorRaw(client *c, const char *msg, size_t len) { scriptReplyErrorRawEx(c, msg, len, 1); }

void scriptReplyErrorRawEx(client *c, const char *msg, size_t len, int count_stats) {
    dstr s = dstrnewlen("-", 1);
    s = dstrcatlen(s, msg, len);
    for (size_t i = 1; i < dstrlen(s); i++)
        if (s[i] == '\r' || s[i] == '\n') s[i] = ' ';
    s = dstrcatlen(s, "\r\n", 2);
    clientAppendReply(c, s, dstrlen(s));
    size_t code = 0;
    while (code < len && msg[code] != ' ') code++;
    c->reply_errors++; /* the command still counts as failed */
    if (count_stats) {
        server.stat_total_error_replies++;
        serverCountError(msg, code);
    }
    dstrfree(s);
}

/* ---- run context ------------------------------------------------------------------- */

static int overMaxmemory(void) {
    return server.maxmemory && zmalloc_used_memory() > server.maxmemory;
}

int scriptPrepareRun(scriptRunCtx *ctx, client *caller, const char *funcname, uint64_t script_flags, int ro,
                     int eval_mode) {
    scriptInit();
    if (!(script_flags & SCRIPT_FLAG_EVAL_COMPAT_MODE)) {
        /* no-writes implies allow-oom for running the script at all */
        if (!(script_flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)) && overMaxmemory() &&
            server.maxmemory_policy == MAXMEMORY_NO_EVICTION) {
            /* Redis rejects it in processCommand: a script without allow-oom makes
             * EVAL/FCALL a deny-oom command */
            replyError(caller, "OOM command not allowed when used memory > 'maxmemory'.");
            return -1;
        }
        if (!(script_flags & SCRIPT_FLAG_NO_WRITES) && ro) {
            replyError(caller, "ERR Can not execute a script with write flag using *_ro command.");
            return -1;
        }
    }
    memset(ctx, 0, sizeof(*ctx));
    ctx->caller = caller;
    ctx->fake = script_client;
    ctx->funcname = funcname;
    ctx->start_ms = elMonotonicMs();
    ctx->resp = 2;
    if (eval_mode) ctx->state |= SCRIPT_STATE_EVAL_MODE;
    if (ro || (script_flags & SCRIPT_FLAG_NO_WRITES)) ctx->state |= SCRIPT_STATE_READ_ONLY;
    if (script_flags & SCRIPT_FLAG_ALLOW_OOM) ctx->state |= SCRIPT_STATE_ALLOW_OOM;
    script_client->db = caller->db;
    script_client->resp = 2;
    /* the caller must survive a disconnection while a busy script serves events */
    ctx->caller_was_protected = (caller->flags & CLIENT_PROTECTED) != 0;
    caller->flags |= CLIENT_PROTECTED;
    curr_ctx = ctx;
    server.in_script = 1;
    return 0;
}

void scriptResetRun(scriptRunCtx *ctx) {
    if (ctx->state & SCRIPT_STATE_TIMEDOUT) {
        serverLog(LL_WARNING, "Slow script finished after %lld milliseconds.", elMonotonicMs() - ctx->start_ms);
        /* clients that got BUSY may have replies to write */
        netHandleClientsWithPendingWrites();
    }
    clientDiscardReplies(ctx->fake);
    if (!ctx->caller_was_protected) ctx->caller->flags &= ~CLIENT_PROTECTED;
    curr_ctx = NULL;
    server.in_script = 0;
}

scriptRunCtx *scriptCurrent(void) { return curr_ctx; }

int scriptIsBusy(void) { return curr_ctx && (curr_ctx->state & SCRIPT_STATE_TIMEDOUT); }

const char *scriptBusyError(void) {
    if (curr_ctx && !(curr_ctx->state & SCRIPT_STATE_EVAL_MODE))
        return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
}

int scriptInterrupt(scriptRunCtx *ctx) {
    long long elapsed = elMonotonicMs() - ctx->start_ms;
    if (elapsed < server.busy_reply_threshold) return SCRIPT_CONTINUE;
    if (!(ctx->state & SCRIPT_STATE_TIMEDOUT)) {
        serverLog(LL_WARNING,
                  "Slow script detected: still in execution after %lld milliseconds. You can try killing the "
                  "script using the %s command. Script name is: %s.",
                  elapsed, (ctx->state & SCRIPT_STATE_EVAL_MODE) ? "SCRIPT KILL" : "FUNCTION KILL", ctx->funcname);
        ctx->state |= SCRIPT_STATE_TIMEDOUT;
    }
    /* Serve the other clients: they get BUSY (call.c) unless the command is
     * allowed while busy (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS ...).
     * The caller's own further input waits (net.c skips executing clients). */
    elProcessEvents(server.el, 0);
    netHandleClientsWithPendingWrites();
    if (ctx->state & SCRIPT_STATE_KILLED) return SCRIPT_KILL;
    /* SIGTERM/SIGINT while busy: stop the script so the server can exit */
    if (server.shutdown_asap) return SCRIPT_KILL;
    return SCRIPT_CONTINUE;
}

void scriptKill(client *c, int is_eval) {
    if (!curr_ctx) {
        replyError(c, "NOTBUSY No scripts in execution right now.");
        return;
    }
    if (curr_ctx->state & SCRIPT_STATE_WRITE_DIRTY) {
        replyError(c, "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
                      "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
                      "NOSAVE command.");
        return;
    }
    int running_eval = (curr_ctx->state & SCRIPT_STATE_EVAL_MODE) != 0;
    if (is_eval && !running_eval) {
        replyError(c, "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.");
        return;
    }
    if (!is_eval && running_eval) {
        replyError(c, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
        return;
    }
    curr_ctx->state |= SCRIPT_STATE_KILLED;
    replyOk(c);
}

/* ---- running commands ---------------------------------------------------------------- */

static int arityOk(const command *cmd, int argc) {
    return !((cmd->arity > 0 && cmd->arity != argc) || (argc < -cmd->arity));
}

int scriptCall(scriptRunCtx *ctx, dstr *argv, int argc, dstr *reply, dstr *err) {
    *reply = NULL;
    *err = NULL;
    command *cmd = argc > 0 ? commandLookupByArgv(argv, argc) : NULL;
    if (cmd && cmd->num_subcommands && !cmd->proc) cmd = NULL; /* container without a handler */
    if (!cmd) {
        *err = dstrnew("Unknown Redis command called from script");
        return -1;
    }
    if (!arityOk(cmd, argc)) {
        *err = dstrnew("Wrong number of args calling Redis command from script");
        return -1;
    }
    if (cmd->flags & CMD_NOSCRIPT) {
        *err = dstrnew("This Redis command is not allowed from script");
        return -1;
    }
    if ((ctx->state & SCRIPT_STATE_READ_ONLY) && (cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE))) {
        *err = dstrnew("Write commands are not allowed from read-only scripts.");
        return -1;
    }
    if ((cmd->flags & CMD_DENYOOM) && !(ctx->state & (SCRIPT_STATE_ALLOW_OOM | SCRIPT_STATE_WRITE_DIRTY)) &&
        overMaxmemory() && server.maxmemory_policy == MAXMEMORY_NO_EVICTION) {
        *err = dstrnew("-OOM command not allowed when used memory > 'maxmemory'.");
        return -1;
    }
    client *c = ctx->fake;
    c->argv = argv;
    c->argc = argc;
    c->cmd = cmd;
    c->resp = ctx->resp;
    long long dirty = server.dirty;
    call(c);
    if (cmd->flags & CMD_WRITE) ctx->state |= SCRIPT_STATE_WRITE_DIRTY;
    else if (server.dirty != dirty) ctx->state |= SCRIPT_STATE_WRITE_DIRTY;
    commandDone(c);
    c->argv = NULL;
    c->argc = 0;
    *reply = clientTakeReplies(c);
    return 0;
}

/* ---- RESP reply parser ------------------------------------------------------------------ */

typedef struct {
    const char *p, *end;
    int depth;
} parser;

static const char *findCRLF(parser *ps) {
    for (const char *q = ps->p; q + 1 < ps->end; q++)
        if (q[0] == '\r' && q[1] == '\n') return q;
    return NULL;
}

static int parseLL(const char *s, const char *e, long long *v) {
    char buf[32];
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof(buf)) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *endp;
    *v = strtoll(buf, &endp, 10);
    return *endp == '\0' ? 0 : -1;
}

static scriptReply *parseOne(parser *ps);

static scriptReply *newNode(scriptReplyType t) {
    scriptReply *r = zcalloc(sizeof(*r));
    r->type = t;
    return r;
}

static scriptReply *parseAggregate(parser *ps, scriptReplyType t, long long n) {
    scriptReply *r = newNode(t);
    if (n < 0) return r;
    if (n > (long long)(ps->end - ps->p)) goto fail; /* every element takes >= 1 byte */
    r->elements = (size_t)n;
    r->element = zcalloc(sizeof(scriptReply *) * (r->elements ? r->elements : 1));
    ps->depth++;
    for (size_t i = 0; i < r->elements; i++) {
        r->element[i] = parseOne(ps);
        if (!r->element[i]) goto fail;
    }
    ps->depth--;
    return r;
fail:
    scriptReplyFree(r);
    return NULL;
}

static scriptReply *parseOne(parser *ps) {
    if (ps->p >= ps->end || ps->depth > 10000) return NULL;
    char type = *ps->p++;
    const char *crlf = findCRLF(ps);
    if (!crlf) return NULL;
    const char *line = ps->p;
    size_t linelen = (size_t)(crlf - line);
    ps->p = crlf + 2;
    long long n;
    scriptReply *r;
    switch (type) {
    case '+':
    case '-':
        r = newNode(type == '+' ? SR_STATUS : SR_ERROR);
        r->str = line;
        r->len = linelen;
        return r;
    case ':':
        if (parseLL(line, crlf, &n) < 0) return NULL;
        r = newNode(SR_INTEGER);
        r->integer = n;
        return r;
    case '(':
        r = newNode(SR_BIGNUM);
        r->str = line;
        r->len = linelen;
        return r;
    case '_': return newNode(SR_NULL);
    case '#':
        r = newNode(SR_BOOL);
        r->integer = linelen == 1 && line[0] == 't';
        return r;
    case ',': {
        char buf[512];
        if (linelen >= sizeof(buf)) return NULL;
        memcpy(buf, line, linelen);
        buf[linelen] = '\0';
        r = newNode(SR_DOUBLE);
        r->dval = strtod(buf, NULL);
        return r;
    }
    case '$':
    case '=':
        if (parseLL(line, crlf, &n) < 0) return NULL;
        if (n < 0) return newNode(SR_NULL);
        if ((long long)(ps->end - ps->p) < n + 2) return NULL;
        r = newNode(type == '$' ? SR_BULK : SR_VERBATIM);
        r->str = ps->p;
        r->len = (size_t)n;
        ps->p += n + 2;
        return r;
    case '*':
    case '~':
    case '>':
        if (parseLL(line, crlf, &n) < 0) return NULL;
        if (n < 0) return newNode(SR_NULL_ARRAY);
        return parseAggregate(ps, type == '*' ? SR_ARRAY : (type == '~' ? SR_SET : SR_PUSH), n);
    case '%':
    case '|':
        if (parseLL(line, crlf, &n) < 0 || n < 0 || n > (long long)(ps->end - ps->p)) return NULL;
        return parseAggregate(ps, type == '%' ? SR_MAP : SR_ATTRIBUTE, n * 2);
    default: return NULL;
    }
}

scriptReply *scriptReplyParse(const char *p, size_t len) {
    parser ps = {p, p + len, 0};
    scriptReply *r = parseOne(&ps);
    /* an attribute precedes the reply it describes: keep it as the first part */
    if (r && r->type == SR_ATTRIBUTE) {
        scriptReply *next = parseOne(&ps);
        scriptReplyFree(r);
        r = next;
    }
    return r;
}

void scriptReplyFree(scriptReply *r) {
    if (!r) return;
    for (size_t i = 0; i < r->elements; i++) scriptReplyFree(r->element[i]);
    zfree(r->element);
    zfree(r);
}
