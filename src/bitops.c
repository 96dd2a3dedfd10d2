/* Bit commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS (BYTE/BIT
 * ranges), BITOP AND/OR/XOR/NOT, BITFIELD and BITFIELD_RO (GET/SET/INCRBY,
 * OVERFLOW WRAP/SAT/FAIL).
 *
 * Bit numbering is Redis's: bit offset N is bit (7 - N % 8) of byte N / 8,
 * i.e. bit 0 is the most significant bit of the first byte. Bitfields are read
 * and written most significant bit first from their offset, so "u8 at 0" is
 * the first byte. A missing key reads as an endless run of zero bits. Writes
 * make the stored value an ENC_RAW string, zero-padded up to the last byte
 * touched; offsets are limited so that the string stays below
 * proto-max-bulk-len bytes. Replies and error strings follow Redis 7.2 (for
 * BITCOUNT/BITPOS the arguments are checked even when the key is missing, as
 * 7.2 does). */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "db.h"
#include "dstr.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"

#define BIT_OFFSET_ERR "ERR bit offset is not an integer or out of range"
#define BIT_VALUE_ERR "ERR bit is not an integer or out of range"
#define BITFIELD_TYPE_ERR "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

/* ---- helpers ----------------------------------------------------------------- */

static int notString(client *c, const obj *o) {
    if (o && o->type != OBJ_STRING) {
        replyErrorWrongType(c);
        return 1;
    }
    return 0;
}

static int argToLongLong(client *c, const dstr arg, long long *out) {
    if (!string2ll(arg, dstrlen(arg), out)) {
        replyErrorNotInteger(c);
        return 0;
    }
    return 1;
}

/* Parse a bit offset: a non-negative integer whose byte (offset / 8) is below
 * proto-max-bulk-len. With `bits` > 0 (BITFIELD) the form "#N" means N * bits.
 * Replies BIT_OFFSET_ERR and returns 0 on failure. */
static int parseBitOffset(client *c, const dstr arg, int bits, uint64_t *offset) {
    size_t len = dstrlen(arg);
    int hash = bits > 0 && len > 1 && arg[0] == '#';
    long long v;
    if (!string2ll(arg + hash, len - (size_t)hash, &v)) goto err;
    if (hash) v = (long long)((unsigned long long)v * (unsigned long long)bits); /* wraps like Redis */
    if (v < 0 || (v >> 3) >= server.proto_max_bulk_len) goto err;
    *offset = (uint64_t)v;
    return 1;
err:
    replyError(c, BIT_OFFSET_ERR);
    return 0;
}

/* Parse a bitfield type: "i1".."i64" or "u1".."u63" (lower-case letter only,
 * as Redis). The digits are read up to the first NUL, as Redis does. */
static int parseBitfieldType(client *c, const dstr arg, int *is_signed, int *bits) {
    long long n;
    if (arg[0] == 'i') *is_signed = 1;
    else if (arg[0] == 'u') *is_signed = 0;
    else goto err;
    if (!string2ll(arg + 1, strlen(arg + 1), &n) || n < 1 || n > (*is_signed ? 64 : 63)) goto err;
    *bits = (int)n;
    return 1;
err:
    replyError(c, BITFIELD_TYPE_ERR);
    return 0;
}

/* The string at argv[1] for writing bits up to bit `maxbit`: created zero
 * filled when missing, otherwise made ENC_RAW and zero-padded to cover that
 * bit. *grown is set when the key was created or its length changed. Returns
 * NULL (after replying WRONGTYPE) when the key holds another type. */
static obj *stringForBitWrite(client *c, uint64_t maxbit, int *grown) {
    size_t need = (size_t)(maxbit >> 3) + 1;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (notString(c, o)) return NULL;
    *grown = 0;
    if (!o) {
        *grown = 1;
        return dbAdd(c->db, c->argv[1], objCreateRawString(NULL, need));
    }
    if (o->encoding != ENC_RAW || o->refcount != 1) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *p = objStringBytes(o, buf, &len);
        o = dbReplaceValue(c->db, o, objCreateRawString(p, len));
    }
    size_t old = dstrlen(o->ptr);
    if (need > old) {
        o->ptr = dstrgrowzero(o->ptr, need);
        *grown = 1;
    }
    return o;
}

