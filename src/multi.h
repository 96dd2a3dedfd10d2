/* multi: transactions (MULTI/EXEC/DISCARD) and optimistic locking (WATCH). */
#ifndef CAIRN_MULTI_H
#define CAIRN_MULTI_H
#include "dstr.h"

typedef struct client client;
typedef struct db db;
struct hashtable;
struct command;

/* Per-db table of watched keys (created by dbInitAll). */
struct hashtable *watchedKeysCreate(void);
/* Queue the current command of a client in MULTI (replies +QUEUED). */
void multiQueueCommand(client *c);
/* Mark the transaction as failed (a queued command was rejected). */
void multiFlagDirty(client *c);
/* Drop queued commands and leave MULTI state. */
void multiDiscard(client *c);
/* Unwatch all keys of a client (EXEC, DISCARD, UNWATCH, client freed). */
void unwatchAllKeys(client *c);
/* Flag every client WATCHing `key` in `d` (key may be missing). */
void touchWatchedKey(db *d, const dstr key);
/* Flag clients watching any key in db `dbid` (-1: every db) after a flush or swap. */
void touchAllWatchedKeysInDb(int dbid);

#endif
