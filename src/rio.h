/* rio: an in-memory byte stream, and the RDB primitives written on top of it.
 *
 * A rio is either a READER over a caller's buffer (never reads outside it) or
 * a WRITER into a growing dstr or into a fixed caller buffer. Every operation
 * returns 0 on success and -1 on error (RIO_OK / RIO_ERR). Errors are sticky:
 * after the first failure rioHasError() is 1 and every later operation fails
 * without touching the stream, so a decoder may chain calls and check once.
 * After an error the position and the output arguments of the failed call
 * are unspecified (outputs never point into freed memory); functions
 * returning a pointer return NULL on error. Reading from a writer or writing
 * to a reader is an error.
 *
 * Reader errors: not enough bytes left (nothing is ever read past the end),
 * malformed encodings, values out of range.
 * Writer errors: a fixed buffer is full (a write that does not fit writes
 * nothing). A dstr writer never fails (allocation failure aborts the
 * process, see zmalloc.h).
 *
 * The RDB primitives follow the formats Redis 7.0 writes in DUMP payloads and
 * RDB files (RDB versions 1-11); the tables below give each format byte by
 * byte. "BE" = big-endian, "LE" = little-endian.
 *
 * --- Length encoding (rioWriteLen / rioReadLen) -------------------------------
 * The two top bits of the first byte select the form:
 *
 *   | first byte | total size | value                                        |
 *   |------------|------------|----------------------------------------------|
 *   | 00xxxxxx   | 1          | xxxxxx (0..63)                               |
 *   | 01xxxxxx   | 2          | xxxxxx:next byte, 14 bits BE (0..16383)      |
 *   | 0x80       | 5          | bytes 1-4: u32 BE                            |
 *   | 0x81       | 9          | bytes 1-8: u64 BE                            |
 *   | 0x82-0xbf  | -          | invalid (error)                              |
 *   | 11xxxxxx   | 1          | "encoded" marker, xxxxxx = string encoding:  |
 *   |            |            | 0 int8, 1 int16, 2 int32, 3 LZF; else invalid |
 *
 * The writer always picks the shortest form (< 64, < 16384, <= UINT32_MAX,
 * else 0x81), as Redis does; the reader accepts a value written in a longer
 * form than needed.
 *
 * --- Strings (rioWriteString / rioReadString) --------------------------------
 *
 *   | form   | offset | size | content                                       |
 *   |--------|--------|------|-----------------------------------------------|
 *   | raw    | 0      | n    | length L (length encoding above)              |
 *   |        | n      | L    | the bytes                                     |
 *   | int8   | 0      | 1    | 0xc0                                          |
 *   |        | 1      | 1    | value, int8                                   |
 *   | int16  | 0      | 1    | 0xc1                                          |
 *   |        | 1      | 2    | value, int16 LE                               |
 *   | int32  | 0      | 1    | 0xc2                                          |
 *   |        | 1      | 4    | value, int32 LE                               |
 *   | LZF    | 0      | 1    | 0xc3                                          |
 *   |        | 1      | a    | compressed length C (length encoding)         |
 *   |        | 1+a    | b    | uncompressed length U (length encoding)       |
 *   |        | 1+a+b  | C    | LZF data (liblzf format) expanding to U bytes |
 *
 * Integer forms stand for the decimal text of the value ("-5", "300"). The
 * writer chooses exactly as Redis 7.0 does (so DUMP bytes match):
 *   1. if L <= 11 and the bytes are a canonical decimal integer (optional '-',
 *      no '+', no leading zeros, not "-0") in [-2^31, 2^31-1]: int8 when in
 *      [-128, 127], int16 when in [-32768, 32767], else int32;
 *   2. else, when compression is on and L > 20: LZF via liblzf
 *      lzf_compress() into a buffer of L - 4 bytes; used when it fits (so
 *      C <= L - 4), otherwise fall through; Cairn's one difference: when
 *      L >= 1 MiB, four 16 KiB samples spread over the string are compressed
 *      first, and if none of them shrinks by at least 1/16 the whole string is
 *      taken as incompressible and not tried (random or already compressed
 *      data; the LZF attempt would cost ~10 ms per MB for nothing). For such
 *      data Redis's own attempt fails too, so the bytes still match; only a
 *      string that is incompressible in all four samples yet compressible
 *      overall is written raw where Redis would write LZF (still valid RDB);
 *   3. else raw.
 * The reader accepts every form, whoever chose it. Validation: a raw length
 * or an LZF compressed length larger than the bytes left is an error before
 * anything is allocated; U must be at most 88*C (88 is the largest expansion
 * LZF can express: a 3-byte back reference copies at most 264 bytes), and
 * the data must expand to exactly U bytes while consuming exactly C bytes,
 * with every back reference inside the output produced so far. As in Redis
 * 7.0.15 (checked with RESTORE), U = 0 gives the empty string whatever the
 * C data bytes are (they are skipped), and C = 0 with U > 0 is an error.
 *
 * --- Doubles ------------------------------------------------------------------
 * Binary (RDB_TYPE_ZSET_2 scores, rioWriteDoubleBinary): 8 bytes, IEEE 754
 * binary64 LE.
 * Text (RDB_TYPE_ZSET = 3 scores, rioWriteDoubleText):
 *
 *   | offset | size | content                                              |
 *   |--------|------|------------------------------------------------------|
 *   | 0      | 1    | N: 253 = NaN, 254 = +inf, 255 = -inf (no more bytes), |
 *   |        |      | else the length of the text that follows (0..252)    |
 *   | 1      | N    | ASCII text of the value                              |
 *
 * The writer prints integral values with |v| < 2^52 as plain integers
 * ("5000000000") and every other finite value with "%.17g", as Redis does.
 * The reader parses the text like C's sscanf("%lg") (leading blanks and
 * trailing bytes after a valid number are tolerated, as in Redis); no number
 * at all is an error.
 *
 * --- Times ----------------------------------------------------------------------
 * Millisecond time (RDB_OPCODE_EXPIRETIME_MS etc.): 8 bytes, int64 LE.
 * Second time (RDB_OPCODE_EXPIRETIME, RDB < 3): 4 bytes, int32 LE.
 *
 * Leaf module: depends on zmalloc, dstr and liblzf (link -llzf). */
