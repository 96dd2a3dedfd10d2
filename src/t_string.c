/* String commands: GET, SET (EX/PX/EXAT/PXAT/NX/XX/KEEPTTL/GET), SETNX, SETEX,
 * PSETEX, MGET, MSET, MSETNX, GETSET, GETDEL, GETEX, APPEND, STRLEN, INCR,
 * DECR, INCRBY, DECRBY, INCRBYFLOAT, GETRANGE, SUBSTR, SETRANGE and LCS.
 *
 * Behaviour, reply types and error strings follow Redis 7.2. Values are kept
 * as object.h describes: ENC_INT for canonical integers, ENC_EMBSTR up to 44
 * bytes, ENC_RAW otherwise; commands that modify a string in place (APPEND,
 * SETRANGE) first turn the stored value into an ENC_RAW object, as Redis does,
 * so OBJECT ENCODING reports "raw" afterwards. INCR/DECR keep (or produce)
 * ENC_INT; INCRBYFLOAT stores its result as text (embstr or raw).
 *
 * Every command here is registered by the build from its commands/<name>.json
 * (arity is checked before the handler runs). */
#include <limits.h>
#include <math.h>
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

/* ---- shared helpers -------------------------------------------------------- */

/* Reply WRONGTYPE and return 1 when `o` exists and is not a string. */
static int notString(client *c, const obj *o) {
    if (o && o->type != OBJ_STRING) {
        replyErrorWrongType(c);
        return 1;
    }
    return 0;
}

/* Parse a long long argument; on failure reply the standard integer error. */
static int argToLongLong(client *c, const dstr arg, long long *out) {
    if (!string2ll(arg, dstrlen(arg), out)) {
        replyErrorNotInteger(c);
        return 0;
    }
    return 1;
}

/* A resulting string of `size` + `append` bytes must fit proto-max-bulk-len. */
static int stringLengthOk(client *c, long long size, long long append) {
    unsigned long long total = (unsigned long long)size + (unsigned long long)append;
    if (total > (unsigned long long)server.proto_max_bulk_len) {
        replyError(c, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return 0;
    }
    return 1;
}

/* Bulk reply with the bytes of a string object. */
static void replyStringObject(client *c, const obj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = objStringBytes(o, buf, &len);
    replyBulk(c, p, len);
}

/* Make the stored string `o` of a key an unshared ENC_RAW object whose ptr
 * may be grown with the dstr functions. Returns the object to use. */
static obj *unshareString(db *d, obj *o) {
    if (o->encoding == ENC_RAW && o->refcount == 1) return o;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = objStringBytes(o, buf, &len);
    return dbReplaceValue(d, o, objCreateRawString(p, len));
}

/* String object for text produced by the server (INCRBYFLOAT): embstr up to 44
 * bytes even when the text looks like an integer (Redis's createStringObject),
 * raw beyond. The embstr is made from a same-length placeholder that cannot
 * parse as an integer, then overwritten with the real bytes. */
static obj *createTextObject(const char *p, size_t len) {
    if (len > OBJ_EMBSTR_MAX || len == 0) return objCreateString(p, len);
    char tmp[OBJ_EMBSTR_MAX];
    memset(tmp, 'x', len);
    obj *o = objCreateString(tmp, len);
    memcpy(o->ptr, p, len);
    return o;
}

/* GET's lookup-and-reply, shared by GET, GETSET, GETDEL and SET ... GET.
 * Replies nil for a missing key. Returns 0 (after replying WRONGTYPE) when the
 * key holds another type, 1 otherwise. */
static int getGeneric(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyNull(c);
        return 1;
    }
    if (notString(c, o)) return 0;
    replyStringObject(c, o);
    return 1;
}

/* ---- SET family -------------------------------------------------------------- */

#define SET_NX (1 << 0)
#define SET_XX (1 << 1)
#define SET_GET (1 << 2)
#define SET_KEEPTTL (1 << 3)
#define SET_PERSIST (1 << 4)
#define SET_EX (1 << 5)
#define SET_PX (1 << 6)
#define SET_EXAT (1 << 7)
#define SET_PXAT (1 << 8)
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

#define PARSE_FOR_SET 0
#define PARSE_FOR_GETEX 1

/* Parse the options of SET (from argv[3]) or GETEX (from argv[2]). Accepts
 * what Redis 7.2 accepts: NX/XX exclusive, one expire kind (repeating the same
 * kind is allowed, the last value wins), KEEPTTL only without an expire,
 * PERSIST (GETEX) only without an expire. Replies "ERR syntax error" and
 * returns 0 on anything else. *expire is the argument of the expire option. */
