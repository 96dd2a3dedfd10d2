#include "config.h"
#include "lazyfree.h"
#include "client.h"
#include "commands.h"
#include "event.h"
#include "reply.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { T_BOOL, T_INT, T_LONG, T_LL, T_MEM, T_STRING, T_ENUM, T_SPECIAL } configKind;

typedef struct enumValue {
    const char *name;
    int value;
} enumValue;

#define F_IMMUTABLE 1    /* cannot be changed with CONFIG SET */
#define F_ALLOW_EMPTY 2  /* string may be "" (stored as NULL unless F_KEEP_EMPTY) */
#define F_KEEP_EMPTY 4
#define F_MULTI_ARG 8    /* string takes several words, stored space-separated (bind) */

struct configOption;
/* Special handlers: parse/apply `argc` values; return NULL or an error text. */
typedef const char *(*setFn)(struct configOption *o, dstr *argv, int argc, int at_startup);
typedef dstr (*getFn)(struct configOption *o);
/* Called after a successful change; returns NULL or an error (value restored). */
typedef const char *(*applyFn)(void);

typedef struct configOption {
    const char *name, *alias;
    configKind kind;
    void *ptr;
    const char *def;            /* default, as text */
    long long min, max;
    int flags;
    const enumValue *enums;
    setFn set;                  /* T_SPECIAL */
    getFn get;                  /* T_SPECIAL */
    applyFn apply;
} configOption;

static const enumValue loglevelEnum[] = {
    {"debug", LL_DEBUG}, {"verbose", LL_VERBOSE}, {"notice", LL_NOTICE}, {"warning", LL_WARNING}, {NULL, 0}};
static const enumValue policyEnum[] = {{"volatile-lru", MAXMEMORY_VOLATILE_LRU},
                                       {"volatile-lfu", MAXMEMORY_VOLATILE_LFU},
                                       {"volatile-random", MAXMEMORY_VOLATILE_RANDOM},
                                       {"volatile-ttl", MAXMEMORY_VOLATILE_TTL},
                                       {"allkeys-lru", MAXMEMORY_ALLKEYS_LRU},
                                       {"allkeys-lfu", MAXMEMORY_ALLKEYS_LFU},
                                       {"allkeys-random", MAXMEMORY_ALLKEYS_RANDOM},
                                       {"noeviction", MAXMEMORY_NO_EVICTION},
                                       {NULL, 0}};
static const enumValue sanitizeEnum[] = {{"no", 0}, {"yes", 1}, {"clients", 2}, {NULL, 0}};
static const enumValue fsyncEnum[] = {{"always", 0}, {"everysec", 1}, {"no", 2}, {NULL, 0}};
static int appendfsync_value = 1;
static int protected_configs, enable_module_cmd;
/* Accepted and reported for compatibility; eviction does not use them yet. */
static unsigned long long maxmemory_clients;
static int maxmemory_eviction_tenacity;
static char *notify_keyspace_events;
static int dump_version_value;

/* ---- special options -------------------------------------------------------- */
static const char *setSave(configOption *o, dstr *argv, int argc, int at_startup) {
    (void)o; (void)at_startup;
    /* `save ""` (or no pairs) disables snapshots; anything else needs persistence */
    for (int i = 0; i < argc; i++)
        if (dstrlen(argv[i])) return "RDB snapshots (save) are not supported by this version of Cairn; use save \"\"";
    zfree(server.save_params);
    server.save_params = zstrdup("");
    return NULL;
}
static dstr getSave(configOption *o) { (void)o; return dstrnew(server.save_params ? server.save_params : ""); }

