-- Normalisation functions: what French exports contain, read the same way everywhere.
SELECT crm_unaccent('Côte-Rôtie, Château d’Yquem, Œnologie, Straße, Ærø') AS unaccented;
SELECT crm_unaccent(E'1\u00a0234\u202f€ « Cuvée »') AS spaces_and_quotes;
SELECT crm_unaccent('Москва Ελλάδα 東京') AS non_latin_untouched;

SELECT input, crm_normalize_key(input) AS key FROM (VALUES
    ('Domaine Dupont SARL'), ('SARL Domaine Dupont'), ('  Château   d''Yquem  '),
    ('Ste-Croix-du-Mont & Fils'), ('St Émilion'), ('EARL  Les Vignes, SCEA')) AS t(input);

SELECT input, crm_normalize_column_name(input) AS column_name FROM (VALUES
    ('Code Client'), ('CODE_CLIENT'), ('code client '), ('Quantité'), ('N° Vente'), ('Qté'),
    ('Prix U. HT (€)'), ('Remise %'), ('E-mail'), ('Tél.')) AS t(input);

SELECT input, crm_parse_packaging(input) AS packaging, crm_bottles_75cl(6, input) AS bottles_for_6
  FROM (VALUES ('Bouteille 75cl'), ('Magnum 1,5L'), ('caisse 6x75cl'), ('Carton de 12'), ('CT6'), ('CB12'),
               ('carton 6 magnums'), ('Demi-bouteille 37,5cl'), ('Clavelin 62cl'), ('JÉROBOAM'), ('BIB 5L'),
               ('coffret 3 bouteilles'), ('12 x 75 cl'), ('Conditionnement spécial')) AS t(input);
SELECT crm_parse_packaging_explain('Conditionnement spécial') AS why_not;

SELECT input, crm_parse_number(input) AS number FROM (VALUES
    ('1 234,56 €'), (E'1\u00a0234,56'), ('1.234,56'), ('-12,5 %'), ('(123,45)'), ('12,00 EUR'), ('1.234'),
    ('abc'), ('')) AS t(input);
SELECT crm_parse_number('1.234', '.') AS with_decimal_point, crm_parse_number('1.234', NULL) AS inferred;
SELECT crm_parse_number_explain('douze') AS why_not;
SELECT crm_parse_number('1', 'x');

SELECT input, crm_parse_date(input) AS date FROM (VALUES
    ('03/10/2024'), ('2024-10-03'), ('03.10.24'), ('03-10-2024'), ('3/1/2024'), ('31/02/2024'), ('hier')) AS t(input);
SELECT crm_parse_date('45567', 'excel') AS excel_serial, crm_parse_date('10/03/2024', 'MDY') AS us_order;
SELECT crm_parse_date_explain('31/02/2024') AS why_not;
SELECT crm_parse_timestamp('03/10/2024 14:30') AS ts, crm_parse_timestamp('2024-10-03T14:30:05') AS iso;

SELECT crm_normalize_email('  Jean.Dupont@Example.FR ') AS email, crm_normalize_email('pas un mail') AS invalid;
SELECT input, crm_normalize_phone(input) AS e164 FROM (VALUES
    ('06 12 34 56 78'), ('06.12.34.56.78'), ('0033 6 12 34 56 78'), ('+33 (0)6 12 34 56 78'), ('+41 22 123 45 67'),
    ('12')) AS t(input);

SELECT crm_product_key('B00058', 'Vouvray', '2023', 75) AS with_code,
       crm_product_key(NULL, 'Château Margaux', '2015', 75) AS by_name,
       crm_product_key(NULL, 'CHATEAU MARGAUX', '2015', 75) = crm_product_key(NULL, 'Château Margaux', '2015', 75)
           AS accents_and_case_do_not_matter;

-- NULL in, NULL out.
SELECT crm_unaccent(NULL) IS NULL AS a, crm_bottles_75cl(NULL, 'magnum') IS NULL AS b,
       crm_parse_number(NULL) IS NULL AS c, crm_parse_date(NULL, 'DMY') IS NULL AS d;

-- House rules come before the built-in parser.
INSERT INTO crm.packaging_rule (pattern, units, volume_cl, note) VALUES ('Jéroboam Bordeaux', 1, 450, 'Bordeaux size');
SELECT crm_bottles_75cl(2, 'JEROBOAM bordeaux') AS builtin, crm_bottles_75cl_with_rules(2, 'JEROBOAM bordeaux') AS with_rule;
DELETE FROM crm.packaging_rule;

-- Labels nobody recognises are listed for an admin, until a house rule covers them.
INSERT INTO crm.sales_lines (sale_line_key, order_key, date_sale, quantity_units, packaging, source) VALUES
    ('t-1', 't-1', '2024-10-03', 6, 'Caisse 6x75cl', 't'),
    ('t-2', 't-1', '2024-10-03', 2, 'VRAC', 't'),
    ('t-3', 't-2', '2024-10-05', 1, 'Vrac', 't'),
    ('t-4', 't-2', '2024-10-05', 3, 'Lot Export', 't');
SELECT packaging, lines, quantity_units, first_seen, last_seen, reason FROM crm.unknown_packaging ORDER BY lines DESC, packaging;
INSERT INTO crm.packaging_rule (pattern, units, volume_cl, note) VALUES ('lot export', 6, 150, 'the house''s export case: 6 magnums');
SELECT packaging FROM crm.unknown_packaging ORDER BY packaging;
DELETE FROM crm.packaging_rule;
DELETE FROM crm.sales_lines;
