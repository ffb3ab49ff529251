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
