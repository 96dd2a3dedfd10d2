/* functions: Redis 7 Functions. Libraries of Lua code loaded with FUNCTION
 * LOAD register named functions that FCALL / FCALL_RO run; FUNCTION DUMP and
 * FUNCTION RESTORE move the libraries between servers.
 *
 * A library context (libCtx) holds the libraries (by name, case-sensitive)
 * and the functions of all of them (by name, case-insensitive, as Redis). The
 * server has one current context; FUNCTION RESTORE and FUNCTION LOAD build
 * new libraries in a scratch context first and join it to the current one
 * only when everything compiled and no name collides, so a failure never
 * changes the loaded libraries.
 *
 * FUNCTION DUMP payload (the same as Redis 7.0+ and Valkey write):
 *
 *   | offset | size | content                                                   |
 *   |--------|------|-----------------------------------------------------------|
 *   | 0      | 1    | 0xF5 (RDB_OPCODE_FUNCTION2)                               |
 *   | 1      | n    | the library's full code (with its "#!lua name=" line) as  |
 *   |        |      | an RDB string (rio.h: raw, or LZF when that is smaller)   |
 *   | ...    |      | ... one such record per library ...                       |
 *   | L-10   | 2    | RDB version, little-endian (server.dump_rdb_version)      |
 *   | L-8    | 8    | CRC-64/Jones of bytes 0..L-9, little-endian (crc64.h)     |
 *
 * The pre-release record 0xF6 (written only by Redis 7.0 release candidates)
 * is refused with "Pre-GA function format not supported", as Redis 7.2 and
 * Valkey do (Redis 7.0.15 still converted it). Accepted footer versions:
 * 1..13 (Redis) and 80..81 (Valkey). */
#include "call.h"
#include "client.h"
#include "crc64.h"
#include "db.h"
#include "functions.h"
#include "hashtable.h"
#include "reply.h"
#include "rio.h"
#include "script.h"
#include "script_lua.h"
#include "server.h"
#include "siphash.h"
#include "util.h"
#include "zmalloc.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>

#define FUNCTION_LOAD_TIMEOUT_MS 500
#define RDB_OPCODE_FUNCTION_PRE_GA 246
#define RDB_OPCODE_FUNCTION2 245

typedef struct libraryInfo libraryInfo;

typedef struct functionInfo {
    dstr name;
    dstr desc;          /* NULL if none */
    uint64_t flags;     /* SCRIPT_FLAG_* */
    int ref;            /* callback in the functions interpreter */
    libraryInfo *lib;
} functionInfo;

struct libraryInfo {
    dstr name;
    dstr code;          /* the full code as loaded */
    functionInfo **funcs;
    int nfuncs, cap;
};

typedef struct libCtx {
    hashtable *libs;    /* libraryInfo*, by name */
    hashtable *funcs;   /* functionInfo*, by name (case-insensitive) */
} libCtx;

static luaEngine *fn_engine = NULL;
static libCtx *curr_ctx = NULL;

/* ---- hash table types ------------------------------------------------------------- */

static const void *libKey(const void *e) { return ((const libraryInfo *)e)->name; }
static uint64_t libHash(const void *k) { return hashBytes(k, dstrlen((const dstr)k)); }
static int libCompare(const void *a, const void *b) { return dstrcmp((const dstr)a, (const dstr)b); }
static hashtableType libsType = {.entryGetKey = libKey, .hashFunction = libHash, .keyCompare = libCompare};

static const void *fnKey(const void *e) { return ((const functionInfo *)e)->name; }
static uint64_t fnHash(const void *k) { return hashBytesNocase(k, dstrlen((const dstr)k)); }
static int fnCompare(const void *a, const void *b) {
    size_t la = dstrlen((const dstr)a), lb = dstrlen((const dstr)b);
    if (la != lb) return 1;
    return strncasecmp(a, b, la);
}
static hashtableType funcsType = {.entryGetKey = fnKey, .hashFunction = fnHash, .keyCompare = fnCompare};

static void engineInit(void) {
    if (!fn_engine) fn_engine = luaEngineCreate(LUA_ENGINE_FUNCTIONS);
}

