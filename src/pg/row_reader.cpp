#include "pg/row_reader.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "core/text_key.hpp"
#include "pg/datum.hpp"

namespace crm::pg {

namespace {

constexpr size_t kBatchRows = 512;

// Types converted by pg_crm itself; any other goes through its input function.
bool native_type(Oid type, int32 typmod, crm::ValueType& out) {
    switch (type) {
        case TEXTOID: out = crm::ValueType::Text; return true;
        case VARCHAROID: out = crm::ValueType::Text; return typmod < 0;  // varchar(n) checks its length itself
        case BOOLOID: out = crm::ValueType::Boolean; return true;
        case INT2OID: out = crm::ValueType::Int16; return true;
        case INT4OID: out = crm::ValueType::Int32; return true;
        case INT8OID: out = crm::ValueType::Int64; return true;
        case FLOAT4OID: out = crm::ValueType::Float32; return true;
        case FLOAT8OID: out = crm::ValueType::Float64; return true;
        case NUMERICOID: out = crm::ValueType::Numeric; return true;
        case DATEOID: out = crm::ValueType::Date; return true;
        case TIMESTAMPOID: out = crm::ValueType::Timestamp; return true;
        case TIMESTAMPTZOID: out = crm::ValueType::Timestamp; return true;  // local time of the session's TimeZone
        default: return false;
    }
}

std::string list_of(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "(none)" : out;
}

}  // namespace

RowReader::RowReader(crm::TableSource& source, TupleDesc desc, const crm::ReadOptions& options, RejectLog& rejects,
                     bool missing_ok)
    : source_(source), rejects_(rejects), converter_(source.conventions()), nulls_list_(options.nulls) {
    natts_ = desc->natts;
    const std::vector<std::string>& headers = source.header();
    std::vector<std::string> names = crm::column_names(headers);
    header_width_ = headers.size();

    int position = 0;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (attr->attisdropped) continue;
        // Generated columns and GENERATED ALWAYS identities are the table's
        // to fill, never the file's.
        if (attr->attgenerated || attr->attidentity == ATTRIBUTE_IDENTITY_ALWAYS) continue;
        ColumnPlan p;
        p.name = NameStr(attr->attname);
        p.attnum = i;
        p.type_oid = attr->atttypid;
        p.typmod = attr->atttypmod;
        p.input_function = !native_type(p.type_oid, p.typmod, p.type) ||
                           (p.type_oid == TIMESTAMPTZOID && source.conventions().zoned_timestamps);

        auto mapped = std::find_if(options.columns.begin(), options.columns.end(),
                                   [&](const auto& m) { return m.first == p.name; });
        if (mapped != options.columns.end()) {
            p.field = crm::find_header(headers, names, mapped->second);
            if (p.field < 0)
                throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                                 "option columns maps \"" + p.name + "\" to \"" + mapped->second + "\", which " +
                                     source.file_name() + " does not have",
                                 "Its columns are: " + list_of(headers) + ".");
        } else if (headers.empty()) {
            p.field = position;  // no header: by position
        } else {
            std::string wanted = crm::normalize_column_name(p.name);
            for (size_t j = 0; j < names.size() && p.field < 0; ++j)
                if (names[j] == wanted) p.field = static_cast<int>(j);
        }
        if (p.field < 0 && !missing_ok)
            throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                             "column \"" + p.name + "\" is not in " + source.file_name(),
                             "Its columns are: " + list_of(names) + ".",
                             "Name the columns as the file does (compared after crm_normalize_column_name), or map "
                             "them with the option columns: {\"" + p.name + "\": \"<header>\"}.");
        ++position;
        plan_.push_back(std::move(p));
    }

    if (!headers.empty() && std::none_of(plan_.begin(), plan_.end(), [](const ColumnPlan& p) { return p.field >= 0; }))
        throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                         "none of the columns is in " + source.file_name() + " (a wrong target, or a file without header?)",
                         "Its columns are: " + list_of(names) + ".");

    guard([&] {
        for (ColumnPlan& p : plan_) {
            if (!p.input_function) continue;
            Oid input_oid;
            getTypeInputInfo(p.type_oid, &input_oid, &p.ioparam);
            fmgr_info(input_oid, &p.input);
        }
        values_ = static_cast<Datum*>(palloc0(sizeof(Datum) * std::max(natts_, 1)));
        nulls_ = static_cast<bool*>(palloc0(sizeof(bool) * std::max(natts_, 1)));
        batch_context_ = AllocSetContextCreate(CurrentMemoryContext, "pg_crm row batch", ALLOCSET_DEFAULT_SIZES);
    });
    batch_.assign(kBatchRows, std::vector<Cell>(plan_.size()));
    batch_lines_.assign(kBatchRows, 0);
}

void RowReader::error_context(void* arg) {
    const auto* self = static_cast<const RowReader*>(arg);
    errcontext("%s line %llu", self->source_.file_name().c_str(),
               static_cast<unsigned long long>(self->batch_lines_[self->current_]));
}

size_t RowReader::read_batch() {
    ready_ = 0;
    while (ready_ < batch_.size() && source_.next(row_)) {
        ++rows_read_;
        if (convert_row(row_, batch_[ready_])) batch_lines_[ready_++] = row_.line;
    }
    return ready_;
}

