// Stable product keys. See docs/normalization.md, "Product key".
#pragma once

#include <string>
#include <string_view>

namespace crm {

// code non-empty -> "p-" + normalize_key(code) with spaces -> '-';
// else "n-" + normalize_key(name) words joined by '-' + "-" + vintage (4
// digits or "nv") + "-" + volume in whole cl (rounded; "x" when volume_cl <= 0
// or not finite). "" when both code and name normalise to nothing.
std::string product_key(std::string_view code, std::string_view name, std::string_view vintage, double volume_cl);

}  // namespace crm
