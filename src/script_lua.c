/* script_lua: the Lua 5.1 engine behind EVAL and FUNCTION (see script_lua.h).
 * This is the only file that includes the Lua headers; the cmsgpack and
 * struct libraries are compiled into it from script_lua_msgpack.inc and
 * script_lua_struct.inc. */
#include "script_lua.h"
#include "client.h"
#include "commands.h"
#include "event.h"
#include "reply.h"
#include "server.h"
#include "zmalloc.h"
#include <lauxlib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct luaEngine {
    lua_State *L;
    int kind;
    size_t used;              /* bytes allocated by the interpreter */
    int load_mode;            /* running a library's code (FUNCTION LOAD) */
    long long load_start, load_timeout;
    luaRegisterCb *cb;        /* load mode: where registrations go */
    void *cb_ud;
};

/* Registry keys */
#define REG_GLOBALS_PROXY "cairn_gproxy"    /* the _G scripts see */
#define REG_CUR_GLOBALS "cairn_cur_globals" /* table global reads resolve in */
#define REG_LOAD_GLOBALS "cairn_load_globals"
#define REG_ERRH "cairn_err_handler"

/* ---- memory ------------------------------------------------------------------------ */

static void *luaAlloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    luaEngine *e = ud;
    if (nsize == 0) {
        free(ptr);
        e->used -= osize;
        return NULL;
    }
    if (nsize > osize && e->used - osize + nsize > LUA_MEMORY_LIMIT) return NULL; /* Lua raises "not enough memory" */
    void *p = realloc(ptr, nsize);
    if (p) e->used = e->used - osize + nsize;
    return p;
}

static luaEngine *engineOf(lua_State *L) {
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* ---- errors ---------------------------------------------------------------------------- */

/* Push an error table {err="CODE msg"} the way Redis builds it: "-CODE msg"
 * keeps its code, plain "msg" gets "ERR"; trailing CR/LF trimmed. */
static void pushErrorTable(lua_State *L, const char *s, size_t len) {
    dstr code, msg;
    if (len && s[0] == '-') {
        const char *sp = memchr(s, ' ', len);
        if (!sp) {
            code = dstrnew("ERR");
            msg = dstrnewlen(s + 1, len - 1);
        } else {
            code = dstrnewlen(s + 1, (size_t)(sp - s - 1));
            msg = dstrnewlen(sp + 1, len - (size_t)(sp - s) - 1);
        }
    } else {
        code = dstrnew("ERR");
        msg = dstrnewlen(s, len);
    }
    size_t ml = dstrlen(msg);
    while (ml && (msg[ml - 1] == '\r' || msg[ml - 1] == '\n')) ml--;
    code = dstrcat(code, " ");
    code = dstrcatlen(code, msg, ml);
    dstrfree(msg);
    /* copy to the Lua stack before anything may raise */
    char buf[256];
    size_t fl = dstrlen(code);
    if (fl < sizeof(buf)) {
        memcpy(buf, code, fl);
        dstrfree(code);
        lua_newtable(L);
        lua_pushliteral(L, "err");
        lua_pushlstring(L, buf, fl);
        lua_rawset(L, -3);
        return;
    }
    /* long messages: push the string first (a failure here only leaks nothing) */
    lua_pushlstring(L, code, fl);
    dstrfree(code);
    lua_newtable(L);
    lua_pushliteral(L, "err");
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_remove(L, -2);
}

/* (long long)d as x86-64 computes it: values out of range and NaN give
 * LLONG_MIN (what Redis replies for `return 1e30`), without C's undefined
 * behaviour. */
static long long numberToLL(lua_Number d) {
    if (d != d || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return (long long)INT64_MIN;
    return (long long)d;
}

/* (int)d for API arguments, out-of-range values map to INT_MIN (no C UB). */
static int numberToInt(lua_Number d) {
    if (d != d || d >= 2147483648.0 || d <= -2147483649.0) return INT32_MIN;
    return (int)d;
}

static int raiseErrorTable(lua_State *L, const char *s) {
    pushErrorTable(L, s, strlen(s));
    return lua_error(L);
}

/* Error handler of every script call: add the source and line of the code
 * that failed to the error table (string errors become {err="ERR <msg>"}). */
static int errorHandler(lua_State *L) {
    lua_Debug ar;
    int have = 0;
    if (lua_getstack(L, 1, &ar)) {
        lua_getinfo(L, "Sl", &ar);
        have = 1;
        if (!strcmp(ar.what, "C")) {
            have = 0;
            if (lua_getstack(L, 2, &ar)) {
                lua_getinfo(L, "Sl", &ar);
                have = 1;
            }
        }
    }
    if (!lua_istable(L, 1)) {
        const char *m = lua_tostring(L, 1);
        lua_newtable(L);
        lua_pushliteral(L, "err");
        lua_pushliteral(L, "ERR ");
        if (m) lua_pushstring(L, m);
        else lua_pushstring(L, luaL_typename(L, 1));
        lua_concat(L, 2);
        lua_rawset(L, -3);
        lua_replace(L, 1);
        lua_settop(L, 1);
    }
    if (have) {
        lua_pushliteral(L, "source");
        lua_pushstring(L, ar.source);
        lua_rawset(L, 1);
        lua_pushliteral(L, "line");
        lua_pushinteger(L, ar.currentline);
        lua_rawset(L, 1);
    }
    lua_settop(L, 1);
    return 1;
}

/* ---- read-only globals ------------------------------------------------------------------ */

static int roNewIndex(lua_State *L) { return luaL_error(L, "Attempt to modify a readonly table"); }

static int globalIndex(lua_State *L) {
    /* 1: proxy, 2: key */
    lua_getfield(L, LUA_REGISTRYINDEX, REG_CUR_GLOBALS);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
    const char *k = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", k ? k : "?");
}

static int isProtected(lua_State *L, int idx) {
    if (idx < 0) idx = lua_gettop(L) + idx + 1;
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    int prot = !lua_isnil(L, -1);
    lua_pop(L, 2);
    return prot;
}

/* __index of the load-mode redis table: missing fields fail like globals. */
static int strictIndex(lua_State *L) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1)) return 1;
    const char *k = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", k ? k : "?");
}

