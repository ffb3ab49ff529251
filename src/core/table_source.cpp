#include "core/table_source.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "core/byte_source.hpp"
#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "core/text_encoding.hpp"
#include "core/text_key.hpp"
#include "core/xlsx_prefetch.hpp"
#include "core/xlsx_reader.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

std::string base_name(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Reads up to `cap` bytes from the start of the file without moving its offset.
std::string read_prefix(const OpenFile& file, size_t cap) {
    std::string out(cap, '\0');
    size_t got = 0;
    while (got < cap) {
        ssize_t n = ::pread(file.fd(), out.data() + got, cap - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(sqlstate::kIoError, "could not read \"" + file.path() + "\": " + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

void write_columns(JsonWriter& json, const std::vector<std::string>& headers, const std::vector<std::string>& types) {
    std::vector<std::string> names = column_names(headers);
    json.key("columns").begin_array();
    for (size_t i = 0; i < headers.size(); ++i) {
        json.begin_object().key("name").value(names[i]).key("header").value(headers[i]);
        json.key("type").value(i < types.size() ? types[i] : std::string("text")).end_object();
    }
    json.end_array();
}

class CsvTableSource final : public TableSource {
public:
    CsvTableSource(OpenFile file, const ReadOptions& options, std::uint64_t max_field_bytes)
        : file_(std::move(file)), raw_(file_.fd(), base_name(file_.path())) {
        file_name_ = base_name(file_.path());
        sniffed_ = sniff_csv(read_prefix(file_, options.csv.sample_bytes), options.csv);
        utf8_ = make_utf8_source(raw_, sniffed_.encoding, file_name_);
        CsvLimits limits;
        if (max_field_bytes > 0) limits.max_field_bytes = max_field_bytes;
        reader_ = std::make_unique<CsvReader>(*utf8_, sniffed_.dialect, file_name_, limits);
        conventions_ = {sniffed_.decimal, sniffed_.thousands, sniffed_.date_format};
        if (options.csv.decimal) conventions_.decimal = *options.csv.decimal;
    }

    const std::vector<std::string>& header() const override { return reader_->header(); }

    bool next(SourceRow& row) override {
        if (!reader_->next(record_)) return false;
        row.fields.swap(record_.fields);
        row.kinds.clear();
        row.line = record_.line;
        row.record = record_.record;
        raw_line_ = record_.raw;
        return true;
    }

    std::string raw_text(const SourceRow&) const override { return std::string(raw_line_); }

    std::string describe_json() override {
        JsonWriter json;
        const CsvDialect& d = sniffed_.dialect;
        json.begin_object().key("format").value("csv").key("encoding").value(encoding_name(sniffed_.encoding));
        json.key("delimiter").value(std::string_view(&d.delimiter, 1));
        json.key("quote").value(std::string_view(&d.quote, d.quote ? 1 : 0));
        json.key("escape").value(std::string_view(&d.escape, d.escape ? 1 : 0));
        json.key("header").value(d.header).key("skip_rows").value(d.skip_rows);
        json.key("decimal").value(std::string_view(&conventions_.decimal, 1));
        json.key("thousands").value(sniffed_.thousands).key("date_format").value(sniffed_.date_format);
        std::vector<std::string> headers, types;
        for (const auto& column : sniffed_.columns) {
            headers.push_back(column.header);
            types.push_back(column.type);
        }
        write_columns(json, headers, types);
        json.key("sample_rows").value(sniffed_.sample_rows).end_object();
        return json.take();
    }

private:
    OpenFile file_;
    FdSource raw_;
    SniffResult sniffed_;
    std::unique_ptr<ByteSource> utf8_;
    std::unique_ptr<CsvReader> reader_;
    CsvRecord record_;
    std::string_view raw_line_;
};

FieldKind kind_of(CellType type) {
    switch (type) {
        case CellType::Number: return FieldKind::Number;
        case CellType::Date: return FieldKind::Date;
        case CellType::DateTime: return FieldKind::DateTime;
        case CellType::Boolean: return FieldKind::Boolean;
        default: return FieldKind::Text;
    }
}

class XlsxTableSource final : public TableSource {
public:
    XlsxTableSource(OpenFile file, const ReadOptions& options)
        : file_(std::move(file)), reader_(file_.fd(), base_name(file_.path())) {
        file_name_ = base_name(file_.path());
        reader_.open_sheet(options.sheet);
        for (int i = 0; i < options.csv.skip_rows.value_or(0); ++i)
            if (!reader_.next_row(row_)) break;
        header_row_ = options.csv.header.value_or(true);
        if (header_row_ && next_non_empty()) {
            for (const auto& cell : row_.cells) header_.push_back(cell.text);
            while (!header_.empty() && header_.back().empty()) header_.pop_back();
        }
        // Numbers, dates and booleans come typed from the cells; these
        // conventions only apply to values typed in as text.
        conventions_.decimal = options.csv.decimal.value_or(',');
        conventions_.thousands = options.csv.thousands.value_or("");
        conventions_.date_format = options.csv.date_format.value_or("DMY");
        // From here on the rows are read ahead on a second thread.
        prefetch_ = std::make_unique<XlsxPrefetcher>(reader_);
    }

    const std::vector<std::string>& header() const override { return header_; }

    bool next(SourceRow& row) override {
        if (!next_non_empty()) return false;
        size_t width = std::max(row_.cells.size(), header_.size());
        row.fields.resize(width);
        row.kinds.resize(width);
        for (size_t i = 0; i < width; ++i) {
            if (i < row_.cells.size()) {
                row.fields[i] = row_.cells[i].text;
                row.kinds[i] = kind_of(row_.cells[i].type);
            } else {  // Excel trims trailing empty cells: they are empty, not missing
                row.fields[i] = {};
                row.kinds[i] = FieldKind::Text;
            }
        }
        row.line = row_.row_number;
        row.record = ++records_;
        return true;
    }

    std::string raw_text(const SourceRow& row) const override {
        std::string out;
        for (size_t i = 0; i < row.fields.size(); ++i) {
            if (i) out += '\t';
            out.append(row.fields[i]);
        }
        return out;
    }

    std::string describe_json() override {
        // Column types from the cells of the first rows: one type per
        // column when every non-empty cell agrees, else text.
        std::vector<std::string> types(header_.size());
        SourceRow row;
        for (int n = 0; n < 1000 && next(row); ++n) {
            if (types.size() < row.fields.size()) types.resize(row.fields.size());
            for (size_t i = 0; i < row.fields.size(); ++i) {
                if (row.fields[i].empty()) continue;
                std::string type = cell_type_name(row.kinds[i], row.fields[i]);
                if (types[i].empty() || (types[i] == "integer" && type == "numeric")) types[i] = type;
                else if (types[i] != type && !(types[i] == "numeric" && type == "integer")) types[i] = "text";
            }
        }
        std::vector<std::string> headers = header_;
        for (size_t i = headers.size(); i < types.size(); ++i) headers.push_back("");
        for (auto& t : types)
            if (t.empty()) t = "text";
        JsonWriter json;
        json.begin_object().key("format").value("xlsx").key("sheets").begin_array();
        for (const auto& name : reader_.sheet_names()) json.value(name);
        json.end_array().key("sheet").value(reader_.current_sheet()).key("header").value(header_row_);
        write_columns(json, headers, types);
        json.key("sample_rows").value(records_).end_object();
        return json.take();
    }

private:
    static std::string cell_type_name(FieldKind kind, std::string_view text) {
        switch (kind) {
            case FieldKind::Number: return text.find_first_of(".eE") == std::string_view::npos ? "integer" : "numeric";
            case FieldKind::Date: return "date";
            case FieldKind::DateTime: return "timestamp";
            case FieldKind::Boolean: return "boolean";
            default: return "text";
        }
    }

    // Rows whose cells are all empty (Excel's formatted but blank rows) are skipped.
    bool next_non_empty() {
        while (prefetch_ ? prefetch_->next(row_) : reader_.next_row(row_)) {
            for (const auto& cell : row_.cells)
                if (!cell.text.empty()) return true;
        }
        return false;
    }

    OpenFile file_;
    XlsxReader reader_;
    std::unique_ptr<XlsxPrefetcher> prefetch_;  // declared after reader_: stopped before it is destroyed
    XlsxRow row_;
    std::vector<std::string> header_;
    bool header_row_ = true;
    std::uint64_t records_ = 0;
};

}  // namespace

std::vector<std::string> column_names(const std::vector<std::string>& headers) {
    std::vector<std::string> names;
    names.reserve(headers.size());
    for (size_t i = 0; i < headers.size(); ++i) {
        std::string name = normalize_column_name(headers[i]);
        if (name.empty()) name = "col_" + std::to_string(i + 1);
        // Duplicate headers get a suffix: quantite, quantite_2, ...
        std::string unique = name;
        for (int n = 2; std::find(names.begin(), names.end(), unique) != names.end(); ++n)
            unique = name + "_" + std::to_string(n);
        names.push_back(unique);
    }
    return names;
}

int find_header(const std::vector<std::string>& headers, const std::vector<std::string>& names, std::string_view wanted) {
    std::string normalized = normalize_column_name(wanted);
    for (size_t j = 0; j < headers.size(); ++j)
        if (headers[j] == wanted || names[j] == normalized) return static_cast<int>(j);
    return -1;
}

FileFormat detect_format(const OpenFile& file) {
    std::string magic = read_prefix(file, 4);
    return magic == std::string("PK\x03\x04", 4) ? FileFormat::Xlsx : FileFormat::Csv;
}

std::unique_ptr<TableSource> open_table_source(OpenFile file, const ReadOptions& options,
                                               std::uint64_t max_field_bytes) {
    FileFormat format = options.format.value_or(detect_format(file));
    if (format == FileFormat::Xlsx) return std::make_unique<XlsxTableSource>(std::move(file), options);
    return std::make_unique<CsvTableSource>(std::move(file), options, max_field_bytes);
}

}  // namespace crm
