/* server: process state, logging, the cron, beforeSleep and shutdown. */
#include "server.h"
#include "lazyfree.h"
#include "blocked.h"
#include "client.h"
#include "commands.h"
#include "db.h"
#include "hashtable.h"
#include "migrate.h"
#include "net.h"
#include "siphash.h"
#include "types.h"
#include "util.h"
#include "slowlog.h"
#include "zmalloc.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct cairnServer server;

void updateCachedTime(void) {
    server.ustime_cached = elWallUs();
    server.mstime_cached = server.ustime_cached / 1000;
}

static void logRaw(int level, const char *msg) {
    static const char syms[] = ".-*#";
    FILE *fp;
    int to_stdout = !server.logfile || server.logfile[0] == '\0';
    fp = to_stdout ? stdout : fopen(server.logfile, "a");
    if (!fp) return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char buf[64];
    size_t off = strftime(buf, sizeof(buf), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(buf + off, sizeof(buf) - off, "%03d", (int)tv.tv_usec / 1000);
    fprintf(fp, "%d:M %s %c %s\n", (int)getpid(), buf, syms[level & 3], msg);
    fflush(fp);
    if (!to_stdout) fclose(fp);
}

void serverLog(int level, const char *fmt, ...) {
    if (level < server.verbosity) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    logRaw(level, msg);
}

void serverPanic(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    logRaw(LL_WARNING, "------------------------------------------------");
    logRaw(LL_WARNING, "!!! Software Failure. Press left mouse button to continue");
    logRaw(LL_WARNING, msg);
    abort();
}

/* ---- error statistics (INFO errorstats) --------------------------------------- */
typedef struct errorCount {
    dstr code;
    long long count;
} errorCount;
static const void *ecKey(const void *e) { return ((const errorCount *)e)->code; }
static uint64_t ecHash(const void *k) { return hashBytes(k, dstrlen((const dstr)k)); }
static int ecCompare(const void *a, const void *b) { return dstrcmp((const dstr)a, (const dstr)b); }
static void ecFree(void *e) {
    dstrfree(((errorCount *)e)->code);
    zfree(e);
}
static hashtableType errorsType = {.entryGetKey = ecKey, .hashFunction = ecHash, .keyCompare = ecCompare,
                                   .entryDestructor = ecFree};

void serverCountError(const char *code, size_t len) {
    if (!server.errors) server.errors = hashtableCreate(&errorsType);
    dstr k = dstrnewlen(code, len);
    void *found;
    if (hashtableFind(server.errors, k, &found)) {
        ((errorCount *)found)->count++;
        dstrfree(k);
        return;
    }
    if (hashtableSize(server.errors) >= 128) { /* Redis caps distinct error codes */
        dstrfree(k);
        return;
    }
    errorCount *e = zmalloc(sizeof(*e));
    e->code = k;
    e->count = 1;
    hashtableAdd(server.errors, e);
}

void serverResetErrorStats(void) {
    if (server.errors) hashtableEmpty(server.errors, NULL);
}

/* ---- pause ---------------------------------------------------------------------- */
int serverIsPaused(void) {
    if (!server.paused_until_ms) return 0;
    if (elWallMs() >= server.paused_until_ms) {
        server.paused_until_ms = 0;
        unblockPausedClients();
        return 0;
    }
    return 1;
}

/* ---- cron ------------------------------------------------------------------------- */
static long long serverCron(eventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    updateCachedTime();
    server.lruclock = lruClock();
    size_t used = zmalloc_used_memory();
    if (used > server.stat_peak_memory) server.stat_peak_memory = used;
    netClientsCron();
    /* active expiry: 25% of one cron period, scaled by effort */
    long long budget = 1000000 / server.hz * 25 / 100 * (server.active_expire_effort + 3) / 4;
    if (!server.in_script) activeExpireCycle(budget); /* keys do not vanish under a busy script */
    for (int i = 0; i < server.dbnum; i++) {
        hashtableRehashMicroseconds(server.dbs[i].keys, 1000);
        hashtableRehashMicroseconds(server.dbs[i].expires, 1000);
    }
    blockedTimeoutCheck(elWallMs());
    migrateCron();
    if (server.paused_until_ms) serverIsPaused();
    if (server.shutdown_asap) {
        if (serverPrepareShutdown() == 0) {
            serverLog(LL_WARNING, "Cairn is now ready to exit, bye bye...");
            exit(0);
        }
        server.shutdown_asap = 0;
    }
    server.cronloops++;
    return 1000 / server.hz;
}

static void beforeSleep(eventLoop *el) {
    (void)el;
    updateCachedTime();
    handleClientsBlockedOnKeys();
    blockedTimeoutCheck(elWallMs());
    /* close clients scheduled for closing */
    while (dlistLength(server.clients_to_close)) {
        dlistNode *n = dlistFirst(server.clients_to_close);
        client *c = n->value;
        c->flags &= ~(CLIENT_CLOSE_ASAP | CLIENT_PROTECTED);
        dlistDelNode(server.clients_to_close, n);
        clientFree(c);
    }
    netHandleClientsWithPendingWrites();
}

void serverRequestShutdown(void) { server.shutdown_asap = 1; }

int serverPrepareShutdown(void) {
    serverLog(LL_WARNING, "User requested shutdown...");
    netCloseListeners();
    lazyfreeDrain(); /* let the background thread finish what it is freeing */
    if (server.pidfile && server.pidfile[0]) unlink(server.pidfile);
    return 0;
}

static void sigShutdownHandler(int sig) {
    const char *msg = sig == SIGINT ? "Received SIGINT scheduling shutdown..." : "Received SIGTERM scheduling shutdown...";
    if (server.shutdown_asap && sig == SIGINT) {
        logRaw(LL_WARNING, "You insist... exiting now.");
        _exit(1);
    }
    logRaw(LL_WARNING, msg);
    server.shutdown_asap = 1;
}

void serverInit(void) {
    server.pid = getpid();
    /* purging of freed pages off the main thread (no inline madvise bursts) */
    zmalloc_enable_background_thread();
    updateCachedTime();
    server.start_time_ms = server.mstime_cached;
    server.clients = dlistCreate();
    server.clients_to_close = dlistCreate();
    server.clients_pending_write = dlistCreate();
    server.monitors = dlistCreate();
    uint8_t seed[16];
    getRandomBytes(seed, sizeof(seed));
    hashSetSeed(seed);
    server.el = elCreate(server.maxclients + 128);
    if (!server.el) serverPanic("cannot create the event loop");
    dbInitAll();
    slowlogInit();
    commandTableInit();
    typesRegisterAll();
    struct sigaction act = {0};
    act.sa_handler = sigShutdownHandler;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    elAddTimer(server.el, 1, serverCron, NULL);
    elSetBeforeSleep(server.el, beforeSleep);
}

void serverMain(void) { elMain(server.el); }
