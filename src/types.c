#include "types.h"
#include "t_hash.h"
#include "t_set.h"
#include "t_zset.h"
#include "rdb_stream.h"

/* Strings need no methods: object.c handles them itself. Collection and
 * stream types add their registration here. */
void typesRegisterAll(void) {
    hashTypeRegister();
    setTypeRegister();
    zsetTypeRegister();
    streamTypeRegister();
    rdbStreamRegister();
}
