/* The LIST type: encodings and conversions (see t_list.h), and the commands
 * LPUSH, RPUSH, LPUSHX, RPUSHX, LINSERT, LLEN, LINDEX, LSET, LPOP, RPOP,
 * LRANGE, LTRIM, LPOS, LREM, LMOVE, RPOPLPUSH, LMPOP and the blocking BLPOP,
 * BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.
 *
 * Behaviour, reply types and error strings follow Redis 7.2. Blocking
 * commands that find no data block through blocked.h; when a key they wait on
 * gets data, blocked.c runs the command again, which then finds it. Inside
 * MULTI/EXEC and scripts they never block: they answer as on a timeout at once
 * (null array; BLMOVE/BRPOPLPUSH a null bulk, as Redis). */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "t_list.h"
#include "blocked.h"
#include "client.h"
#include "db.h"
#include "listpack.h"
#include "reply.h"
#include "server.h"
#include "sort.h"
#include "util.h"
#include "zmalloc.h"

/* ---- type methods --------------------------------------------------------- */

static void listFreeValue(obj *o) {
    if (o->encoding == ENC_LISTPACK) lpFree(o->ptr);
    else quicklistRelease(o->ptr);
}

static void *listDupValue(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpDup(o->ptr);
    return quicklistDup(o->ptr);
}

static size_t listMemUsage(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpBytes(o->ptr);
    const quicklist *ql = o->ptr;
    size_t total = sizeof(*ql);
    for (const quicklistNode *n = ql->head; n; n = n->next) {
        total += sizeof(*n);
        if (quicklistNodeIsCompressed(n)) {
            void *data;
            total += sizeof(quicklistLZF) + quicklistGetLzf(n, &data);
        } else {
            total += n->sz;
        }
    }
    return total;
}

static const objTypeMethods listMethods = {
    .free_value = listFreeValue, .dup_value = listDupValue, .mem_usage = listMemUsage};

/* SORT source (sort.h): elements in list order. */
static unsigned long listSortLength(obj *o) { return listLength(o); }

static void listSortLoad(obj *o, unsigned long start, unsigned long count, int reverse, sortAddElement *add,
                         void *ctx) {
    listIter it;
    listEntry e;
    unsigned char buf[LP_INTBUF_SIZE];
    long idx = reverse ? (long)(listLength(o) - start - 1) : (long)start;
    listIterInit(&it, o, idx, reverse ? LIST_HEAD : LIST_TAIL);
    while (count-- && listIterNext(&it, &e)) {
        size_t len;
        const unsigned char *p = listEntryBytes(&e, buf, &len);
        add(ctx, (const char *)p, len);
    }
    listIterRelease(&it);
}

static const sortSourceType listSortSource = {.length = listSortLength, .load = listSortLoad, .ordered = 1};

void listTypeRegister(void) {
    objRegisterType(OBJ_LIST, &listMethods);
    sortRegisterSource(OBJ_LIST, &listSortSource);
}

/* ---- creation and conversions ---------------------------------------------- */

obj *listCreate(void) { return objCreate(OBJ_LIST, ENC_LISTPACK, lpNew(0)); }

/* listpack -> quicklist when the listpack plus the additions would exceed a node's limit */
static void listConvertIfGrowing(obj *o, size_t add_bytes, unsigned long add_count) {
    if (o->encoding != ENC_LISTPACK) return;
    unsigned char *lp = o->ptr;
    unsigned long n = lpLength(lp);
    unsigned long count = n + add_count;
    if (count > UINT_MAX) count = UINT_MAX;
    if (!quicklistNodeExceedsLimit(server.list_max_listpack_size, lpBytes(lp) + add_bytes, (unsigned int)count))
        return;
    quicklist *ql = quicklistNew(server.list_max_listpack_size, server.list_compress_depth);
    if (n) quicklistAppendListpack(ql, lp);
    else lpFree(lp);
    o->ptr = ql;
    o->encoding = ENC_QUICKLIST;
}

