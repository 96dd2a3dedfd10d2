/* eval: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and the SCRIPT command.
 *
 * Scripts are cached by the SHA-1 of their body (as Redis): EVAL and SCRIPT
 * LOAD compile a body once into the EVAL Lua interpreter; SCRIPT FLUSH
 * drops the cache and the interpreter. A body may start with a shebang line
 * "#!lua [flags=f1,f2,...]" giving script flags (script.h); without it the
 * script runs in compatibility mode (may write, runs when over maxmemory). */
#include "call.h"
#include "client.h"
#include "db.h"
#include "eval.h"
#include "functions.h"
#include "hashtable.h"
#include "reply.h"
#include "script.h"
#include "script_lua.h"
#include "server.h"
#include "siphash.h"
#include "util.h"
#include "zmalloc.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct evalScript {
    dstr sha;       /* 40 lower-case hex chars */
    uint64_t flags; /* SCRIPT_FLAG_* from the shebang */
} evalScript;

static luaEngine *eval_engine = NULL;
static hashtable *eval_scripts = NULL;

static const void *esKey(const void *entry) { return ((const evalScript *)entry)->sha; }
static uint64_t esHash(const void *key) { return hashBytes(key, dstrlen((const dstr)key)); }
static int esCompare(const void *a, const void *b) { return dstrcmp((const dstr)a, (const dstr)b); }
static void esFree(void *entry) {
    evalScript *es = entry;
    dstrfree(es->sha);
    zfree(es);
}
static hashtableType evalScriptsType = {
    .entryGetKey = esKey, .hashFunction = esHash, .keyCompare = esCompare, .entryDestructor = esFree};

static void evalInit(void) {
    if (eval_engine) return;
    eval_engine = luaEngineCreate(LUA_ENGINE_EVAL);
    eval_scripts = hashtableCreate(&evalScriptsType);
}

/* Parse the shebang of an EVAL body. Returns 0 and sets *flags and
 * *shebang_len (0 when there is none), or -1 with *err. */
static int evalExtractShebangFlags(const char *body, size_t len, uint64_t *flags, size_t *shebang_len, dstr *err) {
    *flags = SCRIPT_FLAG_EVAL_COMPAT_MODE;
    *shebang_len = 0;
    if (len < 2 || memcmp(body, "#!", 2) != 0) return 0;
    const char *nl = memchr(body, '\n', len);
    if (!nl) {
        *err = dstrnew("ERR Invalid script shebang");
        return -1;
    }
    dstr line = dstrnewlen(body, (size_t)(nl - body));
    int argc = 0;
    dstr *parts = dstrsplitargs(line, &argc);
    dstrfree(line);
    if (!parts || argc == 0) {
        if (parts) dstrfreesplitres(parts, argc);
        *err = dstrnew("ERR Invalid engine in script shebang");
        return -1;
    }
    if (strcmp(parts[0], "#!lua") != 0) {
        *err = dstrcatprintf(dstrempty(), "ERR Unexpected engine in script shebang: %s", parts[0]);
        dstrfreesplitres(parts, argc);
        return -1;
    }
    uint64_t f = 0;
    for (int j = 1; j < argc; j++) {
        if (!strncmp(parts[j], "flags=", 6)) {
            const char *p = parts[j] + 6;
            const char *end = parts[j] + dstrlen(parts[j]);
            while (p <= end) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                const char *e = comma ? comma : end;
                if (e > p || comma) {
                    uint64_t bit = scriptFlagByName(p, (size_t)(e - p));
                    if (!bit) {
                        *err = dstrcatprintf(dstrempty(), "ERR Unexpected flag in script shebang: %.*s",
                                             (int)(e - p), p);
                        dstrfreesplitres(parts, argc);
                        return -1;
                    }
                    f |= bit;
                }
                if (!comma) break;
                p = comma + 1;
            }
        } else {
            *err = dstrcatprintf(dstrempty(), "ERR Unknown lua shebang option: %s", parts[j]);
            dstrfreesplitres(parts, argc);
            return -1;
        }
    }
    dstrfreesplitres(parts, argc);
    *flags = f;
    *shebang_len = (size_t)(nl - body);
    return 0;
}

/* Find or compile `body`; returns the cache entry or NULL after replying an error. */
static evalScript *evalCreateScript(client *c, const dstr body) {
    evalInit();
    char sha[41];
    scriptSha1Hex(sha, body, dstrlen(body));
    dstr key = dstrnewlen(sha, 40);
    void *found;
    if (hashtableFind(eval_scripts, key, &found)) {
        dstrfree(key);
        return found;
    }
    uint64_t flags;
    size_t shebang_len;
    dstr err = NULL;
    if (evalExtractShebangFlags(body, dstrlen(body), &flags, &shebang_len, &err) < 0) {
        replyError(c, err);
        dstrfree(err);
        dstrfree(key);
        return NULL;
    }
    /* the shebang line is skipped but its newline kept, so line numbers hold */
    if (luaEvalCreate(eval_engine, sha, body + shebang_len, dstrlen(body) - shebang_len, &err) < 0) {
        replyError(c, err);
        dstrfree(err);
        dstrfree(key);
        return NULL;
    }
    evalScript *es = zmalloc(sizeof(*es));
    es->sha = key;
    es->flags = flags;
    hashtableAdd(eval_scripts, es);
    return es;
}

