#include "core/product_key.hpp"

#include <cmath>

#include "core/norm_util.hpp"
#include "core/text_key.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

std::string dashed(std::string k) {
    for (char& c : k) {
        if (c == ' ') c = '-';
    }
    return k;
}

// The first run of exactly four digits (1000-2999), else "nv".
std::string vintage_part(std::string_view v) {
    for (std::size_t i = 0; i < v.size();) {
        if (!normdetail::is_digit(v[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < v.size() && normdetail::is_digit(v[j])) ++j;
        if (j - i == 4 && (v[i] == '1' || v[i] == '2')) return std::string(v.substr(i, 4));
        i = j;
    }
    return "nv";
}

}  // namespace

std::string product_key(std::string_view code, std::string_view name, std::string_view vintage, double volume_cl) {
    std::string c = normalize_key(code);
    if (!c.empty()) return "p-" + dashed(std::move(c));
    std::string n = normalize_key(name);
    if (n.empty()) return {};
    std::string out = "n-" + dashed(std::move(n));
    out += '-';
    out += vintage_part(vintage);
    out += '-';
    if (std::isfinite(volume_cl) && volume_cl > 0 && volume_cl < 1e9) {
        out += std::to_string(std::llround(volume_cl));
    } else {
        out += 'x';
    }
    return out;
}

}  // namespace crm