/* Bits of byte k (MSB = bit 0) from bit `from` to 7, and from 0 to bit `to`. */
static inline unsigned char maskFrom(unsigned from) { return (unsigned char)(0xffu >> from); }
static inline unsigned char maskTo(unsigned to) { return (unsigned char)((0xffu << (7 - to)) & 0xffu); }

/* Number of set bits among bits sbit..ebit (inclusive) of p. */
static long long countBits(const unsigned char *p, uint64_t sbit, uint64_t ebit) {
    uint64_t sb = sbit >> 3, eb = ebit >> 3;
    unsigned char first = maskFrom(sbit & 7), last = maskTo(ebit & 7);
    if (sb == eb) return __builtin_popcount(p[sb] & first & last);
    long long n = __builtin_popcount(p[sb] & first) + __builtin_popcount(p[eb] & last);
    uint64_t i = sb + 1;
    for (; i + 8 <= eb; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        n += __builtin_popcountll(w);
    }
    for (; i < eb; i++) n += __builtin_popcount(p[i]);
    return n;
}

/* Position of the first bit equal to `bit` among bits sbit..ebit of p, or -1. */
static long long findBit(const unsigned char *p, uint64_t sbit, uint64_t ebit, int bit) {
    uint64_t sb = sbit >> 3, eb = ebit >> 3;
    const uint64_t skipword = bit ? 0 : UINT64_MAX;
    for (uint64_t k = sb; k <= eb; k++) {
        if (k != sb) { /* whole bytes: skip 8 at a time while nothing can match */
            while (k + 8 < eb) {
                uint64_t w;
                memcpy(&w, p + k, 8);
                if (w != skipword) break;
                k += 8;
            }
        }
        unsigned char mask = 0xff;
        if (k == sb) mask &= maskFrom(sbit & 7);
        if (k == eb) mask &= maskTo(ebit & 7);
        unsigned v = (unsigned)(bit ? p[k] : (unsigned char)~p[k]) & mask;
        if (v) return (long long)(k * 8 + (uint64_t)(__builtin_clz(v) - 24));
    }
    return -1;
}

/* Unsigned value of `bits` bits at bit `offset`, MSB first; bits past `len`
 * bytes read as 0. */
static uint64_t readBits(const unsigned char *p, size_t len, uint64_t offset, int bits) {
    uint64_t v = 0;
    for (int i = 0; i < bits; i++) {
        uint64_t pos = offset + (uint64_t)i, byte = pos >> 3;
        unsigned b = byte < len ? (p[byte] >> (7 - (pos & 7))) & 1 : 0;
        v = (v << 1) | b;
    }
    return v;
}

/* Write the low `bits` bits of v at bit `offset`, MSB first (the bytes must exist). */
static void writeBits(unsigned char *p, uint64_t offset, int bits, uint64_t v) {
    for (int i = 0; i < bits; i++) {
        uint64_t pos = offset + (uint64_t)i;
        unsigned b = (unsigned)(v >> (bits - 1 - i)) & 1;
        unsigned char m = (unsigned char)(0x80u >> (pos & 7));
        if (b) p[pos >> 3] |= m;
        else p[pos >> 3] &= (unsigned char)~m;
    }
}

static int64_t signExtend(uint64_t v, int bits) {
    if (bits < 64 && (v & ((uint64_t)1 << (bits - 1)))) v |= UINT64_MAX << bits;
    return (int64_t)v;
}

/* ---- SETBIT / GETBIT ---------------------------------------------------------- */

