#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_records.hpp"

namespace {

using crm::JsonColumnKind;

std::string sqlstate_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const crm::Error& e) {
        return e.sqlstate();
    }
    return "ok";
}

// Maps every record of `body` (records at `pointer`) and renders each value
// as N (null), #text (number), ?text (boolean) or text, joined by '|'.
std::vector<std::string> mapped(std::string body, const std::vector<crm::JsonColumn>& columns,
                                std::string_view pointer = "") {
    crm::JsonDocument document;
    crm::RecordMapper mapper(columns);
    std::vector<crm::MappedValue> values;
    std::vector<std::string> rows;
    for (auto record : crm::records_at(document.parse(body, "test"), pointer, "test")) {
        mapper.map(record, values);
        std::string row;
        for (const auto& v : values) {
            if (!row.empty()) row += '|';
            if (v.null) row += 'N';
            else row += (v.number ? "#" : v.boolean ? "?" : "") + std::string(v.text);
        }
        rows.push_back(row);
    }
    return rows;
}

std::vector<crm::JsonColumn> text_columns(std::initializer_list<const char*> names) {
    std::vector<std::pair<std::string, JsonColumnKind>> list;
    for (const char* name : names) list.emplace_back(name, JsonColumnKind::Text);
    return crm::json_columns(list, "");
}

}  // namespace

TEST(JsonRecords, OdooFalseIsNullExceptInBooleanColumns) {
    auto columns = crm::json_columns({{"name", JsonColumnKind::Text},
                                      {"email", JsonColumnKind::Text},
                                      {"is_company", JsonColumnKind::Boolean},
                                      {"active", JsonColumnKind::Boolean},
                                      {"country_id", JsonColumnKind::Json},
                                      {"zip", JsonColumnKind::Json}},
                                     "");
    auto rows = mapped(R"({"jsonrpc":"2.0","id":2,"result":[
        {"name":"Cave Dupont","email":false,"is_company":true,"active":false,"country_id":[75,"France"],"zip":false},
        {"name":null,"is_company":false,"active":true,"country_id":false,"zip":"75011"}]})",
                       columns, "/result");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], "Cave Dupont|N|?true|?false|[75,\"France\"]|N");
    EXPECT_EQ(rows[1], "N|N|?false|?true|N|\"75011\"");
}

TEST(JsonRecords, TrueInATextColumnIsTrue) {
    EXPECT_EQ(mapped(R"([{"paid":true}])", text_columns({"paid"}))[0], "true");
}

TEST(JsonRecords, NumbersKeepTheirDigits) {
    auto rows = mapped(R"([{"a":"230.32","b":230.32,"c":18446744073709551615,"d":-9223372036854775808,
                            "e":0.1,"f":1e21,"g":42,"h":-0.5,"i":1.50}])",
                       text_columns({"a", "b", "c", "d", "e", "f", "g", "h", "i"}));
    EXPECT_EQ(rows[0], "230.32|#230.32|#18446744073709551615|#-9223372036854775808|#0.1|#1e+21|#42|#-0.5|#1.5");
}

TEST(JsonRecords, StringsAreUnescapedIncludingUnicodeEscapes) {
    auto rows = mapped(R"([{"name":"Ch\u00e2teau d'Yquem \"1er\"\n","emoji":"\ud83c\udf77","raw":"Mâcon"}])",
                       text_columns({"name", "emoji", "raw"}));
    EXPECT_EQ(rows[0], "Château d'Yquem \"1er\"\n|🍷|Mâcon");
}

TEST(JsonRecords, ObjectsAndArraysAreMinified) {
    auto rows = mapped(R"([{"billing_address" : { "city" : "Lyon", "postal_code":"69001" }, "emails":[ "a@x.fr" ,"b@x.fr"],
                            "listIds":[],"attributes":{}}])",
                       text_columns({"billing_address", "emails", "listIds", "attributes"}));
    EXPECT_EQ(rows[0], R"({"city":"Lyon","postal_code":"69001"}|["a@x.fr","b@x.fr"]|[]|{})");
}

