// crm._recommend(customer_key, settings): recommendations computed in C++
// (core/recommend) for one customer, or for every customer when customer_key
// is NULL. Both read the same inputs through the same queries, one filtered
// to the customer, so crm_recommend ranks exactly as the batch table does.
// Inputs, each read through an SPI cursor in batches:
//   crm.product_availability  products, cuvée, stock, price (all of them)
//   crm.product_affinity      partners of the products bought
//   crm.segment_bestseller    the fallback lists
//   crm.reco_customer_status  segment and customer-level guardrails
//   crm.sales_lines           what each customer bought, when, at what price
//   crm.contact_history + crm.open_order_lines   products not to propose
#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/json_writer.hpp"
#include "core/key_ids.hpp"
#include "core/recommend.hpp"
#include "pg/batch_memory.hpp"
#include "pg/datum.hpp"
#include "pg/spi_batches.hpp"

namespace {

using crm::reco::Settings;

// The settings as crm._reco_options() builds them: every key present.
struct Options {
    Settings settings;
    std::string as_of;  // recency is counted to this date
};

Options parse_options(std::string_view json) {
    Options out;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::object object;
    if (parser.parse(padded).get(object))
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "settings must be a JSON object");
    auto number = [&](std::string_view key, double fallback_when_null) {
        simdjson::dom::element value;
        if (object[key].get(value))
            throw crm::Error(crm::sqlstate::kInvalidParameterValue, "settings lack \"" + std::string(key) + "\"");
        if (value.is_null()) return fallback_when_null;
        double n;
        if (value.get_double().get(n)) {
            std::int64_t i;
            if (value.get_int64().get(i))
                throw crm::Error(crm::sqlstate::kInvalidParameterValue, "setting " + std::string(key) + " must be a number");
            n = static_cast<double>(i);
        }
        return n;
    };
    Settings& s = out.settings;
    s.top_n = static_cast<std::uint32_t>(number("top_n", 5));
    s.min_stock_75cl = number("min_stock_75cl", 0);
    s.price_band_factor = number("price_band_factor", 0);
    s.repurchase_after_days = static_cast<std::int32_t>(number("repurchase_after_days", -1));
    s.half_life_days = number("half_life_days", 365);
    s.shrinkage = number("shrinkage", 10);
    s.min_lift = number("min_lift", 1);
    bool fallback = true;
    if (object["segment_fallback"].get_bool().get(fallback))
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "setting segment_fallback must be true or false");
    s.segment_fallback = fallback;
    std::string_view as_of;
    if (object["as_of"].get_string().get(as_of))
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "settings lack \"as_of\" (a date)");
    out.as_of = std::string(as_of);
    return out;
}

