#ifndef DABROKER_CMARIADB_SHIM_H
#define DABROKER_CMARIADB_SHIM_H
#if __has_include(<mysql.h>)
#include <mysql.h>
#else
#error "DaBroker needs the Debian package libmariadb-dev: run 'bash scripts/install-libs.sh' as root (or apt-get install libmariadb-dev pkg-config)"
#endif

/// `mysql_library_init` is a macro, which Swift cannot import.
static inline int dab_mysql_library_init(void) {
    return mysql_server_init(0, (char **)0, (char **)0);
}
#endif
