#define _GNU_SOURCE /* RUSAGE_THREAD */
/* INFO: Redis's sections and field names. */
#include "blocked.h"
#include "client.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "eval.h"
#include "hashtable.h"
#include "lazyfree.h"
#include "migrate.h"
#include "reply.h"
#include "server.h"
#include "zmalloc.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

static void bytesToHuman(char *buf, size_t len, unsigned long long n) {
    if (n < 1024) snprintf(buf, len, "%lluB", n);
    else if (n < 1024ULL * 1024) snprintf(buf, len, "%.2fK", (double)n / 1024);
    else if (n < 1024ULL * 1024 * 1024) snprintf(buf, len, "%.2fM", (double)n / (1024 * 1024));
    else snprintf(buf, len, "%.2fG", (double)n / (1024.0 * 1024 * 1024));
}

static int wants(dstr *sections, int n, const char *name, int is_default) {
    if (n == 0) return is_default;
    for (int i = 0; i < n; i++) {
        if (!strcasecmp(sections[i], name)) return 1;
        if (!strcasecmp(sections[i], "all") && strcmp(name, "commandstats") && strcmp(name, "errorstats")) return 1;
        if (!strcasecmp(sections[i], "everything")) return 1;
        if (!strcasecmp(sections[i], "default") && is_default) return 1;
    }
    return 0;
}

static dstr commandStats(dstr s, command *cmd) {
    if (cmd->calls || cmd->failed_calls || cmd->rejected_calls) {
        s = dstrcatprintf(s, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,failed_calls=%lld\r\n",
                          cmd->fullname, cmd->calls, cmd->microseconds,
                          cmd->calls ? (double)cmd->microseconds / (double)cmd->calls : 0.0, cmd->rejected_calls,
                          cmd->failed_calls);
    }
    for (int i = 0; i < cmd->num_subcommands; i++) s = commandStats(s, &cmd->subcommands[i]);
    return s;
}

