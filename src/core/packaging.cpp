#include "core/packaging.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/norm_util.hpp"
#include "core/unaccent.hpp"

#include "core/core_only.hpp"

namespace crm {
namespace {

enum class Kind : unsigned char { Num, Word, X };

struct Tok {
    Kind kind;
    bool integral;
    double num;
    std::string_view word;
};

// Units of volume, in cl per unit.
double unit_cl(std::string_view w) {
    if (w == "cl" || w == "centilitre" || w == "centilitres" || w == "cls") return 1;
    if (w == "l" || w == "litre" || w == "litres" || w == "liter" || w == "liters" || w == "lt" || w == "ltr" ||
        w == "ltrs" || w == "lts")
        return 100;
    if (w == "ml" || w == "millilitre" || w == "millilitres") return 0.1;
    if (w == "dl" || w == "decilitre" || w == "decilitres") return 10;
    return 0;
}

struct Format {
    const char* word;
    double cl;  // 0: needs an explicit volume (bag-in-box)
    const char* name;
    bool generic;  // plain bottle: a specific name wins over it
};

// Single-word container names (plural 's' is stripped before lookup).
constexpr Format kFormats[] = {
    {"demi", 37.5, "demi-bouteille", false},     {"fillette", 37.5, "fillette", false},
    {"piccolo", 20, "piccolo", false},           {"pot", 46, "pot lyonnais", false},
    {"clavelin", 62, "clavelin", false},         {"bouteille", 75, "bouteille", true},
    {"btl", 75, "bouteille", true},              {"btle", 75, "bouteille", true},
    {"bt", 75, "bouteille", true},               {"blle", 75, "bouteille", true},
    {"bout", 75, "bouteille", true},             {"bottle", 75, "bouteille", true},
    {"col", 75, "bouteille", true},              {"litre", 100, "litre", false},
    {"magnum", 150, "magnum", false},            {"mag", 150, "magnum", false},
    {"jeroboam", 300, "jeroboam", false},        {"jero", 300, "jeroboam", false},
    {"rehoboam", 450, "rehoboam", false},        {"imperiale", 600, "imperiale", false},
    {"imperial", 600, "imperiale", false},       {"mathusalem", 600, "mathusalem", false},
    {"methusalem", 600, "mathusalem", false},    {"methuselah", 600, "mathusalem", false},
    {"salmanazar", 900, "salmanazar", false},    {"balthazar", 1200, "balthazar", false},
    {"nabuchodonosor", 1500, "nabuchodonosor", false}, {"nebuchadnezzar", 1500, "nabuchodonosor", false},
    {"melchior", 1800, "melchior", false},       {"bib", 0, "bag-in-box", false},
    {"cubi", 0, "bag-in-box", false},            {"cubitainer", 0, "bag-in-box", false},
};

const Format* find_format(std::string_view w) {
    for (const auto& f : kFormats) {
        if (w == f.word) return &f;
    }
    if (w.size() > 3 && w.back() == 's') {
        std::string_view stem = w.substr(0, w.size() - 1);
        for (const auto& f : kFormats) {
            if (stem == f.word && stem != "litre") return &f;  // "litres" alone is a unit, not a bottle
        }
    }
    return nullptr;
}

constexpr Format kDoubleMagnum{"double magnum", 300, "double magnum", false};
constexpr Format kMarieJeanne{"marie jeanne", 225, "marie-jeanne", false};
constexpr Format kBagInBox{"bag in box", 0, "bag-in-box", false};

bool is_pack_word(std::string_view w) {
    static constexpr const char* kPack[] = {"caisse", "caisses", "carton", "cartons", "ct",     "cb",  "cbo",
                                            "coffret", "coffrets", "lot",   "lots",    "pack",   "packs", "colis",
                                            "cs",     "caissette", "owc",   "occ",     "case",   "boite", "box"};
    for (const char* p : kPack) {
        if (w == p) return true;
    }
    return false;
}

std::string fmt(double v) {
    char b[64];
    if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
        std::snprintf(b, sizeof b, "%.0f", v);
    } else {
        std::snprintf(b, sizeof b, "%.3f", v);
        std::string s(b);
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    }
    return b;
}

void tokenize(const std::string& s, std::vector<Tok>& toks) {
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const char c = s[i];
        if (normdetail::is_digit(c)) {
            double v = 0;
            std::size_t j = i;
            while (j < n && normdetail::is_digit(s[j])) v = v * 10 + (s[j++] - '0');
            bool integral = true;
            if (j + 1 < n && (s[j] == ',' || s[j] == '.') && normdetail::is_digit(s[j + 1])) {
                ++j;
                double scale = 0.1;
                while (j < n && normdetail::is_digit(s[j])) {
                    v += (s[j++] - '0') * scale;
                    scale /= 10;
                }
                integral = false;
            }
            if (integral && v == 1 && j + 1 < n && s[j] == '/' && s[j + 1] == '2' &&
                (j + 2 >= n || !normdetail::is_digit(s[j + 2]))) {
                toks.push_back(Tok{Kind::Word, false, 0, "demi"});  // "1/2 bouteille"
                i = j + 2;
                continue;
            }
            toks.push_back(Tok{Kind::Num, integral, v, {}});
            i = j;
        } else if (c >= 'a' && c <= 'z') {
            std::size_t j = i;
            while (j < n && s[j] >= 'a' && s[j] <= 'z') ++j;
            std::string_view w(s.data() + i, j - i);
            if (w == "x") {
                toks.push_back(Tok{Kind::X, false, 0, {}});
            } else {
                toks.push_back(Tok{Kind::Word, false, 0, w});
            }
            i = j;
        } else {
            if (c == '*') toks.push_back(Tok{Kind::X, false, 0, {}});
            ++i;
        }
    }
}

