// libFuzzer target: sniff the input, then read it completely with the sniffed
// dialect and encoding. crm::Error is an expected outcome; only crashes,
// sanitizer reports and hangs count. The input is read twice, with a large
// window and with a tiny window fed in small pieces: both readings must give
// the same records and end the same way (a differential check of the
// buffer-boundary logic).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "support/chunked_source.hpp"
#include "core/csv_reader.hpp"
#include "core/csv_sniffer.hpp"
#include "core/error.hpp"
#include "core/text_encoding.hpp"

namespace {

using crm::testing::ChunkedSource;

// Everything observable about one reading, serialised.
std::string read_all(crm::ByteSource& raw, const crm::SniffResult& s, size_t window) {
    crm::CsvLimits lim;
    lim.buffer_bytes = window;
    lim.max_record_bytes = 1 << 16;
    lim.max_field_bytes = 1 << 14;
    lim.max_columns = 1024;
    std::string out;
    try {
        auto utf8 = crm::make_utf8_source(raw, s.encoding, "fuzz.csv");
        crm::CsvReader reader(*utf8, s.dialect, "fuzz.csv", lim);
        for (const auto& h : reader.header()) out += h + '\x1f';
        out += '\x1e';
        crm::CsvRecord rec;
        while (reader.next(rec)) {
            out += std::to_string(rec.line) + ':' + std::to_string(rec.record) + ':';
            for (auto f : rec.fields) {
                out.append(f.data(), f.size());
                out += '\x1f';
            }
            out.append(rec.raw.data(), rec.raw.size());
            out += '\x1e';
        }
    } catch (const crm::Error& e) {
        out += "ERROR ";
        out += e.sqlstate();
        out += e.what();
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    crm::SniffResult sniffed;
    try {
        sniffed = crm::sniff_csv(input);
    } catch (const crm::Error&) {
        return 0;
    }
    crm::MemorySource whole(input);
    std::string a = read_all(whole, sniffed, 1 << 16);
    ChunkedSource pieces(input, 1 + size % 17);
    std::string b = read_all(pieces, sniffed, 64);
    if (a != b) std::abort();  // the window size changed what was read
    return 0;
}
