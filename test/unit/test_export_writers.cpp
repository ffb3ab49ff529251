// The export writers: CSV (French Excel conventions, RFC 4180 quoting,
// exact numbers) and XLSX (typed cells, read back with pg_crm's own reader).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/csv_writer.hpp"
#include "core/error.hpp"
#include "core/export_options.hpp"
#include "core/xlsx_reader.hpp"
#include "core/xlsx_writer.hpp"
#include "core/zip_archive.hpp"

namespace {

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/crm_export_XXXXXX";
        path_ = mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

crm::ExportCell text(std::string_view s) {
    crm::ExportCell c;
    c.null = false;
    c.text = s;
    return c;
}
crm::ExportCell when(int y, int m, int d, int h = 0, int mi = 0, int s = 0, int us = 0) {
    crm::ExportCell c;
    c.null = false;
    c.when = crm::DateTimeValue{y, m, d, h, mi, s, us};
    return c;
}
crm::ExportCell flag(bool b) {
    crm::ExportCell c;
    c.null = false;
    c.flag = b;
    return c;
}

std::vector<crm::ExportColumn> columns() {
    return {{"ref", crm::ColumnKind::Integer},   {"libellé", crm::ColumnKind::Text},
            {"ca", crm::ColumnKind::Numeric, 2}, {"vendu_le", crm::ColumnKind::Date},
            {"vu", crm::ColumnKind::Timestamp},  {"actif", crm::ColumnKind::Boolean},
            {"z", crm::ColumnKind::Float}};
}

std::vector<crm::ExportCell> sample_row() {
    return {text("12"),     text("Cuvée \"Prestige\"; 75 cl"), text("1234567.89"), when(2024, 3, 5),
            when(2024, 3, 5, 14, 7, 9, 500000), flag(true), text("-0.125")};
}

std::string csv_of(const crm::CsvWriteOptions& options, const std::vector<std::vector<crm::ExportCell>>& rows) {
    TempDir dir;
    std::string path = dir.file("out.csv");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    crm::CsvWriter writer(fd, path, options, columns());
    for (const auto& row : rows) writer.write_row(row.data());
    writer.finish();
    ::close(fd);
    return read_all(path);
}

}  // namespace

TEST(CsvWriter, WritesFrenchExcelByDefault) {
    std::vector<crm::ExportCell> nulls(7);
    EXPECT_EQ(csv_of({}, {sample_row(), nulls}),
              "ref;libellé;ca;vendu_le;vu;actif;z\r\n"
              "12;\"Cuvée \"\"Prestige\"\"; 75 cl\";1234567,89;05/03/2024;05/03/2024 14:07:09.5;true;-0,125\r\n"
              ";;;;;;\r\n");
}

TEST(CsvWriter, OptionsChangeDelimiterDecimalDatesHeaderAndBom) {
    crm::CsvWriteOptions options;
    options.delimiter = ',';
    options.decimal = '.';
    options.iso_dates = true;
    options.header = false;
    options.bom = true;
    EXPECT_EQ(csv_of(options, {sample_row()}),
              "\xEF\xBB\xBF" "12,\"Cuvée \"\"Prestige\"\"; 75 cl\",1234567.89,2024-03-05,2024-03-05 14:07:09.5,true,-0.125\r\n");
}

TEST(CsvWriter, QuotesLineBreaksAndKeepsEveryDigit) {
    auto row = sample_row();
    row[1] = text("ligne 1\nligne 2");
    row[2] = text("123456789012345678901234.56");  // more digits than a double holds
    EXPECT_EQ(csv_of({}, {row}).substr(37), "12;\"ligne 1\nligne 2\";123456789012345678901234,56;05/03/2024;05/03/2024 14:07:09.5;true;-0,125\r\n");
}

TEST(CsvWriter, RefusesADecimalCommaWithACommaDelimiter) {
    crm::CsvWriteOptions options;
    options.delimiter = ',';
    try {
        csv_of(options, {});
        FAIL();
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "22023");
    }
}

TEST(ExportOptions, ParsesKnownKeysAndRefusesOthers) {
    crm::ExportOptions o = crm::parse_export_options(
        R"({"format": "csv", "delimiter": "tab", "decimal": ".", "bom": true, "header": false, "date_format": "iso", "sheet": "Ventes", "overwrite": true})");
    EXPECT_EQ(*o.format, crm::ExportFormat::Csv);
    EXPECT_EQ(o.csv.delimiter, '\t');
    EXPECT_TRUE(o.csv.bom && !o.csv.header && o.csv.iso_dates && o.overwrite);
    EXPECT_EQ(o.sheet, "Ventes");
    EXPECT_THROW(crm::parse_export_options(R"({"delimter": ";"})"), crm::Error);
    EXPECT_THROW(crm::parse_export_options(R"({"decimal": ";"})"), crm::Error);
    EXPECT_THROW(crm::parse_export_options(R"({"date_format": "mm/dd/yyyy"})"), crm::Error);
    EXPECT_EQ(crm::export_format({}, "/x/Rapport.XLSX"), crm::ExportFormat::Xlsx);
    EXPECT_EQ(crm::export_format({}, "/x/a.csv"), crm::ExportFormat::Csv);
    EXPECT_THROW(crm::export_format({}, "/x/a.txt"), crm::Error);
}

