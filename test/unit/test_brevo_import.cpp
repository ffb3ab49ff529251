#include <gtest/gtest.h>

#include <string>

#include <simdjson.h>

#include "core/api_connector.hpp"
#include "core/brevo_import.hpp"
#include "core/error.hpp"
#include "core/json_records.hpp"

namespace {

const char* kSecret = "xkeysib-S3CRET-value-0123456789";

std::string sqlstate_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const crm::Error& e) {
        return e.sqlstate();
    }
    return "ok";
}

// The body parsed back, so that tests read values as Brevo would.
struct Parsed {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    explicit Parsed(const std::string& body) { EXPECT_FALSE(parser.parse(body).get(root)) << body; }
    std::string text(const char* pointer) {
        std::string_view s;
        EXPECT_FALSE(root.at_pointer(pointer).get_string().get(s)) << pointer;
        return std::string(s);
    }
    bool has(const char* pointer) {
        simdjson::dom::element e;
        return !root.at_pointer(pointer).get(e);
    }
};

bool valid_utf8(const std::string& s) {
    simdjson::dom::parser parser;
    std::string quoted = "\"" + s + "\"";
    return !parser.parse(quoted).error();
}

TEST(TruncateUtf8, KeepsWhatFits) {
    EXPECT_EQ(crm::truncate_utf8("Château Margaux", 255), "Château Margaux");
    EXPECT_EQ(crm::truncate_utf8("abc", 3), "abc");
    EXPECT_EQ(crm::truncate_utf8("", 3), "");
}

TEST(TruncateUtf8, CutsOnACharacterBoundaryWithAnEllipsis) {
    // "ééééé" is 10 bytes; 8 bytes leave 5 for text: two "é" (4 bytes), not half of a third.
    std::string cut = crm::truncate_utf8("ééééé", 8);
    EXPECT_EQ(cut, "éé\xE2\x80\xA6");
    EXPECT_LE(cut.size(), 8u);
    EXPECT_TRUE(valid_utf8(cut));
    // A 4-byte character straddling the cut is dropped whole.
    std::string emoji = "ab\xF0\x9F\x8D\xB7" "cd";  // ab🍷cd
    EXPECT_EQ(crm::truncate_utf8(emoji, 7), "ab\xE2\x80\xA6");
    // Every length from 3 up gives valid UTF-8 within the bound.
    std::string french = "souvent acheté avec « Côte-Rôtie 2018 » (12 clients, lift 3,4) — idéal";
    for (std::size_t max = 3; max <= french.size() + 1; ++max) {
        std::string out = crm::truncate_utf8(french, max);
        EXPECT_LE(out.size(), max);
        EXPECT_TRUE(valid_utf8(out)) << max;
    }
}

TEST(BrevoImportBody, AttributesInRankOrderWithCount) {
    std::string body = crm::brevo_import_body(
        R"([{"email":"jean@example.fr","recommendations":[{"name":"Crémant d'Alsace","reason":"souvent acheté avec « Riesling »"},
                                                           {"name":"Pouilly-Fumé 2019","reason":""}]}])",
        "{}");
    Parsed p(body);
    EXPECT_EQ(p.text("/jsonBody/0/email"), "jean@example.fr");
    int64_t count = 0;
    EXPECT_FALSE(p.root.at_pointer("/jsonBody/0/attributes/RECO_COUNT").get_int64().get(count));
    EXPECT_EQ(count, 2);
    EXPECT_EQ(p.text("/jsonBody/0/attributes/RECO_1"), "Crémant d'Alsace");
    EXPECT_EQ(p.text("/jsonBody/0/attributes/RECO_1_RAISON"), "souvent acheté avec « Riesling »");
    EXPECT_EQ(p.text("/jsonBody/0/attributes/RECO_2"), "Pouilly-Fumé 2019");
    EXPECT_FALSE(p.has("/jsonBody/0/attributes/RECO_2_RAISON"));  // no empty value: it would erase nothing anyway
    EXPECT_FALSE(p.has("/jsonBody/0/attributes/RECO_3"));
    bool update = false, empty = true;
    EXPECT_FALSE(p.root.at_pointer("/updateExistingContacts").get_bool().get(update));
    EXPECT_FALSE(p.root.at_pointer("/emptyContactsAttributes").get_bool().get(empty));
    EXPECT_TRUE(update);
    EXPECT_FALSE(empty);
    EXPECT_FALSE(p.has("/listIds"));
}

