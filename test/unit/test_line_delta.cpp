#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/line_delta.hpp"

namespace {

// Rows given in memory: (order, product, quantity).
class FakeSource : public crm::TableSource {
public:
    explicit FakeSource(std::vector<std::vector<std::string>> rows) : rows_(std::move(rows)) {
        file_name_ = "ventes.csv";
    }
    const std::vector<std::string>& header() const override { return header_; }
    bool next(crm::SourceRow& row) override {
        if (at_ >= rows_.size()) return false;
        row.fields.assign(rows_[at_].begin(), rows_[at_].end());
        row.kinds.clear();
        row.record = ++at_;
        row.line = at_ + 1;
        return true;
    }
    std::string raw_text(const crm::SourceRow& row) const override {
        std::string out;
        for (std::string_view f : row.fields) out.append(f).append(";");
        return out;
    }
    std::string describe_json() override { return "{}"; }

private:
    std::vector<std::string> header_{"N° Vente", "Réf.", "Qté"};
    std::vector<std::vector<std::string>> rows_;
    std::size_t at_ = 0;
};

struct Pass {
    std::vector<std::string> keys;  // line keys of the rows passed on
    std::vector<std::uint64_t> fingerprints;
    std::uint64_t unchanged = 0;
};

Pass run(std::vector<std::vector<std::string>> rows, std::vector<std::uint64_t> previous = {}) {
    crm::LineDeltaSource source(std::make_unique<FakeSource>(std::move(rows)), 0, std::move(previous));
    EXPECT_EQ(source.header().back(), crm::LineDeltaSource::kLineKeyHeader);
    EXPECT_EQ(source.header().size(), 4u);
    EXPECT_EQ(source.added_fields(), 1u);
    Pass out;
    crm::SourceRow row;
    while (source.next(row)) {
        EXPECT_EQ(row.fields.size(), 4u);
        out.keys.emplace_back(row.fields.back());
        EXPECT_EQ(source.raw_text(row).find("-1;"), std::string::npos);  // the key is not part of the raw text
    }
    out.unchanged = source.unchanged();
    out.fingerprints = source.take_fingerprints();
    return out;
}

const std::vector<std::vector<std::string>> kExport = {
    {"V1", "A", "6"}, {"V1", "B", "12"}, {"V2", "A", "1"}, {"V1", "C", "3"}, {"", "D", "1"}, {"V3", "A", "2"}};

TEST(LineDelta, KeysAreOrderAndRankInFileOrder) {
    Pass first = run(kExport);
    // V1 seen again after V2 continues its count; a row without order has no key.
    EXPECT_EQ(first.keys, (std::vector<std::string>{"V1-1", "V1-2", "V2-1", "V1-3", "", "V3-1"}));
    EXPECT_EQ(first.unchanged, 0u);
    EXPECT_EQ(first.fingerprints.size(), 6u);
    EXPECT_TRUE(std::is_sorted(first.fingerprints.begin(), first.fingerprints.end()));
}

TEST(LineDelta, UnchangedExportPassesNothing) {
    Pass first = run(kExport);
    Pass second = run(kExport, first.fingerprints);
    EXPECT_TRUE(second.keys.empty());
    EXPECT_EQ(second.unchanged, 6u);
    EXPECT_EQ(second.fingerprints, first.fingerprints);
}

TEST(LineDelta, OnlyChangedAndMovedLinesPass) {
    Pass first = run(kExport);
    std::vector<std::vector<std::string>> changed = kExport;
    changed[2][2] = "2";                                        // V2-1: quantity changed
    changed.insert(changed.begin() + 1, {"V1", "Z", "1"});      // a line inserted at the top of V1
    changed.push_back({"V4", "A", "5"});                        // a new order
    Pass second = run(changed, first.fingerprints);
    // V1-2 and V1-3 moved down one rank: new keys, so they pass; V2-1 changed;
    // V1-4 (was V1-3, C) and V4-1 are new; V1-1, the orderless row and V3-1 did not change.
    EXPECT_EQ(second.keys, (std::vector<std::string>{"V1-2", "V1-3", "V2-1", "V1-4", "V4-1"}));
    EXPECT_EQ(second.unchanged, 3u);
    EXPECT_EQ(second.fingerprints.size(), 8u);
}

TEST(LineDelta, FieldBoundariesMatter) {
    Pass a = run({{"V1", "AB", "1"}});
    Pass b = run({{"V1", "A", "B1"}}, a.fingerprints);
    EXPECT_EQ(b.keys.size(), 1u);
}

TEST(LineDelta, FingerprintBytesRoundTrip) {
    std::vector<std::uint64_t> values{1, 0x0102030405060708ull, ~0ull};
    std::string bytes = crm::fingerprints_to_bytes(values);
    EXPECT_EQ(bytes.size(), 24u);
    EXPECT_EQ(static_cast<unsigned char>(bytes[8]), 0x08);  // little-endian
    EXPECT_EQ(crm::fingerprints_from_bytes(bytes), values);
    EXPECT_TRUE(crm::fingerprints_from_bytes("").empty());
    try {
        crm::fingerprints_from_bytes("1234567");
        FAIL() << "a truncated fingerprint list must be refused";
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "22023");
    }
}

}  // namespace
