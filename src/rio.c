/* rio: in-memory byte stream and RDB primitives. Formats: see rio.h. */
#include "rio.h"
#include "zmalloc.h"
#include <limits.h>
#include <lzf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- set-up and state --------------------------------------------------------- */

void rioInitReader(rio *r, const void *buf, size_t len) {
    memset(r, 0, sizeof(*r));
    r->mode = RIO_MODE_READ;
    r->rbuf = buf;
    r->cap = buf ? len : 0;
}

void rioInitDstrWriter(rio *r, dstr s) {
    memset(r, 0, sizeof(*r));
    r->mode = RIO_MODE_WRITE_DSTR;
    r->out = s ? s : dstrempty();
    r->pos = dstrlen(r->out);
}

void rioInitBufferWriter(rio *r, void *buf, size_t cap) {
    memset(r, 0, sizeof(*r));
    r->mode = RIO_MODE_WRITE_BUF;
    r->wbuf = buf;
    r->cap = buf ? cap : 0;
}

dstr rioDetachDstr(rio *r) {
    if (r->mode != RIO_MODE_WRITE_DSTR) return NULL;
    dstr s = r->out;
    r->out = NULL;
    return s;
}

void rioRelease(rio *r) {
    if (r->mode == RIO_MODE_WRITE_DSTR) {
        dstrfree(r->out);
        r->out = NULL;
    }
}

size_t rioTell(const rio *r) { return r->pos; }

size_t rioRemaining(const rio *r) {
    switch (r->mode) {
    case RIO_MODE_READ:
    case RIO_MODE_WRITE_BUF: return r->cap - r->pos;
    case RIO_MODE_WRITE_DSTR: return SIZE_MAX;
    default: return 0;
    }
}

int rioHasError(const rio *r) { return r->error != 0; }

static int fail(rio *r) {
    r->error = 1;
    return RIO_ERR;
}

/* ---- raw bytes ----------------------------------------------------------------- */

/* Reader check: `n` more bytes are available. */
static inline int need(rio *r, size_t n) {
    if (r->error || r->mode != RIO_MODE_READ || n > r->cap - r->pos) return fail(r);
    return RIO_OK;
}

int rioRead(rio *r, void *dst, size_t n) {
    if (need(r, n)) return RIO_ERR;
    if (n) memcpy(dst, r->rbuf + r->pos, n);
    r->pos += n;
    return RIO_OK;
}

const unsigned char *rioReadPtr(rio *r, size_t n) {
    if (need(r, n)) return NULL;
    const unsigned char *p = r->rbuf + r->pos;
    r->pos += n;
    return p;
}

int rioSkip(rio *r, size_t n) {
    if (need(r, n)) return RIO_ERR;
    r->pos += n;
    return RIO_OK;
}

int rioWrite(rio *r, const void *src, size_t n) {
    if (r->error) return RIO_ERR;
    switch (r->mode) {
    case RIO_MODE_WRITE_DSTR:
        if (!r->out) return fail(r);
        if (n) r->out = dstrcatlen(r->out, src, n);
        break;
    case RIO_MODE_WRITE_BUF:
        if (n > r->cap - r->pos) return fail(r);
        if (n) memcpy(r->wbuf + r->pos, src, n);
        break;
    default: return fail(r);
    }
    r->pos += n;
    return RIO_OK;
}

int rioReadU8(rio *r, uint8_t *v) {
    if (need(r, 1)) return RIO_ERR;
    *v = r->rbuf[r->pos++];
    return RIO_OK;
}

/* Unsigned integer of `n` bytes, little- or big-endian. */
static int readUint(rio *r, size_t n, int big_endian, uint64_t *v) {
    const unsigned char *p = rioReadPtr(r, n);
    if (!p) return RIO_ERR;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) x |= (uint64_t)p[i] << (8 * (big_endian ? n - 1 - i : i));
    *v = x;
    return RIO_OK;
}

