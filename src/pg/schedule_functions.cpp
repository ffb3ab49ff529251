// What the schedules ask of core/cron_schedule: the GMT superset of a
// wall-clock expression (crm._cron_gmt), whether a wall-clock minute is due
// (crm._cron_due) and the next one that is (crm._cron_next). Time zones stay in SQL (src/sql/87_schedule.sql).
#include <string>
#include <vector>

#include "core/cron_schedule.hpp"
#include "pg/datum.hpp"

namespace {

using crm::pg::text_arg;

// crm._cron_gmt(expression text, utc_offsets int[]): the offsets are read
// into a palloc'd array before any C++ object exists.
Datum cron_gmt_impl(FunctionCallInfo fcinfo) {
    std::string_view expression = text_arg(fcinfo, 0);
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(1);
    Datum* elements = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    deconstruct_array(array, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elements, &nulls, &count);
    for (int i = 0; i < count; ++i) {
        if (nulls[i]) ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("a UTC offset is NULL")));
    }
    std::vector<int> offsets;
    for (int i = 0; i < count; ++i) offsets.push_back(DatumGetInt32(elements[i]));
    return crm::pg::make_text(crm::gmt_superset(crm::parse_cron(expression), offsets));
}

// A timestamp argument as a wall-clock minute. Called before any C++ object
// exists (it may raise).
crm::WallClock wall_clock_arg(FunctionCallInfo fcinfo, int n) {
    Timestamp at = PG_GETARG_TIMESTAMP(n);
    struct pg_tm tm;
    fsec_t fsec;
    if (TIMESTAMP_NOT_FINITE(at) || timestamp2tm(at, nullptr, &tm, &fsec, nullptr, nullptr) != 0) {
        ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("wall-clock time out of range")));
    }
    return crm::WallClock{tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min};
}

// crm._cron_due(expression text, wall_clock timestamp, repeated boolean).
Datum cron_due_impl(FunctionCallInfo fcinfo) {
    std::string_view expression = text_arg(fcinfo, 0);
    crm::WallClock wall = wall_clock_arg(fcinfo, 1);
    bool repeated = PG_GETARG_BOOL(2);
    PG_RETURN_BOOL(crm::cron_due(crm::parse_cron(expression), wall, repeated));
}

// crm._cron_next(expression text, after timestamp): NULL when no minute
// matches within 8 years.
Datum cron_next_impl(FunctionCallInfo fcinfo) {
    std::string_view expression = text_arg(fcinfo, 0);
    crm::WallClock after = wall_clock_arg(fcinfo, 1);
    crm::WallClock next;
    if (!crm::cron_next(crm::parse_cron(expression), after, &next)) PG_RETURN_NULL();
    crm::Timestamp value{{next.year, next.month, next.day}, next.hour, next.minute, 0};
    ::Timestamp out = 0;
    if (!crm::pg::to_timestamp(value, &out)) PG_RETURN_NULL();
    PG_RETURN_TIMESTAMP(out);
}

}  // namespace

CRM_SQL_FUNCTION(crm_cron_gmt, cron_gmt_impl)
CRM_SQL_FUNCTION(crm_cron_due, cron_due_impl)
CRM_SQL_FUNCTION(crm_cron_next, cron_next_impl)
