// Numbers as written in French (and other) spreadsheets -> canonical decimal text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

struct NumberResult {
    // Canonical text for PostgreSQL numeric_in: optional '-', digits, optional
    // '.' digits, e.g. "-1234.56". Computed on the text: no digit is lost, no
    // binary rounding.
    std::optional<std::string> value;
    std::string reason;  // set when !value
};

// decimal: 0 = infer (French reading when ambiguous: "1.234" -> "1234",
// "1,234" -> "1.234"), ',' or '.' = that character is the decimal separator
// and the other one may only group thousands.
NumberResult parse_number(std::string_view text, char decimal = 0);

}  // namespace crm