static libCtx *libCtxCreate(void) {
    libCtx *ctx = zmalloc(sizeof(*ctx));
    ctx->libs = hashtableCreate(&libsType);
    ctx->funcs = hashtableCreate(&funcsType);
    return ctx;
}

static libCtx *currentCtx(void) {
    if (!curr_ctx) curr_ctx = libCtxCreate();
    return curr_ctx;
}

static void libraryFree(libraryInfo *li) {
    for (int i = 0; i < li->nfuncs; i++) {
        functionInfo *fi = li->funcs[i];
        if (fn_engine) luaFunctionRelease(fn_engine, fi->ref);
        dstrfree(fi->name);
        if (fi->desc) dstrfree(fi->desc);
        zfree(fi);
    }
    zfree(li->funcs);
    dstrfree(li->name);
    dstrfree(li->code);
    zfree(li);
}

/* Remove a library and its functions from ctx (the library is not freed). */
static void libraryUnlink(libCtx *ctx, libraryInfo *li) {
    for (int i = 0; i < li->nfuncs; i++) hashtableDelete(ctx->funcs, li->funcs[i]->name);
    hashtableDelete(ctx->libs, li->name);
}

static void libraryLink(libCtx *ctx, libraryInfo *li) {
    hashtableAdd(ctx->libs, li);
    for (int i = 0; i < li->nfuncs; i++) hashtableAdd(ctx->funcs, li->funcs[i]);
}

static void libCtxFree(libCtx *ctx) {
    if (!ctx) return;
    hashtableIterator it;
    void *e;
    hashtableInitSafeIterator(&it, ctx->libs);
    while (hashtableNext(&it, &e)) libraryFree(e);
    hashtableResetIterator(&it);
    hashtableRelease(ctx->libs);
    hashtableRelease(ctx->funcs);
    zfree(ctx);
}

static libraryInfo *libCtxFindLib(libCtx *ctx, const char *name, size_t len) {
    dstr k = dstrnewlen(name, len);
    void *found = NULL;
    int ok = hashtableFind(ctx->libs, k, &found);
    dstrfree(k);
    return ok ? found : NULL;
}

static functionInfo *libCtxFindFunc(libCtx *ctx, const char *name, size_t len) {
    dstr k = dstrnewlen(name, len);
    void *found = NULL;
    int ok = hashtableFind(ctx->funcs, k, &found);
    dstrfree(k);
    return ok ? found : NULL;
}

/* ---- creating libraries ---------------------------------------------------------------- */

static int verifyName(const char *s, size_t len) {
    if (len == 0) return -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return -1;
    }
    return 0;
}

static const char *const NAME_RULE_ERR =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

static int registerCb(void *ud, const char *name, size_t namelen, const char *desc, size_t desclen, uint64_t flags,
                      int ref, dstr *err) {
    libraryInfo *li = ud;
    if (verifyName(name, namelen) < 0) {
        luaFunctionRelease(fn_engine, ref);
        *err = dstrnew(NAME_RULE_ERR); /* Redis 7.0-7.2 reuse the library message here */
        return -1;
    }
    for (int i = 0; i < li->nfuncs; i++) {
        /* case-sensitive here, as Redis (its global function table is not) */
        if (dstrlen(li->funcs[i]->name) == namelen && !memcmp(li->funcs[i]->name, name, namelen)) {
            luaFunctionRelease(fn_engine, ref);
            *err = dstrnew("Function already exists in the library");
            return -1;
        }
    }
    functionInfo *fi = zcalloc(sizeof(*fi));
    fi->name = dstrnewlen(name, namelen);
    fi->desc = desc ? dstrnewlen(desc, desclen) : NULL;
    fi->flags = flags;
    fi->ref = ref;
    fi->lib = li;
    if (li->nfuncs == li->cap) {
        li->cap = li->cap ? li->cap * 2 : 4;
        li->funcs = zrealloc(li->funcs, sizeof(functionInfo *) * (size_t)li->cap);
    }
    li->funcs[li->nfuncs++] = fi;
    return 0;
}

/* Compile `code` as a library into ctx (replacing a library of the same name
 * when `replace`). Returns the library or NULL with *err (text without
 * "ERR "). ctx is unchanged on failure. */
