/* t_set: the SET type (SADD, SREM, SINTER, SSCAN, ...) and the set API that
 * other modules use (RDB/DUMP codec, SORT, ZUNION/ZINTER, COPY, DEBUG).
 *
 * Encodings (object.h numbers; OBJECT ENCODING names), as Redis 7.2:
 *
 *   ENC_INTSET     ptr = intset * (intset.h): every member is the canonical
 *                  decimal text of an int64 and the set has at most
 *                  set-max-intset-entries members (capped at 2^30).
 *   ENC_LISTPACK   ptr = unsigned char * listpack (listpack.h), one entry per
 *                  member, in insertion order, no duplicates; at most
 *                  set-max-listpack-entries members of at most
 *                  set-max-listpack-value bytes each.  Canonical integers are
 *                  stored as integer entries (the listpack module does that).
 *   ENC_HASHTABLE  ptr = hashtable * (hashtable.h) whose entries are heap
 *                  dstrs, one per member (the entry is its own key; the table
 *                  owns and frees them).
 *
 * Conversions happen at Redis 7.2's moments and thresholds:
 *  - a new set (SADD, SMOVE) is an intset when its first member is an integer
 *    and the number of members about to be added is <= set-max-intset-entries,
 *    else a listpack when that number is <= set-max-listpack-entries, else a
 *    hashtable pre-sized for it;
 *  - SADD on an existing intset / listpack whose argument count alone is above
 *    the intset / listpack limit converts it to a hashtable first;
 *  - intset + integer beyond set-max-intset-entries -> hashtable;
 *  - intset + non-integer -> listpack if the set then fits the listpack limits
 *    (count, new member's length, the decimal length of the intset's min and
 *    max), else hashtable;
 *  - listpack + member beyond the count or length limit -> hashtable;
 *  - removals never convert; SPOP with a count that leaves few members
 *    rebuilds the set (a listpack or intset that may grow again), and
 *    SINTERSTORE results made only of integers become intsets.
 *
 * Member arguments are byte strings: "1" is stored as an integer, "01", "+1",
 * " 1" are strings different from "1".  Functions take a member either as
 * bytes (str != NULL, len) or as an integer (str == NULL, llval) where noted. */
#ifndef CAIRN_T_SET_H
#define CAIRN_T_SET_H
#include <stddef.h>
#include <stdint.h>
#include "hashtable.h"
#include "intset.h"
#include "object.h"

/* Register the set methods (free, dup, memory usage) with object.c. */
void setTypeRegister(void);

/* ---- creation and conversion ------------------------------------------------- */

/* New empty set able to hold `first` (len bytes) with `size_hint` members to
 * come (the encoding rule for new sets above).  Bare object, refcount 1. */
obj *setTypeCreate(const char *first, size_t len, size_t size_hint);
/* New empty intset-encoded / listpack-encoded / hashtable-encoded set. */
obj *setTypeCreateIntset(void);
obj *setTypeCreateListpack(void);
obj *setTypeCreateHashtable(size_t presize);
/* Convert `set` to hashtable when `size_hint` (members about to be added) is
 * above the limit of its intset / listpack encoding (SADD's rule). */
void setTypeMaybeConvert(obj *set, size_t size_hint);
/* Convert `set` (which must not already have encoding `enc`) to ENC_LISTPACK
 * or ENC_HASHTABLE, pre-sized for `cap` members.  With `panic` 0 a hashtable
 * whose pre-size is refused (hashtableTryExpand: absurd or larger than RAM)
 * leaves the set unchanged and returns 0; otherwise returns 1. */
int setTypeConvertAndExpand(obj *set, int enc, size_t cap, int panic);
/* setTypeConvertAndExpand(set, enc, setTypeSize(set), 1). */
void setTypeConvert(obj *set, int enc);
/* Deep copy of the set's structure in the same encoding (COPY). */
void *setTypeDupValue(const obj *set);

/* ---- members ----------------------------------------------------------------- */

/* Number of members. */
unsigned long setTypeSize(const obj *set);
/* Add the member s[0..len) (converting the encoding when a limit is crossed).
 * Returns 1 if added, 0 if it was already a member. */
int setTypeAdd(obj *set, const char *s, size_t len);
/* Same with the integer member `v` (its decimal text). */
int setTypeAddInteger(obj *set, long long v);
/* Remove the member s[0..len): 1 if removed, 0 if absent.  Never converts;
 * the caller deletes the key when the set becomes empty. */
int setTypeRemove(obj *set, const char *s, size_t len);
/* 1 if s[0..len) is a member, else 0. */
int setTypeIsMember(obj *set, const char *s, size_t len);

/* The same with a member given as bytes (str != NULL, len) or as an integer
 * (str == NULL, v).  `is_dstr` non-zero says that str is a dstr of exactly
 * len bytes (e.g. a hashtable set's member from setTypeNext), which saves a
 * copy when looking it up in a hashtable set. */
