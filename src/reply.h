/* reply: building RESP2/RESP3 replies in a client's output buffer.
 *
 * Every command answers through these functions; they pick the wire form from
 * the client's protocol (c->resp is 2 or 3). Aggregate headers are written
 * first and their elements after, in order. When the element count is not
 * known up front, take a deferred length and fill it in afterwards.
 *
 * RESP2/RESP3 forms written (Redis protocol spec):
 *   status      +OK\r\n                 error   -ERR msg\r\n
 *   integer     :42\r\n                 bulk    $3\r\nfoo\r\n
 *   null        $-1\r\n (RESP2)  _\r\n (RESP3)
 *   null array  *-1\r\n (RESP2)  _\r\n (RESP3)
 *   array       *N\r\n    map %N\r\n (RESP2: *2N)   set ~N\r\n (RESP2: *N)
 *   double      ,1.5\r\n (RESP3; RESP2: bulk "1.5")
 *   boolean     #t\r\n (RESP3; RESP2 :1 / :0)
 *   verbatim    =N\r\ntxt:...\r\n (RESP3; RESP2: bulk without the "txt:")
 *   big number  (123\r\n (RESP3; RESP2: bulk)
 *   push        >N\r\n (RESP3; RESP2: array)
 * Errors: `msg` is given without the leading '-' and must not contain \r or \n
 * (they are replaced by spaces). A message that does not start with an error
 * code (an upper-case word) gets "ERR " prefixed. Errors are counted in INFO
 * errorstats by their code. */
#ifndef CAIRN_REPLY_H
#define CAIRN_REPLY_H
#include <stddef.h>
#include "dstr.h"

typedef struct client client;

void replyOk(client *c);                                   /* +OK */
void replyStatus(client *c, const char *status);           /* +status */
void replyStatusLen(client *c, const char *s, size_t len);
void replyError(client *c, const char *msg);               /* -ERR msg, see above */
void replyErrorFormat(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void replyErrorArity(client *c);        /* ERR wrong number of arguments for '<cmd>' command */
void replyErrorSyntax(client *c);       /* ERR syntax error */
void replyErrorWrongType(client *c);    /* WRONGTYPE Operation against a key holding the wrong kind of value */
void replyErrorNotInteger(client *c);   /* ERR value is not an integer or out of range */
void replyErrorNotFloat(client *c);     /* ERR value is not a valid float */
void replyErrorOutOfRange(client *c);   /* ERR index out of range */
void replyLongLong(client *c, long long v);                /* :v */
void replyBulk(client *c, const void *p, size_t len);      /* $len */
void replyBulkCString(client *c, const char *s);           /* bulk of strlen(s); NULL gives null */
void replyBulkDstr(client *c, const dstr s);
/* Bulk reply of `s`, a heap dstr taken over (freed by this call or later by
 * the client): from 64 KB on its bytes are queued without a copy. */
void replyBulkTakeDstr(client *c, dstr s);
void replyBulkLongLong(client *c, long long v);            /* bulk with decimal text */
void replyNull(client *c);                                 /* null bulk (RESP2 $-1) */
void replyNullArray(client *c);                            /* null array (RESP2 *-1) */
void replyArrayLen(client *c, long n);
void replyMapLen(client *c, long n);                       /* n key/value pairs */
void replySetLen(client *c, long n);
void replyPushLen(client *c, long n);
void replyAttributeLen(client *c, long n);
void replyEmptyArray(client *c);                           /* *0 */
void replyDouble(client *c, double d);                     /* shortest round-trip text, inf/-inf/nan */
void replyBool(client *c, int b);
void replyBigNumber(client *c, const char *digits, size_t len);
void replyVerbatim(client *c, const char *p, size_t len, const char *ext); /* ext: 3 chars, e.g. "txt" */
/* Help text: an array of status lines, first "<CMD> <subcommand> [<arg> ...]. Subcommands are:",
 * then `lines` (NULL-terminated), then "HELP" / "    Print this help." as Redis does. */
void replyHelp(client *c, const char **lines);
/* "ERR unknown subcommand '<sub>'. Try <CMD> HELP." as Redis sends it. */
void replyErrorSubcommand(client *c);

/* Deferred aggregate length: reserve a header, write the elements, then fill in. */
void *replyDeferredLen(client *c);
void setDeferredArrayLen(client *c, void *node, long n);
void setDeferredMapLen(client *c, void *node, long n);     /* n pairs */
void setDeferredSetLen(client *c, void *node, long n);

#endif
