#include "core/export_headers.hpp"

#include <algorithm>
#include <deque>
#include <initializer_list>

#include <simdjson.h>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/text_key.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

constexpr Entity kEntities[] = {Entity::Customers, Entity::Products, Entity::Sales, Entity::Stock};

// Splits a normalize_column_name result at its '_' and calls `visit` on each word.
template <typename Visit>
void for_each_word(std::string_view normalised, Visit visit) {
    while (!normalised.empty()) {
        const size_t end = std::min(normalised.find('_'), normalised.size());
        visit(normalised.substr(0, end));
        normalised.remove_prefix(std::min(end + 1, normalised.size()));
    }
}

bool is_number_word(std::string_view word) {
    return word == "n" || word == "no" || word == "num" || word == "numero";
}

// Words that French headers add or leave out at will ("Date de création" /
// "Date création", "Montant HT (€)" / "Montant HT").
bool is_filler_word(std::string_view word) {
    return word == "de" || word == "du" || word == "des" || word == "d" || word == "eur" || word == "euros";
}

// What a header and a synonym are compared on (see CanonicalField::synonyms).
// Words are glued without a separator so that "P.U. H.T." ("p_u_h_t") meets
// "PU HT" ("pu_ht") and "CodeClient" meets "Code client".
std::string match_key(std::string_view normalised) {
    std::string key;
    for_each_word(normalised, [&key](std::string_view word) {
        if (is_number_word(word)) key += "num";
        else if (!is_filler_word(word)) key += word;
    });
    return key;
}

// The canonical fields of one entity, built once from readable spellings.
class EntityTable {
public:
    struct ReadableField {
        const char* name;
        bool required;
        std::initializer_list<const char*> spellings;  // preferred first
    };

    explicit EntityTable(std::initializer_list<ReadableField> readable) {
        for (const ReadableField& field : readable) {
            CanonicalField canonical{field.name, field.required, {}};
            std::vector<std::string> field_keys;
            // A file already using canonical names (a re-export, a hand-made
            // file) needs no synonym: the name itself is the first spelling.
            add_spelling(field.name, canonical, field_keys);
            for (const char* spelling : field.spellings) add_spelling(spelling, canonical, field_keys);
            fields.push_back(std::move(canonical));
            keys.push_back(std::move(field_keys));
        }
    }

    std::vector<CanonicalField> fields;
    std::vector<std::vector<std::string>> keys;  // per field, the match_key of each synonym, same order

private:
    void add_spelling(std::string_view readable, CanonicalField& field, std::vector<std::string>& field_keys) {
        std::string normalised = normalize_column_name(readable);
        std::string key = match_key(normalised);
        // Spellings that differ only by what match_key folds are one synonym.
        if (std::find(field_keys.begin(), field_keys.end(), key) != field_keys.end()) return;
        normalised_.push_back(std::move(normalised));
        field.synonyms.push_back(normalised_.back().c_str());
        field_keys.push_back(std::move(key));
    }

    // Owns the text CanonicalField::synonyms point to: a deque never moves
    // its elements when it grows.
    std::deque<std::string> normalised_;
};

constexpr bool kRequired = true;
constexpr bool kOptional = false;

