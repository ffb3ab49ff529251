// E-mail addresses and phone numbers. See docs/normalization.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

// Trimmed, lower-cased "local@domain.tld", or nullopt when not a plausible
// address. "mailto:" and surrounding <> are removed. ASCII addresses only.
std::optional<std::string> normalize_email(std::string_view text);

// E.164 ("+33612345678"). `country` (ISO 3166 alpha-2: FR BE CH DE IT ES GB
// LU NL US) is the country of numbers written without an international
// prefix. nullopt when the number cannot be read.
std::optional<std::string> normalize_phone(std::string_view text, std::string_view country = "FR");

}  // namespace crm
