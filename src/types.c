#include "types.h"
#include "rdb_collections.h"
#include "t_hash.h"
#include "t_set.h"
#include "t_zset.h"

/* Strings need no methods: object.c handles them itself. Collection and
 * stream types add their registration here. */
void typesRegisterAll(void) {
    hashTypeRegister();
    setTypeRegister();
    zsetTypeRegister();
    rdbHashRegister();
    rdbSetRegister();
    rdbZsetRegister();
}
