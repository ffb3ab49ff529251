// Test support: serves bytes in small, varying pieces (1 to max_chunk bytes
// per read) so that readers meet every buffer boundary.
#pragma once

#include <algorithm>
#include <string_view>

#include "core/byte_source.hpp"

namespace crm::testing {

class ChunkedSource : public ByteSource {
public:
    ChunkedSource(std::string_view data, size_t max_chunk) : data_(data), max_(max_chunk) {}
    size_t read(char* buf, size_t cap) override {
        size_t n = std::min({cap, data_.size() - pos_, 1 + (step_++ % max_)});
        std::copy_n(data_.data() + pos_, n, buf);
        pos_ += n;
        return n;
    }

private:
    std::string_view data_;
    size_t max_, pos_ = 0, step_ = 0;
};

}  // namespace crm::testing
