// crm._brevo_import_body: the contacts import body of a batch of
// crm_push_recommendations (core/brevo_import), as jsonb: what a dry run
// shows. The push itself is SQL (src/sql/89_brevo_push.sql) and sends with
// crm._brevo_import (src/pg/api_functions.cpp, beside the API readers).
#include <string>

#include "core/brevo_import.hpp"
#include "pg/datum.hpp"

namespace {

Datum brevo_import_body_impl(FunctionCallInfo fcinfo) {
    const char* contacts_json = crm::pg::jsonb_text_arg(fcinfo, 0);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    return crm::pg::make_jsonb(crm::brevo_import_body(contacts_json, options_json));
}

}  // namespace

CRM_SQL_FUNCTION(crm_brevo_import_body, brevo_import_body_impl)
