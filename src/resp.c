#include "resp.h"
#include "util.h"
#include "zmalloc.h"
#include <stdio.h>
#include <string.h>

void respRequestInit(respRequest *r) {
    memset(r, 0, sizeof(*r));
    r->bulk_len = -1;
}

void respRequestReset(respRequest *r) {
    for (int i = 0; i < r->argc; i++) dstrfree(r->argv[i]);
    r->argc = 0;
    r->type = 0;
    r->multibulk_left = 0;
    r->bulk_len = -1;
}

void respRequestFree(respRequest *r) {
    respRequestReset(r);
    zfree(r->argv);
    r->argv = NULL;
    r->argv_cap = 0;
}

static void pushArg(respRequest *r, dstr a) {
    if (r->argc == r->argv_cap) {
        r->argv_cap = r->argv_cap ? r->argv_cap * 2 : 8;
        r->argv = zrealloc(r->argv, sizeof(dstr) * (size_t)r->argv_cap);
    }
    r->argv[r->argc++] = a;
}

static respStatus parseInline(respRequest *r, const char *buf, size_t len, size_t *pos, const char **err) {
    const char *start = buf + *pos;
    size_t avail = len - *pos;
    const char *nl = memchr(start, '\n', avail);
    if (!nl) {
        if (avail > RESP_INLINE_MAX) {
            *err = "Protocol error: too big inline request";
            return RESP_ERROR;
        }
        return RESP_NEED_MORE;
    }
    size_t linelen = (size_t)(nl - start);
    if (linelen && start[linelen - 1] == '\r') linelen--;
    dstr line = dstrnewlen(start, linelen);
    int argc;
    dstr *argv = dstrsplitargs(line, &argc);
    dstrfree(line);
    if (!argv) {
        *err = "Protocol error: unbalanced quotes in request";
        return RESP_ERROR;
    }
    for (int i = 0; i < argc; i++) pushArg(r, argv[i]);
    zfree(argv);
    *pos = (size_t)(nl - buf) + 1;
    r->type = 0;
    return RESP_DONE;
}

/* Read a "<prefix><integer>\r\n" header line at *pos. 1 ok, 0 need more, -1 too long. */
static int readHeaderLine(const char *buf, size_t len, size_t pos, long long *value, size_t *next, int *valid) {
    const char *start = buf + pos;
    size_t avail = len - pos;
    const char *cr = memchr(start, '\r', avail);
    if (!cr || (size_t)(cr - start) + 1 >= avail) {
        return avail > RESP_INLINE_MAX ? -1 : 0;
    }
    *valid = string2ll(start + 1, (size_t)(cr - start) - 1, value);
    *next = (size_t)(cr - buf) + 2;
    return 1;
}

static respStatus parseMultibulk(respRequest *r, const char *buf, size_t len, size_t *pos, const respLimits *lim,
                                 const char **err) {
    if (r->multibulk_left == 0) {
        long long n;
        size_t next;
        int valid;
        int rc = readHeaderLine(buf, len, *pos, &n, &next, &valid);
        if (rc < 0) { *err = "Protocol error: too big mbulk count string"; return RESP_ERROR; }
        if (rc == 0) return RESP_NEED_MORE;
        if (!valid || n > 2147483647LL) { *err = "Protocol error: invalid multibulk length"; return RESP_ERROR; }
        if (!lim->authenticated && n > 10) { *err = "Protocol error: unauthenticated multibulk length"; return RESP_ERROR; }
        *pos = next;
        if (n <= 0) { r->type = 0; return RESP_DONE; }
        r->multibulk_left = (long)n;
        if (r->argv_cap < n && n <= 1024) {
            r->argv_cap = (int)n;
            r->argv = zrealloc(r->argv, sizeof(dstr) * (size_t)n);
        }
    }
    while (r->multibulk_left) {
        if (r->bulk_len == -1) {
            if (*pos >= len) return RESP_NEED_MORE;
            if (buf[*pos] != '$') {
                static char msg[64];
                snprintf(msg, sizeof(msg), "Protocol error: expected '$', got '%c'", buf[*pos]);
                *err = msg;
                return RESP_ERROR;
            }
            long long n;
            size_t next;
            int valid;
            int rc = readHeaderLine(buf, len, *pos, &n, &next, &valid);
            if (rc < 0) { *err = "Protocol error: too big bulk count string"; return RESP_ERROR; }
            if (rc == 0) return RESP_NEED_MORE;
            if (!valid || n < 0 || n > lim->max_bulk_len) { *err = "Protocol error: invalid bulk length"; return RESP_ERROR; }
            if (!lim->authenticated && n > 16384) { *err = "Protocol error: unauthenticated bulk length"; return RESP_ERROR; }
            *pos = next;
            r->bulk_len = n;
        }
        if (len - *pos < (size_t)r->bulk_len + 2) return RESP_NEED_MORE;
        pushArg(r, dstrnewlen(buf + *pos, (size_t)r->bulk_len));
        *pos += (size_t)r->bulk_len + 2;
        r->bulk_len = -1;
        r->multibulk_left--;
    }
    r->type = 0;
    return RESP_DONE;
}

respStatus respParse(respRequest *r, const char *buf, size_t len, size_t *pos, const respLimits *lim,
                     const char **err) {
    if (r->type == 2 && r->argc > 0 && r->multibulk_left == 0) { /* completed by respAdoptBulk */
        r->type = 0;
        return RESP_DONE;
    }
    if (*pos >= len) return RESP_NEED_MORE;
    if (r->type == 0) r->type = buf[*pos] == '*' ? 2 : 1;
    if (r->type == 1) return parseInline(r, buf, len, pos, err);
    return parseMultibulk(r, buf, len, pos, lim, err);
}

size_t respBytesWanted(const respRequest *r, size_t available) {
    if (r->type != 2 || r->bulk_len < 0) return 0;
    size_t need = (size_t)r->bulk_len + 2;
    return need > available ? need - available : 0;
}

int respAdoptBulk(respRequest *r, dstr buf, size_t pos) {
    if (r->type != 2 || r->bulk_len < RESP_BIG_BULK || pos != 0) return 0;
    if (dstrlen(buf) != (size_t)r->bulk_len + 2) return 0;
    dstrsetlen(buf, (size_t)r->bulk_len);
    pushArg(r, buf);
    r->bulk_len = -1;
    r->multibulk_left--;
    return 1;
}
