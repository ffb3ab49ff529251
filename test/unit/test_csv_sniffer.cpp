#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv_sniffer.hpp"
#include "core/error.hpp"

using namespace crm;

namespace {

std::string slurp(const std::string& name) {
    std::ifstream f(std::string(CRM_FIXTURES) + "/csv/" + name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::vector<std::string> types(const SniffResult& r) {
    std::vector<std::string> t;
    for (const auto& c : r.columns) t.push_back(c.type);
    return t;
}

std::vector<std::string> names(const SniffResult& r) {
    std::vector<std::string> t;
    for (const auto& c : r.columns) t.push_back(c.header);
    return t;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST(CsvSniffer, FrenchSalesExport) {
    SniffResult r = sniff_csv(slurp("semicolon_crlf.csv"));
    EXPECT_EQ(r.encoding, Encoding::Utf8);
    EXPECT_EQ(r.dialect.delimiter, ';');
    EXPECT_EQ(r.dialect.quote, '"');
    EXPECT_TRUE(r.dialect.header);
    EXPECT_EQ(r.dialect.skip_rows, 0);
    EXPECT_EQ(r.decimal, ',');
    EXPECT_EQ(r.thousands, " ");
    EXPECT_EQ(r.date_format, "DMY");
    EXPECT_EQ(names(r), (Strings{"Code client", "Désignation", "Qté", "Conditionnement", "PU HT", "Date"}));
    EXPECT_EQ(types(r), (Strings{"text", "text", "integer", "text", "numeric", "date"}));
    EXPECT_EQ(r.sample_rows, 4u);
}

TEST(CsvSniffer, Windows1252WithPreambleAndEuro) {
    SniffResult r = sniff_csv(slurp("cp1252.csv"));
    EXPECT_EQ(r.encoding, Encoding::Windows1252);
    EXPECT_EQ(r.dialect.delimiter, ';');
    EXPECT_EQ(r.dialect.skip_rows, 2);
    EXPECT_TRUE(r.dialect.header);
    ASSERT_EQ(r.columns.size(), 6u);
    EXPECT_EQ(r.columns[1].header, "Désignation");
    EXPECT_EQ(r.columns[4].type, "numeric");  // "12,50 €" is still a number
    EXPECT_EQ(r.columns[5].type, "date");
}

TEST(CsvSniffer, PreambleOfSeveralLines) {
    SniffResult r = sniff_csv(slurp("preamble.csv"));
    EXPECT_EQ(r.dialect.delimiter, ';');
    EXPECT_EQ(r.dialect.skip_rows, 3);
    EXPECT_EQ(names(r), (Strings{"Code", "Désignation", "Qté"}));
    EXPECT_EQ(types(r), (Strings{"text", "text", "integer"}));
}

TEST(CsvSniffer, PreambleLineWithAsManyFieldsAsTheTable) {
    std::string s = "Rapport ventes\nPériode;01/01/2024;31/12/2024\n\nCode;Qté;Montant\nA;1;2,5\nB;2;3,5\nC;3;4,5\n";
    SniffResult r = sniff_csv(s);
    EXPECT_EQ(r.dialect.skip_rows, 3);
    EXPECT_TRUE(r.dialect.header);
    EXPECT_EQ(names(r), (Strings{"Code", "Qté", "Montant"}));
    EXPECT_EQ(types(r), (Strings{"text", "integer", "numeric"}));
    // A blank line between the header and the data is not a preamble boundary.
    SniffResult h = sniff_csv("Code;Qté\n\nA;1\nB;2\nC;3\n");
    EXPECT_EQ(h.dialect.skip_rows, 0);
    EXPECT_TRUE(h.dialect.header);
    EXPECT_EQ(names(h), (Strings{"Code", "Qté"}));
}

TEST(CsvSniffer, EachDelimiter) {
    EXPECT_EQ(sniff_csv(slurp("comma_lf.csv")).dialect.delimiter, ',');
    EXPECT_EQ(sniff_csv(slurp("tab.tsv")).dialect.delimiter, '\t');
    EXPECT_EQ(sniff_csv(slurp("pipe.csv")).dialect.delimiter, '|');
    EXPECT_EQ(sniff_csv(slurp("semicolon_crlf.csv")).dialect.delimiter, ';');
    SniffResult r = sniff_csv(slurp("comma_lf.csv"));
    EXPECT_EQ(types(r), (Strings{"integer", "text", "integer"}));
    EXPECT_EQ(r.decimal, '.');  // no decimal seen: '.' for comma-separated files
}

TEST(CsvSniffer, QuotedDelimitersDoNotConfuseTheCount) {
    std::string s = "id,comment\n1,\"a;b;c\"\n2,\"d;e\"\n3,\"f;g;h;i\"\n";
    SniffResult r = sniff_csv(s);
    EXPECT_EQ(r.dialect.delimiter, ',');
    EXPECT_EQ(r.columns.size(), 2u);
}

TEST(CsvSniffer, CommasInsideSemicolonFields) {
    // Every row has 3 commas (4 fields) but the header has none: ';' is the table.
    std::string s = "Nom;Adresse;CA\nDupont, Jean;12, rue de la Paix;1 234,56\n"
                    "Martin, Paul;3, place du Marché;987,10\nDurand, Léa;7, quai Est;12,00\n";
    SniffResult r = sniff_csv(s);
    EXPECT_EQ(r.dialect.delimiter, ';');
    EXPECT_EQ(r.dialect.skip_rows, 0);
    EXPECT_EQ(names(r), (Strings{"Nom", "Adresse", "CA"}));
    EXPECT_EQ(types(r), (Strings{"text", "text", "numeric"}));
}

TEST(CsvSniffer, SingleQuoteAsQuote) {
    std::string s = "id;nom\n1;'a;b'\n2;'c;d'\n3;'e;f'\n";
    SniffResult r = sniff_csv(s);
    EXPECT_EQ(r.dialect.delimiter, ';');
    EXPECT_EQ(r.dialect.quote, '\'');
    // An apostrophe inside a word is not a quote.
    SniffResult r2 = sniff_csv("id;nom\n1;L'Écluse\n2;Rosé d'Anjou\n");
    EXPECT_EQ(r2.dialect.quote, '"');
}

TEST(CsvSniffer, BackslashEscape) {
    SniffResult r = sniff_csv(slurp("backslash_escape.csv"));
    EXPECT_EQ(r.dialect.escape, '\\');
    EXPECT_EQ(r.dialect.delimiter, ',');
    EXPECT_EQ(sniff_csv(slurp("quoted_multiline.csv")).dialect.escape, '"');
}

TEST(CsvSniffer, Utf16LeExcelUnicodeText) {
    SniffResult r = sniff_csv(slurp("utf16le_bom.txt"));
    EXPECT_EQ(r.encoding, Encoding::Utf16LE);
    EXPECT_EQ(r.dialect.delimiter, '\t');
    EXPECT_EQ(r.decimal, ',');
    EXPECT_EQ(r.thousands, " ");
    EXPECT_EQ(types(r), (Strings{"text", "text", "numeric"}));
}

TEST(CsvSniffer, Utf8Bom) {
    SniffResult r = sniff_csv(slurp("utf8_bom.csv"));
    EXPECT_EQ(r.encoding, Encoding::Utf8Bom);
    EXPECT_EQ(names(r), (Strings{"Code", "Libellé"}));
}

TEST(CsvSniffer, EnglishNumbersAndMonthFirstDates) {
    SniffResult r = sniff_csv(slurp("dates_mdy.csv"));
    EXPECT_EQ(r.dialect.delimiter, ',');
    EXPECT_EQ(r.decimal, '.');
    EXPECT_EQ(r.thousands, ",");
    EXPECT_EQ(r.date_format, "MDY");
    EXPECT_EQ(types(r), (Strings{"integer", "date", "numeric"}));
}

TEST(CsvSniffer, IsoDatesAndTimestamps) {
    SniffResult r = sniff_csv(slurp("dates_iso.csv"));
    EXPECT_EQ(r.date_format, "YMD");
    EXPECT_EQ(types(r), (Strings{"integer", "date", "timestamp"}));
}

TEST(CsvSniffer, DateOrderResolvedByLaterRows) {
    std::string base = "id;date\n1;03/10/2024\n2;05/11/2024\n";
    EXPECT_EQ(sniff_csv(base).date_format, "DMY");  // ambiguous: French order
    EXPECT_EQ(sniff_csv(base + "3;25/12/2024\n").date_format, "DMY");
    EXPECT_EQ(sniff_csv(base + "3;12/25/2024\n").date_format, "MDY");
    SniffResult ts = sniff_csv("id;quand\n1;03/10/2024 14:30\n2;04/10/2024 08:05:59\n");
    EXPECT_EQ(ts.columns[1].type, "timestamp");
    EXPECT_EQ(sniff_csv("id;n\n1;x\n").date_format, "");
}

TEST(CsvSniffer, NbspThousandsPercentAndBooleans) {
    SniffResult r = sniff_csv(slurp("nbsp_thousands.csv"));
    EXPECT_EQ(r.decimal, ',');
    EXPECT_EQ(r.thousands, "\u00a0");
    EXPECT_EQ(types(r), (Strings{"text", "numeric", "numeric", "boolean"}));
    SniffResult n = sniff_csv("a;b\nx;1\u202f234,5\ny;12\u202f000,25\n");
    EXPECT_EQ(n.thousands, "\u202f");
}

TEST(CsvSniffer, DotThousandsAndApostropheThousands) {
    SniffResult r = sniff_csv("Article;Montant\nA1;1.234,56\nA2;12.500,00\nA3;1.234\n");
    EXPECT_EQ(r.decimal, ',');
    EXPECT_EQ(r.thousands, ".");
    EXPECT_EQ(r.columns[1].type, "numeric");
    SniffResult s = sniff_csv(slurp("swiss_thousands.csv"));
    EXPECT_EQ(s.decimal, '.');
    EXPECT_EQ(s.thousands, "'");
    // Only "1.234"-like values: French reading, '.' groups thousands.
    SniffResult a = sniff_csv("Article;Qté\nA1;1.234\nA2;2.500\n");
    EXPECT_EQ(a.decimal, ',');
    EXPECT_EQ(a.thousands, ".");
    EXPECT_EQ(a.columns[1].type, "integer");
}

TEST(CsvSniffer, CodesWithLeadingZerosStayText) {
    SniffResult r = sniff_csv("cp;flag;n\n01000;0;1\n75001;1;2\n33000;1;3\n");
    EXPECT_EQ(types(r), (Strings{"text", "integer", "integer"}));
}

TEST(CsvSniffer, NoHeader) {
    SniffResult r = sniff_csv(slurp("no_header.csv"));
    EXPECT_FALSE(r.dialect.header);
    EXPECT_EQ(names(r), (Strings{"", "", "", ""}));  // no header to keep: crm_sniff names them col_N
    EXPECT_EQ(types(r), (Strings{"text", "text", "integer", "numeric"}));
    EXPECT_EQ(r.sample_rows, 3u);
}

TEST(CsvSniffer, AllTextHeaderNeedsDistinctValues) {
    EXPECT_TRUE(sniff_csv("nom;ville\nDupont;Lyon\nMartin;Paris\n").dialect.header);
    EXPECT_FALSE(sniff_csv("Lyon;Lyon\nDupont;Lyon\nMartin;Paris\n").dialect.header);
}

TEST(CsvSniffer, OptionsOverrideDetection) {
    SniffOptions o;
    o.delimiter = ',';
    o.header = false;
    o.decimal = '.';
    o.thousands = "";
    o.date_format = "MDY";
    o.encoding = Encoding::Latin1;
    o.skip_rows = 1;
    SniffResult r = sniff_csv(slurp("semicolon_crlf.csv"), o);
    EXPECT_EQ(r.encoding, Encoding::Latin1);
    EXPECT_EQ(r.dialect.delimiter, ',');
    EXPECT_FALSE(r.dialect.header);
    EXPECT_EQ(r.dialect.skip_rows, 1);
    EXPECT_EQ(r.decimal, '.');
    EXPECT_EQ(r.thousands, "");
    EXPECT_EQ(r.date_format, "MDY");
    SniffOptions q;
    q.quote = '\0';
    EXPECT_EQ(sniff_csv("a,b\n\"x,y\n", q).dialect.quote, '\0');
}

TEST(CsvSniffer, CutSampleIgnoresItsLastPartialLine) {
    std::string s = "id;montant;date\n";
    for (int i = 0; i < 200; ++i) s += std::to_string(i) + ";" + std::to_string(i) + ",5;01/02/2024\n";
    SniffOptions o;
    o.sample_bytes = 1000;
    SniffResult r = sniff_csv(std::string_view(s).substr(0, 1000), o);
    EXPECT_EQ(r.dialect.delimiter, ';');
    EXPECT_EQ(types(r), (Strings{"integer", "numeric", "date"}));
    EXPECT_LT(r.sample_rows, 60u);
    // A cut inside a quoted field does not throw.
    std::string q = "id;texte\n1;\"abc\n";
    o.sample_bytes = q.size();
    EXPECT_NO_THROW(sniff_csv(q, o));
}

TEST(CsvSniffer, UndefinedWindows1252ByteFallsBackToLatin1) {
    SniffResult r = sniff_csv("nom;prix\nCaf\xE9\x81;3\n");
    EXPECT_EQ(r.encoding, Encoding::Latin1);
}

TEST(CsvSniffer, EmptyAndDegenerateInputs) {
    SniffResult e = sniff_csv("");
    EXPECT_TRUE(e.columns.empty());
    EXPECT_EQ(e.sample_rows, 0u);
    SniffResult one = sniff_csv("justone\nvalue\n");
    EXPECT_EQ(one.columns.size(), 1u);
    EXPECT_NO_THROW(sniff_csv(std::string("a\0b\n", 4)));
}

TEST(CsvSnifferShapes, Numbers) {
    using sniff::number_shape;
    auto n = number_shape("1 234,56");
    EXPECT_TRUE(n.ok);
    EXPECT_EQ(n.decimal, ',');
    EXPECT_EQ(n.thousands, " ");
    n = number_shape("1.234,56");
    EXPECT_EQ(n.decimal, ',');
    EXPECT_EQ(n.thousands, ".");
    n = number_shape("1,234.56");
    EXPECT_EQ(n.decimal, '.');
    EXPECT_EQ(n.thousands, ",");
    EXPECT_EQ(number_shape("12.50").decimal, '.');
    EXPECT_EQ(number_shape("1,234").ambiguous, ',');
    EXPECT_EQ(number_shape("0,125").decimal, ',');
    EXPECT_EQ(number_shape("1234,567").decimal, ',');
    n = number_shape("-12,50 €");
    EXPECT_TRUE(n.ok && n.unit);
    EXPECT_TRUE(number_shape("€ 12").ok);
    EXPECT_TRUE(number_shape("15 EUR").ok);
    EXPECT_TRUE(number_shape("5,5 %").ok);
    n = number_shape("1.234.567");
    EXPECT_TRUE(n.ok);
    EXPECT_EQ(n.thousands, ".");
    EXPECT_EQ(n.decimal, 0);
    EXPECT_FALSE(number_shape("06 12 34 56 78").ok);
    EXPECT_FALSE(number_shape("12,5,0").ok);
    EXPECT_FALSE(number_shape("1 23").ok);
    EXPECT_FALSE(number_shape("abc").ok);
    EXPECT_FALSE(number_shape("12,").ok);
    EXPECT_FALSE(number_shape("").ok);
    EXPECT_FALSE(number_shape("€").ok);
    EXPECT_TRUE(number_shape("007").leading_zero);
}

TEST(CsvSnifferShapes, Dates) {
    using sniff::date_shape;
    auto d = date_shape("03/10/2024");
    EXPECT_TRUE(d.ok);
    EXPECT_EQ(d.a, 3);
    EXPECT_EQ(d.b, 10);
    EXPECT_TRUE(date_shape("3.10.24").ok);
    EXPECT_TRUE(date_shape("2024-10-03").year_first);
    EXPECT_TRUE(date_shape("2024-10-03T08:05:00+02:00").has_time);
    EXPECT_TRUE(date_shape("03/10/2024 14:30:00.250").has_time);
    EXPECT_FALSE(date_shape("32/01/2024").ok);
    EXPECT_FALSE(date_shape("13/13/2024").ok);
    EXPECT_FALSE(date_shape("03/10-2024").ok);
    EXPECT_FALSE(date_shape("2024-13-01").ok);
    EXPECT_FALSE(date_shape("03/10/2024 25:00").ok);
    EXPECT_FALSE(date_shape("1.234.567").ok);
    EXPECT_TRUE(sniff::is_boolean_word("Oui"));
    EXPECT_TRUE(sniff::is_boolean_word("FAUX"));
    EXPECT_FALSE(sniff::is_boolean_word("1"));
}

TEST(CsvSnifferTolerance, AFewBadValuesDoNotTurnAColumnIntoText) {
    std::string csv = "Date;Qté;Montant HT\n";
    for (int i = 0; i < 300; ++i) csv += "0" + std::to_string(1 + i % 9) + "/10/2024;" + std::to_string(i % 12 + 1) + ";12,50\n";
    csv += "31/02/2024;douze;12,50\n";  // one bad date, one bad quantity in 301 rows
    crm::SniffResult r = crm::sniff_csv(csv);
    ASSERT_EQ(r.columns.size(), 3u);
    EXPECT_EQ(r.columns[0].type, "date");
    EXPECT_EQ(r.columns[1].type, "integer");
    EXPECT_EQ(r.columns[2].type, "numeric");
}

TEST(CsvSnifferTolerance, SmallSamplesStayStrict) {
    crm::SniffResult r = crm::sniff_csv("Date;Qté\n03/10/2024;6\nhier;douze\n");
    ASSERT_EQ(r.columns.size(), 2u);
    EXPECT_EQ(r.columns[0].type, "text");
    EXPECT_EQ(r.columns[1].type, "text");
}
