-- The functions of pg_crm that everyone may call (PUBLIC): pure functions
-- of their arguments (normalisation, parsing, z-scores), reading no table.
-- Shared by the pgTAP matrix (test/pgtap/60_privilege_matrix.sql) and the
-- matrix tried as each role (test/integration/privilege_matrix.sh).
CREATE TEMP TABLE pure_functions (signature text PRIMARY KEY);
INSERT INTO pure_functions VALUES
    ('crm_version()'), ('crm_build_info()'), ('crm_unaccent(text)'), ('crm_normalize_key(text)'),
    ('crm_normalize_column_name(text)'), ('crm_normalize_email(text)'), ('crm_normalize_phone(text,text)'),
    ('crm_product_key(text,text,text,double precision)'), ('crm_parse_packaging(text)'),
    ('crm_parse_packaging_explain(text)'), ('crm_bottles_75cl(numeric,text)'), ('crm_parse_number(text,text)'),
    ('crm_parse_number_explain(text,text)'), ('crm_parse_date(text,text)'), ('crm_parse_date_explain(text,text)'),
    ('crm_parse_timestamp(text,text)'), ('crm_bottles_75cl_with_rules(numeric,text)'),
    ('crm_zscore(double precision)'), ('crm_zscore(double precision,boolean)'), ('crm_robust_zscore(double precision)'),
    ('crm_cuvee_family(text)');
