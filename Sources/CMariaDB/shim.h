#ifndef DABROKER_CMARIADB_SHIM_H
#define DABROKER_CMARIADB_SHIM_H
#include <mysql.h>

/// `mysql_library_init` is a macro, which Swift cannot import.
static inline int dab_mysql_library_init(void) {
    return mysql_server_init(0, (char **)0, (char **)0);
}
#endif
