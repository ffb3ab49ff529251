// crm_load(path, target, options): the fast path from a file into an
// existing table — CSV or XLSX, columns matched by name, values converted
// with the file's French conventions, rows inserted like COPY does. Returns
// what it did as jsonb and records the load in crm_raw.load.
//
// crm._load_export_lines(path, target, options, previous): the same for a
// sales export in crm_sync, through a LineDeltaSource: each line gets its
// key (order and rank) in the column mapped to "pg_crm line key", and only
// lines that are not in the previous export (its fingerprints) are loaded.
#include <algorithm>
#include <chrono>
#include <string>

#include "core/error.hpp"
#include "core/file_hash.hpp"
#include "core/json_writer.hpp"
#include "core/line_delta.hpp"
#include "core/read_options.hpp"
#include "core/table_source.hpp"
#include "pg/datum.hpp"
#include "pg/file_access.hpp"
#include "pg/reject_log.hpp"
#include "pg/row_reader.hpp"
#include "pg/table_target.hpp"

namespace {

struct LoadCounts {
    std::uint64_t read = 0;
    std::uint64_t loaded = 0;
    std::uint64_t rejected = 0;
    std::int64_t load_id = 0;
};

std::string load_report(const LoadCounts& counts, const std::string& sha256, double ms,
                        const crm::LineDeltaSource* delta) {
    crm::JsonWriter json;
    json.begin_object()
        .key("rows_read").value(counts.read)
        .key("rows_loaded").value(counts.loaded)
        .key("rows_rejected").value(counts.rejected);
    if (delta) json.key("rows_unchanged").value(delta->unchanged());
    json.key("file_sha256").value(sha256)
        .key("load_id").value(counts.load_id)
        .key("ms").value(ms)
        .end_object();
    return json.take();
}

// The rows of `source` into the table `relid`, recorded as a load in
// crm_raw.load. `source` is read to its end.
LoadCounts load_rows(crm::TableSource& source, Oid relid, const crm::ReadOptions& options,
                     const char* options_json, const std::string& sha256) {
    char* relname = nullptr;
    const char* target_name = nullptr;
    crm::pg::guard([&] {
        relname = get_rel_name(relid);
        if (relname == nullptr) ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("no table with OID %u", relid)));
        target_name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname);
    });

    crm::pg::TableTarget target;
    crm::pg::guard([&] { crm::pg::target_open(&target, relid); });
    crm::pg::RejectLog rejects(source.file_name(), options.on_error, options.max_rejects);
    crm::pg::RowReader reader(source, crm::pg::target_desc(&target), options, rejects, true);

    // Columns the file does not have get their defaults.
    std::unique_ptr<bool[]> from_file(new bool[crm::pg::target_desc(&target)->natts + 1]());
    for (const auto& column : reader.plan()) from_file[column.attnum] = column.field >= 0;
    crm::pg::guard([&] { crm::pg::target_prepare_defaults(&target, from_file.get()); });
    rejects.open_load(target_name, options_json, true);

    while (reader.read_batch()) {
        reader.emit([&](Datum* values, bool* nulls) { crm::pg::target_put(&target, values, nulls); });
        rejects.flush();
    }
    crm::pg::guard([&] { crm::pg::target_close(&target); });
    LoadCounts counts;
    counts.read = reader.rows_read();
    counts.loaded = target.inserted;  // target_close keeps the count
    rejects.close_load(reader.rows_read(), counts.loaded, sha256);
    counts.rejected = rejects.count();
    counts.load_id = rejects.load_id().value_or(0);
    return counts;
}

double ms_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

Datum load_impl(FunctionCallInfo fcinfo) {
    auto started = std::chrono::steady_clock::now();
    std::string_view path = crm::pg::text_arg(fcinfo, 0);
    Oid relid = PG_GETARG_OID(1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);

    crm::ReadOptions options = crm::parse_read_options(options_json);
    crm::OpenFile file = crm::pg::open_allowed_file(std::string(path));
    std::string sha256 = crm::sha256_hex(file.fd());
    std::unique_ptr<crm::TableSource> source =
        crm::open_table_source(std::move(file), options, crm::pg::max_field_bytes());
    LoadCounts counts = load_rows(*source, relid, options, options_json, sha256);
    return crm::pg::make_jsonb(load_report(counts, sha256, ms_since(started), nullptr));
}

// The header the "order_id" column is mapped to, as RowReader matches it.
std::size_t order_field(const crm::TableSource& source, const crm::ReadOptions& options) {
    auto mapped = std::find_if(options.columns.begin(), options.columns.end(),
                               [](const auto& m) { return m.first == "order_id"; });
    if (mapped == options.columns.end())
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "a sales export load needs the order_id column mapped");
    int field = crm::find_header(source.header(), crm::column_names(source.header()), mapped->second);
    if (field >= 0) return static_cast<std::size_t>(field);
    throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                     "option columns maps \"order_id\" to \"" + mapped->second + "\", which " + source.file_name() +
                         " does not have");
}

Datum load_export_lines_impl(FunctionCallInfo fcinfo) {
    auto started = std::chrono::steady_clock::now();
    std::string_view path = crm::pg::text_arg(fcinfo, 0);
    Oid relid = PG_GETARG_OID(1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);
    std::string_view previous_bytes;
    if (!PG_ARGISNULL(3)) {
        bytea* previous = PG_GETARG_BYTEA_PP(3);
        previous_bytes = {VARDATA_ANY(previous), VARSIZE_ANY_EXHDR(previous)};
    }
    TupleDesc result_desc = nullptr;
    if (get_call_result_type(fcinfo, nullptr, &result_desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("crm._load_export_lines must return a record")));
    result_desc = BlessTupleDesc(result_desc);

    crm::ReadOptions options = crm::parse_read_options(options_json);
    crm::OpenFile file = crm::pg::open_allowed_file(std::string(path));
    std::string sha256 = crm::sha256_hex(file.fd());
    std::unique_ptr<crm::TableSource> inner =
        crm::open_table_source(std::move(file), options, crm::pg::max_field_bytes());
    std::size_t group = order_field(*inner, options);
    crm::LineDeltaSource source(std::move(inner), group, crm::fingerprints_from_bytes(previous_bytes));
    LoadCounts counts = load_rows(source, relid, options, options_json, sha256);
    std::string report = load_report(counts, sha256, ms_since(started), &source);
    std::string fingerprints = crm::fingerprints_to_bytes(source.take_fingerprints());

    Datum values[2] = {crm::pg::make_jsonb(report), 0};
    bool nulls[2] = {false, false};
    Datum result = 0;
    crm::pg::guard([&] {
        bytea* out = static_cast<bytea*>(palloc(VARHDRSZ + fingerprints.size()));
        SET_VARSIZE(out, VARHDRSZ + fingerprints.size());
        memcpy(VARDATA(out), fingerprints.data(), fingerprints.size());
        values[1] = PointerGetDatum(out);
        result = HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls));
    });
    return result;
}

}  // namespace

CRM_SQL_FUNCTION(crm_load, load_impl)
CRM_SQL_FUNCTION(crm_load_export_lines, load_export_lines_impl)
