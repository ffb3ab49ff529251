#include "pg/reject_log.hpp"

#include "core/error.hpp"
#include "pg/boundary.hpp"

namespace crm::pg {

namespace {

constexpr size_t kValueShown = 80;  // characters of an offending value quoted in an error

std::string shorten(const std::string& value) {
    if (value.size() <= kValueShown) return value;
    size_t cut = kValueShown;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
    return value.substr(0, cut) + "…";
}

Datum text_or_null(const std::string& s, bool* isnull) {
    *isnull = false;
    return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

}  // namespace

std::string describe_reject(const std::string& file, const Reject& r) {
    std::string where = file + " line " + std::to_string(r.line);
    if (r.column.empty()) return "invalid row at " + where + ": " + r.reason;
    return "invalid input for column \"" + r.column + "\" at " + where + ": \"" + shorten(r.value) + "\" (" + r.reason +
           ")";
}

RejectLog::RejectLog(std::string file, crm::OnError mode, std::optional<std::uint64_t> max_rejects)
    : file_(std::move(file)), mode_(mode), max_rejects_(max_rejects) {}

void RejectLog::open_load(const std::string& target, const std::string& options_json, bool always) {
    if (!always && mode_ != crm::OnError::Quarantine) return;
    std::int64_t id = 0;
    guard([&] {
        Oid types[3] = {TEXTOID, TEXTOID, JSONBOID};
        Datum values[3];
        char nulls[3] = {' ', target.empty() ? 'n' : ' ', ' '};
        bool ignored;
        values[0] = text_or_null(file_, &ignored);
        values[1] = text_or_null(target, &ignored);
        values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(options_json.c_str()));
        SPI_connect();
        int rc = SPI_execute_with_args(
            "INSERT INTO crm_raw.load (file, target, options) VALUES ($1, $2, $3) RETURNING load_id", 3, types,
            values, nulls, false, 1);
        if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1) elog(ERROR, "could not record the load (%d)", rc);
        bool isnull;
        id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        SPI_finish();
    });
    load_id_ = id;
}

void RejectLog::add(Reject reject) {
    ++count_;
    if (mode_ == crm::OnError::Stop) {
        throw crm::Error(crm::sqlstate::kInvalidTextRepresentation, describe_reject(file_, reject), "",
                         "Use the option on_error = skip or quarantine to keep loading the other rows.");
    }
    if (max_rejects_ && count_ > *max_rejects_)
        throw crm::Error(crm::sqlstate::kInvalidTextRepresentation,
                         "more than " + std::to_string(*max_rejects_) + " rejected rows in " + file_ + "; last: " +
                             describe_reject(file_, reject),
                         "", "Raise max_rejects, or fix the file.");
    if (mode_ == crm::OnError::Quarantine) {
        pending_.push_back(std::move(reject));
        if (pending_.size() >= 1000) flush();
    }
}

void RejectLog::flush() {
    if (pending_.empty() || !load_id_) return;
    guard([&] {
        Oid types[7] = {INT8OID, TEXTOID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
        SPI_connect();
        SPIPlanPtr plan = SPI_prepare(
            "INSERT INTO crm_raw.reject (load_id, file, line_no, \"column\", value, reason, raw_line) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            7, types);
        if (plan == nullptr) elog(ERROR, "could not prepare the reject insert");
        for (const Reject& r : pending_) {
            Datum values[7];
            char nulls[7] = {' ', ' ', ' ', r.column.empty() ? 'n' : ' ', ' ', ' ', ' '};
            bool ignored;
            values[0] = Int64GetDatum(*load_id_);
            values[1] = text_or_null(file_, &ignored);
            values[2] = Int64GetDatum(static_cast<int64>(r.line));
            values[3] = text_or_null(r.column, &ignored);
            values[4] = text_or_null(r.value, &ignored);
            values[5] = text_or_null(r.reason, &ignored);
            values[6] = text_or_null(r.raw, &ignored);
            if (SPI_execute_plan(plan, values, nulls, false, 0) != SPI_OK_INSERT)
                elog(ERROR, "could not record a rejected row");
        }
        SPI_finish();
    });
    pending_.clear();
}

void RejectLog::close_load(std::uint64_t rows_read, std::uint64_t rows_loaded, const std::string& sha256) {
    flush();
    if (!load_id_) return;
    guard([&] {
        Oid types[5] = {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID};
        Datum values[5] = {Int64GetDatum(*load_id_), Int64GetDatum(static_cast<int64>(rows_read)),
                           Int64GetDatum(static_cast<int64>(rows_loaded)), Int64GetDatum(static_cast<int64>(count_)),
                           0};
        char nulls[5] = {' ', ' ', ' ', ' ', sha256.empty() ? 'n' : ' '};
        bool ignored;
        values[4] = text_or_null(sha256, &ignored);
        SPI_connect();
        SPI_execute_with_args(
            "UPDATE crm_raw.load SET finished_at = pg_catalog.clock_timestamp(), rows_read = $2, rows_loaded = $3, "
            "rows_rejected = $4, file_sha256 = $5 WHERE load_id = $1",
            5, types, values, nulls, false, 0);
        SPI_finish();
    });
}

}  // namespace crm::pg
