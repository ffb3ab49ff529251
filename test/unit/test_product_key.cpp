#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/product_key.hpp"

using crm::product_key;

TEST(ProductKey, CodeWins) {
    EXPECT_EQ(product_key("MAR-2015 75", "Château Margaux", "2015", 75), "p-mar-2015-75");
    EXPECT_EQ(product_key("  abc123 ", "", "", 0), "p-abc123");
    EXPECT_EQ(product_key("Réf É1", "x", "", 0), "p-ref-e1");
}

TEST(ProductKey, FromNameVintageVolume) {
    EXPECT_EQ(product_key("", "Château Margaux", "2015", 75), "n-chateau-margaux-2015-75");
    EXPECT_EQ(product_key("", "Château d'Yquem", "NV", 37.5), "n-chateau-d-yquem-nv-38");
    EXPECT_EQ(product_key("", "Château d'Yquem", "", 0), "n-chateau-d-yquem-nv-x");
    EXPECT_EQ(product_key("", "Krug", "millésime 2008", 150), "n-krug-2008-150");
    EXPECT_EQ(product_key("", "Krug", "08", 150), "n-krug-nv-150");
    EXPECT_EQ(product_key("   ", "Krug", "2008", -1), "n-krug-2008-x");
    EXPECT_EQ(product_key("", "Krug", "2008", std::nan("")), "n-krug-2008-x");
    EXPECT_EQ(product_key("", "Krug", "2008", std::numeric_limits<double>::infinity()), "n-krug-2008-x");
}

TEST(ProductKey, StableUnderAccentsAndCase) {
    EXPECT_EQ(product_key("", "CHATEAU MARGAUX", "2015", 75), product_key("", "Château Margaux", "2015", 75));
    EXPECT_EQ(product_key("", "Côte-Rôtie La Landonne", "2019", 75),
              product_key("", "cote rotie  la landonne", "2019", 75.0));
    EXPECT_EQ(product_key("", "SARL Vins Martin", "2019", 75), product_key("", "Vins Martin SARL", "2019", 75));
}

TEST(ProductKey, EmptyAndGarbage) {
    EXPECT_EQ(product_key("", "", "", 0), "");
    EXPECT_EQ(product_key("--", "...", "2019", 75), "");
    EXPECT_EQ(product_key(std::string("\0\xFF", 2), std::string("a\0b", 3), "2019", 75), "n-a-b-2019-75");
}
