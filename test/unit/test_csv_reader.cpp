#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/chunked_source.hpp"
#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/text_encoding.hpp"

using namespace crm;

namespace {

std::string fixture(const std::string& name) { return std::string(CRM_FIXTURES) + "/csv/" + name; }

std::string slurp(const std::string& name) {
    std::ifstream f(fixture(name), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

using crm::testing::ChunkedSource;

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::uint64_t> lines;
    std::vector<std::string> raws;
};

Table read_source(ByteSource& src, CsvDialect d, CsvLimits lim = {}) {
    CsvReader r(src, d, "test.csv", lim);
    Table t;
    t.header = r.header();
    CsvRecord rec;
    while (r.next(rec)) {
        t.rows.emplace_back(rec.fields.begin(), rec.fields.end());
        t.lines.push_back(rec.line);
        t.raws.emplace_back(rec.raw);
        EXPECT_EQ(rec.record, t.rows.size());
    }
    return t;
}

Table read_text(std::string_view data, CsvDialect d = {}, CsvLimits lim = {}) {
    MemorySource src(data);
    return read_source(src, d, lim);
}

Table read_fixture(const std::string& name, CsvDialect d = {}, Encoding enc = Encoding::Utf8) {
    int fd = ::open(fixture(name).c_str(), O_RDONLY);
    EXPECT_GE(fd, 0) << name;
    FdSource raw(fd, name);
    auto utf8 = make_utf8_source(raw, enc, name);
    Table t = read_source(*utf8, d);
    ::close(fd);
    return t;
}

CsvDialect semicolon() {
    CsvDialect d;
    d.delimiter = ';';
    return d;
}

using Row = std::vector<std::string>;

template <class F>
ParseError expect_parse_error(F&& f) {
    try {
        f();
    } catch (const ParseError& e) {
        return e;
    }
    ADD_FAILURE() << "no ParseError";
    return ParseError(Location{}, "none");
}

}  // namespace

TEST(CsvReader, CommaLf) {
    Table t = read_fixture("comma_lf.csv");
    EXPECT_EQ(t.header, (Row{"id", "name", "qty"}));
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[2], (Row{"3", "gamma", "30"}));
    EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{2, 3, 4}));
}

TEST(CsvReader, SemicolonCrlfFrenchExport) {
    Table t = read_fixture("semicolon_crlf.csv", semicolon());
    EXPECT_EQ(t.header, (Row{"Code client", "Désignation", "Qté", "Conditionnement", "PU HT", "Date"}));
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[0], (Row{"C001", "Château Margaux 2015", "6", "caisse 6x75cl", "1 234,56", "03/10/2024"}));
    EXPECT_EQ(t.rows[2][1], "Côtes du Rhône; rouge");
    EXPECT_EQ(t.raws[0], "C001;Château Margaux 2015;6;caisse 6x75cl;1 234,56;03/10/2024");
    EXPECT_EQ(t.lines.back(), 5u);
}

TEST(CsvReader, TabDelimited) {
    CsvDialect d;
    d.delimiter = '\t';
    Table t = read_fixture("tab.tsv", d);
    EXPECT_EQ(t.header, (Row{"id", "name", "qty"}));
    EXPECT_EQ(t.rows[1], (Row{"2", "beta, inc", "20"}));
}

TEST(CsvReader, PipeDelimited) {
    CsvDialect d;
    d.delimiter = '|';
    Table t = read_fixture("pipe.csv", d);
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[1], (Row{"2", "beta", "20"}));
}

TEST(CsvReader, LoneCrLineEnds) {
    Table t = read_fixture("cr_only.csv");
    EXPECT_EQ(t.header, (Row{"id", "name"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[1], (Row{"2", "beta"}));
    EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{2, 3}));
}

TEST(CsvReader, QuotedFieldsKeepNewlinesDelimitersAndQuotes) {
    Table t = read_fixture("quoted_multiline.csv");
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[0], (Row{"1", "ligne 1\nligne 2", "3"}));
    EXPECT_EQ(t.rows[1], (Row{"2", "il a dit \"oui\"", "4"}));
    EXPECT_EQ(t.rows[2], (Row{"3", "a,b\r\nc\rd", "5"}));
    EXPECT_EQ(t.rows[3], (Row{"4", "", "6"}));
    EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{2, 4, 5, 8}));
}

