/* slowlog: the log of commands slower than slowlog-log-slower-than (us),
 * at most slowlog-max-len entries, newest first (SLOWLOG GET/LEN/RESET). */
#ifndef CAIRN_SLOWLOG_H
#define CAIRN_SLOWLOG_H
#include "dstr.h"

typedef struct client client;

void slowlogInit(void);
/* Record the command if it ran for at least the threshold (`duration` in us). */
void slowlogPushEntryIfNeeded(client *c, dstr *argv, int argc, long long duration);

#endif
