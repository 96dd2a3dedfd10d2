#include "slowlog.h"
#include "client.h"
#include "reply.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SLOWLOG_MAX_ARGC 32
#define SLOWLOG_MAX_ARGLEN 128

typedef struct slowlogEntry {
    dstr *argv;
    int argc;
    long long id, duration, time;
    dstr peerid, cname;
} slowlogEntry;

static void freeEntry(void *p) {
    slowlogEntry *e = p;
    for (int i = 0; i < e->argc; i++) dstrfree(e->argv[i]);
    zfree(e->argv);
    dstrfree(e->peerid);
    dstrfree(e->cname);
    zfree(e);
}

void slowlogInit(void) {
    server.slowlog = dlistCreate();
    server.slowlog->free = freeEntry;
}

void slowlogPushEntryIfNeeded(client *c, dstr *argv, int argc, long long duration) {
    if (server.slowlog_log_slower_than < 0 || duration < server.slowlog_log_slower_than) return;
    slowlogEntry *e = zmalloc(sizeof(*e));
    int n = argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : argc;
    e->argc = n;
    e->argv = zmalloc(sizeof(dstr) * (size_t)n);
    for (int i = 0; i < n; i++) {
        if (argv == c->argv && clientArgRedacted(c, i)) {
            e->argv[i] = dstrnew("(redacted)");
        } else if (n == SLOWLOG_MAX_ARGC && i == n - 1) {
            e->argv[i] = dstrcatprintf(dstrempty(), "... (%d more arguments)", argc - n + 1);
        } else if (dstrlen(argv[i]) > SLOWLOG_MAX_ARGLEN) {
            e->argv[i] = dstrnewlen(argv[i], SLOWLOG_MAX_ARGLEN);
            e->argv[i] = dstrcatprintf(e->argv[i], "... (%zu more bytes)", dstrlen(argv[i]) - SLOWLOG_MAX_ARGLEN);
        } else {
            e->argv[i] = dstrdup(argv[i]);
        }
    }
    e->id = server.slowlog_entry_id++;
    e->duration = duration;
    e->time = elWallMs() / 1000;
    e->peerid = dstrnew(c->addr);
    e->cname = dstrnew(c->name ? c->name : "");
    dlistAddHead(server.slowlog, e);
    while (dlistLength(server.slowlog) > server.slowlog_max_len) dlistDelNode(server.slowlog, dlistLast(server.slowlog));
}

void slowlogGetCommand(client *c) {
    long long count = 10;
    if (c->argc == 3) {
        if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &count) || count < -1) {
            replyError(c, "ERR count should be greater than or equal to -1");
            return;
        }
        if (count == -1) count = (long long)dlistLength(server.slowlog);
    }
    long long n = (long long)dlistLength(server.slowlog);
    if (count > n) count = n;
    replyArrayLen(c, (long)count);
    dlistNode *node = dlistFirst(server.slowlog);
    for (long long i = 0; i < count; i++, node = node->next) {
        slowlogEntry *e = node->value;
        replyArrayLen(c, 6);
        replyLongLong(c, e->id);
        replyLongLong(c, e->time);
        replyLongLong(c, e->duration);
        replyArrayLen(c, e->argc);
        for (int j = 0; j < e->argc; j++) replyBulkDstr(c, e->argv[j]);
        replyBulkDstr(c, e->peerid);
        replyBulkDstr(c, e->cname);
    }
}

void slowlogLenCommand(client *c) { replyLongLong(c, (long long)dlistLength(server.slowlog)); }

void slowlogResetCommand(client *c) {
    dlistEmpty(server.slowlog);
    replyOk(c);
}

void slowlogHelpCommand(client *c) {
    static const char *help[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL};
    replyHelp(c, help);
}