static libraryInfo *libraryCreate(libCtx *ctx, const char *code, size_t len, int replace, long long timeout_ms,
                                  dstr *err) {
    engineInit();
    if (len < 2 || memcmp(code, "#!", 2) != 0) {
        *err = dstrnew("Missing library metadata");
        return NULL;
    }
    const char *nl = memchr(code, '\n', len);
    if (!nl) {
        *err = dstrnew("Invalid library metadata");
        return NULL;
    }
    dstr line = dstrnewlen(code, (size_t)(nl - code));
    int argc = 0;
    dstr *parts = dstrsplitargs(line, &argc);
    dstrfree(line);
    if (!parts || argc == 0) {
        if (parts) dstrfreesplitres(parts, argc);
        *err = dstrnew("Invalid library metadata");
        return NULL;
    }
    dstr engine = dstrnew(parts[0] + 2);
    dstr name = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strncasecmp(parts[i], "name=", 5)) {
            if (name) {
                *err = dstrnew("Invalid metadata value, name argument was given multiple times");
                goto fail;
            }
            name = dstrnew(parts[i] + 5);
            continue;
        }
        *err = dstrcatprintf(dstrempty(), "Invalid metadata value given: %s", parts[i]);
        goto fail;
    }
    if (!name) {
        *err = dstrnew("Library name was not given");
        goto fail;
    }
    if (verifyName(name, dstrlen(name)) < 0) {
        *err = dstrnew(NAME_RULE_ERR);
        goto fail;
    }
    if (strcasecmp(engine, "lua") != 0) {
        *err = dstrcatprintf(dstrempty(), "Engine '%s' not found", engine);
        goto fail;
    }
    libraryInfo *old = libCtxFindLib(ctx, name, dstrlen(name));
    if (old && !replace) {
        *err = dstrcatprintf(dstrempty(), "Library '%s' already exists", name);
        goto fail;
    }
    if (old) libraryUnlink(ctx, old);
    libraryInfo *li = zcalloc(sizeof(*li));
    li->name = name;
    name = NULL;
    li->code = dstrnewlen(code, len);
    if (luaFunctionsLoad(fn_engine, nl, len - (size_t)(nl - code), timeout_ms, registerCb, li, err) < 0) goto fail_lib;
    if (li->nfuncs == 0) {
        *err = dstrnew("No functions registered");
        goto fail_lib;
    }
    for (int i = 0; i < li->nfuncs; i++) {
        if (libCtxFindFunc(ctx, li->funcs[i]->name, dstrlen(li->funcs[i]->name))) {
            *err = dstrcatprintf(dstrempty(), "Function %s already exists", li->funcs[i]->name);
            goto fail_lib;
        }
    }
    if (old) libraryFree(old);
    libraryLink(ctx, li);
    dstrfree(engine);
    dstrfreesplitres(parts, argc);
    return li;
fail_lib:
    libraryFree(li);
    if (old) libraryLink(ctx, old);
fail:
    dstrfree(engine);
    if (name) dstrfree(name);
    dstrfreesplitres(parts, argc);
    return NULL;
}

/* Move every library of src into dst (FUNCTION RESTORE APPEND/REPLACE).
 * 0 on success (src is left empty); -1 with *err and both unchanged. */
static int libCtxJoin(libCtx *dst, libCtx *src, int replace, dstr *err) {
    hashtableIterator it;
    void *e;
    libraryInfo **old = NULL;
    int nold = 0;
    size_t nsrc = hashtableSize(src->libs);
    old = zmalloc(sizeof(libraryInfo *) * (nsrc ? nsrc : 1));
    hashtableInitSafeIterator(&it, src->libs);
    while (hashtableNext(&it, &e)) {
        libraryInfo *li = e;
        libraryInfo *o = libCtxFindLib(dst, li->name, dstrlen(li->name));
        if (!o) continue;
        if (!replace) {
            *err = dstrcatprintf(dstrempty(), "Library %s already exists", li->name);
            hashtableResetIterator(&it);
            goto undo;
        }
        libraryUnlink(dst, o);
        old[nold++] = o;
    }
    hashtableResetIterator(&it);
    hashtableInitSafeIterator(&it, src->funcs);
    while (hashtableNext(&it, &e)) {
        functionInfo *fi = e;
        if (libCtxFindFunc(dst, fi->name, dstrlen(fi->name))) {
            *err = dstrcatprintf(dstrempty(), "Function %s already exists", fi->name);
            hashtableResetIterator(&it);
            goto undo;
        }
    }
    hashtableResetIterator(&it);
    hashtableInitSafeIterator(&it, src->libs);
    while (hashtableNext(&it, &e)) {
        libraryInfo *li = e;
        libraryUnlink(src, li);
        libraryLink(dst, li);
    }
    hashtableResetIterator(&it);
    for (int i = 0; i < nold; i++) libraryFree(old[i]);
    zfree(old);
    return 0;
undo:
    for (int i = 0; i < nold; i++) libraryLink(dst, old[i]);
    zfree(old);
    return -1;
}

