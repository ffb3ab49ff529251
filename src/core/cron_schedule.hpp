// Wall-clock cron schedules on pg_cron 1.4.2, which reads every cron
// expression in GMT (it has no cron.timezone).
//
// The user writes a 5-field expression in the time of a zone (09:00 Paris).
// gmt_superset() turns it into a GMT expression that fires at least at every
// GMT minute where the zone's clock may read a matching time, whatever UTC
// offset the zone has then (09:00 Paris is 07:00 or 08:00 GMT: "0 7,8 * * *").
// The job pg_cron runs on that GMT expression then asks cron_due() whether
// the zone's clock, at that instant, really matches: the superset fires a
// little too often, never too rarely, and the guard drops the extra runs.
// Time zone rules stay on the SQL side: it gives the offsets the zone takes
// and the wall-clock time of an instant.
#pragma once

#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

struct CronSchedule {
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;      // 1..31
    std::bitset<13> months;    // 1..12
    std::bitset<7> weekdays;   // 0 = Sunday (7 is read as 0)
    // A field written with a leading '*' ("*", "*/5"). As in Vixie cron and
    // pg_cron: when day-of-month or day-of-week is starred, a day must match
    // both; when neither is, it matches either. Starred minute or hour make a
    // "wildcard" job, which keeps running through a repeated (fall-back) hour.
    bool minute_star = false;
    bool hour_star = false;
    bool day_star = false;
    bool weekday_star = false;
};

// Parses "m h dom mon dow" (numbers, names jan-dec and sun-sat, *, ranges
// a-b, steps /n, lists) or @hourly, @daily, @midnight, @weekly, @monthly,
// @yearly, @annually. Throws crm::Error 22023 naming the field and value.
CronSchedule parse_cron(std::string_view expression);

// A GMT expression matching every UTC minute at which a zone with any of
// `utc_offsets` (minutes east of UTC: Paris is 60 and 120) reads a time the
// schedule matches. When a shifted time changes day, the day fields widen to
// "*" (a day of month minus one hour is not a day of month). Throws 22023 on
// an empty list or an offset beyond ±23:59.
std::string gmt_superset(const CronSchedule& local, const std::vector<int>& utc_offsets);

// A wall-clock minute: the time a zone's clock reads.
struct WallClock {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0;
};

// 0 = Sunday .. 6 = Saturday (proleptic Gregorian calendar).
int weekday(int year, int month, int day);

bool cron_matches(const CronSchedule& schedule, const WallClock& at);

// Whether a job is due at this wall-clock minute. `repeated`: the clock
// already read this minute earlier, before it was set back (the fall-back
// hour). A fixed-time job runs at the first occurrence only; a wildcard job
// (minute or hour starred) runs at both, as Vixie cron does. A minute the
// clock skips (the spring-forward gap) is never read, so never due.
bool cron_due(const CronSchedule& schedule, const WallClock& at, bool repeated);

// The first wall-clock minute after `after` (to the minute) the schedule
// matches, looking up to 8 years ahead (29 February on a Monday); false when
// there is none ("0 0 30 2 *"). It knows nothing of the zone: a minute its
// clock skips is the caller's to step over.
bool cron_next(const CronSchedule& schedule, const WallClock& after, WallClock* next);

}  // namespace crm
