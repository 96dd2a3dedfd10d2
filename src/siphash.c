/* SipHash-c-d, written from the description in the SipHash paper.
 * See siphash.h for the algorithm summary and the API contract. */
#include "siphash.h"
#include <string.h>

static uint8_t hash_seed[16];

void hashSetSeed(const uint8_t seed[16]) { memcpy(hash_seed, seed, sizeof(hash_seed)); }
void hashGetSeed(uint8_t out[16]) { memcpy(out, hash_seed, sizeof(hash_seed)); }

static inline uint64_t rotl64(uint64_t x, unsigned b) { return (x << b) | (x >> (64 - b)); }

static inline uint8_t foldByte(uint8_t c, int nocase) {
    return (nocase && c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Little-endian load of 8 bytes, optionally case-folded; independent of the
 * host byte order. */
static inline uint64_t load64le(const uint8_t *p, int nocase) {
    uint64_t w;
    if (!nocase) {
        memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        return w;
    }
    w = 0;
    for (int i = 7; i >= 0; i--) w = (w << 8) | foldByte(p[i], nocase);
    return w;
}

#define SIPROUND()                                                                                                     \
    do {                                                                                                               \
        v0 += v1;                                                                                                      \
        v1 = rotl64(v1, 13);                                                                                           \
        v1 ^= v0;                                                                                                      \
        v0 = rotl64(v0, 32);                                                                                           \
        v2 += v3;                                                                                                      \
        v3 = rotl64(v3, 16);                                                                                           \
        v3 ^= v2;                                                                                                      \
        v0 += v3;                                                                                                      \
        v3 = rotl64(v3, 21);                                                                                           \
        v3 ^= v0;                                                                                                      \
        v2 += v1;                                                                                                      \
        v1 = rotl64(v1, 17);                                                                                           \
        v1 ^= v2;                                                                                                      \
        v2 = rotl64(v2, 32);                                                                                           \
    } while (0)

/* Shared body; `c` and `d` are compile-time constants at the hot call sites
 * below, so the compiler unrolls the round loops there. */
static inline uint64_t siphashBody(const uint8_t *in, size_t len, const uint8_t key[16], int c, int d, int nocase) {
    uint64_t k0 = load64le(key, 0), k1 = load64le(key + 8, 0);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;

    size_t full = len & ~(size_t)7;
    for (size_t off = 0; off < full; off += 8) {
        uint64_t m = load64le(in + off, nocase);
        v3 ^= m;
        for (int r = 0; r < c; r++) SIPROUND();
        v0 ^= m;
    }

    uint64_t b = (uint64_t)(len & 0xff) << 56;
    size_t left = len - full;
    if (left) {
        uint8_t tail[8] = {0};
        memcpy(tail, in + full, left);
        b |= load64le(tail, nocase) & (~0ULL >> (8 * (8 - left)));
    }
    v3 ^= b;
    for (int r = 0; r < c; r++) SIPROUND();
    v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < d; r++) SIPROUND();
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphashCD(const void *p, size_t len, const uint8_t key[16], int c, int d, int nocase) {
    return siphashBody(p, len, key, c, d, nocase);
}

uint64_t hashBytes(const void *p, size_t len) { return siphashBody(p, len, hash_seed, 1, 2, 0); }

uint64_t hashBytesNocase(const void *p, size_t len) { return siphashBody(p, len, hash_seed, 1, 2, 1); }