/* quicklist with one small packed node -> listpack */
static void listConvertIfSmall(obj *o, int shrinking) {
    if (o->encoding != ENC_QUICKLIST) return;
    quicklist *ql = o->ptr;
    if (ql->len != 1 || ql->head->container != QUICKLIST_NODE_CONTAINER_PACKED) return;
    if (quicklistNodeIsCompressed(ql->head)) return; /* a lone node is kept raw anyway */
    size_t sz_limit;
    unsigned int count_limit;
    quicklistNodeLimit(server.list_max_listpack_size, &sz_limit, &count_limit);
    if (shrinking) {
        sz_limit /= 2;
        count_limit /= 2;
    }
    if (ql->head->sz > sz_limit || ql->count > count_limit) return;
    o->ptr = ql->head->entry;
    ql->head->entry = NULL;
    quicklistRelease(ql);
    o->encoding = ENC_LISTPACK;
}

void listTryConversion(obj *o, int kind) {
    if (o->encoding == ENC_QUICKLIST) {
        if (kind != LIST_CONV_GROWING) listConvertIfSmall(o, kind == LIST_CONV_SHRINKING);
    } else if (kind != LIST_CONV_SHRINKING) {
        listConvertIfGrowing(o, 0, 0);
    }
}

obj *listCreateFromListpack(unsigned char *lp) {
    obj *o = objCreate(OBJ_LIST, ENC_LISTPACK, lp);
    listTryConversion(o, LIST_CONV_AUTO);
    return o;
}

obj *listCreateFromQuicklist(quicklist *ql) {
    obj *o = objCreate(OBJ_LIST, ENC_QUICKLIST, ql);
    listTryConversion(o, LIST_CONV_AUTO);
    return o;
}

unsigned long listLength(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return lpLength(o->ptr);
    return quicklistCount(o->ptr);
}

/* Push without the conversion check (callers did it for the whole batch). */
static void listPushRaw(obj *o, const void *s, size_t len, int where) {
    if (o->encoding == ENC_LISTPACK) {
        if (where == LIST_HEAD) o->ptr = lpPrepend(o->ptr, s, (uint32_t)len);
        else o->ptr = lpAppend(o->ptr, s, (uint32_t)len);
    } else {
        quicklistPush(o->ptr, s, len, where == LIST_HEAD ? QUICKLIST_HEAD : QUICKLIST_TAIL);
    }
}

void listPush(obj *o, const void *s, size_t len, int where) {
    listConvertIfGrowing(o, len, 1);
    listPushRaw(o, s, len, where);
}

/* ---- iteration --------------------------------------------------------------- */

void listIterInit(listIter *it, obj *o, long index, int direction) {
    it->o = o;
    it->direction = direction;
    it->lpnext = NULL;
    it->qi = NULL;
    if (o->encoding == ENC_LISTPACK) {
        it->lpnext = lpSeek(o->ptr, index);
    } else {
        it->qi = quicklistGetIteratorAtIdx(o->ptr, direction == LIST_TAIL ? AL_START_HEAD : AL_START_TAIL, index);
    }
}

int listIterNext(listIter *it, listEntry *e) {
    if (it->o->encoding == ENC_LISTPACK) {
        unsigned char *p = it->lpnext;
        if (!p) return 0;
        e->lpp = p;
        unsigned int slen = 0;
        e->s = lpGetValue(p, &slen, &e->ll);
        e->len = slen;
        it->lpnext = it->direction == LIST_TAIL ? lpNext(it->o->ptr, p) : lpPrev(it->o->ptr, p);
        return 1;
    }
    if (!it->qi || !quicklistNext(it->qi, &e->qe)) return 0;
    e->lpp = NULL;
    e->s = e->qe.value;
    e->len = e->qe.sz;
    e->ll = e->qe.longval;
    return 1;
}

void listIterRelease(listIter *it) {
    if (it->qi) quicklistReleaseIterator(it->qi);
    it->qi = NULL;
}

const unsigned char *listEntryBytes(const listEntry *e, unsigned char *buf, size_t *len) {
    if (e->s) {
        *len = e->len;
        return e->s;
    }
    *len = (size_t)ll2string((char *)buf, LP_INTBUF_SIZE, e->ll);
    return buf;
}

int listEntryEquals(const listEntry *e, const void *s, size_t len) {
    if (e->lpp) return len <= UINT32_MAX && lpCompare(e->lpp, s, (uint32_t)len);
    return quicklistCompare((quicklistEntry *)&e->qe, s, len);
}