/* Replace the table at the top of the stack by a read-only proxy of it. */
static void makeProxy(lua_State *L) {
    lua_newtable(L);                                     /* real, proxy */
    lua_newtable(L);                                     /* real, proxy, meta */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, roNewIndex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                             /* real, proxy */
    /* remember proxy -> real for next/pairs */
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -4);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_remove(L, -2);
}

/* If the value at idx is a proxy, replace it by the table it protects. */
static void unproxy(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TTABLE) return;
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    if (lua_istable(L, -1)) lua_replace(L, idx);
    else lua_pop(L, 1);
    lua_pop(L, 1);
}

static int safeNext(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    unproxy(L, 1);
    lua_settop(L, 2);
    if (lua_next(L, 1)) return 2;
    lua_pushnil(L);
    return 1;
}

static int safePairs(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushcfunction(L, safeNext);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int safeRawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (isProtected(L, 1)) {
        lua_pushliteral(L, "Attempt to modify a readonly table");
        return lua_error(L);
    }
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int safeSetmetatable(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (isProtected(L, 1)) {
        lua_pushliteral(L, "Attempt to modify a readonly table");
        return lua_error(L);
    }
    int t = lua_type(L, 2);
    luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
    if (luaL_getmetafield(L, 1, "__metatable")) luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* loadstring / load without binary chunks */
static int safeLoadstring(lua_State *L) {
    size_t l;
    const char *s = luaL_checklstring(L, 1, &l);
    const char *name = luaL_optstring(L, 2, s);
    if (l > 0 && s[0] == '\033') {
        lua_pushnil(L);
        lua_pushliteral(L, "Binary chunks are not allowed");
        return 2;
    }
    int st = luaL_loadbuffer(L, s, l, name);
    if (st == 0) {
        lua_getfield(L, LUA_REGISTRYINDEX, REG_GLOBALS_PROXY);
        lua_setfenv(L, -2);
        return 1;
    }
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
}

static int safeLoad(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    const char *name = luaL_optstring(L, 2, "=(load)");
    luaL_Buffer b;
    lua_settop(L, 2);
    luaL_buffinit(L, &b);
    for (;;) {
        lua_pushvalue(L, 1);
        lua_call(L, 0, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_pushcfunction(L, safeLoadstring);
    lua_insert(L, -2);
    lua_pushstring(L, name);
    lua_call(L, 2, 2);
    return 2;
}

/* ---- deterministic math.random ------------------------------------------------------------
 * A 48-bit linear congruential generator with POSIX drand48's constants
 * (a = 0x5DEECE66D, c = 0xB); srand48(seed) sets the state to
 * seed << 16 | 0x330E and lrand48() returns the top 31 bits. Redis seeds it
 * with 0 at start, so scripts see the same sequence. */
static uint64_t rand48_state = ((uint64_t)0 << 16) | 0x330E;

static void rand48Seed(int32_t seed) { rand48_state = ((uint64_t)(uint32_t)seed << 16) | 0x330E; }

static int32_t rand48Next(void) {
    rand48_state = (0x5DEECE66DULL * rand48_state + 0xB) & ((1ULL << 48) - 1);
    return (int32_t)(rand48_state >> 17);
}

static int mathRandom(lua_State *L) {
    lua_Number r = (lua_Number)(rand48Next() % 2147483647) / (lua_Number)2147483647;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, r); break;
    case 1: {
        int u = luaL_checkint(L, 1);
        luaL_argcheck(L, 1 <= u, 1, "interval is empty");
        lua_pushnumber(L, floor(r * u) + 1);
        break;
    }
    case 2: {
        int l = luaL_checkint(L, 1);
        int u = luaL_checkint(L, 2);
        luaL_argcheck(L, l <= u, 2, "interval is empty");
        lua_pushnumber(L, floor(r * (u - l + 1)) + l);
        break;
    }
    default: return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int mathRandomseed(lua_State *L) {
    rand48Seed((int32_t)luaL_checkint(L, 1));
    return 0;
}

/* ---- reply -> Lua ------------------------------------------------------------------------ */

static void replyToLua(lua_State *L, const scriptReply *r) {
    luaL_checkstack(L, 6, "reached lua stack limit");
    switch (r->type) {
    case SR_INTEGER: lua_pushnumber(L, (lua_Number)r->integer); break;
    case SR_BULK: lua_pushlstring(L, r->str, r->len); break;
    case SR_NULL:
        /* RESP2 null bulk is false, the RESP3 null is nil */
        if (engineOf(L) && scriptCurrent() && scriptCurrent()->resp == 3) lua_pushnil(L);
        else lua_pushboolean(L, 0);
        break;
    case SR_NULL_ARRAY:
        if (scriptCurrent() && scriptCurrent()->resp == 3) lua_pushnil(L);
        else lua_pushboolean(L, 0);
        break;
    case SR_STATUS:
        lua_newtable(L);
        lua_pushliteral(L, "ok");
        lua_pushlstring(L, r->str, r->len);
        lua_rawset(L, -3);
        break;
    case SR_ERROR: {
        lua_pushliteral(L, "-");
        lua_pushlstring(L, r->str, r->len);
        lua_concat(L, 2);
        size_t l;
        const char *s = lua_tolstring(L, -1, &l);
        pushErrorTable(L, s, l);
        lua_remove(L, -2);
        /* already counted in the error stats when the command replied it */
        lua_pushliteral(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        break;
    }
    case SR_BOOL: lua_pushboolean(L, (int)r->integer); break;
    case SR_DOUBLE:
        lua_newtable(L);
        lua_pushliteral(L, "double");
        lua_pushnumber(L, r->dval);
        lua_rawset(L, -3);
        break;
    case SR_BIGNUM:
        lua_newtable(L);
        lua_pushliteral(L, "big_number");
        lua_pushlstring(L, r->str, r->len);
        lua_rawset(L, -3);
        break;
    case SR_VERBATIM:
        lua_newtable(L);
        lua_pushliteral(L, "verbatim_string");
        lua_newtable(L);
        lua_pushliteral(L, "format");
        lua_pushlstring(L, r->str, r->len >= 3 ? 3 : r->len);
        lua_rawset(L, -3);
        lua_pushliteral(L, "string");
        if (r->len >= 4) lua_pushlstring(L, r->str + 4, r->len - 4);
        else lua_pushliteral(L, "");
        lua_rawset(L, -3);
        lua_rawset(L, -3);
        break;
    case SR_ARRAY:
    case SR_PUSH:
        lua_createtable(L, (int)r->elements, 0);
        for (size_t i = 0; i < r->elements; i++) {
            replyToLua(L, r->element[i]);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    case SR_MAP:
    case SR_ATTRIBUTE:
        lua_newtable(L);
        lua_pushliteral(L, "map");
        lua_newtable(L);
        for (size_t i = 0; i + 1 < r->elements; i += 2) {
            replyToLua(L, r->element[i]);
            replyToLua(L, r->element[i + 1]);
            lua_rawset(L, -3);
        }
        lua_rawset(L, -3);
        break;
    case SR_SET:
        lua_newtable(L);
        lua_pushliteral(L, "set");
        lua_newtable(L);
        for (size_t i = 0; i < r->elements; i++) {
            replyToLua(L, r->element[i]);
            lua_pushboolean(L, 1);
            lua_rawset(L, -3);
        }
        lua_rawset(L, -3);
        break;
    }
}

typedef struct {
    const scriptReply *r;
} convArg;

static int replyToLuaProtected(lua_State *L) {
    convArg *a = lua_touserdata(L, 1);
    lua_pop(L, 1);
    replyToLua(L, a->r);
    lua_setfield(L, LUA_REGISTRYINDEX, "cairn_call_result");
    return 0;
}

/* ---- Lua -> reply --------------------------------------------------------------------------- */


static void replyStatusSanitized(client *c, const char *s, size_t len) {
    dstr st = dstrnewlen(s, len);
    for (size_t i = 0; i < len; i++)
        if (st[i] == '\r' || st[i] == '\n') st[i] = ' ';
    replyStatusLen(c, st, len);
    dstrfree(st);
}

/* Reply the value at the top of the stack to c (and pop it). `sresp` is the
 * protocol the script selected (for booleans). */
static void luaToReply(lua_State *L, client *c, int sresp, int depth) {
    if (!lua_checkstack(L, 4) || depth > 5000) {
        replyError(c, "ERR reached lua stack limit");
        lua_pop(L, 1);
        return;
    }
    int t = lua_type(L, -1);
    switch (t) {
    case LUA_TSTRING: {
        size_t l;
        const char *s = lua_tolstring(L, -1, &l);
        replyBulk(c, s, l);
        break;
    }
    case LUA_TBOOLEAN:
        if (sresp == 2) {
            if (lua_toboolean(L, -1)) replyLongLong(c, 1);
            else replyNull(c);
        } else {
            replyBool(c, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER: replyLongLong(c, numberToLL(lua_tonumber(L, -1))); break;
    case LUA_TTABLE: {
        lua_pushliteral(L, "err");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t l;
            const char *s = lua_tolstring(L, -1, &l);
            lua_pushliteral(L, "ignore_error_stats_update");
            lua_rawget(L, -3);
            int count = !lua_toboolean(L, -1);
            lua_pop(L, 1);
            scriptReplyErrorRawEx(c, s, l, count);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "ok");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t l;
            const char *s = lua_tolstring(L, -1, &l);
            replyStatusSanitized(c, s, l);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "double");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TNUMBER) {
            replyDouble(c, lua_tonumber(L, -1));
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "big_number");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t l;
            const char *s = lua_tolstring(L, -1, &l);
            dstr b = dstrnewlen(s, l);
            for (size_t i = 0; i < l; i++)
                if (b[i] == '\r' || b[i] == '\n') b[i] = ' ';
            replyBigNumber(c, b, l);
            dstrfree(b);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "verbatim_string");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushliteral(L, "format");
            lua_rawget(L, -2);
            lua_pushliteral(L, "string");
            lua_rawget(L, -3);
            if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
                size_t fl, sl;
                const char *f = lua_tolstring(L, -2, &fl);
                const char *s = lua_tolstring(L, -1, &sl);
                char ext[4] = "txt";
                memcpy(ext, f, fl < 3 ? fl : 3);
                replyVerbatim(c, s, sl, ext);
                lua_pop(L, 4);
                return;
            }
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "map");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TTABLE) {
            void *node = replyDeferredLen(c);
            long n = 0;
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                lua_pushvalue(L, -2);
                luaToReply(L, c, sresp, depth + 1); /* key */
                luaToReply(L, c, sresp, depth + 1); /* value */
                n++;
            }
            setDeferredMapLen(c, node, n);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "set");
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TTABLE) {
            void *node = replyDeferredLen(c);
            long n = 0;
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                lua_pop(L, 1);
                lua_pushvalue(L, -1);
                luaToReply(L, c, sresp, depth + 1);
                n++;
            }
            setDeferredSetLen(c, node, n);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        void *node = replyDeferredLen(c);
        long n = 0;
        for (int j = 1;; j++) {
            lua_rawgeti(L, -1, j);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                break;
            }
            luaToReply(L, c, sresp, depth + 1);
            n++;
        }
        setDeferredArrayLen(c, node, n);
        break;
    }
    default: replyNull(c); break;
    }
    lua_pop(L, 1);
}

