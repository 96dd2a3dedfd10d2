/* types: registers every value type's methods (free, dup, memory usage) with
 * object.c at start-up. Each t_<type>.c exposes one <type>TypeRegister(). */
#ifndef CAIRN_TYPES_H
#define CAIRN_TYPES_H

void typesRegisterAll(void);
void streamTypeRegister(void);   /* t_stream.c */

#endif
