// Which canonical entity an export file holds, and which of its columns
// feed which canonical field. The sync reads a directory of exports whose
// headers are written by hand in each merchant's software ("N° Vente",
// "Qté", "PU HT"...): a synonym dictionary maps them, and the source's
// "mapping" config overrides it where a merchant's spelling is unusual.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm {

enum class Entity { Customers, Products, Sales, Stock };

// "customers", "products", "sales", "stock".
const char* entity_name(Entity);
// The names entity_name returns, exactly; anything else -> nullopt.
std::optional<Entity> parse_entity(std::string_view);

// The entity a file name speaks of, from its words (case, accents and
// punctuation ignored; French or English; singular or plural):
// "Export_Clients_2024.xlsx" -> Customers, "articles.xlsx" -> Products,
// "lignes_factures.csv" -> Sales, "inventaire.xlsx" -> Stock. Directories of
// a path are ignored. nullopt when no entity is named, or when two are
// ("ventes_par_client.csv"): guessing could load sales as customers, so the
// admin maps such a file explicitly.
std::optional<Entity> entity_of_file_name(std::string_view file_name);

struct CanonicalField {
    const char* name;
    bool required;
    // Accepted header spellings in normalize_column_name form, preferred
    // first. The field's own name is the first one. Headers are compared
    // after folding what French exports write interchangeably: "N°", "No",
    // "Num", "Numéro" and "#" are one word; "de", "du", "des", "d'" and a
    // "€" unit are ignored; word breaks are ignored ("P.U. H.T." = "PU HT",
    // "CodeClient" = "Code client").
    std::vector<const char*> synonyms;
};

// The fields of an entity in canonical order (the order of
// HeaderMapping::column_of_field).
const std::vector<CanonicalField>& canonical_fields(Entity);

struct HeaderMapping {
    Entity entity;
    std::vector<int> column_of_field;         // per canonical field (same order as canonical_fields), -1 if absent
    std::vector<std::string> unused_headers;  // headers mapped to nothing (reported to the admin), blank ones left out
    std::vector<std::string> missing_required;
    int column(std::string_view field) const;  // 0-based; -1 if absent or unknown field
};

// headers: the file's header cells as written. overrides: {canonical field ->
// header as written (or differing only by case, accents, punctuation)}, from
// the source config "mapping"; they win over synonyms. An override naming an
// unknown field, a header the file lacks, a field twice or a header for two
// fields -> crm::Error 22023 listing the valid fields / the file's headers.
// Then each field in canonical order takes the first still unused column
// that matches its most preferred synonym: a header matching two fields goes
// to the first in canonical order, each header is used once. Missing
// required fields are listed, not thrown: the caller decides.
HeaderMapping map_headers(Entity, const std::vector<std::string>& headers,
                          const std::vector<std::pair<std::string, std::string>>& overrides = {});

// The overrides of one entity from the source config's "mapping" JSON:
// {"sales": {"quantity": "Nb btl"}, "customers": {...}}. null means no
// overrides. The whole document is checked, not only `entity`'s part, so a
// typo is reported on the first sync: not an object, an unknown entity or
// field, a header that is not a string -> crm::Error 22023.
std::vector<std::pair<std::string, std::string>> mapping_overrides(std::string_view mapping_json, Entity);

}  // namespace crm
