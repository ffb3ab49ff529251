#include <gtest/gtest.h>

#include <fcntl.h>
#include <fstream>
#include <map>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/error.hpp"
#include "core/xlsx_reader.hpp"
#include "zip_test_util.hpp"

using crm::CellType;
using crm::XlsxReader;
using crm::XlsxRow;
using crm_test::RawWorkbook;
using crm_test::TempPath;

namespace {

const std::string kFixtures = CRM_FIXTURES;

std::vector<XlsxRow> all_rows(XlsxReader& r, std::string_view sheet = "") {
    r.open_sheet(sheet);
    std::vector<XlsxRow> rows;
    XlsxRow row;
    while (r.next_row(row)) rows.push_back(row);
    return rows;
}

std::string texts(const XlsxRow& row) {
    std::string out;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
        if (i) out += '|';
        out += row.cells[i].text;
    }
    return out;
}

std::string raw(const RawWorkbook& wb) {
    TempPath t;
    crm_test::write_zip(t.path, wb.members());
    std::ifstream in(t.path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

XlsxReader open_raw(const RawWorkbook& wb, crm::XlsxLimits lim = {}) {
    return XlsxReader(crm::from_memory, raw(wb), "raw.xlsx", lim);
}

struct Failure {
    std::string state, message;
    crm::Location where;
};

template <class F>
Failure failure_of(F&& f) {
    try {
        f();
    } catch (const crm::ParseError& e) {
        return {e.sqlstate(), e.what(), e.where()};
    } catch (const crm::Error& e) {
        return {e.sqlstate(), e.what(), {}};
    }
    return {"none", "no error", {}};
}

// Reads every sheet of a file to the end.
void read_everything(const std::string& path) {
    XlsxReader r(path);
    for (std::size_t i = 0; i < r.sheet_names().size(); ++i) {
        r.open_sheet(std::to_string(i + 1));
        XlsxRow row;
        while (r.next_row(row)) {
        }
    }
}

std::string styles_with(const std::string& numfmts, const std::vector<int>& xf_ids) {
    std::string s = std::string(R"(<?xml version="1.0"?><styleSheet xmlns=")") + crm_test::kMainNs + "\">" + numfmts +
                    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs>";
    for (int id : xf_ids) s += "<xf numFmtId=\"" + std::to_string(id) + "\" xfId=\"0\"/>";
    return s + "</cellXfs></styleSheet>";
}

}  // namespace

// ------------------------------------------------------------ helpers

TEST(XlsxHelpers, NumbersRenderShortestRoundTripInPlainNotation) {
    std::string s;
    auto f = [&](double v) {
        crm::xlsx_format_number(v, s);
        return s;
    };
    EXPECT_EQ(f(12.5), "12.5");
    EXPECT_EQ(f(825), "825");
    EXPECT_EQ(f(34.299999999999997), "34.3");
    EXPECT_EQ(f(1e-05), "0.00001");
    EXPECT_EQ(f(-0.0), "0");
    EXPECT_EQ(f(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(f(123456789012345680000.0), "123456789012345680000");
    EXPECT_EQ(f(1234.5678), "1234.5678");
    EXPECT_EQ(f(0.000001234), "0.000001234");
    EXPECT_EQ(f(-1e20), "-100000000000000000000");
    EXPECT_EQ(f(1e21), "1e+21");
    EXPECT_EQ(f(-2.5e-300), "-2.5e-300");
    EXPECT_EQ(f(1.5e-8), "1.5e-08");
    EXPECT_EQ(f(-42), "-42");
}

TEST(XlsxHelpers, ColumnNames) {
    EXPECT_EQ(crm::xlsx_column_name(0), "A");
    EXPECT_EQ(crm::xlsx_column_name(25), "Z");
    EXPECT_EQ(crm::xlsx_column_name(26), "AA");
    EXPECT_EQ(crm::xlsx_column_name(16383), "XFD");
}

TEST(XlsxHelpers, SerialDates1900WithLotusBugAnd1904) {
    std::string s;
    auto d = [&](double v, bool d1904, bool t) { return crm::xlsx_serial_to_text(v, d1904, t, s) ? s : "-"; };
    EXPECT_EQ(d(1, false, false), "1900-01-01");
    EXPECT_EQ(d(59, false, false), "1900-02-28");
    EXPECT_EQ(d(60, false, false), "1900-02-29");  // fictitious
    EXPECT_EQ(d(61, false, false), "1900-03-01");
    EXPECT_EQ(d(44032, false, false), "2020-07-20");
    EXPECT_EQ(d(44032.458333333343, false, true), "2020-07-20 11:00:00");
    EXPECT_EQ(d(44056.447951388887, false, true), "2020-08-13 10:45:03");
    EXPECT_EQ(d(2958465.99999999, false, true), "-");  // rounds into year 10000
    EXPECT_EQ(d(2958465, false, false), "9999-12-31");
    EXPECT_EQ(d(0.5, false, true), "-");  // 1900-01-00 does not exist
    EXPECT_EQ(d(-1, false, false), "-");
    EXPECT_EQ(d(0, true, false), "1904-01-01");
    EXPECT_EQ(d(42570, true, false), "2020-07-20");
    EXPECT_EQ(d(1.75, true, true), "1904-01-02 18:00:00");
    EXPECT_EQ(d(10.999999999, false, true), "1900-01-11 00:00:00");  // rounds to next day
}

TEST(XlsxHelpers, FormatClassification) {
    auto k = [](const char* code) {
        auto r = crm::xlsx_classify_format(code);
        return std::string(r.date ? "D" : "") + (r.time ? "T" : "");
    };
    EXPECT_EQ(k("yyyy-mm-dd"), "D");
    EXPECT_EQ(k("yyyy\\-mm\\-dd\\ hh:mm:ss"), "DT");
    EXPECT_EQ(k("dd/mm/yyyy;@"), "D");
    EXPECT_EQ(k("[$-40C]d mmmm yyyy"), "D");
    EXPECT_EQ(k("mmm"), "D");
    EXPECT_EQ(k("hh:mm"), "T");
    EXPECT_EQ(k("[h]:mm:ss"), "T");
    EXPECT_EQ(k("h:mm AM/PM"), "T");
    EXPECT_EQ(k("General"), "");
    EXPECT_EQ(k("0.00"), "");
    EXPECT_EQ(k("[Red]0.00;[Blue]-0.00"), "");
    EXPECT_EQ(k("#,##0.00 \"days\""), "");
    EXPECT_EQ(k("0\\d"), "");
    EXPECT_EQ(k("#,##0.00 [$€-40C]"), "");
    EXPECT_EQ(k("_(* #,##0_);_(* (#,##0);_(* \"-\"??_);_(@_)"), "");
}

// ------------------------------------------------------------ generated workbooks

namespace {

// Writes a workbook with libxlsxwriter covering every cell type.
void make_typed_workbook(const std::string& path) {
    lxw_workbook* wb = workbook_new(path.c_str());
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Ventes");
    lxw_worksheet* ws2 = workbook_add_worksheet(wb, "Stock 2024");
    lxw_worksheet* ws3 = workbook_add_worksheet(wb, "Empty");
    (void)ws3;
    lxw_format* date14 = workbook_add_format(wb);
    format_set_num_format_index(date14, 14);
    lxw_format* dt22 = workbook_add_format(wb);
    format_set_num_format_index(dt22, 22);
    lxw_format* dmy = workbook_add_format(wb);
    format_set_num_format(dmy, "dd/mm/yyyy");
    lxw_format* iso = workbook_add_format(wb);
    format_set_num_format(iso, "yyyy-mm-dd hh:mm:ss");
    lxw_format* hhmm = workbook_add_format(wb);
    format_set_num_format(hhmm, "hh:mm");
    lxw_format* red = workbook_add_format(wb);
    format_set_num_format(red, "[Red]0.00");
    lxw_format* days = workbook_add_format(wb);
    format_set_num_format(days, "0 \"days\"");

    worksheet_write_string(ws, 0, 0, "label", nullptr);
    worksheet_write_string(ws, 0, 1, "value", nullptr);
    worksheet_write_string(ws, 1, 0, "Château Margaux 2015 — «grand vin»", nullptr);
    worksheet_write_number(ws, 1, 1, 12.5, nullptr);
    worksheet_write_number(ws, 2, 1, 825, nullptr);
    worksheet_write_number(ws, 3, 1, 1e-05, nullptr);
    worksheet_write_number(ws, 4, 1, -34.299999999999997, red);
    worksheet_write_boolean(ws, 5, 0, 1, nullptr);
    worksheet_write_boolean(ws, 5, 1, 0, nullptr);
    worksheet_write_formula_num(ws, 6, 0, "=B2*2", nullptr, 25);
    lxw_datetime d1 = {2024, 3, 15, 0, 0, 0};
    lxw_datetime d2 = {2024, 3, 15, 14, 30, 5};
    worksheet_write_datetime(ws, 7, 0, &d1, date14);
    worksheet_write_datetime(ws, 7, 1, &d2, dt22);
    worksheet_write_datetime(ws, 8, 0, &d1, dmy);
    worksheet_write_datetime(ws, 8, 1, &d2, iso);
    worksheet_write_datetime(ws, 9, 0, &d2, hhmm);   // time-only format: stays a number
    worksheet_write_number(ws, 9, 1, 45366, days);  // "0 days": not a date
    worksheet_write_datetime(ws, 10, 0, &d2, dmy);  // date format, value with a time
    // sparse: row 13 (index 12), columns C and F only
    worksheet_write_string(ws, 12, 2, "c13", nullptr);
    worksheet_write_number(ws, 12, 5, 6, nullptr);
    worksheet_write_string(ws, 13, 0, "", nullptr);  // libxlsxwriter writes nothing for ""

    worksheet_write_string(ws2, 0, 0, "sku", nullptr);
    worksheet_write_number(ws2, 1, 0, 16230, nullptr);
    worksheet_write_string(ws2, 2, 0, "13127-1", nullptr);
    ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
}

}  // namespace

TEST(XlsxReader, EveryCellTypeFromAGeneratedWorkbook) {
    TempPath t;
    make_typed_workbook(t.path);
    XlsxReader r(t.path);
    ASSERT_EQ(r.sheet_names(), (std::vector<std::string>{"Ventes", "Stock 2024", "Empty"}));
    EXPECT_FALSE(r.date1904());
    auto rows = all_rows(r, "Ventes");
    ASSERT_EQ(rows.size(), 12u);
    EXPECT_EQ(rows[0].row_number, 1u);
    EXPECT_EQ(texts(rows[0]), "label|value");
    EXPECT_EQ(rows[1].cells[0].type, CellType::String);
    EXPECT_EQ(rows[1].cells[0].text, "Château Margaux 2015 — «grand vin»");
    EXPECT_EQ(rows[1].cells[1].type, CellType::Number);
    EXPECT_EQ(rows[1].cells[1].number, 12.5);
    EXPECT_EQ(texts(rows[1]).substr(texts(rows[1]).find('|')), "|12.5");
    EXPECT_EQ(texts(rows[2]), "|825");
    EXPECT_EQ(rows[2].cells[0].type, CellType::Empty);
    EXPECT_EQ(texts(rows[3]), "|0.00001");
    EXPECT_EQ(texts(rows[4]), "|-34.3");
    EXPECT_EQ(rows[5].cells[0].type, CellType::Boolean);
    EXPECT_EQ(texts(rows[5]), "true|false");
    EXPECT_EQ(rows[6].cells[0].type, CellType::Number);  // formula: cached value
    EXPECT_EQ(texts(rows[6]), "25");
    EXPECT_EQ(rows[7].cells[0].type, CellType::Date);
    EXPECT_EQ(rows[7].cells[1].type, CellType::DateTime);
    EXPECT_EQ(texts(rows[7]), "2024-03-15|2024-03-15 14:30:05");
    EXPECT_DOUBLE_EQ(rows[7].cells[0].number, 45366);
    EXPECT_EQ(texts(rows[8]), "2024-03-15|2024-03-15 14:30:05");
    EXPECT_EQ(rows[9].cells[0].type, CellType::Number);
    EXPECT_EQ(rows[9].cells[1].type, CellType::Number);
    EXPECT_EQ(texts(rows[9]).substr(texts(rows[9]).find('|')), "|45366");
    EXPECT_EQ(rows[10].cells[0].type, CellType::DateTime);
    EXPECT_EQ(texts(rows[10]), "2024-03-15 14:30:05");
    EXPECT_EQ(rows[11].row_number, 13u);  // gap: rows 12 absent
    ASSERT_EQ(rows[11].cells.size(), 6u);
    EXPECT_EQ(texts(rows[11]), "||c13|||6");
    EXPECT_EQ(rows[11].cells[3].type, CellType::Empty);
}

TEST(XlsxReader, SheetSelectionByNameIndexAndDefault) {
    TempPath t;
    make_typed_workbook(t.path);
    XlsxReader r(t.path);
    auto s2 = all_rows(r, "Stock 2024");
    ASSERT_EQ(s2.size(), 3u);
    EXPECT_EQ(r.current_sheet(), "Stock 2024");
    EXPECT_EQ(s2[1].cells[0].type, CellType::Number);
    EXPECT_EQ(s2[1].cells[0].text, "16230");
    EXPECT_EQ(s2[2].cells[0].text, "13127-1");
    EXPECT_EQ(texts(all_rows(r, "2")[0]), "sku");
    EXPECT_EQ(texts(all_rows(r, "stock 2024")[0]), "sku");  // case-insensitive fallback
    EXPECT_EQ(texts(all_rows(r, "")[0]), "label|value");
    EXPECT_EQ(texts(all_rows(r, "1")[0]), "label|value");
    EXPECT_TRUE(all_rows(r, "Empty").empty());
    auto f = failure_of([&] { r.open_sheet("Achats"); });
    EXPECT_EQ(f.state, "22023");
    EXPECT_NE(f.message.find("\"Ventes\", \"Stock 2024\", \"Empty\""), std::string::npos) << f.message;
    EXPECT_EQ(failure_of([&] { r.open_sheet("4"); }).state, "22023");
    EXPECT_EQ(failure_of([&] { r.open_sheet("0"); }).state, "22023");
    // next_row without open_sheet reads the first sheet
    XlsxReader r2(t.path);
    XlsxRow row;
    ASSERT_TRUE(r2.next_row(row));
    EXPECT_EQ(texts(row), "label|value");
}

TEST(XlsxReader, ConstantMemoryWorkbooksUseInlineStrings) {
    TempPath t;
    lxw_workbook_options opts = {};
    opts.constant_memory = LXW_TRUE;
    lxw_workbook* wb = workbook_new_opt(t.path.c_str(), &opts);
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    for (int i = 0; i < 3000; ++i) {
        worksheet_write_number(ws, static_cast<lxw_row_t>(i), 0, i, nullptr);
        worksheet_write_string(ws, static_cast<lxw_row_t>(i), 1, ("vin " + std::to_string(i)).c_str(), nullptr);
    }
    ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
    XlsxReader r(t.path);
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 3000u);
    EXPECT_EQ(texts(rows[2999]), "2999|vin 2999");
    EXPECT_EQ(rows[2999].row_number, 3000u);
    EXPECT_EQ(rows[2999].cells[1].type, CellType::String);
}

TEST(XlsxReader, StreamsManyRowsWithReusedBuffers) {
    TempPath t;
    lxw_workbook_options opts = {};
    opts.constant_memory = LXW_TRUE;
    lxw_workbook* wb = workbook_new_opt(t.path.c_str(), &opts);
    lxw_worksheet* ws = workbook_add_worksheet(wb, "big");
    const int n = 60000;
    for (int i = 0; i < n; ++i) {
        for (lxw_col_t c = 0; c < 8; ++c) worksheet_write_number(ws, static_cast<lxw_row_t>(i), c, i * 8 + c, nullptr);
    }
    ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
    XlsxReader r(t.path);
    r.open_sheet("big");
    XlsxRow row;
    int count = 0;
    double sum = 0;
    while (r.next_row(row)) {
        ASSERT_EQ(row.row_number, static_cast<std::uint32_t>(count + 1));
        ASSERT_EQ(row.cells.size(), 8u);
        sum += row.cells[7].number;
        ++count;
    }
    EXPECT_EQ(count, n);
    EXPECT_DOUBLE_EQ(sum, 8.0 * (double(n) * (n - 1) / 2) + 7.0 * n);
    EXPECT_FALSE(r.next_row(row));
}

// ------------------------------------------------------------ hand-written XML

TEST(XlsxReader, HandWrittenCellsOfEveryKind) {
    RawWorkbook wb;
    wb.shared = {"<t>plain</t>", "<r><rPr><b/></rPr><t>Ch</t></r><r><t xml:space=\"preserve\">âteau </t></r><rPh><t>ignored</t></rPh>",
                 "<t xml:space=\"preserve\">  spaced  </t>", "<t>line1_x000D_\nline2 _x005F_x0041_ 5_x</t>"};
    wb.styles = styles_with("", {0, 14});
    wb.sheets.push_back({"S", R"(<row r="2"><c r="B2" t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row>)"
                              R"(<row><c t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r><rPh><t>x</t></rPh></is></c>)"
                              R"(<c t="str"><f>A1&amp;"x"</f><v>formula text</v></c>)"
                              R"(<c t="e"><f>1/0</f><v>#DIV/0!</v></c><c t="e"><v>#N/A</v></c>)"
                              R"(<c t="d"><v>2024-02-29T13:45:10.5Z</v></c><c t="d"><v>2024-03-01</v></c>)"
                              R"(<c t="b"><v>1</v></c><c t="n"><v> 1.5E3 </v></c><c><v></v></c><c s="1"><v>45366</v></c>)"
                              R"(<c r="Z3" s="1"/></row>)"
                              R"(<row r="10"/><row r="11"><c r="B11" t="inlineStr"><is><t></t></is></c></row>)"});
    auto r = open_raw(wb);
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].row_number, 2u);
    EXPECT_EQ(texts(rows[0]), "|Château |  spaced  |line1\r\nline2 _x0041_ 5_x");
    EXPECT_EQ(rows[1].row_number, 3u);  // no r: previous + 1
    const auto& c = rows[1].cells;
    ASSERT_EQ(c.size(), 10u);  // the styled empty Z3 is trimmed
    EXPECT_EQ(c[0].type, CellType::String);
    EXPECT_EQ(c[0].text, "inline");
    EXPECT_EQ(c[1].type, CellType::String);
    EXPECT_EQ(c[1].text, "formula text");
    EXPECT_EQ(c[2].type, CellType::Error);
    EXPECT_EQ(c[2].text, "#DIV/0!");
    EXPECT_EQ(c[3].text, "#N/A");
    EXPECT_EQ(c[4].type, CellType::DateTime);
    EXPECT_EQ(c[4].text, "2024-02-29 13:45:10");
    EXPECT_EQ(c[5].type, CellType::Date);
    EXPECT_EQ(c[5].text, "2024-03-01");
    EXPECT_DOUBLE_EQ(c[5].number, 45352);
    EXPECT_EQ(c[6].type, CellType::Boolean);
    EXPECT_EQ(c[6].number, 1);
    EXPECT_EQ(c[7].type, CellType::Number);
    EXPECT_EQ(c[7].text, "1500");
    EXPECT_EQ(c[8].type, CellType::Empty);  // <v></v>
    EXPECT_EQ(c[9].type, CellType::Date);
    EXPECT_EQ(c[9].text, "2024-03-15");
    EXPECT_EQ(rows[2].row_number, 10u);
    EXPECT_TRUE(rows[2].cells.empty());
    ASSERT_EQ(rows[3].cells.size(), 2u);  // an empty string is a String, not trimmed
    EXPECT_EQ(rows[3].cells[1].type, CellType::String);
    EXPECT_EQ(rows[3].cells[1].text, "");
}

