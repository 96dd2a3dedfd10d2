#include "types.h"
#include "rdb_collections.h"
#include "rdb_stream.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"

/* Strings need no methods: object.c handles them itself. Each collection and
 * stream type registers its methods (and its SORT source) here, then the RDB
 * codec glue registers each type's loaders and savers. */
void typesRegisterAll(void) {
    listTypeRegister();
    hashTypeRegister();
    setTypeRegister();
    zsetTypeRegister();
    streamTypeRegister();
    rdbListRegister();
    rdbHashRegister();
    rdbSetRegister();
    rdbZsetRegister();
    rdbStreamRegister();
}