/* ---- the redis API ----------------------------------------------------------------------- */

typedef struct {
    dstr reply;
    scriptReply *tree;
} callState;

static int redisGenericCommand(lua_State *L, int raise) {
    scriptRunCtx *ctx = scriptCurrent();
    int argc = lua_gettop(L);
    if (!ctx) return raiseErrorTable(L, "redis.call can only be called inside a script invocation");
    if (argc == 0) {
        pushErrorTable(L, "Please specify at least one argument for this redis lib call", 60);
        if (raise) return lua_error(L);
        return 1;
    }
    for (int j = 1; j <= argc; j++) {
        int t = lua_type(L, j);
        if (t != LUA_TSTRING && t != LUA_TNUMBER) {
            pushErrorTable(L, "Lua redis lib command arguments must be strings or integers", 59);
            if (raise) return lua_error(L);
            return 1;
        }
    }
    if (!lua_checkstack(L, 8)) return luaL_error(L, "reached lua stack limit");
    dstr *argv = zmalloc(sizeof(dstr) * (size_t)argc);
    for (int j = 1; j <= argc; j++) {
        if (lua_type(L, j) == LUA_TNUMBER) {
            char buf[64];
            int n = snprintf(buf, sizeof(buf), "%.17g", (double)lua_tonumber(L, j));
            argv[j - 1] = dstrnewlen(buf, (size_t)n);
        } else {
            size_t l;
            const char *s = lua_tolstring(L, j, &l);
            argv[j - 1] = dstrnewlen(s, l);
        }
    }
    dstr reply = NULL, err = NULL;
    int rc = scriptCall(ctx, argv, argc, &reply, &err);
    for (int j = 0; j < argc; j++) dstrfree(argv[j]);
    zfree(argv);
    if (rc < 0) {
        char buf[256];
        size_t l = dstrlen(err) < sizeof(buf) ? dstrlen(err) : sizeof(buf) - 1;
        memcpy(buf, err, l);
        dstrfree(err);
        pushErrorTable(L, buf, l);
        if (raise) return lua_error(L);
        return 1;
    }
    scriptReply *tree = scriptReplyParse(reply, dstrlen(reply));
    if (!tree) {
        dstrfree(reply);
        return raiseErrorTable(L, "Unexpected reply format from a command called by a script");
    }
    convArg a = {tree};
    int st = lua_cpcall(L, replyToLuaProtected, &a);
    int is_error = tree->type == SR_ERROR;
    scriptReplyFree(tree);
    dstrfree(reply);
    if (st != 0) return lua_error(L); /* conversion failed (memory): re-raise */
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_call_result");
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "cairn_call_result");
    if (is_error && raise) return lua_error(L);
    return 1;
}

