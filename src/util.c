#include "util.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int string2ll(const char *s, size_t slen, long long *value) {
    const char *p = s;
    size_t plen = 0;
    int negative = 0;
    unsigned long long v;
    if (slen == 0 || slen > 20) return 0;
    if (slen == 1 && p[0] == '0') {
        if (value) *value = 0;
        return 1;
    }
    if (p[0] == '-') {
        negative = 1;
        p++;
        plen++;
        if (plen == slen) return 0;
    }
    if (p[0] >= '1' && p[0] <= '9') {
        v = (unsigned long long)(p[0] - '0');
        p++;
        plen++;
    } else {
        return 0;
    }
    while (plen < slen && p[0] >= '0' && p[0] <= '9') {
        if (v > ULLONG_MAX / 10) return 0;
        v *= 10;
        if (v > ULLONG_MAX - (unsigned long long)(p[0] - '0')) return 0;
        v += (unsigned long long)(p[0] - '0');
        p++;
        plen++;
    }
    if (plen < slen) return 0;
    if (negative) {
        if (v > ((unsigned long long)(-(LLONG_MIN + 1)) + 1)) return 0;
        if (value) *value = (long long)(0ULL - v);
    } else {
        if (v > LLONG_MAX) return 0;
        if (value) *value = (long long)v;
    }
    return 1;
}

int string2l(const char *s, size_t len, long *value) {
    long long ll;
    if (!string2ll(s, len, &ll) || ll < LONG_MIN || ll > LONG_MAX) return 0;
    if (value) *value = (long)ll;
    return 1;
}

int string2ull(const char *s, unsigned long long *value) {
    if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s)) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 0;
    *value = v;
    return 1;
}

int ull2string(char *dst, size_t dstlen, unsigned long long v) {
    char tmp[LONG_STR_SIZE];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if ((size_t)n + 1 > dstlen) return 0;
    for (int i = 0; i < n; i++) dst[i] = tmp[n - 1 - i];
    dst[n] = '\0';
    return n;
}

int ll2string(char *dst, size_t dstlen, long long v) {
    if (v >= 0) return ull2string(dst, dstlen, (unsigned long long)v);
    if (dstlen < 2) return 0;
    unsigned long long u = (unsigned long long)(-(v + 1)) + 1;
    int n = ull2string(dst + 1, dstlen - 1, u);
    if (!n) return 0;
    dst[0] = '-';
    return n + 1;
}

int string2d(const char *s, size_t len, double *value) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0])) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v)) return 0;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) {
        /* overflow/underflow of an explicit number; "inf" does not set ERANGE */
        return 0;
    }
    *value = v;
    return 1;
}

int string2ld(const char *s, size_t len, long double *value) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0])) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long double v = strtold(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v)) return 0;
    if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) return 0;
    *value = v;
    return 1;
}

int d2string(char *buf, size_t len, double v) {
    if (isnan(v)) return snprintf(buf, len, "nan");
    if (isinf(v)) return snprintf(buf, len, v > 0 ? "inf" : "-inf");
    if (v == 0) return snprintf(buf, len, signbit(v) ? "-0" : "0");
    /* Shortest significant digits that read back exactly: if the value
     * survives with 15 digits, the shortest form is those digits without
     * trailing zeros; otherwise try 16, then 17 (always exact). */
    char sci[64];
    int prec;
    /* Subnormals carry fewer than 15 significant digits, so there the
     * search starts from one digit. */
    for (prec = fabs(v) < DBL_MIN ? 0 : 14; prec < 17; prec++) {
        snprintf(sci, sizeof(sci), "%.*e", prec, v);
        if (strtod(sci, NULL) == v) break;
    }
    /* sci is "-d.dddde[+-]XX": pull out sign, digits and exponent */
    const char *p = sci;
    int neg = 0;
    if (*p == '-') { neg = 1; p++; }
    char digits[32];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p)) digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    char out[MAX_D2STRING_CHARS];
    int o = 0;
    if (neg) out[o++] = '-';
    if (exp10 < -4 || exp10 > 16) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++) out[o++] = digits[i];
        }
        o += snprintf(out + o, sizeof(out) - (size_t)o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    } else if (exp10 < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -exp10 - 1; i++) out[o++] = '0';
        for (int i = 0; i < nd; i++) out[o++] = digits[i];
    } else {
        for (int i = 0; i <= exp10; i++) out[o++] = i < nd ? digits[i] : '0';
        if (nd > exp10 + 1) {
            out[o++] = '.';
            for (int i = exp10 + 1; i < nd; i++) out[o++] = digits[i];
        }
    }
    out[o] = '\0';
    if ((size_t)o + 1 > len) return 0;
    memcpy(buf, out, (size_t)o + 1);
    return o;
}

int ld2string(char *buf, size_t len, long double v) {
    if (isinf(v)) return snprintf(buf, len, v > 0 ? "inf" : "-inf");
    int n = snprintf(buf, len, "%.17Lf", v);
    if (n < 0 || (size_t)n >= len) return 0;
    if (strchr(buf, '.')) {
        char *p = buf + n - 1;
        while (*p == '0') { p--; n--; }
        if (*p == '.') n--;
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; n = 1; }
    buf[n] = '\0';
    return n;
}

