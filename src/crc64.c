/* crc64: CRC-64/Jones (reflected, poly 0xad93d23594c935a9, init 0, no final
 * xor), slice-by-8 tables and PCLMULQDQ folding. See crc64.h.
 *
 * ---------------------------------------------------------------------------
 * Notation used by the derivation below
 * ---------------------------------------------------------------------------
 * P(x) = x^64 + Pn(x), Pn = 0xad93d23594c935a9 (bit i = coefficient of x^i).
 * A message of n bits, each byte taken least significant bit first, is the
 * polynomial M(x) whose first bit is the coefficient of x^(n-1). With init 0
 * and no final xor the CRC is  C = M(x) * x^64 mod P(x), stored "reflected":
 * bit i of the 64-bit CRC value is the coefficient of x^(63-i).
 *
 * Reflected representations: for a polynomial A of degree < w, Rw(A) is the
 * w-bit integer with the coefficient of x^k at bit (w-1-k). Loading 16
 * message bytes little-endian into a 128-bit register gives R128 of the
 * 128-bit chunk; its low half is R64 of the first 8 bytes (the high-order
 * part H), its high half R64 of the last 8 (the low-order part L):
 * chunk = H*x^64 + L.
 *
 * PCLMULQDQ on reflected operands: for a, b of degree < 64,
 *   clmul(R64(a), R64(b)) = R128(a * b * x)
 * (bit (63-i)+(63-j) = 126-(i+j) = 127-((i+j)+1)): the product comes out
 * multiplied by one extra x. Every constant below absorbs it by using the
 * exponent one lower than the mathematical one.
 *
 * Continuing a CRC: if crc = R64(S), appending message B gives
 * (prefix*x^|B| + B)*x^64 = (B + S*x^(|B|-64))*x^64 mod P, i.e. the previous
 * CRC is xor-ed into the first 8 bytes of B (little-endian). Both
 * implementations start that way.
 *
 * ---------------------------------------------------------------------------
 * Folding (the main loop)
 * ---------------------------------------------------------------------------
 * An accumulator holding chunk A = H*x^64 + L that lies D bits before the
 * next chunk B of its lane must become A*x^D + B. Modulo P:
 *   A*x^D = H*x^(D+64) + L*x^D == H*(x^(D+63) mod P)*x + L*(x^(D-1) mod P)*x
 * so with KH(D) = R64(x^(D+63) mod P) and KL(D) = R64(x^(D-1) mod P):
 *   acc' = clmul(lo64(acc), KH(D)) ^ clmul(hi64(acc), KL(D)) ^ B
 * Both products have degree <= 127 and fit the 128-bit register. The result
 * is congruent to, not equal to, the exact remainder, which is all the
 * reduction at the end needs.
 *
 * Distances used: D = 1024 (8 lanes x 16 bytes advance 128 bytes per step),
 * D = 128*j for j = 1..7 (merging lane i into lane 7 with j = 7 - i) and
 * D = 128 (one lane, 16 bytes at a time).
 *
 * ---------------------------------------------------------------------------
 * Final reduction (128-bit accumulator A -> 64-bit CRC)
 * ---------------------------------------------------------------------------
 * The CRC of everything folded so far is C = A*x^64 mod P.
 * 1. With A = H*x^64 + L:  A*x^64 = H*x^128 + L*x^64 == T, where
 *      T = H*(x^127 mod P)*x + L*x^64                      (degree <= 127)
 *    R128(L*x^64) is hi64(acc) moved to the low half, so
 *      R128(T) = clmul(lo64(acc), KL(128)) ^ (acc >> 64).
 *    Write T = T1*x^64 + T0; lo64 = R64(T1), hi64 = R64(T0).
 * 2. Barrett: with nu = floor(x^128 / P) (degree 64) the quotient is
 *      q = floor(T1*nu / x^64)          (exact because deg T < 128).
 *    nu has 65 coefficients; split nu = x*MU + nu0 with MU = floor(nu / x) =
 *    floor(x^127 / P) (degree 63). nu0*T1 has degree < 64 and drops out of
 *    the floor, so  R64(q) = lo64(clmul(R64(T1), R64(MU))).
 * 3. C = (T + q*P) mod x^64 = T0 + (q*P mod x^64). Split P = x*PX + 1 with
 *    PX = floor(P / x) = x^63 + (Pn >> 1):
 *      q*P mod x^64 = (q*PX*x mod x^64) + q
 *    and R64(q*PX*x mod x^64) = hi64(clmul(R64(q), R64(PX))). Hence
 *      crc = hi64(R128(T)) ^ hi64(clmul(R64(q), R64(PX))) ^ R64(q).
 *
 * All constants are computed by crc64Init(): x^n mod P by repeated
 * multiplication by x (shift left, xor Pn when x^64 appears), MU by the same
 * walk from x^63 to x^127 while collecting the quotient bits, then bit
 * reversal into the reflected form.
 */
