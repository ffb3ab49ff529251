// An API resource read as a stream of records, and as a table: the connector
// (ApiReader) decides each request and judges each response, the HTTP client
// sends it, and records are handed out one at a time from the decoded page.
// Only one page is in memory at a time, so a read of any length stays
// bounded by crm.max_response_size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/api_connector.hpp"
#include "core/http_client.hpp"
#include "core/json_records.hpp"
#include "core/table_source.hpp"

namespace crm {

// What one read did, for the NOTICE summary and a sync's result. No header,
// body or secret.
struct ApiReadStats {
    int pages = 0;
    int requests = 0;  // HTTP attempts, retries included
    int retries = 0;
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
    double ms = 0;
    double waited_ms = 0;             // rate-limit and backoff sleeps
    std::vector<std::string> reasons;  // distinct retry reasons, in order of appearance
};

class ApiRecordStream {
public:
    ApiRecordStream(ApiReader& reader, HttpClient& client);
    // The next record; false when every page has been read.
    bool next(simdjson::dom::element& record);
    ApiReadStats stats() const;
    const ApiReader& reader() const { return reader_; }

private:
    bool fetch_page();

    ApiReader& reader_;
    HttpClient& client_;
    JsonDocument document_;
    HttpResponse response_;
    HttpRequest request_;
    simdjson::dom::array page_;
    simdjson::dom::array::iterator at_;
    simdjson::dom::array::iterator end_;
    bool page_open_ = false;
    double started_ms_ = 0;
    double finished_ms_ = 0;
};

// "odoo res.partner: 2500 records, 3 pages, 4 requests (1 retry: HTTP 429 (Retry-After 1 s)), 1.2 MB, 340 ms"
std::string describe_read(const std::string& what, const ApiReadStats& stats);
// The same as a JSON object (for crm_source_test and sync results).
std::string read_stats_json(const ApiReadStats& stats);

// The stream as a TableSource for the typed readers: one column per mapped
// value, ISO dates and '.' decimals, timestamps with their own zone.
class ApiTableSource : public TableSource {
public:
    ApiTableSource(ApiRecordStream& stream, std::vector<JsonColumn> columns, std::string description);
    const std::vector<std::string>& header() const override { return header_; }
    bool next(SourceRow& row) override;
    std::string raw_text(const SourceRow& row) const override;
    std::string describe_json() override;

private:
    ApiRecordStream& stream_;
    RecordMapper mapper_;
    std::vector<std::string> header_;
    std::vector<MappedValue> values_;
    simdjson::dom::element record_;
    std::uint64_t records_ = 0;
};

}  // namespace crm