void listIterDelete(listIter *it, listEntry *e) {
    if (it->o->encoding == ENC_LISTPACK) {
        unsigned char *lp = it->o->ptr;
        if (it->direction == LIST_TAIL) {
            unsigned char *next;
            lp = lpDelete(lp, e->lpp, &next);
            it->lpnext = next;
        } else {
            /* the previous entry keeps its offset */
            long off = it->lpnext ? it->lpnext - lp : -1;
            lp = lpDelete(lp, e->lpp, NULL);
            it->lpnext = off >= 0 ? lp + off : NULL;
        }
        it->o->ptr = lp;
    } else {
        quicklistDelEntry(it->qi, &e->qe);
    }
}

/* ---- helpers shared by the commands ---------------------------------------- */

/* Reply WRONGTYPE and return 1 when `o` exists and is not a list. */
static int notList(client *c, const obj *o) {
    if (o && o->type != OBJ_LIST) {
        replyErrorWrongType(c);
        return 1;
    }
    return 0;
}

/* A long argument; replies `msg` (or the standard integer error) on failure. */
static int argToLong(client *c, const dstr arg, long *out, const char *msg) {
    long long v;
    if (!string2ll(arg, dstrlen(arg), &v) || v < LONG_MIN || v > LONG_MAX) {
        if (msg) replyError(c, msg);
        else replyErrorNotInteger(c);
        return 0;
    }
    *out = (long)v;
    return 1;
}

/* A long in [min, max]; the out-of-range reply is `msg` or Redis's generic one. */
static int argToRangeLong(client *c, const dstr arg, long min, long max, long *out, const char *msg) {
    if (!argToLong(c, arg, out, msg)) return 0;
    if (*out < min || *out > max) {
        if (msg) replyError(c, msg);
        else replyErrorFormat(c, "value is out of range, value must between %ld and %ld", min, max);
        return 0;
    }
    return 1;
}

/* A non-negative long ("value is out of range, must be positive" by default). */
static int argToPositiveLong(client *c, const dstr arg, long *out, const char *msg) {
    return argToRangeLong(c, arg, 0, LONG_MAX, out, msg ? msg : "value is out of range, must be positive");
}

/* LEFT / RIGHT (any case). */
static int argToWhere(client *c, const dstr arg, int *where) {
    if (!strcasecmp(arg, "left")) *where = LIST_HEAD;
    else if (!strcasecmp(arg, "right")) *where = LIST_TAIL;
    else {
        replyErrorSyntax(c);
        return 0;
    }
    return 1;
}

/* Reply with the value of an entry as a bulk string. */
static void replyEntry(client *c, const listEntry *e) {
    if (e->s) replyBulk(c, e->s, e->len);
    else replyBulkLongLong(c, e->ll);
}

/* Remove and return (as a new dstr) the element at `where`. *as_int is set
 * when Redis would hold the popped value as an integer object (a quicklist
 * integer entry; listpack pops are read as text): such values add no bytes in
 * the growing rule of the destination (LMOVE). The list must not be empty. */
static void *dstrSaver(unsigned char *data, size_t sz);

static dstr listPopDstr(obj *o, int where, int *as_int) {
    if (o->encoding == ENC_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned char *p = where == LIST_HEAD ? lpFirst(lp) : lpLast(lp);
        unsigned int slen = 0;
        long long ll = 0;
        unsigned char *s = lpGetValue(p, &slen, &ll);
        dstr v = s ? dstrnewlen(s, slen) : dstrfromll(ll);
        *as_int = 0;
        o->ptr = lpDelete(lp, p, NULL);
        return v;
    }
    unsigned char *data = NULL;
    size_t sz = 0;
    long long ll = 0;
    quicklistPopCustom(o->ptr, where == LIST_HEAD ? QUICKLIST_HEAD : QUICKLIST_TAIL, &data, &sz, &ll, dstrSaver);
    *as_int = data == NULL;
    return data ? (dstr)data : dstrfromll(ll);
}

/* quicklistPopCustom saver: the popped string as a dstr */
static void *dstrSaver(unsigned char *data, size_t sz) { return dstrnewlen(data, sz); }

