// The cuvée a product belongs to, whatever its vintage or format:
// "Riesling Grand Cru 2019" and "Riesling Grand Cru 2021 Magnum" are the
// same cuvée. Recommendations propose at most one product per cuvée, and a
// cuvée just bought is not proposed again in another vintage.
#pragma once

#include <string>
#include <string_view>

namespace crm {

// normalize_key(name) without vintages (1900-2099), "nm", volumes ("75cl",
// "37 5cl", "6x75cl") and packaging words ("magnum", "caisse", "btl").
// A name made only of those keeps its plain key.
std::string cuvee_family(std::string_view name);

}  // namespace crm
