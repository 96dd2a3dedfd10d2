/* script_lua: the Lua 5.1 engine (the only code that includes <lua.h>).
 *
 * Two kinds of interpreter exist: one for EVAL scripts and one for function
 * libraries; each is a luaEngine. Both offer the same sandbox:
 *   - the global names Redis 7.0.15 gives scripts: base functions minus
 *     loadfile, dofile, print, getfenv, setfenv, newproxy (loadstring/load
 *     refuse binary chunks, i.e. text starting with "\033"), table, string,
 *     math (random and randomseed replaced by a deterministic 48-bit LCG with
 *     POSIX lrand48 formulas, seeded with 0 at start-up, as Redis),
 *     coroutine, cjson and bit (Debian lua-cjson / lua-bitop, linked), cmsgpack
 *     and struct (written for Cairn: script_lua_msgpack.inc /
 *     script_lua_struct.inc); no os, io, debug, package/require;
 *   - every global and every library table is read-only: scripts see proxy
 *     tables whose writes fail with "Attempt to modify a readonly table";
 *     reading a missing global fails with "Script attempted to access
 *     nonexistent global variable '<name>'";
 *   - the `redis` table (also named `server`): call, pcall, error_reply,
 *     status_reply, sha1hex, log + LOG_*, setresp, set_repl + REPL_*,
 *     replicate_commands, breakpoint, debug, acl_check_cmd, REDIS_VERSION,
 *     REDIS_VERSION_NUM (and register_function for libraries);
 *   - memory is capped (LUA_MEMORY_LIMIT bytes per interpreter; allocations
 *     past it fail with Lua's "not enough memory"), recursion by Lua's own
 *     limits, and a count hook calls scriptInterrupt() so long scripts can be
 *     killed and the server stays responsive.
 * Replies convert between Lua and RESP exactly as Redis documents. */
#ifndef CAIRN_SCRIPT_LUA_H
#define CAIRN_SCRIPT_LUA_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"
#include "script.h"

#define LUA_MEMORY_LIMIT (256ULL * 1024 * 1024)

typedef struct luaEngine luaEngine;

#define LUA_ENGINE_EVAL 0
#define LUA_ENGINE_FUNCTIONS 1

/* Create an interpreter of the given kind. Never NULL (aborts on OOM). */
luaEngine *luaEngineCreate(int kind);
void luaEngineFree(luaEngine *e);
/* Bytes the interpreter has allocated. */
size_t luaEngineMemory(const luaEngine *e);
/* Full garbage collection. */
void luaEngineCollect(luaEngine *e);

/* ---- EVAL ------------------------------------------------------------------------ */
/* Compile `body` (`len` bytes; for a script with a shebang, the text from the
 * shebang's newline on) as the script `sha` (40 hex chars). 0 on success;
 * -1 with *err (new dstr, e.g. "Error compiling script (new function):
 * user_script:1: ...") otherwise. Binary chunks are refused. */
int luaEvalCreate(luaEngine *e, const char *sha, const char *body, size_t len, dstr *err);
/* Run script `sha` (created before) with the KEYS and ARGV globals set;
 * the reply (or error) goes to ctx->caller. */
void luaEvalRun(luaEngine *e, const char *sha, scriptRunCtx *ctx, dstr *keys, int nkeys, dstr *args, int nargs);

/* ---- functions --------------------------------------------------------------------- */
/* Called for each redis.register_function during luaFunctionsLoad. `name`
 * and `desc` (NULL if none) are borrowed; `ref` identifies the callback
 * (release it with luaFunctionRelease if the library is dropped). Return 0,
 * or -1 with *err set (new dstr, text without "ERR ") to fail the load. */
typedef int luaRegisterCb(void *ud, const char *name, size_t namelen, const char *desc, size_t desclen,
                          uint64_t flags, int ref, dstr *err);
/* Run a library's code (`code`, the text from the shebang's newline on) in
 * load mode: only redis.register_function/log/LOG_* and the version fields
 * exist; a run longer than `timeout_ms` fails with "FUNCTION LOAD timeout".
 * 0 on success; -1 with *err (new dstr: "Error compiling function: ..." or
 * "Error registering functions: ...") otherwise; callbacks registered
 * before a failure were already reported to `cb` and are the caller's to
 * release. */
int luaFunctionsLoad(luaEngine *e, const char *code, size_t len, long long timeout_ms, luaRegisterCb *cb, void *ud,
                     dstr *err);
/* Call function callback `ref` with (keys, args) tables; reply to ctx->caller. */
void luaFunctionCall(luaEngine *e, int ref, scriptRunCtx *ctx, dstr *keys, int nkeys, dstr *args, int nargs);
/* Drop a registered callback. */
void luaFunctionRelease(luaEngine *e, int ref);

#endif