TEST(XlsxReader, PrefixedElementNames) {
    RawWorkbook wb;
    wb.sheet_prefix = "x:";
    wb.shared = {"<t>a</t>"};
    wb.sheets.push_back({"S", R"(<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row>)"});
    auto r = open_raw(wb);
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(texts(rows[0]), "a|2");
}

TEST(XlsxReader, Date1904SystemAndLotusBugSerials) {
    RawWorkbook wb;
    wb.workbook_pr = R"(<workbookPr date1904="true"/>)";
    wb.styles = styles_with(R"(<numFmts count="1"><numFmt numFmtId="164" formatCode="d/m/yy\ h:mm;@"/></numFmts>)",
                            {0, 14, 164});
    wb.sheets.push_back({"S", R"(<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>42570</v></c>)"
                              R"(<c r="C1" s="2"><v>1.5</v></c><c r="D1" s="1"><v>-5</v></c></row>)"});
    auto r = open_raw(wb);
    EXPECT_TRUE(r.date1904());
    auto rows = all_rows(r);
    EXPECT_EQ(texts(rows[0]), "1904-01-01|2020-07-20|1904-01-02 12:00:00|-5");
    EXPECT_EQ(rows[0].cells[3].type, CellType::Number);  // negative serial: not a date

    RawWorkbook w1900;
    w1900.styles = styles_with("", {0, 14});
    w1900.sheets.push_back({"S", R"(<row r="1"><c s="1"><v>1</v></c><c s="1"><v>59</v></c><c s="1"><v>60</v></c>)"
                                 R"(<c s="1"><v>61</v></c><c s="1"><v>2958466</v></c><c s="7"><v>61</v></c></row>)"});
    auto r2 = open_raw(w1900);
    EXPECT_FALSE(r2.date1904());
    EXPECT_EQ(texts(all_rows(r2)[0]), "1900-01-01|1900-02-28|1900-02-29|1900-03-01|2958466|61");
}

