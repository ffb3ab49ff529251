// Test helpers: build zip / xlsx files member by member with libzip, and
// temporary paths that clean up after themselves.
#pragma once

#include <stdexcept>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>
#include <zip.h>

namespace crm_test {

struct TempPath {
    std::string path;
    explicit TempPath(const std::string& suffix = ".xlsx") {
        static int counter = 0;
        const char* dir = std::getenv("TMPDIR");
        path = std::string(dir ? dir : "/tmp") + "/crm_test_" + std::to_string(::getpid()) + "_" +
               std::to_string(++counter) + suffix;
    }
    ~TempPath() { ::unlink(path.c_str()); }
};

using Members = std::vector<std::pair<std::string, std::string>>;

inline void write_zip(const std::string& path, const Members& members, bool store = false) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z) throw std::runtime_error("zip_open failed");
    for (auto& m : members) {
        zip_source_t* s = zip_source_buffer(z, m.second.data(), m.second.size(), 0);
        zip_int64_t idx = zip_file_add(z, m.first.c_str(), s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
        if (idx < 0) {
            zip_source_free(s);
            zip_discard(z);
            throw std::runtime_error("zip_file_add failed for " + m.first);
        }
        if (store) zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        throw std::runtime_error("zip_close failed");
    }
}

inline const char* kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

// A hand-written workbook: sheets are (name, sheet XML body inside <sheetData>).
struct RawWorkbook {
    std::vector<std::pair<std::string, std::string>> sheets;
    std::vector<std::string> shared;  // raw <si> contents
    std::string styles;               // full styles.xml or empty
    std::string workbook_pr;          // e.g. R"(<workbookPr date1904="1"/>)"
    std::string sheet_prefix = "";   // element prefix for sheet XML ("x:" to test prefixed names)

    Members members() const {
        Members m;
        m.emplace_back("[Content_Types].xml",
                       R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)");
        m.emplace_back("_rels/.rels",
                       R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)");
        std::string wb = std::string(R"(<?xml version="1.0"?><workbook xmlns=")") + kMainNs +
                         R"(" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)" +
                         workbook_pr + "<sheets>";
        std::string rels =
            R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
        for (std::size_t i = 0; i < sheets.size(); ++i) {
            std::string id = "rId" + std::to_string(i + 10);
            // deliberately not sheetN.xml, in reverse numbering
            std::string part = "worksheets/data_" + std::to_string(sheets.size() - i) + ".xml";
            wb += "<sheet name=\"" + sheets[i].first + "\" sheetId=\"" + std::to_string(i + 1) + "\" r:id=\"" + id + "\"/>";
            rels += "<Relationship Id=\"" + id +
                    "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"" +
                    part + "\"/>";
            const std::string& p = sheet_prefix;
            std::string ns = p.empty() ? std::string(" xmlns=\"") + kMainNs + "\""
                                       : " xmlns:" + p.substr(0, p.size() - 1) + "=\"" + kMainNs + "\"";
            m.emplace_back("xl/" + part, "<?xml version=\"1.0\"?><" + p + "worksheet" + ns + "><" + p + "sheetData>" +
                                             sheets[i].second + "</" + p + "sheetData></" + p + "worksheet>");
        }
        wb += "</sheets></workbook>";
        if (!shared.empty()) {
            rels += R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/strings.xml"/>)";
            std::string sst = std::string(R"(<?xml version="1.0"?><sst xmlns=")") + kMainNs + "\">";
            for (auto& s : shared) sst += "<si>" + s + "</si>";
            sst += "</sst>";
            m.emplace_back("xl/strings.xml", sst);
        }
        if (!styles.empty()) {
            rels += R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>)";
            m.emplace_back("xl/styles.xml", styles);
        }
        rels += "</Relationships>";
        m.emplace_back("xl/workbook.xml", wb);
        m.emplace_back("xl/_rels/workbook.xml.rels", rels);
        return m;
    }
};

}  // namespace crm_test