TEST(CsvReader, Utf8BomIsStripped) {
    Table t = read_fixture("utf8_bom.csv", semicolon(), Encoding::Utf8Bom);
    EXPECT_EQ(t.header, (Row{"Code", "Libellé"}));
    // Also when the caller hands the reader the raw bytes.
    Table t2 = read_text(slurp("utf8_bom.csv"), semicolon());
    EXPECT_EQ(t2.header, (Row{"Code", "Libellé"}));
    EXPECT_EQ(t2.rows[0], (Row{"C001", "Rosé d'Anjou"}));
}

TEST(CsvReader, Windows1252WithAccentsAndEuro) {
    CsvDialect d = semicolon();
    d.skip_rows = 2;
    Table t = read_fixture("cp1252.csv", d, Encoding::Windows1252);
    EXPECT_EQ(t.header[1], "Désignation");
    ASSERT_EQ(t.rows.size(), 5u);
    EXPECT_EQ(t.rows[0][1], "Château Margaux 2015");
    EXPECT_EQ(t.rows[4][1], "Crémant «Œil de perdrix» – 75cl");
    EXPECT_EQ(t.rows[4][4], "12,50 €");
    EXPECT_EQ(t.lines[0], 4u);
}

TEST(CsvReader, Latin1) {
    Table t = read_fixture("latin1.csv", semicolon(), Encoding::Latin1);
    EXPECT_EQ(t.rows[1], (Row{"C002", "Mâcon-Villages"}));
}

TEST(CsvReader, Utf16LeWithBom) {
    CsvDialect d;
    d.delimiter = '\t';
    Table t = read_fixture("utf16le_bom.txt", d, Encoding::Utf16LE);
    EXPECT_EQ(t.header, (Row{"Code", "Désignation", "Prix"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[1], (Row{"C002", "Pétrus 😀", "3 200,00"}));
}

TEST(CsvReader, UnterminatedQuoteNamesStartLine) {
    auto e = expect_parse_error([] { read_fixture("unterminated_quote.csv"); });
    EXPECT_NE(std::string(e.what()).find("unterminated quoted field starting at line 3"), std::string::npos)
        << e.what();
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.where().column, "2");
}

TEST(CsvReader, QuoteAtEof) {
    auto e = expect_parse_error([] { read_fixture("quote_at_eof.csv"); });
    EXPECT_NE(std::string(e.what()).find("unterminated quoted field starting at line 3"), std::string::npos);
    // The record before is still delivered.
    std::string data = slurp("quote_at_eof.csv");
    MemorySource src(data);
    CsvReader r(src, {}, "q.csv");
    CsvRecord rec;
    ASSERT_TRUE(r.next(rec));
    EXPECT_EQ(rec.fields[1], "alpha");
    EXPECT_THROW(r.next(rec), ParseError);
}

TEST(CsvReader, RaggedRowsAreNotAnError) {
    Table t = read_fixture("ragged.csv");
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0].size(), 3u);
    EXPECT_EQ(t.rows[1].size(), 2u);
    EXPECT_EQ(t.rows[2].size(), 4u);
}

TEST(CsvReader, NulByte) {
    auto e = expect_parse_error([] { read_fixture("nul_byte.csv"); });
    EXPECT_NE(std::string(e.what()).find("NUL byte"), std::string::npos);
    EXPECT_EQ(e.where().line, 2u);
    EXPECT_EQ(e.where().column, "2");
    // Inside quotes too.
    EXPECT_THROW(read_text(std::string("a\n\"x\0y\"\n", 8)), ParseError);
}

TEST(CsvReader, InvalidUtf8NamesLineAndColumn) {
    auto e = expect_parse_error([] { read_fixture("invalid_utf8.csv"); });
    EXPECT_NE(std::string(e.what()).find("invalid UTF-8 byte 0xE9"), std::string::npos) << e.what();
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.where().column, "2");
    EXPECT_STREQ(e.sqlstate(), "22021");
    // In a later physical line of a multi-line quoted field, third column.
    auto e2 = expect_parse_error([] { read_text("a,b,c\n1,\"x\ny\",\"p\nq\xff\"\n"); });
    EXPECT_EQ(e2.where().line, 4u);
    EXPECT_EQ(e2.where().column, "3");
    // In the header.
    EXPECT_THROW(read_text("a,\xc3\x28\n1,2\n"), ParseError);
}

