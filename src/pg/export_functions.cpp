// crm_export(query, path, options) and crm._export_file(path, sheets,
// options): a query's rows written to a CSV file or an XLSX workbook under
// crm.allowed_write_paths.
//
// The query runs through SPI as the caller, with the caller's rights. It
// must be one read-only query (SELECT, WITH ... SELECT, TABLE, VALUES; no
// FOR UPDATE, no data-modifying WITH): it is checked after parse analysis,
// then opened as a read-only cursor, which PostgreSQL itself refuses for a
// command that writes. A function the query calls still runs as it always
// would: the check guards against a mistake, it is no sandbox (the caller
// could run the same query in psql). Rows are fetched a batch at a time and
// written as they come, so memory holds one batch whatever the row count.
//
// The file is written beside its target under a temporary name and renamed
// onto it once complete: an error or a cancel leaves the target as it was.
#include <string>
#include <string_view>
#include <vector>

#include "core/csv_writer.hpp"
#include "core/error.hpp"
#include "core/export_options.hpp"
#include "core/file_policy.hpp"
#include "core/json_writer.hpp"
#include "core/xlsx_writer.hpp"
#include "pg/datum.hpp"
#include "pg/file_access.hpp"

namespace {

constexpr long kBatch = 1000;

// One query's rows, read through a read-only SPI cursor. The caller has
// connected SPI.
class QueryRows {
public:
    explicit QueryRows(const std::string& query) {
        bool utf8 = GetDatabaseEncoding() == PG_UTF8;
        const char* refused = nullptr;
        int ncols = 0;
        crm::pg::guard([&] {
            SPIPlanPtr plan = SPI_prepare(query.c_str(), 0, nullptr);
            if (plan == nullptr)
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not prepare the export query")));
            List* sources = SPI_plan_get_plan_sources(plan);
            if (list_length(sources) != 1) {
                refused = list_length(sources) == 0 ? "an empty query" : "several statements";
                return;
            }
            auto* source = static_cast<CachedPlanSource*>(linitial(sources));
            ListCell* cell;
            foreach (cell, source->query_list) {
                auto* q = static_cast<Query*>(lfirst(cell));
                if (q->commandType != CMD_SELECT || q->utilityStmt != nullptr)
                    refused = GetCommandTagName(source->commandTag);
                else if (q->hasModifyingCTE)
                    refused = "a WITH clause that modifies data";
                else if (q->rowMarks != NIL)
                    refused = "SELECT ... FOR UPDATE/SHARE";
            }
            if (refused != nullptr) return;
            portal_ = SPI_cursor_open(nullptr, plan, nullptr, nullptr, true);
            TupleDesc desc = portal_->tupDesc;
            ncols = desc->natts;
            context_ = AllocSetContextCreate(CurrentMemoryContext, "pg_crm export batch", ALLOCSET_DEFAULT_SIZES);
            types_ = static_cast<Oid*>(palloc(sizeof(Oid) * (ncols + 1)));
            outputs_ = static_cast<FmgrInfo*>(palloc(sizeof(FmgrInfo) * (ncols + 1)));
            for (int c = 0; c < ncols; ++c) {
                Form_pg_attribute att = TupleDescAttr(desc, c);
                types_[c] = getBaseType(att->atttypid);
                Oid output;
                bool varlena;
                getTypeOutputInfo(att->atttypid, &output, &varlena);
                fmgr_info(output, &outputs_[c]);
            }
        });
        if (refused != nullptr)
            throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                             std::string("an export runs one read-only query (SELECT, WITH, TABLE or VALUES), not ") +
                                 refused);
        for (int c = 0; c < ncols; ++c) {
            Form_pg_attribute att = TupleDescAttr(portal_->tupDesc, c);
            crm::ExportColumn column;
            column.name = NameStr(att->attname);
            if (!utf8) column.name = to_utf8(column.name);
            switch (types_[c]) {
                case INT2OID: case INT4OID: case INT8OID: column.kind = crm::ColumnKind::Integer; break;
                case FLOAT4OID: case FLOAT8OID: column.kind = crm::ColumnKind::Float; break;
                case NUMERICOID:
                    column.kind = crm::ColumnKind::Numeric;
                    // numeric(p, s): s in the low 11 bits, signed (PostgreSQL 15 allows s < 0).
                    if (att->atttypmod >= static_cast<int32>(VARHDRSZ))
                        column.scale = std::max(0, ((((att->atttypmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024));
                    break;
                case DATEOID: column.kind = crm::ColumnKind::Date; break;
                case TIMESTAMPOID: case TIMESTAMPTZOID: column.kind = crm::ColumnKind::Timestamp; break;
                case BOOLOID: column.kind = crm::ColumnKind::Boolean; break;
                default: column.kind = crm::ColumnKind::Text; break;
            }
            columns_.push_back(std::move(column));
        }
        cells_.resize(static_cast<std::size_t>(kBatch) * columns_.size());
        utf8_ = utf8;
    }

    const std::vector<crm::ExportColumn>& columns() const { return columns_; }

    // The next batch into cells() (row i at i * columns); 0 at the end.
    std::size_t fetch() {
        std::size_t got = 0;
        crm::pg::guard([&] {
            if (tuples_ != nullptr) {
                SPI_freetuptable(tuples_);
                tuples_ = nullptr;
                MemoryContextReset(context_);
            }
            SPI_cursor_fetch(portal_, true, kBatch);
            got = SPI_processed;
            tuples_ = SPI_tuptable;
            MemoryContext caller = MemoryContextSwitchTo(context_);
            for (std::size_t i = 0; i < got; ++i) take(tuples_->vals[i], tuples_->tupdesc, cells_.data() + i * columns_.size());
            MemoryContextSwitchTo(caller);
        });
        return got;
    }
    // (A query of no column has rows of no cell: data() + 0.)
    const crm::ExportCell* row(std::size_t i) const { return cells_.data() + i * columns_.size(); }

    void close() {
        crm::pg::guard([&] {
            if (tuples_ != nullptr) SPI_freetuptable(tuples_);
            tuples_ = nullptr;
            SPI_cursor_close(portal_);
            MemoryContextDelete(context_);
        });
    }

private:
    // PostgreSQL calls only (runs inside guard()): the cells point into the
    // batch memory, valid until the next fetch.
    void take(HeapTuple tuple, TupleDesc desc, crm::ExportCell* cells) {
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            crm::ExportCell& cell = cells[c];
            cell = crm::ExportCell{};
            bool isnull;
            Datum value = SPI_getbinval(tuple, desc, static_cast<int>(c) + 1, &isnull);
            if (isnull) continue;
            cell.null = false;
            switch (columns_[c].kind) {
                case crm::ColumnKind::Boolean: cell.flag = DatumGetBool(value); continue;
                case crm::ColumnKind::Date: {
                    DateADT d = DatumGetDateADT(value);
                    if (DATE_NOT_FINITE(d)) break;
                    int y, m, day;
                    j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
                    if (y < 1) break;  // BC: PostgreSQL's own text
                    cell.when = crm::DateTimeValue{y, m, day, 0, 0, 0, 0};
                    continue;
                }
                case crm::ColumnKind::Timestamp: {
                    ::Timestamp t = DatumGetTimestamp(value);
                    if (TIMESTAMP_NOT_FINITE(t)) break;
                    struct pg_tm tm;
                    fsec_t fsec;
                    int tz;
                    // timestamptz in the session's time zone, as psql shows it.
                    if (timestamp2tm(t, types_[c] == TIMESTAMPTZOID ? &tz : nullptr, &tm, &fsec, nullptr, nullptr) != 0 ||
                        tm.tm_year < 1)
                        break;
                    cell.when = crm::DateTimeValue{tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour,
                                                   tm.tm_min,  tm.tm_sec, static_cast<int>(fsec)};
                    continue;
                }
                default: break;
            }
            // Numbers, text, and dates no calendar holds: the output function's text.
            char* text = OutputFunctionCall(&outputs_[c], value);
            std::size_t len = strlen(text);
            if (!utf8_) {
                text = pg_server_to_any(text, static_cast<int>(len), PG_UTF8);
                len = strlen(text);
            }
            cell.text = std::string_view(text, len);
            cell.as_text = columns_[c].kind == crm::ColumnKind::Date || columns_[c].kind == crm::ColumnKind::Timestamp;
        }
    }

    static std::string to_utf8(const std::string& s) {
        char* converted = nullptr;
        crm::pg::guard([&] { converted = pg_server_to_any(s.c_str(), static_cast<int>(s.size()), PG_UTF8); });
        return converted;
    }

    Portal portal_ = nullptr;
    MemoryContext context_ = nullptr;
    SPITupleTable* tuples_ = nullptr;
    Oid* types_ = nullptr;
    FmgrInfo* outputs_ = nullptr;
    std::vector<crm::ExportColumn> columns_;
    std::vector<crm::ExportCell> cells_;
    bool utf8_ = true;
};

std::size_t column_index(const std::vector<crm::ExportColumn>& columns, const std::string& name, const char* role) {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c].name == name) return c;
    throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                     std::string("the ") + role + " column \"" + crm::excerpt(name, 100) + "\" is not in its query");
}

