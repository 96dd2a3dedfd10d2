/* t_hash: the HASH type (field -> value maps) and its commands.
 *
 * Encodings, as Redis 7.2 (OBJECT ENCODING names):
 *
 *  - ENC_LISTPACK ("listpack"): o->ptr is a listpack (listpack.h) holding
 *    field, value, field, value, ... in insertion order (an updated value
 *    keeps its place). Used while the hash has at most
 *    server.hash_max_listpack_entries fields and every field and value is at
 *    most server.hash_max_listpack_value bytes. Fields are unique. These are
 *    exactly the bytes of an RDB_TYPE_HASH_LISTPACK (16) payload.
 *
 *  - ENC_HASHTABLE ("hashtable"): o->ptr is a hashtable (hashtable.h) whose
 *    entries each hold one field and its value in a single allocation:
 *
 *      offset            size  content
 *      0                 hf    field dstr header (DSTR_EMBEDDED; hf = dstrEmbeddedHeaderSize(flen): 1 below 32 bytes)
 *      hf                flen  field bytes        <- the entry pointer (a read-only dstr)
 *      hf+flen           1     NUL
 *      hf+flen+1         1     hv = header size of the value dstr
 *      hf+flen+2         hv    value dstr header (DSTR_EMBEDDED)
 *      hf+flen+2+hv      vlen  value bytes
 *      ...               1     NUL
 *
 *    The entry pointer is the field dstr, which is also the table key.
 *
 * Conversion listpack -> hashtable happens at the moments Redis 7.2 converts
 * (never back, an emptied hash is deleted instead):
 *  - before a write of several pairs (HSET/HMSET/HSETNX): when the number of
 *    pairs given exceeds hash-max-listpack-entries (7.2 converts even if the
 *    fields are duplicates), when one argument is longer than
 *    hash-max-listpack-value, or when the listpack would pass 1 GB;
 *  - when setting one field (HINCRBY, HINCRBYFLOAT, ...): when the field or
 *    the new value is longer than hash-max-listpack-value;
 *  - after setting a field (added or updated), when the hash has more than
 *    hash-max-listpack-entries fields (an update matters only after the
 *    limit was lowered with CONFIG SET).
 *
 * Commands (src/t_hash.c): HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN,
 * HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD,
 * HSCAN. The functions below are the API other modules (RDB codec, SORT,
 * DEBUG) use; none of them replies to a client. */
#ifndef CAIRN_T_HASH_H
#define CAIRN_T_HASH_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"
#include "hashtable.h"
#include "listpack.h"
#include "object.h"

/* Register the hash type's free/dup/mem_usage methods (types.c). */
void hashTypeRegister(void);

/* ---- creating ------------------------------------------------------------- */

/* New empty bare hash object (ENC_LISTPACK, empty listpack), refcount 1. */
obj *hashTypeCreate(void);

/* Check an RDB_TYPE_HASH_LISTPACK blob of `size` bytes from an untrusted
 * source. Always checks the listpack header (lpValidateIntegrity, not deep).
 * With `deep` also walks every entry and checks that there is an even number
 * of entries and that no field appears twice. Never reads outside
 * lp[0..size). Returns 1 if valid, 0 if not. */
int hashListpackValidate(const unsigned char *lp, size_t size, int deep);

/* New bare hash object that takes ownership of `lp`, a listpack of
 * field/value pairs that passed hashListpackValidate(..., deep=1) (or was
 * built by this module). It stays ENC_LISTPACK when it has at most
 * hash-max-listpack-entries pairs and no entry longer than
 * hash-max-listpack-value bytes (an integer entry counts by the length of its
 * decimal text); otherwise it is converted to ENC_HASHTABLE
 * (and `lp` freed). An empty listpack gives an empty hash: callers loading a
 * keyspace must skip it (Redis never stores empty hashes). */
obj *hashTypeCreateFromListpack(unsigned char *lp);

/* New bare hash object to be filled with hashTypeLoadPair() from a payload
 * announcing `len` pairs (RDB_TYPE_HASH): ENC_LISTPACK when len <=
 * hash-max-listpack-entries, else ENC_HASHTABLE pre-sized for `len` entries
 * (hashtableTryExpand). Returns NULL when `len` is absurd (the table could
 * not be allocated): the payload is corrupt. */
