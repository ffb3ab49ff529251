// crm_rfm(as_of, options): RFM scores of every customer with sales lines,
// computed in C++ (core/rfm). The customers' recency, frequency (orders)
// and monetary value are aggregated by PostgreSQL, read through an SPI
// cursor in batches (one guard per batch), scored, and streamed into the
// function's tuplestore.
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/error.hpp"
#include "core/rfm.hpp"
#include "pg/batch_memory.hpp"
#include "pg/datum.hpp"
#include "pg/spi_batches.hpp"

namespace {

constexpr long kFetch = crm::pg::kSpiBatch;

// {"segment_by": "quintiles" | "bands"}.
bool segment_by_bands(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::object object;
    if (parser.parse(padded).get(object))
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "options must be a JSON object");
    bool bands = false;
    for (auto field : object) {
        std::string_view key = field.key, value;
        if (key != "segment_by")
            throw crm::Error(crm::sqlstate::kInvalidParameterValue, "unknown option \"" + std::string(key) + "\"", "",
                             "Options: segment_by (quintiles | bands).");
        if (field.value.get_string().get(value) || (value != "quintiles" && value != "bands"))
            throw crm::Error(crm::sqlstate::kInvalidParameterValue, "option segment_by must be quintiles or bands");
        bands = value == "bands";
    }
    return bands;
}

Datum rfm_impl(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    Datum as_of = PG_GETARG_DATUM(0);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    bool by_bands = segment_by_bands(options_json);

    // Sorted by key: quintile ties are broken by input order, so the same
    // data always gives the same scores.
    const char* query =
        "SELECT customer_key, ($1 - max(date_sale))::int, count(DISTINCT order_key)::int8, "
        "coalesce(sum(price_total), 0)::float8 "
        "FROM crm.sales_lines WHERE customer_key IS NOT NULL GROUP BY customer_key ORDER BY customer_key";
    std::vector<std::string> keys;
    std::vector<crm::RfmInput> inputs;
    std::vector<std::string_view> batch_keys(kFetch);
    std::vector<crm::RfmInput> batch(kFetch);
    Oid types[1] = {DATEOID};
    Datum args[1] = {as_of};
    crm::pg::read_in_batches(
        query, 1, types, args,
        [&](SPITupleTable* tuples, size_t got) {
            for (size_t i = 0; i < got; ++i) {
                bool isnull;
                HeapTuple row = tuples->vals[i];
                auto* key = DatumGetTextPP(SPI_getbinval(row, tuples->tupdesc, 1, &isnull));
                batch_keys[i] = std::string_view(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
                batch[i].recency_days = DatumGetInt32(SPI_getbinval(row, tuples->tupdesc, 2, &isnull));
                batch[i].frequency =
                    static_cast<std::uint32_t>(DatumGetInt64(SPI_getbinval(row, tuples->tupdesc, 3, &isnull)));
                batch[i].monetary = DatumGetFloat8(SPI_getbinval(row, tuples->tupdesc, 4, &isnull));
            }
        },
        [&](size_t got) {
            for (size_t i = 0; i < got; ++i) {
                keys.emplace_back(batch_keys[i]);
                inputs.push_back(batch[i]);
            }
        });

    std::vector<crm::RfmScore> scores = crm::rfm_scores(inputs, crm::RfmBands{}, by_bands);
    crm::pg::BatchMemory memory;
    for (size_t from = 0; from < scores.size(); from += kFetch) {
        size_t to = std::min(scores.size(), from + static_cast<size_t>(kFetch));
        crm::pg::guard([&] { memory.rows([&] {
            for (size_t i = from; i < to; ++i) {
                const crm::RfmScore& s = scores[i];
                Datum values[11] = {
                    PointerGetDatum(cstring_to_text_with_len(keys[i].data(), static_cast<int>(keys[i].size()))),
                    Int32GetDatum(inputs[i].recency_days),
                    Int32GetDatum(static_cast<int32>(inputs[i].frequency)),
                    Float8GetDatum(inputs[i].monetary),
                    Int32GetDatum(s.r), Int32GetDatum(s.f), Int32GetDatum(s.m),
                    Int32GetDatum(s.r_band), Int32GetDatum(s.f_band), Int32GetDatum(s.m_band),
                    PointerGetDatum(cstring_to_text(s.segment))};
                bool nulls[11] = {};
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            }
        }); });
    }
    return static_cast<Datum>(0);
}

}  // namespace

CRM_SQL_FUNCTION(crm_rfm, rfm_impl)