/* ---- commands ---------------------------------------------------------------------------- */

void functionLoadCommand(client *c) {
    int replace = 0;
    int pos = 2;
    while (pos < c->argc - 1) {
        dstr a = c->argv[pos++];
        if (!strcasecmp(a, "replace")) {
            replace = 1;
            continue;
        }
        replyErrorFormat(c, "ERR Unknown option given: %s", a);
        return;
    }
    if (pos >= c->argc) {
        replyError(c, "ERR Function code is missing");
        return;
    }
    dstr code = c->argv[pos];
    dstr err = NULL;
    libraryInfo *li = libraryCreate(currentCtx(), code, dstrlen(code), replace, FUNCTION_LOAD_TIMEOUT_MS, &err);
    if (!li) {
        replyErrorFormat(c, "ERR %s", err);
        dstrfree(err);
        return;
    }
    server.dirty++;
    replyBulk(c, li->name, dstrlen(li->name));
}

static void fcallGeneric(client *c, int ro) {
    /* skip_monitor command: fed to MONITOR before the commands it runs */
    replicationFeedMonitors(c, c->db->id, c->argv, c->argc);
    functionInfo *fi = libCtxFindFunc(currentCtx(), c->argv[1], dstrlen(c->argv[1]));
    if (!fi) {
        replyError(c, "ERR Function not found");
        return;
    }
    long long numkeys;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &numkeys)) {
        replyError(c, "ERR Bad number of keys provided");
        return;
    }
    if (numkeys > c->argc - 3) {
        replyError(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        replyError(c, "ERR Number of keys can't be negative");
        return;
    }
    scriptRunCtx ctx;
    if (scriptPrepareRun(&ctx, c, fi->name, fi->flags, ro, 0) < 0) return;
    luaFunctionCall(fn_engine, fi->ref, &ctx, c->argv + 3, (int)numkeys, c->argv + 3 + numkeys,
                    c->argc - 3 - (int)numkeys);
    scriptResetRun(&ctx);
}

void fcallCommand(client *c) { fcallGeneric(c, 0); }
void fcallRoCommand(client *c) { fcallGeneric(c, 1); }

static void replyFunction(client *c, functionInfo *fi) {
    replyMapLen(c, 3);
    replyBulkCString(c, "name");
    replyBulk(c, fi->name, dstrlen(fi->name));
    replyBulkCString(c, "description");
    if (fi->desc) replyBulk(c, fi->desc, dstrlen(fi->desc));
    else replyNull(c);
    replyBulkCString(c, "flags");
    int n = 0;
    for (int i = 0; scriptFlagsOrder[i]; i++)
        if (fi->flags & scriptFlagsOrder[i]) n++;
    replySetLen(c, n);
    for (int i = 0; scriptFlagsOrder[i]; i++)
        if (fi->flags & scriptFlagsOrder[i]) replyStatus(c, scriptFlagName(scriptFlagsOrder[i]));
}

