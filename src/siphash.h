/* siphash: the keyed hash function behind every Cairn hash table.
 *
 * SipHash (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012) with
 * a 128-bit key and a 64-bit output.  The table hashes use the reduced-round
 * variant SipHash-1-2 (1 compression round per 8-byte word, 2 finalisation
 * rounds), the same trade-off Redis makes: still keyed, so a client cannot
 * precompute colliding keys without knowing the seed, and about twice as fast
 * as SipHash-2-4 on short keys.
 *
 * Algorithm summary (all words little-endian 64-bit, ROTL = rotate left):
 *   key k = k0 || k1 (two LE words read from the 16 key bytes)
 *   v0 = k0 ^ 0x736f6d6570736575   v1 = k1 ^ 0x646f72616e646f6d
 *   v2 = k0 ^ 0x6c7967656e657261   v3 = k1 ^ 0x7465646279746573
 *   for each full 8-byte word m of the message: v3 ^= m; c SipRounds; v0 ^= m
 *   last word b = (len mod 256) << 56 | remaining 0..7 bytes (LE)
 *   v3 ^= b; c SipRounds; v0 ^= b; v2 ^= 0xff; d SipRounds
 *   result = v0 ^ v1 ^ v2 ^ v3
 *
 * The process-wide seed starts as 16 zero bytes; the server sets a random one
 * at start-up (hashSetSeed) before any table is filled.  Changing the seed
 * while tables hold entries makes those entries unfindable.
 * Leaf module: no dependencies besides libc.  Not thread-safe against a
 * concurrent hashSetSeed (hashing itself is re-entrant). */
#ifndef CAIRN_SIPHASH_H
#define CAIRN_SIPHASH_H
#include <stddef.h>
#include <stdint.h>

/* Set the process-wide 16-byte seed (the SipHash key) used by hashBytes and
 * hashBytesNocase.  `seed` is copied; the caller keeps ownership. */
void hashSetSeed(const uint8_t seed[16]);

/* Copy the current process-wide seed into `out` (16 bytes). */
void hashGetSeed(uint8_t out[16]);

/* SipHash-1-2 of the `len` bytes at `p` (may be NULL when len is 0) with the
 * process-wide seed.  Binary-safe. Returns the 64-bit hash. */
uint64_t hashBytes(const void *p, size_t len);

/* Like hashBytes, but ASCII case-insensitive: every byte 'A'..'Z' is hashed
 * as the matching 'a'..'z', so hashBytesNocase("GET",3) ==
 * hashBytes("get",3).  Bytes >= 0x80 are hashed unchanged (no locale).
 * Used for command-name tables. */
uint64_t hashBytesNocase(const void *p, size_t len);

/* Generic SipHash-c-d of the `len` bytes at `p` with the explicit 16-byte
 * `key` (c >= 1 compression rounds, d >= 1 finalisation rounds).  With c=2,
 * d=4 this is the SipHash-2-4 of the paper (test vector: key 00..0f, message
 * 00..0e gives 0xa129ca6149be45e5).  `nocase` != 0 folds ASCII A-Z to a-z as
 * in hashBytesNocase.  Returns the 64-bit hash. */
uint64_t siphashCD(const void *p, size_t len, const uint8_t key[16], int c, int d, int nocase);

#endif
