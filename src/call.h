/* call: from a parsed request to a command's execution. processCommand()
 * resolves the command in the command table, enforces arity, authentication,
 * flags (noscript, write during pause, deny-oom...) and MULTI queueing, then
 * call() runs it and keeps the statistics (calls, time, errors, slowlog,
 * MONITOR feed). */
#ifndef CAIRN_CALL_H
#define CAIRN_CALL_H

typedef struct client client;

/* Run the request in c->argc/c->argv. Returns 0, or -1 if the client was
 * freed (never while it is protected by the read handler). */
int processCommand(client *c);
/* Execute c->cmd with c->argv now (no checks), updating statistics. */
void call(client *c);
/* Reset per-command client state after a command ran (not for blocked clients). */
void commandDone(client *c);
/* Feed MONITOR clients with a command (call() does it after the command ran;
 * EVAL/FCALL before their script): arguments the client marked with
 * clientRedactArg show as "(redacted)" when argv is c->argv. */
void replicationFeedMonitors(client *c, int dbid, char **argv, int argc);

#endif
