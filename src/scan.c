/* scan: SCAN-family argument parsing (see scan.h). */
#include "scan.h"
#include "client.h"
#include "reply.h"
#include "util.h"
#include <limits.h>
#include <strings.h>

int scanParseCursor(client *c, const dstr arg, unsigned long *cursor) {
    const char *p = arg;
    int negative = 0;
    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        p++;
    }
    unsigned long v = 0;
    int digits = 0, overflow = 0;
    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULONG_MAX - d) / 10) overflow = 1;
        else v = v * 10 + d;
        digits++;
        p++;
    }
    /* Redis runs strtoul on the argument as a C string: it stops at a NUL byte */
    int valid = digits ? (*p == '\0' && !overflow) : arg[0] == '\0';
    if (!valid) {
        replyError(c, "ERR invalid cursor");
        return -1;
    }
    *cursor = negative ? 0UL - v : v;
    return 0;
}

int scanParseOptions(client *c, int first, int allow_type, scanOptions *opt) {
    opt->count = 10;
    opt->pattern = NULL;
    opt->patlen = 0;
    opt->use_pattern = 0;
    opt->type = NULL;
    for (int i = first; i < c->argc; i += 2) {
        int more = c->argc - i - 1;
        if (!strcasecmp(c->argv[i], "count") && more >= 1) {
            long long v;
            if (!string2ll(c->argv[i + 1], dstrlen(c->argv[i + 1]), &v) || v < LONG_MIN || v > LONG_MAX) {
                replyErrorNotInteger(c);
                return -1;
            }
            if (v < 1) {
                replyErrorSyntax(c);
                return -1;
            }
            opt->count = (long)v;
        } else if (!strcasecmp(c->argv[i], "match") && more >= 1) {
            opt->pattern = c->argv[i + 1];
            opt->patlen = dstrlen(c->argv[i + 1]);
            opt->use_pattern = !(opt->patlen == 1 && opt->pattern[0] == '*');
        } else if (allow_type && !strcasecmp(c->argv[i], "type") && more >= 1) {
            opt->type = c->argv[i + 1];
        } else {
            replyErrorSyntax(c);
            return -1;
        }
    }
    return 0;
}