/* *exhausted is set when a match failed because the string ran out while
 * pattern was left: a '*' above then stops trying shorter suffixes, which
 * keeps patterns like "a*a*a*...b" linear instead of exponential. */
static int matchImpl(const char *pattern, size_t patlen, const char *string, size_t slen, int nocase, int depth,
                     int *exhausted) {
    if (depth > 1000) return 0;
    while (patlen && slen) {
        switch (pattern[0]) {
        case '*':
            while (patlen > 1 && pattern[1] == '*') { pattern++; patlen--; }
            if (patlen == 1) return 1;
            while (slen) {
                if (matchImpl(pattern + 1, patlen - 1, string, slen, nocase, depth + 1, exhausted)) return 1;
                if (*exhausted) return 0;
                string++;
                slen--;
            }
            *exhausted = 1;
            return 0;
        case '?':
            string++;
            slen--;
            break;
        case '[': {
            int not_ = 0, match = 0;
            pattern++;
            patlen--;
            if (patlen && pattern[0] == '^') { not_ = 1; pattern++; patlen--; }
            while (1) {
                if (patlen == 0) { break; }
                if (pattern[0] == '\\' && patlen >= 2) {
                    pattern++;
                    patlen--;
                    if (pattern[0] == string[0]) match = 1;
                } else if (pattern[0] == ']') {
                    break;
                } else if (patlen >= 3 && pattern[1] == '-') {
                    int start = (unsigned char)pattern[0], end = (unsigned char)pattern[2], c = (unsigned char)string[0];
                    if (start > end) { int t = start; start = end; end = t; }
                    if (nocase) { start = tolower(start); end = tolower(end); c = tolower(c); }
                    pattern += 2;
                    patlen -= 2;
                    if (c >= start && c <= end) match = 1;
                } else {
                    if (nocase ? tolower((unsigned char)pattern[0]) == tolower((unsigned char)string[0])
                               : pattern[0] == string[0])
                        match = 1;
                }
                pattern++;
                patlen--;
            }
            if (patlen == 0) { pattern--; patlen++; } /* unterminated: treat end as ']' */
            if (not_) match = !match;
            if (!match) return 0;
            string++;
            slen--;
            break;
        }
        case '\\':
            if (patlen >= 2) { pattern++; patlen--; }
            /* fall through */
        default:
            if (nocase ? tolower((unsigned char)pattern[0]) != tolower((unsigned char)string[0])
                       : pattern[0] != string[0])
                return 0;
            string++;
            slen--;
            break;
        }
        pattern++;
        patlen--;
        if (slen == 0) {
            while (patlen && *pattern == '*') { pattern++; patlen--; }
            break;
        }
    }
    if (patlen && slen == 0) *exhausted = 1;
    return patlen == 0 && slen == 0;
}

int stringmatchlen(const char *pattern, size_t patlen, const char *string, size_t slen, int nocase) {
    int exhausted = 0;
    return matchImpl(pattern, patlen, string, slen, nocase, 0, &exhausted);
}

int stringmatch(const char *pattern, const char *string, int nocase) {
    return stringmatchlen(pattern, strlen(pattern), string, strlen(string), nocase);
}

int memtoull(const char *p, unsigned long long *out) {
    const char *u = p;
    while (*u && (isdigit((unsigned char)*u) || *u == '-')) u++;
    unsigned long long mul;
    if (*u == '\0' || !strcasecmp(u, "b")) mul = 1;
    else if (!strcasecmp(u, "k")) mul = 1000;
    else if (!strcasecmp(u, "kb")) mul = 1024;
    else if (!strcasecmp(u, "m")) mul = 1000 * 1000;
    else if (!strcasecmp(u, "mb")) mul = 1024 * 1024;
    else if (!strcasecmp(u, "g")) mul = 1000ULL * 1000 * 1000;
    else if (!strcasecmp(u, "gb")) mul = 1024ULL * 1024 * 1024;
    else return 0;
    size_t n = (size_t)(u - p);
    if (n == 0 || n > 20) return 0;
    char buf[32];
    memcpy(buf, p, n);
    buf[n] = '\0';
    unsigned long long v;
    if (!string2ull(buf, &v)) return 0;
    if (mul && v > ULLONG_MAX / mul) return 0;
    *out = v * mul;
    return 1;
}

void getRandomBytes(unsigned char *p, size_t len) {
    static int fd = -2;
    if (fd == -2) fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        size_t got = 0;
        while (got < len) {
            ssize_t n = read(fd, p + got, len - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == len) return;
    }
    static unsigned long long x = 0;
    if (!x) x = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        p[i] = (unsigned char)x;
    }
}

void getRandomHexChars(char *p, size_t len) {
    static const char hex[] = "0123456789abcdef";
    getRandomBytes((unsigned char *)p, len);
    for (size_t i = 0; i < len; i++) p[i] = hex[((unsigned char)p[i]) & 0x0f];
}
