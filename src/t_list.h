/* t_list: the LIST type (its two encodings and the API other modules use).
 *
 * Encodings, as Redis 7.2:
 *   ENC_LISTPACK  o->ptr is one listpack (listpack.h) holding every element.
 *                 New lists start here.
 *   ENC_QUICKLIST o->ptr is a quicklist (quicklist.h) of listpack/plain nodes,
 *                 created with fill = list-max-listpack-size and compress depth
 *                 = list-compress-depth as they are when it is created.
 *
 * Conversions (Redis 7.2 rules, t_list.c listTypeTryConvert*):
 *   growing   before adding elements to a listpack list, it becomes a
 *             quicklist when quicklistNodeExceedsLimit(list-max-listpack-size,
 *             listpack bytes + the added strings' byte lengths, entries + added
 *             count) holds (byte limit 4/8/16/32/64 KB for -1..-5; entry count
 *             plus the 8 KB safety size for positive values). The existing
 *             listpack becomes the quicklist's first node.
 *   shrinking after removing elements from a quicklist list that is left with
 *             a single packed (listpack) node, it becomes a listpack list again
 *             when that node is at most half the byte limit and holds at most
 *             half the entry limit (the halving avoids flapping).
 *   auto      (loading, RESTORE) the same check without the halving.
 * A list never holds zero elements in the keyspace: commands delete emptied keys.
 *
 * Elements are binary strings; a string that is the canonical text of an
 * int64 is stored as a listpack integer and read back as the same text. */
#ifndef CAIRN_T_LIST_H
#define CAIRN_T_LIST_H
#include <stddef.h>
#include "object.h"
#include "quicklist.h"

#define LIST_HEAD 0   /* the left end */
#define LIST_TAIL 1   /* the right end */

/* Conversion kinds for listTryConversion. */
#define LIST_CONV_AUTO 0
#define LIST_CONV_GROWING 1
#define LIST_CONV_SHRINKING 2

/* Register the list methods (free, dup, mem_usage) with object.c. */
void listTypeRegister(void);

/* New empty list object (bare, ENC_LISTPACK, refcount 1). */
obj *listCreate(void);
/* List object adopting a listpack (zmalloc'ed, validated, non-empty) or a
 * quicklist; then converted by LIST_CONV_AUTO (RDB loading / RESTORE). */
obj *listCreateFromListpack(unsigned char *lp);
obj *listCreateFromQuicklist(quicklist *ql);
/* Apply a conversion rule (see above) to a list object. */
void listTryConversion(obj *o, int kind);
/* Number of elements. */
unsigned long listLength(const obj *o);
/* Add a copy of s[0..len) at `where` (LIST_HEAD / LIST_TAIL), converting the
 * list to a quicklist first if the growing rule says so. */
void listPush(obj *o, const void *s, size_t len, int where);

/* Iteration. A listIter lives on the caller's stack:
 *   listIter it; listEntry e;
 *   listIterInit(&it, o, 0, LIST_TAIL);
 *   while (listIterNext(&it, &e)) { ... listEntryBytes(&e, buf, &len) ... }
 *   listIterRelease(&it);
 * `index` is the first element returned (negative counts from the tail; out of
 * range: nothing is returned); `direction` LIST_TAIL walks towards the tail,
 * LIST_HEAD towards the head. The list must not change during the iteration,
 * except through listIterDelete. */
typedef struct listIter {
    obj *o;
    int direction;
    unsigned char *lpnext;      /* listpack: entry returned by the next call (NULL: done) */
    quicklistIter *qi;          /* quicklist */
} listIter;

typedef struct listEntry {
    unsigned char *lpp;         /* listpack: this entry */
    quicklistEntry qe;          /* quicklist: this entry */
    const unsigned char *s;     /* string value (NULL: the integer ll) */
    size_t len;
    long long ll;
} listEntry;

void listIterInit(listIter *it, obj *o, long index, int direction);
int listIterNext(listIter *it, listEntry *e);
void listIterRelease(listIter *it);
/* Bytes of the entry: integers are written as decimal text into buf
 * (LP_INTBUF_SIZE = 21 bytes). Valid until the iterator moves. */
const unsigned char *listEntryBytes(const listEntry *e, unsigned char *buf, size_t *len);
/* 1 if the entry equals s[0..len) (integers compare as their text). */
int listEntryEquals(const listEntry *e, const void *s, size_t len);
/* Delete the entry just returned; the iteration continues in its direction. */
void listIterDelete(listIter *it, listEntry *e);

/* ---- RDB loading and saving (used by rdb_list.c) ------------------------------
 * Loading builds a quicklist node by node, then lets the AUTO rule pick the
 * encoding (as Redis 7.2's loader does):
 *   obj *o = listCreateForLoad();
 *   listLoadAppendListpack(o, lp) / listLoadAppendPlain(o, data, len) /
 *   listPush(o, s, len, LIST_TAIL) ...
 *   o = listLoadFinish(o);   NULL if the list is empty (o freed)           */

/* New empty ENC_QUICKLIST list with fill = list-max-listpack-size and
 * compress depth = list-compress-depth (bare object, refcount 1). */
obj *listCreateForLoad(void);
/* Adopt `lp` (zmalloc'ed, deep-validated listpack) as a new PACKED tail node,
 * as it is (whatever its size); an empty listpack is freed and skipped. */
void listLoadAppendListpack(obj *o, unsigned char *lp);
/* Adopt data[0..len) (zmalloc'ed, len >= 1) as a new PLAIN tail node. */
void listLoadAppendPlain(obj *o, unsigned char *data, size_t len);
/* End of loading: NULL (and `o` freed) if the list has no element, else `o`
 * after the LIST_CONV_AUTO rule (a single small packed node becomes a
 * listpack list). */
obj *listLoadFinish(obj *o);

/* Node view for saving. A listpack-encoded list is one PACKED node.
 *   listNodeIter ni; listNodeView nv;
 *   listNodeIterInit(&ni, o);
 *   while (listNodeIterNext(&ni, &nv)) ...
 * The view points into the list: valid while the list is not modified. */
typedef struct listNodeView {
    int container;              /* QUICKLIST_NODE_CONTAINER_PACKED / _PLAIN */
    int compressed;             /* 1: `data` is the node's LZF form */
    const unsigned char *data;  /* listpack / element bytes, or LZF data */
    size_t len;                 /* bytes at data */
    size_t raw_len;             /* uncompressed size (== len when !compressed) */
    unsigned long count;        /* elements in the node */
} listNodeView;

typedef struct listNodeIter {
    const obj *o;
    const quicklistNode *next;
    int started;
} listNodeIter;

/* Number of nodes the list is written with (1 for a listpack list). */
unsigned long listNodeCount(const obj *o);
void listNodeIterInit(listNodeIter *it, const obj *o);
/* 1 with *v filled, 0 after the last node. */
int listNodeIterNext(listNodeIter *it, listNodeView *v);

#endif
