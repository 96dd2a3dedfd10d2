/* eval: EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT (see eval.c). */
#ifndef CAIRN_EVAL_H
#define CAIRN_EVAL_H
#include <stddef.h>
#include "dstr.h"

/* Bytes allocated by the EVAL Lua interpreter (0 before the first script). */
size_t evalMemoryLua(void);
/* Scripts in the EVAL cache. */
size_t evalScriptsCount(void);
/* Append the scripting fields of INFO memory (Redis 7.0 names and order:
 * used_memory_lua, used_memory_vm_eval, used_memory_lua_human,
 * number_of_cached_scripts, number_of_functions, number_of_libraries,
 * used_memory_vm_functions, used_memory_vm_total,
 * used_memory_vm_total_human) to `s`; returns the new dstr. */
dstr evalInfoMemory(dstr s);

#endif
