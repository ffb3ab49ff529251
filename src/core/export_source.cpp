#include "core/export_source.hpp"

#include <simdjson.h>

#include "core/error.hpp"
#include "core/export_headers.hpp"
#include "core/json_records.hpp"
#include "core/read_options.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

[[noreturn]] void bad_config(const std::string& what) {
    throw Error(sqlstate::kInvalidParameterValue, "isavigne source config " + what, "",
                "Keys: directory (required, absolute), mapping ({entity: {field: header}}), read_options "
                "(the options of crm_load).");
}

}  // namespace

ExportSourceConfig parse_export_source_config(std::string_view config_json) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(config_json);
    simdjson::dom::object object;
    if (parser.parse(padded).get_object().get(object)) bad_config("must be a JSON object");
    ExportSourceConfig config;
    config.read_options_json = "{}";
    for (auto field : object) {
        std::string_view key = field.key;
        if (key == "directory") {
            std::string_view directory;
            if (field.value.get_string().get(directory) || directory.empty() || directory[0] != '/')
                bad_config("needs \"directory\": an absolute path");
            config.directory = std::string(directory);
        } else if (key == "mapping") {
            config.mapping_json = minified(field.value);
            for (Entity e : {Entity::Customers, Entity::Products, Entity::Sales, Entity::Stock})
                mapping_overrides(config.mapping_json, e);  // throws 22023 naming the problem
        } else if (key == "read_options") {
            config.read_options_json = minified(field.value);
            parse_read_options(config.read_options_json);  // throws 22023 naming the problem
        } else {
            bad_config("has an unknown key \"" + excerpt(key, 60) + "\"");
        }
    }
    if (config.directory.empty()) bad_config("needs \"directory\": an absolute path");
    return config;
}

namespace {

[[noreturn]] void bad_files_config(const std::string& what) {
    throw Error(sqlstate::kInvalidParameterValue, "files source config " + what, "",
                "Keys: files (required: [{\"path\", \"entity\", \"mapping\", \"constants\", \"ids\", \"keep\", "
                "\"read_options\"}]) and read_options. See docs/sync.md.");
}

std::string string_member(simdjson::dom::element value, const std::string& where) {
    std::string_view text;
    if (value.get_string().get(text)) bad_files_config(where + " must be a string");
    return std::string(text);
}

std::string absolute_path(simdjson::dom::element value, const std::string& where) {
    std::string path = string_member(value, where);
    if (path.empty() || path[0] != '/') bad_files_config(where + " must be an absolute path");
    return path;
}

bool is_field_of(Entity entity, const std::string& field) {
    for (const CanonicalField& f : canonical_fields(entity))
        if (field == f.name) return true;
    return false;
}

// {"field": "text", ...} whose fields must be canonical fields of `entity`.
// With allow_null, a JSON null is accepted (kept as "").
std::vector<std::pair<std::string, std::string>> field_strings(simdjson::dom::element value, Entity entity,
                                                               const std::string& where, bool allow_null = false) {
    simdjson::dom::object object;
    if (value.get_object().get(object)) bad_files_config(where + " must be an object");
    std::vector<std::pair<std::string, std::string>> out;
    for (auto member : object) {
        std::string field(member.key);
        if (!is_field_of(entity, field))
            bad_files_config(where + " names \"" + excerpt(field, 60) + "\", which is not a field of " +
                             entity_name(entity));
        out.emplace_back(field, allow_null && member.value.is_null() ? std::string()
                                                                    : string_member(member.value, where + "." + field));
    }
    return out;
}

ExportFileSpec parse_file_spec(simdjson::dom::element value, size_t index) {
    std::string where = "files[" + std::to_string(index) + "]";
    simdjson::dom::object object;
    if (value.get_object().get(object)) bad_files_config(where + " must be an object");
    ExportFileSpec spec;
    std::string_view entity_text;
    simdjson::dom::element entity_value;
    if (object["entity"].get(entity_value) || entity_value.get_string().get(entity_text) ||
        !parse_entity(entity_text))
        bad_files_config(where + " needs \"entity\": customers, products, sales or stock");
    spec.entity = *parse_entity(entity_text);
    for (auto member : object) {
        std::string_view key = member.key;
        if (key == "path") {
            spec.path = absolute_path(member.value, where + ".path");
        } else if (key == "entity") {
        } else if (key == "mapping") {
            spec.mapping = field_strings(member.value, spec.entity, where + ".mapping");
        } else if (key == "constants") {
            spec.constants = field_strings(member.value, spec.entity, where + ".constants", true);
        } else if (key == "ids") {
            simdjson::dom::object ids;
            if (member.value.get_object().get(ids)) bad_files_config(where + ".ids must be an object");
            for (auto id_member : ids) {
                std::string_view id_key = id_member.key;
                if (id_key == "path") spec.ids_path = absolute_path(id_member.value, where + ".ids.path");
                else if (id_key == "from") spec.ids_from = string_member(id_member.value, where + ".ids.from");
                else if (id_key == "to") spec.ids_to = string_member(id_member.value, where + ".ids.to");
                else bad_files_config(where + ".ids has an unknown key \"" + excerpt(id_key, 60) + "\"");
            }
            if (spec.ids_path.empty() || spec.ids_from.empty() || spec.ids_to.empty())
                bad_files_config(where + ".ids needs \"path\", \"from\" and \"to\"");
        } else if (key == "keep") {
            std::string_view keep;
            simdjson::dom::object largest;
            if (!member.value.get_string().get(keep)) {
                if (keep != "last") bad_files_config(where + ".keep must be \"last\" or {\"largest\": field}");
            } else if (!member.value.get_object().get(largest) && largest.size() == 1 &&
                       largest.begin().key() == "largest") {
                spec.keep_largest = string_member(largest.begin().value(), where + ".keep.largest");
                if (!is_field_of(spec.entity, spec.keep_largest))
                    bad_files_config(where + ".keep.largest must name a field of " + entity_name(spec.entity));
            } else {
                bad_files_config(where + ".keep must be \"last\" or {\"largest\": field}");
            }
        } else if (key == "read_options") {
            parse_read_options(minified(member.value));  // throws 22023 naming the problem
        } else {
            bad_files_config(where + " has an unknown key \"" + excerpt(key, 60) + "\"");
        }
    }
    if (spec.path.empty()) bad_files_config(where + " needs \"path\": an absolute path");
    return spec;
}

}  // namespace

FilesSourceConfig parse_files_source_config(std::string_view config_json) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(config_json);
    simdjson::dom::object object;
    if (parser.parse(padded).get_object().get(object)) bad_files_config("must be a JSON object");
    FilesSourceConfig config;
    config.read_options_json = "{}";
    bool has_files = false;
    for (auto field : object) {
        std::string_view key = field.key;
        if (key == "files") {
            simdjson::dom::array files;
            if (field.value.get_array().get(files) || files.size() == 0)
                bad_files_config("needs \"files\": a non-empty array");
            has_files = true;
            for (simdjson::dom::element file : files) config.files.push_back(parse_file_spec(file, config.files.size()));
        } else if (key == "read_options") {
            config.read_options_json = minified(field.value);
            parse_read_options(config.read_options_json);
        } else {
            bad_files_config("has an unknown key \"" + excerpt(key, 60) + "\"");
        }
    }
    if (!has_files) bad_files_config("needs \"files\": a non-empty array");
    return config;
}

}  // namespace crm
