// SQL functions over the text normalisation of src/core: accents, matching
// keys, column names, e-mails, phones, product keys, cuvée families. All IMMUTABLE and PARALLEL SAFE; the
// readers and the sync call the same core functions directly.
#include <cstring>
#include <optional>
#include <string>

#include "core/contact.hpp"
#include "core/cuvee_family.hpp"
#include "core/product_key.hpp"
#include "core/text_key.hpp"
#include "core/unaccent.hpp"
#include "pg/datum.hpp"

namespace {

using crm::pg::make_text;
using crm::pg::text_arg;

// One reused output buffer: these functions run once per row, and the
// backend runs one of them at a time.
std::string& scratch() {
    static std::string buffer;
    buffer.clear();
    return buffer;
}

Datum unaccent_impl(FunctionCallInfo fcinfo) {
    std::string_view in = text_arg(fcinfo, 0);
    std::string& out = scratch();
    crm::unaccent_append(in, out);
    // Unchanged input (plain ASCII, most of the time): hand back the argument.
    if (out.size() == in.size() && std::memcmp(out.data(), in.data(), in.size()) == 0) return PG_GETARG_DATUM(0);
    return make_text(out);
}

Datum normalize_key_impl(FunctionCallInfo fcinfo) {
    std::string_view in = text_arg(fcinfo, 0);
    return make_text(crm::normalize_key(in));
}

Datum normalize_column_name_impl(FunctionCallInfo fcinfo) {
    std::string_view in = text_arg(fcinfo, 0);
    return make_text(crm::normalize_column_name(in));
}

Datum normalize_email_impl(FunctionCallInfo fcinfo) {
    std::string_view in = text_arg(fcinfo, 0);
    std::optional<std::string> email = crm::normalize_email(in);
    if (!email) PG_RETURN_NULL();
    return make_text(*email);
}

Datum normalize_phone_impl(FunctionCallInfo fcinfo) {
    std::string_view in = text_arg(fcinfo, 0);
    std::string_view country = PG_NARGS() > 1 ? text_arg(fcinfo, 1) : std::string_view("FR");
    std::optional<std::string> phone = crm::normalize_phone(in, country);
    if (!phone) PG_RETURN_NULL();
    return make_text(*phone);
}

// Not STRICT: a missing code, vintage or volume is part of the recipe.
Datum product_key_impl(FunctionCallInfo fcinfo) {
    std::string_view code = PG_ARGISNULL(0) ? std::string_view() : text_arg(fcinfo, 0);
    std::string_view name = PG_ARGISNULL(1) ? std::string_view() : text_arg(fcinfo, 1);
    std::string_view vintage = PG_ARGISNULL(2) ? std::string_view() : text_arg(fcinfo, 2);
    double volume_cl = PG_ARGISNULL(3) ? 0.0 : PG_GETARG_FLOAT8(3);
    if (code.empty() && name.empty()) PG_RETURN_NULL();
    return make_text(crm::product_key(code, name, vintage, volume_cl));
}

Datum cuvee_family_impl(FunctionCallInfo fcinfo) {
    return make_text(crm::cuvee_family(text_arg(fcinfo, 0)));
}

}  // namespace

CRM_SQL_FUNCTION(crm_cuvee_family, cuvee_family_impl)
CRM_SQL_FUNCTION(crm_unaccent, unaccent_impl)
CRM_SQL_FUNCTION(crm_normalize_key, normalize_key_impl)
CRM_SQL_FUNCTION(crm_normalize_column_name, normalize_column_name_impl)
CRM_SQL_FUNCTION(crm_normalize_email, normalize_email_impl)
CRM_SQL_FUNCTION(crm_normalize_phone, normalize_phone_impl)
CRM_SQL_FUNCTION(crm_product_key, product_key_impl)
