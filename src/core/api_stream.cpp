#include "core/api_stream.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/json_writer.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

std::string human_bytes(std::uint64_t bytes) {
    char buffer[32];
    if (bytes >= (1u << 20)) std::snprintf(buffer, sizeof buffer, "%.1f MB", bytes / 1048576.0);
    else if (bytes >= 1024) std::snprintf(buffer, sizeof buffer, "%.1f kB", bytes / 1024.0);
    else std::snprintf(buffer, sizeof buffer, "%llu bytes", static_cast<unsigned long long>(bytes));
    return buffer;
}

}  // namespace

ApiRecordStream::ApiRecordStream(ApiReader& reader, HttpClient& client)
    : reader_(reader), client_(client), started_ms_(now_ms()) {}

bool ApiRecordStream::fetch_page() {
    // Odoo's login step answers with no records: keep asking until a page
    // has some, or the connector says the resource is exhausted.
    while (reader_.next_request(request_)) {
        response_ = client_.perform(request_);
        page_ = reader_.on_response(response_, document_);
        at_ = page_.begin();
        end_ = page_.end();
        if (at_ != end_) return page_open_ = true;
    }
    finished_ms_ = now_ms();
    return page_open_ = false;
}

bool ApiRecordStream::next(simdjson::dom::element& record) {
    if (!page_open_ || !(at_ != end_)) {
        if (!fetch_page()) return false;
    }
    record = *at_;
    ++at_;
    return true;
}

ApiReadStats ApiRecordStream::stats() const {
    ApiReadStats s;
    s.pages = reader_.pages();
    s.records = reader_.records();
    for (const HttpAttempt& a : client_.attempts()) {
        ++s.requests;
        s.bytes += a.bytes;
        s.waited_ms += a.waited_ms;
        if (a.retry_reason.empty()) continue;
        ++s.retries;
        if (std::find(s.reasons.begin(), s.reasons.end(), a.retry_reason) == s.reasons.end())
            s.reasons.push_back(a.retry_reason);
    }
    s.ms = (finished_ms_ > 0 ? finished_ms_ : now_ms()) - started_ms_;
    return s;
}

std::string describe_read(const std::string& what, const ApiReadStats& s) {
    std::string out = what + ": " + std::to_string(s.records) + " records, " + std::to_string(s.pages) +
                      (s.pages == 1 ? " page, " : " pages, ") + std::to_string(s.requests) +
                      (s.requests == 1 ? " request" : " requests");
    if (s.retries > 0) {
        out += " (" + std::to_string(s.retries) + (s.retries == 1 ? " retry: " : " retries: ");
        for (size_t i = 0; i < s.reasons.size(); ++i) out += (i ? ", " : "") + s.reasons[i];
        out += ")";
    }
    char timing[64];
    std::snprintf(timing, sizeof timing, ", %.0f ms", s.ms);
    return out + ", " + human_bytes(s.bytes) + timing;
}

std::string read_stats_json(const ApiReadStats& s) {
    JsonWriter json;
    json.begin_object();
    json.key("records").value(static_cast<std::uint64_t>(s.records));
    json.key("pages").value(s.pages);
    json.key("requests").value(s.requests);
    json.key("retries").value(s.retries);
    json.key("retry_reasons").begin_array();
    for (const std::string& r : s.reasons) json.value(r);
    json.end_array();
    json.key("bytes").value(static_cast<std::uint64_t>(s.bytes));
    json.key("waited_ms").value(static_cast<std::int64_t>(s.waited_ms));
    json.key("ms").value(static_cast<std::int64_t>(s.ms));
    json.end_object();
    return json.take();
}

ApiTableSource::ApiTableSource(ApiRecordStream& stream, std::vector<JsonColumn> columns, std::string description)
    : stream_(stream), mapper_(std::move(columns)) {
    for (const JsonColumn& c : mapper_.columns()) header_.push_back(c.name);
    file_name_ = std::move(description);
    // API values are JSON: '.' decimals, ISO dates, timestamps that say their zone.
    conventions_.decimal = '.';
    conventions_.date_format = "YMD";
    conventions_.zoned_timestamps = true;
}

bool ApiTableSource::next(SourceRow& row) {
    if (!stream_.next(record_)) return false;
    mapper_.map(record_, values_);
    row.fields.resize(values_.size());
    row.kinds.resize(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
        const MappedValue& v = values_[i];
        row.fields[i] = v.text;
        row.kinds[i] = v.null ? FieldKind::Null
                       : v.number ? FieldKind::Number
                       : v.boolean ? FieldKind::Boolean
                                   : FieldKind::Text;
    }
    row.record = ++records_;
    row.line = records_;
    return true;
}

std::string ApiTableSource::raw_text(const SourceRow&) const { return minified(record_); }

std::string ApiTableSource::describe_json() {
    JsonWriter json;
    json.begin_object().key("source").value(file_name_).key("columns").begin_array();
    for (const std::string& name : header_) json.value(name);
    json.end_array().end_object();
    return json.take();
}

}  // namespace crm
