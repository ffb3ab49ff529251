// APIs as foreign-like tables: crm_read_api (records as jsonb),
// crm_read_api_rows (typed rows for a column definition list),
// crm_source_test (one page, in plain words), the config check behind
// crm_source_add, and the one write: crm._brevo_import. The connector (core/api_connector) decides requests and
// judges responses, the HTTP client (core/http_client) sends them under
// crm.allowed_hosts, and rows stream into the function's tuplestore one page
// at a time.
#include <memory>
#include <string>
#include <vector>

#include "core/api_connector.hpp"
#include "core/api_stream.hpp"
#include "core/brevo_import.hpp"
#include "core/error.hpp"
#include "core/export_source.hpp"
#include "core/http_client.hpp"
#include "core/json_writer.hpp"
#include "core/read_options.hpp"
#include "core/url_policy.hpp"
#include "pg/api_source.hpp"
#include "pg/batch_memory.hpp"
#include "pg/datum.hpp"
#include "pg/file_access.hpp"
#include "pg/reject_log.hpp"
#include "pg/row_reader.hpp"
#include "pg/settings.hpp"

namespace {

using crm::pg::text_arg;

crm::HttpLimits limits_for(const crm::ApiConfig& config) {
    crm::HttpLimits limits;
    limits.timeout_ms = config.timeout_ms;
    limits.max_retries = config.max_retries;
    limits.max_retry_wait_s = config.max_retry_wait_ms / 1000.0;
    limits.max_body_bytes = static_cast<std::size_t>(crm::pg::settings.max_response_size_mb) << 20;
    if (crm::pg::settings.ca_file) limits.ca_file = crm::pg::settings.ca_file;
    return limits;
}

// The requests of this backend's last API call, kept for crm_api_requests()
// (what did that failed read do?). Attempts hold no header, body or secret.
struct LastCall {
    std::string source;
    std::string resource;
    std::vector<crm::HttpAttempt> attempts;
};
LastCall last_call;

// Everything one API call needs, built from the source's row and secret.
struct ApiCall {
    crm::pg::SourceDefinition source;
    crm::ApiConfig config;
    crm::HttpClient client;
    std::unique_ptr<crm::ApiReader> reader;
    std::string written;  // the resource a write went to ("brevo contacts/import"), for crm_api_requests()