// Spellings differing only by case, accents, punctuation, N°/No/Num/Numéro or
// de/du/d' are one spelling (match_key): writing one of them covers the others.
const EntityTable& table_of(Entity entity) {
    switch (entity) {
        case Entity::Customers: {
            static const EntityTable customers({
                {"source_id", kRequired,
                 {"Code client", "N° client", "Client", "ID client", "Réf. client", "Référence client", "Code",
                  "Identifiant client", "Identifiant", "ID", "Customer ID", "Customer No", "Customer code"}},
                {"civility", kOptional, {"Civilité", "Civ.", "Titre", "Title"}},
                {"last_name", kOptional, {"Nom", "Nom client", "Nom de famille", "Last name", "Surname"}},
                {"first_name", kOptional, {"Prénom", "First name"}},
                {"company", kOptional, {"Société", "Raison sociale", "Entreprise", "Nom société", "Company"}},
                {"email", kOptional, {"E-mail", "Courriel", "Mail", "Adresse e-mail", "Adresse mail", "Email address"}},
                {"phone", kOptional,
                 {"Tél.", "Téléphone", "Portable", "Mobile", "Tél. portable", "Tél. mobile", "Téléphone portable",
                  "Phone", "Mobile phone"}},
                {"address", kOptional,
                 {"Adresse", "Adresse 1", "Adresse ligne 1", "Rue", "Address", "Address 1", "Address line 1"}},
                {"zip", kOptional, {"CP", "Code postal", "Zip code", "Postal code", "Postcode"}},
                {"city", kOptional, {"Ville", "Commune", "Localité", "City"}},
                {"country", kOptional, {"Pays", "Code pays", "Country"}},
                {"created_at", kOptional,
                 {"Date de création", "Créé le", "Date d'ajout", "Date inscription", "Creation date", "Created"}},
                {"segment", kOptional,
                 {"Catégorie", "Type client", "Catégorie client", "Type", "Category", "Customer type"}},
            });
            return customers;
        }
        case Entity::Products: {
            static const EntityTable products({
                {"source_id", kRequired,
                 {"Réf.", "Référence", "Code article", "Code produit", "SKU", "Réf. article", "Réf. produit",
                  "Référence article", "Code", "ID produit", "Product ID", "Product code", "Item code"}},
                {"name", kRequired,
                 {"Désignation", "Libellé", "Produit", "Nom", "Article", "Nom du produit", "Libellé article",
                  "Désignation article", "Product name", "Product"}},
                {"colour", kOptional, {"Couleur", "Color"}},
                {"appellation", kOptional, {"AOC", "AOP", "AOC/AOP"}},
                {"region", kOptional, {"Région", "Vignoble"}},
                {"vintage", kOptional, {"Millésime", "Année", "Millésime/Année"}},
                {"packaging", kOptional, {"Conditionnement", "Format", "Contenant", "Cond."}},
                {"volume", kOptional, {"Contenance", "Contenance (cl)", "Volume (cl)", "Capacité"}},
                {"list_price", kOptional,
                 {"PU HT", "Prix HT", "Prix de vente HT", "Tarif", "Tarif HT", "Prix public HT", "Prix unitaire HT",
                  "Price"}},
                {"cost_price", kOptional,
                 {"Prix d'achat HT", "PA HT", "Coût", "Prix de revient", "Coût de revient", "Prix d'achat", "PA",
                  "Cost", "Cost price"}},
                {"active", kOptional, {"Actif", "Statut", "En vente", "Status"}},
            });
            return products;
        }
        case Entity::Sales: {
            static const EntityTable sales({
                {"order_id", kRequired,
                 {"N° Vente", "N° commande", "N° pièce", "N° facture", "Commande", "Pièce", "Facture", "N° document",
                  "Order ID", "Order No", "Order number", "Invoice No", "Invoice number"}},
                {"date_sale", kRequired,
                 {"Date", "Date de vente", "Date pièce", "Date commande", "Date facture", "Date document", "Sale date",
                  "Order date", "Invoice date"}},
                {"customer_id", kRequired,
                 {"Code client", "N° client", "Client", "ID client", "Réf. client", "Customer", "Customer code"}},
                {"product_id", kRequired,
                 {"Réf.", "Référence", "Code article", "Code produit", "Réf. article", "Réf. produit", "SKU",
                  "Product code"}},
                {"product_name", kOptional,
                 {"Désignation", "Libellé", "Article", "Produit", "Désignation article", "Libellé article",
                  "Product"}},
                {"quantity", kRequired,
                 {"Qté", "Quantité", "Nb", "Nb btl", "Nb bouteilles", "Nombre", "Qté vendue", "Quantité vendue",
                  "Qty"}},
                {"packaging", kOptional, {"Conditionnement", "Format", "Contenant", "Cond."}},
                {"price_unit", kOptional,
                 {"PU HT", "Prix unitaire HT", "Prix unitaire", "PU", "Prix HT", "Prix de vente HT", "Unit price"}},
                {"discount_pct", kOptional,
                 {"Remise %", "Remise", "% remise", "Taux de remise", "Discount", "Discount %"}},
                {"price_total", kOptional,
                 {"Montant HT", "Total HT", "Montant", "Total", "Montant ligne HT", "Total ligne HT", "Amount",
                  "Line total"}},
                {"channel", kOptional, {"Canal", "Origine", "Canal de vente"}},
            });
            return sales;
        }
        case Entity::Stock: {
            static const EntityTable stock({
                {"product_id", kRequired,
                 {"Réf.", "Référence", "Code article", "Code produit", "Réf. article", "SKU", "Product code"}},
                {"product_name", kOptional, {"Désignation", "Libellé", "Article", "Produit", "Product"}},
                {"warehouse", kOptional, {"Entrepôt", "Dépôt", "Emplacement", "Magasin", "Location"}},
                {"quantity", kRequired,
                 {"Stock", "Quantité", "Qté", "Stock physique", "Stock réel", "Qté stock", "Qté en stock",
                  "Quantité en stock", "On hand"}},
                {"reserved", kOptional, {"Réservé", "Qté réservée", "Quantité réservée", "Stock réservé"}},
                {"counted_at", kOptional,
                 {"Date d'inventaire", "Date", "Date du stock", "Inventory date", "Stock date"}},
            });
            return stock;
        }
    }
    throw Error(sqlstate::kInternalError, "unknown entity");
}

