/* client: one connection's state: its query buffer and parsed request, its
 * reply blocks, its selected database, transaction and blocking state.
 * net.c moves bytes; call.c runs the parsed commands. */
#ifndef CAIRN_CLIENT_H
#define CAIRN_CLIENT_H
#include <stddef.h>
#include <stdint.h>
#include "dlist.h"
#include "dstr.h"
#include "resp.h"

struct command;
struct db;

/* client flags */
#define CLIENT_CLOSE_AFTER_REPLY (1 << 0)  /* close once the reply is written */
#define CLIENT_CLOSE_ASAP (1 << 1)         /* close in beforeSleep */
#define CLIENT_MULTI (1 << 2)              /* inside MULTI */
#define CLIENT_DIRTY_CAS (1 << 3)          /* a WATCHed key changed: EXEC fails */
#define CLIENT_DIRTY_EXEC (1 << 4)         /* a queued command was rejected: EXECABORT */
#define CLIENT_PENDING_WRITE (1 << 5)      /* in server.clients_pending_write */
#define CLIENT_MONITOR (1 << 6)
#define CLIENT_BLOCKED (1 << 7)
#define CLIENT_REPLY_OFF (1 << 8)
#define CLIENT_REPLY_SKIP_NEXT (1 << 9)
#define CLIENT_REPLY_SKIP (1 << 10)
#define CLIENT_UNIX_SOCKET (1 << 11)
#define CLIENT_NO_EVICT (1 << 12)
#define CLIENT_SCRIPT (1 << 13)            /* fake client running commands for a script */
#define CLIENT_NO_TOUCH (1 << 14)
#define CLIENT_FAKE (1 << 15)              /* no connection: replies are kept, not sent */
#define CLIENT_PROTECTED (1 << 16)         /* must not be freed now (a command is running) */
#define CLIENT_PUSHING (1 << 17)
#define CLIENT_EXECUTING (1 << 18)
#define CLIENT_PAUSED (1 << 19)            /* waiting for CLIENT UNPAUSE */
#define CLIENT_RERUN (1 << 20)             /* re-running a command that blocked (not shown to MONITOR again) */
#define CLIENT_OUTPUT_FULL (1 << 21)       /* the socket did not take all output: wait for writable */

/* A piece of the output: `used` bytes of `size` in data. size 0 marks a
 * deferred-length placeholder not yet filled. `ext`, when not NULL, is an
 * adopted heap dstr holding the bytes instead of data (clientAppendReplyDstr;
 * such a block is full: size == used, and owns the dstr). */
typedef struct replyBlock {
    size_t size, used;
    char *ext;
    char data[];
} replyBlock;

/* The output bytes of a block. */
static inline char *replyBlockBytes(replyBlock *b) { return b->ext ? b->ext : b->data; }

typedef struct multiCmd {
    dstr *argv;
    int argc;
    struct command *cmd;
} multiCmd;

/* Blocking state (BLPOP, BZPOPMIN, XREAD ... ); owned by blocked.c. */
typedef struct blockState {
    int btype;                 /* what blocked it (blocked.h) */
    long long timeout_ms;      /* unix ms, 0 = forever */
    dlist *keys;               /* dstr keys waited on */
    struct db *db;
    void *data;                /* type-specific */
    int unblock_on_deleted;    /* XREADGROUP: answer UNBLOCKED when the key is deleted */
    dlistNode *pause_node;
} blockState;