static int parseSetOptions(client *c, int kind, int *flags, dstr *expire) {
    int first = kind == PARSE_FOR_SET ? 3 : 2;
    for (int j = first; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int has_next = j + 1 < c->argc;
        int f = *flags;
        int expflag = !strcasecmp(opt, "ex")     ? SET_EX
                      : !strcasecmp(opt, "px")   ? SET_PX
                      : !strcasecmp(opt, "exat") ? SET_EXAT
                      : !strcasecmp(opt, "pxat") ? SET_PXAT
                                                 : 0;
        if (!strcasecmp(opt, "nx") && !(f & SET_XX) && kind == PARSE_FOR_SET) {
            *flags |= SET_NX;
        } else if (!strcasecmp(opt, "xx") && !(f & SET_NX) && kind == PARSE_FOR_SET) {
            *flags |= SET_XX;
        } else if (!strcasecmp(opt, "get") && kind == PARSE_FOR_SET) {
            *flags |= SET_GET;
        } else if (!strcasecmp(opt, "keepttl") && !(f & (SET_PERSIST | SET_ANY_EXPIRE)) && kind == PARSE_FOR_SET) {
            *flags |= SET_KEEPTTL;
        } else if (!strcasecmp(opt, "persist") && !(f & (SET_KEEPTTL | SET_ANY_EXPIRE)) && kind == PARSE_FOR_GETEX) {
            *flags |= SET_PERSIST;
        } else if (expflag && !(f & (SET_KEEPTTL | SET_PERSIST | (SET_ANY_EXPIRE & ~expflag))) && has_next) {
            *flags |= expflag;
            *expire = c->argv[++j];
        } else {
            replyErrorSyntax(c);
            return 0;
        }
    }
    return 1;
}

/* Turn an expire argument into an absolute unix time in ms. The number must
 * be a positive integer; seconds are scaled (no overflow), relative times get
 * the current time added (no overflow). Errors: the integer error, or
 * "ERR invalid expire time in '<cmdname>' command". */
static int expireArgToMs(client *c, const dstr arg, int flags, const char *cmdname, long long *ms) {
    long long v;
    if (!argToLongLong(c, arg, &v)) return 0;
    int seconds = (flags & (SET_EX | SET_EXAT)) != 0;
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) goto invalid;
    if (seconds) v *= 1000;
    if (flags & (SET_EX | SET_PX)) {
        long long now = mstime();
        if (v > LLONG_MAX - now) goto invalid;
        v += now;
    }
    *ms = v;
    return 1;
invalid:
    replyErrorFormat(c, "ERR invalid expire time in '%s' command", cmdname);
    return 0;
}

/* Common body of SET, SETNX, SETEX and PSETEX: set argv[key_idx] to the
 * value argv[val_idx] honouring `flags`. `expire` (or NULL) is the expire
 * argument. With nx_reply, SETNX's integer replies (1 set / 0 not set) are
 * used instead of +OK / nil. */
static void setGeneric(client *c, int flags, int key_idx, int val_idx, const dstr expire, const char *cmdname,
                       int nx_reply) {
    dstr key = c->argv[key_idx];
    dstr val = c->argv[val_idx];
    long long when = -1;
    if (expire && !expireArgToMs(c, expire, flags, cmdname, &when)) return;
    if ((flags & SET_GET) && !getGeneric(c)) return;

    int found = lookupKeyWrite(c->db, key) != NULL;
    if (((flags & SET_NX) && found) || ((flags & SET_XX) && !found)) {
        if (!(flags & SET_GET)) {
            if (nx_reply) replyLongLong(c, 0);
            else replyNull(c);
        }
        return;
    }

    obj *o = dbSetStringKey(c->db, key, val, dstrlen(val),
                            SETKEY_NO_SIGNAL | ((flags & SET_KEEPTTL) ? SETKEY_KEEPTTL : 0));
    if (expire) {
        o = dbSetExpire(c->db, o, when);
        /* an absolute time already in the past: the key is stored and at
         * once expires (counted in expired_keys), as a lookup would do */
        dbExpireIfNeeded(c->db, o);
    }
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    if (!(flags & SET_GET)) {
        if (nx_reply) replyLongLong(c, 1);
        else replyOk(c);
    }
}

