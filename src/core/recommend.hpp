// Product recommendations for one customer, explained and guarded.
//
// Score of a candidate wine j for a customer:
//   sum over the products i the customer bought of
//     recency_weight(i) x similarity(i -> j)
//   recency_weight = 0.5 ^ (days since i was last bought / half_life_days)
//   similarity     = shrunk confidence (n_ij + alpha n_j / N) / (n_i + alpha):
//                    a pair seen in 3 baskets of a small merchant does not
//                    outweigh one seen in 300.
// Guardrails are applied to candidates before ranking: the product is active,
// has at least min_stock_75cl bottles (75 cl equivalents) available, its price
// per 75 cl is within the customer's usual band (median price paid / factor
// .. x factor), the customer has not rejected it nor has it in an open order,
// and its cuvée was not bought within repurchase_after_days (wine is
// re-bought: after the delay it can come back). At most one product per
// cuvée. When co-purchases give fewer than top_n products, the best sellers
// of the customer's RFM segment fill the list. Customer-level guardrails
// (opt-out, bounce, contact cap) are decided before a customer gets here.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace crm::reco {

struct Settings {
    std::uint32_t top_n = 5;
    double min_stock_75cl = 6;
    double price_band_factor = 2;              // <= 0: no price band
    std::int32_t repurchase_after_days = 180;  // < 0: a bought cuvée never comes back
    double half_life_days = 365;
    double shrinkage = 10;  // alpha
    double min_lift = 1;    // pairs bought together less than chance are ignored
    bool segment_fallback = true;
};

inline constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
inline constexpr std::uint32_t kNoSegment = std::numeric_limits<std::uint32_t>::max();

struct Product {
    std::uint32_t family = 0;          // dense id of its cuvée (cuvee_family)
    bool active = true;
    double stock_75cl = kUnknown;      // unknown stock is no stock
    double price_per_75cl = kUnknown;  // unknown price passes the price band
};

struct Partner {
    std::uint32_t product;  // j
    std::uint32_t n_ab;
    double lift;
    double similarity;      // shrunk_confidence(i -> j)
};

struct Bestseller {
    std::uint32_t product;
    std::uint32_t buyers;  // customers of the segment who bought it
};

// Products are numbered in product-key order by the caller: ties in score
// go to the lower number, so every run ranks the same way.
struct Catalog {
    std::vector<Product> products;
    std::vector<std::vector<Partner>> partners;       // by bought product i, any order
    std::vector<std::vector<Bestseller>> bestsellers;  // by segment, best first
};

struct Purchase {
    std::uint32_t product;
    std::int32_t days_ago;  // since the last purchase of it
    double spent;           // euros HT, all its lines
    double bottles_75cl;    // its lines in 75 cl equivalents (0 when unknown)
};

struct Customer {
    std::uint32_t segment = kNoSegment;
    std::vector<Purchase> purchases;     // in product order: sums add up the same way every run
    std::vector<std::uint32_t> excluded;  // rejected ("bad"), or in an open order
};

enum class Why { CoPurchase, SegmentBestseller };

struct Recommendation {
    std::uint32_t product;
    double score;       // co-purchase score, or for a best seller the share of its segment that bought it
    Why why;
    std::uint32_t because;  // CoPurchase: the bought product contributing most; else the segment
    std::uint32_t count;    // CoPurchase: baskets with both; else buyers in the segment
    double lift;            // CoPurchase only
};

double shrunk_confidence(std::uint32_t n_ab, std::uint32_t n_a, std::uint32_t n_b, double baskets, double alpha);

// Keeps scratch space across customers: a batch of 50 000 customers reuses it.
class Recommender {
public:
    Recommender(const Catalog& catalog, const Settings& settings);
    // segment_size: customers in the customer's segment (for best sellers' score).
    std::vector<Recommendation> recommend(const Customer& customer, std::uint32_t segment_size);

private:
    bool allowed(std::uint32_t product) const;

    const Catalog& catalog_;
    Settings settings_;
    std::vector<double> score_;
    std::vector<double> best_part_;            // largest single contribution
    std::vector<std::uint32_t> best_from_;     // the bought product giving it
    std::vector<std::uint32_t> touched_;
    std::vector<unsigned char> blocked_family_, chosen_family_, excluded_;
    double price_low_ = 0, price_high_ = 0;
};

// French reasons a salesperson can read.
// « souvent acheté avec Riesling Grand Cru 2019 (14 clients, lift 3,2) »
std::string copurchase_reason(std::string_view with_name, std::uint32_t n_ab, double lift, bool baskets_are_orders);
// « meilleure vente de votre segment (Champions, 120 clients) »
std::string bestseller_reason(std::string_view segment, std::uint32_t buyers);
// The RFM segment's name as a French-speaking user says it.
std::string_view segment_label_fr(std::string_view segment);

}  // namespace crm::reco
