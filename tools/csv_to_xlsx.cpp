// csv_to_xlsx INPUT.csv OUTPUT.xlsx — the benchmark's XLSX twin of a
// generated sales export, written with libxlsxwriter.
//
// The CSV is read with pg_crm's own reader (dialect and encoding sniffed);
// cells are typed as Excel would type them: plain French decimals ("29,80",
// "1 693,80") become numbers, dd/mm/yyyy dates become date cells with the
// format dd/mm/yyyy, everything else strings (an empty field is a blank
// cell). Strings go to the shared-strings table, as Excel itself writes them
// (libxlsxwriter's constant_memory mode would write inline strings instead,
// a layout Excel never produces and almost twice the XML); libxlsxwriter then
// keeps the sheet in memory: about 1 GB for 1M rows x 11 columns.
// Exit status: 0 on success, 1 on an error (the partial output is removed),
// 2 on a usage error.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <xlsxwriter.h>

#include "core/byte_source.hpp"
#include "core/csv_reader.hpp"
#include "core/csv_sniffer.hpp"
#include "core/error.hpp"
#include "core/text_encoding.hpp"
#include "core/value_convert.hpp"

namespace {

std::string read_sample(int fd, size_t cap) {
    std::string sample(cap, '\0');
    ssize_t n = ::pread(fd, sample.data(), cap, 0);
    if (n < 0) throw std::runtime_error("cannot read the input");
    sample.resize(static_cast<size_t>(n));
    return sample;
}

void check(lxw_error error, std::uint64_t line, const char* what) {
    if (error != LXW_NO_ERROR)
        throw std::runtime_error("line " + std::to_string(line) + ": " + what + ": " + lxw_strerror(error));
}

void write_rows(crm::CsvReader& reader, const crm::SniffResult& sniffed, lxw_worksheet* sheet, lxw_format* date_format) {
    lxw_row_t row = 0;
    const std::vector<std::string>& header = reader.header();
    for (size_t col = 0; col < header.size() && col < LXW_COL_MAX; ++col)
        check(worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(col), header[col].c_str(), nullptr), 1,
              "writing the header");
    crm::CsvRecord record;
    std::string text;
    while (reader.next(record)) {
        if (++row >= LXW_ROW_MAX) throw std::runtime_error("more rows than an Excel sheet holds (1048576)");
        for (size_t col = 0; col < record.fields.size() && col < LXW_COL_MAX; ++col) {
            std::string_view field = record.fields[col];
            if (field.empty()) continue;
            auto c = static_cast<lxw_col_t>(col);
            std::int64_t unscaled;
            int scale;
            crm::Date date;
            bool leading_zero = field.size() > 1 && field[0] == '0' && field[1] != ',';  // codes such as "01000"
            if (!leading_zero && crm::parse_plain_decimal(field, sniffed.decimal, unscaled, scale, sniffed.thousands) &&
                scale <= 15) {
                double value = static_cast<double>(unscaled);
                for (int i = 0; i < scale; ++i) value /= 10;
                check(worksheet_write_number(sheet, row, c, value, nullptr), record.line, "writing a number");
            } else if (crm::parse_plain_date(field, "DMY", date)) {
                lxw_datetime when{date.year, date.month, date.day, 0, 0, 0};
                check(worksheet_write_datetime(sheet, row, c, &when, date_format), record.line, "writing a date");
            } else {
                text.assign(field);
                check(worksheet_write_string(sheet, row, c, text.c_str(), nullptr), record.line, "writing a string");
            }
        }
    }
}

void convert(const char* input, const char* output) {
    int fd = ::open(input, O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open the input");
    std::unique_ptr<int, void (*)(int*)> close_fd(&fd, [](int* f) { ::close(*f); });
    crm::SniffResult sniffed = crm::sniff_csv(read_sample(fd, 1 << 20));
    crm::FdSource raw(fd, input);
    std::unique_ptr<crm::ByteSource> utf8 = crm::make_utf8_source(raw, sniffed.encoding, input);
    crm::CsvReader reader(*utf8, sniffed.dialect, input);

    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    lxw_workbook* workbook = workbook_new_opt(output, &options);
    if (!workbook) throw std::runtime_error(std::string("cannot create ") + output);
    try {
        lxw_worksheet* sheet = workbook_add_worksheet(workbook, "ventes");
        lxw_format* date_format = workbook_add_format(workbook);
        if (!sheet || !date_format) throw std::runtime_error("cannot create the worksheet");
        format_set_num_format(date_format, "dd/mm/yyyy");
        write_rows(reader, sniffed, sheet, date_format);
    } catch (...) {
        workbook_close(workbook);
        std::remove(output);
        throw;
    }
    lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) {
        std::remove(output);
        throw std::runtime_error(std::string("cannot write ") + output + ": " + lxw_strerror(error));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s INPUT.csv OUTPUT.xlsx\n", argc > 0 ? argv[0] : "csv_to_xlsx");
        return 2;
    }
    try {
        convert(argv[1], argv[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "csv_to_xlsx: %s: %s\n", argv[1], e.what());
        return 1;
    }
    return 0;
}
