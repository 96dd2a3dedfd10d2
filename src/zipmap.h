/* zipmap: read-only access to Redis's legacy "zipmap" hash encoding.
 *
 * Redis 2.x stored small hashes as zipmaps; RDB files and DUMP payloads carry
 * them as RDB_TYPE_HASH_ZIPMAP (9): the zipmap blob as one RDB string (raw
 * or LZF). Cairn only reads them, to convert them to listpack hashes.
 * Format as written by Redis 2.x (checked against Redis 7.0.15's RESTORE):
 *
 * Zipmap:
 *   | offset | size | field                                                  |
 *   |--------|------|--------------------------------------------------------|
 *   | 0      | 1    | zmlen: number of pairs when < 254; 254 = count them    |
 *   | 1      | ...  | pairs, back to back                                    |
 *   | ...    | 1    | 0xff end marker, where the next pair would start       |
 *
 * Pair:
 *   | part   | size      | content                                         |
 *   |--------|-----------|-------------------------------------------------|
 *   | klen   | 1 or 5    | key length (length form below)                  |
 *   | key    | klen      | key bytes                                       |
 *   | vlen   | 1 or 5    | value length (length form below)                |
 *   | free   | 1         | unused bytes after the value (0..255)           |
 *   | value  | vlen      | value bytes                                     |
 *   | unused | free      | ignored                                         |
 *
 * Length form:
 *   | first byte | size | value                                            |
 *   |------------|------|--------------------------------------------------|
 *   | 0x00-0xfd  | 1    | the byte (0..253)                                |
 *   | 0xfe       | 5    | bytes 1-4, u32 LE (host order of the x86 servers |
 *   |            |      | that wrote them); must be >= 254                 |
 *   | 0xff       | -    | end marker where a key length is expected;       |
 *   |            |      | invalid where a value length is expected         |
 *
 * Acceptance matches Redis 7.0.15: a 5-byte form holding a length below 254
 * is refused (Redis's reader would misplace the data), bytes after the first
 * end marker are ignored as long as the blob's last byte is 0xff, and zmlen
 * must equal the pair count unless it is 254. Redis also refuses an empty
 * zipmap and duplicate keys: those are the caller's checks (zipmapCount(),
 * and the pair callback / iterator), since they are about the hash, not the
 * encoding.
 *
 * Nothing here allocates memory. Every function takes the blob's size and
 * never reads outside [zm, zm + size), whatever the bytes are.
 * Leaf module: includes no server header. */
#ifndef CAIRN_ZIPMAP_H
#define CAIRN_ZIPMAP_H
#include <stddef.h>
#include <stdint.h>

#define ZIPMAP_BIGLEN 254 /* zmlen "count them"; 5-byte length marker */
#define ZIPMAP_END 255
/* Smallest valid blob: zmlen + end marker (an empty zipmap). */
#define ZIPMAP_MIN_SIZE 2

/* Called by deep validation for every pair, in order. Pointers are into the
 * zipmap. Return 1 to go on, 0 to make the validation fail. */
typedef int (*zipmapPairCallback)(const unsigned char *key, uint32_t klen, const unsigned char *val, uint32_t vlen,
                                  void *userdata);

/* Check that `size` bytes at `zm` are a well-formed zipmap. Returns 1 if
 * valid, 0 if not.
 * Always checked: size >= 2 and the last byte is 0xff.
 * With `deep` non-zero, also: every pair's lengths use a valid form and the
 * pair (key, value and its free bytes) ends before the blob's last byte; the
 * walk ends at an end marker; zmlen equals the number of pairs unless it is
 * 254. `pair_cb` (may be NULL) is called for each pair. An empty zipmap
 * passes (see above). */
int zipmapValidateIntegrity(const unsigned char *zm, size_t size, int deep, zipmapPairCallback pair_cb,
                            void *userdata);

/* Number of pairs, counted by walking (zmlen is not trusted). Returns
 * SIZE_MAX if the walk fails. */
size_t zipmapCount(const unsigned char *zm, size_t size);

/* Forward iterator over the pairs. Fields are private. */
typedef struct zipmapIter {
    const unsigned char *zm;
    size_t size;
    size_t pos;
    int state; /* 0 running, 1 finished, -1 malformed */
} zipmapIter;

/* Start iterating `size` bytes at `zm` (the shallow checks are done here; a
 * failure makes the first zipmapIterNext fail). */
void zipmapIterInit(zipmapIter *it, const unsigned char *zm, size_t size);

/* Next pair: returns 1 and sets the key and value (pointers into the
 * zipmap), 0 at the end marker, -1 if malformed (same per-pair checks as
 * deep validation). After 0 or -1 it keeps returning that. */
int zipmapIterNext(zipmapIter *it, const unsigned char **key, uint32_t *klen, const unsigned char **val,
                   uint32_t *vlen);

#endif
