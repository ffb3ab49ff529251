// Conversions between Datums and core types. Functions named make_* run
// their PostgreSQL calls under guard(), so they may be called while C++
// objects are alive.
#pragma once

#include <string>
#include <string_view>

#include "core/french_date.hpp"
#include "pg/boundary.hpp"

namespace crm::pg {

// The bytes of a text argument. Call before creating C++ objects (it may
// detoast, which may raise a PostgreSQL error).
inline std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
    text* t = PG_GETARG_TEXT_PP(n);
    return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

// A jsonb argument as JSON text (palloc'd); "{}" when NULL. Call before
// creating C++ objects (it may detoast).
inline const char* jsonb_text_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return "{}";
    Jsonb* value = PG_GETARG_JSONB_P(n);
    return JsonbToCString(nullptr, &value->root, static_cast<int>(VARSIZE(value)));
}

Datum make_text(std::string_view s);
Datum make_jsonb(const std::string& json);  // json must be valid JSON text
Datum make_numeric(const std::string& canonical);  // "-1234.56", as core/french_number writes it

// Calendar values to DateADT / Timestamp; false when out of PostgreSQL's range.
bool to_date_adt(const crm::Date& d, DateADT* out) noexcept;
bool to_timestamp(const crm::Timestamp& t, ::Timestamp* out) noexcept;

}  // namespace crm::pg
