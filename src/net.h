/* net: listening sockets and the read/write handlers of connections.
 * It moves bytes between sockets and client buffers and hands complete
 * requests to call.c; it runs no command itself. */
#ifndef CAIRN_NET_H
#define CAIRN_NET_H

/* Open the TCP listeners (server.bindaddr, server.port) and the unix socket.
 * Returns 0, or -1 after logging why. */
int netListen(void);
/* Close listeners (shutdown). */
void netCloseListeners(void);
/* Flush replies of clients with pending output (beforeSleep). */
void netHandleClientsWithPendingWrites(void);
/* Disconnect clients idle longer than `timeout` and enforce output limits (cron). */
void netClientsCron(void);
/* Process what is already in a client's query buffer (after unpause/unblock). */
struct client;
void netProcessInputBuffer(struct client *c);

#endif