static int writeUint(rio *r, size_t n, int big_endian, uint64_t v) {
    unsigned char b[8];
    for (size_t i = 0; i < n; i++) b[big_endian ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
    return rioWrite(r, b, n);
}

int rioReadU16LE(rio *r, uint16_t *v) {
    uint64_t x;
    if (readUint(r, 2, 0, &x)) return RIO_ERR;
    *v = (uint16_t)x;
    return RIO_OK;
}

int rioReadU32LE(rio *r, uint32_t *v) {
    uint64_t x;
    if (readUint(r, 4, 0, &x)) return RIO_ERR;
    *v = (uint32_t)x;
    return RIO_OK;
}

int rioReadU64LE(rio *r, uint64_t *v) { return readUint(r, 8, 0, v); }
int rioWriteU8(rio *r, uint8_t v) { return rioWrite(r, &v, 1); }
int rioWriteU16LE(rio *r, uint16_t v) { return writeUint(r, 2, 0, v); }
int rioWriteU32LE(rio *r, uint32_t v) { return writeUint(r, 4, 0, v); }
int rioWriteU64LE(rio *r, uint64_t v) { return writeUint(r, 8, 0, v); }

/* ---- lengths -------------------------------------------------------------------- */

size_t rioLenSize(uint64_t len) {
    if (len < 64) return 1;
    if (len < 16384) return 2;
    if (len <= UINT32_MAX) return 5;
    return 9;
}

int rioWriteLen(rio *r, uint64_t len) {
    unsigned char b[RIO_LEN_MAX_SIZE];
    size_t n = rioLenSize(len);
    switch (n) {
    case 1: b[0] = (unsigned char)len; break;
    case 2:
        b[0] = (unsigned char)(0x40 | (len >> 8));
        b[1] = (unsigned char)len;
        break;
    case 5:
        b[0] = 0x80;
        for (int i = 0; i < 4; i++) b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        break;
    default:
        b[0] = 0x81;
        for (int i = 0; i < 8; i++) b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        break;
    }
    return rioWrite(r, b, n);
}

int rioReadLen(rio *r, uint64_t *len, int *is_encoded) {
    uint8_t b, b2;
    if (rioReadU8(r, &b)) return RIO_ERR;
    if (is_encoded) *is_encoded = 0;
    switch (b >> 6) {
    case 0: *len = b & 0x3f; return RIO_OK;
    case 1:
        if (rioReadU8(r, &b2)) return RIO_ERR;
        *len = ((uint64_t)(b & 0x3f) << 8) | b2;
        return RIO_OK;
    case 2:
        if (b == 0x80) return readUint(r, 4, 1, len);
        if (b == 0x81) return readUint(r, 8, 1, len);
        return fail(r);
    default:
        if (!is_encoded) return fail(r);
        *is_encoded = 1;
        *len = b & 0x3f;
        return RIO_OK;
    }
}

/* ---- LZF ------------------------------------------------------------------------- */

/* Expand LZF data (the liblzf format: a control byte c < 32 starts a literal
 * run of c+1 bytes; otherwise the top 3 bits are a length (7 = extended by
 * the next byte), the low 5 bits and the next byte an offset, and the run
 * copies length+2 bytes from offset+1 bytes back in the output). Succeeds
 * only if all `inlen` bytes are consumed and exactly `outlen` produced. */
static int lzfExpand(const unsigned char *in, size_t inlen, unsigned char *out, size_t outlen) {
    size_t ip = 0, op = 0;
    while (ip < inlen) {
        unsigned ctrl = in[ip++];
        if (ctrl < 32) {
            size_t n = (size_t)ctrl + 1;
            if (n > inlen - ip || n > outlen - op) return RIO_ERR;
            /* A fixed 32-byte copy where both buffers have room is cheaper than
             * a sized one; the bytes past n are overwritten later (success
             * requires every output byte to be produced). */
            if (inlen - ip >= 32 && outlen - op >= 32) memcpy(out + op, in + ip, 32);
            else memcpy(out + op, in + ip, n);
            ip += n;
            op += n;
        } else {
            size_t n = ctrl >> 5;
            if (n == 7) {
                if (ip >= inlen) return RIO_ERR;
                n += in[ip++];
            }
            if (ip >= inlen) return RIO_ERR;
            size_t back = ((size_t)(ctrl & 0x1f) << 8) + in[ip++] + 1;
            n += 2;
            if (back > op || n > outlen - op) return RIO_ERR;
            const unsigned char *src = out + op - back;
            if (back >= 16 && n <= 16 && outlen - op >= 16) {
                memcpy(out + op, src, 16); /* src + 16 <= out + op: no overlap */
            } else if (back >= n) {
                memcpy(out + op, src, n);
            } else if (back == 1) {
                memset(out + op, src[0], n); /* a run of one byte */
            } else {
                for (size_t i = 0; i < n; i++) out[op + i] = src[i]; /* overlapping: repeats a pattern */
            }
            op += n;
        }
    }
    return op == outlen ? RIO_OK : RIO_ERR;
}

/* Largest expansion of LZF data: 264 output bytes per 3-byte back reference. */
#define LZF_MAX_RATIO 88

/* ---- strings: writing -------------------------------------------------------------- */

/* Canonical decimal integer of at most 11 bytes in the int32 range (the
 * strings Redis stores in integer form). */
static int canonicalInt32(const unsigned char *s, size_t len, long long *v) {
    if (len == 0 || len > 11) return 0;
    size_t i = 0;
    int neg = s[0] == '-';
    if (neg) {
        if (len == 1) return 0;
        i = 1;
    }
    if (s[i] == '0') {
        if (len != 1) return 0; /* "007", "-0", "-05" */
        *v = 0;
        return 1;
    }
    long long acc = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        acc = acc * 10 + (s[i] - '0');
    }
    if (neg) acc = -acc;
    if (acc < INT32_MIN || acc > INT32_MAX) return 0;
    *v = acc;
    return 1;
}

