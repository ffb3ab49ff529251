#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "core/csv_reader.hpp"
#include "core/error.hpp"
#include "core/export_headers.hpp"
#include "core/text_encoding.hpp"
#include "core/text_key.hpp"

using crm::Entity;
using crm::entity_of_file_name;
using crm::map_headers;
using crm::mapping_overrides;

namespace {

using Headers = std::vector<std::string>;
using Overrides = std::vector<std::pair<std::string, std::string>>;

// The header row of a generated iSaVigne export, read the way the loader
// reads it (Windows-1252, ';').
Headers fixture_headers(const std::string& name) {
    std::ifstream in(std::string(CRM_FIXTURES) + "/isavigne_small/" + name, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(bytes.empty()) << name;
    crm::MemorySource raw(bytes);
    auto utf8 = crm::make_utf8_source(raw, crm::Encoding::Windows1252, name);
    crm::CsvDialect dialect;
    dialect.delimiter = ';';
    crm::CsvReader reader(*utf8, dialect, name);
    return reader.header();
}

// The error `call` throws; fails the test when it throws none.
template <typename Call>
crm::Error error_of(Call call) {
    try {
        call();
    } catch (const crm::Error& e) {
        return e;
    }
    ADD_FAILURE() << "no crm::Error thrown";
    return crm::Error("00000", "");
}

std::string header_of(const crm::HeaderMapping& m, const Headers& headers, const char* field) {
    const int column = m.column(field);
    return column < 0 ? "<none>" : headers[static_cast<size_t>(column)];
}

}  // namespace

TEST(HeaderEntities, NamesRoundTrip) {
    for (Entity e : {Entity::Customers, Entity::Products, Entity::Sales, Entity::Stock})
        EXPECT_EQ(crm::parse_entity(crm::entity_name(e)), e);
    EXPECT_STREQ(crm::entity_name(Entity::Sales), "sales");
    EXPECT_EQ(crm::parse_entity("Sales"), std::nullopt);
    EXPECT_EQ(crm::parse_entity("ventes"), std::nullopt);
    EXPECT_EQ(crm::parse_entity(""), std::nullopt);
}

TEST(HeaderFileNames, EachEntity) {
    for (const char* name : {"clients.csv", "Export_Clients_2024.xlsx", "CLIENTS 2024.CSV", "fichier-client.csv",
                             "customers.xlsx", "ExportClients2024.xlsx", "clients2024.csv"})
        EXPECT_EQ(entity_of_file_name(name), Entity::Customers) << name;
    for (const char* name : {"produits.csv", "articles.xlsx", "Produit.CSV", "catalogue_2024.xlsx", "products.csv"})
        EXPECT_EQ(entity_of_file_name(name), Entity::Products) << name;
    for (const char* name : {"ventes.csv", "Ventes_detail.csv", "lignes_factures.csv", "VENTES.XLSX", "sales.csv",
                             "commandes-2024.csv", "Vente.csv"})
        EXPECT_EQ(entity_of_file_name(name), Entity::Sales) << name;
    for (const char* name : {"stock.csv", "inventaire.xlsx", "Stocks.csv", "INVENTAIRE_2024-12-31.xlsx"})
        EXPECT_EQ(entity_of_file_name(name), Entity::Stock) << name;
}

TEST(HeaderFileNames, AccentsAndDirectories) {
    EXPECT_EQ(entity_of_file_name("Clientèle.csv"), std::nullopt);  // a different word, not "client"
    EXPECT_EQ(entity_of_file_name("/srv/exports/ventes/clients.csv"), Entity::Customers);
    EXPECT_EQ(entity_of_file_name("C:\\exports\\stock\\produits.csv"), Entity::Products);
    EXPECT_EQ(entity_of_file_name("PRODUÏTS.csv"), Entity::Products);
}

TEST(HeaderFileNames, AmbiguousOrUnknown) {
    EXPECT_EQ(entity_of_file_name("ventes_par_client.csv"), std::nullopt);
    EXPECT_EQ(entity_of_file_name("stock_produits.csv"), std::nullopt);
    EXPECT_EQ(entity_of_file_name("factures clients.xlsx"), std::nullopt);
    EXPECT_EQ(entity_of_file_name("fournisseurs.csv"), std::nullopt);
    EXPECT_EQ(entity_of_file_name("export.csv"), std::nullopt);
    EXPECT_EQ(entity_of_file_name(""), std::nullopt);
    // Whole words only: these merely contain an entity's word.
    EXPECT_EQ(entity_of_file_name("wholesale.csv"), std::nullopt);
    EXPECT_EQ(entity_of_file_name("borders.csv"), std::nullopt);
    // The same entity twice is not ambiguous.
    EXPECT_EQ(entity_of_file_name("ventes_factures.csv"), Entity::Sales);
}

TEST(HeaderFields, CanonicalOrderAndRequired) {
    auto names = [](Entity e) {
        std::vector<std::string> out;
        for (const crm::CanonicalField& f : crm::canonical_fields(e))
            out.push_back(std::string(f.name) + (f.required ? "*" : ""));
        return out;
    };
    EXPECT_EQ(names(Entity::Customers),
              (std::vector<std::string>{"source_id*", "civility", "last_name", "first_name", "company", "email",
                                        "phone", "address", "zip", "city", "country", "created_at", "segment"}));
    EXPECT_EQ(names(Entity::Products),
              (std::vector<std::string>{"source_id*", "name*", "colour", "appellation", "region", "vintage",
                                        "packaging", "volume", "list_price", "cost_price", "active"}));
    EXPECT_EQ(names(Entity::Sales),
              (std::vector<std::string>{"order_id*", "date_sale*", "customer_id*", "product_id*", "product_name",
                                        "quantity*", "packaging", "price_unit", "discount_pct", "price_total",
                                        "channel"}));
    EXPECT_EQ(names(Entity::Stock), (std::vector<std::string>{"product_id*", "product_name", "warehouse",
                                                              "quantity*", "reserved", "counted_at"}));
}

TEST(HeaderFields, SynonymsAreNormalisedAndBelongToOneField) {
    for (Entity e : {Entity::Customers, Entity::Products, Entity::Sales, Entity::Stock}) {
        std::set<std::string> seen;
        for (const crm::CanonicalField& f : crm::canonical_fields(e)) {
            ASSERT_FALSE(f.synonyms.empty());
            EXPECT_STREQ(f.synonyms.front(), f.name);
            for (const char* s : f.synonyms) {
                EXPECT_EQ(crm::normalize_column_name(s), s);
                // A synonym shared by two fields would silently feed the first one only.
                const auto m = map_headers(e, {s});
                EXPECT_EQ(m.column(f.name), 0) << crm::entity_name(e) << "." << f.name << ": " << s;
                EXPECT_TRUE(seen.insert(s).second) << crm::entity_name(e) << ": " << s;
            }
        }
    }
    const auto& sales = crm::canonical_fields(Entity::Sales);
    EXPECT_STREQ(sales[0].synonyms[1], "n_vente");
}

TEST(HeaderMapping, IsavigneFixturesMapCompletely) {
    const struct {
        const char* file;
        Entity entity;
    } cases[] = {{"clients.csv", Entity::Customers},
                 {"produits.csv", Entity::Products},
                 {"ventes.csv", Entity::Sales},
                 {"stock.csv", Entity::Stock}};
    for (const auto& c : cases) {
        const Headers headers = fixture_headers(c.file);
        ASSERT_GT(headers.size(), 3u) << c.file;
        EXPECT_EQ(entity_of_file_name(c.file), c.entity);
        const auto m = map_headers(c.entity, headers);
        EXPECT_TRUE(m.missing_required.empty()) << c.file << ": " << m.missing_required.front();
        EXPECT_TRUE(m.unused_headers.empty()) << c.file << ": " << m.unused_headers.front();
    }
}

TEST(HeaderMapping, IsavigneVentesFieldByField) {
    const Headers headers = fixture_headers("ventes.csv");
    ASSERT_EQ(headers.front(), "N° Vente");
    const auto m = map_headers(Entity::Sales, headers);
    EXPECT_EQ(m.column_of_field, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    EXPECT_EQ(header_of(m, headers, "quantity"), "Qté");
    EXPECT_EQ(header_of(m, headers, "discount_pct"), "Remise %");
    EXPECT_EQ(m.column("no_such_field"), -1);
}

TEST(HeaderMapping, IsavigneOtherFilesFieldByField) {
    const Headers clients = fixture_headers("clients.csv");
    const auto c = map_headers(Entity::Customers, clients);
    EXPECT_EQ(header_of(c, clients, "source_id"), "Code client");
    EXPECT_EQ(header_of(c, clients, "phone"), "Tél.");
    EXPECT_EQ(header_of(c, clients, "segment"), "Catégorie");

    const Headers produits = fixture_headers("produits.csv");
    const auto p = map_headers(Entity::Products, produits);
    EXPECT_EQ(header_of(p, produits, "source_id"), "Réf.");
    EXPECT_EQ(header_of(p, produits, "volume"), "Contenance");
    EXPECT_EQ(header_of(p, produits, "region"), "<none>");
    EXPECT_EQ(header_of(p, produits, "cost_price"), "Prix achat HT");

    const Headers stock = fixture_headers("stock.csv");
    const auto s = map_headers(Entity::Stock, stock);
    EXPECT_EQ(header_of(s, stock, "quantity"), "Stock");
    EXPECT_EQ(header_of(s, stock, "counted_at"), "Date inventaire");
}

TEST(HeaderMapping, SpellingVariants) {
    const Headers upper = {"N° VENTE", "DATE", "CODE CLIENT", "REF", "QTE", "PRIX UNITAIRE HT", "MONTANT HT"};
    const auto u = map_headers(Entity::Sales, upper);
    EXPECT_TRUE(u.missing_required.empty());
    EXPECT_TRUE(u.unused_headers.empty());

    const Headers numbers = {"Numéro de commande", "Date de vente", "No client", "Num. article", "Code article",
                             "Quantité", "P.U. H.T.", "Montant HT (€)", "Remise (%)"};
    const auto n = map_headers(Entity::Sales, numbers);
    EXPECT_EQ(header_of(n, numbers, "order_id"), "Numéro de commande");
    EXPECT_EQ(header_of(n, numbers, "customer_id"), "No client");
    EXPECT_EQ(header_of(n, numbers, "product_id"), "Code article");
    EXPECT_EQ(header_of(n, numbers, "price_unit"), "P.U. H.T.");
    EXPECT_EQ(header_of(n, numbers, "price_total"), "Montant HT (€)");
    EXPECT_EQ(header_of(n, numbers, "discount_pct"), "Remise (%)");
    EXPECT_EQ(n.unused_headers, Headers{"Num. article"});

    const Headers glued = {"NumVente", "DateVente", "CodeClient", "RefArticle", "Qte"};
    EXPECT_TRUE(map_headers(Entity::Sales, glued).missing_required.empty());

    const Headers english = {"Order ID", "Order date", "Customer ID", "SKU", "Product name", "Quantity",
                             "Unit price", "Discount %", "Amount", "Channel"};
    const auto e = map_headers(Entity::Sales, english);
    EXPECT_TRUE(e.missing_required.empty());
    EXPECT_EQ(e.column_of_field, (std::vector<int>{0, 1, 2, 3, 4, 5, -1, 6, 7, 8, 9}));

    const Headers english_customers = {"customer_id", "First name", "Last name", "Email", "Phone", "Zip code",
                                       "City", "Country"};
    const auto ec = map_headers(Entity::Customers, english_customers);
    EXPECT_TRUE(ec.missing_required.empty());
    EXPECT_TRUE(ec.unused_headers.empty());
    EXPECT_EQ(header_of(ec, english_customers, "first_name"), "First name");
}

TEST(HeaderMapping, SpellingsListedForIsavigneMatch) {
    const struct {
        Entity entity;
        const char* field;
        std::vector<const char*> headers;
    } cases[] = {
        {Entity::Customers, "source_id", {"Code client", "N° client", "Client", "ID client", "Réf. client",
                                          "Numéro client", "customer_id"}},
        {Entity::Customers, "email", {"E-mail", "Email", "Courriel", "Mail", "Adresse e-mail"}},
        {Entity::Customers, "phone", {"Tél.", "Téléphone", "Tel", "Portable", "Mobile"}},
        {Entity::Customers, "created_at", {"Date création", "Date de création", "Créé le"}},
        {Entity::Products, "name", {"Désignation", "Libellé", "Produit", "Nom", "Article"}},
        {Entity::Products, "list_price", {"PU HT", "Prix HT", "Prix de vente HT", "Tarif", "Prix public HT"}},
        {Entity::Products, "cost_price", {"Prix achat HT", "PA HT", "Coût", "Prix de revient"}},
        {Entity::Products, "appellation", {"Appellation", "AOC", "AOP"}},
        {Entity::Sales, "order_id", {"N° Vente", "N° commande", "N° pièce", "N° facture", "Numéro de commande",
                                     "Commande", "Pièce", "N°Vente", "Nº vente", "No vente", "Num. vente", "# vente"}},
        {Entity::Sales, "date_sale", {"Date", "Date vente", "Date pièce", "Date commande", "Date facture"}},
        {Entity::Sales, "quantity", {"Qté", "Quantité", "Qte", "Nb"}},
        {Entity::Sales, "discount_pct", {"Remise %", "Remise", "% remise"}},
        {Entity::Sales, "channel", {"Canal", "Origine", "Canal de vente"}},
        {Entity::Stock, "warehouse", {"Entrepôt", "Dépôt", "Emplacement"}},
        {Entity::Stock, "quantity", {"Stock", "Quantité", "Qté", "Stock physique"}},
        {Entity::Stock, "reserved", {"Réservé", "Qté réservée"}},
    };
    for (const auto& c : cases)
        for (const char* header : c.headers)
            EXPECT_GE(map_headers(c.entity, {"Autre", header}).column(c.field), 1)
                << crm::entity_name(c.entity) << "." << c.field << ": " << header;
}

TEST(HeaderMapping, PreferredSynonymWinsAndEachHeaderIsUsedOnce) {
    // "Client" is a customer code only when no better code column exists.
    const Headers both = {"Client", "N° client", "Nom"};
    const auto m = map_headers(Entity::Customers, both);
    EXPECT_EQ(header_of(m, both, "source_id"), "N° client");
    EXPECT_EQ(m.unused_headers, Headers{"Client"});

    // Two columns of the same spelling: the first is taken, the second reported.
    const Headers twice = {"Réf.", "Désignation", "Stock", "Réf."};
    const auto t = map_headers(Entity::Stock, twice);
    EXPECT_EQ(t.column("product_id"), 0);
    EXPECT_EQ(t.unused_headers, Headers{"Réf."});
}

TEST(HeaderMapping, UnusedAndMissing) {
    const Headers headers = {"Réf.", "Couleur", "Degré", "", "  ", "Observations"};
    const auto m = map_headers(Entity::Products, headers);
    EXPECT_EQ(m.column_of_field.size(), crm::canonical_fields(Entity::Products).size());
    EXPECT_EQ(m.column("source_id"), 0);
    EXPECT_EQ(m.column("colour"), 1);
    EXPECT_EQ(m.unused_headers, (Headers{"Degré", "Observations"}));
    EXPECT_EQ(m.missing_required, Headers{"name"});

    const auto empty = map_headers(Entity::Sales, {});
    EXPECT_EQ(empty.missing_required,
              (Headers{"order_id", "date_sale", "customer_id", "product_id", "quantity"}));
    EXPECT_TRUE(empty.unused_headers.empty());
}

TEST(HeaderMapping, OverridesWin) {
    const Headers headers = {"N° Vente", "Date", "Client", "Réf.", "Qté", "Nb btl", "Date livraison"};
    const auto m = map_headers(Entity::Sales, headers, {{"quantity", "Nb btl"}, {"date_sale", "date LIVRAISON"}});
    EXPECT_EQ(header_of(m, headers, "quantity"), "Nb btl");
    EXPECT_EQ(header_of(m, headers, "date_sale"), "Date livraison");
    // The columns the synonyms would have taken are free, and reported.
    EXPECT_EQ(m.unused_headers, (Headers{"Date", "Qté"}));
    EXPECT_TRUE(m.missing_required.empty());

    // An override takes its header away from the synonyms of earlier fields.
    const auto taken = map_headers(Entity::Sales, headers, {{"product_name", "Client"}});
    EXPECT_EQ(header_of(taken, headers, "product_name"), "Client");
    EXPECT_EQ(taken.column("customer_id"), -1);
    EXPECT_EQ(taken.missing_required, Headers{"customer_id"});
}

TEST(HeaderMapping, OverrideErrors) {
    const Headers headers = {"N° Vente", "Date", "Qté"};
    auto unknown_field = error_of([&] { map_headers(Entity::Sales, headers, {{"qty", "Qté"}}); });
    EXPECT_STREQ(unknown_field.sqlstate(), "22023");
    EXPECT_NE(std::string(unknown_field.what()).find("unknown sales field \"qty\""), std::string::npos);
    EXPECT_NE(unknown_field.hint().find("order_id, date_sale, customer_id"), std::string::npos);

    auto no_header = error_of([&] { map_headers(Entity::Sales, headers, {{"quantity", "Nb btl"}}); });
    EXPECT_STREQ(no_header.sqlstate(), "22023");
    EXPECT_NE(std::string(no_header.what()).find("no header \"Nb btl\" (for sales.quantity)"), std::string::npos);
    EXPECT_EQ(no_header.detail(), "Headers of the file: \"N° Vente\", \"Date\", \"Qté\".");

    auto twice = error_of([&] { map_headers(Entity::Sales, headers, {{"quantity", "Qté"}, {"quantity", "Date"}}); });
    EXPECT_STREQ(twice.sqlstate(), "22023");
    EXPECT_NE(std::string(twice.what()).find("sales.quantity is mapped twice"), std::string::npos);

    auto shared = error_of([&] { map_headers(Entity::Sales, headers, {{"date_sale", "Date"}, {"order_id", "date"}}); });
    EXPECT_STREQ(shared.sqlstate(), "22023");
    EXPECT_NE(std::string(shared.what()).find("\"Date\" is mapped to two fields"), std::string::npos);

    auto blank = error_of([&] { map_headers(Entity::Sales, headers, {{"quantity", ""}}); });
    EXPECT_STREQ(blank.sqlstate(), "22023");
}

TEST(HeaderMappingJson, OverridesOfOneEntity) {
    const char* json = R"({"sales": {"quantity": "Nb btl", "channel": "Source"}, "customers": {"email": "Mél"}})";
    EXPECT_EQ(mapping_overrides(json, Entity::Sales), (Overrides{{"quantity", "Nb btl"}, {"channel", "Source"}}));
    EXPECT_EQ(mapping_overrides(json, Entity::Customers), (Overrides{{"email", "Mél"}}));
    EXPECT_TRUE(mapping_overrides(json, Entity::Stock).empty());
    EXPECT_TRUE(mapping_overrides("{}", Entity::Sales).empty());
    EXPECT_TRUE(mapping_overrides("null", Entity::Sales).empty());
    EXPECT_TRUE(mapping_overrides(R"({"stock": {}})", Entity::Stock).empty());
}

TEST(HeaderMappingJson, BadShapes) {
    auto message_of = [](const char* json) {
        const crm::Error e = error_of([&] { mapping_overrides(json, Entity::Sales); });
        EXPECT_STREQ(e.sqlstate(), "22023") << json;
        return std::string(e.what());
    };
    EXPECT_NE(message_of("").find("not valid JSON"), std::string::npos);
    EXPECT_NE(message_of("{\"sales\": ").find("not valid JSON"), std::string::npos);
    EXPECT_NE(message_of("[]").find("must be a JSON object"), std::string::npos);
    EXPECT_NE(message_of("\"sales\"").find("must be a JSON object"), std::string::npos);
    EXPECT_NE(message_of(R"({"ventes": {}})").find("unknown entity \"ventes\""), std::string::npos);
    EXPECT_NE(message_of(R"({"sales": ["Qté"]})").find("\"sales\" must be an object"), std::string::npos);
    EXPECT_NE(message_of(R"({"sales": {"quantity": 3}})").find("sales.quantity must be a string"),
              std::string::npos);
    EXPECT_NE(message_of(R"({"sales": {"quantity": null}})").find("must be a string"), std::string::npos);
    // A typo in another entity's part is reported too, with the valid fields.
    const crm::Error typo = error_of([] { mapping_overrides(R"({"customers": {"mail": "Mél"}})", Entity::Sales); });
    EXPECT_NE(std::string(typo.what()).find("unknown customers field \"mail\""), std::string::npos);
    EXPECT_NE(typo.hint().find("email"), std::string::npos);
}

TEST(HeaderMappingJson, FeedsMapHeaders) {
    const Headers headers = {"N° Vente", "Date", "Code client", "Réf.", "Btl vendues"};
    EXPECT_EQ(map_headers(Entity::Sales, headers).missing_required, Headers{"quantity"});
    const auto overrides = mapping_overrides(R"({"sales": {"quantity": "Btl vendues"}})", Entity::Sales);
    const auto m = map_headers(Entity::Sales, headers, overrides);
    EXPECT_TRUE(m.missing_required.empty());
    EXPECT_EQ(m.column("quantity"), 4);
}
