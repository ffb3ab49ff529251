-- The C++/PostgreSQL boundary: every kind of failure inside C++ work ends as
-- a clean ERROR with the right SQLSTATE, C++ destructors run, and the same
-- backend goes on working.
CREATE FUNCTION pg_temp.outcome(kind text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN crm._test_fault(kind);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT pg_backend_pid() AS pid \gset

SELECT kind, pg_temp.outcome(kind) AS outcome, crm._test_fault('live_objects') AS live_cpp_objects
  FROM unnest(ARRAY['ok', 'bad_alloc', 'parse_error', 'std_exception', 'unknown', 'pg_error', 'spi_error',
                    'no_such_kind']) AS kind;

-- Outside a subtransaction too: the error reaches the client, with detail.
SELECT crm._test_fault('bad_alloc');
SELECT crm._test_fault('parse_error');

-- A cancel (here statement_timeout) stops a long C++ loop.
SET statement_timeout = '200ms';
SELECT crm._test_fault('long_loop');
RESET statement_timeout;
SELECT crm._test_fault('live_objects') AS live_cpp_objects_after_cancel;

SELECT pg_backend_pid() = :pid AS same_backend;

-- Only a superuser can turn the test functions on, and they are off by default.
SET crm.enable_test_functions = off;
SELECT crm._test_fault('ok');
RESET crm.enable_test_functions;
CREATE ROLE crm_regress_user;
SET ROLE crm_regress_user;
SET crm.enable_test_functions = on;
SELECT crm._test_fault('ok');
RESET ROLE;
DROP ROLE crm_regress_user;
