-- The curated sales lines of the canonical model. crm_sync fills them (raw
-- -> staging -> curated); the normalisation layer already needs them to list
-- the packaging labels nobody recognises.
CREATE TABLE crm.sales_lines (
    sale_line_key  text PRIMARY KEY,
    order_key      text NOT NULL,
    customer_key   text,
    product_key    text,
    date_sale      date NOT NULL,
    quantity_units numeric NOT NULL,
    packaging      text,
    bottles_75cl   numeric,
    price_unit     numeric(14,2),
    price_total    numeric(14,2),
    cost_total     numeric(14,2),
    margin         numeric(14,2),
    channel        text,
    source         text NOT NULL
);
CREATE INDEX sales_lines_customer_idx ON crm.sales_lines (customer_key);
CREATE INDEX sales_lines_product_idx ON crm.sales_lines (product_key);
CREATE INDEX sales_lines_date_idx ON crm.sales_lines (date_sale);
COMMENT ON TABLE crm.sales_lines IS 'Curated sales lines, one per source line, keyed "<source>-<id>"; filled by crm_sync.';
COMMENT ON COLUMN crm.sales_lines.sale_line_key IS 'Stable key of the line: "<source>-<source line id>".';
COMMENT ON COLUMN crm.sales_lines.order_key IS 'The order (N° Vente) the line belongs to: "<source>-<order id>".';
COMMENT ON COLUMN crm.sales_lines.customer_key IS 'The customer (crm.customers), NULL when unknown.';
COMMENT ON COLUMN crm.sales_lines.product_key IS 'The product (crm_product_key), NULL when unknown.';
COMMENT ON COLUMN crm.sales_lines.date_sale IS 'Date of the sale.';
COMMENT ON COLUMN crm.sales_lines.quantity_units IS 'Quantity as sold, in packages (Qté).';
COMMENT ON COLUMN crm.sales_lines.packaging IS 'Packaging label as exported (Conditionnement).';
COMMENT ON COLUMN crm.sales_lines.bottles_75cl IS 'Quantity in 75 cl bottle equivalents; NULL when the packaging is not recognised.';
COMMENT ON COLUMN crm.sales_lines.price_unit IS 'Unit price before tax (PU HT), euros.';
COMMENT ON COLUMN crm.sales_lines.price_total IS 'Line amount before tax (Montant HT), euros.';
COMMENT ON COLUMN crm.sales_lines.cost_total IS 'Purchase cost of the line, euros, when known.';
COMMENT ON COLUMN crm.sales_lines.margin IS 'price_total - cost_total, euros, when the cost is known.';
COMMENT ON COLUMN crm.sales_lines.channel IS 'Sales channel (Caveau, Salon, Internet, CHR, Export...).';
COMMENT ON COLUMN crm.sales_lines.source IS 'Source name (crm.source) the line came from.';
GRANT SELECT ON crm.sales_lines TO crm_runner;

CREATE VIEW crm.unknown_packaging AS
SELECT s.packaging, count(*) AS lines, sum(s.quantity_units) AS quantity_units,
       min(s.date_sale) AS first_seen, max(s.date_sale) AS last_seen,
       @extschema@.crm_parse_packaging_explain(s.packaging) AS reason
  FROM crm.sales_lines s
 WHERE s.packaging IS NOT NULL
   AND @extschema@.crm_bottles_75cl_with_rules(1, s.packaging) IS NULL
 GROUP BY s.packaging;
COMMENT ON VIEW crm.unknown_packaging IS
    'Packaging labels of the sales lines that neither crm.packaging_rule nor the built-in parser recognises, most '
    'frequent first when ordered by lines: add a rule to crm.packaging_rule for each.';
COMMENT ON COLUMN crm.unknown_packaging.packaging IS 'The label as exported.';
COMMENT ON COLUMN crm.unknown_packaging.lines IS 'Sales lines carrying it.';
COMMENT ON COLUMN crm.unknown_packaging.quantity_units IS 'Packages sold under it (their 75 cl equivalents are unknown).';
COMMENT ON COLUMN crm.unknown_packaging.first_seen IS 'First sale date with this label.';
COMMENT ON COLUMN crm.unknown_packaging.last_seen IS 'Last sale date with this label.';
COMMENT ON COLUMN crm.unknown_packaging.reason IS 'Why the built-in parser did not recognise it.';
GRANT SELECT ON crm.unknown_packaging TO crm_runner;