void setbitCommand(client *c) {
    uint64_t offset;
    long long on;
    if (!parseBitOffset(c, c->argv[2], 0, &offset)) return;
    if (!string2ll(c->argv[3], dstrlen(c->argv[3]), &on) || (on & ~1LL)) {
        replyError(c, BIT_VALUE_ERR);
        return;
    }
    int grown;
    obj *o = stringForBitWrite(c, offset, &grown);
    if (!o) return;
    unsigned char *p = (unsigned char *)o->ptr;
    unsigned char m = (unsigned char)(0x80u >> (offset & 7));
    int old = (p[offset >> 3] & m) != 0;
    if (grown || old != (int)on) {
        if (on) p[offset >> 3] |= m;
        else p[offset >> 3] &= (unsigned char)~m;
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty++;
    }
    replyLongLong(c, old);
}

void getbitCommand(client *c) {
    uint64_t offset;
    if (!parseBitOffset(c, c->argv[2], 0, &offset)) return;
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    if (notString(c, o)) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = (const unsigned char *)objStringBytes(o, buf, &len);
    uint64_t byte = offset >> 3;
    int bit = byte < len ? (p[byte] >> (7 - (offset & 7))) & 1 : 0;
    replyLongLong(c, bit);
}

/* ---- BITCOUNT / BITPOS ------------------------------------------------------------ */

/* Parse "BYTE" or "BIT" (any case); 1 for BIT. -1 (after a syntax error reply) otherwise. */
static int parseRangeUnit(client *c, const dstr arg) {
    if (!strcasecmp(arg, "bit")) return 1;
    if (!strcasecmp(arg, "byte")) return 0;
    replyErrorSyntax(c);
    return -1;
}

/* Clamp a [start, end] range given in the unit's indexes (negative from the
 * end) to a string of `total` units. Returns 0 when the range is empty. */
static int clampRange(long long *start, long long *end, long long total) {
    if (*start < 0) *start += total;
    if (*end < 0) *end += total;
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    if (*end >= total) *end = total - 1;
    return *start <= *end;
}

/* BITCOUNT key [start end [BYTE|BIT]] */
void bitcountCommand(client *c) {
    long long start = 0, end = -1;
    int isbit = 0, ranged = 0;
    if (c->argc == 4 || c->argc == 5) {
        if (!argToLongLong(c, c->argv[2], &start) || !argToLongLong(c, c->argv[3], &end)) return;
        if (c->argc == 5 && (isbit = parseRangeUnit(c, c->argv[4])) < 0) return;
        ranged = 1;
    } else if (c->argc != 2) {
        replyErrorSyntax(c);
        return;
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notString(c, o)) return;
    if (!o || (ranged && start < 0 && end < 0 && start > end)) {
        replyLongLong(c, 0);
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = (const unsigned char *)objStringBytes(o, buf, &len);
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!clampRange(&start, &end, total)) {
        replyLongLong(c, 0);
        return;
    }
    uint64_t sbit = isbit ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t ebit = isbit ? (uint64_t)end : (uint64_t)end * 8 + 7;
    replyLongLong(c, countBits(p, sbit, ebit));
}

/* BITPOS key bit [start [end [BYTE|BIT]]]
 * Not found: -1 when looking for 1, or for 0 within an explicit end; for 0
 * without an end the string counts as zero-padded, giving the first bit past it. */
void bitposCommand(client *c) {
    long long bit, start = 0, end = -1;
    int isbit = 0, end_given = 0;
    if (!argToLongLong(c, c->argv[2], &bit)) return;
    if (bit != 0 && bit != 1) {
        replyError(c, "ERR The bit argument must be 1 or 0.");
        return;
    }
    if (c->argc >= 4 && c->argc <= 6) {
        if (!argToLongLong(c, c->argv[3], &start)) return;
        if (c->argc == 6 && (isbit = parseRangeUnit(c, c->argv[5])) < 0) return;
        if (c->argc >= 5) {
            if (!argToLongLong(c, c->argv[4], &end)) return;
            end_given = 1;
        }
    } else if (c->argc != 3) {
        replyErrorSyntax(c);
        return;
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notString(c, o)) return;
    if (!o) {
        replyLongLong(c, bit ? -1 : 0);
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = (const unsigned char *)objStringBytes(o, buf, &len);
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!end_given) end = total - 1;
    if (!clampRange(&start, &end, total)) {
        replyLongLong(c, -1);
        return;
    }
    uint64_t sbit = isbit ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t ebit = isbit ? (uint64_t)end : (uint64_t)end * 8 + 7;
    long long pos = findBit(p, sbit, ebit, (int)bit);
    if (pos < 0 && bit == 0 && !end_given) pos = (long long)ebit + 1;
    replyLongLong(c, pos);
}

