// libFuzzer target for the XLSX reader. Two modes:
//  * raw: the input is the bytes of a workbook (in memory);
//  * parts: an input starting with "XLSXPARTS\n" holds the XML parts separated
//    by lines "--\n" (workbook, workbook rels, shared strings, styles, sheet 1,
//    sheet 2...). They are zipped (stored) here, so that mutations reach the
//    XML parsers instead of dying on a zip CRC check.
// Every sheet is read to the end. Any crm::Error is an acceptable outcome;
// crashes, leaks and sanitizer reports are not.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>
#include <zip.h>

#include "core/error.hpp"
#include "core/xlsx_reader.hpp"

namespace {

std::string zip_parts(std::string_view body) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t sep = body.find("\n--\n", start);
        if (sep == std::string_view::npos) {
            parts.emplace_back(body.substr(start));
            break;
        }
        parts.emplace_back(body.substr(start, sep - start));
        start = sep + 4;
    }
    static const char* names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
                                  "xl/styles.xml"};
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
    zip_source_keep(src);
    zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    for (std::size_t i = 0; i < parts.size() && i < 12; ++i) {
        std::string name = i < 4 ? names[i] : "xl/worksheets/sheet" + std::to_string(i - 3) + ".xml";
        zip_source_t* s = zip_source_buffer(za, parts[i].data(), parts[i].size(), 0);
        zip_int64_t idx = zip_file_add(za, name.c_str(), s, ZIP_FL_OVERWRITE);
        if (idx < 0) {
            zip_source_free(s);
            continue;
        }
        zip_set_file_compression(za, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
    }
    std::string out;
    if (zip_close(za) != 0) {
        zip_discard(za);
    } else if (zip_source_open(src) == 0) {
        zip_source_seek(src, 0, SEEK_END);
        zip_int64_t n = zip_source_tell(src);
        zip_source_seek(src, 0, SEEK_SET);
        if (n > 0) {
            out.resize(static_cast<std::size_t>(n));
            zip_int64_t got = zip_source_read(src, out.data(), static_cast<zip_uint64_t>(n));
            out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    zip_error_fini(&err);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    static const std::string kParts = "XLSXPARTS\n";
    if (bytes.compare(0, kParts.size(), kParts) == 0) bytes = zip_parts(std::string_view(bytes).substr(kParts.size()));
    crm::XlsxLimits lim;
    // Small caps keep each run fast while exercising every limit path.
    lim.zip.max_member_bytes = 4u << 20;
    lim.zip.max_total_bytes = 16u << 20;
    lim.max_shared_strings_bytes = 1u << 20;
    lim.max_columns = 1024;
    try {
        crm::XlsxReader r(crm::from_memory, std::move(bytes), "fuzz.xlsx", lim);
        (void)r.date1904();
        for (std::size_t i = 0; i < r.sheet_names().size(); ++i) {
            try {
                r.open_sheet(std::to_string(i + 1));
                crm::XlsxRow row;
                while (r.next_row(row)) {
                }
            } catch (const crm::Error&) {
            }
        }
        try {
            r.open_sheet("no such sheet");
        } catch (const crm::Error&) {
        }
    } catch (const crm::Error&) {
    }
    return 0;
}