/* Delete `count` elements from index `start` (negative from the tail). */
static void listDelRange(obj *o, long start, long count) {
    if (count <= 0) return;
    if (o->encoding == ENC_LISTPACK) o->ptr = lpDeleteRange(o->ptr, start, (unsigned long)count);
    else quicklistDelRange(o->ptr, start, count);
}

/* After elements were removed: delete the key when empty, else maybe shrink
 * the encoding. Returns 1 if the key was deleted. */
static int listAfterRemoval(client *c, const dstr key, obj *o) {
    if (listLength(o) == 0) {
        dbDelete(c->db, key);
        return 1;
    }
    listTryConversion(o, LIST_CONV_SHRINKING);
    return 0;
}

/* quicklistVisitRange visitor: the element as a bulk string to the client. */
static void replyVisited(void *ctx, const unsigned char *s, size_t len, long long v) {
    if (s) replyBulk(ctx, s, len);
    else replyBulkLongLong(ctx, v);
}

/* Reply the elements [start, end] (already clipped, non-empty range) of `o`,
 * from end to start when `reverse`. Entries are read in place (no iterator). */
static void replyRange(client *c, obj *o, long start, long end, int reverse) {
    long n = end - start + 1;
    replyArrayLen(c, n);
    if (o->encoding == ENC_QUICKLIST) {
        quicklistVisitRange(o->ptr, (unsigned long)(reverse ? end : start), (unsigned long)n, reverse, replyVisited,
                            c);
        return;
    }
    unsigned char *lp = o->ptr;
    unsigned char *p = lpSeek(lp, reverse ? end : start);
    while (n-- && p) {
        unsigned int slen = 0;
        long long v = 0;
        unsigned char *next;
        unsigned char *s = lpGetValueNext(p, &slen, &v, &next);
        if (s) replyBulk(c, s, slen);
        else replyBulkLongLong(c, v);
        p = reverse ? lpPrev(lp, p) : next;
    }
}

/* LRANGE-style reply for indexes start..end (negative from the tail). */
static void replyRangeIndexes(client *c, obj *o, long start, long end, int reverse) {
    long llen = (long)listLength(o);
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        replyEmptyArray(c);
        return;
    }
    if (end >= llen) end = llen - 1;
    replyRange(c, o, start, end, reverse);
}

/* Pop up to `count` elements from `where` of the list `o` stored at `key`,
 * replying with [key, [elements]] when `with_key` or just the elements. */
static void popRangeAndReply(client *c, obj *o, const dstr key, int where, long count, int with_key) {
    long llen = (long)listLength(o);
    long n = count > llen ? llen : count;
    long start = where == LIST_HEAD ? 0 : llen - n;
    if (with_key) {
        replyArrayLen(c, 2);
        replyBulkDstr(c, key);
    }
    replyRange(c, o, start, start + n - 1, where == LIST_TAIL);
    listDelRange(o, where == LIST_HEAD ? 0 : -n, n);
    listAfterRemoval(c, key, o);
    signalModifiedKey(c, c->db, key);
    server.dirty += n;
}

/* ---- push ---------------------------------------------------------------------- */

static void pushGeneric(client *c, int where, int only_existing) {
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (notList(c, o)) return;
    if (!o) {
        if (only_existing) {
            replyLongLong(c, 0);
            return;
        }
        o = dbAdd(c->db, c->argv[1], listCreate());
    }
    size_t add_bytes = 0;
    for (int j = 2; j < c->argc; j++) add_bytes += dstrlen(c->argv[j]);
    listConvertIfGrowing(o, add_bytes, (unsigned long)(c->argc - 2));
    for (int j = 2; j < c->argc; j++) {
        listPushRaw(o, c->argv[j], dstrlen(c->argv[j]), where);
        server.dirty++;
    }
    replyLongLong(c, (long long)listLength(o));
    signalModifiedKey(c, c->db, c->argv[1]);
}

void lpushCommand(client *c) { pushGeneric(c, LIST_HEAD, 0); }
void rpushCommand(client *c) { pushGeneric(c, LIST_TAIL, 0); }
void lpushxCommand(client *c) { pushGeneric(c, LIST_HEAD, 1); }
void rpushxCommand(client *c) { pushGeneric(c, LIST_TAIL, 1); }

