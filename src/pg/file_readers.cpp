// Files as foreign-like tables: crm_sniff, crm_read, crm_read_csv,
// crm_read_xlsx. Each opens the file through the access policy, reads it as
// a TableSource and streams rows into the function's tuplestore (which
// spills to disk past work_mem, so memory stays bounded).
#include <algorithm>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "core/read_options.hpp"
#include "core/table_source.hpp"
#include "pg/batch_memory.hpp"
#include "pg/datum.hpp"
#include "pg/file_access.hpp"
#include "pg/reject_log.hpp"
#include "pg/row_reader.hpp"

namespace {

using crm::pg::text_arg;

std::unique_ptr<crm::TableSource> open_source(std::string_view path, crm::ReadOptions& options,
                                              std::optional<crm::FileFormat> format) {
    if (format) {
        if (options.format && *options.format != *format)
            throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                             "option format contradicts the function (use crm_read for either format)");
        options.format = format;
    }
    crm::OpenFile file = crm::pg::open_allowed_file(std::string(path));
    return crm::open_table_source(std::move(file), options, crm::pg::max_field_bytes());
}

Datum sniff_impl(FunctionCallInfo fcinfo) {
    std::string_view path = text_arg(fcinfo, 0);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    crm::ReadOptions options = crm::parse_read_options(options_json);
    std::unique_ptr<crm::TableSource> source = open_source(path, options, std::nullopt);
    return crm::pg::make_jsonb(source->describe_json());
}

// crm_read: every record as (line_no, {normalised header: text}), for
// exploring a file in psql before deciding on column types.
Datum read_impl(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::string_view path = text_arg(fcinfo, 0);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 1);

    crm::ReadOptions options = crm::parse_read_options(options_json);
    std::unique_ptr<crm::TableSource> source = open_source(path, options, std::nullopt);
    std::vector<std::string> names = crm::column_names(source->header());

    constexpr size_t kBatch = 512;
    std::vector<std::string> documents(kBatch);
    std::vector<int64> lines(kBatch);
    crm::pg::BatchMemory memory;
    crm::SourceRow row;
    for (;;) {
        size_t ready = 0;
        while (ready < kBatch && source->next(row)) {
            crm::JsonWriter json;
            json.begin_object();
            for (size_t i = 0; i < row.fields.size(); ++i) {
                while (names.size() <= i) names.push_back("col_" + std::to_string(names.size() + 1));
                json.key(names[i]);
                bool is_null = std::find(options.nulls.begin(), options.nulls.end(), row.fields[i]) != options.nulls.end();
                if (is_null) json.null();
                else json.value(row.fields[i]);
            }
            json.end_object();
            documents[ready] = json.take();
            lines[ready] = static_cast<int64>(row.line);
            ++ready;
        }
        if (ready == 0) break;
        crm::pg::guard([&] {
            memory.rows([&] {
                for (size_t i = 0; i < ready; ++i) {
                    Datum values[2] = {Int64GetDatum(lines[i]),
                                       DirectFunctionCall1(jsonb_in, CStringGetDatum(documents[i].c_str()))};
                    bool nulls[2] = {false, false};
                    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
                }
            });
        });
    }
    return static_cast<Datum>(0);
}

// crm_read_csv / crm_read_xlsx: typed rows for a column definition list.
Datum read_typed(FunctionCallInfo fcinfo, std::optional<crm::FileFormat> format) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::string_view path = text_arg(fcinfo, 0);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 1);

    crm::ReadOptions options = crm::parse_read_options(options_json);
    std::unique_ptr<crm::TableSource> source = open_source(path, options, format);
    crm::pg::RejectLog rejects(source->file_name(), options.on_error, options.max_rejects);
    rejects.open_load("", options_json, false);
    crm::pg::RowReader reader(*source, rsinfo->setDesc, options, rejects, false);
    std::uint64_t emitted = 0;
    while (size_t ready = reader.read_batch()) {
        reader.emit([&](Datum* values, bool* nulls) {
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
        emitted += ready;
        rejects.flush();
    }
    rejects.close_load(reader.rows_read(), emitted, "");
    return static_cast<Datum>(0);
}

Datum read_csv_impl(FunctionCallInfo fcinfo) { return read_typed(fcinfo, crm::FileFormat::Csv); }
Datum read_xlsx_impl(FunctionCallInfo fcinfo) { return read_typed(fcinfo, crm::FileFormat::Xlsx); }

}  // namespace

CRM_SQL_FUNCTION(crm_sniff, sniff_impl)
CRM_SQL_FUNCTION(crm_read, read_impl)
CRM_SQL_FUNCTION(crm_read_csv, read_csv_impl)
CRM_SQL_FUNCTION(crm_read_xlsx, read_xlsx_impl)
