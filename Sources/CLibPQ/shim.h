#ifndef DABROKER_CLIBPQ_SHIM_H
#define DABROKER_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