TEST(JsonRecords, PointersReachIntoArraysAndObjects) {
    auto columns = crm::json_columns({{"partner_id", JsonColumnKind::Text},
                                      {"partner_name", JsonColumnKind::Text},
                                      {"city", JsonColumnKind::Text},
                                      {"missing", JsonColumnKind::Text},
                                      {"whole", JsonColumnKind::Json}},
                                     R"({"partner_id":"/order_partner_id/0","partner_name":"/order_partner_id/1",
                                         "city":"/billing_address/city","missing":"/order_partner_id/5","whole":""})");
    auto rows = mapped(R"([{"order_partner_id":[7,"Dupont"],"billing_address":{"city":"Lyon"}},
                           {"order_partner_id":false,"billing_address":null}])",
                       columns);
    EXPECT_EQ(rows[0], R"(#7|Dupont|Lyon|N|{"order_partner_id":[7,"Dupont"],"billing_address":{"city":"Lyon"}})");
    EXPECT_EQ(rows[1], R"(N|N|N|N|{"order_partner_id":false,"billing_address":null})");
}

TEST(JsonRecords, DefaultPointersEscapeTildeAndSlash) {
    EXPECT_EQ(crm::member_pointer("a/b~c"), "/a~1b~0c");
    auto rows = mapped(R"([{"a/b~c":"yes","0":"zero"}])", text_columns({"a/b~c", "0"}));
    EXPECT_EQ(rows[0], "yes|zero");
}

TEST(JsonRecords, PointerSyntaxFollowsRfc6901) {
    EXPECT_TRUE(crm::JsonPointer::parse(""));
    EXPECT_TRUE(crm::JsonPointer::parse("/"));
    EXPECT_TRUE(crm::JsonPointer::parse("/a~0b/~1/0"));
    EXPECT_FALSE(crm::JsonPointer::parse("a"));
    EXPECT_FALSE(crm::JsonPointer::parse("/a~2"));
    EXPECT_FALSE(crm::JsonPointer::parse("/a~"));
    // "01" is not an index but still a member name.
    auto rows = mapped(R"([{"x":[10,11],"y":{"01":"m"}}])",
                       crm::json_columns({{"a", JsonColumnKind::Text}, {"b", JsonColumnKind::Text}, {"c", JsonColumnKind::Text}},
                                         R"({"a":"/x/01","b":"/y/01","c":"/x/1"})"));
    EXPECT_EQ(rows[0], "N|m|#11");
}

TEST(JsonRecords, FieldsOptionErrors) {
    std::vector<std::pair<std::string, JsonColumnKind>> names{{"a", JsonColumnKind::Text}};
    EXPECT_EQ(sqlstate_of([&] { crm::json_columns(names, R"({"b":"/b"})"); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::json_columns(names, R"({"a":"b"})"); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::json_columns(names, R"({"a":3})"); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::json_columns(names, R"("a")"); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::json_columns(names, R"({)"); }), "22023");
    EXPECT_EQ(crm::json_columns(names, R"(["name","email"])")[0].pointer, "/a");
    EXPECT_EQ(sqlstate_of([&] { crm::RecordMapper({{"a", "nope", JsonColumnKind::Text}}); }), "22023");
}

TEST(JsonRecords, InvalidBodiesAre22032) {
    crm::JsonDocument document;
    for (std::string body : std::vector<std::string>{"", "{", "[1,2", "{\"a\":}", "nul", "[\"\\ud800\"]", "[1e400]", "{\"a\":1} x",
                             "[18446744073709551616]", std::string("[\"a\0b\"]", 7)}) {
        try {
            document.parse(body, "brevo contacts");
            ADD_FAILURE() << "parsed: " << body;
        } catch (const crm::Error& e) {
            EXPECT_STREQ(e.sqlstate(), "22032") << body;
            EXPECT_NE(std::string(e.what()).find("invalid JSON in the response of brevo contacts: "), std::string::npos);
        }
    }
}

TEST(JsonRecords, EveryPrefixOfABodyParsesOrFailsCleanly) {
    const std::string body =
        R"({"has_more":true,"next_cursor":"dXBk","items":[{"id":1,"name":"Ch\u00e2teau","amount":"230.32",)"
        R"("emails":["a@x.fr"],"billing_address":{"city":"Lyon"},"paid":false,"n":12.5e3}]})";
    crm::JsonDocument document;
    auto columns = text_columns({"id", "name", "amount", "emails", "billing_address", "paid", "n"});
    crm::RecordMapper mapper(columns);
    std::vector<crm::MappedValue> values;
    int parsed = 0;
    for (std::size_t n = 0; n <= body.size(); ++n) {
        std::string prefix = body.substr(0, n);
        prefix.shrink_to_fit();  // no padding: parse() must add it
        try {
            auto root = document.parse(prefix, "test");
            ++parsed;
            for (auto record : crm::records_at(root, "/items", "test")) mapper.map(record, values);
        } catch (const crm::Error& e) {
            EXPECT_STREQ(e.sqlstate(), "22032") << n;
        }
    }
    EXPECT_EQ(parsed, 1);
}