bool RowReader::convert_row(const crm::SourceRow& row, std::vector<Cell>& cells) {
    // A CSV row with more or fewer fields than the header is shifted data:
    // loading it would put values in the wrong columns.
    bool csv = row.kinds.empty();
    if (csv && header_width_ > 0 && row.fields.size() != header_width_) {
        std::size_t added = source_.added_fields();
        rejects_.add(Reject{row.line, row.record, "", "",
                            "the row has " + std::to_string(row.fields.size() - added) + " fields, the header has " +
                                std::to_string(header_width_ - added),
                            source_.raw_text(row)});
        return false;
    }
    std::string reason;
    for (size_t k = 0; k < plan_.size(); ++k) {
        const ColumnPlan& p = plan_[k];
        Cell& c = cells[k];
        c.null = true;
        if (p.field < 0) continue;
        if (static_cast<size_t>(p.field) >= row.fields.size()) {
            if (csv) {
                rejects_.add(Reject{row.line, row.record, "", "",
                                    "the row has " + std::to_string(row.fields.size()) + " fields, column \"" + p.name +
                                        "\" is field " + std::to_string(p.field + 1),
                                    source_.raw_text(row)});
                return false;
            }
            continue;  // XLSX: trailing empty cells
        }
        std::string_view text = row.fields[p.field];
        if (!csv && row.kinds[p.field] == crm::FieldKind::Null) continue;
        if (is_null(text)) continue;
        c.null = false;
        if (p.input_function || p.type == crm::ValueType::Text) {
            // JSON may spell a NUL ("\u0000"), which PostgreSQL text cannot
            // hold; values of other types are rebuilt by their converters.
            if (!csv && std::memchr(text.data(), '\0', text.size()) != nullptr) {
                rejects_.add(Reject{row.line, row.record, p.name, "", "the value contains a NUL character (\\u0000)",
                                    source_.raw_text(row)});
                return false;
            }
            c.text.assign(text.data(), text.size());
            continue;
        }
        crm::FieldKind kind = csv ? crm::FieldKind::Text : row.kinds[p.field];
        bool ok = converter_.convert(text, kind, p.type, c.value, reason);
        if (ok && p.type == crm::ValueType::Numeric && !c.value.scaled && p.typmod >= 0 &&
            !crm::fits_numeric_typmod(c.value.numeric, ((p.typmod - VARHDRSZ) >> 16) & 0xffff,
                                      (p.typmod - VARHDRSZ) & 0xffff)) {
            ok = false;
            reason = "out of range for the column's numeric precision";
        }
        if (ok && p.type == crm::ValueType::Numeric && c.value.scaled && p.typmod >= 0) {
            // numeric(p, s): round and check here, so an overflow is a reject
            // with its reason rather than an ERROR from numeric_in.
            int precision = ((p.typmod - VARHDRSZ) >> 16) & 0xffff;
            int scale = (p.typmod - VARHDRSZ) & 0xffff;
            if (scale > precision || !crm::rescale_decimal(c.value.i, c.value.scale, scale, precision)) {
                ok = false;
                reason = "out of range for numeric(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
            }
        }
        if (ok && p.type == crm::ValueType::Date && !to_date_adt(c.value.date, &c.date)) {
            ok = false;
            reason = "date out of range";
        }
        if (ok && p.type == crm::ValueType::Timestamp && !to_timestamp(c.value.timestamp, &c.timestamp)) {
            ok = false;
            reason = "timestamp out of range";
        }
        if (!ok) {
            rejects_.add(Reject{row.line, row.record, p.name, std::string(text), reason, source_.raw_text(row)});
            return false;
        }
    }
    return true;
}

bool RowReader::is_null(std::string_view text) const {
    for (const std::string& null : nulls_list_)
        if (null.size() == text.size() && (text.empty() || std::memcmp(null.data(), text.data(), text.size()) == 0))
            return true;
    return false;
}

void RowReader::form_row(size_t r) {
    for (int i = 0; i < natts_; ++i) {
        values_[i] = 0;
        nulls_[i] = true;
    }
    const std::vector<Cell>& cells = batch_[r];
    for (size_t k = 0; k < plan_.size(); ++k) {
        const ColumnPlan& p = plan_[k];
        const Cell& c = cells[k];
        if (c.null) continue;
        Datum d = 0;
        if (p.input_function) {
            d = InputFunctionCall(const_cast<FmgrInfo*>(&p.input), const_cast<char*>(c.text.c_str()), p.ioparam,
                                  p.typmod);
        } else {
            switch (p.type) {
                case crm::ValueType::Text:
                    d = PointerGetDatum(cstring_to_text_with_len(c.text.data(), static_cast<int>(c.text.size())));
                    break;
                case crm::ValueType::Boolean: d = BoolGetDatum(c.value.b); break;
                case crm::ValueType::Int16: d = Int16GetDatum(static_cast<int16>(c.value.i)); break;
                case crm::ValueType::Int32: d = Int32GetDatum(static_cast<int32>(c.value.i)); break;
                case crm::ValueType::Int64: d = Int64GetDatum(c.value.i); break;
                case crm::ValueType::Float32: d = Float4GetDatum(static_cast<float4>(c.value.f)); break;
                case crm::ValueType::Float64: d = Float8GetDatum(c.value.f); break;
                case crm::ValueType::Numeric:
                    if (c.value.scaled) {
                        d = NumericGetDatum(int64_div_fast_to_numeric(c.value.i, c.value.scale));
                        break;
                    }
                    d = DirectFunctionCall3(numeric_in, CStringGetDatum(c.value.numeric.c_str()),
                                            ObjectIdGetDatum(InvalidOid), Int32GetDatum(p.typmod));
                    break;
                case crm::ValueType::Date: d = DateADTGetDatum(c.date); break;
                case crm::ValueType::Timestamp:
                    d = TimestampGetDatum(c.timestamp);
                    if (p.type_oid == TIMESTAMPTZOID) d = DirectFunctionCall1(timestamp_timestamptz, d);
                    break;
            }
        }
        values_[p.attnum] = d;
        nulls_[p.attnum] = false;
    }
}

}  // namespace crm::pg
