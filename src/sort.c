/* SORT / SORT_RO (see sort.h for the behaviour and the per-type hooks). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sort.h"
#include "client.h"
#include "db.h"
#include "quicklist.h"
#include "reply.h"
#include "server.h"
#include "t_list.h"
#include "util.h"
#include "zmalloc.h"

static const sortSourceType *sources[OBJ_TYPE_MAX];
static sortHashGetter *hashGetter;

void sortRegisterSource(int type, const sortSourceType *src) { sources[type] = src; }
void sortRegisterHashGetter(sortHashGetter *fn) { hashGetter = fn; }

/* One element to sort: its bytes, and the key it is sorted by. */
typedef struct sortItem {
    dstr elem;
    double score;   /* numeric sorting */
    dstr cmp;       /* ALPHA with BY: the BY value (NULL: missing) */
} sortItem;

/* comparison settings for one qsort call (the server is single-threaded) */
static struct {
    int desc, alpha, bypattern, store;
} sortCfg;

/* Binary comparison: memcmp over the common length, then the shorter first. */
static int binaryCompare(const dstr a, const dstr b) {
    size_t la = dstrlen(a), lb = dstrlen(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

static int sortItemCompare(const void *pa, const void *pb) {
    const sortItem *a = pa, *b = pb;
    int c;
    if (!sortCfg.alpha) {
        if (a->score > b->score) c = 1;
        else if (a->score < b->score) c = -1;
        else c = binaryCompare(a->elem, b->elem);   /* deterministic ties */
    } else if (sortCfg.bypattern) {
        if (!a->cmp || !b->cmp) c = a->cmp == b->cmp ? 0 : (a->cmp ? 1 : -1);
        else c = sortCfg.store ? binaryCompare(a->cmp, b->cmp) : strcoll(a->cmp, b->cmp);
    } else {
        c = sortCfg.store ? binaryCompare(a->elem, b->elem) : strcoll(a->elem, b->elem);
    }
    return sortCfg.desc ? -c : c;
}

/* Look up the value that `pattern` names for element `subst`: "#" is the
 * element itself; otherwise the first '*' is replaced by the element and the
 * key must hold a string, or, with "->field" after the '*', a hash holding
 * the field. Returns a new dstr or NULL. Patterns and elements are read as C
 * strings where Redis does so (strchr/strstr), lengths as binary. */
static dstr lookupByPattern(client *c, const dstr pattern, const dstr subst) {
    if (pattern[0] == '#' && pattern[1] == '\0') return dstrdup(subst);
    const char *star = strchr(pattern, '*');
    if (!star) return NULL;
    size_t plen = dstrlen(pattern), fieldlen = 0;
    const char *arrow = strstr(star + 1, "->");
    const char *field = NULL;
    if (arrow && arrow[2] != '\0') {
        field = arrow + 2;
        fieldlen = plen - (size_t)(arrow - pattern) - 2;
    }
    size_t prefixlen = (size_t)(star - pattern);
    size_t postfixlen = plen - (prefixlen + 1) - (fieldlen ? fieldlen + 2 : 0);
    dstr key = dstrnewlen(pattern, prefixlen);
    key = dstrcatlen(key, subst, dstrlen(subst));
    key = dstrcatlen(key, star + 1, postfixlen);
    obj *o = lookupKeyRead(c->db, key);
    dstr result = NULL;
    if (o && field) {
        if (o->type == OBJ_HASH && hashGetter) result = hashGetter(o, field, fieldlen);
    } else if (o && o->type == OBJ_STRING) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *p = objStringBytes(o, buf, &len);
        result = dstrnewlen(p, len);
    }
    dstrfree(key);
    return result;
}

typedef struct loadCtx {
    sortItem *items;
    long n, cap;
} loadCtx;

static void addItem(void *ctxp, const char *p, size_t len) {
    loadCtx *ctx = ctxp;
    if (ctx->n == ctx->cap) return;   /* a source must not give more than asked */
    sortItem *it = &ctx->items[ctx->n++];
    it->elem = dstrnewlen(p, len);
    it->score = 0;
    it->cmp = NULL;
}

/* Numeric value of a sort key as Redis reads it: strtod over the C string,
 * which must be consumed whole; out of range or nan is an error. */
static int parseScore(const dstr s, double *out) {
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return !(end[0] != '\0' || errno == ERANGE || isnan(*out));
}

static void sortGeneric(client *c, int readonly) {
    static int locale_ready;
    if (!locale_ready) {
        /* strcoll for ALPHA follows the environment's collation, as Redis */
        setlocale(LC_COLLATE, "");
        locale_ready = 1;
    }
    int desc = 0, alpha = 0, dontsort = 0;
    long limit_start = 0, limit_count = -1;
    dstr sortby = NULL, storekey = NULL;
    int getop = 0;
    dstr *gets = zmalloc(sizeof(dstr) * (size_t)c->argc);

    for (int j = 2; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int left = c->argc - j - 1;
        if (!strcasecmp(opt, "asc")) {
            desc = 0;
        } else if (!strcasecmp(opt, "desc")) {
            desc = 1;
        } else if (!strcasecmp(opt, "alpha")) {
            alpha = 1;
        } else if (!strcasecmp(opt, "limit") && left >= 2) {
            long long a, b;
            if (!string2ll(c->argv[j + 1], dstrlen(c->argv[j + 1]), &a) ||
                !string2ll(c->argv[j + 2], dstrlen(c->argv[j + 2]), &b)) {
                replyErrorNotInteger(c);
                zfree(gets);
                return;
            }
            limit_start = (long)a;
            limit_count = (long)b;
            j += 2;
        } else if (!readonly && !strcasecmp(opt, "store") && left >= 1) {
            storekey = c->argv[++j];
        } else if (!strcasecmp(opt, "by") && left >= 1) {
            sortby = c->argv[++j];
            /* a pattern without '*' means "do not sort" */
            if (!strchr(sortby, '*')) dontsort = 1;
        } else if (!strcasecmp(opt, "get") && left >= 1) {
            gets[getop++] = c->argv[++j];
        } else {
            replyErrorSyntax(c);
            zfree(gets);
            return;
        }
    }

    obj *o = lookupKeyRead(c->db, c->argv[1]);
    const sortSourceType *src = NULL;
    if (o) {
        src = sources[o->type];
        if (!src) {
            replyErrorWrongType(c);
            zfree(gets);
            return;
        }
    }
    int ordered = src ? src->ordered : 1;
    /* an unordered source must still give a stable result when stored or in a script */
    if (dontsort && !ordered && (storekey || (c->flags & CLIENT_SCRIPT))) {
        dontsort = 0;
        alpha = 1;
        sortby = NULL;
    }

    long len = src ? (long)src->length(o) : 0;
    long start = limit_start < 0 ? 0 : (limit_start > len ? len : limit_start);
    long count = limit_count < -1 ? -1 : (limit_count > len ? len : limit_count);
    long end = count < 0 ? len - 1 : start + count - 1;
    if (start >= len) {
        start = len - 1;
        end = len - 2;
    }
    if (end >= len) end = len - 1;

    /* load: ordered sources without sorting load only the requested range */
    long vlen = len;
    int ranged = ordered && dontsort && (start != 0 || end != len - 1);
    if (ranged) vlen = end - start + 1;
    loadCtx ctx = {.items = zmalloc(sizeof(sortItem) * (size_t)(vlen > 0 ? vlen : 1)), .n = 0, .cap = vlen};
    if (src && ordered && dontsort) {
        if (end >= start) {
            src->load(o, (unsigned long)start, (unsigned long)vlen, desc, addItem, &ctx);
            end -= start;
            start = 0;
        }
    } else if (src && len > 0) {
        src->load(o, 0, (unsigned long)len, 0, addItem, &ctx);
    }
    vlen = ctx.n;
    sortItem *items = ctx.items;

    int conversion_error = 0;
    if (!dontsort) {
        for (long j = 0; j < vlen; j++) {
            dstr byval = NULL;
            const char *bytes;
            if (sortby) {
                byval = lookupByPattern(c, sortby, items[j].elem);
                if (!byval) continue;
                bytes = byval;
            } else {
                bytes = items[j].elem;
            }
            if (alpha) {
                if (sortby) {
                    items[j].cmp = byval;
                    byval = NULL;
                }
            } else if (!parseScore((const dstr)bytes, &items[j].score)) {
                conversion_error = 1;
            }
            if (byval) dstrfree(byval);
        }
        sortCfg.desc = desc;
        sortCfg.alpha = alpha;
        sortCfg.bypattern = sortby != NULL;
        sortCfg.store = storekey != NULL;
        qsort(items, (size_t)vlen, sizeof(sortItem), sortItemCompare);
    }

    long outputlen = getop ? getop * (end - start + 1) : end - start + 1;
    if (outputlen < 0) outputlen = 0;
    if (conversion_error) {
        replyError(c, "ERR One or more scores can't be converted into double");
    } else if (!storekey) {
        replyArrayLen(c, outputlen);
        for (long j = start; j <= end; j++) {
            if (!getop) replyBulkDstr(c, items[j].elem);
            for (int g = 0; g < getop; g++) {
                dstr val = lookupByPattern(c, gets[g], items[j].elem);
                if (val) {
                    replyBulkDstr(c, val);
                    dstrfree(val);
                } else {
                    replyNull(c);
                }
            }
        }
    } else {
        quicklist *ql = quicklistNew(server.list_max_listpack_size, server.list_compress_depth);
        for (long j = start; j <= end; j++) {
            if (!getop) quicklistPushTail(ql, items[j].elem, dstrlen(items[j].elem));
            for (int g = 0; g < getop; g++) {
                dstr val = lookupByPattern(c, gets[g], items[j].elem);
                if (val) {
                    quicklistPushTail(ql, val, dstrlen(val));
                    dstrfree(val);
                } else {
                    quicklistPushTail(ql, "", 0);
                }
            }
        }
        if (outputlen) {
            dbSetKey(c->db, storekey, listCreateFromQuicklist(ql), 0);
            server.dirty += outputlen;
        } else {
            quicklistRelease(ql);
            if (dbDelete(c->db, storekey)) {
                signalModifiedKey(c, c->db, storekey);
                server.dirty++;
            }
        }
        replyLongLong(c, outputlen);
    }

    for (long j = 0; j < vlen; j++) {
        dstrfree(items[j].elem);
        if (items[j].cmp) dstrfree(items[j].cmp);
    }
    zfree(items);
    zfree(gets);
}

void sortCommand(client *c) { sortGeneric(c, 0); }
void sortRoCommand(client *c) { sortGeneric(c, 1); }
