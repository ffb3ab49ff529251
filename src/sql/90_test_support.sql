-- Test support: proves the C++/PostgreSQL boundary from SQL. Superuser
-- only, and inert unless crm.enable_test_functions is on.
CREATE FUNCTION crm._test_fault(kind text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_test_fault' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION crm._test_fault(text) FROM PUBLIC;
COMMENT ON FUNCTION crm._test_fault(text) IS
    'Test only: fails in the named way (bad_alloc, parse_error, std_exception, unknown, pg_error, spi_error, long_loop; undefined_shift and heap_overflow_read: faults for the sanitized build to catch) '
    'while C++ objects are alive; live_objects returns how many are left. Needs crm.enable_test_functions.';
