#include "pg/datum.hpp"

namespace crm::pg {

Datum make_text(std::string_view s) {
    Datum d = 0;
    guard([&] { d = PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
    return d;
}

Datum make_jsonb(const std::string& json) {
    Datum d = 0;
    guard([&] { d = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
    return d;
}

}  // namespace crm::pg
