#ifndef DABROKER_CLIBPQ_SHIM_H
#define DABROKER_CLIBPQ_SHIM_H
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#error "DaBroker needs the Debian package libpq-dev: run 'bash scripts/install-libs.sh' as root (or apt-get install libpq-dev pkg-config)"
#endif
#endif
