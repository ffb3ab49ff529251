#!/usr/bin/env bash
# Extension-script hardening: a role that may create objects in public plants
# look-alikes of the functions pg_crm's SQL calls (non-variadic versions of
# format, jsonb_build_object, concat_ws, and md5, lower, left for varchar,
# which would win PostgreSQL's overload resolution where public is on the
# search_path) before CREATE EXTENSION; a session shadows crm tables with
# temp tables before calling pg_crm's SECURITY DEFINER and sync functions.
# Nothing may be captured: every decoy logs its call, the log must stay
# empty, and no object of pg_crm may depend on a decoy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

db=crm_capture
files=$("$repo/tools/cluster.sh" files "$cluster")
# Whatever happens, the database and the cluster-wide role go.
trap 'psql_crm -Atq -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS capture_intruder" >/dev/null 2>&1; rm -rf "$work"' EXIT
psql_crm -Atq -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
cap() { psql -X -q -d "$db" -v ON_ERROR_STOP=1 "$@"; }
cap -Atq >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'capture_intruder') THEN CREATE ROLE capture_intruder; END IF;
END $$;
GRANT CREATE, USAGE ON SCHEMA public TO capture_intruder;
CREATE TABLE public.captured (what text, at timestamptz DEFAULT clock_timestamp());
GRANT INSERT, SELECT ON public.captured TO PUBLIC;
SET ROLE capture_intruder;
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('format(text,text)') RETURNING 'x' $f$;
CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('format(text,text,text)') RETURNING 'x' $f$;
CREATE FUNCTION public.format(text, regclass, name, text) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('format(text,regclass,name,text)') RETURNING 'x' $f$;
CREATE FUNCTION public.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('jsonb_build_object') RETURNING '{}'::jsonb $f$;
CREATE FUNCTION public.concat_ws(text, text, text) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('concat_ws') RETURNING 'x' $f$;
CREATE FUNCTION public.md5(varchar) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('md5(varchar)') RETURNING 'x' $f$;
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('lower(varchar)') RETURNING 'x' $f$;
CREATE FUNCTION public.left(varchar, int) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('left(varchar,int)') RETURNING 'x' $f$;
CREATE FUNCTION public.hashtext(varchar) RETURNS int LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('hashtext(varchar)') RETURNING 0 $f$;
-- Operators with exact types where pg_catalog's need a cast: what views and
-- SQL-standard function bodies would bind at CREATE EXTENSION.
CREATE FUNCTION public.capture_int_numeric(integer, numeric) RETURNS numeric LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('*(integer,numeric)') RETURNING 0::numeric $f$;
CREATE OPERATOR public.* (LEFTARG = integer, RIGHTARG = numeric, FUNCTION = public.capture_int_numeric);
CREATE FUNCTION public.capture_text_name(text, name) RETURNS text LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('||(text,name)') RETURNING 'x' $f$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = name, FUNCTION = public.capture_text_name);
CREATE FUNCTION public.capture_numeric_int(numeric, integer) RETURNS numeric LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('/(numeric,integer)') RETURNING 0::numeric $f$;
CREATE OPERATOR public./ (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = public.capture_numeric_int);
CREATE FUNCTION public.capture_numeric_int_mul(numeric, integer) RETURNS numeric LANGUAGE sql VOLATILE
    AS $f$ INSERT INTO public.captured (what) VALUES ('*(numeric,integer)') RETURNING 0::numeric $f$;
CREATE OPERATOR public.* (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = public.capture_numeric_int_mul);
RESET ROLE;
SQL

# The extension installs into public, next to the decoys.
cap -Atq -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_crm CASCADE" >/dev/null

# A session with temp tables named like pg_crm's tables, calling the
# SECURITY DEFINER secret functions, a sync and a refresh.
cap -Atq >/dev/null <<SQL
SET client_min_messages = warning;
CREATE TEMP TABLE secret (name text, value text, updated_at timestamptz);
CREATE TEMP TABLE source (name text, kind text, config jsonb, enabled boolean);
CREATE TEMP TABLE sync_run (run_id bigint, source text);
CREATE TEMP TABLE sales_lines (sale_line_key text);
CREATE TEMP TABLE crm_ids (from_id text, to_id text);
SET search_path = pg_temp, public;
SELECT crm_secret_set('capture_key', 'capture-secret-value');
SELECT crm_source_add('capture', 'files', jsonb_build_object('files', jsonb_build_array(
    jsonb_build_object('path', '$files/bottleneck/erp.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'product_id', 'list_price', 'price')),
    jsonb_build_object('path', '$files/bottleneck/web.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'sku', 'name', 'post_title'),
        'ids', jsonb_build_object('path', '$files/bottleneck/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')))));
SELECT crm_sync('capture');
SELECT crm_refresh_analytics();
SELECT crm_secret_remove('capture_key');
SQL

captured=$(cap -Atc "SELECT coalesce(string_agg(DISTINCT what, ', '), '') FROM public.captured")
[ -z "$captured" ] || fail "decoys in public were called: $captured"
# Nothing pg_crm created (views, SQL-standard bodies) was bound to a decoy either.
bound=$(cap -Atc "SELECT count(*) FROM pg_depend d
                   WHERE d.refobjid IN (SELECT oid FROM pg_proc WHERE proowner = 'capture_intruder'::regrole
                                        UNION SELECT oid FROM pg_operator WHERE oprowner = 'capture_intruder'::regrole)
                     AND d.classid <> 'pg_operator'::regclass")
[ "$bound" = 0 ] || fail "$bound object(s) of pg_crm depend on a decoy"
status=$(cap -Atc "SELECT status FROM crm.sync_run WHERE source = 'capture' ORDER BY run_id DESC LIMIT 1")
[ "$status" = succeeded ] || fail "the sync beside the decoys did not succeed: $status"
products=$(cap -Atc "SELECT count(name) FROM crm.product_catalog WHERE source = 'capture'")
[ "$products" = 714 ] || fail "the sync beside the decoys named $products products, not 714"
figures 18 0
pass "13 decoys in public (9 functions, 4 operators) and 5 temp-table shadows: nothing bound to them; CREATE EXTENSION, crm_secret_set/remove, crm_sync and crm_refresh_analytics called none of them"