void setCommand(client *c) {
    int flags = 0;
    dstr expire = NULL;
    if (!parseSetOptions(c, PARSE_FOR_SET, &flags, &expire)) return;
    setGeneric(c, flags, 1, 2, expire, "set", 0);
}

void setnxCommand(client *c) { setGeneric(c, SET_NX, 1, 2, NULL, "setnx", 1); }

void setexCommand(client *c) { setGeneric(c, SET_EX, 1, 3, c->argv[2], "setex", 0); }

void psetexCommand(client *c) { setGeneric(c, SET_PX, 1, 3, c->argv[2], "psetex", 0); }

void getCommand(client *c) { getGeneric(c); }

void getsetCommand(client *c) {
    if (!getGeneric(c)) return;
    dstr val = c->argv[2];
    dbSetStringKey(c->db, c->argv[1], val, dstrlen(val), SETKEY_NO_SIGNAL);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

void getdelCommand(client *c) {
    if (!getGeneric(c)) return;
    if (dbDelete(c->db, c->argv[1])) {
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty++;
    }
}

void getexCommand(client *c) {
    int flags = 0;
    dstr expire = NULL;
    if (!parseSetOptions(c, PARSE_FOR_GETEX, &flags, &expire)) return;

    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyNull(c);
        return;
    }
    if (notString(c, o)) return;
    long long when = -1;
    if (expire && !expireArgToMs(c, expire, flags, "getex", &when)) return;

    replyStringObject(c, o);
    if ((flags & (SET_EXAT | SET_PXAT)) && when <= mstime() && !server.loading) {
        /* absolute time already elapsed: the key goes away now */
        dbDelete(c->db, c->argv[1]);
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty++;
    } else if (expire) {
        dbSetExpire(c->db, o, when);
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty++;
    } else if (flags & SET_PERSIST) {
        if (dbRemoveExpire(c->db, &o)) {
            signalModifiedKey(c, c->db, c->argv[1]);
            server.dirty++;
        }
    }
}

void mgetCommand(client *c) {
    replyArrayLen(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        obj *o = lookupKeyRead(c->db, c->argv[j]);
        if (!o || o->type != OBJ_STRING) replyNull(c);
        else replyStringObject(c, o);
    }
}

static void msetGeneric(client *c, int nx) {
    if (c->argc % 2 == 0) {
        replyErrorArity(c);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (lookupKeyWrite(c->db, c->argv[j])) {
                replyLongLong(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        dstr val = c->argv[j + 1];
        dbSetStringKey(c->db, c->argv[j], val, dstrlen(val), SETKEY_NO_SIGNAL);
        signalModifiedKey(c, c->db, c->argv[j]);
    }
    server.dirty += (c->argc - 1) / 2;
    if (nx) replyLongLong(c, 1);
    else replyOk(c);
}

void msetCommand(client *c) { msetGeneric(c, 0); }
void msetnxCommand(client *c) { msetGeneric(c, 1); }

/* ---- in-place modification ------------------------------------------------------ */

void appendCommand(client *c) {
    dstr key = c->argv[1], add = c->argv[2];
    size_t addlen = dstrlen(add), total;
    obj *o = lookupKeyWrite(c->db, key);
    if (!o) {
        o = dbAdd(c->db, key, objCreateString(add, addlen));
        total = addlen;
    } else {
        if (notString(c, o)) return;
        if (!stringLengthOk(c, (long long)objStringLen(o), (long long)addlen)) return;
        o = unshareString(c->db, o);
        o->ptr = dstrcatlen(o->ptr, add, addlen);
        total = dstrlen(o->ptr);
    }
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    replyLongLong(c, (long long)total);
}

void strlenCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    if (notString(c, o)) return;
    replyLongLong(c, (long long)objStringLen(o));
}

void setrangeCommand(client *c) {
    dstr key = c->argv[1], val = c->argv[3];
    size_t vlen = dstrlen(val);
    long long offset;
    if (!argToLongLong(c, c->argv[2], &offset)) return;
    if (offset < 0) {
        replyError(c, "ERR offset is out of range");
        return;
    }
    obj *o = lookupKeyWrite(c->db, key);
    if (!o) {
        if (vlen == 0) { /* nothing to write: the key is not created */
            replyLongLong(c, 0);
            return;
        }
        if (!stringLengthOk(c, offset, (long long)vlen)) return;
        o = dbAdd(c->db, key, objCreateRawString(NULL, (size_t)offset + vlen));
    } else {
        if (notString(c, o)) return;
        size_t olen = objStringLen(o);
        if (vlen == 0) {
            replyLongLong(c, (long long)olen);
            return;
        }
        if (!stringLengthOk(c, offset, (long long)vlen)) return;
        o = unshareString(c->db, o);
        o->ptr = dstrgrowzero(o->ptr, (size_t)offset + vlen);
    }
    memcpy((char *)o->ptr + offset, val, vlen);
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    replyLongLong(c, (long long)dstrlen(o->ptr));
}

void getrangeCommand(client *c) {
    long long start, end;
    if (!argToLongLong(c, c->argv[2], &start) || !argToLongLong(c, c->argv[3], &end)) return;
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyBulk(c, "", 0);
        return;
    }
    if (notString(c, o)) return;
    char buf[LONG_STR_SIZE];
    size_t slen;
    const char *p = objStringBytes(o, buf, &slen);
    long long len = (long long)slen;

    /* both negative and inverted: empty (checked before normalising) */
    if (start < 0 && end < 0 && start > end) {
        replyBulk(c, "", 0);
        return;
    }
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (len == 0 || start > end) {
        replyBulk(c, "", 0);
        return;
    }
    replyBulk(c, p + start, (size_t)(end - start + 1));
}

