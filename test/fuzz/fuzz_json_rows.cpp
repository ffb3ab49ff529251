// libFuzzer target: an arbitrary response body through the JSON record path
// of the API readers: parse, find the records at "/result" and at the root,
// map each record with plain, nested, array-index and whole-record columns.
// crm::Error is an expected outcome; only crashes, sanitizer reports and
// hangs count. Mapping must also be repeatable: the same record mapped twice
// gives the same values (the per-column scratch buffers are reused).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_records.hpp"

namespace {

std::string render(const std::vector<crm::MappedValue>& values) {
    std::string out;
    for (const auto& v : values) {
        out += v.null ? 'N' : v.number ? '#' : v.boolean ? '?' : 'T';
        out.append(v.text.data(), v.text.size());
        out += '\x1f';
    }
    return out;
}

void map_records(crm::JsonDocument& document, std::string body, std::string_view pointer,
                 crm::RecordMapper& mapper) {
    try {
        auto records = crm::records_at(document.parse(body, "fuzz"), pointer, "fuzz");
        std::vector<crm::MappedValue> values;
        for (auto record : records) {
            mapper.map(record, values);
            std::string first = render(values);
            mapper.map(record, values);
            if (render(values) != first) std::abort();
            (void)crm::minified(record);
        }
    } catch (const crm::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static crm::JsonDocument document;
    static crm::RecordMapper mapper(crm::json_columns(
        {{"id", crm::JsonColumnKind::Text},
         {"name", crm::JsonColumnKind::Text},
         {"active", crm::JsonColumnKind::Boolean},
         {"partner_id", crm::JsonColumnKind::Text},
         {"partner_name", crm::JsonColumnKind::Text},
         {"city", crm::JsonColumnKind::Text},
         {"attributes", crm::JsonColumnKind::Json},
         {"whole", crm::JsonColumnKind::Json}},
        R"({"partner_id":"/order_partner_id/0","partner_name":"/order_partner_id/1",)"
        R"("city":"/billing_address/city","whole":""})"));
    std::string body(reinterpret_cast<const char*>(data), size);
    map_records(document, body, "/result", mapper);
    map_records(document, body, "", mapper);
    return 0;
}