TEST(CsvReader, FieldOverLimit) {
    CsvLimits lim;
    lim.max_field_bytes = 10;
    EXPECT_NO_THROW(read_text("a,b\n1,0123456789\n", {}, lim));
    try {
        read_text("a,b\n1,2\n3,01234567890\n", {}, lim);
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.sqlstate(), "54000");
        EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
    }
    // Quoted, and a field that does not fit in the window either.
    lim.buffer_bytes = 64;
    EXPECT_THROW(read_text("a\n\"" + std::string(1000, 'x') + "\"\n", {}, lim), Error);
}

TEST(CsvReader, RecordOverLimit) {
    CsvLimits lim;
    lim.buffer_bytes = 64;
    lim.max_record_bytes = 256;
    std::string big = "a,b\n" + std::string(200, 'x') + "," + std::string(200, 'y') + "\n";
    try {
        read_text(big, {}, lim);
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.sqlstate(), "54000");
    }
    lim.max_record_bytes = 1024;
    Table t = read_text(big, {}, lim);
    EXPECT_EQ(t.rows[0][1], std::string(200, 'y'));
}

TEST(CsvReader, TenThousandColumns) {
    std::string line;
    for (int i = 0; i < 10000; ++i) line += (i ? ";" : "") + std::to_string(i);
    std::string data = line + "\n" + line + "\n";
    Table t = read_text(data, semicolon());
    ASSERT_EQ(t.header.size(), 10000u);
    ASSERT_EQ(t.rows[0].size(), 10000u);
    EXPECT_EQ(t.rows[0][9999], "9999");
    CsvLimits lim;
    lim.max_columns = 9999;
    try {
        read_text(data, semicolon(), lim);
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.sqlstate(), "54000");
    }
}

TEST(CsvReader, EmptyFile) {
    Table t = read_fixture("empty.csv");
    EXPECT_TRUE(t.header.empty());
    EXPECT_TRUE(t.rows.empty());
    CsvDialect d;
    d.header = false;
    EXPECT_TRUE(read_text("", d).rows.empty());
    EXPECT_TRUE(read_text("\n\r\n", d).rows.empty());
}

TEST(CsvReader, HeaderOnly) {
    Table t = read_fixture("header_only.csv", semicolon());
    EXPECT_EQ(t.header, (Row{"id", "nom", "quantité"}));
    EXPECT_TRUE(t.rows.empty());
    EXPECT_EQ(read_text("a,b").header, (Row{"a", "b"}));
}

TEST(CsvReader, DuplicateHeadersKept) {
    Table t = read_fixture("duplicate_headers.csv");
    EXPECT_EQ(t.header, (Row{"id", "name", "name", ""}));
    EXPECT_EQ(t.rows[0], (Row{"1", "a", "b", "c"}));
}

TEST(CsvReader, PreambleSkippedBeforeHeader) {
    CsvDialect d = semicolon();
    d.skip_rows = 3;
    Table t = read_fixture("preamble.csv", d);
    EXPECT_EQ(t.header, (Row{"Code", "Désignation", "Qté"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{5, 6}));
    // More preamble lines than the file has.
    d.skip_rows = 100;
    EXPECT_TRUE(read_fixture("preamble.csv", d).header.empty());
}

TEST(CsvReader, TextAfterClosingQuoteIsKept) {
    Table t = read_fixture("text_after_quote.csv");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0], (Row{"abc", "2"}));
    EXPECT_EQ(t.rows[1], (Row{"x\"yzw,v", "3"}));
}

TEST(CsvReader, BlankLinesSkipped) {
    Table t = read_fixture("blank_lines.csv");
    EXPECT_EQ(t.rows, (std::vector<Row>{{"1", "2"}, {"3", "4"}}));
    EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{3, 5}));
}

TEST(CsvReader, TrailingDelimiterAndNoFinalNewline) {
    Table t = read_text("a,b,c\n1,2,");
    EXPECT_EQ(t.rows, (std::vector<Row>{{"1", "2", ""}}));
    Table q = read_text("a\n\"x\"");
    EXPECT_EQ(q.rows, (std::vector<Row>{{"x"}}));
}

TEST(CsvReader, BackslashEscape) {
    CsvDialect d;
    d.escape = '\\';
    Table t = read_fixture("backslash_escape.csv", d);
    EXPECT_EQ(t.rows[0][1], "il a dit \"oui\" hier");
    EXPECT_EQ(read_text("a\n\"c:\\\\x\\y\"\n", d).rows[0][0], "c:\\x\\y");
}

