// RFM scoring of customers: Recency (days since the last order at the
// snapshot date), Frequency (orders, not lines), Monetary (net amount).
// Two scorings, both kept:
//  - quintiles, as ntile(5) would give them (ties broken by input order:
//    callers pass customers sorted by key so the result is reproducible);
//  - fixed bands, for small merchants where most customers order once and
//    quintiles say little.
// The segment comes from the (R, F) scores, on the usual map:
//   Champions (5, 4-5), Loyal (3-4, 4-5), Potential loyalists (4-5, 2-3),
//   New (5, 1), Promising (4, 1), Need attention (3, 3), About to sleep (3, 1-2),
//   At risk (1-2, 3-4), Can't lose them (1-2, 5), Hibernating (1-2, 1-2).
#pragma once

#include <cstdint>
#include <vector>

namespace crm {

struct RfmInput {
    std::int32_t recency_days;
    std::uint32_t frequency;
    double monetary;
};

// Upper bounds of the fixed bands, lowest score first. A value in none of
// them scores 5 (for recency: days at or below the first bound score 5).
struct RfmBands {
    std::int32_t recency_days[4] = {30, 90, 180, 365};  // <= 30 days: 5 ... > 365: 1
    std::uint32_t frequency[4] = {1, 2, 4, 9};          // 1 order: 1, 2: 2, 3-4: 3, 5-9: 4, 10+: 5
    double monetary[4] = {200, 500, 1000, 2000};        // < 200: 1 ... >= 2000: 5
};

struct RfmScore {
    int r, f, m;                 // quintiles, 1-5
    int r_band, f_band, m_band;  // fixed bands, 1-5
    const char* segment;         // from (r, f), or (r_band, f_band) when asked
};

std::vector<RfmScore> rfm_scores(const std::vector<RfmInput>& customers, const RfmBands& bands,
                                 bool segment_by_bands);

const char* rfm_segment(int r, int f);

}  // namespace crm
