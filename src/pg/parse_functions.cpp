// crm_parse_number, crm_parse_date, crm_parse_timestamp and their _explain
// companions: French numbers and dates as exports write them. A value that
// cannot be read gives NULL (never a guess); _explain says why.
#include <string>

#include "core/error.hpp"
#include "core/french_date.hpp"
#include "core/french_number.hpp"
#include "pg/datum.hpp"

namespace {

using crm::pg::make_text;
using crm::pg::text_arg;

// The optional second argument: NULL or absent means "infer".
std::string_view option_arg(FunctionCallInfo fcinfo, int n) {
    return PG_NARGS() > n && !PG_ARGISNULL(n) ? text_arg(fcinfo, n) : std::string_view();
}

char decimal_option(std::string_view decimal) {
    if (decimal.empty()) return 0;
    if (decimal == "," || decimal == ".") return decimal[0];
    throw crm::Error(crm::sqlstate::kInvalidParameterValue, "decimal separator must be ',' or '.', not \"" +
                                                                 std::string(decimal) + "\"");
}

Datum parse_number_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();  // declared CALLED ON NULL INPUT for its DEFAULT NULL option
    std::string_view text = text_arg(fcinfo, 0);
    std::string_view decimal = option_arg(fcinfo, 1);
    crm::NumberResult parsed = crm::parse_number(text, decimal_option(decimal));
    if (!parsed.value) PG_RETURN_NULL();
    return crm::pg::make_numeric(*parsed.value);
}

Datum parse_number_explain_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();  // declared CALLED ON NULL INPUT for its DEFAULT NULL option
    std::string_view text = text_arg(fcinfo, 0);
    std::string_view decimal = option_arg(fcinfo, 1);
    crm::NumberResult parsed = crm::parse_number(text, decimal_option(decimal));
    return make_text(parsed.value ? "number " + *parsed.value : parsed.reason);
}

Datum parse_date_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();  // declared CALLED ON NULL INPUT for its DEFAULT NULL option
    std::string_view text = text_arg(fcinfo, 0);
    std::string_view format = option_arg(fcinfo, 1);
    crm::DateResult parsed = crm::parse_date(text, format);
    DateADT date;
    if (!parsed.value || !crm::pg::to_date_adt(*parsed.value, &date)) PG_RETURN_NULL();
    PG_RETURN_DATEADT(date);
}

Datum parse_timestamp_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();  // declared CALLED ON NULL INPUT for its DEFAULT NULL option
    std::string_view text = text_arg(fcinfo, 0);
    std::string_view format = option_arg(fcinfo, 1);
    crm::TimestampResult parsed = crm::parse_timestamp(text, format);
    ::Timestamp ts;
    if (!parsed.value || !crm::pg::to_timestamp(*parsed.value, &ts)) PG_RETURN_NULL();
    PG_RETURN_TIMESTAMP(ts);
}

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

Datum parse_date_explain_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();  // declared CALLED ON NULL INPUT for its DEFAULT NULL option
    std::string_view text = text_arg(fcinfo, 0);
    std::string_view format = option_arg(fcinfo, 1);
    crm::DateResult parsed = crm::parse_date(text, format);
    if (!parsed.value) return make_text(parsed.reason);
    const crm::Date& d = *parsed.value;
    DateADT ignored;
    if (!crm::pg::to_date_adt(d, &ignored)) return make_text("date out of PostgreSQL's range");
    return make_text("date " + std::to_string(d.year) + "-" + two_digits(d.month) + "-" + two_digits(d.day));
}

}  // namespace

CRM_SQL_FUNCTION(crm_parse_number, parse_number_impl)
CRM_SQL_FUNCTION(crm_parse_number_explain, parse_number_explain_impl)
CRM_SQL_FUNCTION(crm_parse_date, parse_date_impl)
CRM_SQL_FUNCTION(crm_parse_date_explain, parse_date_explain_impl)
CRM_SQL_FUNCTION(crm_parse_timestamp, parse_timestamp_impl)