std::string_view text_of(HeapTuple row, TupleDesc desc, int column, bool* isnull) {
    Datum d = SPI_getbinval(row, desc, column, isnull);
    if (*isnull) return {};
    auto* t = DatumGetTextPP(d);
    return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

// The queries cast their numbers to float8: another type would be read as garbage.
double float_of(HeapTuple row, TupleDesc desc, int column) {
    if (SPI_gettypeid(desc, column) != FLOAT8OID) elog(ERROR, "pg_crm: column %d of a query must be float8", column);
    bool isnull;
    Datum d = SPI_getbinval(row, desc, column, &isnull);
    return isnull ? crm::reco::kUnknown : DatumGetFloat8(d);
}

// One row of text columns copied out of a batch: the rows are parsed under
// guard(), then turned into core structures as plain C++.
struct Row {
    std::string_view text[3];
    bool null[3];
    double number[4];
};

template <typename Use>
void read_rows(const char* query, int text_columns, int number_columns, std::string_view customer, Use&& use) {
    if (text_columns > static_cast<int>(std::size(Row{}.text)) || number_columns > static_cast<int>(std::size(Row{}.number)))
        throw std::logic_error("read_rows: more columns than a Row holds");
    Oid types[1] = {TEXTOID};
    Datum args[1];
    int nargs = customer.empty() ? 0 : 1;
    if (nargs) args[0] = crm::pg::make_text(customer);
    std::vector<Row> rows(crm::pg::kSpiBatch);
    crm::pg::read_in_batches(
        query, nargs, types, args,
        [&](SPITupleTable* tuples, size_t got) {
            for (size_t i = 0; i < got; ++i) {
                for (int c = 0; c < text_columns; ++c)
                    rows[i].text[c] = text_of(tuples->vals[i], tuples->tupdesc, c + 1, &rows[i].null[c]);
                for (int c = 0; c < number_columns; ++c)
                    rows[i].number[c] = float_of(tuples->vals[i], tuples->tupdesc, text_columns + c + 1);
            }
        },
        [&](size_t got) {
            for (size_t i = 0; i < got; ++i) use(rows[i]);
        });
}

// The queries; %s is "" for every customer or the filter on one ($1).
std::string with_filter(const char* query, std::string_view customer, const char* filter) {
    std::string q(query);
    std::string::size_type at = q.find("%s");
    q.replace(at, 2, customer.empty() ? "" : filter);
    return q;
}

Datum recommend_impl(FunctionCallInfo fcinfo) {
    InitMaterializedSRF(fcinfo, 0);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    std::string_view customer_arg = PG_ARGISNULL(0) ? std::string_view() : crm::pg::text_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) throw crm::Error(crm::sqlstate::kInvalidParameterValue, "settings must not be NULL");
    const char* settings_json = crm::pg::jsonb_text_arg(fcinfo, 1);
    if (!PG_ARGISNULL(0) && customer_arg.empty())
        throw crm::Error(crm::sqlstate::kInvalidParameterValue, "customer_key must not be empty");
    const std::string customer(customer_arg);
    const Options options = parse_options(settings_json);

    // Products, numbered in key order (ties in score go to the lower key).
    crm::reco::Catalog catalog;
    crm::KeyIds products, families;
    std::vector<std::string> names;
    read_rows("SELECT product_key, name, cuvee_family, active::int::float8, available_75cl::float8, "
              "price_per_75cl::float8 FROM crm.product_availability ORDER BY product_key",
              3, 3, {}, [&](const Row& r) {
                  products.id(r.text[0]);
                  names.emplace_back(r.null[1] ? r.text[0] : r.text[1]);
                  crm::reco::Product p;
                  p.family = families.id(r.null[2] ? r.text[0] : r.text[2]);
                  p.active = r.number[0] != 0;  // NULL (unknown) counts as active: NaN != 0
                  p.stock_75cl = r.number[1];
                  p.price_per_75cl = r.number[2];
                  catalog.products.push_back(p);
              });
    catalog.partners.resize(products.size());

    // Partners of the products bought (of the customer's, for one customer).
    bool baskets_are_orders = false;
    read_rows(with_filter("SELECT product_a, product_b, basket, n_ab::float8, n_a::float8, n_b::float8, lift "
                          "FROM crm.product_affinity%s",
                          customer,
                          " WHERE product_a IN (SELECT product_key FROM crm.sales_lines WHERE customer_key = $1)")
                  .c_str(),
              3, 4, customer, [&](const Row& r) {
                  const std::uint32_t* a = products.find(r.text[0]);
                  const std::uint32_t* b = products.find(r.text[1]);
                  if (!a || !b) return;  // a product removed since the refresh
                  baskets_are_orders = r.text[2] == "order";
                  auto n_ab = static_cast<std::uint32_t>(r.number[0]);
                  auto n_a = static_cast<std::uint32_t>(r.number[1]);
                  auto n_b = static_cast<std::uint32_t>(r.number[2]);
                  double lift = r.number[3];
                  // lift = N n_ab / (n_a n_b): the number of baskets N comes back from it.
                  double baskets = lift * n_a * n_b / n_ab;
                  catalog.partners[*a].push_back(
                      {*b, n_ab, lift,
                       crm::reco::shrunk_confidence(n_ab, n_a, n_b, baskets, options.settings.shrinkage)});
              });

    // Best sellers per segment, best first.
    crm::KeyIds segments;
    std::vector<std::uint32_t> segment_size;
    read_rows("SELECT segment, product_key, buyers::float8, segment_customers::float8 FROM crm.segment_bestseller "
              "ORDER BY segment, rank",
              2, 2, {}, [&](const Row& r) {
                  std::uint32_t s = segments.id(r.text[0]);
                  if (s >= catalog.bestsellers.size()) {
                      catalog.bestsellers.resize(s + 1);
                      segment_size.resize(s + 1);
                  }
                  segment_size[s] = static_cast<std::uint32_t>(r.number[1]);
                  if (const std::uint32_t* p = products.find(r.text[1]))
                      catalog.bestsellers[s].push_back({*p, static_cast<std::uint32_t>(r.number[0])});
              });

    // Customers that may receive recommendations, in key order.
    crm::KeyIds customers;
    std::vector<crm::reco::Customer> people;
    read_rows(with_filter("SELECT customer_key, segment FROM crm.reco_customer_status "
                          "WHERE blocked_reason IS NULL%s ORDER BY customer_key",
                          customer, " AND customer_key = $1")
                  .c_str(),
              2, 0, customer, [&](const Row& r) {
                  customers.id(r.text[0]);
                  crm::reco::Customer c;
                  if (!r.null[1])
                      if (const std::uint32_t* s = segments.find(r.text[1])) c.segment = *s;
                  people.push_back(std::move(c));
              });

    // What they bought, aggregated here per customer and product: PostgreSQL's
    // GROUP BY of 1M lines into 900k groups spilled to disk and took three
    // times as long. Amounts come in cents and thousandths of a bottle, so
    // their sums are exact whatever order the lines arrive in (a seq scan for
    // everyone, an index scan for one customer): both rank the same.
    for (char c : options.as_of)
        if (!(c >= '0' && c <= '9') && c != '-')
            throw crm::Error(crm::sqlstate::kInvalidParameterValue, "setting as_of must be a date (YYYY-MM-DD)");
    std::string lines = with_filter(
        "SELECT customer_key, product_key, ('%AS_OF%'::date - date_sale)::float8, "
        "round(coalesce(price_total, 0) * 100)::float8, round(coalesce(bottles_75cl, 0) * 1000)::float8 "
        "FROM crm.sales_lines WHERE customer_key IS NOT NULL AND product_key IS NOT NULL%s",
        customer, " AND customer_key = $1");
    // as_of is a date the SQL wrapper formatted (to_char YYYY-MM-DD): checked above, then inlined.
    lines.replace(lines.find("%AS_OF%"), 7, options.as_of);
    struct Line {
        std::uint32_t customer, product;
        std::int32_t days_ago;
        double cents, thousandths;
    };
    std::vector<Line> bought;
    read_rows(lines.c_str(), 2, 3, customer, [&](const Row& r) {
        const std::uint32_t* c = customers.find(r.text[0]);
        const std::uint32_t* p = products.find(r.text[1]);
        if (!c || !p) return;  // a blocked customer, or a product no longer in the catalogue
        bought.push_back({*c, *p, static_cast<std::int32_t>(r.number[0]), r.number[1], r.number[2]});
    });
    // Sorted, each customer's lines of one product are together, products in order.
    std::sort(bought.begin(), bought.end(), [](const Line& x, const Line& y) {
        return x.customer != y.customer ? x.customer < y.customer : x.product < y.product;
    });
    for (size_t i = 0; i < bought.size();) {
        crm::reco::Purchase purchase{bought[i].product, bought[i].days_ago, 0, 0};
        size_t j = i;
        for (; j < bought.size() && bought[j].customer == bought[i].customer && bought[j].product == purchase.product; ++j) {
            purchase.days_ago = std::min(purchase.days_ago, bought[j].days_ago);
            purchase.spent += bought[j].cents;
            purchase.bottles_75cl += bought[j].thousandths;
        }
        purchase.spent /= 100;
        purchase.bottles_75cl /= 1000;
        people[bought[i].customer].purchases.push_back(purchase);
        i = j;
    }
    std::vector<Line>().swap(bought);

    // Products rejected by the customer, or already in one of their open orders.
    read_rows(with_filter("SELECT customer_key, product_key FROM ("
                          "SELECT customer_key, product_suggested AS product_key FROM crm.contact_history "
                          "WHERE status = 'bad' UNION SELECT customer_key, product_key FROM crm.open_order_lines) x "
                          "WHERE customer_key IS NOT NULL AND product_key IS NOT NULL%s",
                          customer, " AND customer_key = $1")
                  .c_str(),
              2, 0, customer, [&](const Row& r) {
                  const std::uint32_t* c = customers.find(r.text[0]);
                  const std::uint32_t* p = products.find(r.text[1]);
                  if (c && p) people[*c].excluded.push_back(*p);
              });

    crm::reco::Recommender recommender(catalog, options.settings);
    crm::InterruptTicker ticker(256);
    crm::pg::BatchMemory memory;
    for (std::uint32_t c = 0; c < customers.size(); ++c) {
        ticker.tick();
        const crm::reco::Customer& person = people[c];
        std::uint32_t size = person.segment == crm::reco::kNoSegment ? 0 : segment_size[person.segment];
        std::vector<crm::reco::Recommendation> list = recommender.recommend(person, size);
        if (list.empty()) continue;
        std::vector<std::string> reasons, details;
        for (const crm::reco::Recommendation& r : list) {
            crm::JsonWriter detail;
            detail.begin_object();
            if (r.why == crm::reco::Why::CoPurchase) {
                reasons.push_back(crm::reco::copurchase_reason(names[r.because], r.count, r.lift, baskets_are_orders));
                detail.key("kind").value("co_purchase").key("with").value(products.key(r.because));
                detail.key("with_name").value(names[r.because]).key("baskets_together").value(std::uint64_t{r.count});
                detail.key("basket").value(baskets_are_orders ? "order" : "customer");
                detail.key("lift").value(std::round(r.lift * 1000) / 1000);  // 3 decimals say enough, and print fast
            } else {
                const std::string& segment = segments.key(r.because);
                reasons.push_back(crm::reco::bestseller_reason(segment, r.count));
                detail.key("kind").value("segment_bestseller").key("segment").value(segment);
                detail.key("buyers").value(std::uint64_t{r.count}).key("segment_customers").value(std::uint64_t{size});
            }
            detail.end_object();
            details.push_back(detail.take());
        }
        const std::string& key = customers.key(c);
        crm::pg::guard([&] { memory.rows([&] {
            for (size_t i = 0; i < list.size(); ++i) {
                const std::string& product = products.key(list[i].product);
                Datum values[6] = {
                    PointerGetDatum(cstring_to_text_with_len(key.data(), static_cast<int>(key.size()))),
                    Int32GetDatum(static_cast<int32>(i + 1)),
                    PointerGetDatum(cstring_to_text_with_len(product.data(), static_cast<int>(product.size()))),
                    Float8GetDatum(list[i].score),
                    PointerGetDatum(cstring_to_text_with_len(reasons[i].data(), static_cast<int>(reasons[i].size()))),
                    DirectFunctionCall1(jsonb_in, CStringGetDatum(details[i].c_str()))};
                bool nulls[6] = {};
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            }
        }); });
    }
    return static_cast<Datum>(0);
}

}  // namespace

CRM_SQL_FUNCTION(crm_recommend_rows, recommend_impl)
