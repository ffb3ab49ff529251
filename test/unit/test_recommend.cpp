#include <gtest/gtest.h>

#include <cmath>

#include "core/recommend.hpp"

using namespace crm::reco;

namespace {

// Five products, each its own cuvée, in stock, priced 20 € per 75 cl.
Catalog five_products() {
    Catalog c;
    for (std::uint32_t i = 0; i < 5; ++i) c.products.push_back({i, true, 100, 20});
    c.partners.resize(5);
    return c;
}

Customer bought(std::uint32_t product, std::int32_t days_ago = 30) {
    Customer customer;
    customer.purchases.push_back({product, days_ago, 120, 6});  // 20 € per 75 cl
    return customer;
}

}  // namespace

TEST(Recommend, ShrinkagePullsSmallCountsTowardsTheBaseRate) {
    // 3 of 3 baskets is not as sure as 300 of 300.
    EXPECT_LT(shrunk_confidence(3, 3, 50, 100, 10), shrunk_confidence(300, 300, 5000, 10000, 10));
    EXPECT_DOUBLE_EQ(shrunk_confidence(0, 0, 50, 100, 10), 0.5);  // nothing known: the base rate
    EXPECT_DOUBLE_EQ(shrunk_confidence(10, 20, 50, 100, 0), 0.5);  // no shrinkage: confidence
}

TEST(Recommend, RanksPartnersByWeightedSimilarityAndExplains) {
    Catalog c = five_products();
    c.partners[0] = {{1, 14, 3.2, 0.4}, {2, 5, 1.5, 0.1}};
    Recommender r(c, Settings{});
    auto out = r.recommend(bought(0), 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].product, 1u);
    EXPECT_EQ(out[0].why, Why::CoPurchase);
    EXPECT_EQ(out[0].because, 0u);
    EXPECT_EQ(out[0].count, 14u);
    EXPECT_DOUBLE_EQ(out[0].lift, 3.2);
    EXPECT_NEAR(out[0].score, 0.4 * std::pow(0.5, 30.0 / 365), 1e-12);
    EXPECT_EQ(out[1].product, 2u);
}

TEST(Recommend, OutOfStockInactiveAndRejectedAreNeverProposed) {
    Catalog c = five_products();
    c.partners[0] = {{1, 9, 2, 0.5}, {2, 9, 2, 0.4}, {3, 9, 2, 0.3}, {4, 9, 2, 0.2}};
    c.products[1].stock_75cl = 5;           // below the default 6
    c.products[2].active = false;
    c.products[3].stock_75cl = kUnknown;    // no stock line: not proven available
    Customer customer = bought(0);
    customer.excluded = {4};                // "bad" feedback
    Recommender r(c, Settings{});
    EXPECT_TRUE(r.recommend(customer, 1).empty());
    // The scratch state does not leak into the next customer.
    Customer other = bought(0);
    c.products[3].stock_75cl = 6;
    auto out = r.recommend(other, 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].product, 3u);
    EXPECT_EQ(out[1].product, 4u);
}

TEST(Recommend, PriceBandAroundTheCustomersMedian) {
    Catalog c = five_products();
    c.partners[0] = {{1, 9, 2, 0.5}, {2, 9, 2, 0.4}, {3, 9, 2, 0.3}};
    c.products[1].price_per_75cl = 41;  // above 2 x 20
    c.products[2].price_per_75cl = 9;   // below 20 / 2
    c.products[3].price_per_75cl = kUnknown;
    Recommender r(c, Settings{});
    auto out = r.recommend(bought(0), 1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].product, 3u);
    Settings no_band;
    no_band.price_band_factor = 0;
    EXPECT_EQ(Recommender(c, no_band).recommend(bought(0), 1).size(), 3u);
}

TEST(Recommend, OnePerCuveeAndNoRecentCuveeAgain) {
    Catalog c = five_products();
    c.products[2].family = 1;  // 1 and 2: two vintages of one cuvée
    c.products[3].family = 0;  // 3: another vintage of what the customer bought
    c.partners[0] = {{1, 9, 2, 0.5}, {2, 9, 2, 0.4}, {3, 9, 2, 0.3}, {4, 9, 2, 0.2}};
    Recommender r(c, Settings{});
    auto out = r.recommend(bought(0, 30), 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].product, 1u);
    EXPECT_EQ(out[1].product, 4u);
    // Bought long enough ago, the cuvée is proposed again (wine is re-bought).
    out = r.recommend(bought(0, 400), 1);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1].product, 3u);
    Settings never;
    never.repurchase_after_days = -1;
    EXPECT_EQ(Recommender(c, never).recommend(bought(0, 4000), 1).size(), 2u);
}

