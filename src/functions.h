/* functions: FUNCTION * and FCALL (see functions.c). */
#ifndef CAIRN_FUNCTIONS_H
#define CAIRN_FUNCTIONS_H
#include <stddef.h>
#include "dstr.h"

#define FUNCTIONS_RESTORE_APPEND 0
#define FUNCTIONS_RESTORE_REPLACE 1
#define FUNCTIONS_RESTORE_FLUSH 2

/* FUNCTION RESTORE of `len` bytes at `p` (layout in functions.c): check the
 * footer (RDB version 1..13 or 80..81, CRC-64), compile every library in a
 * scratch context (each library's code may run at most `timeout_ms`, 0 = no
 * limit), then apply `policy` (FUNCTIONS_RESTORE_*). Returns 0, or -1 with
 * *err set (new dstr, Redis's text without "ERR ") and the loaded libraries
 * unchanged. */
int functionsRestore(const unsigned char *p, size_t len, int policy, long long timeout_ms, dstr *err);

/* Bytes allocated by the functions Lua interpreter (0 before the first load). */
size_t functionsMemoryLua(void);
/* Functions / libraries currently loaded. */
size_t functionsCount(void);
size_t functionsLibCount(void);

#endif