/* ---- BITOP ------------------------------------------------------------------------ */

#define OP_AND 0
#define OP_OR 1
#define OP_XOR 2
#define OP_NOT 3

/* BITOP <AND|OR|XOR|NOT> destkey key [key ...]
 * Missing keys count as empty strings; shorter inputs are zero-padded. The
 * result (as long as the longest input) replaces destkey as a raw string;
 * an empty result deletes destkey. Replies the result length. */
void bitopCommand(client *c) {
    const char *opname = c->argv[1];
    int op;
    if (!strcasecmp(opname, "and")) op = OP_AND;
    else if (!strcasecmp(opname, "or")) op = OP_OR;
    else if (!strcasecmp(opname, "xor")) op = OP_XOR;
    else if (!strcasecmp(opname, "not")) op = OP_NOT;
    else {
        replyErrorSyntax(c);
        return;
    }
    if (op == OP_NOT && c->argc != 4) {
        replyError(c, "ERR BITOP NOT must be called with a single source key.");
        return;
    }
    int n = c->argc - 3;
    const unsigned char **src = zmalloc(sizeof(*src) * (size_t)n);
    size_t *lens = zmalloc(sizeof(*lens) * (size_t)n);
    dstr *tmp = zcalloc(sizeof(*tmp) * (size_t)n); /* decimal text of ENC_INT inputs */
    size_t maxlen = 0;
    int ok = 1;
    for (int j = 0; j < n; j++) {
        obj *o = lookupKeyRead(c->db, c->argv[j + 3]);
        src[j] = NULL;
        lens[j] = 0;
        if (!o) continue;
        if (notString(c, o)) {
            ok = 0;
            break;
        }
        if (o->encoding == ENC_INT) {
            tmp[j] = dstrfromll((long long)(intptr_t)o->ptr);
            src[j] = (const unsigned char *)tmp[j];
            lens[j] = dstrlen(tmp[j]);
        } else {
            src[j] = (const unsigned char *)o->ptr;
            lens[j] = dstrlen(o->ptr);
        }
        if (lens[j] > maxlen) maxlen = lens[j];
    }
    if (ok) {
        dstr key = c->argv[2];
        if (maxlen) {
            dstr res = dstrnewlen(NULL, maxlen);
            unsigned char *r = (unsigned char *)res;
            if (lens[0]) memcpy(r, src[0], lens[0]);
            if (op == OP_NOT) {
                for (size_t i = 0; i < maxlen; i++) r[i] = (unsigned char)~r[i];
            }
            for (int j = 1; j < n; j++) {
                const unsigned char *s = src[j];
                size_t l = lens[j], i;
                switch (op) {
                case OP_AND:
                    for (i = 0; i < l; i++) r[i] &= s[i];
                    for (; i < maxlen; i++) r[i] = 0;
                    break;
                case OP_OR:
                    for (i = 0; i < l; i++) r[i] |= s[i];
                    break;
                case OP_XOR:
                    for (i = 0; i < l; i++) r[i] ^= s[i];
                    break;
                }
            }
            if (op == OP_AND && lens[0] < maxlen) memset(r + lens[0], 0, maxlen - lens[0]);
            dbSetKey(c->db, key, objCreate(OBJ_STRING, ENC_RAW, res), SETKEY_NO_SIGNAL);
            signalModifiedKey(c, c->db, key);
            server.dirty++;
        } else if (dbDelete(c->db, key)) {
            signalModifiedKey(c, c->db, key);
            server.dirty++;
        }
        replyLongLong(c, (long long)maxlen);
    }
    for (int j = 0; j < n; j++) dstrfree(tmp[j]);
    zfree(tmp);
    zfree(lens);
    zfree(src);
}

