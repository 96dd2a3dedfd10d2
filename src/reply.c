#include "reply.h"
#include "client.h"
#include "commands.h"
#include "server.h"
#include "util.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static inline void add(client *c, const char *p, size_t len) { clientAppendReply(c, p, len); }

/* Decimal digits of v (1..20). */
static inline int digitCount(unsigned long long v) {
    int n = 1;
    while (v >= 10000) {
        v /= 10000;
        n += 4;
    }
    return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Write v in decimal at dst (no terminator), two digits per step; returns the length. */
static inline int fmtUnsigned(char *dst, unsigned long long v) {
    static const char pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    int n = digitCount(v);
    char *p = dst + n;
    while (v >= 100) {
        unsigned i = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = pairs[i + 1];
        *--p = pairs[i];
    }
    if (v >= 10) {
        *--p = pairs[v * 2 + 1];
        *--p = pairs[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
    return n;
}

/* Write v in decimal at dst (a '-' first when negative); returns the length. */
static inline int fmtSigned(char *dst, long long v) {
    if (v >= 0) return fmtUnsigned(dst, (unsigned long long)v);
    dst[0] = '-';
    return 1 + fmtUnsigned(dst + 1, 0ULL - (unsigned long long)v);
}

/* "<prefix><n>\r\n" */
static void addHeader(client *c, char prefix, long long n) {
    char buf[32];
    buf[0] = prefix;
    int l = fmtSigned(buf + 1, n);
    buf[l + 1] = '\r';
    buf[l + 2] = '\n';
    add(c, buf, (size_t)l + 3);
}

void replyStatusLen(client *c, const char *s, size_t len) {
    add(c, "+", 1);
    add(c, s, len);
    add(c, "\r\n", 2);
}
void replyStatus(client *c, const char *s) { replyStatusLen(c, s, strlen(s)); }
void replyOk(client *c) { add(c, "+OK\r\n", 5); }

static void addErrorText(client *c, const char *msg, size_t len) {
    /* Redis: an error that doesn't start with an upper-case code word gets "ERR " */
    int has_code = 0;
    size_t i = 0;
    while (i < len && isupper((unsigned char)msg[i])) i++;
    if (i > 0 && (i == len || msg[i] == ' ')) has_code = 1;
    add(c, "-", 1);
    if (!has_code) add(c, "ERR ", 4);
    /* no newlines inside the error line */
    size_t start = 0;
    for (size_t j = 0; j < len; j++) {
        if (msg[j] == '\r' || msg[j] == '\n') {
            add(c, msg + start, j - start);
            add(c, " ", 1);
            start = j + 1;
        }
    }
    add(c, msg + start, len - start);
    add(c, "\r\n", 2);
    server.stat_total_error_replies++;
    c->reply_errors++;
    if (has_code) serverCountError(msg, i);
    else serverCountError("ERR", 3);
}

void replyError(client *c, const char *msg) { addErrorText(c, msg, strlen(msg)); }

void replyErrorFormat(client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    dstr s = dstrcatvprintf(dstrempty(), fmt, ap);
    va_end(ap);
    addErrorText(c, s, dstrlen(s));
    dstrfree(s);
}

void replyErrorArity(client *c) {
    replyErrorFormat(c, "ERR wrong number of arguments for '%s' command", c->cmd ? c->cmd->fullname : c->argv[0]);
}
void replyErrorSyntax(client *c) { replyError(c, "ERR syntax error"); }
void replyErrorWrongType(client *c) { replyError(c, "WRONGTYPE Operation against a key holding the wrong kind of value"); }
void replyErrorNotInteger(client *c) { replyError(c, "ERR value is not an integer or out of range"); }
void replyErrorNotFloat(client *c) { replyError(c, "ERR value is not a valid float"); }
void replyErrorOutOfRange(client *c) { replyError(c, "ERR index out of range"); }

void replyLongLong(client *c, long long v) {
    if (v == 0) add(c, ":0\r\n", 4);
    else if (v == 1) add(c, ":1\r\n", 4);
    else addHeader(c, ':', v);
}

/* "$<len>\r\n<p>\r\n" written at dst (room for bulkSize(len) bytes). */
static inline void fmtBulk(char *dst, const void *p, size_t len, int digits) {
    dst[0] = '$';
    fmtUnsigned(dst + 1, len);
    dst += 1 + digits;
    dst[0] = '\r';
    dst[1] = '\n';
    memcpy(dst + 2, p, len);
    dst[2 + len] = '\r';
    dst[3 + len] = '\n';
}

/* Append "$<len>\r\n" (len has `digits` decimal digits). */
static void addBulkHeader(client *c, size_t len, int digits) {
    char hdr[LONG_STR_SIZE + 4];
    hdr[0] = '$';
    fmtUnsigned(hdr + 1, len);
    hdr[1 + digits] = '\r';
    hdr[2 + digits] = '\n';
    add(c, hdr, (size_t)digits + 3);
}

void replyBulk(client *c, const void *p, size_t len) {
    int digits = digitCount(len);
    size_t total = (size_t)digits + len + 5;
    /* the usual case: the whole bulk fits in the current reply block and is
     * formatted in place, one copy of the value */
    char *dst = clientReplySpace(c, total);
    if (dst) {
        fmtBulk(dst, p, len, digits);
        return;
    }
    if (len <= 128) {
        /* small values: one append instead of three */
        char buf[LONG_STR_SIZE + 4 + 128 + 2];
        fmtBulk(buf, p, len, digits);
        add(c, buf, total);
        return;
    }
    addBulkHeader(c, len, digits);
    add(c, p, len);
    add(c, "\r\n", 2);
}
void replyBulkCString(client *c, const char *s) {
    if (!s) replyNull(c);
    else replyBulk(c, s, strlen(s));
}
void replyBulkDstr(client *c, const dstr s) { replyBulk(c, s, dstrlen(s)); }

#define REPLY_ADOPT_MIN (64 * 1024)

void replyBulkTakeDstr(client *c, dstr s) {
    size_t len = dstrlen(s);
    if (len < REPLY_ADOPT_MIN) {
        replyBulk(c, s, len);
        dstrfree(s);
        return;
    }
    addBulkHeader(c, len, digitCount(len));
    clientAppendReplyDstr(c, s);
    add(c, "\r\n", 2);
}
void replyBulkLongLong(client *c, long long v) {
    char buf[LONG_STR_SIZE];
    int l = fmtSigned(buf, v);
    replyBulk(c, buf, (size_t)l);
}

void replyNull(client *c) {
    if (c->resp >= 3) add(c, "_\r\n", 3);
    else add(c, "$-1\r\n", 5);
}
void replyNullArray(client *c) {
    if (c->resp >= 3) add(c, "_\r\n", 3);
    else add(c, "*-1\r\n", 5);
}
void replyArrayLen(client *c, long n) { addHeader(c, '*', n); }
void replyMapLen(client *c, long n) {
    if (c->resp >= 3) addHeader(c, '%', n);
    else addHeader(c, '*', n * 2);
}
void replySetLen(client *c, long n) { addHeader(c, c->resp >= 3 ? '~' : '*', n); }
void replyPushLen(client *c, long n) { addHeader(c, c->resp >= 3 ? '>' : '*', n); }
void replyAttributeLen(client *c, long n) { addHeader(c, '|', n); }
void replyEmptyArray(client *c) { add(c, "*0\r\n", 4); }

void replyDouble(client *c, double d) {
    char buf[MAX_D2STRING_CHARS];
    int l = d2string(buf, sizeof(buf), d);
    if (c->resp >= 3) {
        add(c, ",", 1);
        add(c, buf, (size_t)l);
        add(c, "\r\n", 2);
    } else {
        replyBulk(c, buf, (size_t)l);
    }
}

void replyBool(client *c, int b) {
    if (c->resp >= 3) add(c, b ? "#t\r\n" : "#f\r\n", 4);
    else replyLongLong(c, b ? 1 : 0);
}

void replyBigNumber(client *c, const char *digits, size_t len) {
    if (c->resp >= 3) {
        add(c, "(", 1);
        add(c, digits, len);
        add(c, "\r\n", 2);
    } else {
        replyBulk(c, digits, len);
    }
}

void replyVerbatim(client *c, const char *p, size_t len, const char *ext) {
    if (c->resp >= 3) {
        addHeader(c, '=', (long long)len + 4);
        add(c, ext, 3);
        add(c, ":", 1);
        add(c, p, len);
        add(c, "\r\n", 2);
    } else {
        replyBulk(c, p, len);
    }
}

void replyHelp(client *c, const char **lines) {
    dstr cmd = dstrnew(c->cmd && c->cmd->parent ? c->cmd->parent->fullname : (c->cmd ? c->cmd->fullname : c->argv[0]));
    dstrtoupper(cmd);
    int n = 0;
    while (lines[n]) n++;
    replyArrayLen(c, n + 3);
    dstr head = dstrcatprintf(dstrempty(), "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmd);
    replyStatusLen(c, head, dstrlen(head));
    for (int i = 0; i < n; i++) replyStatus(c, lines[i]);
    replyStatus(c, "HELP");
    replyStatus(c, "    Prints this help.");
    dstrfree(head);
    dstrfree(cmd);
}

void replyErrorSubcommand(client *c) {
    dstr cmd = dstrnew(c->argv[0]);
    dstrtoupper(cmd);
    dstr sub = dstrcatrepr(dstrempty(), c->argv[1], dstrlen(c->argv[1]));
    /* Redis prints the subcommand without quotes, truncated to 128 chars */
    size_t sl = dstrlen(c->argv[1]);
    replyErrorFormat(c, "ERR unknown subcommand '%.*s'. Try %s HELP.", (int)(sl > 128 ? 128 : sl), c->argv[1], cmd);
    dstrfree(sub);
    dstrfree(cmd);
}

void *replyDeferredLen(client *c) { return clientAddDeferred(c); }

static void setDeferred(client *c, void *node, char prefix, long n) {
    char buf[32];
    buf[0] = prefix;
    int l = fmtSigned(buf + 1, n);
    buf[l + 1] = '\r';
    buf[l + 2] = '\n';
    clientSetDeferred(c, node, buf, (size_t)l + 3);
}
void setDeferredArrayLen(client *c, void *node, long n) { setDeferred(c, node, '*', n); }
void setDeferredMapLen(client *c, void *node, long n) {
    if (c->resp >= 3) setDeferred(c, node, '%', n);
    else setDeferred(c, node, '*', n * 2);
}
void setDeferredSetLen(client *c, void *node, long n) { setDeferred(c, node, c->resp >= 3 ? '~' : '*', n); }
