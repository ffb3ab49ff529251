#include <gtest/gtest.h>

#include "core/cuvee_family.hpp"

using crm::cuvee_family;

TEST(CuveeFamily, VintagesAndFormatsOfOneCuveeMeet) {
    const std::string riesling = cuvee_family("Riesling Grand Cru 2019");
    EXPECT_EQ(riesling, "riesling grand cru");
    EXPECT_EQ(cuvee_family("RIESLING Grand Cru 2021 Magnum"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2020 - 75cl"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2018 37,5 cl"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2018 caisse 6x75cl"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru NM 1,5 L"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2007 - Carton de 12"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2009 - CT6"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2007 - Coffret 3 bouteilles"), riesling);
    EXPECT_EQ(cuvee_family("Riesling Grand Cru 2008 - Jéroboam 3L"), riesling);
}

TEST(CuveeFamily, DifferentCuveesStayApart) {
    EXPECT_NE(cuvee_family("Riesling Grand Cru 2019"), cuvee_family("Riesling Réserve 2019"));
    EXPECT_EQ(cuvee_family("Château Margaux 1er Grand Cru Classé 2015"), "chateau margaux 1er grand cru classe");
    // A number that is part of the name, not a volume, stays.
    EXPECT_EQ(cuvee_family("Cuvée 1789"), "cuvee 1789");
    EXPECT_EQ(cuvee_family("Clos 25 Rouge 2020"), "clos 25 rouge");
}

TEST(CuveeFamily, NameMadeOnlyOfFormatKeepsItsKey) {
    EXPECT_EQ(cuvee_family("Magnum 2019"), "magnum 2019");
    EXPECT_EQ(cuvee_family(""), "");
}
