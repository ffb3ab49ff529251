#include <gtest/gtest.h>

#include <string>

#include "core/rfm.hpp"

TEST(RfmSegment, EveryCellOfTheMapHasItsName) {
    const char* expected[6][6] = {};
    for (int r = 1; r <= 5; ++r)
        for (int f = 1; f <= 5; ++f) expected[r][f] = crm::rfm_segment(r, f);
    EXPECT_STREQ(expected[5][5], "Champions");
    EXPECT_STREQ(expected[5][4], "Champions");
    EXPECT_STREQ(expected[4][5], "Loyal");
    EXPECT_STREQ(expected[3][4], "Loyal");
    EXPECT_STREQ(expected[5][2], "Potential loyalists");
    EXPECT_STREQ(expected[4][3], "Potential loyalists");
    EXPECT_STREQ(expected[5][1], "New");
    EXPECT_STREQ(expected[4][1], "Promising");
    EXPECT_STREQ(expected[3][3], "Need attention");
    EXPECT_STREQ(expected[3][1], "About to sleep");
    EXPECT_STREQ(expected[3][2], "About to sleep");
    EXPECT_STREQ(expected[2][3], "At risk");
    EXPECT_STREQ(expected[1][4], "At risk");
    EXPECT_STREQ(expected[1][5], "Can't lose them");
    EXPECT_STREQ(expected[2][5], "Can't lose them");
    EXPECT_STREQ(expected[1][1], "Hibernating");
    EXPECT_STREQ(expected[2][2], "Hibernating");
}

TEST(RfmScores, QuintilesSplitLikeNtileAndBandsUseFixedBounds) {
    // 7 customers: ntile(5) over 7 rows gives buckets of 2, 2, 1, 1, 1.
    std::vector<crm::RfmInput> c{{400, 1, 50},   {200, 1, 150}, {100, 2, 300}, {60, 3, 600},
                                 {20, 5, 1200}, {10, 12, 2500}, {5, 1, 80}};
    auto s = crm::rfm_scores(c, crm::RfmBands{}, false);
    // Recency, most recent highest: order by days descending = 400, 200 | 100, 60 | 20 | 10 | 5.
    EXPECT_EQ(s[0].r, 1);
    EXPECT_EQ(s[1].r, 1);
    EXPECT_EQ(s[2].r, 2);
    EXPECT_EQ(s[3].r, 2);
    EXPECT_EQ(s[4].r, 3);
    EXPECT_EQ(s[5].r, 4);
    EXPECT_EQ(s[6].r, 5);
    // Frequency with ties: 1, 1, 1 (input order), 2, 3, 5, 12.
    EXPECT_EQ(s[0].f, 1);
    EXPECT_EQ(s[1].f, 1);
    EXPECT_EQ(s[6].f, 2);
    EXPECT_EQ(s[5].f, 5);
    // Fixed bands.
    EXPECT_EQ(s[6].r_band, 5);  // 5 days
    EXPECT_EQ(s[3].r_band, 4);  // 60 days
    EXPECT_EQ(s[0].r_band, 1);  // 400 days
    EXPECT_EQ(s[5].f_band, 5);  // 12 orders
    EXPECT_EQ(s[4].f_band, 4);  // 5 orders
    EXPECT_EQ(s[0].f_band, 1);
    EXPECT_EQ(s[5].m_band, 5);  // 2500 €
    EXPECT_EQ(s[0].m_band, 1);  // 50 €
    EXPECT_STREQ(s[5].segment, crm::rfm_segment(s[5].r, s[5].f));
    auto by_bands = crm::rfm_scores(c, crm::RfmBands{}, true);
    EXPECT_STREQ(by_bands[5].segment, "Champions");  // 10 days, 12 orders
    EXPECT_STREQ(by_bands[6].segment, "New");        // 5 days, 1 order
    EXPECT_STREQ(by_bands[0].segment, "Hibernating");
}

TEST(RfmScores, EmptyAndSmallInputs) {
    EXPECT_TRUE(crm::rfm_scores({}, crm::RfmBands{}, false).empty());
    auto one = crm::rfm_scores({{3, 1, 10}}, crm::RfmBands{}, false);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].r, 1);  // ntile(5) over one row: bucket 1
}
