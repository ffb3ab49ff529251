// Converts one field of a file to a column's type, with the file's French
// conventions (decimal comma, thousands separators, dd/mm/yyyy). Returns
// false with a reason instead of guessing: the caller stops, skips or
// quarantines the row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/french_date.hpp"
#include "core/table_source.hpp"

namespace crm {

enum class ValueType { Text, Boolean, Int16, Int32, Int64, Float32, Float64, Numeric, Date, Timestamp };

struct Converted {
    bool b = false;
    std::int64_t i = 0;
    double f = 0;
    std::string numeric;  // canonical decimal text for ValueType::Numeric
    Date date{};
    Timestamp timestamp{};
};

class ValueConverter {
public:
    explicit ValueConverter(const Conventions& conventions) : conventions_(conventions) {}

    // Converts `text` (of kind `kind`) to `type` into `out`; on failure
    // returns false and sets `reason`. Text needs no conversion.
    bool convert(std::string_view text, FieldKind kind, ValueType type, Converted& out, std::string& reason) const;

private:
    bool to_number(std::string_view text, FieldKind kind, std::string& canonical, std::string& reason) const;
    Conventions conventions_;
};

// "Oui"/"Non", "vrai"/"faux", "true"/"false", "yes"/"no", "o"/"n", "y", "1"/"0", "x"/"" are booleans.
bool parse_boolean(std::string_view text, bool& out);

}  // namespace crm
