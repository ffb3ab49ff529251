// The config of an "isavigne" source: a directory of exports, optional
// header overrides per entity and reader options. Checked when the source is
// added, so that a typo is an error then rather than at 3 a.m. in a cron job.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/export_headers.hpp"

namespace crm {

struct ExportSourceConfig {
    std::string directory;     // absolute; the files must also be in crm.allowed_read_paths
    std::string mapping_json;  // {"sales": {"quantity": "Nb btl"}, ...} or "" (synonyms only)
    std::string read_options_json;  // options of crm_load for every file ("{}" = detect)
};

// {"directory": "/srv/exports/isavigne", "mapping": {...}, "read_options": {...}}.
// Unknown keys, a relative directory, a bad mapping or bad reader options
// -> Error 22023 with plain words.
ExportSourceConfig parse_export_source_config(std::string_view config_json);

// One file of a "files" source: which entity it feeds and how.
struct ExportFileSpec {
    std::string path;  // absolute
    Entity entity;
    std::vector<std::pair<std::string, std::string>> mapping;    // field -> header
    // field -> value (SQL literal) for rows without one; "" for JSON null, which
    // says the file deliberately has no such column (web sales: no customer).
    std::vector<std::pair<std::string, std::string>> constants;
    std::string ids_path;  // optional: a two-column file translating the file's product/customer ids
    std::string ids_from;  // its header holding this file's ids
    std::string ids_to;    // its header holding the ids the other files use
    std::string keep_largest;  // optional field: one row per key, the one where it is largest
};

struct FilesSourceConfig {
    std::vector<ExportFileSpec> files;
    std::string read_options_json;  // options of crm_load for every file ("{}" = detect)
};

// {"files": [{"path", "entity", "mapping", "constants", "ids": {"path", "from", "to"},
// "keep": "last" | {"largest": field}, "read_options"}], "read_options": {...}}.
// Anything unknown or misspelt -> Error 22023 naming the file entry.
FilesSourceConfig parse_files_source_config(std::string_view config_json);

}  // namespace crm