static int writeIntForm(rio *r, long long v) {
    unsigned char b[5];
    size_t n;
    b[0] = 0xc0;
    if (v >= INT8_MIN && v <= INT8_MAX) {
        b[0] |= RIO_ENC_INT8;
        n = 1;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        b[0] |= RIO_ENC_INT16;
        n = 2;
    } else {
        b[0] |= RIO_ENC_INT32;
        n = 4;
    }
    uint32_t u = (uint32_t)(int32_t)v;
    for (size_t i = 0; i < n; i++) b[1 + i] = (unsigned char)(u >> (8 * i));
    return rioWrite(r, b, n + 1);
}

#define LZF_PROBE_MIN (1024 * 1024) /* strings this long are probed first */
#define LZF_PROBE_SAMPLE 16384
#define LZF_PROBE_COUNT 4

/* 1 if any of LZF_PROBE_COUNT samples spread over s[0..len) compresses by at
 * least 1/16 of its size (len >= LZF_PROBE_MIN). */
static int lzfProbeSamples(const unsigned char *s, size_t len) {
    unsigned char out[LZF_PROBE_SAMPLE]; /* on the stack: callers may run on two threads */
    size_t step = (len - LZF_PROBE_SAMPLE) / (LZF_PROBE_COUNT - 1);
    for (size_t i = 0; i < LZF_PROBE_COUNT; i++) {
        unsigned cap = LZF_PROBE_SAMPLE - LZF_PROBE_SAMPLE / 16;
        if (lzf_compress(s + i * step, LZF_PROBE_SAMPLE, out, cap)) return 1;
    }
    return 0;
}

size_t rioCompressString(const void *s, size_t len, unsigned char **out) {
    *out = NULL;
    if (len <= 20 || len > UINT_MAX) return 0;
    if (len >= LZF_PROBE_MIN && !lzfProbeSamples(s, len)) return 0;
    unsigned char *buf = zmalloc(len - 4);
    unsigned clen = lzf_compress(s, (unsigned)len, buf, (unsigned)(len - 4));
    if (!clen) {
        zfree(buf);
        return 0;
    }
    *out = buf;
    return clen;
}

/* The LZF form of s[0..len) whose LZF data is lzf[0..clen). */
static int writeLzfForm(rio *r, const unsigned char *lzf, size_t clen, size_t len) {
    if (rioWriteU8(r, 0xc0 | RIO_ENC_LZF) || rioWriteLen(r, clen) || rioWriteLen(r, len)) return RIO_ERR;
    return rioWrite(r, lzf, clen);
}

/* LZF form if liblzf fits the data into len - 4 bytes: returns 1 if written,
 * 0 if not compressible enough (nothing written), -1 on write error. */
static int tryWriteLzf(rio *r, const void *s, size_t len) {
    if (len >= LZF_PROBE_MIN && !lzfProbeSamples(s, len)) return 0;
    unsigned char stackbuf[512];
    size_t outcap = len - 4;
    unsigned char *out = outcap <= sizeof(stackbuf) ? stackbuf : zmalloc(outcap);
    unsigned clen = lzf_compress(s, (unsigned)len, out, (unsigned)outcap);
    int rc = 0;
    if (clen) rc = writeLzfForm(r, out, clen, len) == RIO_OK ? 1 : -1;
    if (out != stackbuf) zfree(out);
    return rc;
}

