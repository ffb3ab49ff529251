-- Analytics computed in C++ inside the database.

CREATE FUNCTION crm_zscore(value float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'crm_zscore' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_zscore(float8) IS
    'Window function: (value - mean) / population std over the partition (like pandas/scipy zscore); NULL for a NULL '
    'value, a partition of fewer than 3 values, or no spread. The frame clause is ignored.';

CREATE FUNCTION crm_zscore(value float8, sample boolean) RETURNS float8
    AS 'MODULE_PATHNAME', 'crm_zscore' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_zscore(float8, boolean) IS
    'Window function: crm_zscore with the sample standard deviation (ddof = 1) when sample is true.';

CREATE FUNCTION crm_robust_zscore(value float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'crm_robust_zscore' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_robust_zscore(float8) IS
    'Window function: 0.6745 (value - median) / MAD over the partition (outlier when |z| > 3.5); NULL for a NULL '
    'value, a partition of fewer than 3 values, or a MAD of 0. The frame clause is ignored.';

CREATE FUNCTION crm_product_affinity(options jsonb DEFAULT '{}',
    OUT product_a text, OUT product_b text, OUT n_ab int, OUT n_a int, OUT n_b int,
    OUT support float8, OUT confidence float8, OUT lift float8, OUT cosine float8)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_product_affinity' LANGUAGE C STABLE STRICT ROWS 10000;
COMMENT ON FUNCTION crm_product_affinity(jsonb) IS
    'Co-purchase affinities of crm.sales_lines computed in C++: one row per ordered pair (a, b) bought together in at '
    'least min_pair_count baskets (default 3), with support, confidence (a -> b), lift and cosine. Options: basket '
    '(customer, the default, or order), min_pair_count, max_partners (keep only the best partners of each product a, '
    'by lift then baskets together; 0, the default, keeps every pair).';
REVOKE ALL ON FUNCTION crm_product_affinity(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_product_affinity(jsonb) TO crm_runner;
