#include "call.h"
#include "blocked.h"
#include "client.h"
#include "commands.h"
#include "db.h"
#include "multi.h"
#include "reply.h"
#include "script.h"
#include "server.h"
#include "slowlog.h"
#include "zmalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void replyUnknownCommand(client *c) {
    dstr args = dstrempty();
    for (int i = 1; i < c->argc && dstrlen(args) < 128; i++) {
        size_t remaining = 128 - dstrlen(args);
        size_t l = dstrlen(c->argv[i]);
        args = dstrcatprintf(args, "'%.*s' ", (int)(l < remaining ? l : remaining), c->argv[i]);
    }
    size_t nl = dstrlen(c->argv[0]);
    replyErrorFormat(c, "ERR unknown command '%.*s', with args beginning with: %s", (int)(nl > 128 ? 128 : nl),
                     c->argv[0], args);
    dstrfree(args);
}

static void replyUnknownSubcommand(client *c, command *parent) {
    dstr up = dstrnew(parent->fullname);
    dstrtoupper(up);
    size_t sl = dstrlen(c->argv[1]);
    replyErrorFormat(c, "ERR unknown subcommand '%.*s'. Try %s HELP.", (int)(sl > 128 ? 128 : sl), c->argv[1], up);
    dstrfree(up);
}

static int arityOk(const command *cmd, int argc) {
    return !((cmd->arity > 0 && cmd->arity != argc) || (argc < -cmd->arity));
}

void replicationFeedMonitors(client *c, int dbid, char **argv, int argc) {
    if (!dlistLength(server.monitors)) return;
    long long us = elWallUs();
    dstr line = dstrcatprintf(dstrempty(), "+%lld.%06lld [%d ", us / 1000000, us % 1000000, dbid);
    if (c->flags & CLIENT_SCRIPT) line = dstrcat(line, "lua] ");
    else if (c->flags & CLIENT_UNIX_SOCKET) line = dstrcatprintf(line, "unix:%s] ", server.unixsocket);
    else line = dstrcatprintf(line, "%s] ", c->addr);
    int own = argv == c->argv; /* the client's command: its redaction marks apply */
    for (int i = 0; i < argc; i++) {
        if (own && clientArgRedacted(c, i)) line = dstrcat(line, "\"(redacted)\"");
        else line = dstrcatrepr(line, argv[i], dstrlen(argv[i]));
        if (i != argc - 1) line = dstrcat(line, " ");
    }
    line = dstrcat(line, "\r\n");
    for (dlistNode *n = dlistFirst(server.monitors); n; n = n->next) {
        client *m = n->value;
        clientAppendReply(m, line, dstrlen(line));
    }
    dstrfree(line);
}

void call(client *c) {
    command *cmd = c->cmd;
    client *prev = server.current_client;
    server.current_client = c;
    updateCachedTime();
    long long dirty_before = server.dirty;
    int errors_before = c->reply_errors;
    long long start = elMonotonicUs();
    c->lastcmd = cmd; /* CLIENT LIST/INFO show the command being run */
    c->flags |= CLIENT_EXECUTING;
    cmd->proc(c);
    c->flags &= ~CLIENT_EXECUTING;
    long long duration = elMonotonicUs() - start;
    /* MONITOR sees the command after it ran (as Redis 7), so arguments it
     * redacted are hidden; commands run inside EXEC or by scripts appear
     * before their EXEC / after their EVAL line. A re-run of a command that
     * blocked was shown the first time. */
    if (!(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN)) && !(c->flags & CLIENT_RERUN))
        replicationFeedMonitors(c, c->db->id, c->argv, c->argc); /* after SELECT: the new db */
    (void)dirty_before;
    command *stat = c->realcmd ? c->realcmd : cmd;
    if (!(c->flags & CLIENT_BLOCKED)) {
        stat->calls++;
        stat->microseconds += duration;
        if (c->reply_errors > errors_before) stat->failed_calls++;
        if (!(cmd->flags & CMD_SKIP_SLOWLOG)) slowlogPushEntryIfNeeded(c, c->argv, c->argc, duration);
    }
    clientClearRedacted(c);
    server.stat_numcommands++;
    server.current_client = prev;
}

