#ifndef DABROKER_CSQLITE3_SHIM_H
#define DABROKER_CSQLITE3_SHIM_H
#if __has_include(<sqlite3.h>)
#include <sqlite3.h>
#else
#error "DaBroker needs the Debian package libsqlite3-dev: run 'bash scripts/install-libs.sh' as root (or apt-get install libsqlite3-dev pkg-config)"
#endif

/// `SQLITE_TRANSIENT` and `SQLITE_STATIC` are casts of integers to function pointers,
/// which Swift cannot import.
static inline sqlite3_destructor_type dab_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type dab_sqlite_static(void) { return SQLITE_STATIC; }
#endif
