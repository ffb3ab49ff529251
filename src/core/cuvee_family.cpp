#include "core/cuvee_family.hpp"

#include <vector>

#include "core/packaging.hpp"
#include "core/text_key.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view w) {
    if (w.empty()) return false;
    for (char c : w)
        if (!is_digit(c)) return false;
    return true;
}

bool is_vintage(std::string_view w) {
    return w.size() == 4 && all_digits(w) && (w.substr(0, 2) == "19" || w.substr(0, 2) == "20");
}

// "ct6", "carton12": a pack word glued to its count.
bool is_counted_pack(std::string_view w) {
    std::size_t end = w.size();
    while (end > 0 && is_digit(w[end - 1])) --end;
    return end > 0 && end < w.size() && is_packaging_word(w.substr(0, end));
}

// "75cl", "1l", "6x75cl", "x6", "12x": a quantity glued to a unit or to 'x'.
bool is_quantity(std::string_view w) {
    std::size_t i = 0;
    while (i < w.size() && (is_digit(w[i]) || w[i] == 'x')) ++i;
    if (i == 0) return false;
    std::string_view rest = w.substr(i);
    bool has_digit = false;
    for (char c : w.substr(0, i)) has_digit |= is_digit(c);
    if (!has_digit) return false;
    return rest.empty() ? w.find('x') != std::string_view::npos : is_packaging_word(rest);
}

}  // namespace

std::string cuvee_family(std::string_view name) {
    const std::string key = normalize_key(name);
    std::vector<std::string_view> words;
    for (std::size_t at = 0; at < key.size();) {
        std::size_t end = key.find(' ', at);
        if (end == std::string::npos) end = key.size();
        if (end > at) words.push_back(std::string_view(key).substr(at, end - at));
        at = end + 1;
    }
    std::string family;
    bool after_pack = false;  // "carton de 12", "coffret 3 bouteilles": the count goes with the pack
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string_view w = words[i];
        if (is_packaging_word(w) || is_counted_pack(w)) {
            after_pack = true;
            continue;
        }
        if (after_pack && (w == "de" || all_digits(w))) continue;
        after_pack = false;
        if (is_vintage(w) || w == "nm" || w == "x" || is_quantity(w)) continue;
        // "75 cl", "6 x", "37 5 cl" (37,5 cl): numbers belong to the quantity after them.
        if (all_digits(w)) {
            std::size_t j = i + 1;
            while (j < words.size() && all_digits(words[j])) ++j;
            if (j < words.size() && (words[j] == "x" || is_packaging_word(words[j]) || is_quantity(words[j]))) continue;
        }
        if (!family.empty()) family += ' ';
        family += w;
    }
    return family.empty() ? key : family;
}

}  // namespace crm
