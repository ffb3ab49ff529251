// crm_version() and crm_build_info(): what is running, for an admin in psql.
#include "core/build_info.hpp"
#include "core/json_writer.hpp"
#include "pg/datum.hpp"

namespace {

Datum version_impl(FunctionCallInfo) { return crm::pg::make_text(crm::kVersion); }

Datum build_info_impl(FunctionCallInfo) {
    crm::JsonWriter json;
    json.begin_object();
    for (const auto& [key, value] : crm::build_info()) json.key(key).value(value);
    json.key("postgresql").value(PG_VERSION_STR);
    json.end_object();
    return crm::pg::make_jsonb(json.str());
}

}  // namespace

CRM_SQL_FUNCTION(crm_version, version_impl)
CRM_SQL_FUNCTION(crm_build_info, build_info_impl)
