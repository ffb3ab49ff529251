// The one include for PostgreSQL headers in C++ code. PostgreSQL's headers
// are C; wrapping them here keeps linkage right and the include order fixed.
#pragma once

// pg_crm is built with -fvisibility=hidden so its C++ internals cannot clash
// with another extension's; the SQL entry points and the module magic are
// exported through PGDLLEXPORT, which PostgreSQL 15 leaves empty on Linux.
#ifndef PGDLLEXPORT
#define PGDLLEXPORT __attribute__((visibility("default")))
#endif

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}
