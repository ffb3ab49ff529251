#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cron_schedule.hpp"
#include "core/error.hpp"

namespace {

using crm::CronSchedule;
using crm::WallClock;

const std::vector<int> kParis = {60, 120};  // CET, CEST

std::string error_of(const std::string& expression) {
    try {
        crm::parse_cron(expression);
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "22023");
        return e.what();
    }
    return "no error";
}

std::string gmt(const std::string& expression, const std::vector<int>& offsets = kParis) {
    return crm::gmt_superset(crm::parse_cron(expression), offsets);
}

TEST(CronParse, FieldsRangesStepsListsAndNames) {
    CronSchedule s = crm::parse_cron("*/15 9-17/4 1,15 jan-mar MON-fri");
    EXPECT_EQ(s.minutes.count(), 4u);
    EXPECT_TRUE(s.minutes[0] && s.minutes[15] && s.minutes[30] && s.minutes[45]);
    EXPECT_EQ(s.hours.count(), 3u);
    EXPECT_TRUE(s.hours[9] && s.hours[13] && s.hours[17]);
    EXPECT_EQ(s.days.count(), 2u);
    EXPECT_TRUE(s.days[1] && s.days[15]);
    EXPECT_EQ(s.months.count(), 3u);
    EXPECT_TRUE(s.months[1] && s.months[3]);
    EXPECT_EQ(s.weekdays.count(), 5u);
    EXPECT_FALSE(s.weekdays[0]);
    EXPECT_TRUE(s.minute_star);
    EXPECT_FALSE(s.hour_star);
    EXPECT_FALSE(s.day_star);
    EXPECT_FALSE(s.weekday_star);
}

TEST(CronParse, SundayIsZeroOrSeven) {
    EXPECT_TRUE(crm::parse_cron("0 0 * * 7").weekdays[0]);
    EXPECT_EQ(crm::parse_cron("0 0 * * 5-7").weekdays.count(), 3u);
}

TEST(CronParse, ShortcutsAndBlanks) {
    EXPECT_EQ(gmt("@daily", {0}), "0 0 * * *");
    EXPECT_EQ(gmt("@hourly", {0}), "0 * * * *");
    EXPECT_EQ(gmt("@weekly", {0}), "0 0 * * 0");
    EXPECT_EQ(gmt("@monthly", {0}), "0 0 1 * *");
    EXPECT_EQ(gmt("@yearly", {0}), "0 0 1 1 *");
    EXPECT_EQ(gmt("  0\t9  * * *  ", {0}), "0 9 * * *");
}

TEST(CronParse, ErrorsNameTheFieldAndValue) {
    EXPECT_NE(error_of("0 25 * * *").find("hour \"25\" is out of range 0-23"), std::string::npos);
    EXPECT_NE(error_of("60 * * * *").find("minute \"60\" is out of range 0-59"), std::string::npos);
    EXPECT_NE(error_of("0 0 0 * *").find("day of month \"0\" is out of range 1-31"), std::string::npos);
    EXPECT_NE(error_of("0 0 * 13 *").find("month \"13\""), std::string::npos);
    EXPECT_NE(error_of("0 0 * * 8").find("day of week \"8\""), std::string::npos);
    EXPECT_NE(error_of("0 9 * *").find("it has 4 fields, expected 5"), std::string::npos);
    EXPECT_NE(error_of("0 9 * * * *").find("it has 6 fields"), std::string::npos);
    EXPECT_NE(error_of("").find("it has 0 fields"), std::string::npos);
    EXPECT_NE(error_of("*/0 * * * *").find("minute \"*/0\" has a step out of range"), std::string::npos);
    EXPECT_NE(error_of("*/x * * * *").find("has a step that is not a number"), std::string::npos);
    EXPECT_NE(error_of("0 17-9 * * *").find("hour \"17-9\" is a range that ends before it starts"),
              std::string::npos);
    EXPECT_NE(error_of("0 9,,10 * * *").find("hour \"\" is empty"), std::string::npos);
    EXPECT_NE(error_of("0 nine * * *").find("hour \"nine\" is not a number"), std::string::npos);
    EXPECT_NE(error_of("0 9 * foo *").find("month \"foo\" is not a number or a 3-letter name"), std::string::npos);
    EXPECT_NE(error_of("@reboot").find("unknown shortcut"), std::string::npos);
    EXPECT_NE(error_of("30 seconds").find("it has 2 fields"), std::string::npos);
    EXPECT_NE(error_of("-1 * * * *").find("minute \"-1\""), std::string::npos);
    EXPECT_NE(error_of("99999999999 * * * *").find("is out of range"), std::string::npos);
}

TEST(CronSuperset, ParisHours) {
    EXPECT_EQ(gmt("0 9 * * *"), "0 7,8 * * *");
    EXPECT_EQ(gmt("30 2 * * *"), "30 0,1 * * *");
    EXPECT_EQ(gmt("0 9 15 * *"), "0 7,8 15 * *");
    EXPECT_EQ(gmt("*/15 9-17 * * 1-5"), "0,15,30,45 7-16 * * 1-5");
    EXPECT_EQ(gmt("* * * * *"), "* * * * *");
    EXPECT_EQ(gmt("0 9 * * *", {0}), "0 9 * * *");
}

