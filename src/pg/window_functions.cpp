// crm_zscore and crm_robust_zscore: window functions computing each row's
// z-score within its partition. The partition's statistics are computed
// once, on its first row, from all its non-NULL values (one read of the
// partition, under one guard); every row then costs one subtraction and one
// division. The frame clause is ignored: the group is the whole partition,
// as for ntile() or rank().
#include <vector>

#include "core/zscore.hpp"
#include "pg/boundary.hpp"

extern "C" {
#include "windowapi.h"
}

namespace {

// Lives in the partition's local memory, zeroed when a partition starts.
struct PartitionStats {
    bool computed;
    bool valid;
    double centre;
    double scale;
};

enum class Variant { Classic, Robust };

std::vector<double> partition_values(WindowObject window) {
    int64 rows = 0;
    crm::pg::guard([&] { rows = WinGetPartitionRowCount(window); });
    std::vector<double> values(static_cast<size_t>(rows));
    size_t count = 0;
    crm::pg::guard([&] {
        for (int64 i = 0; i < rows; ++i) {
            bool isnull, isout;
            Datum d = WinGetFuncArgInPartition(window, 0, i, WINDOW_SEEK_HEAD, false, &isnull, &isout);
            if (!isnull) values[count++] = DatumGetFloat8(d);
            if ((i & 0xFFFF) == 0) CHECK_FOR_INTERRUPTS();  // a cancel here is a PgError: C++ unwinds
        }
    });
    values.resize(count);
    return values;
}

Datum zscore(FunctionCallInfo fcinfo, Variant variant) {
    WindowObject window = PG_WINDOW_OBJECT();
    auto* stats = static_cast<PartitionStats*>(WinGetPartitionLocalMemory(window, sizeof(PartitionStats)));
    bool isnull;
    double value = DatumGetFloat8(WinGetFuncArgCurrent(window, 0, &isnull));
    bool sample = false;
    if (variant == Variant::Classic && PG_NARGS() > 1) {
        bool sample_null;
        Datum d = WinGetFuncArgCurrent(window, 1, &sample_null);
        sample = !sample_null && DatumGetBool(d);
    }
    if (!stats->computed) {
        std::vector<double> values = partition_values(window);
        crm::ZStats z = variant == Variant::Robust ? crm::robust_zscore_stats(values)
                                                   : crm::zscore_stats(values, sample);
        *stats = PartitionStats{true, z.valid, z.centre, z.scale};
    }
    if (isnull || !stats->valid) PG_RETURN_NULL();
    PG_RETURN_FLOAT8((value - stats->centre) / stats->scale);
}

Datum zscore_impl(FunctionCallInfo fcinfo) { return zscore(fcinfo, Variant::Classic); }
Datum robust_zscore_impl(FunctionCallInfo fcinfo) { return zscore(fcinfo, Variant::Robust); }

}  // namespace

CRM_SQL_FUNCTION(crm_zscore, zscore_impl)
CRM_SQL_FUNCTION(crm_robust_zscore, robust_zscore_impl)