#ifndef CAIRN_RIO_H
#define CAIRN_RIO_H
#include "dstr.h"
#include <stddef.h>
#include <stdint.h>

#define RIO_OK 0
#define RIO_ERR -1

/* String encodings carried by the 11xxxxxx length marker. */
#define RIO_ENC_INT8 0
#define RIO_ENC_INT16 1
#define RIO_ENC_INT32 2
#define RIO_ENC_LZF 3

/* Text double special length bytes. */
#define RIO_DOUBLE_NAN 253
#define RIO_DOUBLE_POSINF 254
#define RIO_DOUBLE_NEGINF 255

/* Largest bytes a length encoding takes (0x81 + 8). */
#define RIO_LEN_MAX_SIZE 9

#define RIO_MODE_READ 1
#define RIO_MODE_WRITE_DSTR 2
#define RIO_MODE_WRITE_BUF 3

/* The stream. Fields are private: use the functions below. */
typedef struct rio {
    int mode;                  /* RIO_MODE_* */
    int error;                 /* sticky error flag */
    const unsigned char *rbuf; /* reader: input bytes */
    unsigned char *wbuf;       /* buffer writer: output area */
    size_t cap;                /* reader: input length; buffer writer: capacity */
    size_t pos;                /* reader: next byte; writers: bytes written */
    dstr out;                  /* dstr writer: output (owned by the rio) */
} rio;

/* ---- set-up ---------------------------------------------------------------- */

/* Reader over `len` bytes at `buf` (may be NULL when len is 0). The bytes are
 * borrowed: they must stay valid and unchanged while the rio is used. */
void rioInitReader(rio *r, const void *buf, size_t len);

/* Writer appending to `s` (a heap dstr, taken over by the rio; NULL starts a
 * new empty one). Get the result with rioDetachDstr(). */
void rioInitDstrWriter(rio *r, dstr s);

/* Writer into `cap` bytes at `buf` (borrowed). Writes that do not fit fail. */
void rioInitBufferWriter(rio *r, void *buf, size_t cap);

/* Dstr writer: hand the written string to the caller (who must dstrfree it)
 * and leave the rio with no string (further writes fail). NULL for other
 * modes or if already detached. */
dstr rioDetachDstr(rio *r);

/* Free the string still owned by a dstr writer (no-op for other modes). */
void rioRelease(rio *r);

/* ---- state ------------------------------------------------------------------ */

/* Reader: bytes consumed. Writers: bytes written. */
size_t rioTell(const rio *r);
/* Reader: bytes left to read. Buffer writer: free space. Dstr writer: SIZE_MAX. */
size_t rioRemaining(const rio *r);
/* 1 once any operation has failed, else 0. */
int rioHasError(const rio *r);

/* ---- raw bytes ---------------------------------------------------------------- */

/* Copy the next `n` bytes into `dst`. Error (position unchanged) if fewer remain. */
int rioRead(rio *r, void *dst, size_t n);
/* Pointer to the next `n` bytes inside the reader's buffer, then skip them
 * (zero-copy). NULL on error. */
const unsigned char *rioReadPtr(rio *r, size_t n);
/* Skip `n` bytes. */
int rioSkip(rio *r, size_t n);
/* Append `n` bytes. */
int rioWrite(rio *r, const void *src, size_t n);

