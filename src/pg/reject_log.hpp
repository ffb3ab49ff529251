// Where rejected rows go. on_error = stop turns the first one into an
// ERROR naming file, line, column and value; skip counts them; quarantine
// writes them to crm_raw.reject under a crm_raw.load row. max_rejects turns
// too many into an ERROR in every mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/read_options.hpp"
#include "pg/postgres_api.hpp"

namespace crm::pg {

struct Reject {
    std::uint64_t line = 0;
    std::uint64_t record = 0;
    std::string column;  // empty for a whole-row problem (ragged row)
    std::string value;
    std::string reason;
    std::string raw;
};

class RejectLog {
public:
    RejectLog(std::string file, crm::OnError mode, std::optional<std::uint64_t> max_rejects);

    // Records the load (file, target, options) in crm_raw.load when it must
    // be traceable: always for crm_load, for the readers in quarantine mode.
    void open_load(const std::string& target, const std::string& options_json, bool always);
    void add(Reject reject);  // may throw (stop mode, max_rejects)
    void flush();             // writes pending quarantine rows
    void close_load(std::uint64_t rows_read, std::uint64_t rows_loaded, const std::string& sha256);

    std::uint64_t count() const { return count_; }
    std::optional<std::int64_t> load_id() const { return load_id_; }
    crm::OnError mode() const { return mode_; }

private:
    std::string file_;
    crm::OnError mode_;
    std::optional<std::uint64_t> max_rejects_;
    std::uint64_t count_ = 0;
    std::optional<std::int64_t> load_id_;
    std::vector<Reject> pending_;
};

// "invalid input for column "quantite" at ventes.csv line 1832: "12,5,0" (reason)"
std::string describe_reject(const std::string& file, const Reject& reject);

}  // namespace crm::pg