/* LINSERT key BEFORE|AFTER pivot element */
void linsertCommand(client *c) {
    int after;
    if (!strcasecmp(c->argv[2], "after")) after = 1;
    else if (!strcasecmp(c->argv[2], "before")) after = 0;
    else {
        replyErrorSyntax(c);
        return;
    }
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    if (notList(c, o)) return;
    /* converted before the search, found or not, as Redis */
    const dstr val = c->argv[4];
    listConvertIfGrowing(o, dstrlen(val), 1);
    int inserted = 0;
    listIter it;
    listEntry e;
    listIterInit(&it, o, 0, LIST_TAIL);
    while (listIterNext(&it, &e)) {
        if (!listEntryEquals(&e, c->argv[3], dstrlen(c->argv[3]))) continue;
        if (o->encoding == ENC_LISTPACK) {
            o->ptr = lpInsertString(o->ptr, (const unsigned char *)val, (uint32_t)dstrlen(val), e.lpp,
                                    after ? LP_AFTER : LP_BEFORE, NULL);
        } else if (after) {
            quicklistInsertAfter(it.qi, &e.qe, val, dstrlen(val));
        } else {
            quicklistInsertBefore(it.qi, &e.qe, val, dstrlen(val));
        }
        inserted = 1;
        break;
    }
    listIterRelease(&it);
    if (!inserted) {
        replyLongLong(c, -1);
        return;
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
    replyLongLong(c, (long long)listLength(o));
}

/* ---- reading ----------------------------------------------------------------- */

void llenCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (notList(c, o)) return;
    replyLongLong(c, o ? (long long)listLength(o) : 0);
}

void lindexCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyNull(c);
        return;
    }
    if (notList(c, o)) return;
    long index;
    if (!argToLong(c, c->argv[2], &index, NULL)) return;
    listIter it;
    listEntry e;
    listIterInit(&it, o, index, LIST_TAIL);
    if (listIterNext(&it, &e)) replyEntry(c, &e);
    else replyNull(c);
    listIterRelease(&it);
}

void lrangeCommand(client *c) {
    long start, end;
    if (!argToLong(c, c->argv[2], &start, NULL) || !argToLong(c, c->argv[3], &end, NULL)) return;
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        replyEmptyArray(c);
        return;
    }
    if (notList(c, o)) return;
    replyRangeIndexes(c, o, start, end, 0);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