TEST(BrevoImportBody, EscapesQuotesBackslashesAndControls) {
    std::string body = crm::brevo_import_body(
        R"([{"email":"o'neil@example.fr","recommendations":[{"name":"Cuvée \"Prestige\" \\ 1er","reason":"ligne 1\nligne 2\t«x»"}]}])",
        R"({"list_ids":[2,7]})");
    Parsed p(body);
    EXPECT_EQ(p.text("/jsonBody/0/email"), "o'neil@example.fr");
    EXPECT_EQ(p.text("/jsonBody/0/attributes/RECO_1"), "Cuvée \"Prestige\" \\ 1er");
    EXPECT_EQ(p.text("/jsonBody/0/attributes/RECO_1_RAISON"), "ligne 1\nligne 2\t«x»");
    EXPECT_EQ(body.find('\n'), std::string::npos);  // escaped, not raw
    int64_t first = 0, second = 0;
    EXPECT_FALSE(p.root.at_pointer("/listIds/0").get_int64().get(first));
    EXPECT_FALSE(p.root.at_pointer("/listIds/1").get_int64().get(second));
    EXPECT_EQ(first, 2);
    EXPECT_EQ(second, 7);
}

TEST(BrevoImportBody, LongValuesAreCutToTheAttributeLimit) {
    std::string reason;
    while (reason.size() < 400) reason += "é";
    std::string body = crm::brevo_import_body(
        R"([{"email":"a@example.fr","recommendations":[{"name":"X","reason":")" + reason + R"("}]}])", "");
    Parsed p(body);
    std::string sent = p.text("/jsonBody/0/attributes/RECO_1_RAISON");
    EXPECT_LE(sent.size(), crm::kBrevoTextAttributeBytes);
    EXPECT_GE(sent.size(), crm::kBrevoTextAttributeBytes - 4);
    EXPECT_EQ(sent.substr(sent.size() - 3), "\xE2\x80\xA6");
    EXPECT_TRUE(valid_utf8(sent));
}