TEST(CronSuperset, AShiftAcrossMidnightWidensTheDays) {
    // 00:30 Paris on Mondays is 22:30 or 23:30 GMT on Sundays.
    EXPECT_EQ(gmt("30 0 * * 1"), "30 22,23 * * *");
    EXPECT_EQ(gmt("0 1 1 1 *"), "0 0,23 * * *");
    // New York (-300, -240): 22:00 local is 02:00 or 03:00 GMT the next day.
    EXPECT_EQ(gmt("0 22 * * 5", {-300, -240}), "0 2,3 * * *");
    EXPECT_EQ(gmt("0 12 * * 5", {-300, -240}), "0 16,17 * * 5");
}

TEST(CronSuperset, HalfHourZones) {
    // Kolkata +05:30: 09:00 is 03:30 GMT.
    EXPECT_EQ(gmt("0 9 * * *", {330}), "30 3 * * *");
    // Lord Howe, +10:30 and +11:00: a superset of both minutes and hours.
    EXPECT_EQ(gmt("0 9 * * *", {630, 660}), "0,30 22 * * *");
}

TEST(CronSuperset, KeepsTheDayRuleOfAFullUnstarredField) {
    // "1-31" is not starred: pg_cron reads day-of-month OR day-of-week, every day.
    EXPECT_EQ(gmt("0 12 1-31 * 1"), "0 10,11 1-31 * 1");
    EXPECT_EQ(gmt("0 12 * * 0-6"), "0 10,11 * * 0-6");
}

TEST(CronSuperset, RefusesBadOffsets) {
    CronSchedule s = crm::parse_cron("0 9 * * *");
    EXPECT_THROW(crm::gmt_superset(s, {}), crm::Error);
    EXPECT_THROW(crm::gmt_superset(s, {24 * 60}), crm::Error);
}

TEST(CronMatch, DaysOfMonthAndWeek) {
    EXPECT_EQ(crm::weekday(2026, 3, 29), 0);   // a Sunday
    EXPECT_EQ(crm::weekday(2026, 10, 25), 0);  // a Sunday
    EXPECT_EQ(crm::weekday(2000, 2, 29), 2);   // a Tuesday
    EXPECT_EQ(crm::weekday(1969, 12, 31), 3);  // a Wednesday
    CronSchedule both = crm::parse_cron("0 9 15 * 1");  // the 15th OR a Monday
    EXPECT_TRUE(crm::cron_matches(both, {2026, 3, 15, 9, 0}));   // Sunday the 15th
    EXPECT_TRUE(crm::cron_matches(both, {2026, 3, 16, 9, 0}));   // Monday the 16th
    EXPECT_FALSE(crm::cron_matches(both, {2026, 3, 17, 9, 0}));
    CronSchedule starred = crm::parse_cron("0 9 */2 * 1");  // odd days AND Monday
    EXPECT_FALSE(crm::cron_matches(starred, {2026, 3, 16, 9, 0}));
    EXPECT_TRUE(crm::cron_matches(starred, {2026, 3, 23, 9, 0}));
    EXPECT_FALSE(crm::cron_matches(starred, {2026, 3, 23, 9, 1}));
    EXPECT_FALSE(crm::cron_matches(starred, {2026, 3, 23, 10, 0}));
    CronSchedule feb = crm::parse_cron("0 0 29 feb *");
    EXPECT_TRUE(crm::cron_matches(feb, {2028, 2, 29, 0, 0}));
    EXPECT_FALSE(crm::cron_matches(feb, {2028, 3, 29, 0, 0}));
}

WallClock next_of(const std::string& expression, const WallClock& after) {
    WallClock next;
    EXPECT_TRUE(crm::cron_next(crm::parse_cron(expression), after, &next)) << expression;
    return next;
}

bool same(const WallClock& a, const WallClock& b) {
    return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour && a.minute == b.minute;
}

TEST(CronNext, TheFollowingMatchingMinute) {
    EXPECT_TRUE(same(next_of("0 9 * * *", {2026, 3, 28, 8, 59}), {2026, 3, 28, 9, 0}));
    EXPECT_TRUE(same(next_of("0 9 * * *", {2026, 3, 28, 9, 0}), {2026, 3, 29, 9, 0}));  // strictly after
    EXPECT_TRUE(same(next_of("0 9 15 * *", {2026, 12, 15, 9, 0}), {2027, 1, 15, 9, 0}));
    EXPECT_TRUE(same(next_of("*/20 23 * * *", {2026, 2, 28, 23, 45}), {2026, 3, 1, 23, 0}));
    EXPECT_TRUE(same(next_of("0 0 29 2 *", {2026, 3, 1, 0, 0}), {2028, 2, 29, 0, 0}));
    EXPECT_TRUE(same(next_of("0 9 * * 1", {2026, 3, 29, 12, 0}), {2026, 3, 30, 9, 0}));  // the next Monday
    EXPECT_TRUE(same(next_of("0 0 */31 2 1", {2026, 1, 1, 0, 0}), {2027, 2, 1, 0, 0}));  // starred: day 1 AND Monday
    WallClock never;
    EXPECT_FALSE(crm::cron_next(crm::parse_cron("0 0 30 2 *"), {2026, 1, 1, 0, 0}, &never));
    EXPECT_FALSE(crm::cron_next(crm::parse_cron("0 0 * * *"), {2026, 13, 1, 0, 0}, &never));
}

