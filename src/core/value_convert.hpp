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
    std::int64_t i = 0;   // integers; for Numeric with `scaled`, the unscaled value
    int scale = 0;        // Numeric with `scaled`: value = i / 10^scale
    bool scaled = false;  // Numeric fits in 18 digits: i and scale hold it
    double f = 0;
    std::string numeric;  // canonical decimal text for ValueType::Numeric when !scaled
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

// A plain decimal ("-1234,56" with decimal ',', "1 234,56" with the file's
// thousands separator, "12" ...) of at most 18 digits as unscaled integer
// and scale; false for anything else (currency, %, exponents, parentheses:
// the general parser handles those). The hot path of the loaders.
bool parse_plain_decimal(std::string_view text, char decimal, std::int64_t& unscaled, int& scale,
                         std::string_view thousands = {});

// Brings a scaled decimal to `target_scale` digits after the point
// (rounding half away from zero, as PostgreSQL's numeric does) and checks
// that it has at most `precision` digits in all. False when it does not fit.
bool rescale_decimal(std::int64_t& unscaled, int& scale, int target_scale, int precision);

// Whether a canonical decimal ("-1234.5678") fits numeric(precision, scale)
// once rounded to `scale` digits: its integer part has at most
// precision - scale digits (a rounding carry is left to PostgreSQL).
bool fits_numeric_typmod(const std::string& canonical, int precision, int scale);

// dd/mm/yyyy (or mm/dd/yyyy for order "MDY"; '.' and '-' also separate)
// and ISO yyyy-mm-dd, validated; false for anything else.
bool parse_plain_date(std::string_view text, std::string_view order, Date& out);

// A plain date as above, then " " or "T" and hh:mm or hh:mm:ss (Odoo's
// "2024-05-01 08:00:00"), validated; false for anything else (fractions,
// zones, AM/PM: the general parser handles those).
bool parse_plain_timestamp(std::string_view text, std::string_view order, Timestamp& out);

// "Oui"/"Non", "vrai"/"faux", "true"/"false", "yes"/"no", "o"/"n", "y", "1"/"0", "x"/"" are booleans.
bool parse_boolean(std::string_view text, bool& out);

}  // namespace crm