int rioReadU8(rio *r, uint8_t *v);
int rioReadU16LE(rio *r, uint16_t *v);
int rioReadU32LE(rio *r, uint32_t *v);
int rioReadU64LE(rio *r, uint64_t *v);
int rioWriteU8(rio *r, uint8_t v);
int rioWriteU16LE(rio *r, uint16_t v);
int rioWriteU32LE(rio *r, uint32_t v);
int rioWriteU64LE(rio *r, uint64_t v);

/* ---- RDB length --------------------------------------------------------------- */

/* Write `len` in the shortest length form (1, 2, 5 or 9 bytes). */
int rioWriteLen(rio *r, uint64_t len);
/* Bytes rioWriteLen would use for `len`: 1, 2, 5 or 9. */
size_t rioLenSize(uint64_t len);
/* Read a length. For an 11xxxxxx marker: if `is_encoded` is non-NULL, sets
 * *is_encoded = 1 and *len = the encoding (RIO_ENC_*; 4..63 are returned
 * as read, the caller decides); if `is_encoded` is NULL the marker is an
 * error. Otherwise *is_encoded = 0 (when non-NULL) and *len = the length.
 * Error on truncation or a 0x82-0xbf first byte. */
int rioReadLen(rio *r, uint64_t *len, int *is_encoded);

/* ---- RDB strings ---------------------------------------------------------------- */

/* Write `len` bytes at `s` as an RDB string, choosing the encoding like Redis
 * with compression on (see the table above). */
int rioWriteString(rio *r, const void *s, size_t len);
/* Same, with LZF allowed only when `compress` is non-zero (Redis's
 * `rdbcompression` setting). Integer forms are used either way. */
int rioWriteStringEx(rio *r, const void *s, size_t len, int compress);

/* rioWriteString in two steps, so that the LZF work of many strings can run
 * on several threads (parallel.h) and the writing stays in order:
 * rioCompressString makes exactly the choice rioWriteString makes (LZF only
 * when len > 20, the probe above for len >= 1 MiB, liblzf into len - 4
 * bytes) and returns the LZF length, with the LZF bytes in *out (zmalloc'ed,
 * the caller frees), or 0 and *out = NULL when the raw or integer form is to
 * be written. Thread-safe (touches no rio). rioWriteStringPrepared then
 * writes what rioWriteString(r, s, len) would have written, given that result. */
size_t rioCompressString(const void *s, size_t len, unsigned char **out);
int rioWriteStringPrepared(rio *r, const void *s, size_t len, const unsigned char *lzf, size_t clen);
/* Write the decimal text of `v` as an RDB string: int8/int16/int32 form when
 * it fits, else raw text (same bytes as rioWriteString of the text). */
int rioWriteStringFromInt(rio *r, long long v);
/* Write `len` bytes as a raw string (length + bytes), no other encoding. */
int rioWriteRawString(rio *r, const void *s, size_t len);

/* Read an RDB string in any form into a new heap dstr (integer forms become
 * their decimal text). Caller frees with dstrfree. NULL on error. */
dstr rioReadString(rio *r);
/* Same, into `cap` bytes at `buf`; *len receives the string length. A string
 * longer than `cap` is an error. `buf` may be NULL when cap is 0. */
int rioReadStringBuf(rio *r, void *buf, size_t cap, size_t *len);

/* A string found in a reader's input but not decoded yet: the header is
 * checked (bounds, LZF ratio limit) as rioReadString checks it. */
typedef struct rioStringRef {
    int is_int;                /* integer form: ival; len is its decimal length */
    long long ival;
    const unsigned char *data; /* raw bytes, or LZF data, inside the input */
    size_t len;                /* decoded length */
    size_t clen;               /* LZF: compressed length; 0 for raw */
} rioStringRef;
/* Read a string's header and step over its bytes; RIO_OK or RIO_ERR (the
 * reader's error is set). */
int rioReadStringRef(rio *r, rioStringRef *ref);
/* Decode `ref` into out[0 .. ref->len): RIO_OK, or RIO_ERR for LZF data that
 * does not expand to exactly ref->len bytes. Thread-safe (no rio involved). */
int rioExpandStringRef(const rioStringRef *ref, unsigned char *out);
/* Read an RDB string keeping integer forms as integers: returns 1 and sets
 * *ival for the int8/int16/int32 forms (*s = NULL); returns 0 and sets *s (a
 * new heap dstr; raw or LZF) otherwise; -1 on error. Raw text that happens
 * to look like a number is returned as text. */
int rioReadStringOrInt(rio *r, dstr *s, long long *ival);

/* ---- doubles and times -------------------------------------------------------- */

int rioWriteDoubleBinary(rio *r, double v);
int rioReadDoubleBinary(rio *r, double *v);
int rioWriteDoubleText(rio *r, double v);
int rioReadDoubleText(rio *r, double *v);
int rioWriteMillisecondTime(rio *r, int64_t ms);
int rioReadMillisecondTime(rio *r, int64_t *ms);
int rioWriteSecondTime(rio *r, int32_t sec);
int rioReadSecondTime(rio *r, int32_t *sec);

#endif
