// A query result as the export writers (CSV, XLSX) see it: typed columns
// and rows of cells, handed over a row at a time so that memory holds one
// batch, whatever the result's size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

enum class ColumnKind {
    Integer,    // int2, int4, int8
    Float,      // float4, float8
    Numeric,    // numeric: exact decimal text
    Date,       // date
    Timestamp,  // timestamp, timestamptz (in the session's time zone)
    Boolean,
    Text,       // everything else, as PostgreSQL's output function writes it
};

struct ExportColumn {
    std::string name;
    ColumnKind kind = ColumnKind::Text;
    int scale = -1;  // numeric(p, s): s; -1 when unconstrained
};

struct DateTimeValue {
    int year = 0, month = 0, day = 0;
    int hour = 0, minute = 0, second = 0, microsecond = 0;
};

// One value. `text` is the value for Integer, Float and Numeric (PostgreSQL's
// canonical text: '.' decimal, "NaN", "Infinity") and Text; `when` for Date
// and Timestamp (a date or time PostgreSQL cannot place on a calendar,
// "infinity", comes as text); `flag` for Boolean.
struct ExportCell {
    bool null = true;
    std::string_view text;
    DateTimeValue when;
    bool flag = false;
    bool as_text = false;  // Date/Timestamp given as text (infinity)
};

}  // namespace crm
