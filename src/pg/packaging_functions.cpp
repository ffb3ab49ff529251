// crm_parse_packaging, its _explain companion and crm_bottles_75cl: bottle
// formats and packs turned into 75 cl equivalents by core/packaging.
#include <cstdio>
#include <cstring>
#include <string>

#include "core/json_writer.hpp"
#include "core/packaging.hpp"
#include "pg/datum.hpp"

namespace {

using crm::pg::text_arg;

std::string packaging_json(const crm::Packaging& p) {
    crm::JsonWriter json;
    json.begin_object()
        .key("units").value(p.units)
        .key("volume_cl").value(p.volume_cl)
        .key("bottles_75cl").value(p.bottles_75cl)
        .key("rule").value(p.rule)
        .end_object();
    return json.take();
}

Datum parse_packaging_impl(FunctionCallInfo fcinfo) {
    std::string_view label = text_arg(fcinfo, 0);
    crm::PackagingResult parsed = crm::parse_packaging(label);
    if (!parsed.value) PG_RETURN_NULL();
    return crm::pg::make_jsonb(packaging_json(*parsed.value));
}

Datum parse_packaging_explain_impl(FunctionCallInfo fcinfo) {
    std::string_view label = text_arg(fcinfo, 0);
    crm::PackagingResult parsed = crm::parse_packaging(label);
    return crm::pg::make_text(parsed.value ? parsed.value->rule : parsed.reason);
}

// Labels repeat a lot in real data (a few dozen distinct ones in a million
// sales lines), so each call site keeps label -> factor (75 cl equivalents
// of one unit, as numeric) in a small direct-mapped table in fn_mcxt.
struct FactorSlot {
    char label[64];
    int length;  // -1: empty
    bool recognised;
    Datum factor;  // numeric, allocated in fn_mcxt
};
constexpr int kSlots = 128;

FactorSlot* factor_cache(FunctionCallInfo fcinfo) {
    auto* cache = static_cast<FactorSlot*>(fcinfo->flinfo->fn_extra);
    if (cache == nullptr) {
        cache = static_cast<FactorSlot*>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FactorSlot) * kSlots));
        for (int i = 0; i < kSlots; ++i) cache[i].length = -1;
        fcinfo->flinfo->fn_extra = cache;
    }
    return cache;
}

unsigned label_hash(std::string_view s) {
    unsigned h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
}

// The factor as a numeric Datum in `context`: units × volume_cl / 75, exact
// in numeric arithmetic (62 cl gives 0.8266…, not a binary approximation).
Datum make_factor(const crm::Packaging& p, MemoryContext context) {
    char centilitres[64];
    snprintf(centilitres, sizeof centilitres, "%.4f", p.units * p.volume_cl);
    Datum factor = 0;
    crm::pg::guard([&] {
        MemoryContext old = MemoryContextSwitchTo(context);
        Datum cl = DirectFunctionCall3(numeric_in, CStringGetDatum(centilitres), ObjectIdGetDatum(InvalidOid),
                                       Int32GetDatum(-1));
        factor = DirectFunctionCall2(numeric_div, cl, NumericGetDatum(int64_to_numeric(75)));
        MemoryContextSwitchTo(old);
    });
    return factor;
}

// Looks the label up (parsing it on a miss); false when it is not recognised.
bool lookup_factor(FunctionCallInfo fcinfo, std::string_view label, Datum* factor) {
    FactorSlot* cache = factor_cache(fcinfo);
    FactorSlot& slot = cache[label_hash(label) % kSlots];
    if (slot.length == static_cast<int>(label.size()) && std::memcmp(slot.label, label.data(), label.size()) == 0) {
        *factor = slot.factor;
        return slot.recognised;
    }
    crm::PackagingResult parsed = crm::parse_packaging(label);
    if (label.size() >= sizeof slot.label) {  // too long to cache: compute for this row only
        if (!parsed.value) return false;
        *factor = make_factor(*parsed.value, CurrentMemoryContext);
        return true;
    }
    if (slot.length >= 0 && slot.recognised) pfree(DatumGetPointer(slot.factor));  // pfree cannot fail here
    slot.recognised = parsed.value.has_value();
    slot.factor = slot.recognised ? make_factor(*parsed.value, fcinfo->flinfo->fn_mcxt) : 0;
    std::memcpy(slot.label, label.data(), label.size());
    slot.length = static_cast<int>(label.size());
    *factor = slot.factor;
    return slot.recognised;
}

// quantity × factor, rounded to 3 decimals, trailing zeros trimmed; NULL
// when the packaging is not recognised (never a silent 1).
Datum bottles_75cl_impl(FunctionCallInfo fcinfo) {
    Datum quantity = PG_GETARG_DATUM(0);
    std::string_view label = text_arg(fcinfo, 1);
    Datum factor = 0;
    if (!lookup_factor(fcinfo, label, &factor)) PG_RETURN_NULL();
    Datum out = 0;
    crm::pg::guard([&] {
        out = DirectFunctionCall2(numeric_mul, quantity, factor);
        out = DirectFunctionCall2(numeric_round, out, Int32GetDatum(3));
        out = DirectFunctionCall1(numeric_trim_scale, out);
    });
    return out;
}

}  // namespace

CRM_SQL_FUNCTION(crm_parse_packaging, parse_packaging_impl)
CRM_SQL_FUNCTION(crm_parse_packaging_explain, parse_packaging_explain_impl)
CRM_SQL_FUNCTION(crm_bottles_75cl, bottles_75cl_impl)
