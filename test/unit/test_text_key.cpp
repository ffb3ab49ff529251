#include <gtest/gtest.h>

#include <string>

#include "core/text_key.hpp"

using crm::normalize_column_name;
using crm::normalize_key;

TEST(NormalizeKey, Basics) {
    EXPECT_EQ(normalize_key("  Château   d'Yquem  "), "chateau d yquem");
    EXPECT_EQ(normalize_key("Château d\u2019Yquem"), "chateau d yquem");
    EXPECT_EQ(normalize_key("CÔTE-RÔTIE"), "cote rotie");
    EXPECT_EQ(normalize_key("Hélène\tDUPRÉ"), "helene dupre");
    EXPECT_EQ(normalize_key("Bouchard Père & Fils"), "bouchard pere et fils");
    EXPECT_EQ(normalize_key("A&B"), "a et b");
    EXPECT_EQ(normalize_key("...,;!"), "");
    EXPECT_EQ(normalize_key(""), "");
    EXPECT_EQ(normalize_key("Cuvée n°3"), "cuvee n 3");
    EXPECT_EQ(normalize_key("Lætitia Œuvre"), "laetitia oeuvre");
}

TEST(NormalizeKey, SaintAbbreviations) {
    EXPECT_EQ(normalize_key("St-Émilion"), "saint emilion");
    EXPECT_EQ(normalize_key("St. Julien"), "saint julien");
    EXPECT_EQ(normalize_key("Ste Croix du Mont"), "sainte croix du mont");
    EXPECT_EQ(normalize_key("Ste.-Marie"), "sainte marie");
    EXPECT_EQ(normalize_key("Saint-Émilion"), normalize_key("St Emilion"));
    EXPECT_EQ(normalize_key("Stella Steve"), "stella steve");  // whole words only
}

TEST(NormalizeKey, LegalFormsMoveToTheEnd) {
    EXPECT_EQ(normalize_key("Domaine Dupont SARL"), "domaine dupont sarl");
    EXPECT_EQ(normalize_key("SARL Domaine Dupont"), "domaine dupont sarl");
    EXPECT_EQ(normalize_key("S.A.R.L. Domaine Dupont"), "domaine dupont sarl");
    EXPECT_EQ(normalize_key("EARL du Moulin"), "du moulin earl");
    EXPECT_EQ(normalize_key("SCEA Château Martin GAEC"), "chateau martin gaec scea");
    EXPECT_EQ(normalize_key("GAEC SCEA Château Martin"), "chateau martin gaec scea");
    EXPECT_EQ(normalize_key("Vins SAS"), "vins sas");
    EXPECT_EQ(normalize_key("SASU Vins"), "vins sasu");
    EXPECT_EQ(normalize_key("SA Vins SA"), "vins sa");
    EXPECT_EQ(normalize_key("SCI Les Vignes, EURL"), "les vignes eurl sci");
    EXPECT_EQ(normalize_key("snc martin"), "martin snc");
    EXPECT_EQ(normalize_key("Sarlat"), "sarlat");  // not a whole-word legal form
}

TEST(NormalizeKey, UnicodeLowerCaseOutsideLatin) {
    EXPECT_EQ(normalize_key("ΕΛΛΆΔΑ Wine"), "ελλάδα wine");
    EXPECT_EQ(normalize_key("МОСКВА"), "москва");
    EXPECT_EQ(normalize_key("東京 ワイン"), "東京 ワイン");
}

TEST(NormalizeKey, InvalidUtf8AndNul) {
    EXPECT_EQ(normalize_key(std::string("ab\xFF" "cd", 5)), "ab cd");
    EXPECT_EQ(normalize_key(std::string("ab\0cd", 5)), "ab cd");
    EXPECT_EQ(normalize_key("\xC3"), "");
}

TEST(NormalizeKey, AccentAndCaseInsensitive) {
    EXPECT_EQ(normalize_key("Gevrey-Chambertin 1er Cru"), normalize_key("GEVREY CHAMBERTIN 1ER CRU"));
    EXPECT_EQ(normalize_key("Pouilly-Fumé"), normalize_key("pouilly fume"));
}

TEST(NormalizeKey, VeryLongInput) {
    std::string big;
    for (int i = 0; i < 100000; ++i) big += "Élan, ";
    std::string k = normalize_key(big);
    EXPECT_EQ(k.size(), 100000u * 5 - 1);
}

TEST(NormalizeColumnName, Examples) {
    EXPECT_EQ(normalize_column_name("Code Client"), "code_client");
    EXPECT_EQ(normalize_column_name("CODE_CLIENT"), "code_client");
    EXPECT_EQ(normalize_column_name(" code client "), "code_client");
    EXPECT_EQ(normalize_column_name("Quantité"), "quantite");
    EXPECT_EQ(normalize_column_name("N° Vente"), "n_vente");
    EXPECT_EQ(normalize_column_name("Nº Vente"), "n_vente");
    EXPECT_EQ(normalize_column_name("N°Vente"), "n_vente");
    EXPECT_EQ(normalize_column_name("Qté"), "qte");
    EXPECT_EQ(normalize_column_name("Prix U. HT (€)"), "prix_u_ht_eur");
    EXPECT_EQ(normalize_column_name("Remise %"), "remise_pct");
    EXPECT_EQ(normalize_column_name("Commande #"), "commande_num");
    EXPECT_EQ(normalize_column_name("Vins & Spiritueux"), "vins_et_spiritueux");
    EXPECT_EQ(normalize_column_name("E-mail"), "e_mail");
    EXPECT_EQ(normalize_column_name("Tél."), "tel");
    EXPECT_EQ(normalize_column_name("2024 CA"), "2024_ca");
    EXPECT_EQ(normalize_column_name("Nom d'usage"), "nom_d_usage");
    EXPECT_EQ(normalize_column_name("__a__b__"), "a_b");
    EXPECT_EQ(normalize_column_name("Température (°C)"), "temperature_c");
}

TEST(NormalizeColumnName, EmptyAndGarbage) {
    EXPECT_EQ(normalize_column_name(""), "");
    EXPECT_EQ(normalize_column_name("   "), "");
    EXPECT_EQ(normalize_column_name("(-)"), "");
    EXPECT_EQ(normalize_column_name("\xFF\xFE"), "");
    EXPECT_EQ(normalize_column_name(std::string("a\0b", 3)), "a_b");
}

TEST(NormalizeKey, StrayBytesNeverFormCharacters) {
    // 0xCC alone, then a valid U+0303, then 0x83 alone: the key must not glue 0xCC 0x83.
    const std::string in = "a \xCC\xCC\x83\x83 b";
    const std::string k = normalize_key(in);
    EXPECT_EQ(k, "a b");
    EXPECT_EQ(normalize_key(k), k);
    EXPECT_EQ(normalize_key("\xE2\x84\xAB"), "a");  // Angstrom sign lowers to a Latin letter
}
