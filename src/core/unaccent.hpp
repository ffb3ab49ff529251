// Accent removal compatible with PostgreSQL contrib unaccent() on Latin
// letters, plus typographic space/quote folding. See docs/normalization.md.
#pragma once

#include <string>
#include <string_view>

namespace crm {

// Removes diacritics from Latin letters (canonical decomposition with
// utf8proc, combining marks dropped), folds ligatures (œ -> oe, ß -> ss,
// ﬁ -> fi), maps no-break/thin spaces to ' ' and typographic quotes to ' and ".
// Case is kept; Greek, Cyrillic, CJK, Arabic... are copied unchanged; bytes
// that are not valid UTF-8 are copied unchanged. Never throws except
// std::bad_alloc.
std::string unaccent(std::string_view utf8);

// Same, appending to `out` (the hot path used by the readers).
void unaccent_append(std::string_view utf8, std::string& out);

}  // namespace crm