void substrCommand(client *c) { getrangeCommand(c); }

/* ---- counters --------------------------------------------------------------------- */

/* Add `incr` to the integer at argv[1] (created as 0 when missing). */
static void incrDecr(client *c, long long incr) {
    dstr key = c->argv[1];
    obj *o = lookupKeyWrite(c->db, key);
    if (notString(c, o)) return;
    long long value = 0;
    if (o && !objGetLongLong(o, &value)) {
        replyErrorNotInteger(c);
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) || (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        replyError(c, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    if (o && o->encoding == ENC_INT && o->refcount == 1) {
        o->ptr = (void *)(intptr_t)value;
    } else if (o) {
        dbReplaceValue(c->db, o, objCreateStringFromLongLong(value));
    } else {
        dbAdd(c->db, key, objCreateStringFromLongLong(value));
    }
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    replyLongLong(c, value);
}

void incrCommand(client *c) { incrDecr(c, 1); }
void decrCommand(client *c) { incrDecr(c, -1); }

void incrbyCommand(client *c) {
    long long incr;
    if (!argToLongLong(c, c->argv[2], &incr)) return;
    incrDecr(c, incr);
}

void decrbyCommand(client *c) {
    long long decr;
    if (!argToLongLong(c, c->argv[2], &decr)) return;
    if (decr == LLONG_MIN) {
        replyError(c, "ERR decrement would overflow");
        return;
    }
    incrDecr(c, -decr);
}

void incrbyfloatCommand(client *c) {
    dstr key = c->argv[1];
    obj *o = lookupKeyWrite(c->db, key);
    if (notString(c, o)) return;
    long double value = 0, incr;
    if (o) {
        if (o->encoding == ENC_INT) {
            value = (long double)(long long)(intptr_t)o->ptr;
        } else if (!string2ld(o->ptr, dstrlen(o->ptr), &value)) {
            replyErrorNotFloat(c);
            return;
        }
    }
    if (!string2ld(c->argv[2], dstrlen(c->argv[2]), &incr)) {
        replyErrorNotFloat(c);
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        replyError(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), value);
    obj *n = createTextObject(buf, (size_t)len);
    if (o) dbReplaceValue(c->db, o, n);
    else dbAdd(c->db, key, n);
    signalModifiedKey(c, c->db, key);
    server.dirty++;
    replyBulk(c, buf, (size_t)len);
}

/* ---- LCS ------------------------------------------------------------------------------ */

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]
 * Classic dynamic programming table of uint32 lengths, (alen+1) x (blen+1),
 * then a walk back from the bottom-right corner: on equal bytes both indexes
 * step back (the byte belongs to the LCS), otherwise the index whose row or
 * column keeps the longer LCS steps back (the first string's on a strict win,
 * else the second's). Matching runs are reported in that backwards order. */
void lcsCommand(client *c) {
    obj *oa = lookupKeyRead(c->db, c->argv[1]);
    obj *ob = lookupKeyRead(c->db, c->argv[2]);
    if ((oa && oa->type != OBJ_STRING) || (ob && ob->type != OBJ_STRING)) {
        replyError(c, "ERR The specified keys must contain string values");
        return;
    }
    char bufa[LONG_STR_SIZE], bufb[LONG_STR_SIZE];
    size_t alen_sz = 0, blen_sz = 0;
    const char *a = oa ? objStringBytes(oa, bufa, &alen_sz) : "";
    const char *b = ob ? objStringBytes(ob, bufb, &blen_sz) : "";

    int want_len = 0, want_idx = 0, with_matchlen = 0;
    long long minmatch = 0;
    for (int j = 3; j < c->argc; j++) {
        const char *opt = c->argv[j];
        if (!strcasecmp(opt, "idx")) {
            want_idx = 1;
        } else if (!strcasecmp(opt, "len")) {
            want_len = 1;
        } else if (!strcasecmp(opt, "withmatchlen")) {
            with_matchlen = 1;
        } else if (!strcasecmp(opt, "minmatchlen") && j + 1 < c->argc) {
            if (!argToLongLong(c, c->argv[j + 1], &minmatch)) return;
            if (minmatch < 0) minmatch = 0;
            j++;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    if (want_idx && want_len) {
        replyError(c, "ERR If you want both the length and indexes, please just use IDX.");
        return;
    }
    if (alen_sz >= UINT32_MAX - 1 || blen_sz >= UINT32_MAX - 1) {
        replyError(c, "ERR String too long for LCS");
        return;
    }
    uint32_t alen = (uint32_t)alen_sz, blen = (uint32_t)blen_sz;
    uint64_t cells = (uint64_t)(alen + 1) * (blen + 1);
    if (cells > (uint64_t)server.proto_max_bulk_len / sizeof(uint32_t)) {
        replyError(c, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return;
    }
    uint32_t *t = zmalloc((size_t)cells * sizeof(uint32_t));
    size_t row = (size_t)blen + 1;
#define CELL(i, j) t[(size_t)(i) * row + (j)]
    for (uint32_t j = 0; j <= blen; j++) CELL(0, j) = 0;
    for (uint32_t i = 1; i <= alen; i++) {
        CELL(i, 0) = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1]) {
                CELL(i, j) = CELL(i - 1, j - 1) + 1;
            } else {
                uint32_t up = CELL(i - 1, j), left = CELL(i, j - 1);
                CELL(i, j) = up > left ? up : left;
            }
        }
    }
    uint32_t total = CELL(alen, blen);

    if (want_len) {
        zfree(t);
        replyLongLong(c, total);
        return;
    }

    char *lcs = zmalloc((size_t)total + 1);
    uint32_t pos = total; /* lcs is filled from the end */
    void *deferred = NULL;
    long nranges = 0;
    if (want_idx) {
        replyMapLen(c, 2);
        replyBulkCString(c, "matches");
        deferred = replyDeferredLen(c);
    }
    /* current run: a[as..ae] matches b[bs..be]; in_run is 0 when none */
    int in_run = 0;
    uint32_t as = 0, ae = 0, bs = 0, be = 0;
    uint32_t i = alen, j = blen;
    while (i > 0 && j > 0) {
        int close_run = 0;
        if (a[i - 1] == b[j - 1]) {
            lcs[--pos] = a[i - 1];
            if (!in_run) {
                in_run = 1;
                as = ae = i - 1;
                bs = be = j - 1;
            } else {
                /* the walk goes diagonally, so the run extends backwards */
                as = i - 1;
                bs = j - 1;
            }
            if (as == 0 || bs == 0) close_run = 1;
            i--;
            j--;
        } else {
            if (CELL(i - 1, j) > CELL(i, j - 1)) i--;
            else j--;
            if (in_run) close_run = 1;
        }
        if (close_run) {
            uint32_t mlen = ae - as + 1;
            if (want_idx && (minmatch == 0 || (long long)mlen >= minmatch)) {
                replyArrayLen(c, 2 + with_matchlen);
                replyArrayLen(c, 2);
                replyLongLong(c, as);
                replyLongLong(c, ae);
                replyArrayLen(c, 2);
                replyLongLong(c, bs);
                replyLongLong(c, be);
                if (with_matchlen) replyLongLong(c, mlen);
                nranges++;
            }
            in_run = 0;
        }
    }
#undef CELL
    if (want_idx) {
        setDeferredArrayLen(c, deferred, nranges);
        replyBulkCString(c, "len");
        replyLongLong(c, total);
    } else {
        replyBulk(c, lcs, total);
    }
    zfree(lcs);
    zfree(t);
}
