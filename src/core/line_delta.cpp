#include "core/line_delta.hpp"

#include <algorithm>
#include <functional>

#include "core/core_only.hpp"
#include "core/error.hpp"

namespace crm {

namespace {

std::uint64_t hash_text(std::string_view text) { return std::hash<std::string_view>{}(text); }

void append_u32(std::string& out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

LineDeltaSource::LineDeltaSource(std::unique_ptr<TableSource> inner, std::size_t group_field,
                                 std::vector<std::uint64_t> previous)
    : inner_(std::move(inner)), group_field_(group_field), previous_(std::move(previous)) {
    conventions_ = inner_->conventions();
    file_name_ = inner_->file_name();
    header_ = inner_->header();
    header_.emplace_back(kLineKeyHeader);
}

std::uint32_t LineDeltaSource::rank_of(std::string_view order) {
    if (has_current_ && order == current_order_) return ++current_rank_;
    if (has_current_) closed_orders_[hash_text(current_order_)] = current_rank_;
    current_order_.assign(order);
    has_current_ = true;
    auto seen = closed_orders_.find(hash_text(order));
    current_rank_ = seen == closed_orders_.end() ? 1 : seen->second + 1;
    return current_rank_;
}

bool LineDeltaSource::next(SourceRow& row) {
    while (inner_->next(row)) {
        std::string_view order = group_field_ < row.fields.size() ? row.fields[group_field_] : std::string_view();
        std::uint32_t rank = rank_of(order);

        // Length-prefixed fields: ("ab", "c") and ("a", "bc") differ.
        fingerprint_input_.clear();
        append_u32(fingerprint_input_, rank);
        for (std::string_view field : row.fields) {
            append_u32(fingerprint_input_, static_cast<std::uint32_t>(field.size()));
            fingerprint_input_.append(field);
        }
        std::uint64_t fingerprint = hash_text(fingerprint_input_);
        fingerprints_.push_back(fingerprint);
        if (std::binary_search(previous_.begin(), previous_.end(), fingerprint)) {
            ++unchanged_;
            continue;
        }
        // A row without an order gets no key: the merge counts it as not merged.
        line_key_.clear();
        if (!order.empty()) line_key_.append(order).append("-").append(std::to_string(rank));
        row.fields.emplace_back(line_key_);
        if (!row.kinds.empty()) row.kinds.push_back(FieldKind::Text);
        return true;
    }
    return false;
}

std::string LineDeltaSource::raw_text(const SourceRow& row) const {
    SourceRow inner_row = row;
    if (!inner_row.fields.empty()) inner_row.fields.pop_back();
    if (!inner_row.kinds.empty()) inner_row.kinds.pop_back();
    return inner_->raw_text(inner_row);
}

std::vector<std::uint64_t> LineDeltaSource::take_fingerprints() {
    std::sort(fingerprints_.begin(), fingerprints_.end());
    return std::move(fingerprints_);
}

std::string fingerprints_to_bytes(const std::vector<std::uint64_t>& fingerprints) {
    std::string out;
    out.reserve(fingerprints.size() * 8);
    for (std::uint64_t f : fingerprints)
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((f >> (8 * i)) & 0xff));
    return out;
}

std::vector<std::uint64_t> fingerprints_from_bytes(std::string_view bytes) {
    if (bytes.size() % 8 != 0)
        throw Error(sqlstate::kInvalidParameterValue,
                    "line fingerprints must be 8 bytes each, got " + std::to_string(bytes.size()) + " bytes", "",
                    "Run crm_sync with {\"full\": true} to rebuild them.");
    std::vector<std::uint64_t> out(bytes.size() / 8);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint64_t f = 0;
        for (int b = 0; b < 8; ++b) f |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i * 8 + b])) << (8 * b);
        out[i] = f;
    }
    // Stored sorted; sorting again costs little and protects the binary search.
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace crm
