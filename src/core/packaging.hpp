// Packaging labels -> number of 75 cl bottle equivalents. See docs/normalization.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

struct Packaging {
    double units;         // containers in the pack (1 for a single bottle)
    double volume_cl;     // volume of one container
    double bottles_75cl;  // units * volume_cl / 75
    std::string rule;     // what was recognised, e.g. "pack 6x75cl", "magnum 150cl"
};

struct PackagingResult {
    std::optional<Packaging> value;
    std::string reason;  // set when !value
};

// "6x75cl" -> 6, "magnum" -> 2, "BIB 3L" -> 4, "demi" -> 0.5, "carton 6 magnums" -> 12.
// A label with no volume, bottle name or pack size is NOT one bottle: value
// is empty and reason says why.
PackagingResult parse_packaging(std::string_view label);

// True for a word of the packaging vocabulary above (lower case, no
// accents): a unit ("cl", "litres"), a container ("magnum", "btl", "bib"),
// a pack ("caisse", "carton"). Product names carry them; a cuvée does not.
bool is_packaging_word(std::string_view word);

}  // namespace crm
