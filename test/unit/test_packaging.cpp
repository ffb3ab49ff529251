#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "core/packaging.hpp"

using crm::parse_packaging;

namespace {
double factor(const std::string& label) {
    auto r = parse_packaging(label);
    return r.value ? r.value->bottles_75cl : -1;
}
}  // namespace

TEST(Packaging, FixtureAllLabels) {
    std::ifstream in(std::string(CRM_FIXTURES) + "/packaging_labels.tsv");
    ASSERT_TRUE(in.good());
    std::string line;
    int total = 0, ok = 0;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '#') continue;
        auto tab = line.rfind('\t');
        if (tab == std::string::npos) continue;
        std::string label = line.substr(0, tab), expected = line.substr(tab + 1);
        ++total;
        auto r = parse_packaging(label);
        if (expected == "NULL") {
            EXPECT_FALSE(r.value.has_value()) << "\"" << label << "\" gave " << (r.value ? r.value->rule : "");
            if (!r.value) {
                EXPECT_FALSE(r.reason.empty()) << label;
                ++ok;
            }
        } else {
            double want = std::stod(expected);
            ASSERT_TRUE(r.value.has_value()) << "\"" << label << "\": " << r.reason;
            EXPECT_NEAR(r.value->bottles_75cl, want, 1e-4) << "\"" << label << "\" rule " << r.value->rule;
            if (std::fabs(r.value->bottles_75cl - want) < 1e-4) ++ok;
        }
    }
    EXPECT_GE(total, 150);
    EXPECT_EQ(ok, total);
}

TEST(Packaging, RuleTexts) {
    EXPECT_EQ(parse_packaging("6x75cl").value->rule, "pack 6x75cl");
    EXPECT_EQ(parse_packaging("magnum").value->rule, "magnum 150cl");
    EXPECT_EQ(parse_packaging("37,5cl").value->rule, "volume 37.5cl");
    EXPECT_EQ(parse_packaging("BIB 3L").value->rule, "bag-in-box 300cl");
    EXPECT_EQ(parse_packaging("caisse 6").value->rule, "pack 6x75cl");
    EXPECT_EQ(parse_packaging("carton 6 magnums").value->rule, "pack 6x150cl (magnum)");
    EXPECT_NE(parse_packaging("jéroboam").value->rule.find("450"), std::string::npos);
}

TEST(Packaging, Fields) {
    auto r = parse_packaging("carton de 12 x 37,5 cl");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->units, 12);
    EXPECT_DOUBLE_EQ(r.value->volume_cl, 37.5);
    EXPECT_DOUBLE_EQ(r.value->bottles_75cl, 6);
}

TEST(Packaging, VolumeWinsOverName) {
    EXPECT_DOUBLE_EQ(factor("jéroboam 4,5L"), 6);
    EXPECT_DOUBLE_EQ(factor("bouteille 50cl"), 50.0 / 75);
}

TEST(Packaging, UnknownIsNotOneBottle) {
    auto r = parse_packaging("xyz");
    EXPECT_FALSE(r.value);
    EXPECT_EQ(r.reason, "no volume, bottle format or pack size recognised in \"xyz\"");
    EXPECT_FALSE(parse_packaging("carton").value);
    EXPECT_NE(parse_packaging("BIB").reason.find("bag-in-box"), std::string::npos);
}

TEST(Packaging, GarbageNeverCrashes) {
    EXPECT_FALSE(parse_packaging(std::string("\0\0\0", 3)).value);
    EXPECT_DOUBLE_EQ(factor(std::string("6x\0" "75cl", 7)), 6);  // NUL is a separator
    EXPECT_FALSE(parse_packaging("\xFF\xFE\xC3").value);
    EXPECT_FALSE(parse_packaging("99999999999999999999999 l").value);
    EXPECT_FALSE(parse_packaging("100000 x 75cl").value);
    std::string big(1 << 20, 'a');
    EXPECT_FALSE(parse_packaging(big).value);
    std::string many;
    for (int i = 0; i < 50000; ++i) many += "6 x ";
    many += "75cl";
    EXPECT_FALSE(parse_packaging(many).value);  // pack size overflow is reported, not wrapped
}

TEST(Packaging, PackOfOneWithoutName) {
    auto r = parse_packaging("lot de 1");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->rule, "pack 1x75cl");
    EXPECT_DOUBLE_EQ(r.value->bottles_75cl, 1);
    EXPECT_TRUE(parse_packaging("x1").value);
}
