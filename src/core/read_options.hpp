// The options of the file readers (crm_sniff, crm_read, crm_read_csv,
// crm_read_xlsx, crm_load), parsed from their jsonb argument. Every option
// overrides detection; an unknown key is an error (a typo must not be
// silently ignored). What crm_sniff returns is accepted back as options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/csv_sniffer.hpp"

namespace crm {

enum class OnError { Stop, Skip, Quarantine };
enum class FileFormat { Csv, Xlsx };

struct ReadOptions {
    std::optional<FileFormat> format;  // detected from the content when absent
    SniffOptions csv;                  // encoding, delimiter, quote, escape, header, skip_rows, decimal, ...
    std::vector<std::string> nulls{""};                        // values read as NULL
    std::string sheet;                                         // XLSX sheet name or 1-based index; "" = first
    std::vector<std::pair<std::string, std::string>> columns;  // output column -> source header
    OnError on_error = OnError::Stop;
    std::optional<std::uint64_t> max_rejects;  // more rejects than this turns into an error
};

ReadOptions parse_read_options(std::string_view json);

const char* on_error_name(OnError mode);

}  // namespace crm