    explicit ApiCall(const std::string& name)
        : source(crm::pg::load_source(name)),
          config(crm::parse_api_config(source.kind, source.config_json)),
          client(crm::pg::allowed_host_rules(), limits_for(config)) {
        client.set_rate_limit(config.rate_limit_per_s, config.rate_burst);
    }
    ApiCall(const ApiCall&) = delete;
    ApiCall& operator=(const ApiCall&) = delete;
    // Runs on success and while an error unwinds: both are worth keeping.
    ~ApiCall() {
        try {
            last_call = LastCall{source.name, reader ? reader->describe() : written, client.attempts()};
        } catch (...) {
            last_call = LastCall{};  // out of memory: forget rather than fail in a destructor
        }
    }
    void open(std::string_view resource, std::string_view options_json) {
        reader = std::make_unique<crm::ApiReader>(config, secret(), resource, options_json);
    }
    // The secret the config names; a name with no value set is refused here
    // rather than sent to the server as an empty key.
    std::string secret() const {
        std::string value = crm::pg::read_secret(config.secret_name);
        if (value.empty() && !config.secret_name.empty())
            throw crm::Error(crm::sqlstate::kInvalidAuthorization,
                             "secret \"" + config.secret_name + "\" of source \"" + source.name + "\" is not set", "",
                             "An admin sets it with crm_secret_set('" + config.secret_name + "', ...).");
        return value;
    }
    std::string what() const { return source.name + " (" + reader->describe() + ")"; }
};

void notice_summary(const std::string& function, const std::string& summary) {
    std::string line = function + ": " + summary;
    const char* text = line.c_str();
    crm::pg::guard([&] { ereport(NOTICE, (errmsg_internal("%s", text))); });
}

// What crm_source_add warns about (errors are thrown): a directory or host
// the settings do not allow yet, a secret not set yet.
std::vector<std::string> export_source_warnings(const char* config_json) {
    crm::ExportSourceConfig config = crm::parse_export_source_config(config_json);
    std::vector<std::string> warnings;
    try {
        crm::list_directory(config.directory, crm::pg::read_policy());
    } catch (const crm::Error& e) {
        warnings.push_back(e.what());
    }
    return warnings;
}

// A file that cannot be opened yet (not in crm.allowed_read_paths, not
// there) is a warning: the admin may add it before the first sync.
std::vector<std::string> files_source_warnings(const char* config_json) {
    crm::FilesSourceConfig config = crm::parse_files_source_config(config_json);
    std::vector<std::string> warnings;
    for (const crm::ExportFileSpec& file : config.files)
        for (const std::string* path : {&file.path, &file.ids_path}) {
            if (path->empty()) continue;
            try {
                crm::pg::open_allowed_file(*path);
            } catch (const crm::Error& e) {
                warnings.push_back(e.what());
            }
        }
    return warnings;
}

std::vector<std::string> api_source_warnings(std::string_view kind, const char* config_json) {
    crm::ApiConfig config = crm::parse_api_config(kind, config_json);
    std::vector<std::string> warnings;
    try {
        crm::check_url(config.url, crm::pg::allowed_host_rules());
    } catch (const crm::Error& e) {
        if (std::string_view(e.sqlstate()) != crm::sqlstate::kInsufficientPrivilege) throw;
        warnings.push_back(e.what());
    }
    if (!config.secret_name.empty() && !crm::pg::secret_exists(config.secret_name))
        warnings.push_back("secret \"" + config.secret_name + "\" is not set yet: crm_secret_set('" +
                           config.secret_name + "', ...)");
    return warnings;
}

Datum source_check_impl(FunctionCallInfo fcinfo) {
    std::string_view kind = text_arg(fcinfo, 0);
    const char* config_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    std::vector<std::string> warnings = kind == "isavigne" ? export_source_warnings(config_json)
                                        : kind == "files"  ? files_source_warnings(config_json)
                                                           : api_source_warnings(kind, config_json);
    crm::JsonWriter json;
    json.begin_array();
    for (const std::string& w : warnings) json.value(w);
    json.end_array();
    return crm::pg::make_jsonb(json.str());
}

Datum source_test_impl(FunctionCallInfo fcinfo) {
    std::string name(text_arg(fcinfo, 0));
    crm::JsonWriter json;
    json.begin_object().key("source").value(name);
    std::unique_ptr<ApiCall> call;
    try {
        call = std::make_unique<ApiCall>(name);
        json.key("kind").value(call->source.kind);
        json.key("url").value(call->config.url);
        call->reader = std::make_unique<crm::ApiReader>(
            crm::probe_reader(call->config, call->secret()));
        crm::ApiRecordStream stream(*call->reader, call->client);
        simdjson::dom::element record;
        while (stream.next(record)) {
        }
        crm::ApiReadStats stats = stream.stats();
        json.key("ok").value(true);
        json.key("records").value(static_cast<std::uint64_t>(stats.records));
        json.key("requests").value(stats.requests);
        json.key("ms").value(static_cast<std::int64_t>(stats.ms));
    } catch (const crm::Error& e) {
        // A failed test is an answer, not an error: say what failed.
        json.key("ok").value(false);
        json.key("error").value(e.what());
        if (!e.hint().empty()) json.key("hint").value(e.hint());
        json.key("sqlstate").value(e.sqlstate());
        if (call) json.key("requests").value(static_cast<int>(call->client.attempts().size()));
    }
    json.end_object();
    return crm::pg::make_jsonb(json.str());
}

// The frame both readers share: arguments, the source's call and its record
// stream, then the NOTICE summary. `consume` fills the tuplestore.
template <typename Consume>
Datum read_api_with(FunctionCallInfo fcinfo, const char* function, Consume&& consume) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::string name(text_arg(fcinfo, 0));
    std::string_view resource = text_arg(fcinfo, 1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);

    ApiCall call(name);
    call.open(resource, options_json);
    crm::ApiRecordStream stream(*call.reader, call.client);
    consume(rsinfo, stream, call.what(), options_json);
    notice_summary(function, crm::describe_read(call.what(), stream.stats()));
    return static_cast<Datum>(0);
}

// crm_read_api: every record as jsonb.
Datum read_api_impl(FunctionCallInfo fcinfo) {
    return read_api_with(fcinfo, "crm_read_api", [](ReturnSetInfo* rsinfo, crm::ApiRecordStream& stream,
                                                     const std::string&, const char*) {
        constexpr size_t kBatch = 512;
        std::vector<std::string> documents(kBatch);
        simdjson::dom::element record;
        crm::pg::BatchMemory memory;
        for (;;) {
            size_t ready = 0;
            while (ready < kBatch && stream.next(record)) documents[ready++] = crm::minified(record);
            if (ready == 0) break;
            crm::pg::guard([&] {
                memory.rows([&] {
                    for (size_t i = 0; i < ready; ++i) {
                        Datum value = DirectFunctionCall1(jsonb_in, CStringGetDatum(documents[i].c_str()));
                        bool isnull = false;
                        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
                    }
                });
            });
        }
    });
}