void commandDone(client *c) {
    if (c->flags & CLIENT_REPLY_SKIP) c->flags &= ~CLIENT_REPLY_SKIP;
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags |= CLIENT_REPLY_SKIP;
        c->flags &= ~CLIENT_REPLY_SKIP_NEXT;
    }
    c->reply_errors = 0;
    c->realcmd = NULL;
}

/* Commands that run at once inside MULTI instead of being queued. */
static int isTransactionControl(const command *cmd) {
    static const char *const names[] = {"exec", "discard", "multi", "watch", "quit", "reset", NULL};
    for (int i = 0; names[i]; i++)
        if (!strcmp(cmd->fullname, names[i])) return 1;
    return 0;
}

/* During CLIENT PAUSE WRITE only commands that may write wait; PAUSE ALL holds every command. */
static int commandIsPausable(const command *cmd) {
    if (!server.pause_write_only) return 1;
    if (cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE)) return 1;
    if (!strcmp(cmd->fullname, "exec") || !strcmp(cmd->fullname, "eval") || !strcmp(cmd->fullname, "evalsha") ||
        !strcmp(cmd->fullname, "fcall"))
        return 1;
    return 0;
}

static void rejectCommand(client *c, const char *msg) {
    if (c->flags & CLIENT_MULTI) multiFlagDirty(c);
    if (c->cmd) c->cmd->rejected_calls++;
    replyError(c, msg);
}

int processCommand(client *c) {
    c->cmd = NULL;
    command *base = commandLookup(c->argv[0], dstrlen(c->argv[0]));
    if (!base) {
        if (c->flags & CLIENT_MULTI) multiFlagDirty(c);
        replyUnknownCommand(c);
        commandDone(c);
        return 0;
    }
    command *cmd = base;
    if (base->num_subcommands && c->argc >= 2) {
        cmd = commandLookupSubcommand(base, c->argv[1], dstrlen(c->argv[1]));
        if (!cmd) {
            if (c->flags & CLIENT_MULTI) multiFlagDirty(c);
            c->cmd = base;
            replyUnknownSubcommand(c, base);
            commandDone(c);
            return 0;
        }
    }
    c->cmd = cmd;
    if (!arityOk(cmd, c->argc) || (base->num_subcommands && !base->proc && c->argc < 2)) {
        if (base->num_subcommands && !base->proc && c->argc < 2) c->cmd = base;
        if (c->flags & CLIENT_MULTI) multiFlagDirty(c);
        cmd->rejected_calls++;
        replyErrorArity(c);
        commandDone(c);
        return 0;
    }
    if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        rejectCommand(c, "NOAUTH Authentication required.");
        commandDone(c);
        return 0;
    }
    if (server.maxmemory && (cmd->flags & CMD_DENYOOM) && zmalloc_used_memory() > server.maxmemory &&
        server.maxmemory_policy == MAXMEMORY_NO_EVICTION) {
        rejectCommand(c, "OOM command not allowed when used memory > 'maxmemory'.");
        commandDone(c);
        return 0;
    }
    /* a script running past busy-reply-threshold: only allow-busy commands */
    if (scriptIsBusy() && !(cmd->flags & CMD_ALLOW_BUSY)) {
        rejectCommand(c, scriptBusyError());
        commandDone(c);
        return 0;
    }
    if (serverIsPaused() && !(c->flags & CLIENT_MULTI) && commandIsPausable(cmd)) {
        blockForPause(c);
        return 0;
    }
    if ((c->flags & CLIENT_MULTI) && !isTransactionControl(cmd)) {
        multiQueueCommand(c);
        commandDone(c);
        return 0;
    }
    call(c);
    if (!(c->flags & CLIENT_BLOCKED)) commandDone(c);
    return 0;
}
