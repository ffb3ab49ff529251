// Item-to-item co-purchase: which products are bought together, counted over
// baskets (an order, or everything a customer bought).
//   support    = n_ab / N
//   confidence = n_ab / n_a            (a -> b)
//   lift       = N n_ab / (n_a n_b)
//   cosine     = n_ab / sqrt(n_a n_b)
// Pairs are counted with one dense counter array per item instead of a hash
// of pairs: the work is the sum over baskets of k^2 / 2 increments, in cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace crm {

struct Affinity {
    std::uint32_t a, b;  // item ids, a != b; each pair appears in both directions
    std::uint32_t n_ab, n_a, n_b;
    double support, confidence, lift, cosine;
};

struct CopurchaseResult {
    std::uint32_t baskets = 0;  // N
    std::uint64_t pairs = 0;    // distinct unordered pairs seen together at least once
    std::vector<Affinity> affinities;  // pairs with n_ab >= min_pair_count, both directions
};

// `lines`: (basket id, item id), any order, duplicates allowed; ids dense
// (below n_baskets, n_items). Calls check_interrupts() as it goes.
CopurchaseResult copurchase(std::vector<std::pair<std::uint32_t, std::uint32_t>> lines, std::uint32_t n_baskets,
                            std::uint32_t n_items, std::uint32_t min_pair_count);

// Keeps, for each item a, its `max_partners` best partners b: highest lift
// first, then most baskets together, then lowest id (so the choice is
// reproducible). Recommendations read a product's best partners, not the
// millions of weak pairs a skewed catalogue produces. Sorts `affinities` by
// a, then by that order. 0 keeps everything (sorted the same way).
void keep_top_partners(std::vector<Affinity>& affinities, std::uint32_t max_partners);

}  // namespace crm