TEST(XlsxReader, ColumnAndCellLimits) {
    RawWorkbook wb;
    wb.sheets.push_back({"S", R"(<row r="1"><c r="XFD1"><v>1</v></c></row>)"});
    auto r = open_raw(wb);
    auto rows = all_rows(r);
    ASSERT_EQ(rows[0].cells.size(), 16384u);
    crm::XlsxLimits lim;
    lim.max_columns = 100;
    auto r2 = open_raw(wb, lim);
    auto f = failure_of([&] { all_rows(r2); });
    EXPECT_EQ(f.state, "54000");
    EXPECT_EQ(f.where.column, "XFD1");

    RawWorkbook bad;
    bad.sheets.push_back({"S", R"(<row r="1"><c r="AAAA1"><v>1</v></c></row>)"});
    auto r3 = open_raw(bad);
    EXPECT_EQ(failure_of([&] { all_rows(r3); }).state, "22P02");

    RawWorkbook big;
    big.sheets.push_back({"S", "<row r=\"1\"><c t=\"inlineStr\"><is><t>" + std::string(5000, 'x') + "</t></is></c></row>"});
    lim = {};
    lim.max_cell_bytes = 4096;
    auto r4 = open_raw(big, lim);
    EXPECT_EQ(failure_of([&] { all_rows(r4); }).state, "54000");

    RawWorkbook sst;
    for (int i = 0; i < 1000; ++i) sst.shared.push_back("<t>string number " + std::to_string(i) + "</t>");
    sst.sheets.push_back({"S", R"(<row r="1"><c t="s"><v>0</v></c></row>)"});
    lim = {};
    lim.max_shared_strings_bytes = 10000;
    auto r5 = open_raw(sst, lim);
    auto f5 = failure_of([&] { all_rows(r5); });
    EXPECT_EQ(f5.state, "54000");
    EXPECT_NE(f5.message.find("shared strings exceed"), std::string::npos);
}