int rioWriteStringPrepared(rio *r, const void *s, size_t len, const unsigned char *lzf, size_t clen) {
    long long v;
    if (r->error) return RIO_ERR;
    if (len <= 11 && canonicalInt32(s, len, &v)) return writeIntForm(r, v);
    if (clen) return writeLzfForm(r, lzf, clen, len);
    return rioWriteRawString(r, s, len);
}

int rioWriteRawString(rio *r, const void *s, size_t len) {
    if (rioWriteLen(r, len)) return RIO_ERR;
    return rioWrite(r, s, len);
}

int rioWriteStringEx(rio *r, const void *s, size_t len, int compress) {
    long long v;
    if (r->error) return RIO_ERR;
    if (len <= 11 && canonicalInt32(s, len, &v)) return writeIntForm(r, v);
    if (compress && len > 20 && len <= UINT_MAX) {
        int rc = tryWriteLzf(r, s, len);
        if (rc) return rc > 0 ? RIO_OK : RIO_ERR;
    }
    return rioWriteRawString(r, s, len);
}

int rioWriteString(rio *r, const void *s, size_t len) { return rioWriteStringEx(r, s, len, 1); }

int rioWriteStringFromInt(rio *r, long long v) {
    if (r->error) return RIO_ERR;
    if (v >= INT32_MIN && v <= INT32_MAX) return writeIntForm(r, v);
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld", v);
    return rioWriteRawString(r, buf, (size_t)n);
}

/* ---- strings: reading --------------------------------------------------------------- */

/* A string header, decoded and checked against the bytes left. */
int rioReadStringRef(rio *r, rioStringRef *h) {
    uint64_t len, v;
    int enc;
    memset(h, 0, sizeof(*h));
    if (rioReadLen(r, &len, &enc)) return RIO_ERR;
    if (!enc) {
        if (len > rioRemaining(r)) return fail(r);
        h->len = (size_t)len;
        h->data = rioReadPtr(r, h->len);
        return h->data ? RIO_OK : RIO_ERR;
    }
    switch (len) {
    case RIO_ENC_INT8:
        if (readUint(r, 1, 0, &v)) return RIO_ERR;
        h->ival = (int8_t)v;
        break;
    case RIO_ENC_INT16:
        if (readUint(r, 2, 0, &v)) return RIO_ERR;
        h->ival = (int16_t)v;
        break;
    case RIO_ENC_INT32:
        if (readUint(r, 4, 0, &v)) return RIO_ERR;
        h->ival = (int32_t)v;
        break;
    case RIO_ENC_LZF: {
        uint64_t clen, ulen;
        if (rioReadLen(r, &clen, NULL) || rioReadLen(r, &ulen, NULL)) return RIO_ERR;
        if (clen > rioRemaining(r)) return fail(r);
        if (ulen == 0) {
            /* Redis 7.0 accepts a declared length of 0 whatever the data
             * (liblzf reports 0 bytes, which equals the length): the empty
             * string, data skipped. */
            h->data = rioReadPtr(r, (size_t)clen);
            return h->data ? RIO_OK : RIO_ERR;
        }
        if (clen == 0 || ulen / LZF_MAX_RATIO > clen || ulen > SIZE_MAX - 1) return fail(r);
        h->clen = (size_t)clen;
        h->len = (size_t)ulen;
        h->data = rioReadPtr(r, h->clen);
        return h->data ? RIO_OK : RIO_ERR;
    }
    default: return fail(r);
    }
    h->is_int = 1;
    char tmp[32];
    h->len = (size_t)snprintf(tmp, sizeof(tmp), "%lld", h->ival); /* its decimal text */
    return RIO_OK;
}

int rioExpandStringRef(const rioStringRef *h, unsigned char *out) {
    if (h->is_int) {
        char tmp[32];
        int n = snprintf(tmp, sizeof(tmp), "%lld", h->ival);
        memcpy(out, tmp, (size_t)n);
        return RIO_OK;
    }
    if (h->clen) return lzfExpand(h->data, h->clen, out, h->len);
    if (h->len) memcpy(out, h->data, h->len);
    return RIO_OK;
}

