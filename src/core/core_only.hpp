// The header fence: every file of src/core includes this last, so that a
// PostgreSQL header pulled into core code fails to compile instead of
// silently mixing longjmp-based error handling with C++ objects.
#pragma once
#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers: put Postgres calls in src/pg/"
#endif