typedef struct client {
    uint64_t id;
    int fd;                    /* -1 for fake clients */
    uint64_t flags;
    int resp;                  /* 2 or 3 */
    struct db *db;
    dstr name;                 /* NULL if none */
    dstr lib_name, lib_ver;    /* CLIENT SETINFO */
    char addr[64], laddr[64];  /* "ip:port" peer and local */
    int authenticated;

    /* input */
    dstr querybuf;
    size_t qb_pos;
    respRequest req;
    int argc;
    dstr *argv;                /* the command being run (borrowed from req) */
    struct command *cmd, *lastcmd, *realcmd;
    long long last_interaction_ms, ctime_ms;
    size_t querybuf_peak;
    unsigned char *redacted;   /* argv indexes to show as "(redacted)" (bitmap), NULL if none */
    int redacted_bytes;        /* size of that bitmap */

    /* output */
    dlist *reply;              /* replyBlock list */
    size_t reply_bytes;        /* bytes queued */
    size_t sentlen;            /* bytes of the first block already written */
    long long obuf_soft_limit_reached_ms;
    int reply_errors;          /* error replies produced by the current command */

    /* transactions */
    multiCmd *mstate;
    int mstate_count, mstate_cap;
    dlist *watched_keys;       /* watchedKey* (multi.c) */

    /* blocking */
    blockState bstate;
    long long woff;

    /* pub/sub placeholders for CLIENT LIST */
    int sub_channels, sub_patterns;
    dlistNode *clients_node;   /* in server.clients */
    dlistNode *pending_write_node; /* &pending_write_link while in server.clients_pending_write */
    dlistNode pending_write_link;  /* no allocation per reply (dlistLinkTail/dlistUnlink) */
} client;

/* Hide argument `i` of the command being run from MONITOR and SLOWLOG, which
 * show "(redacted)" in its place (passwords of AUTH, HELLO, MIGRATE, as Redis
 * 7). The argument itself is unchanged; call() clears the marks after the
 * command. */
void clientRedactArg(client *c, int i);
/* Is argument `i` of the command being run redacted? */
int clientArgRedacted(const client *c, int i);
/* Forget the redaction marks (call() does it once the command is logged). */
void clientClearRedacted(client *c);

/* Create a client for connection `fd` (-1: fake client for scripts/MIGRATE). */
client *clientCreate(int fd);
/* Free the client now (closing its connection). If it is running a command,
 * it is closed after the command instead. */
void clientFree(client *c);
/* Close the client in beforeSleep (safe from inside commands and I/O). */
void clientFreeAsync(client *c);
/* Switch the client's database; 0 ok, -1 if the index is out of range. */
int clientSelectDb(client *c, int id);
/* Append raw bytes to the client's output (used by reply.c). Once 64 KB are
 * queued and the socket has taken everything so far, the queued output is
 * written right here (before a new block is allocated), so a large reply
 * goes out while it is produced; a write error then only schedules the
 * client for closing (clientFreeAsync), never frees it inside the call. */
void clientAppendReply(client *c, const char *p, size_t len);
/* Room for exactly `len` bytes of output at the end of the last reply block,
 * counted as written: the caller must fill all of them at once. NULL when the
 * block has less room (or replies are suppressed): then append with
 * clientAppendReply. No allocation. */
char *clientReplySpace(client *c, size_t len);
/* Queue the whole of `s` (a heap dstr, taken over: the client frees it) as
 * output without copying it: for big replies (DUMP payloads). Frees `s` at
 * once when replies are suppressed. */
void clientAppendReplyDstr(client *c, dstr s);
/* Reserve a deferred-length slot; returns its list node. */
void *clientAddDeferred(client *c);
/* Fill a deferred slot with `len` bytes. */
void clientSetDeferred(client *c, void *node, const char *p, size_t len);
/* Is the client's output not yet written? */
int clientHasPendingReplies(const client *c);
/* Write as much as possible now; returns -1 if the client was freed. */
int clientWrite(client *c);
/* Bytes held by a client: its struct, query buffer and pending replies
 * (CLIENT LIST tot-mem, INFO mem_clients_normal). */
size_t clientTotalMemory(const client *c);
/* One line of CLIENT LIST / CLIENT INFO for `c` (appended to `s`). */
dstr clientInfoString(dstr s, client *c);
/* Find a connected client by id, or NULL. */
client *clientLookupById(uint64_t id);
/* Drop the queued output (CLIENT REPLY OFF bookkeeping, fake clients). */
void clientDiscardReplies(client *c);
/* Concatenate the queued output into one dstr (fake clients: scripts, tests). */
dstr clientTakeReplies(client *c);

#endif