/* Bytes of a string whose header is `h` into `out` (room for h->len). */
static int expandBody(rio *r, const rioStringRef *h, unsigned char *out) {
    return rioExpandStringRef(h, out) ? fail(r) : RIO_OK;
}

dstr rioReadString(rio *r) {
    rioStringRef h;
    if (rioReadStringRef(r, &h)) return NULL;
    if (h.is_int) return dstrfromll(h.ival);
    dstr s = dstrnewuninit(h.len);
    if (expandBody(r, &h, (unsigned char *)s)) {
        dstrfree(s);
        return NULL;
    }
    return s;
}

int rioReadStringBuf(rio *r, void *buf, size_t cap, size_t *len) {
    rioStringRef h;
    if (rioReadStringRef(r, &h)) return RIO_ERR;
    if (h.is_int) {
        char tmp[32];
        int n = snprintf(tmp, sizeof(tmp), "%lld", h.ival);
        if ((size_t)n > cap) return fail(r);
        memcpy(buf, tmp, (size_t)n);
        *len = (size_t)n;
        return RIO_OK;
    }
    if (h.len > cap) return fail(r);
    if (expandBody(r, &h, buf)) return RIO_ERR;
    *len = h.len;
    return RIO_OK;
}

int rioReadStringOrInt(rio *r, dstr *s, long long *ival) {
    rioStringRef h;
    *s = NULL;
    if (rioReadStringRef(r, &h)) return RIO_ERR;
    if (h.is_int) {
        *ival = h.ival;
        return 1;
    }
    dstr out = dstrnewuninit(h.len);
    if (expandBody(r, &h, (unsigned char *)out)) {
        dstrfree(out);
        return RIO_ERR;
    }
    *s = out;
    return 0;
}

/* ---- doubles and times ------------------------------------------------------------- */

int rioWriteDoubleBinary(rio *r, double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return writeUint(r, 8, 0, u);
}

int rioReadDoubleBinary(rio *r, double *v) {
    uint64_t u;
    if (readUint(r, 8, 0, &u)) return RIO_ERR;
    memcpy(v, &u, sizeof(u));
    return RIO_OK;
}

int rioWriteDoubleText(rio *r, double v) {
    unsigned char buf[64];
    int n;
    if (isnan(v)) return rioWriteU8(r, RIO_DOUBLE_NAN);
    if (isinf(v)) return rioWriteU8(r, v > 0 ? RIO_DOUBLE_POSINF : RIO_DOUBLE_NEGINF);
    /* Integral values in (-2^52, 2^52) print exactly as integers. */
    if (v > -4503599627370495.0 && v < 4503599627370496.0 && v == (double)(long long)v)
        n = snprintf((char *)buf + 1, sizeof(buf) - 1, "%lld", (long long)v);
    else
        n = snprintf((char *)buf + 1, sizeof(buf) - 1, "%.17g", v);
    buf[0] = (unsigned char)n;
    return rioWrite(r, buf, (size_t)n + 1);
}

int rioReadDoubleText(rio *r, double *v) {
    uint8_t n;
    char buf[256];
    if (rioReadU8(r, &n)) return RIO_ERR;
    switch (n) {
    case RIO_DOUBLE_NAN: *v = NAN; return RIO_OK;
    case RIO_DOUBLE_POSINF: *v = INFINITY; return RIO_OK;
    case RIO_DOUBLE_NEGINF: *v = -INFINITY; return RIO_OK;
    }
    if (rioRead(r, buf, n)) return RIO_ERR;
    buf[n] = '\0';
    if (sscanf(buf, "%lg", v) != 1) return fail(r);
    return RIO_OK;
}

int rioWriteMillisecondTime(rio *r, int64_t ms) { return writeUint(r, 8, 0, (uint64_t)ms); }

int rioReadMillisecondTime(rio *r, int64_t *ms) {
    uint64_t u;
    if (readUint(r, 8, 0, &u)) return RIO_ERR;
    *ms = (int64_t)u;
    return RIO_OK;
}

int rioWriteSecondTime(rio *r, int32_t sec) { return writeUint(r, 4, 0, (uint32_t)sec); }

int rioReadSecondTime(rio *r, int32_t *sec) {
    uint64_t u;
    if (readUint(r, 4, 0, &u)) return RIO_ERR;
    *sec = (int32_t)(uint32_t)u;
    return RIO_OK;
}