void functionListCommand(client *c) {
    int with_code = 0;
    dstr pattern = NULL;
    for (int i = 2; i < c->argc; i++) {
        dstr a = c->argv[i];
        if (!with_code && !strcasecmp(a, "withcode")) {
            with_code = 1;
            continue;
        }
        if (!pattern && !strcasecmp(a, "libraryname")) {
            if (i >= c->argc - 1) {
                replyError(c, "ERR library name argument was not given");
                return;
            }
            pattern = c->argv[++i];
            continue;
        }
        replyErrorFormat(c, "ERR Unknown argument %s", a);
        return;
    }
    libCtx *ctx = currentCtx();
    void *node = replyDeferredLen(c);
    long n = 0;
    hashtableIterator it;
    void *e;
    hashtableInitIterator(&it, ctx->libs);
    while (hashtableNext(&it, &e)) {
        libraryInfo *li = e;
        if (pattern && !stringmatchlen(pattern, dstrlen(pattern), li->name, dstrlen(li->name), 1)) continue;
        n++;
        replyMapLen(c, with_code ? 4 : 3);
        replyBulkCString(c, "library_name");
        replyBulk(c, li->name, dstrlen(li->name));
        replyBulkCString(c, "engine");
        replyBulkCString(c, "LUA");
        replyBulkCString(c, "functions");
        replyArrayLen(c, li->nfuncs);
        for (int i = 0; i < li->nfuncs; i++) replyFunction(c, li->funcs[i]);
        if (with_code) {
            replyBulkCString(c, "library_code");
            replyBulk(c, li->code, dstrlen(li->code));
        }
    }
    hashtableResetIterator(&it);
    setDeferredArrayLen(c, node, n);
}

void functionDeleteCommand(client *c) {
    libCtx *ctx = currentCtx();
    libraryInfo *li = libCtxFindLib(ctx, c->argv[2], dstrlen(c->argv[2]));
    if (!li) {
        replyError(c, "ERR Library not found");
        return;
    }
    libraryUnlink(ctx, li);
    libraryFree(li);
    server.dirty++;
    replyOk(c);
}