#include "crc64.h"
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC64_X86_CLMUL 1
#include <immintrin.h>
#include <wmmintrin.h>
#endif

#define CRC64_POLY 0xad93d23594c935a9ULL /* normal form, x^64 implied */

static uint64_t crc64_table[8][256];
static atomic_int crc64_ready;
static pthread_once_t crc64_once = PTHREAD_ONCE_INIT;
static int crc64_use_clmul;

/* Reflected folding constants, see the derivation at the top of this file. */
static struct {
    uint64_t kh[8], kl[8]; /* index j: distance 128*j bits; [0] unused */
    uint64_t kh1024, kl1024;
    uint64_t mu; /* R64(floor(x^127 / P)) */
    uint64_t px; /* R64(floor(P / x)) */
} K;

static uint64_t bitrev64(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

/* x^n mod P in normal form (bit i = coefficient of x^i). */
static uint64_t xpowmod(unsigned n) {
    uint64_t v = 1;
    while (n--) v = (v << 1) ^ ((v >> 63) ? CRC64_POLY : 0);
    return v;
}

/* floor(x^127 / P) in normal form: walk x^k = Q_k*P + R_k from k = 63
 * (Q = 0, R = x^63) to k = 127; each step multiplies by x and, when R
 * overflows into x^64, subtracts P and records a 1 quotient bit. */
static uint64_t quotient127(void) {
    uint64_t r = 1ULL << 63, q = 0;
    for (int k = 63; k < 127; k++) {
        uint64_t top = r >> 63;
        r = (r << 1) ^ (top ? CRC64_POLY : 0);
        q = (q << 1) | top;
    }
    return q;
}

static void crc64DoInit(void) {
    /* Reflected polynomial for the bit-at-a-time table construction. */
    const uint64_t rpoly = bitrev64(CRC64_POLY);
    for (int b = 0; b < 256; b++) {
        uint64_t c = (uint64_t)b;
        for (int i = 0; i < 8; i++) c = (c & 1) ? (c >> 1) ^ rpoly : c >> 1;
        crc64_table[0][b] = c;
    }
    /* table[k][b]: the byte b followed by k zero bytes. */
    for (int k = 1; k < 8; k++)
        for (int b = 0; b < 256; b++) {
            uint64_t c = crc64_table[k - 1][b];
            crc64_table[k][b] = (c >> 8) ^ crc64_table[0][c & 0xff];
        }

    for (unsigned j = 1; j < 8; j++) {
        K.kh[j] = bitrev64(xpowmod(128 * j + 63));
        K.kl[j] = bitrev64(xpowmod(128 * j - 1));
    }
    K.kh1024 = bitrev64(xpowmod(1024 + 63));
    K.kl1024 = bitrev64(xpowmod(1024 - 1));
    K.mu = bitrev64(quotient127());
    K.px = bitrev64((1ULL << 63) | (CRC64_POLY >> 1));

#ifdef CRC64_X86_CLMUL
    __builtin_cpu_init();
    crc64_use_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#else
    crc64_use_clmul = 0;
#endif
    atomic_store_explicit(&crc64_ready, 1, memory_order_release);
}

void crc64Init(void) { pthread_once(&crc64_once, crc64DoInit); }

static inline void ensureInit(void) {
    if (!atomic_load_explicit(&crc64_ready, memory_order_acquire)) crc64Init();
}

int crc64HasClmul(void) {
    ensureInit();
    return crc64_use_clmul;
}

static inline uint64_t load64le(const unsigned char *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t slice8(uint64_t crc, const unsigned char *p, size_t len) {
    while (len && ((uintptr_t)p & 7)) {
        crc = crc64_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        len--;
    }
    while (len >= 8) {
        crc ^= load64le(p);
        crc = crc64_table[7][crc & 0xff] ^ crc64_table[6][(crc >> 8) & 0xff] ^
              crc64_table[5][(crc >> 16) & 0xff] ^ crc64_table[4][(crc >> 24) & 0xff] ^
              crc64_table[3][(crc >> 32) & 0xff] ^ crc64_table[2][(crc >> 40) & 0xff] ^
              crc64_table[1][(crc >> 48) & 0xff] ^ crc64_table[0][crc >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) crc = crc64_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint64_t crc64Slice8(uint64_t crc, const void *p, size_t len) {
    ensureInit();
    if (len == 0) return crc;
    return slice8(crc, p, len);
}

#ifdef CRC64_X86_CLMUL
#define CLMUL_TARGET __attribute__((target("pclmul,sse4.1")))

/* acc * x^D + next, with k = (KH(D) in the low half, KL(D) in the high half). */
CLMUL_TARGET static inline __m128i fold(__m128i acc, __m128i k, __m128i next) {
    __m128i h = _mm_clmulepi64_si128(acc, k, 0x00);
    __m128i l = _mm_clmulepi64_si128(acc, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(h, l), next);
}

CLMUL_TARGET static inline __m128i kpair(uint64_t kh, uint64_t kl) {
    return _mm_set_epi64x((long long)kl, (long long)kh);
}

/* Requires len >= 16. Folds all whole 16-byte blocks, reduces, then finishes
 * the len % 16 tail with the tables. */
CLMUL_TARGET static uint64_t clmulCrc(uint64_t crc, const unsigned char *p, size_t len) {
    __m128i acc;
    const __m128i seed = _mm_cvtsi64_si128((long long)crc);
    if (len >= 256) {
        __m128i a[8];
        for (int i = 0; i < 8; i++) a[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        a[0] = _mm_xor_si128(a[0], seed);
        p += 128;
        len -= 128;
        const __m128i k1024 = kpair(K.kh1024, K.kl1024);
        while (len >= 128) {
            for (int i = 0; i < 8; i++)
                a[i] = fold(a[i], k1024, _mm_loadu_si128((const __m128i *)(p + 16 * i)));
            p += 128;
            len -= 128;
        }
        /* Lane i sits 7 - i chunks before lane 7. */
        acc = a[7];
        for (int i = 0; i < 7; i++) acc = fold(a[i], kpair(K.kh[7 - i], K.kl[7 - i]), acc);
    } else {
        acc = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), seed);
        p += 16;
        len -= 16;
    }
    const __m128i k128 = kpair(K.kh[1], K.kl[1]);
    while (len >= 16) {
        acc = fold(acc, k128, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }

    /* Step 1: R128(T) = clmul(lo64(acc), KL(128)) ^ (acc >> 64). */
    __m128i t = _mm_xor_si128(_mm_clmulepi64_si128(acc, k128, 0x10), _mm_srli_si128(acc, 8));
    /* Step 2: R64(q) = lo64(clmul(R64(T1), R64(MU))). */
    const __m128i consts = _mm_set_epi64x((long long)K.px, (long long)K.mu);
    __m128i q = _mm_clmulepi64_si128(t, consts, 0x00);
    /* Step 3: crc = T0 ^ hi64(clmul(R64(q), R64(PX))) ^ R64(q). */
    __m128i u = _mm_clmulepi64_si128(q, consts, 0x10);
    uint64_t out = (uint64_t)_mm_extract_epi64(t, 1) ^ (uint64_t)_mm_extract_epi64(u, 1) ^
                   (uint64_t)_mm_cvtsi128_si64(q);
    return len ? slice8(out, p, len) : out;
}
#endif

uint64_t crc64Clmul(uint64_t crc, const void *p, size_t len) {
    ensureInit();
#ifdef CRC64_X86_CLMUL
    if (crc64_use_clmul && len >= 16) return clmulCrc(crc, p, len);
#endif
    return len ? slice8(crc, p, len) : crc;
}

/* Below this size the table code is as fast as setting up the folding. */
#define CRC64_CLMUL_MIN 64

uint64_t crc64(uint64_t crc, const void *p, size_t len) {
    ensureInit();
#ifdef CRC64_X86_CLMUL
    if (crc64_use_clmul && len >= CRC64_CLMUL_MIN) return clmulCrc(crc, p, len);
#endif
    return len ? slice8(crc, p, len) : crc;
}
