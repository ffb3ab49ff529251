// Dense ids for text keys (products, customers, baskets read from SQL), in
// first-seen order, and the keys back: the C++ analytics work on numbers and
// give the keys back when they write their rows.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crm {

class KeyIds {
public:
    // The key's id, a new one for a key not seen before.
    std::uint32_t id(std::string_view key) {
        auto it = ids_.find(key);
        if (it != ids_.end()) return it->second;
        keys_.emplace_back(key);
        auto id = static_cast<std::uint32_t>(keys_.size() - 1);
        ids_.emplace(keys_.back(), id);
        return id;
    }
    // The key's id, or nullptr for a key never seen.
    const std::uint32_t* find(std::string_view key) const {
        auto it = ids_.find(key);
        return it == ids_.end() ? nullptr : &it->second;
    }
    std::uint32_t size() const { return static_cast<std::uint32_t>(keys_.size()); }
    const std::string& key(std::uint32_t id) const { return keys_[id]; }

private:
    std::deque<std::string> keys_;  // stable addresses: the map's string_views point here
    std::unordered_map<std::string_view, std::uint32_t> ids_;
};

}  // namespace crm