TEST(XlsxReader, InvalidValuesAreLocatedParseErrors) {
    struct Case {
        const char* xml;
        const char* fragment;
        const char* column;
    } cases[] = {
        {R"(<row r="4"><c r="B4"><v>12,5</v></c></row>)", "invalid number \"12,5\"", "B4"},
        {R"(<row r="4"><c r="B4" t="b"><v>yes</v></c></row>)", "invalid boolean", "B4"},
        {R"(<row r="4"><c r="B4" t="d"><v>2023-02-30</v></c></row>)", "invalid ISO date", "B4"},
        {R"(<row r="4"><c r="B4" t="s"><v>-1</v></c></row>)", "invalid shared string index", "B4"},
        {R"(<row r="4"><c r="B4" t="zz"><v>1</v></c></row>)", "unknown cell type", "B4"},
        {R"(<row r="x"><c r="B4"><v>1</v></c></row>)", "invalid row number", ""},
    };
    for (auto& c : cases) {
        RawWorkbook wb;
        wb.sheets.push_back({"Feuille 1", c.xml});
        auto r = open_raw(wb);
        auto f = failure_of([&] { all_rows(r); });
        EXPECT_EQ(f.state, "22P02") << c.xml;
        EXPECT_NE(f.message.find(c.fragment), std::string::npos) << f.message;
        EXPECT_NE(f.message.find("sheet \"Feuille 1\""), std::string::npos) << f.message;
        EXPECT_EQ(f.where.column, c.column) << f.message;
        EXPECT_EQ(f.where.file, "raw.xlsx");
    }
}