static int luaRedisCall(lua_State *L) { return redisGenericCommand(L, 1); }
static int luaRedisPcall(lua_State *L) { return redisGenericCommand(L, 0); }

static int luaRedisErrorReply(lua_State *L) {
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        pushErrorTable(L, "wrong number or type of arguments", 33);
        return 1;
    }
    size_t l;
    const char *s = lua_tolstring(L, 1, &l);
    if (l && s[0] == '-') {
        pushErrorTable(L, s, l);
    } else {
        lua_pushliteral(L, "-");
        lua_pushvalue(L, 1);
        lua_concat(L, 2);
        s = lua_tolstring(L, -1, &l);
        pushErrorTable(L, s, l);
    }
    return 1;
}

static int luaRedisStatusReply(lua_State *L) {
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        pushErrorTable(L, "wrong number or type of arguments", 33);
        return 1;
    }
    lua_newtable(L);
    lua_pushliteral(L, "ok");
    lua_pushvalue(L, 1);
    lua_rawset(L, -3);
    return 1;
}

static int luaRedisSha1hex(lua_State *L) {
    if (lua_gettop(L) != 1) return raiseErrorTable(L, "wrong number of arguments");
    size_t l;
    const char *s = lua_tolstring(L, 1, &l);
    if (!s) s = "", l = 0;
    char hex[41];
    scriptSha1Hex(hex, s, l);
    lua_pushstring(L, hex);
    return 1;
}

