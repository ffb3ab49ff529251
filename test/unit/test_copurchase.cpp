#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "core/copurchase.hpp"

namespace {

using Lines = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

const crm::Affinity* find(const crm::CopurchaseResult& r, std::uint32_t a, std::uint32_t b) {
    for (const auto& x : r.affinities)
        if (x.a == a && x.b == b) return &x;
    return nullptr;
}

}  // namespace

TEST(Copurchase, CountsAndMeasuresOfAPair) {
    // 4 baskets: {0,1}, {0,1,2}, {0,2}, {1}; item 0 bought twice in basket 0 counts once.
    Lines lines{{0, 0}, {0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 2}, {3, 1}};
    crm::CopurchaseResult r = crm::copurchase(lines, 4, 3, 1);
    EXPECT_EQ(r.baskets, 4u);
    EXPECT_EQ(r.pairs, 3u);  // 0-1, 0-2, 1-2
    const crm::Affinity* ab = find(r, 0, 1);
    ASSERT_NE(ab, nullptr);
    EXPECT_EQ(ab->n_ab, 2u);
    EXPECT_EQ(ab->n_a, 3u);
    EXPECT_EQ(ab->n_b, 3u);
    EXPECT_DOUBLE_EQ(ab->support, 0.5);
    EXPECT_DOUBLE_EQ(ab->confidence, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(ab->lift, 4.0 * 2 / 9);
    EXPECT_DOUBLE_EQ(ab->cosine, 2.0 / 3.0);
    const crm::Affinity* ba = find(r, 1, 0);
    ASSERT_NE(ba, nullptr);
    EXPECT_DOUBLE_EQ(ba->confidence, 2.0 / 3.0);
}

TEST(Copurchase, MinimumCountDropsRarePairsButTheyStillCount) {
    Lines lines{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 1}, {2, 2}};
    crm::CopurchaseResult r = crm::copurchase(lines, 3, 3, 2);
    EXPECT_EQ(r.pairs, 2u);
    EXPECT_NE(find(r, 0, 1), nullptr);
    EXPECT_EQ(find(r, 1, 2), nullptr);  // together once only
}

TEST(Copurchase, AgreesWithANaivePairCountOnRandomBaskets) {
    std::mt19937 rng(42);
    Lines lines;
    for (std::uint32_t basket = 0; basket < 300; ++basket)
        for (int k = 0; k < 1 + static_cast<int>(rng() % 8); ++k) lines.emplace_back(basket, rng() % 40);
    std::map<std::uint32_t, std::set<std::uint32_t>> baskets;
    for (auto [b, i] : lines) baskets[b].insert(i);
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> naive;
    for (auto& [b, items] : baskets)
        for (auto x : items)
            for (auto y : items)
                if (x < y) ++naive[{x, y}];
    crm::CopurchaseResult r = crm::copurchase(lines, 300, 40, 1);
    EXPECT_EQ(r.pairs, naive.size());
    EXPECT_EQ(r.affinities.size(), 2 * naive.size());
    for (auto& [pair, n] : naive) {
        const crm::Affinity* x = find(r, pair.first, pair.second);
        ASSERT_NE(x, nullptr);
        EXPECT_EQ(x->n_ab, n);
    }
}

TEST(Copurchase, TopPartnersKeepsTheBestLiftPerItem) {
    // Item 0 is with 1 (lift 3), 2 (lift 3, more baskets), 3 (lift 1); item 1 with 0 only.
    std::vector<crm::Affinity> all = {
        {0, 3, 5, 10, 10, 0, 0, 1.0, 0}, {0, 1, 2, 10, 10, 0, 0, 3.0, 0}, {1, 0, 2, 10, 10, 0, 0, 3.0, 0},
        {0, 2, 4, 10, 10, 0, 0, 3.0, 0}};
    std::vector<crm::Affinity> top = all;
    crm::keep_top_partners(top, 2);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0].a, 0u);
    EXPECT_EQ(top[0].b, 2u);  // same lift as 1, more baskets together
    EXPECT_EQ(top[1].b, 1u);
    EXPECT_EQ(top[2].a, 1u);
    std::vector<crm::Affinity> every = all;
    crm::keep_top_partners(every, 0);
    ASSERT_EQ(every.size(), 4u);
    EXPECT_EQ(every[2].b, 3u);  // sorted, nothing dropped
}
