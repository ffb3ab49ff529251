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

}  // namespace crm
