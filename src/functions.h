/* functions: FUNCTION * and FCALL (see functions.c). */
#ifndef CAIRN_FUNCTIONS_H
#define CAIRN_FUNCTIONS_H
#include <stddef.h>

/* Bytes allocated by the functions Lua interpreter (0 before the first load). */
size_t functionsMemoryLua(void);
/* Functions / libraries currently loaded. */
size_t functionsCount(void);
size_t functionsLibCount(void);

#endif
