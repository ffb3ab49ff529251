// What crm_sync (src/sql/70_sync.sql) needs from C++: the exports in a
// directory with the entity each file holds, a file's SHA-256 (an unchanged
// export is skipped before it is read), and the mapping of an export's
// headers to the canonical fields.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/export_headers.hpp"
#include "core/file_hash.hpp"
#include "core/json_writer.hpp"
#include "core/read_options.hpp"
#include "core/table_source.hpp"
#include "pg/datum.hpp"
#include "pg/file_access.hpp"

namespace {

using crm::pg::text_arg;

crm::Entity entity_arg(std::string_view name) {
    std::optional<crm::Entity> entity = crm::parse_entity(name);
    if (!entity)
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "unknown entity \"" + std::string(name) + "\"", "",
                         "Entities: customers, products, sales, stock.");
    return *entity;
}

// crm._export_files(directory): (path, file, entity, size, modified) of the
// regular files in the directory; entity NULL when the name says none or two.
Datum export_files_impl(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::string directory(text_arg(fcinfo, 0));
    std::vector<crm::DirectoryEntry> entries = crm::list_directory(directory, crm::pg::read_policy());
    std::vector<const char*> entities;
    for (const crm::DirectoryEntry& e : entries) {
        std::optional<crm::Entity> entity = crm::entity_of_file_name(e.path);
        entities.push_back(entity ? crm::entity_name(*entity) : nullptr);
    }
    crm::pg::guard([&] {
        for (size_t i = 0; i < entries.size(); ++i) {
            const crm::DirectoryEntry& e = entries[i];
            size_t slash = e.path.rfind('/');
            Datum values[5] = {
                PointerGetDatum(cstring_to_text_with_len(e.path.data(), static_cast<int>(e.path.size()))),
                PointerGetDatum(cstring_to_text(e.path.c_str() + slash + 1)),
                entities[i] ? PointerGetDatum(cstring_to_text(entities[i])) : static_cast<Datum>(0),
                Int64GetDatum(static_cast<int64>(e.size)),
                TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(e.modified)))};
            bool nulls[5] = {false, false, entities[i] == nullptr, false, false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
    return static_cast<Datum>(0);
}

Datum file_sha256_impl(FunctionCallInfo fcinfo) {
    std::string path(text_arg(fcinfo, 0));
    crm::OpenFile file = crm::pg::open_allowed_file(path);
    return crm::pg::make_text(crm::sha256_hex(file.fd()));
}

// crm._export_columns(path, entity, mapping, read_options): which header of
// the export feeds each canonical field, as the "columns" option of
// crm_load, plus the required fields it lacks and the headers left unused.
Datum export_columns_impl(FunctionCallInfo fcinfo) {
    std::string path(text_arg(fcinfo, 0));
    crm::Entity entity = entity_arg(text_arg(fcinfo, 1));
    const char* mapping_json = crm::pg::jsonb_text_arg(fcinfo, 2);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 3);

    crm::ReadOptions options = crm::parse_read_options(options_json);
    std::unique_ptr<crm::TableSource> source =
        crm::open_table_source(crm::pg::open_allowed_file(path), options, crm::pg::max_field_bytes());
    const std::vector<std::string>& headers = source->header();
    crm::HeaderMapping mapping =
        crm::map_headers(entity, headers, crm::mapping_overrides(mapping_json, entity));

    const std::vector<crm::CanonicalField>& fields = crm::canonical_fields(entity);
    crm::JsonWriter json;
    json.begin_object().key("columns").begin_object();
    for (size_t i = 0; i < fields.size(); ++i)
        if (mapping.column_of_field[i] >= 0) json.key(fields[i].name).value(headers[mapping.column_of_field[i]]);
    json.end_object().key("missing").begin_array();
    for (const std::string& field : mapping.missing_required) json.value(field);
    json.end_array().key("unused").begin_array();
    for (const std::string& header : mapping.unused_headers) json.value(header);
    json.end_array().end_object();
    return crm::pg::make_jsonb(json.str());
}

}  // namespace

CRM_SQL_FUNCTION(crm_export_files, export_files_impl)
CRM_SQL_FUNCTION(crm_file_sha256, file_sha256_impl)
CRM_SQL_FUNCTION(crm_export_columns, export_columns_impl)
