/* migrate: the MIGRATE command and its cache of connections to targets
 * (migrate.c has the command's semantics). */
#ifndef CAIRN_MIGRATE_H
#define CAIRN_MIGRATE_H

/* Close cached target connections idle for more than 10 seconds (Redis's
 * MIGRATE_SOCKET_CACHE_TTL). Called from the server cron; cheap when the
 * cache is empty. */
void migrateCron(void);

/* Number of cached target connections (INFO stats migrate_cached_sockets). */
int migrateCachedSockets(void);

#endif