TEST(ExportOptions, ParsesSheetSpecs) {
    auto sheets = crm::parse_sheet_specs(
        R"([{"name": "CA", "query": "SELECT 1", "total": {"label": "Total", "sum": ["b"]}, "chart": {"title": "Top", "category": "a", "value": "b", "rows": 5, "type": "column"}}])");
    ASSERT_EQ(sheets.size(), 1u);
    EXPECT_TRUE(sheets[0].chart);
    EXPECT_FALSE(sheets[0].chart_horizontal);
    EXPECT_EQ(sheets[0].chart_rows, 5u);
    EXPECT_EQ(sheets[0].total_columns, std::vector<std::string>{"b"});
    EXPECT_THROW(crm::parse_sheet_specs(R"([{"query": "SELECT 1", "total": "Total"}])"), crm::Error);
    EXPECT_THROW(crm::parse_sheet_specs("[]"), crm::Error);
    EXPECT_THROW(crm::parse_sheet_specs(R"([{"name": "x"}])"), crm::Error);
    EXPECT_THROW(crm::parse_sheet_specs(R"([{"query": "SELECT 1", "chart": {"kind": "pie"}}])"), crm::Error);
}

TEST(XlsxWriter, TypedCellsReadBackWithTheProjectsReader) {
    TempDir dir;
    std::string path = dir.file("out.xlsx");
    {
        crm::XlsxWriter writer(path, path);
        writer.add_sheet("Ventes", columns());
        auto row = sample_row();
        writer.write_row(row.data());
        auto second = sample_row();
        second[0] = text("123456789012345678");  // 18 digits: kept as text, not rounded
        second[2] = text("0.11");
        second[1] = crm::ExportCell{};  // NULL: an empty cell
        writer.write_row(second.data());
        EXPECT_THROW(writer.write_total_row("Total", {1}), crm::Error);  // text is not summed
        writer.write_total_row("Total", {2});
        writer.add_chart({"Top", 1, 2, 10, true});
        writer.close();
    }
    crm::XlsxReader reader(path);
    ASSERT_EQ(reader.sheet_names(), std::vector<std::string>{"Ventes"});
    crm::XlsxRow row;
    ASSERT_TRUE(reader.next_row(row));
    EXPECT_EQ(row.cells[1].text, "libellé");
    ASSERT_TRUE(reader.next_row(row));
    EXPECT_EQ(row.cells[0].type, crm::CellType::Number);
    EXPECT_EQ(row.cells[0].number, 12);
    EXPECT_EQ(row.cells[1].text, "Cuvée \"Prestige\"; 75 cl");
    EXPECT_EQ(row.cells[2].number, 1234567.89);
    EXPECT_EQ(row.cells[3].type, crm::CellType::Date);
    EXPECT_EQ(row.cells[3].text, "2024-03-05");
    EXPECT_EQ(row.cells[4].type, crm::CellType::DateTime);
    EXPECT_EQ(row.cells[4].text.substr(0, 19), "2024-03-05 14:07:09");
    EXPECT_EQ(row.cells[5].type, crm::CellType::Boolean);
    EXPECT_EQ(row.cells[6].number, -0.125);
    ASSERT_TRUE(reader.next_row(row));
    EXPECT_EQ(row.cells[0].type, crm::CellType::String);
    EXPECT_EQ(row.cells[0].text, "123456789012345678");
    EXPECT_EQ(row.cells[1].type, crm::CellType::Empty);
    ASSERT_TRUE(reader.next_row(row));  // the total row: the sum cached, to the column's scale
    EXPECT_EQ(row.cells[0].text, "Total");
    EXPECT_EQ(row.cells[2].text, "1234568");
    EXPECT_FALSE(reader.next_row(row));

    crm::ZipArchive zip(path);
    EXPECT_TRUE(zip.has("xl/charts/chart1.xml"));
    std::string sheet = zip.read_all("xl/worksheets/sheet1.xml", 1 << 20);
    EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
    EXPECT_NE(sheet.find("<autoFilter ref=\"A1:G3\"/>"), std::string::npos) << "the total row is outside the filter";
    EXPECT_NE(sheet.find("SUM(C2:C3)"), std::string::npos);
    std::string styles = zip.read_all("xl/styles.xml", 1 << 20);
    EXPECT_NE(styles.find("#,##0.00"), std::string::npos);
    EXPECT_NE(styles.find("dd/mm/yyyy"), std::string::npos);
}

TEST(XlsxWriter, RefusesACellOverExcelsLimitAndABadSheetName) {
    TempDir dir;
    std::string path = dir.file("out.xlsx");
    crm::XlsxWriter writer(path, path);
    EXPECT_THROW(writer.add_sheet("a/b", columns()), crm::Error);
    EXPECT_THROW(writer.add_sheet(std::string(32, 'x'), columns()), crm::Error);
    writer.add_sheet("Ventes", columns());
    auto row = sample_row();
    std::string huge(32768, 'a');
    row[1] = text(huge);
    try {
        writer.write_row(row.data());
        FAIL();
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "54000");
        EXPECT_NE(std::string(e.what()).find("32 767"), std::string::npos);
    }
    std::string fits(32767, 'a');  // exactly the limit is fine (counted in characters)
    row[1] = text(fits);
    EXPECT_NO_THROW(writer.write_row(row.data()));
}

TEST(XlsxWriter, RefusesMoreRowsThanASheetHolds) {
    TempDir dir;
    std::string path = dir.file("big.xlsx");
    crm::XlsxWriter writer(path, path);
    writer.add_sheet("Big", {{"n", crm::ColumnKind::Integer}});
    crm::ExportCell cell = text("1");
    for (std::uint32_t i = 1; i < crm::kXlsxMaxRows; ++i) writer.write_row(&cell);
    try {
        writer.write_row(&cell);
        FAIL();
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "54000");
        EXPECT_NE(std::string(e.what()).find("1 048 576"), std::string::npos);
    }
}