struct Written {
    std::string path;
    std::uint64_t bytes = 0;
    std::vector<std::uint64_t> rows;  // per sheet
    std::uint64_t total_rows() const {
        std::uint64_t n = 0;
        for (auto r : rows) n += r;
        return n;
    }
};

// Writes the sheets' queries to `path`. SPI is connected around it.
Written write_file(const std::string& path, const std::vector<crm::SheetSpec>& sheets,
                   const crm::ExportOptions& options) {
    // The path is checked first (a refusal says nothing else about it), and
    // the temporary file made before any query runs.
    crm::OutputFile out = crm::create_for_write(path, crm::pg::write_policy(), options.overwrite);
    crm::ExportFormat format = crm::export_format(options, path);
    if (format == crm::ExportFormat::Csv && sheets.size() != 1)
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "a CSV file holds one query's rows, not " +
                                                                    std::to_string(sheets.size()));
    Written written;
    written.path = out.path();
    crm::pg::guard([&] { SPI_connect(); });
    if (format == crm::ExportFormat::Csv) {
        QueryRows rows(sheets[0].query);
        crm::CsvWriter writer(out.fd(), out.path(), options.csv, rows.columns());
        while (std::size_t got = rows.fetch())
            for (std::size_t i = 0; i < got; ++i) writer.write_row(rows.row(i));
        writer.finish();
        rows.close();
        written.rows.push_back(writer.rows());
    } else {
        // libxlsxwriter opens the file by name: it reopens our descriptor's
        // file, never whatever may have been put at the path meanwhile.
        crm::XlsxWriter writer("/proc/self/fd/" + std::to_string(out.fd()), out.path());
        for (const crm::SheetSpec& sheet : sheets) {
            QueryRows rows(sheet.query);
            writer.add_sheet(sheet.name.empty() ? options.sheet : sheet.name, rows.columns());
            while (std::size_t got = rows.fetch())
                for (std::size_t i = 0; i < got; ++i) writer.write_row(rows.row(i));
            rows.close();
            written.rows.push_back(writer.rows());
            if (!sheet.total.empty()) {
                std::vector<std::uint32_t> sums;
                for (const std::string& name : sheet.total_columns)
                    sums.push_back(static_cast<std::uint32_t>(column_index(rows.columns(), name, "summed")));
                writer.write_total_row(sheet.total, sums);
            }
            if (sheet.chart) {
                crm::XlsxChart chart;
                chart.title = sheet.chart_title;
                chart.category_column = static_cast<std::uint32_t>(column_index(rows.columns(), sheet.chart_category, "chart's category"));
                chart.value_column = static_cast<std::uint32_t>(column_index(rows.columns(), sheet.chart_value, "chart's value"));
                chart.rows = sheet.chart_rows;
                chart.horizontal = sheet.chart_horizontal;
                writer.add_chart(chart);
            }
        }
        writer.close();
    }
    crm::pg::guard([&] { SPI_finish(); });
    written.bytes = out.commit();
    return written;
}