TEST(BrevoImportBody, BadInputIsRefused) {
    const char* one = R"([{"email":"a@example.fr","recommendations":[{"name":"X"}]}])";
    EXPECT_EQ(sqlstate_of([&] { crm::brevo_import_body(one, "{}"); }), "ok");
    EXPECT_EQ(sqlstate_of([] { crm::brevo_import_body("[]", "{}"); }), "22023");
    EXPECT_EQ(sqlstate_of([] { crm::brevo_import_body("{}", "{}"); }), "22023");
    EXPECT_EQ(sqlstate_of([] { crm::brevo_import_body(R"([{"email":"nobody","recommendations":[{"name":"X"}]}])", "{}"); }),
              "22023");
    EXPECT_EQ(sqlstate_of([] { crm::brevo_import_body(R"([{"email":"a@b.fr","recommendations":[]}])", "{}"); }), "22023");
    EXPECT_EQ(sqlstate_of([] { crm::brevo_import_body(R"([{"email":"a@b.fr","recommendations":[{"name":""}]}])", "{}"); }),
              "22023");
    EXPECT_EQ(sqlstate_of([] { crm::brevo_import_body(R"([{"email":"a@b.fr","recommendations":[{"reason":"r"}]}])", "{}"); }),
              "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::brevo_import_body(one, R"({"list_ids":[0]})"); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::brevo_import_body(one, R"({"list_ids":"2"})"); }), "22023");
    EXPECT_EQ(sqlstate_of([&] { crm::brevo_import_body(one, R"({"lists":[2]})"); }), "22023");
    std::string many = "[";
    for (int i = 0; i <= crm::kBrevoImportMaxContacts; ++i)
        many += std::string(i ? "," : "") + R"({"email":"a@b.fr","recommendations":[{"name":"X"}]})";
    many += "]";
    EXPECT_EQ(sqlstate_of([&] { crm::brevo_import_body(many, "{}"); }), "22023");
}

crm::ApiConfig brevo_config() {
    return crm::parse_api_config("brevo", R"({"url":"https://api.brevo.com/","api_key_secret":"brevo"})");
}

TEST(ApiWriter, PostsToTheImportWithTheKeyHeader) {
    crm::ApiWriter writer(brevo_config(), kSecret, "contacts/import");
    crm::HttpRequest request = writer.request(R"({"jsonBody":[]})");
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.url, "https://api.brevo.com/v3/contacts/import");
    EXPECT_EQ(request.body, R"({"jsonBody":[]})");
    bool key = false, content_type = false;
    for (const auto& [name, value] : request.headers) {
        key = key || (name == "api-key" && value == kSecret);
        content_type = content_type || (name == "Content-Type" && value == "application/json");
    }
    EXPECT_TRUE(key);
    EXPECT_TRUE(content_type);
    EXPECT_EQ(writer.describe(), "brevo contacts/import");
}

TEST(ApiWriter, OnlyKnownResourcesAreWritable) {
    EXPECT_EQ(sqlstate_of([] { crm::ApiWriter(brevo_config(), kSecret, "contacts"); }), "22023");
    EXPECT_EQ(sqlstate_of([] { crm::ApiWriter(brevo_config(), kSecret, "contacts/import/../../x"); }), "22023");
    crm::ApiConfig penny = crm::parse_api_config("pennylane", R"({"url":"https://app.pennylane.com","token_secret":"p"})");
    EXPECT_EQ(sqlstate_of([&] { crm::ApiWriter(penny, kSecret, "contacts/import"); }), "22023");
    EXPECT_EQ(sqlstate_of([] { crm::ApiWriter(brevo_config(), "key\n", "contacts/import"); }), "22023");
}

struct Judged {
    std::string sqlstate = "ok", message, detail, hint, answer;
};

Judged judge(long status, std::string body) {
    crm::ApiWriter writer(brevo_config(), kSecret, "contacts/import");
    crm::HttpResponse response{status, "application/json", std::move(body)};
    crm::JsonDocument document;
    Judged out;
    try {
        out.answer = crm::minified(writer.on_response(response, document));
    } catch (const crm::Error& e) {
        out = {e.sqlstate(), e.what(), e.detail(), e.hint(), ""};
    }
    for (const std::string* text : {&out.message, &out.detail, &out.hint})
        EXPECT_EQ(text->find(kSecret), std::string::npos) << *text;
    return out;
}

TEST(ApiWriter, JudgesBrevosAnswers) {
    EXPECT_EQ(judge(202, R"({"processId":78})").answer, R"({"processId":78})");
    Judged refused = judge(401, R"({"code":"unauthorized","message":"Key not found"})");
    EXPECT_EQ(refused.sqlstate, "28000");
    EXPECT_NE(refused.message.find("check the secret brevo"), std::string::npos);
    EXPECT_NE(refused.detail.find("Key not found"), std::string::npos);
    EXPECT_NE(refused.hint.find("may write"), std::string::npos);
    Judged invalid = judge(400, R"({"code":"invalid_parameter","message":"attribute name is invalid"})");
    EXPECT_EQ(invalid.sqlstate, "08006");
    EXPECT_EQ(invalid.message, "HTTP 400 from api.brevo.com/v3/contacts/import");
    EXPECT_NE(invalid.detail.find("attribute name is invalid"), std::string::npos);
    // A server echoing the key gets it blanked.
    Judged echoed = judge(400, std::string(R"({"message":"bad key )") + kSecret + R"("})");
    EXPECT_NE(echoed.detail.find("[secret]"), std::string::npos);
    EXPECT_EQ(judge(202, R"({"processId":)").sqlstate, "22032");
    EXPECT_EQ(judge(202, "").sqlstate, "08P01");
    EXPECT_EQ(judge(500, "<html>oops</html>").sqlstate, "08006");
}

}  // namespace
