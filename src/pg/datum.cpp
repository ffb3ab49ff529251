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

Datum make_numeric(const std::string& canonical) {
    Datum d = 0;
    guard([&] {
        d = DirectFunctionCall3(numeric_in, CStringGetDatum(canonical.c_str()), ObjectIdGetDatum(InvalidOid),
                                Int32GetDatum(-1));
    });
    return d;
}

bool to_date_adt(const crm::Date& d, DateADT* out) noexcept {
    // date2j is plain arithmetic; the range check mirrors date_in's.
    if (d.year < -4713 || d.year > 5874897) return false;
    int julian = date2j(d.year, d.month, d.day);
    if (!IS_VALID_JULIAN(d.year, d.month, d.day)) return false;
    *out = julian - POSTGRES_EPOCH_JDATE;
    return IS_VALID_DATE(*out);
}

bool to_timestamp(const crm::Timestamp& t, ::Timestamp* out) noexcept {
    DateADT day;
    if (!to_date_adt(t.date, &day)) return false;
    double seconds = t.hour * 3600.0 + t.minute * 60.0 + t.second;
    if (seconds < 0 || seconds > 86400.0) return false;
    ::Timestamp ts = static_cast<::Timestamp>(day) * USECS_PER_DAY + static_cast<::Timestamp>(seconds * USECS_PER_SEC + 0.5);
    if (!IS_VALID_TIMESTAMP(ts)) return false;
    *out = ts;
    return true;
}

}  // namespace crm::pg
