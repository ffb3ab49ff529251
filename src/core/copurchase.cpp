#include "core/copurchase.hpp"

#include <algorithm>
#include <cmath>

#include "core/interrupt.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

// Compressed rows: the items of every basket, or the baskets of every item.
struct Csr {
    std::vector<std::uint32_t> start;  // size rows + 1
    std::vector<std::uint32_t> values;
    std::uint32_t size(std::uint32_t row) const { return start[row + 1] - start[row]; }
};

Csr group(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs, std::uint32_t rows, bool by_first) {
    Csr csr;
    csr.start.assign(static_cast<std::size_t>(rows) + 1, 0);
    for (const auto& p : pairs) ++csr.start[(by_first ? p.first : p.second) + 1];
    for (std::uint32_t r = 0; r < rows; ++r) csr.start[r + 1] += csr.start[r];
    csr.values.resize(pairs.size());
    std::vector<std::uint32_t> next(csr.start.begin(), csr.start.end() - 1);
    for (const auto& p : pairs) csr.values[next[by_first ? p.first : p.second]++] = by_first ? p.second : p.first;
    return csr;
}

}  // namespace

CopurchaseResult copurchase(std::vector<std::pair<std::uint32_t, std::uint32_t>> lines, std::uint32_t n_baskets,
                            std::uint32_t n_items, std::uint32_t min_pair_count) {
    // Distinct (basket, item): buying a wine twice in a basket counts once.
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    const Csr basket_items = group(lines, n_baskets, true);  // items sorted within a basket
    const Csr item_baskets = group(lines, n_items, false);

    CopurchaseResult result;
    for (std::uint32_t b = 0; b < n_baskets; ++b) result.baskets += basket_items.size(b) > 0;
    const double n = result.baskets;

    std::vector<std::uint32_t> count(n_items, 0);
    std::vector<std::uint32_t> touched;
    InterruptTicker ticker(64);
    for (std::uint32_t a = 0; a < n_items; ++a) {
        ticker.tick();
        touched.clear();
        for (std::uint32_t i = item_baskets.start[a]; i < item_baskets.start[a + 1]; ++i) {
            std::uint32_t basket = item_baskets.values[i];
            const std::uint32_t* items = basket_items.values.data() + basket_items.start[basket];
            const std::uint32_t* end = items + basket_items.size(basket);
            // Items are sorted: only those after `a` (each unordered pair once).
            for (const std::uint32_t* it = std::upper_bound(items, end, a); it != end; ++it) {
                if (count[*it]++ == 0) touched.push_back(*it);
            }
        }
        result.pairs += touched.size();
        const std::uint32_t n_a = item_baskets.size(a);
        for (std::uint32_t b : touched) {
            const std::uint32_t n_ab = count[b];
            count[b] = 0;
            if (n_ab < min_pair_count) continue;
            const std::uint32_t n_b = item_baskets.size(b);
            const double lift = n * n_ab / (static_cast<double>(n_a) * n_b);
            const double cosine = n_ab / std::sqrt(static_cast<double>(n_a) * n_b);
            result.affinities.push_back({a, b, n_ab, n_a, n_b, n_ab / n, static_cast<double>(n_ab) / n_a, lift, cosine});
            result.affinities.push_back({b, a, n_ab, n_b, n_a, n_ab / n, static_cast<double>(n_ab) / n_b, lift, cosine});
        }
    }
    return result;
}

void keep_top_partners(std::vector<Affinity>& affinities, std::uint32_t max_partners) {
    std::sort(affinities.begin(), affinities.end(), [](const Affinity& x, const Affinity& y) {
        if (x.a != y.a) return x.a < y.a;
        if (x.lift != y.lift) return x.lift > y.lift;
        if (x.n_ab != y.n_ab) return x.n_ab > y.n_ab;
        return x.b < y.b;
    });
    if (max_partners == 0) return;
    std::size_t kept = 0, run = 0;
    for (std::size_t i = 0; i < affinities.size(); ++i) {
        run = (i > 0 && affinities[i].a == affinities[i - 1].a) ? run + 1 : 0;
        if (run < max_partners) affinities[kept++] = affinities[i];
    }
    affinities.resize(kept);
}

}  // namespace crm