[[noreturn]] void bad_mapping(const std::string& what, std::string detail, std::string hint) {
    throw Error(sqlstate::kInvalidParameterValue, "invalid header mapping: " + what, std::move(detail),
                std::move(hint));
}

int field_index(const std::vector<CanonicalField>& fields, std::string_view name) {
    for (size_t f = 0; f < fields.size(); ++f)
        if (name == fields[f].name) return static_cast<int>(f);
    return -1;
}

// The field's index in `entity`; an unknown name is an error naming the valid ones.
int checked_field_index(Entity entity, std::string_view name) {
    const std::vector<CanonicalField>& fields = canonical_fields(entity);
    const int index = field_index(fields, name);
    if (index < 0) {
        std::string valid;
        for (const CanonicalField& field : fields) valid += (valid.empty() ? "" : ", ") + std::string(field.name);
        bad_mapping("unknown " + std::string(entity_name(entity)) + " field \"" + std::string(name) + "\"", "",
                    "Fields of " + std::string(entity_name(entity)) + ": " + valid + ".");
    }
    return index;
}

// The column an override names: the header as written, else the first one
// written differently only by case, accents or punctuation; -1 if none.
int override_column(const std::vector<std::string>& headers, std::string_view wanted) {
    const auto exact = std::find(headers.begin(), headers.end(), wanted);
    if (exact != headers.end()) return static_cast<int>(exact - headers.begin());
    const std::string wanted_normalised = normalize_column_name(wanted);
    if (wanted_normalised.empty()) return -1;
    for (size_t c = 0; c < headers.size(); ++c)
        if (normalize_column_name(headers[c]) == wanted_normalised) return static_cast<int>(c);
    return -1;
}

std::string quoted_list(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "\"" : ", \"") + item + "\"";
    return out;
}

// File-name words, with the breaks normalize_column_name does not see made
// explicit: "ExportClients2024" -> "Export_Clients_2024".
std::string split_name_words(std::string_view name) {
    auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
    auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        if (i > 0) {
            const char before = name[i - 1], here = name[i];
            const bool lower_then_upper = is_lower(before) && is_upper(here);
            const bool letter_then_digit = (is_lower(before) || is_upper(before)) && is_digit(here);
            const bool digit_then_letter = is_digit(before) && (is_lower(here) || is_upper(here));
            if (lower_then_upper || letter_then_digit || digit_then_letter) out.push_back('_');
        }
        out.push_back(name[i]);
    }
    return out;
}

// Words naming an entity in a file name, in the singular; a plural 's' is accepted.
struct FileWord {
    std::string_view singular;
    Entity entity;
};
constexpr FileWord kFileWords[] = {
    {"client", Entity::Customers},  {"customer", Entity::Customers},
    {"produit", Entity::Products},  {"article", Entity::Products},   {"product", Entity::Products},
    {"catalogue", Entity::Products}, {"catalog", Entity::Products},
    {"vente", Entity::Sales},       {"sale", Entity::Sales},         {"facture", Entity::Sales},
    {"invoice", Entity::Sales},     {"commande", Entity::Sales},     {"order", Entity::Sales},
    {"stock", Entity::Stock},       {"inventaire", Entity::Stock},   {"inventory", Entity::Stock},
};

bool is_singular_or_plural(std::string_view word, std::string_view singular) {
    if (word.size() == singular.size() + 1 && word.back() == 's') word.remove_suffix(1);
    return word == singular;
}

}  // namespace

const char* entity_name(Entity entity) {
    switch (entity) {
        case Entity::Customers: return "customers";
        case Entity::Products: return "products";
        case Entity::Sales: return "sales";
        case Entity::Stock: return "stock";
    }
    return "stock";
}

std::optional<Entity> parse_entity(std::string_view name) {
    for (Entity entity : kEntities)
        if (name == entity_name(entity)) return entity;
    return std::nullopt;
}

std::optional<Entity> entity_of_file_name(std::string_view file_name) {
    const size_t directory_end = file_name.find_last_of("/\\");
    if (directory_end != std::string_view::npos) file_name.remove_prefix(directory_end + 1);

    std::optional<Entity> found;
    bool ambiguous = false;
    for_each_word(normalize_column_name(split_name_words(file_name)), [&](std::string_view word) {
        for (const FileWord& file_word : kFileWords) {
            if (!is_singular_or_plural(word, file_word.singular)) continue;
            if (found && *found != file_word.entity) ambiguous = true;
            found = file_word.entity;
        }
    });
    if (ambiguous) return std::nullopt;
    return found;
}

