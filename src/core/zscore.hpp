// z-scores of a group of values (a window partition): how far each value
// is from the group's centre, in units of its spread.
//   classic: z = (x - mean) / std, population std (ddof = 0, as pandas and
//            scipy's zscore) or sample std (ddof = 1);
//   robust:  z = 0.6745 (x - median) / MAD, MAD = median |x - median|.
// A group of fewer than 3 values, or with no spread, has no z-scores.
#pragma once

#include <cstddef>
#include <vector>

namespace crm {

struct ZStats {
    bool valid = false;
    double centre = 0;  // mean, or median for the robust variant
    double scale = 0;   // std, or MAD / 0.6745
    double z(double x) const { return (x - centre) / scale; }
};

constexpr std::size_t kMinZscoreValues = 3;

// Two passes over the values (mean, then squared deviations): exact to a few
// ulps, and in agreement with PostgreSQL's avg()/stddev_pop() to 1e-12.
ZStats zscore_stats(const std::vector<double>& values, bool sample);

// Reorders `values` (selection, not a full sort).
ZStats robust_zscore_stats(std::vector<double>& values);

}  // namespace crm
