#include <gtest/gtest.h>

#include <string>
#include <xlsxwriter.h>

#include <cstring>
#include <stdexcept>

#include "core/read_ahead.hpp"
#include "core/xlsx_prefetch.hpp"

namespace {

// A workbook of `rows` rows (value = row index) in a temporary file.
std::string workbook(int rows) {
    std::string path = "/tmp/crm_prefetch_" + std::to_string(rows) + ".xlsx";
    lxw_workbook* wb = workbook_new(path.c_str());
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    for (int r = 0; r < rows; ++r) worksheet_write_number(ws, r, 0, r, nullptr);
    workbook_close(wb);
    return path;
}

}  // namespace

TEST(XlsxPrefetch, DeliversEveryRowInOrderAcrossBatchesAndStaysAtEnd) {
    for (int rows : {0, 1, 1023, 1024, 1025, 5000}) {
        std::string path = workbook(rows);
        crm::XlsxReader reader(path);
        reader.open_sheet("");
        crm::XlsxPrefetcher prefetch(reader);
        crm::XlsxRow row;
        int n = 0;
        while (prefetch.next(row)) {
            ASSERT_EQ(row.cells.at(0).text, std::to_string(n)) << rows;
            ++n;
        }
        EXPECT_EQ(n, rows);
        EXPECT_FALSE(prefetch.next(row));  // asked again after the end
        EXPECT_FALSE(prefetch.next(row));
        std::remove(path.c_str());
    }
}

TEST(XlsxPrefetch, StopsCleanlyWhenDroppedEarly) {
    std::string path = workbook(20000);
    crm::XlsxReader reader(path);
    reader.open_sheet("");
    {
        crm::XlsxPrefetcher prefetch(reader);
        crm::XlsxRow row;
        ASSERT_TRUE(prefetch.next(row));
    }  // the worker is blocked on a full queue: the destructor must wake and join it
    std::remove(path.c_str());
}

TEST(ReadAhead, DeliversEveryByteInOrderThenTheProducersError) {
    std::string data(300000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
    std::size_t offset = 0;
    crm::ReadAhead ahead(
        [&](char* buf, std::size_t cap) -> std::size_t {
            if (offset == data.size()) throw std::runtime_error("corrupt member");
            std::size_t n = std::min<std::size_t>(cap, data.size() - offset);
            std::memcpy(buf, data.data() + offset, n);
            offset += n;
            return n;
        },
        4096, 3);
    std::string got;
    char buf[1000];
    try {
        for (std::size_t n; (n = ahead.read(buf, sizeof buf)) > 0;) got.append(buf, n);
        FAIL() << "the producer's error was not raised";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "corrupt member");
    }
    EXPECT_EQ(got, data);  // every byte before the error arrived first
}
