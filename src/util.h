/* util: number <-> text conversions and glob matching, as Redis defines them.
 * Leaf module (libc only). */
#ifndef CAIRN_UTIL_H
#define CAIRN_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* Longest text of a long long / double written by the functions below. */
#define LONG_STR_SIZE 21
#define MAX_D2STRING_CHARS 128
#define MAX_LONG_DOUBLE_CHARS 5120

/* Parse a strict decimal integer: optional '-', digits, no leading zeros
 * (except "0"), no spaces or '+', must fit. Returns 1 and *value, or 0. */
int string2ll(const char *s, size_t len, long long *value);
int string2l(const char *s, size_t len, long *value);
int string2ull(const char *s, unsigned long long *value); /* NUL-terminated, digits only */
/* Write `v` in decimal to dst (size >= LONG_STR_SIZE); returns the length, 0 if too small. */
int ll2string(char *dst, size_t dstlen, long long v);
int ull2string(char *dst, size_t dstlen, unsigned long long v);
/* Parse a double as Redis does for scores and INCRBYFLOAT arguments: strtod
 * over the whole string, no leading space, "inf"/"+inf"/"-inf" accepted,
 * NaN and out-of-range results rejected. Returns 1 and *value, or 0. */
int string2d(const char *s, size_t len, double *value);
/* Same with long double (INCRBYFLOAT). */
int string2ld(const char *s, size_t len, long double *value);
/* Shortest text that reads back to exactly `v` (Redis 7.2 format): fixed
 * notation when the decimal exponent is in [-5, 16], otherwise d.ddde+XX;
 * "inf", "-inf", "nan"; -0 gives "-0". Returns the length (buf >= MAX_D2STRING_CHARS). */
int d2string(char *buf, size_t len, double v);
/* Long double as INCRBYFLOAT prints it ("human friendly"): %.17Lf with
 * trailing zeros (and a trailing '.') removed; "inf"/"-inf". Returns the length,
 * 0 if it does not fit. */
int ld2string(char *buf, size_t len, long double v);
/* Glob-style match of string against pattern (*, ?, [abc], [^a-z], \x), optional
 * ASCII case folding. Returns 1 on match. Bounded recursion depth. */
int stringmatchlen(const char *pattern, size_t patlen, const char *string, size_t strlen, int nocase);
int stringmatch(const char *pattern, const char *string, int nocase);
/* Parse memory sizes like "1gb", "100mb", "512k", "42" (bytes). Returns 1 and *out, or 0. */
int memtoull(const char *p, unsigned long long *out);
/* Fill `p` with `len` random hex characters from /dev/urandom (fallback: time-seeded). */
void getRandomHexChars(char *p, size_t len);
/* Fill `p` with `len` random bytes. */
void getRandomBytes(unsigned char *p, size_t len);

#endif
