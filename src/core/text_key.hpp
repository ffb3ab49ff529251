// Matching keys and column identifiers. See docs/normalization.md.
#pragma once

#include <string>
#include <string_view>

namespace crm {

// Key for matching names of people, companies, wines:
// unaccent, lower case, punctuation/whitespace runs -> one space, trimmed,
// '&' -> "et", St/Ste -> saint/sainte, legal forms (SARL, SAS, ...) moved to
// the end in alphabetical order. "SARL Château d'Yquem" -> "chateau d yquem sarl".
std::string normalize_key(std::string_view text);

// CSV/Excel header -> SQL-friendly identifier: "Prix U. HT (€)" -> "prix_u_ht_eur".
// Returns "" when nothing is left (the caller names the column col_N).
std::string normalize_column_name(std::string_view header);

}  // namespace crm
