#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"

TEST(Error, LocatedMessageNamesFileLineAndColumn) {
    crm::Location where{"/data/exports/ventes.csv", 1832, 1830, "quantite"};
    crm::ParseError e(where, "invalid number \"12,5,0\"");
    EXPECT_STREQ(e.what(), "ventes.csv line 1832 (record 1830), column \"quantite\": invalid number \"12,5,0\"");
    EXPECT_STREQ(e.sqlstate(), "22P02");
}

TEST(Error, MessageWithoutLocationIsLeftAlone) {
    crm::ParseError e(crm::Location{}, "empty input");
    EXPECT_STREQ(e.what(), "empty input");
}

namespace {
bool g_cancel = false;
bool probe() noexcept { return g_cancel; }
}  // namespace

TEST(Interrupt, TickerThrowsCancelledOnlyWhenProbeFires) {
    crm::set_interrupt_probe(&probe);
    crm::InterruptTicker ticker(10);
    g_cancel = false;
    for (int i = 0; i < 100; ++i) ticker.tick();
    g_cancel = true;
    int ticks = 0;
    EXPECT_THROW(
        {
            for (;; ++ticks) ticker.tick();
        },
        crm::Cancelled);
    EXPECT_LT(ticks, 10);
    crm::set_interrupt_probe(nullptr);
    EXPECT_FALSE(crm::interrupt_pending());
}
