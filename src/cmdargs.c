/* cmdargs: argument parsing shared by several commands (see cmdargs.h). */
#include "cmdargs.h"
#include "client.h"
#include "reply.h"
#include "util.h"
#include <limits.h>
#include <strings.h>

int parseRandomCountArgs(client *c, const char *flag, long *count, int *with_flag) {
    long long l;
    if (!string2ll(c->argv[2], dstrlen(c->argv[2]), &l)) {
        replyErrorNotInteger(c);
        return -1;
    }
    if (l < -LONG_MAX || l > LONG_MAX) {
        replyErrorFormat(c, "ERR value is out of range, value must between %ld and %ld", -LONG_MAX, LONG_MAX);
        return -1;
    }
    if (c->argc > 4 || (c->argc == 4 && strcasecmp(c->argv[3], flag))) {
        replyErrorSyntax(c);
        return -1;
    }
    *with_flag = c->argc == 4;
    if (*with_flag && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
        replyError(c, "ERR value is out of range");
        return -1;
    }
    *count = (long)l;
    return 0;
}
