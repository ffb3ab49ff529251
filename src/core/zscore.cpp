#include "core/zscore.hpp"

#include <algorithm>
#include <cmath>

#include "core/core_only.hpp"

namespace crm {

namespace {

// Median of values[0..n) by selection; reorders them.
double median(std::vector<double>& values) {
    const std::size_t n = values.size(), mid = n / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
    double upper = values[mid];
    if (n % 2 == 1) return upper;
    double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
    return lower + (upper - lower) / 2;
}

}  // namespace

ZStats zscore_stats(const std::vector<double>& values, bool sample) {
    ZStats stats;
    const std::size_t n = values.size();
    if (n < kMinZscoreValues) return stats;
    double sum = 0;
    for (double v : values) sum += v;
    const double mean = sum / static_cast<double>(n);
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    const double variance = squares / static_cast<double>(sample ? n - 1 : n);
    const double std = std::sqrt(variance);
    if (!(std > 0) || !std::isfinite(std)) return stats;
    stats.valid = true;
    stats.centre = mean;
    stats.scale = std;
    return stats;
}

ZStats robust_zscore_stats(std::vector<double>& values) {
    ZStats stats;
    if (values.size() < kMinZscoreValues) return stats;
    const double centre = median(values);
    for (double& v : values) v = std::fabs(v - centre);
    const double mad = median(values);
    if (!(mad > 0) || !std::isfinite(mad)) return stats;
    stats.valid = true;
    stats.centre = centre;
    stats.scale = mad / 0.6745;  // so that z = 0.6745 (x - median) / MAD
    return stats;
}

}  // namespace crm
