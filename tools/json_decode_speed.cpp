// Benchmark helper: build/json_decode_speed BODY.json [RECORDS_POINTER]
// prints how fast pg_crm decodes an API response body with simdjson (parse
// alone, then parse + mapping every record's members to column text), best
// of five runs, in MB/s. bench/workloads/api_read.py reports it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_records.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: json_decode_speed BODY.json [RECORDS_POINTER]\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string pointer = argc > 2 ? argv[2] : "";
    try {
        crm::JsonDocument document;
        std::string body = original;
        crm::JsonPointer first = *crm::JsonPointer::parse(pointer + "/0");
        simdjson::dom::element sample;
        if (!first.find(document.parse(body, argv[1]), sample)) throw crm::Error("22000", "no records");
        std::vector<std::pair<std::string, crm::JsonColumnKind>> names;
        for (auto member : simdjson::dom::object(sample)) names.emplace_back(member.key, crm::JsonColumnKind::Text);
        crm::RecordMapper mapper(crm::json_columns(names, ""));
        std::vector<crm::MappedValue> values;

        double best_parse = 1e9, best_map = 1e9;
        std::size_t records = 0;
        for (int run = 0; run < 5; ++run) {
            body = original;
            auto t0 = std::chrono::steady_clock::now();
            simdjson::dom::element root = document.parse(body, argv[1]);
            auto t1 = std::chrono::steady_clock::now();
            records = 0;
            for (simdjson::dom::element record : crm::records_at(root, pointer, argv[1])) {
                mapper.map(record, values);
                ++records;
            }
            auto t2 = std::chrono::steady_clock::now();
            best_parse = std::min(best_parse, std::chrono::duration<double>(t1 - t0).count());
            best_map = std::min(best_map, std::chrono::duration<double>(t2 - t0).count());
        }
        double mb = original.size() / 1e6;
        std::printf("%.0f MB/s parse, %.0f MB/s parse + map (%zu records, %zu columns, %.0f MB)\n", mb / best_parse,
                    mb / best_map, records, names.size(), mb);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "json_decode_speed: %s\n", e.what());
        return 1;
    }
    return 0;
}
