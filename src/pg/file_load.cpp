// crm_load(path, target, options): the fast path from a file into an
// existing table — CSV or XLSX, columns matched by name, values converted
// with the file's French conventions, rows inserted like COPY does. Returns
// what it did as jsonb and records the load in crm_raw.load.
#include <chrono>
#include <string>

#include "core/file_hash.hpp"
#include "core/json_writer.hpp"
#include "core/read_options.hpp"
#include "core/table_source.hpp"
#include "pg/datum.hpp"
#include "pg/file_access.hpp"
#include "pg/reject_log.hpp"
#include "pg/row_reader.hpp"
#include "pg/table_target.hpp"

namespace {

std::string load_report(std::uint64_t read, std::uint64_t loaded, std::uint64_t rejected, const std::string& sha256,
                        std::int64_t load_id, double ms) {
    crm::JsonWriter json;
    json.begin_object()
        .key("rows_read").value(read)
        .key("rows_loaded").value(loaded)
        .key("rows_rejected").value(rejected)
        .key("file_sha256").value(sha256)
        .key("load_id").value(load_id)
        .key("ms").value(ms)
        .end_object();
    return json.take();
}

Datum load_impl(FunctionCallInfo fcinfo) {
    auto started = std::chrono::steady_clock::now();
    std::string_view path = crm::pg::text_arg(fcinfo, 0);
    Oid relid = PG_GETARG_OID(1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);
    char* relname = get_rel_name(relid);
    if (relname == nullptr) ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("no table with OID %u", relid)));
    const char* target_name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname);

    crm::ReadOptions options = crm::parse_read_options(options_json);
    crm::OpenFile file = crm::pg::open_allowed_file(std::string(path));
    std::string sha256 = crm::sha256_hex(file.fd());
    std::unique_ptr<crm::TableSource> source =
        crm::open_table_source(std::move(file), options, crm::pg::max_field_bytes());

    crm::pg::TableTarget target;
    crm::pg::guard([&] { crm::pg::target_open(&target, relid); });
    crm::pg::RejectLog rejects(source->file_name(), options.on_error, options.max_rejects);
    crm::pg::RowReader reader(*source, crm::pg::target_desc(&target), options, rejects, true);

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
    std::uint64_t loaded = target.inserted;  // target_close keeps the count
    rejects.close_load(reader.rows_read(), loaded, sha256);

    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return crm::pg::make_jsonb(
        load_report(reader.rows_read(), loaded, rejects.count(), sha256, rejects.load_id().value_or(0), ms));
}

}  // namespace

CRM_SQL_FUNCTION(crm_load, load_impl)
