// The body of a Brevo contacts import (POST /v3/contacts/import) that puts
// each customer's recommendations in contact attributes, so that a Brevo
// template can show them:
//   RECO_COUNT       how many follow (a number: RECO_2 of a customer who now
//                    has one recommendation is stale, and the import never
//                    erases attributes)
//   RECO_1 .. RECO_n the products' names, best first
//   RECO_1_RAISON .. the reasons, in French
// Text values are cut to kBrevoTextAttributeBytes on a UTF-8 character
// boundary. Pure logic: the SQL side picks who and what, the HTTP client
// sends.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crm {

// Brevo does not publish the length of a text attribute; 255 bytes is the
// conservative bound (a VARCHAR(255) in bytes holds it, so does one in
// characters).
inline constexpr std::size_t kBrevoTextAttributeBytes = 255;
// Brevo takes at most 10 MB per import and advises staying near 8 MB.
inline constexpr std::size_t kBrevoImportMaxBytes = 8u << 20;
// Contacts per import pg_crm sends at most (Brevo's page limit for
// contacts; an import body of this many stays far below 8 MB).
inline constexpr int kBrevoImportMaxContacts = 1000;
// Recommendations per contact at most (RECO_1 .. RECO_10).
inline constexpr int kBrevoMaxRecommendations = 10;

// `text` itself when it fits in `max_bytes`, else its longest prefix that
// ends on a character boundary and leaves room for "…" (U+2026), then "…".
// max_bytes must be at least 3.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// contacts_json: [{"email": "a@b.fr", "recommendations": [{"name": "...", "reason": "..."}, ...]}, ...]
//   1 to kBrevoImportMaxContacts contacts, each with a non-empty e-mail and 1 to
//   kBrevoMaxRecommendations recommendations, each with a non-empty name (reason may be
//   empty or absent: no RECO_n_RAISON then).
// options_json: {} or {"list_ids": [2, 7]} (positive integers): the lists the contacts join.
// Returns {"jsonBody": [{"email", "attributes"}], "updateExistingContacts": true,
//          "emptyContactsAttributes": false[, "listIds": [...]]}.
// Bad input -> Error 22023; a body over kBrevoImportMaxBytes -> Error 54000.
std::string brevo_import_body(std::string_view contacts_json, std::string_view options_json);

}  // namespace crm