/* ---- BITFIELD ---------------------------------------------------------------------- */

#define BF_GET 0
#define BF_SET 1
#define BF_INCRBY 2

#define BF_WRAP 0
#define BF_SAT 1
#define BF_FAIL 2

typedef struct bitfieldOp {
    uint64_t offset;
    int64_t value;     /* SET value or INCRBY increment */
    int opcode;
    int overflow;      /* BF_WRAP / BF_SAT / BF_FAIL in effect for this op */
    int bits;
    int is_signed;
} bitfieldOp;

/* Overflow handling of an unsigned field: `value` (the current value, or the
 * SET value taken as unsigned 64-bit) plus `incr` must fit 0..2^bits-1.
 * Returns 1 on overflow; *out is the result to store (wrapped modulo 2^bits,
 * or saturated), or value + incr when it fits. */
static int unsignedFieldResult(uint64_t value, int64_t incr, int bits, int mode, uint64_t *out) {
    uint64_t max = ((uint64_t)1 << bits) - 1; /* bits <= 63 */
    __int128 r = (__int128)value + incr;
    if (r >= 0 && r <= (__int128)max) {
        *out = (uint64_t)r;
        return 0;
    }
    if (mode == BF_SAT) *out = r > 0 ? max : 0;
    else *out = (uint64_t)(unsigned __int128)r & max;
    return 1;
}

/* Overflow handling of a signed field of `bits` bits (range min..max):
 * returns 1 on overflow with *out wrapped (two's complement of the low bits)
 * or saturated, else *out = value + incr.
 * For fields narrower than 64 bits the test is Redis's: "too high" when
 * value > max or incr > (max - value computed modulo 2^64), checked first, so
 * a SET value far below min (below max - 2^63) counts as too high and
 * saturates to max, exactly as Redis 7 replies. */
static int signedFieldResult(int64_t value, int64_t incr, int bits, int mode, int64_t *out) {
    int64_t max = bits == 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (bits - 1)) - 1);
    int64_t min = -max - 1;
    int high, low;
    if (bits == 64) {
        __int128 r = (__int128)value + incr;
        high = r > INT64_MAX;
        low = r < INT64_MIN;
    } else {
        int64_t maxincr = (int64_t)((uint64_t)max - (uint64_t)value);
        high = value > max || incr > maxincr;
        low = !high && (value < min || incr < min - value);
    }
    if (!high && !low) {
        *out = (int64_t)((uint64_t)value + (uint64_t)incr);
        return 0;
    }
    if (mode == BF_SAT) *out = high ? max : min;
    else *out = signExtend(((uint64_t)value + (uint64_t)incr) & (bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1),
                           bits);
    return 1;
}

/* BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset incr]
 *          [OVERFLOW WRAP|SAT|FAIL] ...
 * All arguments are checked first; GET-only calls never create the key. The
 * reply has one element per GET/SET/INCRBY: the value read, the old value
 * (SET), the new value (INCRBY), or nil when OVERFLOW FAIL refused a write. */