static int luaRedisLog(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc < 2) return raiseErrorTable(L, "redis.log() requires two arguments or more.");
    if (!lua_isnumber(L, 1)) return raiseErrorTable(L, "First argument must be a number (log level).");
    int level = numberToInt(lua_tonumber(L, 1));
    if (level < LL_DEBUG || level > LL_WARNING) return raiseErrorTable(L, "Invalid debug level.");
    if (level < server.verbosity) return 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int j = 2; j <= argc; j++) {
        size_t l;
        const char *s = lua_tolstring(L, j, &l);
        if (!s) continue;
        if (j != 2) luaL_addchar(&b, ' ');
        luaL_addlstring(&b, s, l);
    }
    luaL_pushresult(&b);
    serverLog(level, "%s", lua_tostring(L, -1));
    return 0;
}

static int luaRedisSetResp(lua_State *L) {
    scriptRunCtx *ctx = scriptCurrent();
    if (!ctx) return raiseErrorTable(L, "redis.setresp can only be called inside a script invocation");
    if (lua_gettop(L) != 1) return raiseErrorTable(L, "redis.setresp() requires one argument.");
    int resp = numberToInt(lua_tonumber(L, -1));
    if (resp != 2 && resp != 3) return raiseErrorTable(L, "RESP version must be 2 or 3.");
    ctx->resp = resp;
    return 0;
}

static int luaRedisSetRepl(lua_State *L) {
    if (!scriptCurrent()) return raiseErrorTable(L, "redis.set_repl can only be called inside a script invocation");
    if (lua_gettop(L) != 1) return raiseErrorTable(L, "redis.set_repl() requires two arguments.");
    int flags = numberToInt(lua_tonumber(L, -1));
    if ((flags & ~3) != 0)
        return raiseErrorTable(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return 0; /* no replication or AOF in Cairn yet: nothing to select */
}

static int luaRedisReplicateCommands(lua_State *L) {
    lua_pushboolean(L, 1);
    return 1;
}

static int luaRedisBreakpoint(lua_State *L) {
    lua_pushboolean(L, 0); /* no debugger session */
    return 1;
}

static int luaRedisDebug(lua_State *L) {
    (void)L; /* no debugger session: ignored */
    return 0;
}

static int luaRedisAclCheckCmd(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc == 0) return raiseErrorTable(L, "Please specify at least one argument for this redis lib call");
    for (int j = 1; j <= argc; j++) {
        int t = lua_type(L, j);
        if (t != LUA_TSTRING && t != LUA_TNUMBER)
            return raiseErrorTable(L, "Lua redis lib command arguments must be strings or integers");
    }
    dstr *argv = zmalloc(sizeof(dstr) * (size_t)argc);
    for (int j = 1; j <= argc; j++) {
        size_t l;
        const char *s = lua_tolstring(L, j, &l);
        argv[j - 1] = dstrnewlen(s, l);
    }
    command *cmd = commandLookupByArgv(argv, argc);
    for (int j = 0; j < argc; j++) dstrfree(argv[j]);
    zfree(argv);
    if (!cmd) return raiseErrorTable(L, "Invalid command passed to redis.acl_check_cmd()");
    lua_pushboolean(L, 1); /* no ACL users in Cairn: the default user may run everything */
    return 1;
}

static int luaRedisRegisterFunctionOutsideLoad(lua_State *L) {
    return raiseErrorTable(L, "redis.register_function can only be called on FUNCTION LOAD command");
}