void lposCommand(client *c) {
    long rank = 1, count = -1, maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int more = j + 1 < c->argc;
        if (!strcasecmp(opt, "RANK") && more) {
            if (!argToRangeLong(c, c->argv[++j], -LONG_MAX, LONG_MAX, &rank, NULL)) return;
            if (rank == 0) {
                replyError(c, "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                              "or use negative to start from the end of the list");
                return;
            }
        } else if (!strcasecmp(opt, "COUNT") && more) {
            if (!argToPositiveLong(c, c->argv[++j], &count, "ERR COUNT can't be negative")) return;
        } else if (!strcasecmp(opt, "MAXLEN") && more) {
            if (!argToPositiveLong(c, c->argv[++j], &maxlen, "ERR MAXLEN can't be negative")) return;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    int direction = LIST_TAIL;
    if (rank < 0) {
        rank = -rank;
        direction = LIST_HEAD;
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        if (count != -1) replyEmptyArray(c);
        else replyNull(c);
        return;
    }
    if (notList(c, o)) return;
    void *lenp = count != -1 ? replyDeferredLen(c) : NULL;
    long llen = (long)listLength(o), index = 0, matches = 0, found = -1, emitted = 0;
    const dstr ele = c->argv[2];
    listIter it;
    listEntry e;
    listIterInit(&it, o, direction == LIST_HEAD ? -1 : 0, direction);
    while ((maxlen == 0 || index < maxlen) && listIterNext(&it, &e)) {
        if (listEntryEquals(&e, ele, dstrlen(ele))) {
            matches++;
            if (matches >= rank) {
                long pos = direction == LIST_TAIL ? index : llen - index - 1;
                if (!lenp) {
                    found = pos;
                    break;
                }
                replyLongLong(c, pos);
                emitted++;
                if (count && emitted >= count) break;
            }
        }
        index++;
    }
    listIterRelease(&it);
    if (lenp) setDeferredArrayLen(c, lenp, emitted);
    else if (found >= 0) replyLongLong(c, found);
    else replyNull(c);
}

/* ---- modifying ----------------------------------------------------------------- */

void lsetCommand(client *c) {
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o) {
        replyError(c, "ERR no such key");
        return;
    }
    if (notList(c, o)) return;
    long index;
    if (!argToLong(c, c->argv[2], &index, NULL)) return;
    const dstr val = c->argv[3];
    listConvertIfGrowing(o, dstrlen(val), 1);
    int ok;
    if (o->encoding == ENC_LISTPACK) {
        unsigned char *p = lpSeek(o->ptr, index);
        ok = p != NULL;
        if (ok) o->ptr = lpReplace(o->ptr, &p, (const unsigned char *)val, (uint32_t)dstrlen(val));
    } else {
        ok = quicklistReplaceAtIndex(o->ptr, index, val, dstrlen(val));
    }
    if (!ok) {
        replyErrorOutOfRange(c);
        return;
    }
    /* a big element may have been replaced by a small one */
    listTryConversion(o, LIST_CONV_SHRINKING);
    replyOk(c);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

/* LPOP / RPOP key [count] */
static void popGeneric(client *c, int where) {
    long count = 0;
    int has_count = c->argc == 3;
    if (c->argc > 3) {
        replyErrorArity(c);
        return;
    }
    if (has_count && !argToPositiveLong(c, c->argv[2], &count, NULL)) return;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o) {
        if (has_count) replyNullArray(c);
        else replyNull(c);
        return;
    }
    if (notList(c, o)) return;
    if (has_count && count == 0) {
        replyEmptyArray(c);
        return;
    }
    if (!has_count) {
        int was_int;
        dstr v = listPopDstr(o, where, &was_int);
        replyBulkDstr(c, v);
        dstrfree(v);
        listAfterRemoval(c, c->argv[1], o);
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty++;
        return;
    }
    popRangeAndReply(c, o, c->argv[1], where, count, 0);
}

void lpopCommand(client *c) { popGeneric(c, LIST_HEAD); }
void rpopCommand(client *c) { popGeneric(c, LIST_TAIL); }

void ltrimCommand(client *c) {
    long start, end;
    if (!argToLong(c, c->argv[2], &start, NULL) || !argToLong(c, c->argv[3], &end, NULL)) return;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o) {
        replyOk(c);
        return;
    }
    if (notList(c, o)) return;
    long llen = (long)listLength(o), ltrim, rtrim;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    listDelRange(o, 0, ltrim);
    listDelRange(o, -rtrim, rtrim);
    listAfterRemoval(c, c->argv[1], o);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty += ltrim + rtrim;
    replyOk(c);
}

/* LREM key count element */
void lremCommand(client *c) {
    long toremove;
    if (!argToLong(c, c->argv[2], &toremove, NULL)) return;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (!o) {
        replyLongLong(c, 0);
        return;
    }
    if (notList(c, o)) return;
    unsigned long limit = toremove < 0 ? (unsigned long)(-(toremove + 1)) + 1 : (unsigned long)toremove;
    const dstr ele = c->argv[3];
    unsigned long removed = 0;
    listIter it;
    listEntry e;
    listIterInit(&it, o, toremove < 0 ? -1 : 0, toremove < 0 ? LIST_HEAD : LIST_TAIL);
    while (listIterNext(&it, &e)) {
        if (!listEntryEquals(&e, ele, dstrlen(ele))) continue;
        listIterDelete(&it, &e);
        server.dirty++;
        removed++;
        if (limit && removed == limit) break;
    }
    listIterRelease(&it);
    if (removed) {
        listAfterRemoval(c, c->argv[1], o);
        signalModifiedKey(c, c->db, c->argv[1]);
    }
    replyLongLong(c, (long long)removed);
}

/* ---- moving between lists ------------------------------------------------------ */

/* Pop from `src` (a non-empty list stored at argv[1]) at `wherefrom` and push
 * the element at `whereto` of the list at argv[2] (created if missing; its
 * type was checked). Replies with the element. */