static evalScript *evalLookup(const char *sha, size_t len) {
    if (!eval_scripts || len != 40) return NULL;
    char lower[41];
    for (int i = 0; i < 40; i++) lower[i] = (sha[i] >= 'A' && sha[i] <= 'Z') ? (char)(sha[i] + 32) : sha[i];
    dstr key = dstrnewlen(lower, 40);
    void *found = NULL;
    int ok = hashtableFind(eval_scripts, key, &found);
    dstrfree(key);
    return ok ? found : NULL;
}

/* Parse numkeys at argv[2]; -1 after replying an error. */
static long long evalGetNumKeys(client *c) {
    long long numkeys;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &numkeys)) {
        replyErrorNotInteger(c);
        return -1;
    }
    if (numkeys > c->argc - 3) {
        replyError(c, "ERR Number of keys can't be greater than number of args");
        return -1;
    }
    if (numkeys < 0) {
        replyError(c, "ERR Number of keys can't be negative");
        return -1;
    }
    return numkeys;
}

static void evalGenericCommand(client *c, int evalsha, int ro) {
    long long numkeys = evalGetNumKeys(c);
    if (numkeys < 0) return;
    evalScript *es;
    if (evalsha) {
        es = evalLookup(c->argv[1], dstrlen(c->argv[1]));
        if (!es) {
            replyError(c, "NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
    } else {
        es = evalCreateScript(c, c->argv[1]);
        if (!es) return;
    }
    scriptRunCtx ctx;
    char sha[41];
    memcpy(sha, es->sha, 41);
    if (scriptPrepareRun(&ctx, c, sha, es->flags, ro, 1) < 0) return;
    luaEvalRun(eval_engine, sha, &ctx, c->argv + 3, (int)numkeys, c->argv + 3 + numkeys,
               c->argc - 3 - (int)numkeys);
    scriptResetRun(&ctx);
}

/* EVAL* are skip_monitor commands: they are fed to MONITOR here, before the
 * commands the script runs (as Redis). */
void evalCommand(client *c) {
    replicationFeedMonitors(c, c->db->id, c->argv, c->argc);
    evalGenericCommand(c, 0, 0);
}
void evalRoCommand(client *c) {
    replicationFeedMonitors(c, c->db->id, c->argv, c->argc);
    evalGenericCommand(c, 0, 1);
}
void evalshaCommand(client *c) {
    replicationFeedMonitors(c, c->db->id, c->argv, c->argc);
    evalGenericCommand(c, 1, 0);
}
void evalshaRoCommand(client *c) {
    replicationFeedMonitors(c, c->db->id, c->argv, c->argc);
    evalGenericCommand(c, 1, 1);
}

void scriptLoadCommand(client *c) {
    evalScript *es = evalCreateScript(c, c->argv[2]);
    if (es) replyBulk(c, es->sha, 40);
}

void scriptExistsCommand(client *c) {
    replyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) replyLongLong(c, evalLookup(c->argv[j], dstrlen(c->argv[j])) != NULL);
}

void scriptFlushCommand(client *c) {
    if (c->argc > 3 ||
        (c->argc == 3 && strcasecmp(c->argv[2], "sync") != 0 && strcasecmp(c->argv[2], "async") != 0)) {
        replyError(c, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    if (eval_engine) {
        luaEngineFree(eval_engine);
        hashtableRelease(eval_scripts);
        eval_engine = NULL;
        eval_scripts = NULL;
    }
    replyOk(c);
}

void scriptKillCommand(client *c) { scriptKill(c, 1); }

void scriptHelpCommand(client *c) {
    static const char *help[] = {
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        NULL};
    replyHelp(c, help);
}

size_t evalMemoryLua(void) { return eval_engine ? luaEngineMemory(eval_engine) : 0; }
size_t evalScriptsCount(void) { return eval_scripts ? hashtableSize(eval_scripts) : 0; }

static void humanBytes(char *buf, size_t len, size_t n) {
    if (n < 1024) snprintf(buf, len, "%zuB", n);
    else if (n < 1024 * 1024) snprintf(buf, len, "%.2fK", (double)n / 1024);
    else if (n < 1024 * 1024 * 1024) snprintf(buf, len, "%.2fM", (double)n / (1024 * 1024));
    else snprintf(buf, len, "%.2fG", (double)n / (1024.0 * 1024 * 1024));
}

dstr evalInfoMemory(dstr s) {
    char h1[32], h2[32];
    size_t ev = evalMemoryLua(), fv = functionsMemoryLua();
    humanBytes(h1, sizeof(h1), ev);
    humanBytes(h2, sizeof(h2), ev + fv);
    return dstrcatprintf(s,
                         "used_memory_lua:%zu\r\nused_memory_vm_eval:%zu\r\nused_memory_lua_human:%s\r\n"
                         "number_of_cached_scripts:%zu\r\nnumber_of_functions:%zu\r\nnumber_of_libraries:%zu\r\n"
                         "used_memory_vm_functions:%zu\r\nused_memory_vm_total:%zu\r\n"
                         "used_memory_vm_total_human:%s\r\n",
                         ev, ev, h1, evalScriptsCount(), functionsCount(), functionsLibCount(), fv, ev + fv, h2);
}
