// libFuzzer target: every normalisation function on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/contact.hpp"
#include "core/french_date.hpp"
#include "core/french_number.hpp"
#include "core/packaging.hpp"
#include "core/product_key.hpp"
#include "core/text_key.hpp"
#include "core/unaccent.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    // The first byte picks options; the rest is the text.
    const unsigned sel = size ? data[0] : 0;
    std::string_view text = size ? in.substr(1) : in;

    std::string u = crm::unaccent(text);
    std::string out = "p";
    crm::unaccent_append(text, out);
    if (out.size() != u.size() + 1) __builtin_trap();

    std::string k = crm::normalize_key(text);
    if (crm::normalize_key(k) != k) __builtin_trap();  // a key is a fixed point
    (void)crm::normalize_column_name(text);

    auto p = crm::parse_packaging(text);
    if (!p.value && p.reason.empty()) __builtin_trap();

    static const char kDec[] = {0, ',', '.'};
    auto n = crm::parse_number(text, kDec[sel % 3]);
    if (!n.value && n.reason.empty()) __builtin_trap();

    static const char* kFormats[] = {"", "DMY", "MDY", "YMD", "excel", "excel1904", "dd/mm/yyyy", "yyyy-mm-ddThh:mi:ss",
                                     "dd mon yyyy hh:mm"};
    const char* fmt = kFormats[(sel / 3) % 9];
    auto d = crm::parse_date(text, fmt);
    if (d.value && !crm::valid_date(d.value->year, d.value->month, d.value->day)) __builtin_trap();
    auto t = crm::parse_timestamp(text, fmt);
    if (t.value && (t.value->hour > 23 || t.value->minute > 59 || t.value->second >= 60)) __builtin_trap();
    (void)crm::parse_date(text, text);  // the input as a pattern, too

    (void)crm::normalize_email(text);
    static const char* kCountries[] = {"FR", "BE", "CH", "DE", "IT", "ES", "GB", "LU", "NL", "US", "XX"};
    (void)crm::normalize_phone(text, kCountries[sel % 11]);

    std::size_t half = text.size() / 2;
    (void)crm::product_key(text.substr(0, half / 2), text.substr(half), text.substr(half / 2, half - half / 2),
                           static_cast<double>(sel) - 10.5);
    return 0;
}
