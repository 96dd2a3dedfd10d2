/* blocked: clients waiting for keys (BLPOP, BZPOPMIN, BLMOVE, XREAD BLOCK...).
 *
 * A blocking command that finds nothing to serve calls blockForKeys() and
 * returns without a reply. When a write makes one of the keys ready
 * (signalKeyAsReady, called by the keyspace on add/modify), the blocked clients
 * are served in beforeSleep, first come first served: each one's command is
 * run again as if it had just arrived (the command sees the data and replies);
 * a client whose re-run finds nothing again keeps its place in the queue.
 * On timeout the client gets the command's timeout reply (null array, or for
 * commands that declare it, a null bulk). */
#ifndef CAIRN_BLOCKED_H
#define CAIRN_BLOCKED_H
#include "dstr.h"

typedef struct client client;
typedef struct db db;
struct hashtable;

#define BLOCKED_NONE 0
#define BLOCKED_LIST 1
#define BLOCKED_ZSET 2
#define BLOCKED_STREAM 3
#define BLOCKED_PAUSE 4     /* CLIENT PAUSE */
#define BLOCKED_WAIT 5

/* Per-db table key -> FIFO of blocked clients (created by dbInitAll). */
struct hashtable *blockingKeysCreate(void);
/* Block `c` on `keys` (numkeys dstrs, copied) until one of them, holding a
 * value of `type` (OBJ_LIST ...), is ready, or until `timeout_ms` (unix ms,
 * 0 forever). `timeout_null_bulk`: reply null bulk instead of null array on timeout. */
void blockForKeys(client *c, int btype, dstr *keys, int numkeys, long long timeout_ms, int timeout_null_bulk);
/* After blockForKeys: when a key it waits on is deleted (or overwritten by
 * another type), answer "-UNBLOCKED the stream key no longer exists" instead
 * of keeping the client blocked (XREADGROUP, as Redis 7). */
void blockedSetUnblockOnDeleted(client *c);
/* Signal every key of `d` that has blocked clients (FLUSHDB/FLUSHALL,
 * SWAPDB): waiters whose key now holds data are served, XREADGROUP waiters
 * whose stream is gone are answered -UNBLOCKED, the others stay blocked. */
void signalAllBlockingKeysAsReady(db *d);
/* Undo the blocking state (client freed, killed, or served). */
void unblockClient(client *c);
/* Serve clients of keys signalled ready since the last call (beforeSleep). */
void handleClientsBlockedOnKeys(void);
/* Reply to and unblock clients whose timeout passed (cron and beforeSleep). */
void blockedTimeoutCheck(long long now_ms);
/* Parse a blocking timeout argument in seconds (double) into unix ms (0 = forever).
 * As Redis 7.2: the milliseconds are rounded up (so -0.0001 is 0 = forever).
 * Replies "ERR timeout is not a float or out of range" (not a number, nan),
 * "ERR timeout is out of range" (inf, deadline past LLONG_MAX) or
 * "ERR timeout is negative", and returns -1 on error. */
int getBlockingTimeout(client *c, const dstr arg, long long *timeout_ms);
/* May `c` block now? (not inside MULTI/EXEC or a script) */
int blockingAllowed(client *c);
/* Number of blocked clients (INFO blocked_clients) and of keys with waiters. */
long long blockedClientCount(void);
long long blockingKeysCount(void);
/* Park `c` (its command not yet run) until CLIENT UNPAUSE or the pause ends. */
void blockForPause(client *c);
/* Resume every parked client, running its command (in arrival order). */
void unblockPausedClients(void);

#endif