TEST(XlsxReader, FdConstructorKeepsCallerDescriptor) {
    TempPath t;
    make_typed_workbook(t.path);
    int fd = ::open(t.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    {
        XlsxReader r(fd, "upload.xlsx");
        EXPECT_EQ(r.display_name(), "upload.xlsx");
        EXPECT_EQ(all_rows(r, "Stock 2024").size(), 3u);
    }
    EXPECT_EQ(::close(fd), 0);
}

// ------------------------------------------------------------ hostile files

TEST(XlsxBadFiles, NotAZip) {
    auto f = failure_of([] { XlsxReader r(kFixtures + "/xlsx/not_a_zip.xlsx"); });
    EXPECT_EQ(f.state, "22P02");
    EXPECT_EQ(f.message, "not_a_zip.xlsx is not an XLSX file (not a zip archive)");
}

TEST(XlsxBadFiles, Truncated) {
    auto f = failure_of([] { XlsxReader r(kFixtures + "/xlsx/truncated.xlsx"); });
    EXPECT_EQ(f.state, "22P02");
    EXPECT_NE(f.message.find("not an XLSX file"), std::string::npos);
}

TEST(XlsxBadFiles, ZipBombStopsOnRatio) {
    auto f = failure_of([] { read_everything(kFixtures + "/xlsx/zip_bomb.xlsx"); });
    EXPECT_EQ(f.state, "54000");
    EXPECT_NE(f.message.find("compression ratio"), std::string::npos) << f.message;
    // with the ratio relaxed, the member cap stops it
    crm::XlsxLimits lim;
    lim.zip.max_ratio = 1e9;
    lim.zip.max_member_bytes = 8 << 20;
    auto g = failure_of([&] {
        XlsxReader r(kFixtures + "/xlsx/zip_bomb.xlsx", lim);
        all_rows(r);
    });
    EXPECT_EQ(g.state, "54000");
    EXPECT_NE(g.message.find("exceeds the limit"), std::string::npos) << g.message;
}

TEST(XlsxBadFiles, PathTraversalNames) {
    for (const char* name : {"dotdot.xlsx", "absolute.xlsx"}) {
        auto f = failure_of([&] { XlsxReader r(kFixtures + "/xlsx/" + name); });
        EXPECT_EQ(f.state, "22P02") << name;
        EXPECT_NE(f.message.find("refused zip archive"), std::string::npos) << f.message;
    }
}

TEST(XlsxBadFiles, DoctypeAndEntitiesAreRefused) {
    auto f = failure_of([] { XlsxReader r(kFixtures + "/xlsx/entity_expansion.xlsx"); });
    EXPECT_EQ(f.state, "22P02");
    EXPECT_NE(f.message.find("DOCTYPE"), std::string::npos) << f.message;
    auto g = failure_of([] { read_everything(kFixtures + "/xlsx/external_entity.xlsx"); });
    EXPECT_EQ(g.state, "22P02");
    EXPECT_NE(g.message.find("DOCTYPE"), std::string::npos) << g.message;
}

TEST(XlsxBadFiles, DeepNesting) {
    auto f = failure_of([] { read_everything(kFixtures + "/xlsx/deep_nesting.xlsx"); });
    EXPECT_EQ(f.state, "54000");
    EXPECT_NE(f.message.find("nesting deeper than 64"), std::string::npos) << f.message;
}

TEST(XlsxBadFiles, SharedStringIndexOutOfRange) {
    XlsxReader r(kFixtures + "/xlsx/bad_sst_index.xlsx");
    r.open_sheet("Sheet1");
    XlsxRow row;
    for (int i = 0; i < 11; ++i) ASSERT_TRUE(r.next_row(row));
    auto f = failure_of([&] { r.next_row(row); });
    EXPECT_EQ(f.state, "22P02");
    EXPECT_EQ(f.message,
              "bad_sst_index.xlsx line 12, column \"C12\": shared string index 99999 out of range (2 strings) in sheet "
              "\"Sheet1\"");
    EXPECT_EQ(f.where.file, "bad_sst_index.xlsx");
    EXPECT_EQ(f.where.line, 12u);
    EXPECT_EQ(f.where.column, "C12");
}

TEST(XlsxBadFiles, NoWorkbookMissingSheetMalformed) {
    auto f = failure_of([] { XlsxReader r(kFixtures + "/xlsx/no_workbook.xlsx"); });
    EXPECT_EQ(f.state, "22P02");
    EXPECT_NE(f.message.find("no workbook part xl/workbook.xml"), std::string::npos) << f.message;
    XlsxReader r(kFixtures + "/xlsx/missing_sheet.xlsx");
    EXPECT_EQ(r.sheet_names(), std::vector<std::string>{"Sheet1"});
    auto g = failure_of([&] { r.open_sheet("Sheet1"); });
    EXPECT_EQ(g.state, "22P02");
    EXPECT_NE(g.message.find("xl/worksheets/sheet1.xml missing"), std::string::npos) << g.message;
    auto h = failure_of([] { read_everything(kFixtures + "/xlsx/malformed_sheet.xlsx"); });
    EXPECT_EQ(h.state, "22P02");
    EXPECT_NE(h.message.find("invalid XML: mismatched tag"), std::string::npos) << h.message;
}

TEST(XlsxBadFiles, LyingSizesAndMinimal) {
    // The header claims 100 bytes; the real size is what is counted against the caps.
    XlsxReader lying(kFixtures + "/xlsx/lying_size.xlsx");
    EXPECT_EQ(all_rows(lying).size(), 19999u);
    crm::XlsxLimits lim;
    lim.zip.max_member_bytes = 100000;
    auto f = failure_of([&] {
        XlsxReader capped(kFixtures + "/xlsx/lying_size.xlsx", lim);
        all_rows(capped);
    });
    EXPECT_EQ(f.state, "54000");
    XlsxReader r(kFixtures + "/xlsx/minimal.xlsx");
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(texts(rows[0]), "a|1");
}

// ------------------------------------------------------------ BottleNeck (real files)

TEST(BottleNeck, Erp) {
    XlsxReader r(kFixtures + "/bottleneck/erp.xlsx");
    EXPECT_EQ(r.sheet_names(), std::vector<std::string>{"Sheet1"});
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 826u);
    EXPECT_EQ(texts(rows[0]), "product_id|onsale_web|price|stock_quantity|stock_status");
    EXPECT_EQ(texts(rows[1]), "3847|1|24.2|0|outofstock");
    EXPECT_EQ(texts(rows[2]), "3849|1|34.3|0|outofstock");  // stored as 34.299999999999997
    std::map<std::string, int> status;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ASSERT_EQ(rows[i].cells.size(), 5u) << i;
        EXPECT_EQ(rows[i].cells[0].type, CellType::Number);
        EXPECT_EQ(rows[i].cells[2].type, CellType::Number);
        ++status[rows[i].cells[4].text];
        EXPECT_EQ(rows[i].row_number, i + 1);
    }
    EXPECT_EQ(status.size(), 2u);
}

