/* object: the values of the keyspace.
 *
 * Every value is an `obj`: a 16-byte header followed, in the same allocation,
 * by optional parts. Keyspace entries carry their key (and expire time) inside
 * the object, so the hash table stores one pointer per key and nothing else:
 *
 *   offset  size  field
 *   0       4     type:4 | encoding:4 | lru:24  (LRU clock, or LFU minutes:16 + counter:8)
 *   4       4     refcount:29 | has_expire:1 | has_key:1 | has_embval:1
 *   8       8     ptr: the encoding's structure, an integer (ENC_INT), or the embedded value
 *   16      8     expire time, unix ms (only if has_expire; -1 = none)
 *   16/24   1     size of the key's dstr header (only if has_key)
 *   17/25   var   key as an embedded dstr: header, bytes, NUL (only if has_key)
 *   ...     var   value as an embedded dstr (only if has_embval: ENC_EMBSTR;
 *                 ptr points at its first byte)
 *
 * Embedded dstrs shorter than 32 bytes use the 1-byte D5 header (dstr.h), so
 * a 10-byte key with a 16-byte value fits jemalloc's 48-byte class: 16 header
 * + 1 + (1+10+1) + (1+16+1) = 47 bytes (measured: 65.5 B/key in used_memory
 * for 1M such keys, hash table included; Redis 7.0.15: 104.4).
 *
 * Type and encoding numbers are Redis's (TYPE / OBJECT ENCODING names).
 * Only t_<type>.c knows the structures behind ptr; object.c frees and copies
 * them through the per-type methods registered with objRegisterType(). */
#ifndef CAIRN_OBJECT_H
#define CAIRN_OBJECT_H
#include <stddef.h>
#include <stdint.h>
#include "dstr.h"

#define OBJ_STRING 0
#define OBJ_LIST 1
#define OBJ_SET 2
#define OBJ_ZSET 3
#define OBJ_HASH 4
#define OBJ_MODULE 5
#define OBJ_STREAM 6
#define OBJ_TYPE_MAX 7

#define ENC_RAW 0        /* string: separate dstr */
#define ENC_INT 1        /* string: integer stored in ptr */
#define ENC_HASHTABLE 2  /* set/hash: hashtable */
#define ENC_INTSET 6
#define ENC_SKIPLIST 7   /* zset: skiplist + hashtable */
#define ENC_EMBSTR 8     /* string: embedded after the header */
#define ENC_QUICKLIST 9
#define ENC_STREAM 10
#define ENC_LISTPACK 11

#define OBJ_EMBSTR_MAX 44   /* longest string kept as embstr, as Redis */
#define LRU_BITS 24
#define LRU_CLOCK_MAX ((1 << LRU_BITS) - 1)
#define LRU_CLOCK_RESOLUTION 1000 /* ms per LRU clock tick */
#define OBJ_SHARED_REFCOUNT ((1u << 29) - 1)

typedef struct obj {
    unsigned type : 4;
    unsigned encoding : 4;
    unsigned lru : LRU_BITS;
    unsigned refcount : 29;
    unsigned has_expire : 1;
    unsigned has_key : 1;
    unsigned has_embval : 1;
    void *ptr;
} obj;

/* Per-type methods, registered by t_<type>.c at start-up. */
typedef struct objTypeMethods {
    void (*free_value)(obj *o);              /* free o->ptr's structure (not the header) */
    void *(*dup_value)(const obj *o);        /* deep copy of o->ptr for COPY; same encoding */
    size_t (*mem_usage)(const obj *o);       /* bytes behind o->ptr (MEMORY USAGE, DEBUG) */
} objTypeMethods;
void objRegisterType(int type, const objTypeMethods *m);

/* New bare object (no key) of `type`/`encoding` owning `ptr`, refcount 1. */
obj *objCreate(int type, int encoding, void *ptr);
/* String object holding a copy of p[0..len): ENC_INT for canonical integers
 * that fit a long long (len <= 20), ENC_EMBSTR up to 44 bytes, else ENC_RAW. */
obj *objCreateString(const char *p, size_t len);
/* Keyspace entry for a string in one step: the same encoding choice as
 * objCreateString for p[0..len), with `key` embedded and no expire slot; what
 * objSetKey(objCreateString(p, len), key, keylen, -1) returns, without the
 * intermediate object (SET, MSET, GETSET). */
obj *objCreateKeyedString(const char *key, size_t keylen, const char *p, size_t len);
/* String object that takes ownership of `s` (ENC_RAW, or re-encoded if small). */
obj *objCreateStringFromDstr(dstr s);
/* ENC_INT string object. */
obj *objCreateStringFromLongLong(long long v);
/* Raw string object (always ENC_RAW; APPEND/SETRANGE/SETBIT use it). */
obj *objCreateRawString(const char *p, size_t len);
/* Create the keyspace entry for `val`: a new allocation embedding `key` and
 * (when `expire` >= 0) the expire time, moving val's payload over. `val` is
 * consumed (its header freed). Returns the new object. */
obj *objSetKey(obj *val, const char *key, size_t keylen, long long expire);
/* Set the expire time (unix ms, -1 to clear). May reallocate when the object
 * has no expire slot: returns the object to use from now on. */
obj *objSetExpire(obj *o, long long when);
/* Expire time in unix ms, or -1. */
static inline long long objGetExpire(const obj *o) {
    return o->has_expire ? *(const long long *)(o + 1) : -1;
}
/* The embedded key (a read-only dstr), or NULL for bare objects. */
dstr objKey(const obj *o);
/* Decrement the reference count and free at zero (payload through the type's
 * free_value). NULL is a no-op. */
void objDecrRef(obj *o);
void objIncrRef(obj *o);
/* Deep copy of a value without key/expire (COPY). */
obj *objDup(const obj *o);

/* String access: the bytes of a string object. For ENC_INT the text is
 * written into `buf` (size >= 21). Returns a pointer and sets *len. */
const char *objStringBytes(const obj *o, char *buf, size_t *len);
/* Length of a string object's value in bytes. */
size_t objStringLen(const obj *o);
/* The value as a dstr for in-place modification: converts to ENC_RAW first
 * (may reallocate for keyed EMBSTR objects: caller must use the db helper
 * dbUnshareString()). Only for bare or already-raw objects. */
/* Value as long long: 1 and *out when the string is a canonical integer. */
int objGetLongLong(const obj *o, long long *out);
/* Bytes used by the object (header, key, value structures). */
size_t objMemUsage(const obj *o);
/* Names for TYPE and OBJECT ENCODING. */
const char *objTypeName(int type);
const char *objEncodingName(int encoding);

/* LRU/LFU access data (24 bits), as Redis keeps it. The server sets the policy. */
unsigned int lruClock(void);                  /* current LRU clock (seconds resolution, 24 bits) */
unsigned long long objIdleTimeMs(const obj *o);  /* LRU policies */
void objTouch(obj *o);                        /* record an access under the current policy */
unsigned long lfuDecrAndReturn(obj *o);      /* LFU counter after decay */
void objSetLruIdle(obj *o, long long idle_seconds); /* RESTORE IDLETIME */
void objSetLfuFreq(obj *o, int freq);              /* RESTORE FREQ */
unsigned int lfuInitial(void);                /* initial LFU field for new objects */

#endif