static void bitfieldGeneric(client *c, int readonly_cmd) {
    bitfieldOp *ops = zmalloc(sizeof(*ops) * (size_t)c->argc);
    int nops = 0, overflow = BF_WRAP, readonly = 1;
    uint64_t highest = 0;

    for (int j = 2; j < c->argc; j++) {
        int remaining = c->argc - j - 1;
        const char *sub = c->argv[j];
        int opcode;
        if (!strcasecmp(sub, "get") && remaining >= 2) {
            opcode = BF_GET;
        } else if (!strcasecmp(sub, "set") && remaining >= 3) {
            opcode = BF_SET;
        } else if (!strcasecmp(sub, "incrby") && remaining >= 3) {
            opcode = BF_INCRBY;
        } else if (!strcasecmp(sub, "overflow") && remaining >= 1) {
            const char *mode = c->argv[++j];
            if (!strcasecmp(mode, "wrap")) overflow = BF_WRAP;
            else if (!strcasecmp(mode, "sat")) overflow = BF_SAT;
            else if (!strcasecmp(mode, "fail")) overflow = BF_FAIL;
            else {
                replyError(c, "ERR Invalid OVERFLOW type specified");
                goto done;
            }
            continue;
        } else {
            replyErrorSyntax(c);
            goto done;
        }
        bitfieldOp *op = &ops[nops];
        op->opcode = opcode;
        op->overflow = overflow;
        op->value = 0;
        if (!parseBitfieldType(c, c->argv[j + 1], &op->is_signed, &op->bits)) goto done;
        if (!parseBitOffset(c, c->argv[j + 2], op->bits, &op->offset)) goto done;
        if (opcode != BF_GET) {
            long long v;
            readonly = 0;
            if (op->offset + (uint64_t)op->bits - 1 > highest) highest = op->offset + (uint64_t)op->bits - 1;
            if (!argToLongLong(c, c->argv[j + 3], &v)) goto done;
            op->value = v;
            j += 3;
        } else {
            j += 2;
        }
        nops++;
    }

    obj *o;
    int grown = 0;
    if (readonly) {
        o = lookupKeyRead(c->db, c->argv[1]);
        if (notString(c, o)) goto done;
    } else {
        if (readonly_cmd) {
            replyError(c, "ERR BITFIELD_RO only supports the GET subcommand");
            goto done;
        }
        if (!(o = stringForBitWrite(c, highest, &grown))) goto done;
    }

    replyArrayLen(c, nops);
    long long changes = 0;
    for (int k = 0; k < nops; k++) {
        bitfieldOp *op = &ops[k];
        if (op->opcode == BF_GET) {
            char buf[LONG_STR_SIZE];
            size_t len = 0;
            const unsigned char *p = o ? (const unsigned char *)objStringBytes(o, buf, &len) : NULL;
            uint64_t v = p ? readBits(p, len, op->offset, op->bits) : 0;
            replyLongLong(c, op->is_signed ? signExtend(v, op->bits) : (long long)v);
            continue;
        }
        unsigned char *p = (unsigned char *)o->ptr;
        size_t len = dstrlen(o->ptr);
        uint64_t raw_old = readBits(p, len, op->offset, op->bits);
        uint64_t store;
        long long reply;
        int over;
        if (op->is_signed) {
            int64_t old = signExtend(raw_old, op->bits), res;
            if (op->opcode == BF_INCRBY) {
                over = signedFieldResult(old, op->value, op->bits, op->overflow, &res);
                reply = res;
            } else {
                over = signedFieldResult(op->value, 0, op->bits, op->overflow, &res);
                reply = old;
            }
            store = (uint64_t)res;
        } else {
            uint64_t res;
            if (op->opcode == BF_INCRBY) {
                over = unsignedFieldResult(raw_old, op->value, op->bits, op->overflow, &res);
                reply = (long long)res;
            } else {
                over = unsignedFieldResult((uint64_t)op->value, 0, op->bits, op->overflow, &res);
                reply = (long long)raw_old;
            }
            store = res;
        }
        if (over && op->overflow == BF_FAIL) {
            replyNull(c);
            continue;
        }
        replyLongLong(c, reply);
        writeBits(p, op->offset, op->bits, store);
        uint64_t mask = op->bits == 64 ? UINT64_MAX : ((uint64_t)1 << op->bits) - 1;
        if (grown || (store & mask) != raw_old) changes++;
    }
    if (changes) {
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += changes;
    }
done:
    zfree(ops);
}

void bitfieldCommand(client *c) { bitfieldGeneric(c, 0); }
void bitfieldRoCommand(client *c) { bitfieldGeneric(c, 1); }
