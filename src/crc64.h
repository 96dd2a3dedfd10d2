/* crc64: the CRC-64 that protects DUMP payloads and RDB files.
 *
 * Algorithm: CRC-64/Jones exactly as Redis 7.0 computes it for DUMP/RESTORE and
 * the RDB file trailer:
 *
 *   | parameter        | value                                         |
 *   |------------------|-----------------------------------------------|
 *   | width            | 64 bits                                       |
 *   | polynomial       | 0xad93d23594c935a9 (normal form; x^64 implied) |
 *   | reflected in/out | yes (bytes are consumed least significant bit first) |
 *   | initial value    | 0                                             |
 *   | final xor        | 0                                             |
 *   | check value      | crc64(0, "123456789", 9) = 0xe9c6d914c4b8d9ca |
 *
 * Where it appears: a DUMP payload ends with 8 bytes holding, little-endian,
 * the CRC of every byte before them (type byte, object, 2 version bytes).
 *
 * Two implementations give identical results for every input:
 *   - crc64Slice8: table-driven "slice-by-8" (8 tables of 256 entries, 16 KB),
 *     portable C, about 1.5-2 GB/s;
 *   - crc64Clmul: carry-less multiplication folding with PCLMULQDQ (x86-64),
 *     8 independent 128-bit accumulators, Barrett reduction at the end. The
 *     folding constants are derived by crc64Init() from the polynomial (see the
 *     derivation in crc64.c).
 * crc64() picks the CLMUL code at run time when the CPU has PCLMULQDQ
 * (`__builtin_cpu_supports("pclmul")`) and the buffer is long enough to gain.
 *
 * Thread safety: after initialisation every function is a pure function of its
 * arguments. Initialisation is done once (pthread_once) by crc64Init() or, if it
 * was not called, by the first CRC call.
 * Leaf module: no allocation, includes no server header. */
#ifndef CAIRN_CRC64_H
#define CAIRN_CRC64_H
#include <stddef.h>
#include <stdint.h>

/* Build the slice-by-8 tables, derive the CLMUL folding constants and detect
 * PCLMULQDQ support. Idempotent and thread-safe; cheap to call more than once. */
void crc64Init(void);

/* CRC-64/Jones of `len` bytes at `p` (any alignment; `p` may be NULL when len
 * is 0), continuing from `crc`: pass 0 to start, or the previous result to
 * extend a CRC over a message given in several pieces, so
 *   crc64(crc64(0, a, n), b, m) == crc64(0, a||b, n+m).
 * Returns the new CRC value (the bytes stored in a DUMP footer are this value
 * little-endian). Uses crc64Clmul when the CPU supports it, else crc64Slice8. */
uint64_t crc64(uint64_t crc, const void *p, size_t len);

/* Same contract as crc64(), always with the slice-by-8 tables. */
uint64_t crc64Slice8(uint64_t crc, const void *p, size_t len);

/* Same contract as crc64(), with PCLMULQDQ folding for the bulk of the buffer
 * (the final len % 16 bytes, and buffers under 16 bytes, go through the
 * tables). On a CPU (or build target) without PCLMULQDQ it computes the same
 * result with crc64Slice8. */
uint64_t crc64Clmul(uint64_t crc, const void *p, size_t len);

/* 1 if crc64Clmul really uses PCLMULQDQ on this machine, else 0. */
int crc64HasClmul(void);

#endif