static void moveElement(client *c, obj *src, obj *dst, int wherefrom, int whereto) {
    const dstr srckey = c->argv[1], dstkey = c->argv[2];
    int was_int;
    dstr v = listPopDstr(src, wherefrom, &was_int);
    if (!dst) dst = dbAdd(c->db, dstkey, listCreate());
    signalModifiedKey(c, c->db, dstkey);
    /* Redis counts the bytes of string values only (integer objects add none) */
    listConvertIfGrowing(dst, was_int ? 0 : dstrlen(v), 1);
    listPushRaw(dst, v, dstrlen(v), whereto);
    replyBulkDstr(c, v);
    dstrfree(v);
    /* src may be dst: it is looked at only after the push */
    listAfterRemoval(c, srckey, src);
    signalModifiedKey(c, c->db, srckey);
    server.dirty++;
}

/* LMOVE/RPOPLPUSH body once the directions are known. */
static void lmoveGeneric(client *c, int wherefrom, int whereto) {
    obj *src = lookupKeyWrite(c->db, c->argv[1]);
    if (!src) {
        replyNull(c);
        return;
    }
    if (notList(c, src)) return;
    obj *dst = lookupKeyWrite(c->db, c->argv[2]);
    if (notList(c, dst)) return;
    moveElement(c, src, dst, wherefrom, whereto);
}

void lmoveCommand(client *c) {
    int from, to;
    if (!argToWhere(c, c->argv[3], &from) || !argToWhere(c, c->argv[4], &to)) return;
    lmoveGeneric(c, from, to);
}

void rpoplpushCommand(client *c) { lmoveGeneric(c, LIST_TAIL, LIST_HEAD); }

/* BLMOVE/BRPOPLPUSH: move now if the source has data, else block on it. */
static void blmoveGeneric(client *c, int wherefrom, int whereto, long long timeout) {
    obj *src = lookupKeyWrite(c->db, c->argv[1]);
    if (notList(c, src)) return;
    if (src) {
        lmoveGeneric(c, wherefrom, whereto);
        return;
    }
    if (!blockingAllowed(c)) {
        replyNull(c);
        return;
    }
    blockForKeys(c, BLOCKED_LIST, &c->argv[1], 1, timeout, 0);
}

void blmoveCommand(client *c) {
    int from, to;
    long long timeout;
    if (!argToWhere(c, c->argv[3], &from) || !argToWhere(c, c->argv[4], &to)) return;
    if (getBlockingTimeout(c, c->argv[5], &timeout) < 0) return;
    blmoveGeneric(c, from, to, timeout);
}

void brpoplpushCommand(client *c) {
    long long timeout;
    if (getBlockingTimeout(c, c->argv[3], &timeout) < 0) return;
    blmoveGeneric(c, LIST_TAIL, LIST_HEAD, timeout);
}

/* ---- popping from several keys ------------------------------------------------- */

/* Serve the first non-empty list among keys[0..numkeys): pop one element
 * (count < 0: BLPOP/BRPOP reply [key, element]) or up to `count` ([key,
 * [elements]]). Returns 1 if it replied (data or WRONGTYPE), 0 if every key is
 * missing. */
static int popFromFirstList(client *c, dstr *keys, long numkeys, int where, long count) {
    for (long j = 0; j < numkeys; j++) {
        obj *o = lookupKeyWrite(c->db, keys[j]);
        if (!o) continue;
        if (notList(c, o)) return 1;
        if (count >= 0) {
            popRangeAndReply(c, o, keys[j], where, count, 1);
            return 1;
        }
        int was_int;
        dstr v = listPopDstr(o, where, &was_int);
        replyArrayLen(c, 2);
        replyBulkDstr(c, keys[j]);
        replyBulkDstr(c, v);
        dstrfree(v);
        listAfterRemoval(c, keys[j], o);
        signalModifiedKey(c, c->db, keys[j]);
        server.dirty++;
        return 1;
    }
    return 0;
}