// Europe/Paris on a day of 2026, minute by minute in UTC: the clock's
// offset is `before` until 01:00 UTC, `after` from then on.
struct ParisDay {
    int month, day, before, after;
};

WallClock local_time(const ParisDay& d, int utc_minute, int* offset) {
    *offset = utc_minute < 60 ? d.before : d.after;
    int t = utc_minute + *offset;
    WallClock w{2026, d.month, d.day, t / 60, t % 60};
    return w;
}

// Every wall-clock minute the guard would run at is a minute the GMT
// superset fires at; counts the runs of the day.
int runs_on(const ParisDay& d, const std::string& expression, std::vector<WallClock>* runs = nullptr) {
    CronSchedule local = crm::parse_cron(expression);
    CronSchedule gmt = crm::parse_cron(crm::gmt_superset(local, kParis));
    int count = 0;
    for (int u = 0; u < 22 * 60; ++u) {  // stays within the day in local time
        int offset = 0;
        WallClock w = local_time(d, u, &offset);
        // The clock read this minute earlier when it ran at a larger offset before.
        bool repeated = false;
        for (int other : kParis) {
            int earlier = u - (other - offset);
            if (other > offset && earlier >= 0 && earlier < u) {
                int earlier_offset = 0;
                WallClock e = local_time(d, earlier, &earlier_offset);
                repeated = repeated || (earlier_offset == other && e.hour == w.hour && e.minute == w.minute);
            }
        }
        if (!crm::cron_due(local, w, repeated)) continue;
        EXPECT_TRUE(crm::cron_matches(gmt, {2026, d.month, d.day, u / 60, u % 60}))
            << expression << " runs at " << w.hour << ":" << w.minute << " local, UTC minute " << u
            << " not in the GMT expression";
        ++count;
        if (runs) runs->push_back(w);
    }
    return count;
}

const ParisDay kSpringForward{3, 29, 60, 120};  // 02:00 CET -> 03:00 CEST
const ParisDay kFallBack{10, 25, 120, 60};      // 03:00 CEST -> 02:00 CET

TEST(CronDst, SpringForward29March2026) {
    std::vector<WallClock> runs;
    EXPECT_EQ(runs_on(kSpringForward, "0 9 * * *", &runs), 1);
    EXPECT_EQ(runs.at(0).hour, 9);
    EXPECT_EQ(runs_on(kSpringForward, "30 1 * * *"), 1);
    EXPECT_EQ(runs_on(kSpringForward, "30 3 * * *"), 1);
    // 02:30 does not exist that day: the job does not run.
    EXPECT_EQ(runs_on(kSpringForward, "30 2 * * *"), 0);
    // An hourly job: 01:00, then 03:00..23:00 (22 UTC hours cover local 01:00-23:59).
    EXPECT_EQ(runs_on(kSpringForward, "0 * * * *"), 22);
    EXPECT_EQ(runs_on(kSpringForward, "0 9 * * 0"), 1);   // the day is a Sunday
    EXPECT_EQ(runs_on(kSpringForward, "0 9 * * 1"), 0);
}

TEST(CronDst, FallBack25October2026) {
    std::vector<WallClock> runs;
    EXPECT_EQ(runs_on(kFallBack, "0 9 * * *", &runs), 1);
    EXPECT_EQ(runs.at(0).hour, 9);
    // 02:30 happens twice: the job runs at the first one only.
    EXPECT_EQ(runs_on(kFallBack, "30 2 * * *"), 1);
    EXPECT_EQ(runs_on(kFallBack, "*/30 2 * * *"), 4);  // a wildcard minute keeps running: 02:00 and 02:30 twice
    // An hourly job runs every hour of real time: 02:00 CEST, 02:00 CET, 03:00 ...
    EXPECT_EQ(runs_on(kFallBack, "0 * * * *"), 22);
    EXPECT_TRUE(crm::cron_due(crm::parse_cron("30 2 * * *"), {2026, 10, 25, 2, 30}, false));
    EXPECT_FALSE(crm::cron_due(crm::parse_cron("30 2 * * *"), {2026, 10, 25, 2, 30}, true));
}

TEST(CronDst, EveryMinuteOnBothDays) {
    // 22 hours of UTC minutes; on the spring day local 02:xx never shows, on
    // the autumn day it shows twice and a wildcard job runs both times.
    EXPECT_EQ(runs_on(kSpringForward, "* * * * *"), 22 * 60);
    EXPECT_EQ(runs_on(kFallBack, "* * * * *"), 22 * 60);
    EXPECT_EQ(runs_on(kFallBack, "* 2 * * *"), 120);
    EXPECT_EQ(runs_on(kSpringForward, "* 2 * * *"), 0);
}

}  // namespace