/* redis.register_function(name, callback) or {function_name=, callback=, flags=, description=} */
static int luaRedisRegisterFunction(lua_State *L) {
    luaEngine *e = engineOf(L);
    if (!e->load_mode || !e->cb) return luaRedisRegisterFunctionOutsideLoad(L);
    int argc = lua_gettop(L);
    const char *name = NULL, *desc = NULL;
    size_t namelen = 0, desclen = 0;
    uint64_t flags = 0;
    int cb_idx = 0;
    if (argc < 1 || argc > 2) return raiseErrorTable(L, "wrong number of arguments to redis.register_function");
    if (argc == 1) {
        if (!lua_istable(L, 1))
            return raiseErrorTable(L, "calling redis.register_function with a single argument is only applicable to "
                                      "Lua table (representing named arguments).");
        lua_settop(L, 2); /* index 2 will hold the callback */
        lua_pushnil(L);
        while (lua_next(L, 1)) {
            /* key -2, value -1 */
            if (lua_type(L, -2) == LUA_TNUMBER)
                return raiseErrorTable(L, "unknown argument given to redis.register_function");
            if (lua_type(L, -2) != LUA_TSTRING)
                return raiseErrorTable(L, "named argument key given to redis.register_function is not a string");
            const char *k = lua_tostring(L, -2);
            if (!strcmp(k, "function_name")) {
                if (!lua_isstring(L, -1))
                    return raiseErrorTable(L, "function_name argument given to redis.register_function must be a "
                                              "string");
                name = lua_tolstring(L, -1, &namelen);
            } else if (!strcmp(k, "description")) {
                if (!lua_isstring(L, -1))
                    return raiseErrorTable(L, "description argument given to redis.register_function must be a "
                                              "string");
                desc = lua_tolstring(L, -1, &desclen);
            } else if (!strcmp(k, "callback")) {
                if (lua_type(L, -1) != LUA_TFUNCTION)
                    return raiseErrorTable(L, "callback argument given to redis.register_function must be a "
                                              "function");
                lua_pushvalue(L, -1);
                lua_replace(L, 2);
                cb_idx = 2;
            } else if (!strcmp(k, "flags")) {
                if (lua_type(L, -1) != LUA_TTABLE)
                    return raiseErrorTable(L, "flags argument to redis.register_function must be a table "
                                              "representing function flags");
                for (int j = 1;; j++) {
                    lua_rawgeti(L, -1, j);
                    if (lua_isnil(L, -1)) {
                        lua_pop(L, 1);
                        break;
                    }
                    size_t fl;
                    const char *f = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &fl) : NULL;
                    uint64_t bit = f ? scriptFlagByName(f, fl) : 0;
                    if (!bit) return raiseErrorTable(L, "unknown flag given");
                    flags |= bit;
                    lua_pop(L, 1);
                }
            } else {
                return raiseErrorTable(L, "unknown argument given to redis.register_function");
            }
            lua_pop(L, 1);
        }
        if (!name) return raiseErrorTable(L, "redis.register_function must get a function name argument");
        if (!cb_idx) return raiseErrorTable(L, "redis.register_function must get a callback argument");
    } else {
        if (!lua_isstring(L, 1))
            return raiseErrorTable(L, "first argument to redis.register_function must be a string");
        if (lua_type(L, 2) != LUA_TFUNCTION)
            return raiseErrorTable(L, "second argument to redis.register_function must be a function");
        name = lua_tolstring(L, 1, &namelen);
        cb_idx = 2;
    }
    /* copy name/desc before luaL_ref may run the GC on the table holding them */
    dstr dname = dstrnewlen(name, namelen);
    dstr ddesc = desc ? dstrnewlen(desc, desclen) : NULL;
    lua_pushvalue(L, cb_idx);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    dstr err = NULL;
    int rc = e->cb(e->cb_ud, dname, dstrlen(dname), ddesc, ddesc ? dstrlen(ddesc) : 0, flags, ref, &err);
    dstrfree(dname);
    if (ddesc) dstrfree(ddesc);
    if (rc < 0) {
        char buf[256];
        size_t l = err ? dstrlen(err) : 0;
        if (l >= sizeof(buf)) l = sizeof(buf) - 1;
        if (err) memcpy(buf, err, l);
        if (err) dstrfree(err);
        pushErrorTable(L, buf, l);
        return lua_error(L);
    }
    return 0;
}

/* ---- engine set-up -------------------------------------------------------------------------- */

#include "script_lua_struct.inc"
#include "script_lua_msgpack.inc"

static void setNumberField(lua_State *L, const char *k, lua_Number v) {
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void setFuncField(lua_State *L, const char *k, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, k);
}

static void pushLogAndVersion(lua_State *L) {
    setFuncField(L, "log", luaRedisLog);
    setNumberField(L, "LOG_DEBUG", LL_DEBUG);
    setNumberField(L, "LOG_VERBOSE", LL_VERBOSE);
    setNumberField(L, "LOG_NOTICE", LL_NOTICE);
    setNumberField(L, "LOG_WARNING", LL_WARNING);
    lua_pushstring(L, REDIS_COMPAT_VERSION);
    lua_setfield(L, -2, "REDIS_VERSION");
    setNumberField(L, "REDIS_VERSION_NUM", REDIS_COMPAT_VERSION_NUM);
}

/* The full `redis` table (run time). */
static void pushRedisTable(lua_State *L) {
    lua_newtable(L);
    setFuncField(L, "call", luaRedisCall);
    setFuncField(L, "pcall", luaRedisPcall);
    setFuncField(L, "error_reply", luaRedisErrorReply);
    setFuncField(L, "status_reply", luaRedisStatusReply);
    setFuncField(L, "sha1hex", luaRedisSha1hex);
    setFuncField(L, "setresp", luaRedisSetResp);
    setFuncField(L, "set_repl", luaRedisSetRepl);
    setFuncField(L, "replicate_commands", luaRedisReplicateCommands);
    setFuncField(L, "breakpoint", luaRedisBreakpoint);
    setFuncField(L, "debug", luaRedisDebug);
    setFuncField(L, "acl_check_cmd", luaRedisAclCheckCmd);
    setNumberField(L, "REPL_NONE", 0);
    setNumberField(L, "REPL_AOF", 1);
    setNumberField(L, "REPL_SLAVE", 2);
    setNumberField(L, "REPL_REPLICA", 2);
    setNumberField(L, "REPL_ALL", 3);
    pushLogAndVersion(L);
}

static void openLib(lua_State *L, const char *name, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    /* Debian's cjson returns its table without setting a global */
    if (name[0] && lua_istable(L, -1)) lua_setglobal(L, name);
    else lua_pop(L, 1);
}

/* Turn the global `name` into a read-only proxy of itself. */
static void protectGlobal(lua_State *L, const char *name) {
    lua_getglobal(L, name);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    makeProxy(L);
    lua_setglobal(L, name);
}