TEST(BottleNeck, Liaison) {
    XlsxReader r(kFixtures + "/bottleneck/liaison.xlsx");
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 826u);
    EXPECT_EQ(texts(rows[0]), "product_id|id_web");
    EXPECT_EQ(texts(rows[1]), "3847|15298");
    int numeric = 0, text = 0, empty = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].cells.size() < 2) {
            ++empty;
            continue;
        }
        (rows[i].cells[1].type == CellType::Number ? numeric : text)++;
    }
    EXPECT_EQ(numeric + text + empty, 825);
    EXPECT_EQ(text, 3);  // "13127-1", "14680-1", "bon-cadeau-25-euros"
    EXPECT_GT(empty, 0);
}

TEST(BottleNeck, Web) {
    XlsxReader r(kFixtures + "/bottleneck/web.xlsx");
    auto rows = all_rows(r);
    ASSERT_EQ(rows.size(), 1514u);
    const auto& h = rows[0].cells;
    ASSERT_EQ(h.size(), 28u);
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < h.size(); ++i) col[h[i].text] = i;
    for (const char* name : {"sku", "total_sales", "post_title", "post_type", "post_content", "post_excerpt"})
        ASSERT_TRUE(col.count(name)) << name;
    std::size_t sku = col["sku"], sales = col["total_sales"], type = col["post_type"], excerpt = col["post_excerpt"];
    std::size_t date = col["post_date"];
    int with_sku = 0, string_sku = 0, multiline = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& c = rows[i].cells;
        if (c.size() > sku && !c[sku].text.empty()) {
            ++with_sku;
            if (c[sku].type == CellType::String) ++string_sku;
        }
        if (c.size() > excerpt && c[excerpt].text.find('\n') != std::string::npos) ++multiline;
        if (c.size() > sales && c[sales].type != CellType::Empty) {
            EXPECT_EQ(c[sales].type, CellType::Number);
        }
        if (c.size() > type) {
            EXPECT_TRUE(c[type].text == "product" || c[type].text == "attachment") << c[type].text;
        }
        if (c.size() > date && c[date].type != CellType::Empty) {
            EXPECT_EQ(c[date].type, CellType::DateTime);
        }
    }
    EXPECT_EQ(with_sku, 1428);
    EXPECT_EQ(string_sku, 4);
    EXPECT_GT(multiline, 100);
    EXPECT_EQ(rows[1].cells[date].text, "2020-07-20 11:00:00");
    EXPECT_EQ(rows[1].cells[sku].text, "16230");
}

TEST(BottleNeck, FromMemoryMatchesFromPath) {
    std::ifstream in(kFixtures + "/bottleneck/web.xlsx", std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    XlsxReader a(crm::from_memory, bytes, "web.xlsx");
    XlsxReader b(kFixtures + "/bottleneck/web.xlsx");
    auto ra = all_rows(a), rb = all_rows(b);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i) ASSERT_EQ(texts(ra[i]), texts(rb[i]));
}