obj *hashTypeCreateForLoad(unsigned long long len);

/* Add the pair f[0..flen) -> v[0..vlen) while building a hash from a
 * payload. Converts to ENC_HASHTABLE first when the field or the value is
 * longer than hash-max-listpack-value (and after the add when the hash has
 * more than hash-max-listpack-entries fields). Returns 1 if added, 0 if the
 * field already exists (a corrupt payload; nothing changed). */
int hashTypeLoadPair(obj *o, const char *f, size_t flen, const char *v, size_t vlen);

/* Building a hash from a payload of `len` pairs (RDB_TYPE_HASH) with the
 * encoding hashTypeCreateForLoad picks. While the hash is ENC_HASHTABLE the
 * entries are inserted HASHTABLE_BATCH at a time (hashtableAddBatch, whose
 * prefetching hides the cache misses of a field order unrelated to this
 * table's bucket order), so a duplicate field may be reported up to
 * HASHTABLE_BATCH - 1 pairs after it was given, or only by the Finish. */
typedef struct hashLoader {
    obj *o;                         /* the hash being built (owned) */
    unsigned pending;               /* entries in batch[] not inserted yet */
    void *batch[HASHTABLE_BATCH];   /* created entries (owned until inserted) */
} hashLoader;
/* Start; returns 0 when `len` is absurd (hashTypeCreateForLoad NULL). */
int hashLoaderInit(hashLoader *ld, unsigned long long len);
/* Add the pair f[0..flen) -> v[0..vlen) (copied). Returns 1, or 0 when a
 * duplicate field was found (this pair or a pending one); after a 0 the
 * caller must call hashLoaderAbort. */
int hashLoaderAdd(hashLoader *ld, const char *f, size_t flen, const char *v, size_t vlen);
/* Insert the pending pairs and return the hash (ownership passes to the
 * caller), or NULL when a pending pair had a duplicate field (everything is
 * freed then, no Abort needed). */
obj *hashLoaderFinish(hashLoader *ld);
/* Free the hash and the pending pairs. Safe after a Finish. */
void hashLoaderAbort(hashLoader *ld);

/* ---- reading -------------------------------------------------------------- */

/* Number of fields. */
unsigned long hashTypeLength(const obj *o);

/* The listpack of an ENC_LISTPACK hash (for writing RDB_TYPE_HASH_LISTPACK
 * payloads as-is; owned by the object, read-only), NULL for other encodings. */
unsigned char *hashTypeListpack(const obj *o);

/* Copy of the value of field f[0..flen) as a new heap dstr (caller frees it
 * with dstrfree), or NULL when the field does not exist. */
dstr hashTypeGetValueDstr(obj *o, const char *f, size_t flen);

/* Iterator over the field/value pairs, in listpack order or hashtable order.
 * The hash must not be modified while iterating (for the hashtable encoding
 * this is an unsafe hashtable iterator, usable in a fork child). */
typedef struct hashTypeIterator {
    obj *o;
    unsigned char *next;                 /* listpack: next field entry, NULL at the end */
    hashtableIterator it;                /* hashtable encoding */
    unsigned char fbuf[LP_INTBUF_SIZE];  /* text of an integer-encoded listpack field */
    unsigned char vbuf[LP_INTBUF_SIZE];  /* text of an integer-encoded listpack value */
} hashTypeIterator;

/* Start iterating over `o` (caller-allocated iterator). */
void hashTypeInitIterator(hashTypeIterator *hi, obj *o);
/* Next pair: returns 1 and sets (*f, *flen) and (*v, *vlen) (pointers into the
 * hash or into the iterator's buffers, valid until the next call), or 0 when
 * the iteration is over. */
int hashTypeNext(hashTypeIterator *hi, const char **f, size_t *flen, const char **v, size_t *vlen);
/* Finish the iteration (required, also after hashTypeNext returned 0). */
void hashTypeResetIterator(hashTypeIterator *hi);

#endif