static int engineInit(lua_State *L) {
    openLib(L, "", luaopen_base);
    openLib(L, LUA_TABLIBNAME, luaopen_table);
    openLib(L, LUA_STRLIBNAME, luaopen_string);
    openLib(L, LUA_MATHLIBNAME, luaopen_math);
    openLib(L, "cjson", luaopen_cjson);
    openLib(L, "bit", luaopen_bit);
    openLib(L, "struct", luaopen_struct);
    openLib(L, "cmsgpack", luaopen_cmsgpack);
    /* luaopen_* leave their table in a global of the same name; cjson and
     * bit register through luaL_register, which does that too */
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);

    /* the sandbox */
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    /* as Redis 7.0.15: no getfenv/setfenv/newproxy/print/debug for scripts */
    static const char *const removed[] = {"getfenv", "setfenv", "newproxy", "print", NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_register(L, "loadstring", safeLoadstring);
    lua_register(L, "load", safeLoad);
    lua_register(L, "rawset", safeRawset);
    lua_register(L, "setmetatable", safeSetmetatable);
    lua_register(L, "next", safeNext);
    lua_register(L, "pairs", safePairs);
    lua_getglobal(L, "math");
    setFuncField(L, "random", mathRandom);
    setFuncField(L, "randomseed", mathRandomseed);
    lua_pop(L, 1);
    pushRedisTable(L);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "redis");
    lua_setglobal(L, "server");

    /* error handler */
    lua_pushcfunction(L, errorHandler);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_ERRH);

    /* read-only proxies for every library table */
    static const char *const libs[] = {"string", "table", "math", "coroutine", "cjson",
                                       "bit", "struct", "cmsgpack", NULL};
    for (int i = 0; libs[i]; i++) protectGlobal(L, libs[i]);
    lua_getglobal(L, "redis");
    makeProxy(L);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "redis");
    lua_setglobal(L, "server");
    /* string methods resolve through the protected string table */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_getglobal(L, "string");
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    /* the _G scripts see: reads resolve in REG_CUR_GLOBALS, writes fail */
    lua_newtable(L);
    lua_newtable(L);
    lua_pushcfunction(L, globalIndex);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, roNewIndex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_GLOBALS_PROXY);
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_setglobal(L, "_G");
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_CUR_GLOBALS);

    /* load-mode globals: redis/server with only register_function, log and
     * the version fields; other names are missing (as in Redis) */
    lua_newtable(L);                       /* LG */
    lua_newtable(L);                       /* LG, R */
    setFuncField(L, "register_function", luaRedisRegisterFunction);
    pushLogAndVersion(L);
    lua_newtable(L);                       /* LG, R, P */
    lua_newtable(L);                       /* LG, R, P, meta */
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, strictIndex, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, roNewIndex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);               /* LG, R, P */
    lua_getfield(L, LUA_REGISTRYINDEX, "cairn_proxies");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -4);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_remove(L, -2);                     /* LG, P */
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "redis");
    lua_setfield(L, -2, "server");
    lua_setfield(L, LUA_REGISTRYINDEX, REG_LOAD_GLOBALS);
    return 0;
}

luaEngine *luaEngineCreate(int kind) {
    luaEngine *e = zcalloc(sizeof(*e));
    e->kind = kind;
    e->L = lua_newstate(luaAlloc, e);
    if (!e->L) serverPanic("cannot create the Lua interpreter");
    if (lua_cpcall(e->L, engineInit, NULL) != 0)
        serverPanic("cannot initialise the Lua interpreter: %s", lua_tostring(e->L, -1));
    lua_settop(e->L, 0);
    return e;
}

void luaEngineFree(luaEngine *e) {
    if (!e) return;
    lua_close(e->L);
    zfree(e);
}

size_t luaEngineMemory(const luaEngine *e) { return e->used; }

void luaEngineCollect(luaEngine *e) { lua_gc(e->L, LUA_GCCOLLECT, 0); }

/* ---- running ------------------------------------------------------------------------------ */

static void execHook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    luaEngine *e = engineOf(L);
    if (e->load_mode) {
        if (elMonotonicMs() - e->load_start > e->load_timeout) raiseErrorTable(L, "FUNCTION LOAD timeout");
        return;
    }
    scriptRunCtx *ctx = scriptCurrent();
    if (ctx && scriptInterrupt(ctx) == SCRIPT_KILL) {
        serverLog(LL_WARNING, "Lua script killed by user with SCRIPT KILL.");
        /* raise on every line from now on, so pcall cannot keep it alive */
        lua_sethook(L, execHook, LUA_MASKLINE, 0);
        raiseErrorTable(L, "Script killed by user with SCRIPT KILL...");
    }
}

static void pushStringArray(lua_State *L, dstr *elems, int n) {
    lua_createtable(L, n, 0);
    for (int j = 0; j < n; j++) {
        lua_pushlstring(L, elems[j], dstrlen(elems[j]));
        lua_rawseti(L, -2, j + 1);
    }
}

typedef struct {
    luaEngine *e;
    scriptRunCtx *ctx;
    const char *sha;  /* EVAL: script name */
    int ref;          /* FCALL: callback */
    dstr *keys, *args;
    int nkeys, nargs;
    int replied;
} runArgs;

/* Reply the error object at the top of the stack (from a failed pcall). */
static void replyScriptError(lua_State *L, scriptRunCtx *ctx) {
    client *c = ctx->caller;
    if (!lua_istable(L, -1)) {
        const char *msg = lua_tostring(L, -1);
        dstr s = dstrcatprintf(dstrempty(), "ERR Error running script %s, %.100s ", ctx->funcname,
                               msg ? msg : "execution failure");
        scriptReplyErrorRaw(c, s, dstrlen(s));
        dstrfree(s);
        return;
    }
    lua_getfield(L, -1, "err");
    lua_getfield(L, -2, "source");
    lua_getfield(L, -3, "line");
    lua_getfield(L, -4, "ignore_error_stats_update");
    size_t el = 0;
    const char *err = lua_tolstring(L, -4, &el);
    const char *source = lua_tostring(L, -3);
    const char *line = lua_tostring(L, -2);
    int count = !lua_toboolean(L, -1);
    dstr s = dstrnewlen(err ? err : "", err ? el : 0);
    if (source && line) s = dstrcatprintf(s, " script: %s, on %s:%s.", ctx->funcname, source, line);
    scriptReplyErrorRawEx(c, s, dstrlen(s), count);
    dstrfree(s);
    lua_pop(L, 4);
}

