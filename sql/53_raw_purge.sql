-- crm_raw_purge: old raw loads go, the loads the cursors name (and those
-- they were staged from) stay, curated data is untouched and the next runs
-- work as before.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE TEMP TABLE curated_before AS
SELECT (SELECT count(*) FROM crm.sales_lines) AS lines, (SELECT count(*) FROM crm.customers) AS customers;
SELECT count(*) > 0 AS some_loads_are_not_current
  FROM crm_raw.load l
 WHERE l.load_id NOT IN (SELECT (cursor ->> 'load_id')::bigint FROM crm.sync_cursor WHERE cursor ? 'load_id');

-- A retention of zero: everything but the current loads.
SELECT r ->> 'loads' <> '0' AS purged_loads, (r #>> '{rows,sales}')::bigint > 0 AS purged_sales_rows
  FROM crm_raw_purge('0 seconds') AS r;
SELECT count(*) AS cursors_without_their_load
  FROM crm.sync_cursor c
 WHERE c.cursor ? 'load_id'
   AND NOT EXISTS (SELECT 1 FROM crm_raw.load l WHERE l.load_id = (c.cursor ->> 'load_id')::bigint);
SELECT count(*) AS staged_loads_without_their_sources
  FROM crm_raw.load l, jsonb_array_elements_text(l.options -> 'staged_from_loads') AS s(id)
 WHERE NOT EXISTS (SELECT 1 FROM crm_raw.load k WHERE k.load_id = s.id::bigint);
SELECT count(*) AS raw_rows_of_deleted_loads
  FROM crm_raw.sales s WHERE NOT EXISTS (SELECT 1 FROM crm_raw.load l WHERE l.load_id = s.load_id);
SELECT (SELECT count(*) FROM crm.sales_lines) = lines AND (SELECT count(*) FROM crm.customers) = customers
       AS curated_untouched
  FROM curated_before;
-- Nothing left to purge; the next full run of a source works as before.
SELECT r ->> 'loads' AS loads FROM crm_raw_purge('0 seconds') AS r;
SELECT crm_sync('bottleneck', '{"full": true}') ->> 'status' AS status;
SELECT crm_raw_purge('-1 day');