TEST(Recommend, RecentPurchasesWeighMore) {
    Catalog c = five_products();
    c.partners[0] = {{2, 9, 2, 0.5}};
    c.partners[1] = {{3, 9, 2, 0.5}};
    Customer customer;
    customer.purchases = {{0, 700, 120, 6}, {1, 10, 120, 6}};
    auto out = Recommender(c, Settings{}).recommend(customer, 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].product, 3u);
    EXPECT_EQ(out[0].because, 1u);
}

TEST(Recommend, SegmentBestsellersFillTheList) {
    Catalog c = five_products();
    c.partners[0] = {{1, 9, 2, 0.5}};
    c.bestsellers = {{{1, 40}, {0, 30}, {3, 20}, {4, 10}}};
    Customer customer = bought(0, 30);
    customer.segment = 0;
    Settings two;
    two.top_n = 3;
    auto out = Recommender(c, two).recommend(customer, 100);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].product, 1u);  // co-purchase first
    EXPECT_EQ(out[1].product, 3u);  // 1 already chosen, 0 bought 30 days ago
    EXPECT_EQ(out[1].why, Why::SegmentBestseller);
    EXPECT_EQ(out[1].count, 20u);
    EXPECT_DOUBLE_EQ(out[1].score, 0.2);
    EXPECT_EQ(out[2].product, 4u);
    two.segment_fallback = false;
    EXPECT_EQ(Recommender(c, two).recommend(customer, 100).size(), 1u);
}

TEST(Recommend, PairsBelowMinLiftAreIgnoredAndTiesGoToTheLowerProduct) {
    Catalog c = five_products();
    c.partners[0] = {{4, 9, 0.8, 0.9}, {3, 9, 2, 0.3}, {2, 9, 2, 0.3}};
    auto out = Recommender(c, Settings{}).recommend(bought(0), 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].product, 2u);
    EXPECT_EQ(out[1].product, 3u);
}

TEST(Recommend, NoHistoryNoRecommendation) {
    Catalog c = five_products();
    c.bestsellers = {{{1, 40}}};
    Customer nobody;
    nobody.segment = 0;
    EXPECT_TRUE(Recommender(c, Settings{}).recommend(nobody, 10).empty());
}

TEST(Recommend, FrenchReasons) {
    EXPECT_EQ(copurchase_reason("Riesling Grand Cru 2019", 14, 3.21, false),
              "souvent acheté avec Riesling Grand Cru 2019 (14 clients, lift 3,2)");
    EXPECT_EQ(copurchase_reason("Chablis", 1, 12.0, true), "souvent acheté avec Chablis (1 commande, lift 12,0)");
    EXPECT_EQ(bestseller_reason("Champions", 120), "meilleure vente de votre segment (Champions, 120 clients)");
    EXPECT_EQ(bestseller_reason("At risk", 1), "meilleure vente de votre segment (À risque, 1 client)");
    EXPECT_EQ(segment_label_fr("Something else"), "Something else");
}

TEST(Recommend, FindsDistinctCuveesBeyondTheFirstCandidatesSorted) {
    // Twelve candidates, the eight best all vintages of one cuvée: the list
    // still reaches the ninth, whatever part of the candidates is sorted first.
    Catalog c;
    for (std::uint32_t i = 0; i < 13; ++i) c.products.push_back({i >= 1 && i <= 8 ? 1u : i + 2, true, 100, 20});
    c.partners.resize(13);
    for (std::uint32_t j = 1; j <= 12; ++j) c.partners[0].push_back({j, 9, 2, 1.0 / j});
    Settings two;
    two.top_n = 2;
    auto out = Recommender(c, two).recommend(bought(0), 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].product, 1u);
    EXPECT_EQ(out[1].product, 9u);
}