const std::vector<CanonicalField>& canonical_fields(Entity entity) { return table_of(entity).fields; }

int HeaderMapping::column(std::string_view field) const {
    const int index = field_index(canonical_fields(entity), field);
    return index < 0 ? -1 : column_of_field[static_cast<size_t>(index)];
}

HeaderMapping map_headers(Entity entity, const std::vector<std::string>& headers,
                          const std::vector<std::pair<std::string, std::string>>& overrides) {
    const EntityTable& table = table_of(entity);
    const std::vector<CanonicalField>& fields = table.fields;
    HeaderMapping out{entity, std::vector<int>(fields.size(), -1), {}, {}};
    std::vector<bool> column_used(headers.size(), false);

    for (const auto& [field, header] : overrides) {
        const size_t f = static_cast<size_t>(checked_field_index(entity, field));
        const std::string target = std::string(entity_name(entity)) + "." + field;
        if (out.column_of_field[f] >= 0) bad_mapping(target + " is mapped twice", "", "");
        const int column = override_column(headers, header);
        if (column < 0)
            bad_mapping("the file has no header \"" + header + "\" (for " + target + ")",
                        "Headers of the file: " + quoted_list(headers) + ".", "");
        if (column_used[static_cast<size_t>(column)])
            bad_mapping("header \"" + headers[static_cast<size_t>(column)] + "\" is mapped to two fields", "",
                        "Each header feeds one field.");
        out.column_of_field[f] = column;
        column_used[static_cast<size_t>(column)] = true;
    }

    std::vector<std::string> header_keys;
    header_keys.reserve(headers.size());
    for (const std::string& header : headers) header_keys.push_back(match_key(normalize_column_name(header)));

    for (size_t f = 0; f < fields.size(); ++f) {
        for (const std::string& synonym_key : table.keys[f]) {
            if (out.column_of_field[f] >= 0) break;
            for (size_t c = 0; c < headers.size(); ++c) {
                if (column_used[c] || header_keys[c] != synonym_key) continue;
                out.column_of_field[f] = static_cast<int>(c);
                column_used[c] = true;
                break;
            }
        }
        if (fields[f].required && out.column_of_field[f] < 0) out.missing_required.emplace_back(fields[f].name);
    }

    // Blank header cells are the trailing empty columns of spreadsheets: not worth reporting.
    for (size_t c = 0; c < headers.size(); ++c)
        if (!column_used[c] && !trim_blanks(headers[c]).empty()) out.unused_headers.push_back(headers[c]);
    return out;
}

std::vector<std::pair<std::string, std::string>> mapping_overrides(std::string_view mapping_json, Entity entity) {
    const std::string shape_hint = "Expected {\"sales\": {\"quantity\": \"Nb btl\"}, ...}: entities customers, "
                                   "products, sales, stock; for each, canonical field -> header as written.";
    simdjson::dom::parser parser;
    simdjson::padded_string padded(mapping_json);
    simdjson::dom::element root;
    if (parser.parse(padded).get(root)) bad_mapping("\"mapping\" is not valid JSON", "", shape_hint);
    if (root.is_null()) return {};
    simdjson::dom::object entities;
    if (root.get_object().get(entities)) bad_mapping("\"mapping\" must be a JSON object", "", shape_hint);

    std::vector<std::pair<std::string, std::string>> out;
    for (auto [entity_key, entity_value] : entities) {
        const std::optional<Entity> mapped_entity = parse_entity(entity_key);
        if (!mapped_entity)
            bad_mapping("unknown entity \"" + std::string(entity_key) + "\" in \"mapping\"", "", shape_hint);
        simdjson::dom::object field_headers;
        if (entity_value.get_object().get(field_headers))
            bad_mapping("\"mapping\".\"" + std::string(entity_key) + "\" must be an object {field: header}", "",
                        shape_hint);
        for (auto [field, header_value] : field_headers) {
            checked_field_index(*mapped_entity, field);
            std::string_view header;
            if (header_value.get_string().get(header))
                bad_mapping("the header of " + std::string(entity_key) + "." + std::string(field) +
                                " must be a string",
                            "", shape_hint);
            if (*mapped_entity == entity) out.emplace_back(std::string(field), std::string(header));
        }
    }
    return out;
}

}  // namespace crm
