#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/zscore.hpp"

TEST(Zscore, PopulationStdByDefaultSampleOnRequest) {
    std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, population std 2
    crm::ZStats pop = crm::zscore_stats(v, false);
    ASSERT_TRUE(pop.valid);
    EXPECT_DOUBLE_EQ(pop.centre, 5);
    EXPECT_DOUBLE_EQ(pop.scale, 2);
    EXPECT_DOUBLE_EQ(pop.z(9), 2);
    crm::ZStats sample = crm::zscore_stats(v, true);
    EXPECT_NEAR(sample.scale, std::sqrt(32.0 / 7.0), 1e-15);
}

TEST(Zscore, TooFewValuesOrNoSpreadHaveNoZscore) {
    EXPECT_FALSE(crm::zscore_stats({1, 2}, false).valid);
    EXPECT_FALSE(crm::zscore_stats({3, 3, 3, 3}, false).valid);
    std::vector<double> same{4, 4, 4};
    EXPECT_FALSE(crm::robust_zscore_stats(same).valid);
}

TEST(Zscore, RobustUsesMedianAndMad) {
    std::vector<double> v{1, 2, 3, 4, 100};  // median 3, deviations 2 1 0 1 97 -> MAD 1
    crm::ZStats r = crm::robust_zscore_stats(v);
    ASSERT_TRUE(r.valid);
    EXPECT_DOUBLE_EQ(r.centre, 3);
    EXPECT_NEAR(r.z(100), 0.6745 * 97, 1e-12);
    std::vector<double> even{1, 2, 4, 10};  // median 3; deviations 2 1 1 7 -> MAD 1.5
    crm::ZStats e = crm::robust_zscore_stats(even);
    EXPECT_DOUBLE_EQ(e.centre, 3);
    EXPECT_NEAR(e.z(10), 0.6745 * 7 / 1.5, 1e-12);
}

TEST(Zscore, LargeOffsetsKeepPrecision) {
    // A naive sum-of-squares formula loses every digit here; two passes do not.
    std::vector<double> v{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    crm::ZStats s = crm::zscore_stats(v, false);
    EXPECT_NEAR(s.scale, std::sqrt(22.5), 1e-9);
}
