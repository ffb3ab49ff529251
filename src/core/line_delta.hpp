// An export's sales lines, made incremental. Exports have no line id, so a
// line is keyed by its order and its rank in that order (in file order);
// and an export is rewritten whole every time, so a rerun with 1% of its
// lines changed should not reload the other 99%.
//
// LineDeltaSource wraps a TableSource: it appends a field with each row's
// line key ("<order>-<rank>"), fingerprints each row (its rank and its
// fields), keeps the fingerprints of every row it reads, and passes on only
// the rows whose fingerprint the previous export did not have. The rank is
// part of the fingerprint: a line that moves within its order (a line
// inserted before it) gets a new key, so it is passed on too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/table_source.hpp"

namespace crm {

class LineDeltaSource : public TableSource {
public:
    // The header of the appended field.
    static constexpr const char* kLineKeyHeader = "pg_crm line key";

    // group_field: index of the order column in inner's header.
    // previous: the previous export's fingerprints, sorted (empty: pass
    // every row on).
    LineDeltaSource(std::unique_ptr<TableSource> inner, std::size_t group_field, std::vector<std::uint64_t> previous);

    const std::vector<std::string>& header() const override { return header_; }
    bool next(SourceRow& row) override;
    std::string raw_text(const SourceRow& row) const override;
    std::string describe_json() override { return inner_->describe_json(); }
    std::size_t added_fields() const override { return 1; }

    // Rows read whose fingerprint the previous export had (not passed on).
    std::uint64_t unchanged() const { return unchanged_; }
    // The fingerprints of every row read, sorted: the "previous" of the next run.
    std::vector<std::uint64_t> take_fingerprints();

private:
    std::uint32_t rank_of(std::string_view order);

    std::unique_ptr<TableSource> inner_;
    std::size_t group_field_;
    std::vector<std::uint64_t> previous_;
    std::vector<std::string> header_;
    std::vector<std::uint64_t> fingerprints_;
    std::uint64_t unchanged_ = 0;
    // Lines are usually grouped by order: the current order is counted here
    // and the map is touched only when the order changes (an order seen
    // again later continues its count). Keyed by a hash of the order id,
    // so memory grows with orders, not with their text.
    std::string current_order_;
    std::uint32_t current_rank_ = 0;
    bool has_current_ = false;
    std::unordered_map<std::uint64_t, std::uint32_t> closed_orders_;
    std::string line_key_;
    std::string fingerprint_input_;
};

// Fingerprints as bytes (8 per fingerprint, little-endian) and back. A
// length that is not a multiple of 8 -> crm::Error 22023.
std::string fingerprints_to_bytes(const std::vector<std::uint64_t>& fingerprints);
std::vector<std::uint64_t> fingerprints_from_bytes(std::string_view bytes);

}  // namespace crm
