/* server: the process-wide state (configuration, statistics, databases,
 * clients) and the few functions that act on the whole server. */
#ifndef CAIRN_SERVER_H
#define CAIRN_SERVER_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "dlist.h"
#include "dstr.h"
#include "event.h"

#define CAIRN_VERSION "0.1.0"
#define REDIS_COMPAT_VERSION "7.2.4"   /* the Redis release whose behaviour Cairn follows */
#define REDIS_COMPAT_VERSION_NUM 0x00070204

#define MAXMEMORY_FLAG_LRU (1 << 0)
#define MAXMEMORY_FLAG_LFU (1 << 1)
#define MAXMEMORY_FLAG_ALLKEYS (1 << 2)
#define MAXMEMORY_VOLATILE_LRU ((0 << 8) | MAXMEMORY_FLAG_LRU)
#define MAXMEMORY_VOLATILE_LFU ((1 << 8) | MAXMEMORY_FLAG_LFU)
#define MAXMEMORY_VOLATILE_TTL (2 << 8)
#define MAXMEMORY_VOLATILE_RANDOM (3 << 8)
#define MAXMEMORY_ALLKEYS_LRU ((4 << 8) | MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_ALLKEYS)
#define MAXMEMORY_ALLKEYS_LFU ((5 << 8) | MAXMEMORY_FLAG_LFU | MAXMEMORY_FLAG_ALLKEYS)
#define MAXMEMORY_ALLKEYS_RANDOM ((6 << 8) | MAXMEMORY_FLAG_ALLKEYS)
#define MAXMEMORY_NO_EVICTION (7 << 8)

#define LL_DEBUG 0
#define LL_VERBOSE 1
#define LL_NOTICE 2
#define LL_WARNING 3

typedef struct db db;
typedef struct client client;

struct cairnServer {
    /* configuration (config.c keeps the table that maps names to these) */
    int port;
    char *bindaddr;              /* space-separated list */
    char *unixsocket;
    int unixsocketperm;
    char *requirepass;
    int maxclients;
    int maxidletime;             /* seconds, 0 = never */
    int dbnum;
    int hz, config_hz;
    unsigned long long maxmemory;
    int maxmemory_policy;
    int maxmemory_samples;
    int lfu_log_factor, lfu_decay_time;
    int verbosity;
    char *logfile;
    int daemonize;
    char *pidfile;
    int protected_mode;
    long long proto_max_bulk_len;
    unsigned long long client_max_querybuf_len;
    unsigned long long cob_normal_hard, cob_normal_soft; /* client-output-buffer-limit normal */
    int cob_normal_soft_seconds;
    int tcp_backlog, tcpkeepalive;
    long long slowlog_log_slower_than;
    unsigned long slowlog_max_len;
    int active_expire_effort;
    int lazyfree_lazy_user_flush, lazyfree_lazy_user_del;
    int latency_tracking;
    char *save_params, *appendfsync, *dir, *dbfilename, *appendfilename;
    int appendonly, aof_use_rdb_preamble;
    char *config_file;           /* absolute path, NULL if none */
    char *executable;
    int sanitize_dump_payload;   /* 0 no, 1 yes, 2 clients: kept for compatibility */
    int dump_rdb_version;
    int enable_debug_command;
    int busy_reply_threshold;    /* ms (lua-time-limit) */
    /* encodings thresholds (collections) */
    long hash_max_listpack_entries, hash_max_listpack_value;
    long set_max_intset_entries, set_max_listpack_entries, set_max_listpack_value;
    long zset_max_listpack_entries, zset_max_listpack_value;
    int list_max_listpack_size, list_compress_depth;
    long stream_node_max_bytes, stream_node_max_entries;

    /* runtime */
    pid_t pid;
    eventLoop *el;
    db *dbs;
    dlist *clients;              /* every connected client */
    dlist *clients_to_close;     /* CLIENT_CLOSE_ASAP clients, freed in beforeSleep */
    dlist *clients_pending_write;
    dlist *monitors;
    uint64_t next_client_id;
    int listen_fds[16];
    int listen_count;
    int unix_fd;
    long long start_time_ms;
    unsigned int lruclock;
    long long mstime_cached;     /* wall clock ms, updated per command */
    long long ustime_cached;
    int shutdown_asap;
    int in_exec, in_script;
    client *current_client;
    long long dirty;             /* changes since start (no persistence yet) */
    int cronloops;
    long long paused_until_ms;   /* CLIENT PAUSE */
    int pause_write_only;
    int loading;

    /* statistics */
    long long stat_numcommands, stat_numconnections, stat_rejected_conn;
    long long stat_expiredkeys, stat_evictedkeys, stat_keyspace_hits, stat_keyspace_misses;
    long long stat_net_input_bytes, stat_net_output_bytes;
    long long stat_total_error_replies, stat_unexpected_error_replies;
    long long stat_expired_stale_perc, stat_expired_time_cap_reached_count;
    struct hashtable *errors;    /* error code -> count for INFO errorstats */
    size_t stat_peak_memory;
    size_t startup_memory;       /* used_memory once initialised (INFO used_memory_startup) */
    long long stat_io_reads, stat_io_writes;
    dlist *slowlog;
    long long slowlog_entry_id;
};

extern struct cairnServer server;

/* Logging in Redis's format: "pid:role dd Mon yyyy hh:mm:ss.mmm <sym> message". */
void serverLog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log a fatal condition and abort. */
void serverPanic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define serverAssert(e) ((e) ? (void)0 : serverPanic("assertion failed: %s (%s:%d)", #e, __FILE__, __LINE__))

/* Cached clock, refreshed before each command (ms / us since the epoch). */
static inline long long mstime(void) { return server.mstime_cached; }
void updateCachedTime(void);

/* Count an error reply in INFO errorstats (code = first word, e.g. "ERR"). */
void serverCountError(const char *code, size_t len);
/* Ask the server to stop after the current event loop iteration. */
void serverRequestShutdown(void);
/* Prepare for exit: close listeners, remove pidfile/socket. */
int serverPrepareShutdown(void);
/* Reset INFO errorstats. */
void serverResetErrorStats(void);
/* Create the event loop, databases, command table; install signal handlers. */
void serverInit(void);
/* Run the event loop until shutdown. */
void serverMain(void);
/* 1 while writes are paused (CLIENT PAUSE WRITE) or all commands (ALL). */
int serverIsPaused(void);

#endif