dstr genInfoString(dstr *sections, int n) {
    dstr s = dstrempty();
    long long now = elWallMs();
    long long uptime = (now - server.start_time_ms) / 1000;
    int first = 1;
#define SECTION(name)                         \
    do {                                      \
        if (!first) s = dstrcat(s, "\r\n");   \
        first = 0;                            \
        s = dstrcat(s, "# " name "\r\n");     \
    } while (0)
    if (wants(sections, n, "server", 1)) {
        struct utsname un;
        uname(&un);
        SECTION("Server");
        s = dstrcatprintf(s,
                          "redis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n"
                          "redis_mode:standalone\r\nos:%s %s %s\r\narch_bits:%d\r\nmonotonic_clock:POSIX clock_gettime\r\n"
                          "multiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:%d.%d.%d\r\nprocess_id:%d\r\n"
                          "process_supervised:no\r\nrun_id:%040d\r\ntcp_port:%d\r\nserver_time_usec:%lld\r\n"
                          "uptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\nhz:%d\r\nconfigured_hz:%d\r\nlru_clock:%u\r\n"
                          "executable:%s\r\nconfig_file:%s\r\nio_threads_active:0\r\nserver_name:cairn\r\ncairn_version:%s\r\n",
                          REDIS_COMPAT_VERSION, un.sysname, un.release, un.machine, (int)sizeof(long) * 8,
                          __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__, (int)server.pid, 0, server.port,
                          elWallUs(), uptime, uptime / 86400, server.hz, server.config_hz, lruClock(),
                          server.executable ? server.executable : "", server.config_file ? server.config_file : "",
                          CAIRN_VERSION);
    }
    if (wants(sections, n, "clients", 1)) {
        SECTION("Clients");
        s = dstrcatprintf(s,
                          "connected_clients:%zu\r\ncluster_connections:0\r\nmaxclients:%d\r\n"
                          "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:%lld\r\n"
                          "tracking_clients:0\r\nclients_in_timeout_table:%lld\r\ntotal_blocking_keys:%lld\r\n"
                          "total_blocking_keys_on_nokey:0\r\n",
                          dlistLength(server.clients), server.maxclients, blockedClientCount(), blockedClientCount(),
                          blockingKeysCount());
    }
    if (wants(sections, n, "memory", 1)) {
        char h1[32], h2[32], h3[32], h4[32], h5[32];
        size_t used = zmalloc_used_memory(), rss = zmalloc_get_rss();
        if (used > server.stat_peak_memory) server.stat_peak_memory = used;
        size_t clients_mem = 0;
        for (dlistNode *ln = dlistFirst(server.clients); ln; ln = ln->next) clients_mem += clientTotalMemory(ln->value);
        size_t overhead = server.startup_memory + clients_mem;
        size_t dataset = used > overhead ? used - overhead : 0;
        size_t net = used > server.startup_memory ? used - server.startup_memory : 0;
        long pages = sysconf(_SC_PHYS_PAGES), pagesize = sysconf(_SC_PAGESIZE);
        size_t total_system = pages > 0 && pagesize > 0 ? (size_t)pages * (size_t)pagesize : 0;
        bytesToHuman(h1, sizeof(h1), used);
        bytesToHuman(h2, sizeof(h2), rss);
        bytesToHuman(h3, sizeof(h3), server.stat_peak_memory);
        bytesToHuman(h4, sizeof(h4), server.maxmemory);
        bytesToHuman(h5, sizeof(h5), total_system);
        SECTION("Memory");
        s = dstrcatprintf(s,
                          "used_memory:%zu\r\nused_memory_human:%s\r\nused_memory_rss:%zu\r\nused_memory_rss_human:%s\r\n"
                          "used_memory_peak:%zu\r\nused_memory_peak_human:%s\r\nused_memory_peak_perc:%.2f%%\r\n"
                          "used_memory_overhead:%zu\r\nused_memory_startup:%zu\r\nused_memory_dataset:%zu\r\n"
                          "used_memory_dataset_perc:%.2f%%\r\ntotal_system_memory:%zu\r\ntotal_system_memory_human:%s\r\n"
                          "maxmemory:%llu\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
                          "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\n"
                          "mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\n"
                          "mem_clients_slaves:0\r\nmem_clients_normal:%zu\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\n"
                          "mem_allocator:%s\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:%zu\r\n"
                          "lazyfreed_objects:%zu\r\n",
                          used, h1, rss, h2, server.stat_peak_memory, h3,
                          server.stat_peak_memory ? 100.0 * (double)used / (double)server.stat_peak_memory : 0.0,
                          overhead, server.startup_memory, dataset, net ? 100.0 * (double)dataset / (double)net : 0.0,
                          total_system, h5, server.maxmemory, h4, configMaxmemoryPolicyName(),
                          used ? (double)rss / (double)used : 0.0, (long long)rss - (long long)used, clients_mem,
                          zmalloc_allocator_name(), lazyfreePendingObjects(), lazyfreeFreedObjects());
        s = evalInfoMemory(s);
    }
    if (wants(sections, n, "persistence", 1)) {
        SECTION("Persistence");
        s = dstrcatprintf(s,
                          "loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\nrdb_changes_since_last_save:%lld\r\n"
                          "rdb_bgsave_in_progress:0\r\nrdb_last_save_time:%lld\r\nrdb_last_bgsave_status:ok\r\n"
                          "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
                          "aof_last_bgrewrite_status:ok\r\naof_last_write_status:ok\r\n",
                          server.dirty, server.start_time_ms / 1000);
    }
    if (wants(sections, n, "stats", 1)) {
        SECTION("Stats");
        /* Field order as Redis 7.0; features Cairn does not have (replication,
         * forks, defrag, tracking, io threads) report their true value, 0. */
        s = dstrcatprintf(s,
                          "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\ninstantaneous_ops_per_sec:0\r\n"
                          "total_net_input_bytes:%lld\r\ntotal_net_output_bytes:%lld\r\ntotal_net_repl_input_bytes:0\r\n"
                          "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:0.00\r\ninstantaneous_output_kbps:0.00\r\n"
                          "instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n"
                          "rejected_connections:%lld\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
                          "expired_keys:%lld\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:%lld\r\n"
                          "expire_cycle_cpu_milliseconds:0\r\nevicted_keys:%lld\r\nevicted_clients:0\r\n"
                          "total_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\n"
                          "keyspace_hits:%lld\r\nkeyspace_misses:%lld\r\npubsub_channels:0\r\n"
                          "pubsub_patterns:0\r\npubsubshard_channels:0\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\n"
                          "migrate_cached_sockets:%d\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\n"
                          "active_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\n"
                          "total_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\n"
                          "tracking_total_items:0\r\ntracking_total_prefixes:0\r\n"
                          "unexpected_error_replies:%lld\r\ntotal_error_replies:%lld\r\ndump_payload_sanitizations:0\r\n"
                          "total_reads_processed:%lld\r\ntotal_writes_processed:%lld\r\n"
                          "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n",
                          server.stat_numconnections, server.stat_numcommands, server.stat_net_input_bytes,
                          server.stat_net_output_bytes, server.stat_rejected_conn, server.stat_expiredkeys,
                          server.stat_expired_time_cap_reached_count, server.stat_evictedkeys,
                          server.stat_keyspace_hits, server.stat_keyspace_misses, migrateCachedSockets(),
                          server.stat_unexpected_error_replies,
                          server.stat_total_error_replies, server.stat_io_reads, server.stat_io_writes);
    }
    if (wants(sections, n, "replication", 1)) {
        SECTION("Replication");
        s = dstrcat(s, "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
                       "master_replid:0000000000000000000000000000000000000000\r\n"
                       "master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\n"
                       "second_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\n"
                       "repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n");
    }
    if (wants(sections, n, "cpu", 1)) {
        struct rusage self, children;
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        SECTION("CPU");
        s = dstrcatprintf(s, "used_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\nused_cpu_sys_children:%ld.%06ld\r\n"
                             "used_cpu_user_children:%ld.%06ld\r\n",
                          (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec,
                          (long)self.ru_utime.tv_usec, (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
                          (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec);
        struct rusage main_thread;
        if (getrusage(RUSAGE_THREAD, &main_thread) == 0)
            s = dstrcatprintf(s, "used_cpu_sys_main_thread:%ld.%06ld\r\nused_cpu_user_main_thread:%ld.%06ld\r\n",
                              (long)main_thread.ru_stime.tv_sec, (long)main_thread.ru_stime.tv_usec,
                              (long)main_thread.ru_utime.tv_sec, (long)main_thread.ru_utime.tv_usec);
    }
    if (wants(sections, n, "modules", 1)) {
        SECTION("Modules");
    }
    if (wants(sections, n, "errorstats", 0)) {
        SECTION("Errorstats");
        if (server.errors) {
            hashtableIterator it;
            hashtableInitIterator(&it, server.errors);
            void *e;
            while (hashtableNext(&it, &e)) {
                struct { dstr code; long long count; } *ec = e;
                s = dstrcatprintf(s, "errorstat_%s:count=%lld\r\n", ec->code, ec->count);
            }
            hashtableResetIterator(&it);
        }
    }
    if (wants(sections, n, "commandstats", 0)) {
        SECTION("Commandstats");
        int count;
        command **all = commandAll(&count);
        for (int i = 0; i < count; i++) s = commandStats(s, all[i]);
    }
    if (wants(sections, n, "keyspace", 1)) {
        SECTION("Keyspace");
        for (int i = 0; i < server.dbnum; i++) {
            db *d = &server.dbs[i];
            size_t keys = dbSize(d);
            if (!keys) continue;
            s = dstrcatprintf(s, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys, hashtableSize(d->expires),
                              d->avg_ttl);
        }
    }
    return s;
}

void infoCommand(client *c) {
    dstr s = genInfoString(c->argv + 1, c->argc - 1);
    replyVerbatim(c, s, dstrlen(s), "txt");
    dstrfree(s);
}