TEST(CsvReader, QuotingDisabled) {
    CsvDialect d;
    d.quote = '\0';
    Table t = read_text("a,b\n\"x,y\"\n", d);
    EXPECT_EQ(t.rows[0], (Row{"\"x", "y\""}));
}

TEST(CsvReader, SingleQuote) {
    CsvDialect d;
    d.quote = '\'';
    d.escape = '\'';
    Table t = read_text("a;b\n'x;y';'l''ami'\n", [&] { d.delimiter = ';'; return d; }());
    EXPECT_EQ(t.rows[0], (Row{"x;y", "l'ami"}));
}

TEST(CsvReader, NoHeaderNumbersRecordsFromOne) {
    CsvDialect d;
    d.header = false;
    Table t = read_text("1,2\n3,4\n", d);
    EXPECT_TRUE(t.header.empty());
    EXPECT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{1, 2}));
}

TEST(CsvReader, InvalidDialectRejected) {
    MemorySource src("");
    CsvDialect d;
    d.delimiter = '"';
    EXPECT_THROW(CsvReader(src, d, "x"), Error);
    d.delimiter = '\n';
    EXPECT_THROW(CsvReader(src, d, "x"), Error);
}

TEST(CsvReader, RawIsCapped) {
    CsvLimits lim;
    lim.max_raw_bytes = 5;
    Table t = read_text("a,b\n1234,5678\n", {}, lim);
    EXPECT_EQ(t.raws[0], "1234,");
    EXPECT_EQ(t.rows[0][1], "5678");
}

namespace {
std::string generated(size_t approx_bytes) {
    std::string s = "id;texte;montant\n";
    for (size_t i = 0; s.size() < approx_bytes; ++i) {
        s += std::to_string(i) + ";";
        if (i % 7 == 0) s += "\"multi\nligne \"\"" + std::to_string(i) + "\"\";x\"";
        else if (i % 5 == 0) s += "\"\"";
        else s += "Château n°" + std::to_string(i);
        s += ";" + std::to_string(i % 1000) + ",50" + (i % 3 ? "\n" : "\r\n");
    }
    return s;
}
}  // namespace

TEST(CsvReader, RecordsSpanningTheWindowBoundary) {
    std::string data = generated(3u << 20);  // > the 1 MB default window
    char path[] = "/tmp/crm_csv_window_XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::lseek(fd, 0, SEEK_SET);
    FdSource file(fd, path);
    Table big = read_source(file, semicolon());
    ::close(fd);
    ::unlink(path);
    EXPECT_EQ(big.rows, read_text(data, semicolon()).rows);
    ASSERT_GT(big.rows.size(), 10000u);
    EXPECT_EQ(big.rows[7][1], "multi\nligne \"7\";x");
    for (const auto& r : big.rows) ASSERT_EQ(r.size(), 3u);
    // The same with a tiny window and a source that returns 1..13 bytes per read.
    std::string small = data.substr(0, 200000);
    small.resize(small.rfind('\n') + 1);
    Table ref = read_text(small, semicolon());
    CsvLimits lim;
    lim.buffer_bytes = 64;
    ChunkedSource chunked(small, 13);
    Table t = read_source(chunked, semicolon(), lim);
    EXPECT_EQ(t.rows, ref.rows);
    EXPECT_EQ(t.lines, ref.lines);
    EXPECT_EQ(t.raws, ref.raws);
}

TEST(CsvReader, CrLfSplitAcrossReads) {
    std::string data = "a,b\r\n1,\"x\r\ny\"\r\n2,3\r\n";
    for (size_t chunk = 1; chunk < 6; ++chunk) {
        ChunkedSource src(data, chunk);
        CsvLimits lim;
        lim.buffer_bytes = 64;
        Table t = read_source(src, {}, lim);
        EXPECT_EQ(t.rows, (std::vector<Row>{{"1", "x\r\ny"}, {"2", "3"}}));
        EXPECT_EQ(t.lines, (std::vector<std::uint64_t>{2, 4}));
    }
}

namespace {
int g_calls = 0;
bool cancel_after_some() noexcept { return ++g_calls > 3; }
}  // namespace

TEST(CsvReader, LongReadsCanBeCancelled) {
    std::string data = generated(1u << 20);
    set_interrupt_probe(&cancel_after_some);
    g_calls = 0;
    EXPECT_THROW(read_text(data, semicolon()), Cancelled);
    set_interrupt_probe(nullptr);
}