int setTypeAddMember(obj *set, const char *str, size_t len, int64_t v, int is_dstr);
int setTypeRemoveMember(obj *set, const char *str, size_t len, int64_t v, int is_dstr);
int setTypeIsMemberAux(obj *set, const char *str, size_t len, int64_t v, int is_dstr);
/* Make a listpack or hashtable set whose members are ALL integers (the caller
 * knows) an intset, unless it has more than set-max-intset-entries members
 * (SINTERSTORE's result rule). */
void setTypeConvertToIntsetIfFits(obj *set);

/* ---- iteration --------------------------------------------------------------- */

/* Caller-allocated iterator over the members; the set must not be modified
 * until setTypeResetIterator (hashtable sets use an unsafe iterator). */
typedef struct setIterator {
    obj *set;
    int encoding;
    uint32_t ii;             /* intset: next position */
    unsigned char *lpi;      /* listpack: current entry, NULL before the first */
    hashtableIterator hi;    /* hashtable */
} setIterator;

void setTypeInitIterator(setIterator *si, obj *set);
/* Next member.  Returns the set's encoding, or -1 at the end.  A member is
 * given either as bytes (*str != NULL, *len bytes; for ENC_HASHTABLE *str is
 * the member's dstr) or as an integer (*str == NULL, *llval): intsets always
 * give integers, listpacks give integers for integer entries, hashtables
 * always give bytes.  Pointers stay valid until the set is modified. */
int setTypeNext(setIterator *si, const char **str, size_t *len, int64_t *llval);
/* Next member as a new heap dstr (caller frees), or NULL at the end. */
dstr setTypeNextDstr(setIterator *si);
void setTypeResetIterator(setIterator *si);

/* A random member of a non-empty set, given like setTypeNext (no copy;
 * valid until the set is modified).  Returns the set's encoding. */
int setTypeRandomElement(obj *set, const char **str, size_t *len, int64_t *llval);

/* ---- RDB / DUMP codec helpers ------------------------------------------------ */

/* The set's serialised blob when it has one: the intset bytes (RDB type 11,
 * SET_INTSET) or the listpack bytes (RDB type 20, SET_LISTPACK), with *enc set
 * to ENC_INTSET / ENC_LISTPACK and *len to the size.  NULL for hashtable sets
 * (saved as RDB type 2: a length and the members, see setTypeNext). */
const unsigned char *setTypeBlob(const obj *set, int *enc, size_t *len);
/* Set object adopting a validated, non-empty intset blob (zmalloc'ed, exactly
 * intsetBlobLen bytes; see intsetValidateIntegrity).  Converted to hashtable
 * when it has more than set-max-intset-entries members, as Redis loads it. */
obj *setTypeCreateFromIntset(intset *is);
/* Set object adopting a validated, non-empty listpack (see
 * setTypeValidateListpack) holding one member per entry.  Converted to
 * hashtable when it has more than set-max-listpack-entries members. */
obj *setTypeCreateFromListpack(unsigned char *lp);
/* Check an untrusted set listpack of `size` bytes: lpValidateIntegrity (deep
 * when `deep`), at least one entry, and (with `deep`) no two equal members.
 * Never reads outside lp[0..size).  Returns 1 if valid, 0 if not. */
int setTypeValidateListpack(const unsigned char *lp, size_t size, int deep);

/* Loading a set saved member by member (RDB type 2) the way Redis 7.2 picks
 * the encoding: a hashtable pre-sized for `len` when len is above
 * set-max-intset-entries, else an intset that becomes a listpack (or a
 * hashtable) when the first non-integer arrives. */
typedef struct setLoader {
    obj *set;
    size_t declared;         /* the length field */
    size_t maxelelen, sumelelen;
    unsigned pending;        /* members in batch[] not inserted yet */
    void *batch[HASHTABLE_BATCH]; /* heap dstrs (owned until inserted) */
} setLoader;
/* Start loading a set of `len` (> 0) members.  Returns 0 when the pre-size is
 * refused (len absurd or beyond RAM), 1 otherwise. */
int setLoaderInit(setLoader *ld, size_t len);
/* Add one loaded member.  Returns 1 if added, 0 if it is a duplicate (a
 * corrupt payload), -1 if a hashtable pre-size was refused.  While the set
 * is ENC_HASHTABLE the members are inserted HASHTABLE_BATCH at a time
 * (hashtableAddBatch: prefetched buckets hide the cache misses of a member
 * order unrelated to this table's), so a duplicate may be reported up to
 * HASHTABLE_BATCH - 1 members late, or only by setLoaderFinish.  After a
 * 0 or -1 the caller must call setLoaderAbort. */
int setLoaderAdd(setLoader *ld, const char *s, size_t len);
/* Insert the pending members and return the loaded set (ownership passes to
 * the caller), or NULL when a pending member was a duplicate (everything is
 * freed then).  setLoaderAbort frees the set and the pending members (safe
 * after a Finish). */
obj *setLoaderFinish(setLoader *ld);
void setLoaderAbort(setLoader *ld);

#endif
