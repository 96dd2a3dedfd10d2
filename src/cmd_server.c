/* Connection and server commands: PING, ECHO, QUIT, RESET, AUTH, HELLO, TIME,
 * SHUTDOWN, MONITOR, DEBUG, LASTSAVE, CLIENT *, and their helpers. INFO is in info.c. */
#include "blocked.h"
#include "call.h"
#include "client.h"
#include "commands.h"
#include "db.h"
#include "hashtable.h"
#include "multi.h"
#include "object.h"
#include "quicklist.h"
#include "reply.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void pingCommand(client *c) {
    if (c->argc > 2) {
        replyErrorArity(c);
        return;
    }
    if (c->argc == 1) replyStatus(c, "PONG");
    else replyBulkDstr(c, c->argv[1]);
}

void echoCommand(client *c) { replyBulkDstr(c, c->argv[1]); }

void quitCommand(client *c) {
    replyOk(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void resetClientState(client *c) {
    if (c->flags & CLIENT_MULTI) multiDiscard(c);
    unwatchAllKeys(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    clientSelectDb(c, 0);
    c->resp = 2;
    dstrfree(c->name);
    c->name = NULL;
    if (c->flags & CLIENT_MONITOR) {
        dlistNode *n = dlistSearch(server.monitors, c);
        if (n) dlistDelNode(server.monitors, n);
    }
    c->flags &= ~(CLIENT_MONITOR | CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT | CLIENT_NO_EVICT | CLIENT_NO_TOUCH);
    c->authenticated = server.requirepass == NULL || server.requirepass[0] == '\0';
}

void resetCommand(client *c) {
    resetClientState(c);
    replyStatus(c, "RESET");
}

/* Check user/password against requirepass (the only user is "default"). */
static int checkPassword(const dstr user, const dstr pass) {
    if (user && strcmp(user, "default")) return 0;
    if (!server.requirepass || !server.requirepass[0]) return 1;
    return strlen(server.requirepass) == dstrlen(pass) && !memcmp(server.requirepass, pass, dstrlen(pass));
}

void authCommand(client *c) {
    if (c->argc > 3) {
        replyErrorSyntax(c);
        return;
    }
    for (int i = 1; i < c->argc; i++) clientRedactArg(c, i); /* user and password */
    if (c->argc == 2 && (!server.requirepass || !server.requirepass[0])) {
        replyError(c, "ERR AUTH <password> called without any password configured for the default user. Are you "
                      "sure your configuration is correct?");
        return;
    }
    dstr user = c->argc == 3 ? c->argv[1] : NULL;
    dstr pass = c->argv[c->argc - 1];
    if (checkPassword(user, pass)) {
        c->authenticated = 1;
        replyOk(c);
    } else {
        replyError(c, "WRONGPASS invalid username-password pair or user is disabled.");
    }
}

static int validClientName(const dstr name) {
    for (size_t i = 0; i < dstrlen(name); i++)
        if (name[i] < '!' || name[i] > '~') return 0;
    return 1;
}

void helloCommand(client *c) {
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (!string2ll(c->argv[1], dstrlen(c->argv[1]), &ver)) {
            replyError(c, "ERR Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            replyError(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    dstr user = NULL, pass = NULL, name = NULL;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (!strcasecmp(c->argv[j], "AUTH") && more >= 2) {
            user = c->argv[j + 1];
            pass = c->argv[j + 2];
            clientRedactArg(c, j + 1);
            clientRedactArg(c, j + 2);
            j += 2;
        } else if (!strcasecmp(c->argv[j], "SETNAME") && more >= 1) {
            name = c->argv[j + 1];
            j++;
        } else {
            replyErrorFormat(c, "ERR Syntax error in HELLO option '%s'", c->argv[j]);
            return;
        }
    }
    if (user) {
        if (!checkPassword(user, pass)) {
            replyError(c, "WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        c->authenticated = 1;
    }
    if (!c->authenticated) {
        replyError(c, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
                      "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
                      "version at the same time");
        return;
    }
    if (name) {
        if (!validClientName(name)) {
            replyError(c, "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        dstrfree(c->name);
        c->name = dstrlen(name) ? dstrdup(name) : NULL;
    }
    if (ver) c->resp = (int)ver;
    replyMapLen(c, 7);
    replyBulkCString(c, "server");
    replyBulkCString(c, "redis");
    replyBulkCString(c, "version");
    replyBulkCString(c, REDIS_COMPAT_VERSION);
    replyBulkCString(c, "proto");
    replyLongLong(c, c->resp);
    replyBulkCString(c, "id");
    replyLongLong(c, (long long)c->id);
    replyBulkCString(c, "mode");
    replyBulkCString(c, "standalone");
    replyBulkCString(c, "role");
    replyBulkCString(c, "master");
    replyBulkCString(c, "modules");
    replyEmptyArray(c);
}

void timeCommand(client *c) {
    long long us = elWallUs();
    replyArrayLen(c, 2);
    replyBulkLongLong(c, us / 1000000);
    replyBulkLongLong(c, us % 1000000);
}

void lastsaveCommand(client *c) { replyLongLong(c, server.start_time_ms / 1000); }

void shutdownCommand(client *c) {
    for (int i = 1; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (strcasecmp(a, "nosave") && strcasecmp(a, "save") && strcasecmp(a, "now") && strcasecmp(a, "force") &&
            strcasecmp(a, "abort")) {
            replyErrorSyntax(c);
            return;
        }
        if (!strcasecmp(a, "abort")) {
            replyError(c, "ERR No shutdown in progress.");
            return;
        }
    }
    serverPrepareShutdown();
    serverLog(LL_WARNING, "Cairn is now ready to exit, bye bye...");
    exit(0);
}

void monitorCommand(client *c) {
    if (c->flags & CLIENT_MULTI) {
        replyError(c, "ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (c->flags & CLIENT_MONITOR) return;
    c->flags |= CLIENT_MONITOR;
    dlistAddTail(server.monitors, c);
    replyOk(c);
}

/* ---- DEBUG ------------------------------------------------------------------------ */
void debugCommand(client *c) {
    if (!strcasecmp(c->argv[1], "help")) {
        static const char *help[] = {"OBJECT <key>", "    Show low-level info about the <key> and associated value.",
                                     "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
                                     "SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background.",
                                     "QUICKLIST-PACKED-THRESHOLD <size>", "    Sets the threshold for elements to be inserted as plain vs packed nodes",
                                     NULL};
        replyHelp(c, help);
    } else if (!strcasecmp(c->argv[1], "sleep") && c->argc == 3) {
        long double secs;
        if (!string2ld(c->argv[2], dstrlen(c->argv[2]), &secs)) {
            replyErrorNotFloat(c);
            return;
        }
        struct timespec ts;
        ts.tv_sec = (time_t)secs;
        ts.tv_nsec = (long)((secs - (long double)ts.tv_sec) * 1e9L);
        nanosleep(&ts, NULL);
        replyOk(c);
    } else if (!strcasecmp(c->argv[1], "object") && c->argc == 3) {
        obj *o = lookupKeyReadFlags(c->db, c->argv[2], LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
        if (!o) {
            replyError(c, "ERR no such key");
            return;
        }
        dstr s = dstrcatprintf(dstrempty(), "Value at:%p refcount:%u encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%llu",
                               (void *)o, o->refcount, objEncodingName(o->encoding),
                               o->type == OBJ_STRING ? objStringLen(o) : objMemUsage(o), o->lru,
                               objIdleTimeMs(o) / 1000);
        replyStatusLen(c, s, dstrlen(s));
        dstrfree(s);
    } else if (!strcasecmp(c->argv[1], "set-active-expire") && c->argc == 3) {
        replyOk(c);
    } else if (!strcasecmp(c->argv[1], "quicklist-packed-threshold") && c->argc == 3) {
        unsigned long long sz;
        if (!memtoull(c->argv[2], &sz) || !quicklistSetPackedThreshold((size_t)sz))
            replyError(c, "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
        else
            replyOk(c);
    } else {
        replyErrorSubcommand(c);
    }
}

/* ---- CLIENT -------------------------------------------------------------------------- */
void clientIdCommand(client *c) { replyLongLong(c, (long long)c->id); }

void clientGetnameCommand(client *c) {
    if (c->name) replyBulkDstr(c, c->name);
    else replyNull(c);
}

void clientSetnameCommand(client *c) {
    if (!validClientName(c->argv[2])) {
        replyError(c, "ERR Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    dstrfree(c->name);
    c->name = dstrlen(c->argv[2]) ? dstrdup(c->argv[2]) : NULL;
    replyOk(c);
}

void clientSetinfoCommand(client *c) {
    dstr *slot;
    if (!strcasecmp(c->argv[2], "lib-name")) slot = &c->lib_name;
    else if (!strcasecmp(c->argv[2], "lib-ver")) slot = &c->lib_ver;
    else {
        replyErrorFormat(c, "ERR Unrecognized option '%s'", c->argv[2]);
        return;
    }
    for (size_t i = 0; i < dstrlen(c->argv[3]); i++)
        if (c->argv[3][i] < '!' || c->argv[3][i] > '~') {
            replyErrorFormat(c, "ERR %s cannot contain spaces, newlines or special characters.", c->argv[2]);
            return;
        }
    dstrfree(*slot);
    *slot = dstrlen(c->argv[3]) ? dstrdup(c->argv[3]) : NULL;
    replyOk(c);
}

void clientInfoCommand(client *c) {
    dstr s = clientInfoString(dstrempty(), c);
    s = dstrcat(s, "\n");
    replyVerbatim(c, s, dstrlen(s), "txt");
    dstrfree(s);
}

void clientListCommand(client *c) {
    dstr s = dstrempty();
    int filter_ids = 0;
    if (c->argc > 2) {
        if (!strcasecmp(c->argv[2], "type") && c->argc == 4) {
            const char *t = c->argv[3];
            if (strcasecmp(t, "normal") && strcasecmp(t, "master") && strcasecmp(t, "replica") &&
                strcasecmp(t, "slave") && strcasecmp(t, "pubsub")) {
                replyErrorFormat(c, "ERR Unknown client type '%s'", t);
                dstrfree(s);
                return;
            }
            if (strcasecmp(t, "normal")) {
                replyVerbatim(c, "", 0, "txt");
                dstrfree(s);
                return;
            }
        } else if (!strcasecmp(c->argv[2], "id") && c->argc >= 4) {
            filter_ids = 1;
            for (int i = 3; i < c->argc; i++) {
                long long id;
                if (!string2ll(c->argv[i], dstrlen(c->argv[i]), &id) || id <= 0) {
                    replyError(c, "ERR Invalid client ID");
                    dstrfree(s);
                    return;
                }
            }
        } else {
            replyErrorSyntax(c);
            dstrfree(s);
            return;
        }
    }
    for (dlistNode *n = dlistFirst(server.clients); n; n = n->next) {
        client *cl = n->value;
        if (filter_ids) {
            int found = 0;
            for (int i = 3; i < c->argc; i++) {
                long long id;
                string2ll(c->argv[i], dstrlen(c->argv[i]), &id);
                if ((uint64_t)id == cl->id) found = 1;
            }
            if (!found) continue;
        }
        s = clientInfoString(s, cl);
        s = dstrcat(s, "\n");
    }
    replyVerbatim(c, s, dstrlen(s), "txt");
    dstrfree(s);
}

static void killClient(client *target, client *self) {
    if (target == self) {
        self->flags |= CLIENT_CLOSE_AFTER_REPLY;
    } else {
        clientFreeAsync(target);
    }
}

void clientKillCommand(client *c) {
    if (c->argc == 3) {
        /* old form: CLIENT KILL addr:port */
        for (dlistNode *n = dlistFirst(server.clients); n; n = n->next) {
            client *cl = n->value;
            if (!strcmp(cl->addr, c->argv[2])) {
                killClient(cl, c);
                replyOk(c);
                return;
            }
        }
        replyError(c, "ERR No such client");
        return;
    }
    if ((c->argc - 2) % 2) {
        replyErrorSyntax(c);
        return;
    }
    long long id = -1;
    const char *addr = NULL, *laddr = NULL;
    int skipme = 1, type_normal = -1;
    for (int i = 2; i < c->argc; i += 2) {
        const char *opt = c->argv[i], *val = c->argv[i + 1];
        if (!strcasecmp(opt, "id")) {
            if (!string2ll(val, dstrlen(c->argv[i + 1]), &id) || id <= 0) {
                replyError(c, "ERR client-id should be greater than 0");
                return;
            }
        } else if (!strcasecmp(opt, "addr")) addr = val;
        else if (!strcasecmp(opt, "laddr")) laddr = val;
        else if (!strcasecmp(opt, "skipme")) {
            if (!strcasecmp(val, "yes")) skipme = 1;
            else if (!strcasecmp(val, "no")) skipme = 0;
            else { replyErrorSyntax(c); return; }
        } else if (!strcasecmp(opt, "type")) {
            if (!strcasecmp(val, "normal")) type_normal = 1;
            else if (!strcasecmp(val, "master") || !strcasecmp(val, "replica") || !strcasecmp(val, "slave") ||
                     !strcasecmp(val, "pubsub")) type_normal = 0;
            else { replyErrorFormat(c, "ERR Unknown client type '%s'", val); return; }
        } else if (!strcasecmp(opt, "user")) {
            if (strcmp(val, "default")) { replyErrorFormat(c, "ERR No such user '%s'", val); return; }
        } else if (!strcasecmp(opt, "maxage")) {
            long long v;
            if (!string2ll(val, dstrlen(c->argv[i + 1]), &v)) { replyErrorSyntax(c); return; }
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    long long killed = 0;
    for (dlistNode *n = dlistFirst(server.clients); n; n = n->next) {
        client *cl = n->value;
        if (id != -1 && cl->id != (uint64_t)id) continue;
        if (addr && strcmp(cl->addr, addr)) continue;
        if (laddr && strcmp(cl->laddr, laddr)) continue;
        if (type_normal == 0) continue;
        if (cl == c && skipme) continue;
        killClient(cl, c);
        killed++;
    }
    replyLongLong(c, killed);
}

void clientPauseCommand(client *c) {
    long long ms;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &ms) || ms < 0) {
        replyError(c, "ERR timeout is not an integer or out of range");
        return;
    }
    int write_only = 0;
    if (c->argc == 4) {
        if (!strcasecmp(c->argv[3], "write")) write_only = 1;
        else if (strcasecmp(c->argv[3], "all")) {
            replyError(c, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    } else if (c->argc > 4) {
        replyErrorSyntax(c);
        return;
    }
    long long until = elWallMs() + ms;
    if (!server.paused_until_ms || until > server.paused_until_ms) server.paused_until_ms = until;
    if (server.paused_until_ms == until || !server.pause_write_only) server.pause_write_only = write_only;
    replyOk(c);
}

void clientUnpauseCommand(client *c) {
    server.paused_until_ms = 0;
    unblockPausedClients();
    replyOk(c);
}

void clientNoEvictCommand(client *c) {
    if (!strcasecmp(c->argv[2], "on")) c->flags |= CLIENT_NO_EVICT;
    else if (!strcasecmp(c->argv[2], "off")) c->flags &= ~CLIENT_NO_EVICT;
    else { replyErrorSyntax(c); return; }
    replyOk(c);
}

void clientNoTouchCommand(client *c) {
    if (!strcasecmp(c->argv[2], "on")) c->flags |= CLIENT_NO_TOUCH;
    else if (!strcasecmp(c->argv[2], "off")) c->flags &= ~CLIENT_NO_TOUCH;
    else { replyErrorSyntax(c); return; }
    replyOk(c);
}

void clientReplyCommand(client *c) {
    if (!strcasecmp(c->argv[2], "on")) {
        c->flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF);
        replyOk(c);
    } else if (!strcasecmp(c->argv[2], "off")) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (!strcasecmp(c->argv[2], "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF)) c->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        replyErrorSyntax(c);
    }
}

void clientUnblockCommand(client *c) {
    long long id;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &id)) {
        replyError(c, "ERR value is not an integer or out of range");
        return;
    }
    int with_error = 0;
    if (c->argc == 4) {
        if (!strcasecmp(c->argv[3], "error")) with_error = 1;
        else if (strcasecmp(c->argv[3], "timeout")) {
            replyError(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    client *target = clientLookupById((uint64_t)id);
    if (!target || !(target->flags & CLIENT_BLOCKED) || target->bstate.btype == BLOCKED_PAUSE) {
        replyLongLong(c, 0);
        return;
    }
    int null_bulk = (int)(intptr_t)target->bstate.data;
    unblockClient(target);
    if (with_error) replyError(target, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else if (null_bulk) replyNull(target);
    else replyNullArray(target);
    commandDone(target);
    respRequestReset(&target->req);
    target->argc = 0;
    target->argv = NULL;
    replyLongLong(c, 1);
}

void clientHelpCommand(client *c) {
    static const char *help[] = {
        "CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
        "    * USER <username>", "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
        "    * ID <client-id>", "      Kill connections by client id.",
        "LIST [options ...]", "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
        "UNPAUSE", "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>", "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
        NULL};
    replyHelp(c, help);
}
