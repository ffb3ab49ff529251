// libFuzzer target: sniff the input, then read it completely with the sniffed
// dialect and encoding. crm::Error is an expected outcome; only crashes,
// sanitizer reports and hangs count.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/csv_reader.hpp"
#include "core/csv_sniffer.hpp"
#include "core/error.hpp"
#include "core/text_encoding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    crm::SniffResult sniffed;
    try {
        sniffed = crm::sniff_csv(input);
    } catch (const crm::Error&) {
        return 0;
    }
    // Small limits and window so that growth and limit paths are reached.
    crm::CsvLimits lim;
    lim.buffer_bytes = 64 + size % 512;
    lim.max_record_bytes = 1 << 16;
    lim.max_field_bytes = 1 << 14;
    lim.max_columns = 1024;
    try {
        crm::MemorySource raw(input);
        auto utf8 = crm::make_utf8_source(raw, sniffed.encoding, "fuzz.csv");
        crm::CsvReader reader(*utf8, sniffed.dialect, "fuzz.csv", lim);
        std::size_t total = reader.header().size();
        crm::CsvRecord rec;
        while (reader.next(rec)) {
            for (auto f : rec.fields) total += f.size();
            total += rec.raw.size();
        }
        (void)total;
    } catch (const crm::Error&) {
    }
    return 0;
}