static int runProtected(lua_State *L) {
    runArgs *a = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ERRH);
    int nargs = 0;
    if (a->sha) {
        char name[48];
        snprintf(name, sizeof(name), "f_%s", a->sha);
        lua_getfield(L, LUA_REGISTRYINDEX, name);
        pushStringArray(L, a->keys, a->nkeys);
        lua_setglobal(L, "KEYS");
        pushStringArray(L, a->args, a->nargs);
        lua_setglobal(L, "ARGV");
    } else {
        lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
        pushStringArray(L, a->keys, a->nkeys);
        pushStringArray(L, a->args, a->nargs);
        nargs = 2;
    }
    lua_sethook(L, execHook, LUA_MASKCOUNT, 100000);
    int st = lua_pcall(L, nargs, 1, 1);
    lua_sethook(L, NULL, 0, 0);
    a->replied = 1;
    if (st != 0) replyScriptError(L, a->ctx);
    else luaToReply(L, a->ctx->caller, a->ctx->resp, 0);
    return 0;
}

static void runScript(luaEngine *e, runArgs *a) {
    lua_State *L = e->L;
    int st = lua_cpcall(L, runProtected, a);
    lua_sethook(L, NULL, 0, 0);
    if (st != 0 && !a->replied) {
        const char *msg = lua_tostring(L, -1);
        dstr s = dstrcatprintf(dstrempty(), "ERR Error running script %s, %.100s ", a->ctx->funcname,
                               msg ? msg : "execution failure");
        scriptReplyErrorRaw(a->ctx->caller, s, dstrlen(s));
        dstrfree(s);
    }
    lua_settop(L, 0);
    lua_gc(L, LUA_GCSTEP, 1);
}

void luaEvalRun(luaEngine *e, const char *sha, scriptRunCtx *ctx, dstr *keys, int nkeys, dstr *args, int nargs) {
    runArgs a = {e, ctx, sha, LUA_NOREF, keys, args, nkeys, nargs, 0};
    runScript(e, &a);
}

void luaFunctionCall(luaEngine *e, int ref, scriptRunCtx *ctx, dstr *keys, int nkeys, dstr *args, int nargs) {
    runArgs a = {e, ctx, NULL, ref, keys, args, nkeys, nargs, 0};
    runScript(e, &a);
}

void luaFunctionRelease(luaEngine *e, int ref) { luaL_unref(e->L, LUA_REGISTRYINDEX, ref); }

int luaEvalCreate(luaEngine *e, const char *sha, const char *body, size_t len, dstr *err) {
    lua_State *L = e->L;
    if (len > 0 && body[0] == '\033') {
        *err = dstrnew("Error compiling script (new function): user_script: binary chunks are not allowed");
        return -1;
    }
    if (luaL_loadbuffer(L, body, len, "@user_script")) {
        const char *m = lua_tostring(L, -1);
        *err = dstrcatprintf(dstrempty(), "Error compiling script (new function): %s", m ? m : "?");
        lua_settop(L, 0);
        return -1;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, REG_GLOBALS_PROXY);
    lua_setfenv(L, -2);
    char name[48];
    snprintf(name, sizeof(name), "f_%s", sha);
    lua_setfield(L, LUA_REGISTRYINDEX, name);
    lua_settop(L, 0);
    return 0;
}

int luaFunctionsLoad(luaEngine *e, const char *code, size_t len, long long timeout_ms, luaRegisterCb *cb, void *ud,
                     dstr *err) {
    lua_State *L = e->L;
    lua_settop(L, 0);
    if (len > 0 && code[0] == '\033') {
        *err = dstrnew("Error compiling function: binary chunks are not allowed");
        return -1;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ERRH);
    if (luaL_loadbuffer(L, code, len, "@user_function")) {
        const char *m = lua_tostring(L, -1);
        *err = dstrcatprintf(dstrempty(), "Error compiling function: %s", m ? m : "?");
        lua_settop(L, 0);
        return -1;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, REG_GLOBALS_PROXY);
    lua_setfenv(L, -2);
    /* global reads resolve in the load-mode table while the code runs */
    lua_getfield(L, LUA_REGISTRYINDEX, REG_LOAD_GLOBALS);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_CUR_GLOBALS);
    e->load_mode = 1;
    e->load_start = elMonotonicMs();
    e->load_timeout = timeout_ms;
    e->cb = cb;
    e->cb_ud = ud;
    lua_sethook(L, execHook, LUA_MASKCOUNT, 100000);
    int st = lua_pcall(L, 0, 0, 1);
    lua_sethook(L, NULL, 0, 0);
    e->load_mode = 0;
    e->cb = NULL;
    e->cb_ud = NULL;
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_CUR_GLOBALS);
    if (st != 0) {
        const char *m = NULL;
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            m = lua_tostring(L, -1);
        } else {
            m = lua_tostring(L, -1);
        }
        *err = dstrcatprintf(dstrempty(), "Error registering functions: %s", m ? m : "?");
        lua_settop(L, 0);
        return -1;
    }
    lua_settop(L, 0);
    return 0;
}