/* BLPOP / BRPOP key [key ...] timeout */
static void blockingPopGeneric(client *c, int where) {
    long long timeout;
    if (getBlockingTimeout(c, c->argv[c->argc - 1], &timeout) < 0) return;
    if (popFromFirstList(c, c->argv + 1, c->argc - 2, where, -1)) return;
    if (!blockingAllowed(c)) {
        replyNullArray(c);
        return;
    }
    blockForKeys(c, BLOCKED_LIST, c->argv + 1, c->argc - 2, timeout, 0);
}

void blpopCommand(client *c) { blockingPopGeneric(c, LIST_HEAD); }
void brpopCommand(client *c) { blockingPopGeneric(c, LIST_TAIL); }

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]  (numkeys at argv[idx])
 * BLMPOP timeout numkeys ...                              (timeout at argv[1]) */
static void lmpopGeneric(client *c, int numkeys_idx, int blocking) {
    long numkeys, count = -1;
    int where;
    if (!argToRangeLong(c, c->argv[numkeys_idx], 1, LONG_MAX, &numkeys, "ERR numkeys should be greater than 0"))
        return;
    if (numkeys > c->argc - numkeys_idx - 2) {
        replyErrorSyntax(c);
        return;
    }
    int where_idx = numkeys_idx + (int)numkeys + 1;
    if (!argToWhere(c, c->argv[where_idx], &where)) return;
    for (int j = where_idx + 1; j < c->argc; j++) {
        if (count == -1 && !strcasecmp(c->argv[j], "COUNT") && j + 1 < c->argc) {
            if (!argToRangeLong(c, c->argv[++j], 1, LONG_MAX, &count, "ERR count should be greater than 0")) return;
        } else {
            replyErrorSyntax(c);
            return;
        }
    }
    if (count == -1) count = 1;
    long long timeout = 0;
    if (blocking && getBlockingTimeout(c, c->argv[1], &timeout) < 0) return;
    dstr *keys = c->argv + numkeys_idx + 1;
    if (popFromFirstList(c, keys, numkeys, where, count)) return;
    if (!blocking || !blockingAllowed(c)) {
        replyNullArray(c);
        return;
    }
    blockForKeys(c, BLOCKED_LIST, keys, (int)numkeys, timeout, 0);
}

void lmpopCommand(client *c) { lmpopGeneric(c, 1, 0); }
void blmpopCommand(client *c) { lmpopGeneric(c, 2, 1); }

/* ---- RDB loading and saving (t_list.h) ----------------------------------------- */

obj *listCreateForLoad(void) {
    quicklist *ql = quicklistNew(server.list_max_listpack_size, server.list_compress_depth);
    return objCreate(OBJ_LIST, ENC_QUICKLIST, ql);
}

void listLoadAppendListpack(obj *o, unsigned char *lp) { quicklistAppendListpack(o->ptr, lp); }

void listLoadAppendPlain(obj *o, unsigned char *data, size_t len) { quicklistAppendPlainNode(o->ptr, data, len); }

obj *listLoadFinish(obj *o) {
    if (listLength(o) == 0) {
        objDecrRef(o);
        return NULL;
    }
    listTryConversion(o, LIST_CONV_AUTO);
    return o;
}

unsigned long listNodeCount(const obj *o) {
    if (o->encoding == ENC_LISTPACK) return 1;
    return ((const quicklist *)o->ptr)->len;
}

void listNodeIterInit(listNodeIter *it, const obj *o) {
    it->o = o;
    it->next = o->encoding == ENC_QUICKLIST ? ((const quicklist *)o->ptr)->head : NULL;
    it->started = 0;
}

int listNodeIterNext(listNodeIter *it, listNodeView *v) {
    if (it->o->encoding == ENC_LISTPACK) {
        if (it->started) return 0;
        it->started = 1;
        v->container = QUICKLIST_NODE_CONTAINER_PACKED;
        v->compressed = 0;
        v->data = it->o->ptr;
        v->len = v->raw_len = lpBytes(it->o->ptr);
        v->count = lpLength(it->o->ptr);
        return 1;
    }
    const quicklistNode *n = it->next;
    if (!n) return 0;
    it->next = n->next;
    v->container = n->container;
    v->count = n->count;
    v->raw_len = n->sz;
    v->compressed = quicklistNodeBlob(n, &v->data, &v->len);
    return 1;
}
