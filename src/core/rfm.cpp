#include "core/rfm.hpp"

#include <algorithm>
#include <numeric>

#include "core/core_only.hpp"

namespace crm {

namespace {

// PostgreSQL's ntile(5) over `order` (indexes sorted ascending): each bucket
// holds n / 5 rows, the first n % 5 buckets one more.
void assign_quintiles(const std::vector<std::size_t>& order, std::vector<int>& out) {
    const std::size_t n = order.size(), base = n / 5, extra = n % 5;
    std::size_t position = 0;
    for (int bucket = 1; bucket <= 5; ++bucket) {
        std::size_t size = base + (static_cast<std::size_t>(bucket) <= extra ? 1 : 0);
        for (std::size_t i = 0; i < size; ++i) out[order[position++]] = bucket;
    }
}

template <typename Key>
std::vector<int> quintiles(std::size_t n, Key key) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<int> out(n);
    assign_quintiles(order, out);
    return out;
}

// 1 + the number of bounds the value passes (exceeds, or reaches when
// `inclusive`): a higher value, a higher score.
template <typename T>
int band(T value, const T (&bounds)[4], bool inclusive) {
    int score = 1;
    for (T bound : bounds)
        if (value > bound || (inclusive && value == bound)) ++score;
    return score;
}

}  // namespace

const char* rfm_segment(int r, int f) {
    if (r == 5 && f >= 4) return "Champions";
    if (r >= 3 && r <= 4 && f >= 4) return "Loyal";
    if (r >= 4 && f >= 2 && f <= 3) return "Potential loyalists";
    if (r == 5 && f == 1) return "New";
    if (r == 4 && f == 1) return "Promising";
    if (r == 3 && f == 3) return "Need attention";
    if (r == 3) return "About to sleep";  // f 1-2
    if (f == 5) return "Can't lose them";
    if (f >= 3) return "At risk";
    return "Hibernating";
}

std::vector<RfmScore> rfm_scores(const std::vector<RfmInput>& c, const RfmBands& bands, bool segment_by_bands) {
    const std::size_t n = c.size();
    // Recent customers score high: order by recency descending, so the oldest land in bucket 1.
    std::vector<int> r = quintiles(n, [&](std::size_t i) { return -static_cast<std::int64_t>(c[i].recency_days); });
    std::vector<int> f = quintiles(n, [&](std::size_t i) { return c[i].frequency; });
    std::vector<int> m = quintiles(n, [&](std::size_t i) { return c[i].monetary; });
    std::vector<RfmScore> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        RfmScore& s = out[i];
        s.r = r[i];
        s.f = f[i];
        s.m = m[i];
        s.r_band = 6 - band(c[i].recency_days, bands.recency_days, false);  // fewer days, higher score
        s.f_band = band(c[i].frequency, bands.frequency, false);
        s.m_band = band(c[i].monetary, bands.monetary, true);
        s.segment = segment_by_bands ? rfm_segment(s.r_band, s.f_band) : rfm_segment(s.r, s.f);
    }
    return out;
}

}  // namespace crm