void functionFlushCommand(client *c) {
    if (c->argc > 3) {
        replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try FUNCTION HELP.",
                         c->argv[1]);
        return;
    }
    if (c->argc == 3 && strcasecmp(c->argv[2], "sync") != 0 && strcasecmp(c->argv[2], "async") != 0) {
        replyError(c, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    libCtxFree(curr_ctx);
    curr_ctx = NULL;
    if (fn_engine) luaEngineCollect(fn_engine);
    server.dirty++;
    replyOk(c);
}

void functionKillCommand(client *c) { scriptKill(c, 0); }

void functionStatsCommand(client *c) {
    replyMapLen(c, 2);
    replyBulkCString(c, "running_script");
    scriptRunCtx *rc = scriptCurrent();
    if (!rc || (rc->state & SCRIPT_STATE_EVAL_MODE)) {
        replyNull(c);
    } else {
        replyMapLen(c, 3);
        replyBulkCString(c, "name");
        replyBulkCString(c, rc->funcname);
        replyBulkCString(c, "command");
        replyArrayLen(c, rc->caller->argc);
        for (int i = 0; i < rc->caller->argc; i++) replyBulkDstr(c, rc->caller->argv[i]);
        replyBulkCString(c, "duration_ms");
        replyLongLong(c, elMonotonicMs() - rc->start_ms);
    }
    replyBulkCString(c, "engines");
    replyMapLen(c, 1);
    replyBulkCString(c, "LUA");
    replyMapLen(c, 2);
    libCtx *ctx = currentCtx();
    replyBulkCString(c, "libraries_count");
    replyLongLong(c, (long long)hashtableSize(ctx->libs));
    replyBulkCString(c, "functions_count");
    replyLongLong(c, (long long)hashtableSize(ctx->funcs));
}

void functionHelpCommand(client *c) {
    static const char *help[] = {
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
        "RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        NULL};
    replyHelp(c, help);
}

/* ---- DUMP / RESTORE --------------------------------------------------------------------- */

/* Serialize every library of the current context (see the header comment). */
static dstr functionsDumpPayload(int rdbver) {
    rio r;
    rioInitDstrWriter(&r, NULL);
    libCtx *ctx = currentCtx();
    hashtableIterator it;
    void *e;
    hashtableInitIterator(&it, ctx->libs);
    while (hashtableNext(&it, &e)) {
        libraryInfo *li = e;
        rioWriteU8(&r, RDB_OPCODE_FUNCTION2);
        rioWriteString(&r, li->code, dstrlen(li->code));
    }
    hashtableResetIterator(&it);
    rioWriteU16LE(&r, (uint16_t)rdbver);
    dstr out = rioDetachDstr(&r);
    uint64_t crc = crc64(0, out, dstrlen(out));
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(crc >> (8 * i));
    return dstrcatlen(out, b, 8);
}

void functionDumpCommand(client *c) {
    dstr p = functionsDumpPayload(server.dump_rdb_version);
    replyBulk(c, p, dstrlen(p));
    dstrfree(p);
}

/* Footer check: 0 if the version is one we read and the CRC matches. */
static int verifyPayload(const unsigned char *p, size_t len) {
    if (len < 10) return -1;
    unsigned ver = (unsigned)p[len - 10] | ((unsigned)p[len - 9] << 8);
    if (!((ver >= 1 && ver <= 13) || ver == 80 || ver == 81)) return -1;
    uint64_t crc = crc64(0, p, len - 8);
    for (int i = 0; i < 8; i++)
        if (p[len - 8 + i] != (unsigned char)(crc >> (8 * i))) return -1;
    return 0;
}

int functionsRestore(const unsigned char *p, size_t len, int policy, long long timeout_ms, dstr *err) {
    *err = NULL;
    if (verifyPayload(p, len) < 0) {
        *err = dstrnew("DUMP payload version or checksum are wrong");
        return -1;
    }
    /* Compile everything into a scratch context first. As in Redis, the
     * reader covers the whole payload (a string may run into the footer). */
    libCtx *scratch = libCtxCreate();
    rio r;
    rioInitReader(&r, p, len);
    while (rioTell(&r) < len - 10) {
        uint8_t type;
        if (rioReadU8(&r, &type) < 0) {
            *err = dstrnew("can not read data type");
            break;
        }
        dstr code = NULL;
        if (type == RDB_OPCODE_FUNCTION_PRE_GA) {
            *err = dstrnew("Pre-GA function format not supported");
            break;
        } else if (type == RDB_OPCODE_FUNCTION2) {
            code = rioReadString(&r);
        } else {
            *err = dstrnew("given type is not a function");
            break;
        }
        if (!code) {
            *err = dstrnew("Failed loading library payload");
            break;
        }
        libraryInfo *li = libraryCreate(scratch, code, dstrlen(code), 0, timeout_ms, err);
        dstrfree(code);
        if (!li) break;
    }
    if (!*err) {
        if (policy == FUNCTIONS_RESTORE_FLUSH) {
            libCtxFree(curr_ctx);
            curr_ctx = scratch;
            scratch = NULL;
        } else {
            libCtxJoin(currentCtx(), scratch, policy == FUNCTIONS_RESTORE_REPLACE, err);
        }
    }
    libCtxFree(scratch);
    return *err ? -1 : 0;
}

void functionRestoreCommand(client *c) {
    if (c->argc > 4) {
        replyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try FUNCTION HELP.",
                         c->argv[1]);
        return;
    }
    int policy = FUNCTIONS_RESTORE_APPEND;
    if (c->argc == 4) {
        if (!strcasecmp(c->argv[3], "append")) policy = FUNCTIONS_RESTORE_APPEND;
        else if (!strcasecmp(c->argv[3], "replace")) policy = FUNCTIONS_RESTORE_REPLACE;
        else if (!strcasecmp(c->argv[3], "flush")) policy = FUNCTIONS_RESTORE_FLUSH;
        else {
            replyError(c, "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return;
        }
    }
    dstr err = NULL;
    /* no load timeout, as Redis: the payload's code is trusted like an RDB */
    if (functionsRestore((const unsigned char *)c->argv[2], dstrlen(c->argv[2]), policy, 0, &err) < 0) {
        replyErrorFormat(c, "ERR %s", err);
        dstrfree(err);
        return;
    }
    server.dirty++;
    replyOk(c);
}

size_t functionsMemoryLua(void) { return fn_engine ? luaEngineMemory(fn_engine) : 0; }
size_t functionsCount(void) { return curr_ctx ? hashtableSize(curr_ctx->funcs) : 0; }
size_t functionsLibCount(void) { return curr_ctx ? hashtableSize(curr_ctx->libs) : 0; }