static const char *setCob(configOption *o, dstr *argv, int argc, int at_startup) {
    (void)o; (void)at_startup;
    if (argc % 4 != 0 || argc == 0) return "Wrong number of arguments in buffer limit configuration.";
    for (int i = 0; i < argc; i += 4) {
        unsigned long long hard, soft;
        long long secs;
        if (strcasecmp(argv[i], "normal") && strcasecmp(argv[i], "replica") && strcasecmp(argv[i], "slave") &&
            strcasecmp(argv[i], "pubsub"))
            return "Invalid client class specified in buffer limit configuration.";
        if (!memtoull(argv[i + 1], &hard) || !memtoull(argv[i + 2], &soft) ||
            !string2ll(argv[i + 3], dstrlen(argv[i + 3]), &secs) || secs < 0)
            return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        if (!strcasecmp(argv[i], "normal")) {
            server.cob_normal_hard = hard;
            server.cob_normal_soft = soft;
            server.cob_normal_soft_seconds = (int)secs;
        }
    }
    return NULL;
}
static dstr getCob(configOption *o) {
    (void)o;
    return dstrcatprintf(dstrempty(), "normal %llu %llu %d slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                         server.cob_normal_hard, server.cob_normal_soft, server.cob_normal_soft_seconds);
}

static const char *setAppendonly(configOption *o, dstr *argv, int argc, int at_startup) {
    (void)o; (void)at_startup; (void)argc;
    if (!strcasecmp(argv[0], "no")) { server.appendonly = 0; return NULL; }
    if (!strcasecmp(argv[0], "yes")) return "AOF persistence (appendonly yes) is not supported by this version of Cairn";
    return "argument must be 'yes' or 'no'";
}
static dstr getAppendonly(configOption *o) { (void)o; return dstrnew(server.appendonly ? "yes" : "no"); }

static const char *setDir(configOption *o, dstr *argv, int argc, int at_startup) {
    (void)o; (void)argc; (void)at_startup;
    if (chdir(argv[0]) != 0) return strerror(errno);
    zfree(server.dir);
    server.dir = zstrdup(argv[0]);
    return NULL;
}
static dstr getDir(configOption *o) {
    (void)o;
    char buf[4096];
    if (!getcwd(buf, sizeof(buf))) buf[0] = '\0';
    return dstrnew(buf);
}

static const char *setDumpVersion(configOption *o, dstr *argv, int argc, int at_startup) {
    (void)o; (void)argc; (void)at_startup;
    long long v;
    if (!string2ll(argv[0], dstrlen(argv[0]), &v)) return "argument couldn't be parsed into an integer";
    if (v != 9 && v != 10 && v != 11 && v != 12 && v != 80) return "argument must be one of 9, 10, 11, 12, 80";
    server.dump_rdb_version = (int)v;
    return NULL;
}
static dstr getDumpVersion(configOption *o) { (void)o; return dstrfromll(server.dump_rdb_version); }

static const char *applyHz(void) {
    if (server.config_hz < 1) server.config_hz = 1;
    if (server.config_hz > 500) server.config_hz = 500;
    server.hz = server.config_hz;
    return NULL;
}

static const char *applyMaxclients(void) {
    if (!server.el) return NULL;
    int want = server.maxclients + 128;
    if (want > elGetSetSize(server.el) && elResize(server.el, want) == EL_ERR)
        return "The event loop API used by Cairn is not able to handle the specified number of clients";
    return NULL;
}

#define OPT(n, k, p, d, mn, mx) {.name = n, .kind = k, .ptr = p, .def = d, .min = mn, .max = mx}
static configOption options[] = {
    {.name = "port", .kind = T_INT, .ptr = &server.port, .def = "6379", .min = 0, .max = 65535, .flags = F_IMMUTABLE},
    {.name = "bind", .kind = T_STRING, .ptr = &server.bindaddr, .def = "127.0.0.1 -::1", .flags = F_IMMUTABLE | F_MULTI_ARG},
    {.name = "unixsocket", .kind = T_STRING, .ptr = &server.unixsocket, .def = "", .flags = F_IMMUTABLE | F_ALLOW_EMPTY},
    {.name = "unixsocketperm", .kind = T_INT, .ptr = &server.unixsocketperm, .def = "0", .min = 0, .max = 0777, .flags = F_IMMUTABLE},
    {.name = "requirepass", .kind = T_STRING, .ptr = &server.requirepass, .def = "", .flags = F_ALLOW_EMPTY},
    {.name = "maxclients", .kind = T_INT, .ptr = &server.maxclients, .def = "10000", .min = 1, .max = INT_MAX, .apply = applyMaxclients},
    {.name = "timeout", .kind = T_INT, .ptr = &server.maxidletime, .def = "0", .min = 0, .max = INT_MAX},
    {.name = "databases", .kind = T_INT, .ptr = &server.dbnum, .def = "16", .min = 1, .max = INT_MAX, .flags = F_IMMUTABLE},
    {.name = "hz", .kind = T_INT, .ptr = &server.config_hz, .def = "10", .min = 0, .max = INT_MAX, .apply = applyHz},
    {.name = "maxmemory", .kind = T_MEM, .ptr = &server.maxmemory, .def = "0", .min = 0, .max = LLONG_MAX},
    {.name = "maxmemory-policy", .kind = T_ENUM, .ptr = &server.maxmemory_policy, .def = "noeviction", .enums = policyEnum},
    {.name = "maxmemory-clients", .kind = T_MEM, .ptr = &maxmemory_clients, .def = "0", .min = 0, .max = LLONG_MAX},
    {.name = "maxmemory-eviction-tenacity", .kind = T_INT, .ptr = &maxmemory_eviction_tenacity, .def = "10", .min = 0, .max = 100},
    {.name = "maxmemory-samples", .kind = T_INT, .ptr = &server.maxmemory_samples, .def = "5", .min = 1, .max = 64},
    {.name = "lfu-log-factor", .kind = T_INT, .ptr = &server.lfu_log_factor, .def = "10", .min = 0, .max = INT_MAX},
    {.name = "lfu-decay-time", .kind = T_INT, .ptr = &server.lfu_decay_time, .def = "1", .min = 0, .max = INT_MAX},
    {.name = "loglevel", .kind = T_ENUM, .ptr = &server.verbosity, .def = "notice", .enums = loglevelEnum},
    {.name = "logfile", .kind = T_STRING, .ptr = &server.logfile, .def = "", .flags = F_IMMUTABLE | F_ALLOW_EMPTY | F_KEEP_EMPTY},
    {.name = "daemonize", .kind = T_BOOL, .ptr = &server.daemonize, .def = "no", .flags = F_IMMUTABLE},
    {.name = "pidfile", .kind = T_STRING, .ptr = &server.pidfile, .def = "", .flags = F_IMMUTABLE | F_ALLOW_EMPTY},
    {.name = "protected-mode", .kind = T_BOOL, .ptr = &server.protected_mode, .def = "yes"},
    {.name = "proto-max-bulk-len", .kind = T_LL, .ptr = &server.proto_max_bulk_len, .def = "536870912", .min = 1024 * 1024, .max = LLONG_MAX},
    {.name = "client-query-buffer-limit", .kind = T_MEM, .ptr = &server.client_max_querybuf_len, .def = "1073741824", .min = 1024 * 1024, .max = LLONG_MAX},
    {.name = "client-output-buffer-limit", .kind = T_SPECIAL, .def = "normal 0 0 0", .set = setCob, .get = getCob},
    {.name = "tcp-backlog", .kind = T_INT, .ptr = &server.tcp_backlog, .def = "511", .min = 0, .max = INT_MAX, .flags = F_IMMUTABLE},
    {.name = "tcp-keepalive", .kind = T_INT, .ptr = &server.tcpkeepalive, .def = "300", .min = 0, .max = INT_MAX},
    {.name = "slowlog-log-slower-than", .kind = T_LL, .ptr = &server.slowlog_log_slower_than, .def = "10000", .min = -1, .max = LLONG_MAX},
    {.name = "slowlog-max-len", .kind = T_LONG, .ptr = &server.slowlog_max_len, .def = "128", .min = 0, .max = LONG_MAX},
    {.name = "active-expire-effort", .kind = T_INT, .ptr = &server.active_expire_effort, .def = "1", .min = 1, .max = 10},
    {.name = "lazyfree-lazy-user-flush", .kind = T_BOOL, .ptr = &server.lazyfree_lazy_user_flush, .def = "no"},
    {.name = "lazyfree-lazy-user-del", .kind = T_BOOL, .ptr = &server.lazyfree_lazy_user_del, .def = "no"},
    {.name = "latency-tracking", .kind = T_BOOL, .ptr = &server.latency_tracking, .def = "yes"},
    {.name = "save", .kind = T_SPECIAL, .def = "", .set = setSave, .get = getSave},
    {.name = "appendonly", .kind = T_SPECIAL, .def = "no", .set = setAppendonly, .get = getAppendonly},
    {.name = "appendfsync", .kind = T_ENUM, .ptr = &appendfsync_value, .def = "everysec", .enums = fsyncEnum},
    {.name = "appendfilename", .kind = T_STRING, .ptr = &server.appendfilename, .def = "appendonly.aof", .flags = F_IMMUTABLE},
    {.name = "aof-use-rdb-preamble", .kind = T_BOOL, .ptr = &server.aof_use_rdb_preamble, .def = "yes"},
    {.name = "dir", .kind = T_SPECIAL, .def = NULL, .set = setDir, .get = getDir},
    {.name = "dbfilename", .kind = T_STRING, .ptr = &server.dbfilename, .def = "dump.rdb"},
    {.name = "sanitize-dump-payload", .kind = T_ENUM, .ptr = &server.sanitize_dump_payload, .def = "no", .enums = sanitizeEnum},
    {.name = "dump-rdb-version", .kind = T_SPECIAL, .ptr = &dump_version_value, .def = "10", .set = setDumpVersion, .get = getDumpVersion},
    {.name = "enable-debug-command", .kind = T_ENUM, .ptr = &server.enable_debug_command, .def = "no", .enums = sanitizeEnum, .flags = F_IMMUTABLE},
    {.name = "enable-protected-configs", .kind = T_ENUM, .ptr = &protected_configs, .def = "no", .enums = sanitizeEnum, .flags = F_IMMUTABLE},
    {.name = "enable-module-command", .kind = T_ENUM, .ptr = &enable_module_cmd, .def = "no", .enums = sanitizeEnum, .flags = F_IMMUTABLE},
    {.name = "busy-reply-threshold", .alias = "lua-time-limit", .kind = T_INT, .ptr = &server.busy_reply_threshold, .def = "5000", .min = 0, .max = INT_MAX},
    {.name = "notify-keyspace-events", .kind = T_STRING, .ptr = &notify_keyspace_events, .def = "", .flags = F_ALLOW_EMPTY | F_KEEP_EMPTY},
    {.name = "hash-max-listpack-entries", .alias = "hash-max-ziplist-entries", .kind = T_LONG, .ptr = &server.hash_max_listpack_entries, .def = "512", .min = 0, .max = LONG_MAX},
    {.name = "hash-max-listpack-value", .alias = "hash-max-ziplist-value", .kind = T_LONG, .ptr = &server.hash_max_listpack_value, .def = "64", .min = 0, .max = LONG_MAX},
    {.name = "set-max-intset-entries", .kind = T_LONG, .ptr = &server.set_max_intset_entries, .def = "512", .min = 0, .max = LONG_MAX},
    {.name = "set-max-listpack-entries", .kind = T_LONG, .ptr = &server.set_max_listpack_entries, .def = "128", .min = 0, .max = LONG_MAX},
    {.name = "set-max-listpack-value", .kind = T_LONG, .ptr = &server.set_max_listpack_value, .def = "64", .min = 0, .max = LONG_MAX},
    {.name = "zset-max-listpack-entries", .alias = "zset-max-ziplist-entries", .kind = T_LONG, .ptr = &server.zset_max_listpack_entries, .def = "128", .min = 0, .max = LONG_MAX},
    {.name = "zset-max-listpack-value", .alias = "zset-max-ziplist-value", .kind = T_LONG, .ptr = &server.zset_max_listpack_value, .def = "64", .min = 0, .max = LONG_MAX},
    {.name = "list-max-listpack-size", .alias = "list-max-ziplist-size", .kind = T_INT, .ptr = &server.list_max_listpack_size, .def = "-2", .min = INT_MIN, .max = INT_MAX},
    {.name = "list-compress-depth", .kind = T_INT, .ptr = &server.list_compress_depth, .def = "0", .min = 0, .max = INT_MAX},
    {.name = "stream-node-max-bytes", .kind = T_LONG, .ptr = &server.stream_node_max_bytes, .def = "4096", .min = 0, .max = LONG_MAX},
    {.name = "stream-node-max-entries", .kind = T_LONG, .ptr = &server.stream_node_max_entries, .def = "100", .min = 0, .max = LONG_MAX},
};
#define NUM_OPTIONS (sizeof(options) / sizeof(options[0]))

static configOption *findOption(const char *name) {
    for (size_t i = 0; i < NUM_OPTIONS; i++) {
        if (!strcasecmp(options[i].name, name)) return &options[i];
        if (options[i].alias && !strcasecmp(options[i].alias, name)) return &options[i];
    }
    return NULL;
}

static int parseBool(const char *s) {
    if (!strcasecmp(s, "yes")) return 1;
    if (!strcasecmp(s, "no")) return 0;
    return -1;
}

/* Set option `o` from argv; returns NULL or an error text (static). */
static const char *setOption(configOption *o, dstr *argv, int argc, int at_startup) {
    static char err[256];
    if (o->kind == T_SPECIAL) return o->set(o, argv, argc, at_startup);
    if (o->kind == T_STRING && (o->flags & F_MULTI_ARG) && argc >= 1) {
        dstr joined = dstrempty();
        for (int i = 0; i < argc; i++) {
            if (!argv[i][0]) { dstrfree(joined); return "argument can't be empty"; }
            if (i) joined = dstrcat(joined, " ");
            joined = dstrcat(joined, argv[i]);
        }
        char **p = o->ptr;
        zfree(*p);
        *p = zstrdup(joined);
        dstrfree(joined);
        return NULL;
    }
    if (argc != 1) return "wrong number of arguments";
    const char *v = argv[0];
    switch (o->kind) {
    case T_BOOL: {
        int b = parseBool(v);
        if (b < 0) return "argument must be 'yes' or 'no'";
        *(int *)o->ptr = b;
        return NULL;
    }
    case T_INT: case T_LONG: case T_LL: case T_MEM: {
        long long ll;
        unsigned long long ull;
        if (o->kind == T_MEM) {
            if (v[0] == '-') {
                return "argument must be a memory value";
            }
            if (!memtoull(v, &ull)) return "argument must be a memory value";
            ll = (long long)ull;
        } else if (!string2ll(v, strlen(v), &ll)) {
            /* Redis accepts memory units for numeric options too */
            if (!memtoull(v, &ull)) return "argument couldn't be parsed into an integer";
            ll = (long long)ull;
        }
        if (ll < o->min || ll > o->max) {
            snprintf(err, sizeof(err), "argument must be between %lld and %lld inclusive", o->min, o->max);
            return err;
        }
        if (o->kind == T_INT) *(int *)o->ptr = (int)ll;
        else if (o->kind == T_LONG) *(long *)o->ptr = (long)ll;
        else *(long long *)o->ptr = ll;
        return NULL;
    }
    case T_STRING: {
        char **p = o->ptr;
        if (!v[0] && !(o->flags & F_ALLOW_EMPTY)) return "argument can't be empty";
        zfree(*p);
        *p = (!v[0] && !(o->flags & F_KEEP_EMPTY)) ? NULL : zstrdup(v);
        return NULL;
    }
    case T_ENUM:
        for (const enumValue *e = o->enums; e->name; e++)
            if (!strcasecmp(e->name, v)) {
                *(int *)o->ptr = e->value;
                return NULL;
            }
        {
            dstr names = dstrempty();
            for (const enumValue *e = o->enums; e->name; e++) {
                if (dstrlen(names)) names = dstrcat(names, ", ");
                names = dstrcat(names, e->name);
            }
            snprintf(err, sizeof(err), "argument(s) must be one of the following: %s", names);
            dstrfree(names);
        }
        return err;
    default: return "unknown option kind";
    }
}

static dstr getOption(configOption *o) {
    switch (o->kind) {
    case T_BOOL: return dstrnew(*(int *)o->ptr ? "yes" : "no");
    case T_INT: return dstrfromll(*(int *)o->ptr);
    case T_LONG: return dstrfromll(*(long *)o->ptr);
    case T_LL: return dstrfromll(*(long long *)o->ptr);
    case T_MEM: return dstrfromll((long long)*(unsigned long long *)o->ptr);
    case T_STRING: return dstrnew(*(char **)o->ptr ? *(char **)o->ptr : "");
    case T_ENUM:
        for (const enumValue *e = o->enums; e->name; e++)
            if (e->value == *(int *)o->ptr) return dstrnew(e->name);
        return dstrempty();
    case T_SPECIAL: return o->get(o);
    }
    return dstrempty();
}

const char *configMaxmemoryPolicyName(void) {
    for (const enumValue *e = policyEnum; e->name; e++)
        if (e->value == server.maxmemory_policy) return e->name;
    return "unknown";
}

void configInitDefaults(void) {
    for (size_t i = 0; i < NUM_OPTIONS; i++) {
        configOption *o = &options[i];
        if (!o->def) continue;
        int argc;
        dstr *argv = dstrsplitargs(o->def, &argc);
        dstr empty = dstrempty();
        const char *err = setOption(o, argc ? argv : &empty, argc ? argc : 1, 1);
        if (err) {
            fprintf(stderr, "bad default for %s: %s\n", o->name, err);
            exit(1);
        }
        dstrfree(empty);
        dstrfreesplitres(argv, argc);
    }
    server.hz = server.config_hz;
}

static void loadFatal(int linenum, const char *line, const char *msg) {
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Cairn %s) ***\n", CAIRN_VERSION);
    fprintf(stderr, "Reading the configuration file, at line %d\n", linenum);
    fprintf(stderr, ">>> '%s'\n", line);
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

/* Apply the text of a config file (lines "name value ..."). */
static void loadFromString(const char *text) {
    int linenum = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        dstr line = dstrnewlen(p, len);
        p += len + (nl ? 1 : 0);
        linenum++;
        /* trim */
        size_t s = 0, e = dstrlen(line);
        while (s < e && isspace((unsigned char)line[s])) s++;
        while (e > s && isspace((unsigned char)line[e - 1])) e--;
        dstrrange(line, (ssize_t)s, (ssize_t)e - 1);
        if (e <= s) dstrclear(line);
        if (dstrlen(line) == 0 || line[0] == '#') {
            dstrfree(line);
            continue;
        }
        int argc;
        dstr *argv = dstrsplitargs(line, &argc);
        if (!argv) loadFatal(linenum, line, "Unbalanced quotes in configuration line");
        if (argc == 0) {
            dstrfreesplitres(argv, argc);
            dstrfree(line);
            continue;
        }
        if (!strcasecmp(argv[0], "include") && argc == 2) {
            FILE *f = fopen(argv[1], "r");
            if (!f) loadFatal(linenum, line, "Fatal error, can't open config file");
            dstr content = dstrempty();
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof(buf), f)) > 0) content = dstrcatlen(content, buf, n);
            fclose(f);
            loadFromString(content);
            dstrfree(content);
        } else {
            configOption *o = findOption(argv[0]);
            if (!o) loadFatal(linenum, line, "Bad directive or wrong number of arguments");
            if (argc < 2 && o->kind != T_SPECIAL) loadFatal(linenum, line, "wrong number of arguments");
            dstr empty = dstrempty();
            const char *err = setOption(o, argc > 1 ? argv + 1 : &empty, argc > 1 ? argc - 1 : 1, 1);
            dstrfree(empty);
            if (err) {
                dstr msg = dstrcatprintf(dstrempty(), "Invalid %s: %s", o->name, err);
                loadFatal(linenum, line, msg);
            }
        }
        dstrfreesplitres(argv, argc);
        dstrfree(line);
    }
}

