// crm_product_affinity(options): co-purchase affinities of the products in
// crm.sales_lines, computed in C++ (core/copurchase). Baskets are customers'
// histories (the default) or orders. The rows are read through an SPI cursor
// in batches (one guard per batch), product and basket keys mapped to dense
// ids, and the result streamed into the function's tuplestore.
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/copurchase.hpp"
#include "core/error.hpp"
#include "core/key_ids.hpp"
#include "pg/batch_memory.hpp"
#include "pg/datum.hpp"
#include "pg/spi_batches.hpp"

namespace {

constexpr long kFetch = crm::pg::kSpiBatch;

struct AffinityOptions {
    bool by_order = false;
    std::uint32_t min_pair_count = 3;
    std::uint32_t max_partners = 0;  // 0: every pair
};

AffinityOptions parse_options(std::string_view json) {
    AffinityOptions out;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::object object;
    if (parser.parse(padded).get(object))
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "options must be a JSON object");
    for (auto field : object) {
        std::string_view key = field.key;
        if (key == "basket") {
            std::string_view basket;
            if (field.value.get_string().get(basket) || (basket != "customer" && basket != "order"))
                throw crm::Error(crm::sqlstate::kInvalidParameterValue, "option basket must be customer or order");
            out.by_order = basket == "order";
        } else if (key == "min_pair_count" || key == "max_partners") {
            std::int64_t n;
            std::int64_t lowest = key == "min_pair_count" ? 1 : 0;
            if (field.value.get_int64().get(n) || n < lowest || n > 1000000)
                throw crm::Error(crm::sqlstate::kInvalidParameterValue,
                                 "option " + std::string(key) + " must be a whole number from " +
                                     std::to_string(lowest) + " to 1000000");
            (key == "min_pair_count" ? out.min_pair_count : out.max_partners) = static_cast<std::uint32_t>(n);
        } else {
            throw crm::Error(crm::sqlstate::kInvalidParameterValue, "unknown option \"" + std::string(key) + "\"",
                             "", "Options: basket (customer | order), min_pair_count, max_partners.");
        }
    }
    return out;
}

Datum product_affinity_impl(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const char* options_json = crm::pg::jsonb_text_arg(fcinfo, 0);

    AffinityOptions options = parse_options(options_json);
    const char* query = options.by_order
        ? "SELECT order_key, product_key FROM crm.sales_lines WHERE product_key IS NOT NULL"
        : "SELECT customer_key, product_key FROM crm.sales_lines "
          "WHERE product_key IS NOT NULL AND customer_key IS NOT NULL";

    crm::KeyIds baskets, products;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> lines;
    std::vector<std::string_view> basket_keys(kFetch), product_keys(kFetch);
    crm::pg::read_in_batches(
        query, 0, nullptr, nullptr,
        [&](SPITupleTable* tuples, size_t got) {
            for (size_t i = 0; i < got; ++i) {
                bool isnull;
                auto* basket = DatumGetTextPP(SPI_getbinval(tuples->vals[i], tuples->tupdesc, 1, &isnull));
                auto* product = DatumGetTextPP(SPI_getbinval(tuples->vals[i], tuples->tupdesc, 2, &isnull));
                basket_keys[i] = std::string_view(VARDATA_ANY(basket), VARSIZE_ANY_EXHDR(basket));
                product_keys[i] = std::string_view(VARDATA_ANY(product), VARSIZE_ANY_EXHDR(product));
            }
        },
        [&](size_t got) {
            for (size_t i = 0; i < got; ++i)
                lines.emplace_back(baskets.id(basket_keys[i]), products.id(product_keys[i]));
        });

    crm::CopurchaseResult result =
        crm::copurchase(std::move(lines), baskets.size(), products.size(), options.min_pair_count);
    if (options.max_partners > 0) crm::keep_top_partners(result.affinities, options.max_partners);

    // Emitted in batches, one guard each.
    crm::pg::BatchMemory memory;
    for (size_t from = 0; from < result.affinities.size(); from += kFetch) {
        size_t to = std::min(result.affinities.size(), from + static_cast<size_t>(kFetch));
        crm::pg::guard([&] { memory.rows([&] {
            for (size_t i = from; i < to; ++i) {
                const crm::Affinity& x = result.affinities[i];
                const std::string& a = products.key(x.a);
                const std::string& b = products.key(x.b);
                Datum values[9] = {
                    PointerGetDatum(cstring_to_text_with_len(a.data(), static_cast<int>(a.size()))),
                    PointerGetDatum(cstring_to_text_with_len(b.data(), static_cast<int>(b.size()))),
                    Int32GetDatum(static_cast<int32>(x.n_ab)), Int32GetDatum(static_cast<int32>(x.n_a)),
                    Int32GetDatum(static_cast<int32>(x.n_b)), Float8GetDatum(x.support), Float8GetDatum(x.confidence),
                    Float8GetDatum(x.lift), Float8GetDatum(x.cosine)};
                bool nulls[9] = {};
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            }
        }); });
    }
    return static_cast<Datum>(0);
}

}  // namespace

CRM_SQL_FUNCTION(crm_product_affinity, product_affinity_impl)
