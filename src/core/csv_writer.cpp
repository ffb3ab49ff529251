#include "core/csv_writer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {
constexpr std::size_t kFlushAt = 1 << 16;
}

std::string format_date_time(const DateTimeValue& v, bool with_time, bool iso) {
    char buf[64];
    int n = iso ? std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", v.year, v.month, v.day)
                : std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", v.day, v.month, v.year);
    if (with_time) {
        n += std::snprintf(buf + n, sizeof buf - n, " %02d:%02d:%02d", v.hour, v.minute, v.second);
        if (v.microsecond != 0) {
            n += std::snprintf(buf + n, sizeof buf - n, ".%06d", v.microsecond);
            while (buf[n - 1] == '0') --n;  // .500000 -> .5
        }
    }
    return std::string(buf, static_cast<std::size_t>(n));
}

CsvWriter::CsvWriter(int fd, std::string name, CsvWriteOptions options, std::vector<ExportColumn> columns)
    : fd_(fd), name_(std::move(name)), options_(options), columns_(std::move(columns)) {
    if (options_.decimal != ',' && options_.decimal != '.')
        throw Error(sqlstate::kInvalidParameterValue, "option \"decimal\" must be \",\" or \".\"");
    if (options_.delimiter == options_.decimal)
        throw Error(sqlstate::kInvalidParameterValue,
                    std::string("the delimiter and the decimal separator are both \"") + options_.delimiter + "\"",
                    "", "With {\"delimiter\": \",\"} pass {\"decimal\": \".\"}.");
    if (options_.delimiter == '"' || options_.delimiter == '\r' || options_.delimiter == '\n' ||
        options_.delimiter == '\0')
        throw Error(sqlstate::kInvalidParameterValue, "option \"delimiter\" cannot be a quote, CR, LF or NUL");
    buffer_.reserve(kFlushAt + 4096);
    if (options_.bom) buffer_ += "\xEF\xBB\xBF";
    if (options_.header) {
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            if (c > 0) buffer_ += options_.delimiter;
            field(columns_[c].name);
        }
        buffer_ += "\r\n";
    }
}

void CsvWriter::field(std::string_view text) {
    bool quote = text.find_first_of(std::string{options_.delimiter, '"', '\r', '\n'}) != std::string_view::npos;
    if (!quote) {
        buffer_ += text;
        return;
    }
    buffer_ += '"';
    for (char ch : text) {
        if (ch == '"') buffer_ += '"';
        buffer_ += ch;
    }
    buffer_ += '"';
}

void CsvWriter::number(std::string_view text) {
    if (options_.decimal == '.') {
        buffer_ += text;
        return;
    }
    for (char ch : text) buffer_ += ch == '.' ? ',' : ch;
}

void CsvWriter::write_row(const ExportCell* cells) {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (c > 0) buffer_ += options_.delimiter;
        const ExportCell& cell = cells[c];
        if (cell.null) continue;
        switch (columns_[c].kind) {
            case ColumnKind::Integer:
            case ColumnKind::Float:
            case ColumnKind::Numeric: number(cell.text); break;
            case ColumnKind::Date:
            case ColumnKind::Timestamp:
                if (cell.as_text) field(cell.text);
                else buffer_ += format_date_time(cell.when, columns_[c].kind == ColumnKind::Timestamp, options_.iso_dates);
                break;
            case ColumnKind::Boolean: buffer_ += cell.flag ? "true" : "false"; break;
            case ColumnKind::Text: field(cell.text); break;
        }
    }
    buffer_ += "\r\n";
    ++rows_;
    if (buffer_.size() >= kFlushAt) flush();
}

void CsvWriter::flush() {
    const char* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
        ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(sqlstate::kIoError, "could not write \"" + excerpt(name_, 300) + "\": " + std::strerror(errno));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
    check_interrupts();
}

void CsvWriter::finish() { flush(); }

}  // namespace crm