void configLoad(const char *filename, int argc, char **argv, int first_option) {
    dstr text = dstrempty();
    if (filename) {
        FILE *f = strcmp(filename, "-") ? fopen(filename, "r") : stdin;
        if (!f) {
            fprintf(stderr, "Fatal error, can't open config file '%s': %s\n", filename, strerror(errno));
            exit(1);
        }
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text = dstrcatlen(text, buf, n);
        if (f != stdin) fclose(f);
        text = dstrcat(text, "\n");
        char *abs = realpath(filename, NULL);
        if (abs) {
            server.config_file = zstrdup(abs);
            free(abs);
        }
    }
    /* command-line options: "--name v1 v2 --other v" becomes config lines */
    for (int i = first_option; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            if (i != first_option) text = dstrcat(text, "\n");
            text = dstrcat(text, a + 2);
            text = dstrcat(text, " ");
        } else {
            text = dstrcatrepr(text, a, strlen(a));
            text = dstrcat(text, " ");
        }
    }
    loadFromString(text);
    dstrfree(text);
    applyHz();
}

/* ---- CONFIG command ------------------------------------------------------------ */
void configGetCommand(client *c) {
    /* Collect matching options in table order. As Redis does, an option's
     * name and its alias are matched (and reported) separately: bit 1 is the
     * name, bit 2 the alias. */
    int n = c->argc - 2;
    char *matched = zcalloc(NUM_OPTIONS);
    long count = 0;
    for (int a = 0; a < n; a++) {
        dstr pat = c->argv[2 + a];
        for (size_t i = 0; i < NUM_OPTIONS; i++) {
            if (!(matched[i] & 1) && stringmatchlen(pat, dstrlen(pat), options[i].name, strlen(options[i].name), 1)) {
                matched[i] |= 1;
                count++;
            }
            if (options[i].alias && !(matched[i] & 2) &&
                stringmatchlen(pat, dstrlen(pat), options[i].alias, strlen(options[i].alias), 1)) {
                matched[i] |= 2;
                count++;
            }
        }
    }
    replyMapLen(c, count);
    for (size_t i = 0; i < NUM_OPTIONS; i++) {
        if (!matched[i]) continue;
        dstr v = getOption(&options[i]);
        if (matched[i] & 1) {
            replyBulkCString(c, options[i].name);
            replyBulkDstr(c, v);
        }
        if (matched[i] & 2) {
            replyBulkCString(c, options[i].alias);
            replyBulkDstr(c, v);
        }
        dstrfree(v);
    }
    zfree(matched);
}