TEST(JsonRecords, WrongShapeNamesTheKeysSeen) {
    crm::JsonDocument document;
    std::string body = R"({"jsonrpc":"2.0","id":2,"error":{"message":"secret stuff"}})";
    try {
        crm::records_at(document.parse(body, "odoo res.partner"), "/result", "odoo res.partner");
        FAIL();
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "08P01");
        EXPECT_STREQ(e.what(), "the response of odoo res.partner has no array at \"/result\"");
        EXPECT_EQ(e.detail(), "Top-level keys: jsonrpc, id, error.");
        EXPECT_EQ(e.detail().find("secret"), std::string::npos);
    }
    std::string scalar = R"("hello")";
    EXPECT_EQ(sqlstate_of([&] { crm::records_at(document.parse(scalar, "t"), "", "t"); }), "08P01");
    std::string object = R"({"items":{"a":1}})";
    EXPECT_EQ(sqlstate_of([&] { crm::records_at(document.parse(object, "t"), "/items", "t"); }), "08P01");
    std::string root_array = "[]";
    EXPECT_EQ(crm::records_at(document.parse(root_array, "t"), "", "t").size(), 0u);
}

TEST(JsonRecords, ExcerptCutsAtCharacterBoundariesAndBlanksControls) {
    EXPECT_EQ(crm::excerpt("a\nb\tc"), "a b c");
    std::string long_text(150, 'x');
    long_text += "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé";
    std::string cut = crm::excerpt(long_text, 200);
    EXPECT_LE(cut.size(), 200u);
    EXPECT_EQ(cut.substr(cut.size() - 3), "...");
    EXPECT_NE(static_cast<unsigned char>(cut[cut.size() - 4]), 0xC3);  // no half character before "..."
}

TEST(JsonRecords, HundredThousandRecordsMapCorrectlyAndBuffersAreReused) {
    std::string body = R"({"count":100000,"contacts":[)";
    for (int i = 0; i < 100000; ++i) {
        if (i) body += ',';
        body += R"({"id":)" + std::to_string(i) + R"(,"email":"c)" + std::to_string(i) +
                R"(@example.fr","listIds":[)" + std::to_string(i % 7) + R"(],"emailBlacklisted":)" +
                (i % 2 ? "true" : "false") + "}";
    }
    body += "]}";
    crm::JsonDocument document;
    auto columns = crm::json_columns({{"id", JsonColumnKind::Text},
                                      {"email", JsonColumnKind::Text},
                                      {"listIds", JsonColumnKind::Json},
                                      {"emailBlacklisted", JsonColumnKind::Boolean}},
                                     "");
    crm::RecordMapper mapper(columns);
    std::vector<crm::MappedValue> values;
    int i = 0;
    for (auto record : crm::records_at(document.parse(body, "t"), "/contacts", "t")) {
        mapper.map(record, values);
        ASSERT_EQ(values[0].text, std::to_string(i));
        ASSERT_EQ(values[1].text, "c" + std::to_string(i) + "@example.fr");
        ASSERT_EQ(values[2].text, "[" + std::to_string(i % 7) + "]");
        ASSERT_EQ(values[3].text, i % 2 ? "true" : "false");
        ++i;
    }
    EXPECT_EQ(i, 100000);
    // A second page through the same document.
    std::string second = R"({"contacts":[{"id":1}]})";
    EXPECT_EQ(crm::records_at(document.parse(second, "t"), "/contacts", "t").size(), 1u);
}

TEST(JsonRecords, MinifiedRecord) {
    crm::JsonDocument document;
    std::string body = R"([ {"a" : 1.0, "b":[true,null,"x\u0001"], "c":{"d":-2}} ])";
    auto records = crm::records_at(document.parse(body, "t"), "", "t");
    EXPECT_EQ(crm::minified(records.at(0).value()), R"({"a":1,"b":[true,null,"x\u0001"],"c":{"d":-2}})");
}
