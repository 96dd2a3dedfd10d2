/* cmdargs: argument parsing shared by several commands' handlers. */
#ifndef CAIRN_CMDARGS_H
#define CAIRN_CMDARGS_H

typedef struct client client;

/* HRANDFIELD / ZRANDMEMBER key count [<flag>]: parse c->argv[2] (count) and
 * the optional c->argv[3] (`flag`, e.g. "withvalues", case-insensitive), as
 * Redis 7.2 does: not an integer -> "ERR value is not an integer or out of
 * range"; outside [-LONG_MAX, LONG_MAX] -> "ERR value is out of range, value
 * must between <min> and <max>"; a fifth argument or another word -> "ERR
 * syntax error"; with the flag, |count| > LONG_MAX/2 (the reply holds
 * 2*count elements) -> "ERR value is out of range". Call only with argc >= 3.
 * Returns 0 and sets *count and *with_flag, or replies the error and returns -1. */
int parseRandomCountArgs(client *c, const char *flag, long *count, int *with_flag);

#endif