void configSetCommand(client *c) {
    if ((c->argc - 2) % 2 != 0) {
        replyErrorArity(c);
        return;
    }
    int pairs = (c->argc - 2) / 2;
    configOption **opts = zcalloc(sizeof(configOption *) * (size_t)pairs);
    dstr *old = zcalloc(sizeof(dstr) * (size_t)pairs);
    const char *err = NULL;
    int failed_at = -1;
    for (int i = 0; i < pairs && !err; i++) {
        dstr name = c->argv[2 + i * 2];
        configOption *o = findOption(name);
        if (!o) {
            replyErrorFormat(c, "ERR Unknown option or number of arguments for CONFIG SET - '%s'", name);
            goto done;
        }
        if (o->flags & F_IMMUTABLE) {
            replyErrorFormat(c, "ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable config",
                             name);
            goto done;
        }
        for (int j = 0; j < i; j++)
            if (opts[j] == o) {
                replyErrorFormat(c, "ERR CONFIG SET failed (possibly related to argument '%s') - duplicate parameter", name);
                goto done;
            }
        opts[i] = o;
    }
    for (int i = 0; i < pairs; i++) {
        old[i] = getOption(opts[i]);
        dstr val = c->argv[3 + i * 2];
        int argc = 1;
        dstr *argv = &val;
        dstr *split = NULL;
        if (opts[i]->kind == T_SPECIAL) {
            split = dstrsplitargs(val, &argc);
            if (!split) {
                err = "Unbalanced quotes";
                failed_at = i;
                break;
            }
            argv = split;
            if (argc == 0) {
                dstrfreesplitres(split, argc);
                split = zmalloc(sizeof(dstr));
                split[0] = dstrempty();
                argc = 1;
                argv = split;
            }
        }
        err = setOption(opts[i], argv, argc, 0);
        if (split) dstrfreesplitres(split, argc);
        if (!err && opts[i]->apply) err = opts[i]->apply();
        if (err) {
            failed_at = i;
            break;
        }
    }
    if (err) {
        /* restore everything set so far */
        for (int i = 0; i <= failed_at; i++) {
            if (!old[i]) continue;
            int argc;
            dstr *argv = dstrsplitargs(old[i], &argc);
            dstr empty = dstrempty();
            if (argv) {
                if (opts[i]->kind == T_SPECIAL || opts[i]->kind == T_STRING) {
                    dstr one = old[i];
                    setOption(opts[i], opts[i]->kind == T_STRING ? &one : (argc ? argv : &empty),
                              opts[i]->kind == T_STRING ? 1 : (argc ? argc : 1), 0);
                } else {
                    setOption(opts[i], &old[i], 1, 0);
                }
                if (opts[i]->apply) opts[i]->apply();
                dstrfreesplitres(argv, argc);
            }
            dstrfree(empty);
        }
        replyErrorFormat(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", opts[failed_at]->name, err);
        goto done;
    }
    replyOk(c);
done:
    for (int i = 0; i < pairs; i++) dstrfree(old[i]);
    zfree(old);
    zfree(opts);
}

void configResetstatCommand(client *c) {
    server.stat_numcommands = server.stat_numconnections = server.stat_rejected_conn = 0;
    server.stat_expiredkeys = server.stat_evictedkeys = server.stat_keyspace_hits = server.stat_keyspace_misses = 0;
    server.stat_net_input_bytes = server.stat_net_output_bytes = 0;
    server.stat_total_error_replies = server.stat_unexpected_error_replies = 0;
    server.stat_expired_time_cap_reached_count = 0;
    server.stat_peak_memory = zmalloc_used_memory();
    serverResetErrorStats();
    commandResetStats();
    lazyfreeResetStats();
    replyOk(c);
}

void configRewriteCommand(client *c) {
    if (!server.config_file) {
        replyError(c, "ERR The server is running without a config file");
        return;
    }
    FILE *f = fopen(server.config_file, "w");
    if (!f) {
        replyErrorFormat(c, "ERR Rewriting config file: %s", strerror(errno));
        return;
    }
    for (size_t i = 0; i < NUM_OPTIONS; i++) {
        dstr v = getOption(&options[i]);
        dstr q = dstrcatrepr(dstrempty(), v, dstrlen(v));
        if (options[i].kind == T_SPECIAL && dstrlen(v)) fprintf(f, "%s %s\n", options[i].name, v);
        else fprintf(f, "%s %s\n", options[i].name, q);
        dstrfree(v);
        dstrfree(q);
    }
    fclose(f);
    replyOk(c);
}

void configHelpCommand(client *c) {
    static const char *help[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL};
    replyHelp(c, help);
}