Datum crm_export_impl(FunctionCallInfo fcinfo) {
    std::string_view query = crm::pg::text_arg(fcinfo, 0);
    std::string_view path = crm::pg::text_arg(fcinfo, 1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);
    crm::ExportOptions options = crm::parse_export_options(options_json);
    crm::SheetSpec sheet;
    sheet.query = std::string(query);
    Written written = write_file(std::string(path), {sheet}, options);
    return Int64GetDatum(static_cast<int64>(written.total_rows()));
}

Datum crm_export_file_impl(FunctionCallInfo fcinfo) {
    std::string_view path = crm::pg::text_arg(fcinfo, 0);
    const char* sheets_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);
    std::vector<crm::SheetSpec> sheets = crm::parse_sheet_specs(sheets_json);
    crm::ExportOptions options = crm::parse_export_options(options_json);
    Written written = write_file(std::string(path), sheets, options);
    crm::JsonWriter json;
    json.begin_object().key("path").value(written.path).key("bytes").value(written.bytes);
    json.key("rows").value(written.total_rows()).key("sheets").begin_array();
    for (std::size_t i = 0; i < sheets.size(); ++i)
        json.begin_object().key("name").value(sheets[i].name).key("rows").value(written.rows[i]).end_object();
    json.end_array().end_object();
    return crm::pg::make_jsonb(json.str());
}

}  // namespace

CRM_SQL_FUNCTION(crm_export, crm_export_impl)
CRM_SQL_FUNCTION(crm_export_file, crm_export_file_impl)
