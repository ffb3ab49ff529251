// libFuzzer target: the wall-clock cron parser and what is built on it.
// Input: 2 bytes of UTC offset (minutes, -1439..1439), 5 bytes of a
// wall-clock minute, then the expression. crm::Error is an expected outcome
// of parsing; a crash, a sanitizer report, a hang, a GMT expression that does
// not parse back, or one that misses a local match (the superset promise)
// is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/cron_schedule.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 7) return 0;
    int offset = static_cast<std::int16_t>(data[0] << 8 | data[1]) % 1440;
    crm::WallClock wall{2000 + data[2] % 40, 1 + data[3] % 12, 1 + data[4] % 28, data[5] % 24, data[6] % 60};
    std::string_view expression(reinterpret_cast<const char*>(data) + 7, size - 7);
    crm::CronSchedule local;
    try {
        local = crm::parse_cron(expression);
    } catch (const crm::Error&) {
        return 0;
    }
    std::vector<int> offsets = {offset, 60, 120};
    std::string gmt_text = crm::gmt_superset(local, offsets);
    crm::CronSchedule gmt = crm::parse_cron(gmt_text);  // must parse back: pg_cron is given it
    // The superset promise, for shifts that stay within the day.
    int utc = wall.hour * 60 + wall.minute - offset;
    if (crm::cron_matches(local, wall) && utc >= 0 && utc < 24 * 60) {
        crm::WallClock at{wall.year, wall.month, wall.day, utc / 60, utc % 60};
        if (!crm::cron_matches(gmt, at)) std::abort();
    }
    crm::WallClock next;
    if (crm::cron_next(local, wall, &next) && !crm::cron_matches(local, next)) std::abort();
    return 0;
}
