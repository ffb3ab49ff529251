#include "core/recommend.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/core_only.hpp"

namespace crm::reco {

double shrunk_confidence(std::uint32_t n_ab, std::uint32_t n_a, std::uint32_t n_b, double baskets, double alpha) {
    const double base = baskets > 0 ? n_b / baskets : 0;
    return (n_ab + alpha * base) / (n_a + alpha);
}

Recommender::Recommender(const Catalog& catalog, const Settings& settings)
    : catalog_(catalog), settings_(settings) {
    const std::size_t n = catalog.products.size();
    score_.assign(n, 0);
    best_part_.assign(n, 0);
    best_from_.assign(n, 0);
    excluded_.assign(n, 0);
    std::uint32_t families = 0;
    for (const Product& p : catalog.products) families = std::max(families, p.family + 1);
    blocked_family_.assign(families, 0);
    chosen_family_.assign(families, 0);
}

bool Recommender::allowed(std::uint32_t j) const {
    const Product& p = catalog_.products[j];
    if (!p.active || !(p.stock_75cl >= settings_.min_stock_75cl)) return false;  // NaN stock fails
    if (blocked_family_[p.family] || excluded_[j]) return false;
    if (price_high_ > 0 && !std::isnan(p.price_per_75cl) &&
        (p.price_per_75cl < price_low_ || p.price_per_75cl > price_high_))
        return false;
    return true;
}

std::vector<Recommendation> Recommender::recommend(const Customer& customer, std::uint32_t segment_size) {
    std::vector<Recommendation> out;
    if (customer.purchases.empty() || settings_.top_n == 0) return out;

    // The customer's usual price: the median price per 75 cl paid.
    std::vector<double> paid;
    for (const Purchase& p : customer.purchases)
        if (p.bottles_75cl > 0 && p.spent > 0) paid.push_back(p.spent / p.bottles_75cl);
    price_low_ = price_high_ = 0;
    if (!paid.empty() && settings_.price_band_factor > 0) {
        const std::size_t mid = paid.size() / 2;
        std::nth_element(paid.begin(), paid.begin() + mid, paid.end());
        double median = paid[mid];
        if (paid.size() % 2 == 0) median = (median + *std::max_element(paid.begin(), paid.begin() + mid)) / 2;
        price_low_ = median / settings_.price_band_factor;
        price_high_ = median * settings_.price_band_factor;
    }
    for (const Purchase& p : customer.purchases)
        if (settings_.repurchase_after_days < 0 || p.days_ago < settings_.repurchase_after_days)
            blocked_family_[catalog_.products[p.product].family] = 1;
    for (std::uint32_t j : customer.excluded) excluded_[j] = 1;

    for (const Purchase& p : customer.purchases) {
        const double weight = std::pow(0.5, std::max(p.days_ago, 0) / settings_.half_life_days);
        for (const Partner& partner : catalog_.partners[p.product]) {
            const std::uint32_t j = partner.product;
            if (partner.lift < settings_.min_lift || !allowed(j)) continue;
            const double part = weight * partner.similarity;
            if (!(part > 0)) continue;  // a purchase decades old weighs nothing
            if (score_[j] == 0) touched_.push_back(j);
            score_[j] += part;
            if (part > best_part_[j]) {
                best_part_[j] = part;
                best_from_[j] = p.product;
            }
        }
    }
    // Only the best few are needed: a partial sort of enough candidates for
    // top_n distinct cuvées, the rest sorted only if families ran out.
    auto better = [&](std::uint32_t x, std::uint32_t y) {
        return score_[x] != score_[y] ? score_[x] > score_[y] : x < y;
    };
    std::size_t sorted = std::min<std::size_t>(touched_.size(), 4 * std::size_t{settings_.top_n});
    std::partial_sort(touched_.begin(), touched_.begin() + static_cast<std::ptrdiff_t>(sorted), touched_.end(), better);
    for (std::size_t k = 0; k < touched_.size(); ++k) {
        if (k == sorted) std::sort(touched_.begin() + static_cast<std::ptrdiff_t>(k), touched_.end(), better);
        const std::uint32_t j = touched_[k];
        if (out.size() >= settings_.top_n) break;
        const std::uint32_t family = catalog_.products[j].family;
        if (chosen_family_[family]) continue;
        chosen_family_[family] = 1;
        const std::uint32_t i = best_from_[j];
        std::uint32_t n_ab = 0;
        double lift = 0;
        for (const Partner& partner : catalog_.partners[i])
            if (partner.product == j) n_ab = partner.n_ab, lift = partner.lift;
        out.push_back({j, score_[j], Why::CoPurchase, i, n_ab, lift});
    }
    if (settings_.segment_fallback && customer.segment != kNoSegment &&
        customer.segment < catalog_.bestsellers.size()) {
        for (const Bestseller& b : catalog_.bestsellers[customer.segment]) {
            if (out.size() >= settings_.top_n) break;
            const std::uint32_t family = catalog_.products[b.product].family;
            if (chosen_family_[family] || !allowed(b.product)) continue;
            chosen_family_[family] = 1;
            const double share = segment_size > 0 ? static_cast<double>(b.buyers) / segment_size : 0;
            out.push_back({b.product, share, Why::SegmentBestseller, customer.segment, b.buyers, 0});
        }
    }

    // Scratch back to zero, touching only what this customer touched.
    for (std::uint32_t j : touched_) score_[j] = best_part_[j] = 0;
    touched_.clear();
    for (const Purchase& p : customer.purchases) blocked_family_[catalog_.products[p.product].family] = 0;
    for (std::uint32_t j : customer.excluded) excluded_[j] = 0;
    for (const Recommendation& r : out) chosen_family_[catalog_.products[r.product].family] = 0;
    return out;
}

namespace {

std::string french_decimal(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    std::string out(text);
    for (char& c : out)
        if (c == '.') c = ',';
    return out;
}

}  // namespace

std::string copurchase_reason(std::string_view with_name, std::uint32_t n_ab, double lift, bool baskets_are_orders) {
    std::string out = "souvent acheté avec ";
    out += with_name;
    out += " (" + std::to_string(n_ab) + (baskets_are_orders ? " commande" : " client") + (n_ab > 1 ? "s" : "");
    out += ", lift " + french_decimal(lift) + ")";
    return out;
}

std::string bestseller_reason(std::string_view segment, std::uint32_t buyers) {
    std::string out = "meilleure vente de votre segment (";
    out += segment_label_fr(segment);
    out += ", " + std::to_string(buyers) + (buyers > 1 ? " clients)" : " client)");
    return out;
}

std::string_view segment_label_fr(std::string_view segment) {
    static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
        {"Champions", "Champions"},
        {"Loyal", "Fidèles"},
        {"Potential loyalists", "Fidèles potentiels"},
        {"New", "Nouveaux clients"},
        {"Promising", "Prometteurs"},
        {"Need attention", "À surveiller"},
        {"About to sleep", "En perte de vitesse"},
        {"At risk", "À risque"},
        {"Can't lose them", "À ne pas perdre"},
        {"Hibernating", "En sommeil"},
    };
    for (const auto& [name, label] : kLabels)
        if (segment == name) return label;
    return segment;
}

}  // namespace crm::reco
