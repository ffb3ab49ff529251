// The config of an "isavigne" source: a directory of exports, optional
// header overrides per entity and reader options. Checked when the source is
// added, so that a typo is an error then rather than at 3 a.m. in a cron job.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace crm
