#include "types.h"
#include "t_list.h"

/* Strings need no methods: object.c handles them itself. Collection and
 * stream types add their registration here. */
void typesRegisterAll(void) {
    listTypeRegister();
}