bool plausible_cl(double v) {
    return v == 20 || v == 25 || v == 35 || v == 37.5 || v == 50 || v == 62 || v == 70 || v == 75 || v == 100 ||
           v == 150 || v == 300;
}

}  // namespace

bool is_packaging_word(std::string_view word) {
    return unit_cl(word) > 0 || find_format(word) != nullptr || is_pack_word(word);
}

PackagingResult parse_packaging(std::string_view label) {
    PackagingResult res;
    std::string s;
    unaccent_append(label, s);
    for (char& c : s) {
        const auto uc = static_cast<unsigned char>(c);
        if (uc >= 0x80) {
            c = ' ';
        } else if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + 32);
        }
    }
    std::vector<Tok> t;
    t.reserve(16);
    tokenize(s, t);
    const std::size_t n = t.size();

    double volume = 0;  // from an explicit volume
    const Format* name = nullptr;
    double units = 1;
    bool have_count = false, bad_count = false;
    std::vector<bool> used(n, false);

    auto count = [&](std::size_t k) {
        if (used[k]) return;
        used[k] = true;
        if (!t[k].integral || t[k].num < 1 || t[k].num > 10000) {
            bad_count = true;
            return;
        }
        units *= t[k].num;
        have_count = true;
        if (units > 100000) bad_count = true;
    };
    auto is_word = [&](std::size_t k, const char* w) { return k < n && t[k].kind == Kind::Word && t[k].word == w; };

    for (std::size_t k = 0; k < n; ++k) {
        const Tok& tk = t[k];
        if (tk.kind == Kind::Num) {
            if (used[k]) continue;
            if (k + 1 < n && t[k + 1].kind == Kind::Word) {
                double u = unit_cl(t[k + 1].word);
                if (u > 0) {
                    used[k] = true;
                    if (volume == 0) volume = tk.num * u;
                    ++k;
                    continue;
                }
            }
            if (k + 1 < n && t[k + 1].kind == Kind::X) {
                count(k);
                continue;
            }
            if (k + 1 < n && t[k + 1].kind == Kind::Word) {
                const std::string_view w = t[k + 1].word;
                // "6 magnums" counts; "2015 magnum" is a vintage, not 2015 bottles
                if ((find_format(w) || w == "double" || w == "marie" || w == "bag") && tk.num < 1000) count(k);
            }
            // any other bare number (a vintage, a reference) is ignored
        } else if (tk.kind == Kind::X) {
            if (k + 1 < n && t[k + 1].kind == Kind::Num && !used[k + 1]) {
                const bool unit_follows = k + 2 < n && t[k + 2].kind == Kind::Word && unit_cl(t[k + 2].word) > 0;
                if (unit_follows) continue;  // "6x75cl": the volume is read at the number
                const bool count_before = k > 0 && t[k - 1].kind == Kind::Num && used[k - 1];
                if (count_before && plausible_cl(t[k + 1].num)) {  // "6 x 75"
                    used[k + 1] = true;
                    if (volume == 0) volume = t[k + 1].num;
                } else {  // "btl x 6"
                    count(k + 1);
                }
            }
        } else {
            const std::string_view w = tk.word;
            if (is_pack_word(w)) {
                std::size_t j = k + 1;
                if (is_word(j, "de") || is_word(j, "of") || is_word(j, "bois")) ++j;
                if (j < n && t[j].kind == Kind::Num) {
                    const bool unit_follows = j + 1 < n && t[j + 1].kind == Kind::Word && unit_cl(t[j + 1].word) > 0;
                    if (!unit_follows) count(j);
                }
                continue;
            }
            const Format* f = nullptr;
            if (w == "double" && k + 1 < n && t[k + 1].kind == Kind::Word && find_format(t[k + 1].word) &&
                find_format(t[k + 1].word)->cl == 150) {
                f = &kDoubleMagnum;
                ++k;
            } else if (w == "marie" && is_word(k + 1, "jeanne")) {
                f = &kMarieJeanne;
                ++k;
            } else if (w == "bag" && is_word(k + 1, "in") && is_word(k + 2, "box")) {
                f = &kBagInBox;
                k += 2;
            } else if (w == "baginbox") {
                f = &kBagInBox;
            } else {
                f = find_format(w);
                if (f && f->cl == 37.5 && std::string_view(f->word) == "demi" && k + 1 < n &&
                    t[k + 1].kind == Kind::Word) {
                    const Format* g = find_format(t[k + 1].word);
                    if (g && g->generic) ++k;  // "demi bouteille"
                }
                if (f && std::string_view(f->word) == "litre" && k > 0 && t[k - 1].kind == Kind::Num) f = nullptr;
            }
            if (f && (name == nullptr || (name->generic && !f->generic) || (f->cl == 0 && name->cl != 0))) name = f;
        }
    }

    if (bad_count) {
        res.reason = "invalid pack size in " + normdetail::quote_excerpt(label);
        return res;
    }
    const bool is_bib = name && name->cl == 0;
    double vol = volume > 0 ? volume : (name && !is_bib ? name->cl : 0);
    if (is_bib && volume <= 0) {
        res.reason = "bag-in-box without its volume (e.g. \"BIB 3L\") in " + normdetail::quote_excerpt(label);
        return res;
    }
    if (vol <= 0) {
        if (!have_count) {
            res.reason = "no volume, bottle format or pack size recognised in " + normdetail::quote_excerpt(label);
            return res;
        }
        vol = 75;  // "caisse 6": a pack of standard bottles
    }
    if (!(vol <= 100000)) {
        res.reason = "volume out of range in " + normdetail::quote_excerpt(label);
        return res;
    }
    Packaging p;
    p.units = units;
    p.volume_cl = vol;
    p.bottles_75cl = units * vol / 75.0;
    if (units != 1) {
        p.rule = "pack " + fmt(units) + "x" + fmt(vol) + "cl";
        if (name && !name->generic && volume <= 0) p.rule += std::string(" (") + name->name + ")";
    } else if (is_bib) {
        p.rule = "bag-in-box " + fmt(vol) + "cl";
    } else if (volume > 0) {
        p.rule = "volume " + fmt(vol) + "cl";
    } else if (name) {
        p.rule = std::string(name->name) + " " + fmt(vol) + "cl";
    } else {
        p.rule = "pack 1x" + fmt(vol) + "cl";  // "lot de 1", "x1"
    }
    if (name && std::string_view(name->word).substr(0, 4) == "jero" && volume <= 0)
        p.rule += " (Champagne/Burgundy jeroboam; a Bordeaux jeroboam is 450cl: give the volume)";
    res.value = std::move(p);
    return res;
}

}  // namespace crm