// The kind of value each output column takes from JSON.
std::vector<std::pair<std::string, crm::JsonColumnKind>> output_columns(TupleDesc desc) {
    std::vector<std::pair<std::string, crm::JsonColumnKind>> out;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (attr->attisdropped) continue;
        crm::JsonColumnKind kind = attr->atttypid == BOOLOID                                  ? crm::JsonColumnKind::Boolean
                                   : attr->atttypid == JSONBOID || attr->atttypid == JSONOID ? crm::JsonColumnKind::Json
                                                                                             : crm::JsonColumnKind::Text;
        out.emplace_back(NameStr(attr->attname), kind);
    }
    return out;
}

// crm_read_api_rows: typed rows through the readers' RowReader.
Datum read_api_rows_impl(FunctionCallInfo fcinfo) {
    return read_api_with(fcinfo, "crm_read_api_rows", [](ReturnSetInfo* rsinfo, crm::ApiRecordStream& stream,
                                                          const std::string& what, const char* options_json) {
        crm::ApiTableSource source(
            stream, crm::json_columns(output_columns(rsinfo->setDesc), crm::member_json(options_json, "fields")), what);
        crm::ReadOptions options;
        options.nulls.clear();  // an empty JSON string is an empty string; absence is null
        crm::pg::RejectLog rejects(source.file_name(), crm::OnError::Stop, std::nullopt);
        crm::pg::RowReader reader(source, rsinfo->setDesc, options, rejects, false);
        while (reader.read_batch()) {
            reader.emit([&](Datum* values, bool* nulls) {
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            });
        }
    });
}

// crm._brevo_import: one contacts import of crm_push_recommendations
// through a brevo source (ApiWriter), returning {"status", "body",
// "requests", "retries", "ms"}. The body is built here from the contacts
// (core/brevo_import), never taken from the caller: crm_runner may set
// pg_crm's RECO_* attributes with the admin's key, not post anything else.
Datum brevo_import_impl(FunctionCallInfo fcinfo) {
    std::string_view name_arg = text_arg(fcinfo, 0);
    const char* contacts_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 2);
    std::string name(name_arg);
    std::string out;
    {
        ApiCall call(name);
        crm::ApiWriter writer(call.config, call.secret(), "contacts/import");
        call.written = writer.describe();
        crm::HttpResponse response =
            call.client.perform(writer.request(crm::brevo_import_body(contacts_json, options_json)));
        crm::JsonDocument document;
        simdjson::dom::element answer = writer.on_response(response, document);
        const std::vector<crm::HttpAttempt>& attempts = call.client.attempts();
        double ms = 0;
        for (const crm::HttpAttempt& a : attempts) ms += a.ms + a.waited_ms;
        out = "{\"status\":" + std::to_string(response.status) + ",\"body\":" + crm::minified(answer) +
              ",\"requests\":" + std::to_string(attempts.size()) +
              ",\"retries\":" + std::to_string(attempts.size() - 1) +
              ",\"ms\":" + std::to_string(static_cast<long long>(ms)) + "}";
    }
    return crm::pg::make_jsonb(out);
}

Datum api_requests_impl(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const LastCall& call = last_call;
    crm::pg::guard([&] {
        int32 request = 0;
        for (const crm::HttpAttempt& a : call.attempts) {
            if (a.attempt == 1) ++request;
            Datum values[9] = {
                PointerGetDatum(cstring_to_text_with_len(call.source.data(), static_cast<int>(call.source.size()))),
                PointerGetDatum(cstring_to_text_with_len(call.resource.data(), static_cast<int>(call.resource.size()))),
                Int32GetDatum(request),
                Int32GetDatum(a.attempt),
                Int32GetDatum(static_cast<int32>(a.status)),
                Int64GetDatum(static_cast<int64>(a.bytes)),
                Float8GetDatum(a.ms),
                Float8GetDatum(a.waited_ms),
                PointerGetDatum(cstring_to_text_with_len(a.retry_reason.data(), static_cast<int>(a.retry_reason.size())))};
            bool nulls[9] = {};
            nulls[4] = a.status == 0;
            nulls[8] = a.retry_reason.empty();
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
    return static_cast<Datum>(0);
}

}  // namespace

CRM_SQL_FUNCTION(crm_api_requests, api_requests_impl)
CRM_SQL_FUNCTION(crm_brevo_import, brevo_import_impl)
CRM_SQL_FUNCTION(crm_source_check, source_check_impl)
CRM_SQL_FUNCTION(crm_source_test, source_test_impl)
CRM_SQL_FUNCTION(crm_read_api, read_api_impl)
CRM_SQL_FUNCTION(crm_read_api_rows, read_api_rows_impl)
