#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "core/api_connector.hpp"
#include "core/error.hpp"

namespace {

const char* kOdooConfig = R"({"url":"https://cave.odoo.com","database":"cave","login":"api@cave.fr","api_key_secret":"odoo_key"})";
const char* kPennylaneConfig = R"({"url":"https://app.pennylane.com","token_secret":"penny"})";
const char* kBrevoConfig = R"({"url":"https://api.brevo.com","api_key_secret":"brevo"})";
const char* kSecret = "xkeysib-S3CRET-value-0123456789";

struct Outcome {
    std::string sqlstate = "ok";
    std::string message, detail, hint;
};

// Runs `action`, returns how it ended, and checks that the secret's value
// appears nowhere in an error.
Outcome run(const std::function<void()>& action) {
    Outcome outcome;
    try {
        action();
    } catch (const crm::Error& e) {
        outcome = {e.sqlstate(), e.what(), e.detail(), e.hint()};
    }
    for (const std::string* text : {&outcome.message, &outcome.detail, &outcome.hint})
        EXPECT_EQ(text->find(kSecret), std::string::npos) << "secret leaked in: " << *text;
    return outcome;
}

// A reader driven by canned responses: every request it makes is kept.
struct Drive {
    crm::ApiReader reader;
    crm::JsonDocument document;
    std::vector<crm::HttpRequest> requests;
    std::vector<std::size_t> page_sizes;

    Drive(const char* kind, const char* config, std::string_view resource, std::string_view options = "")
        : reader(crm::parse_api_config(kind, config), kSecret, resource, options) {}

    // Answers the next request with (status, body); false when the reader is done.
    bool answer(long status, std::string body) {
        crm::HttpRequest request;
        if (!reader.next_request(request)) return false;
        requests.push_back(request);
        crm::HttpResponse response;
        response.status = status;
        response.body = std::move(body);
        page_sizes.push_back(reader.on_response(response, document).size());
        return true;
    }
    bool done() {
        crm::HttpRequest request;
        return !reader.next_request(request);
    }
};

std::string header(const crm::HttpRequest& request, const std::string& name) {
    for (const auto& [key, value] : request.headers)
        if (key == name) return value;
    return "<none>";
}

std::string odoo_records(int first_id, int count, const char* write_date = "2024-05-02 10:00:00") {
    std::string body = R"({"jsonrpc":"2.0","id":2,"result":[)";
    for (int i = 0; i < count; ++i) {
        if (i) body += ',';
        body += R"({"id":)" + std::to_string(first_id + i) + R"(,"name":"Client","email":false,"write_date":")" +
                write_date + "\"}";
    }
    return body + "]}";
}

const std::string kOdooLogin = R"({"jsonrpc":"2.0","id":1,"result":7})";

}  // namespace

// ---------------------------------------------------------------- config

TEST(ApiConfig, VendorExamplesFromTheSpec) {
    crm::ApiConfig odoo = crm::parse_api_config("odoo", kOdooConfig);
    EXPECT_EQ(odoo.url, "https://cave.odoo.com");
    EXPECT_EQ(odoo.database, "cave");
    EXPECT_EQ(odoo.login, "api@cave.fr");
    EXPECT_EQ(odoo.secret_name, "odoo_key");
    EXPECT_EQ(odoo.rate_limit_per_s, 0);

    crm::ApiConfig penny = crm::parse_api_config("pennylane", kPennylaneConfig);
    EXPECT_EQ(penny.secret_name, "penny");
    EXPECT_EQ(penny.rate_limit_per_s, 5);
    EXPECT_EQ(penny.rate_burst, 25);

    crm::ApiConfig brevo = crm::parse_api_config("brevo", R"({"url":"https://api.brevo.com/","api_key_secret":"brevo",
                                                              "timeout_ms":30000,"page_size":1000,"max_pages":50})");
    EXPECT_EQ(brevo.url, "https://api.brevo.com");
    EXPECT_EQ(brevo.rate_limit_per_s, 10);
    EXPECT_EQ(brevo.rate_burst, 10);
    EXPECT_EQ(brevo.timeout_ms, 30000);
    EXPECT_EQ(brevo.page_size, 1000);
    EXPECT_EQ(brevo.max_pages, 50);

    crm::ApiConfig generic = crm::parse_api_config("http_json", R"({"url":"http://127.0.0.1:18080/api",
        "auth":{"header":"X-Token","prefix":"Token","secret":"shop"},"records":"/data/rows",
        "pagination":{"type":"cursor","cursor_param":"after","next_cursor":"/meta/next","has_more":"/meta/more"}})");
    EXPECT_EQ(generic.auth_header, "X-Token");
    EXPECT_EQ(generic.auth_prefix, "Token");
    EXPECT_EQ(generic.secret_name, "shop");
    EXPECT_EQ(generic.records_pointer, "/data/rows");
    EXPECT_EQ(generic.pagination.type, crm::ApiPagination::Type::Cursor);
    EXPECT_EQ(generic.pagination.cursor_param, "after");
    EXPECT_EQ(generic.pagination.next_cursor, "/meta/next");
    EXPECT_EQ(generic.pagination.has_more, "/meta/more");
    EXPECT_TRUE(crm::parse_api_config("http_json", R"({"url":"https://x.example"})").secret_name.empty());
}

TEST(ApiConfig, BadConfigsSayWhatToFix) {
    auto error = [](const char* kind, const char* json) { return run([&] { crm::parse_api_config(kind, json); }); };
    Outcome missing = error("odoo", R"({"url":"https://cave.odoo.com","login":"a","api_key_secret":"k"})");
    EXPECT_EQ(missing.sqlstate, "22023");
    EXPECT_EQ(missing.message, "source config for kind \"odoo\" needs \"database\"");
    EXPECT_EQ(error("salesforce", "{}").message, "unknown source kind \"salesforce\"");
    EXPECT_EQ(error("brevo", R"({"api_key_secret":"b"})").message, "source config for kind \"brevo\" needs \"url\"");
    EXPECT_EQ(error("brevo", R"({"url":"https://api.brevo.com","api_key_secret":"b","apikey":"x"})").message,
              "source config for kind \"brevo\" has an unknown key \"apikey\"");
    EXPECT_EQ(error("brevo", R"({"url":"https://api.brevo.com","api_key_secret":7})").message,
              "source config for kind \"brevo\" \"api_key_secret\" must be a string");
    // A key pasted where its name belongs is refused, and not repeated.
    const std::pair<const char*, const char*> pastes[] = {
        {"brevo", R"({"url":"https://api.brevo.com","api_key_secret":"xkeysib-4f2a9c-Secret"})"},
        {"http_json", R"({"url":"https://x.example","auth":{"secret":"Bearer abc.def"}})"}};
    for (const auto& [kind, json] : pastes) {
        Outcome pasted = error(kind, json);
        EXPECT_EQ(pasted.sqlstate, "22023");
        EXPECT_NE(pasted.message.find("must be the name of a secret"), std::string::npos) << pasted.message;
        EXPECT_EQ(pasted.message.find("Secret"), std::string::npos) << pasted.message;
        EXPECT_EQ(pasted.message.find("abc"), std::string::npos) << pasted.message;
    }
    for (const char* json : {
             R"({"url":"ftp://api.brevo.com","api_key_secret":"b"})",
             R"({"url":"api.brevo.com","api_key_secret":"b"})",
             R"({"url":"https://","api_key_secret":"b"})",
             R"({"url":"https://api.brevo.com/?x=1","api_key_secret":"b"})",
             R"({"url":"https://api.brevo.com\r\nX: y","api_key_secret":"b"})",
             R"({"url":"https://api.brevo.com","api_key_secret":"b","page_size":0})",
             R"({"url":"https://api.brevo.com","api_key_secret":"b","rate_limit_per_s":"fast"})",
             R"({"url":"https://api.brevo.com","api_key_secret":""})",
             R"({"url":"https://api.brevo.com","api_key_secret":"b","records":"/contacts"})",
             R"([1])",
             R"({)",
         })
        EXPECT_EQ(error("brevo", json).sqlstate, "22023") << json;
    for (const char* json : {
             R"({"url":"https://x.example","auth":{"header":"X-Token"}})",
             R"({"url":"https://x.example","auth":{"header":"Bad Header","secret":"s"}})",
             R"({"url":"https://x.example","pagination":{"type":"scroll"}})",
             R"({"url":"https://x.example","pagination":{"type":"cursor","offset_param":"o"}})",
             R"({"url":"https://x.example","pagination":{"type":"link","next_url":"next"}})",
             R"({"url":"https://x.example","pagination":{}})",
             R"({"url":"https://x.example","records":"items"})",
         })
        EXPECT_EQ(error("http_json", json).sqlstate, "22023") << json;
}

TEST(ApiReader, UnknownResourcesAndOptions) {
    auto brevo = crm::parse_api_config("brevo", kBrevoConfig);
    Outcome unknown = run([&] { crm::ApiReader(brevo, kSecret, "campaigns", ""); });
    EXPECT_EQ(unknown.sqlstate, "22023");
    EXPECT_EQ(unknown.message, "unknown brevo resource \"campaigns\"");
    EXPECT_EQ(unknown.hint, "Supported: contacts, smtp/blockedContacts.");
    auto penny = crm::parse_api_config("pennylane", kPennylaneConfig);
    EXPECT_NE(run([&] { crm::ApiReader(penny, kSecret, "invoices", ""); }).hint.find("changelogs/customers"),
              std::string::npos);
    auto odoo = crm::parse_api_config("odoo", kOdooConfig);
    EXPECT_EQ(run([&] { crm::ApiReader(odoo, kSecret, "partner", ""); }).sqlstate, "22023");
    EXPECT_EQ(run([&] { crm::ApiReader(odoo, kSecret, "res.partner", R"({"sinse":"2024-05-01"})"); }).sqlstate, "22023");
    EXPECT_EQ(run([&] { crm::ApiReader(odoo, kSecret, "res.partner", R"({"since":"2024-05-01T10:00:00+02:00"})"); }).sqlstate,
              "22023");
    EXPECT_EQ(run([&] { crm::ApiReader(odoo, kSecret, "res.partner", R"({"params":{"a":"b"}})"); }).sqlstate, "22023");
    EXPECT_EQ(run([&] { crm::ApiReader(brevo, kSecret, "contacts", R"({"domain":[]})"); }).sqlstate, "22023");
    EXPECT_EQ(run([&] { crm::ApiReader(brevo, kSecret, "contacts", R"({"params":{"offset":5}})"); }).sqlstate, "22023");
    for (const char* since : {"yesterday", "2024-5-1", "20240501T00:00", "2024-05-0x"})
        EXPECT_EQ(run([&] { crm::ApiReader(brevo, kSecret, "contacts", std::string(R"({"since":")") + since + "\"}"); }).sqlstate,
                  "22023") << since;
    Outcome newline = run([&] { crm::ApiReader(brevo, std::string(kSecret) + "\n", "contacts", ""); });
    EXPECT_EQ(newline.sqlstate, "22023");
    EXPECT_NE(newline.message.find("\"brevo\""), std::string::npos);
}

// ---------------------------------------------------------------- odoo

TEST(OdooReader, LogsInThenPagesByKeysetUntilAShortPage) {
    Drive d("odoo", kOdooConfig, "res.partner",
            R"({"page_size":2,"since":"2024-05-01T00:00:00Z","fields":["name","email"],"domain":[["customer_rank",">",0]]})");
    EXPECT_EQ(d.reader.describe(), "odoo res.partner");
    ASSERT_TRUE(d.answer(200, kOdooLogin));
    ASSERT_TRUE(d.answer(200, odoo_records(10, 2)));
    ASSERT_TRUE(d.answer(200, odoo_records(12, 1, "2024-05-03 08:00:00")));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.page_sizes, (std::vector<std::size_t>{0, 2, 1}));
    EXPECT_EQ(d.reader.pages(), 2);
    EXPECT_EQ(d.reader.records(), 3u);

    const crm::HttpRequest& login = d.requests[0];
    EXPECT_EQ(login.method, "POST");
    EXPECT_EQ(login.url, "https://cave.odoo.com/jsonrpc");
    EXPECT_EQ(header(login, "Content-Type"), "application/json");
    EXPECT_EQ(header(login, "Accept"), "application/json");
    EXPECT_EQ(login.body, std::string(R"({"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"common",)") +
                              R"("method":"login","args":["cave","api@cave.fr",")" + kSecret + R"("]}})");

    EXPECT_EQ(d.requests[1].body,
              std::string(R"({"jsonrpc":"2.0","method":"call","id":2,"params":{"service":"object","method":"execute_kw",)") +
                  R"("args":["cave",7,")" + kSecret +
                  R"(","res.partner","search_read",[["&",["customer_rank",">",0],["write_date",">=","2024-05-01 00:00:00"]]],)" +
                  R"({"fields":["name","email","id","write_date"],"offset":0,"limit":2,"order":"write_date asc, id asc",)" +
                  R"("context":{"lang":"fr_FR","active_test":false}}]}})");
    EXPECT_NE(d.requests[2].body.find(
                  R"([["&",["customer_rank",">",0],"|",["write_date",">","2024-05-02 10:00:00"],"&",)"
                  R"(["write_date","=","2024-05-02 10:00:00"],["id",">",11]]])"),
              std::string::npos)
        << d.requests[2].body;
}

TEST(OdooReader, DefaultsWithoutOptions) {
    Drive d("odoo", kOdooConfig, "stock.quant");
    ASSERT_TRUE(d.answer(200, kOdooLogin));
    ASSERT_TRUE(d.answer(200, odoo_records(1, 3)));
    EXPECT_TRUE(d.done());
    // Every field, the internal-location domain, 1000 per page, no since.
    EXPECT_NE(d.requests[1].body.find(R"("search_read",[[["location_id.usage","=","internal"]]],{"fields":[],"offset":0,"limit":1000,)"),
              std::string::npos)
        << d.requests[1].body;
}

TEST(OdooReader, FieldsObjectRequestsThePointersFirstSteps) {
    Drive d("odoo", kOdooConfig, "sale.order.line",
            R"({"fields":{"partner_id":"/order_partner_id/0","partner":"/order_partner_id/1","qty":"/product_uom_qty"}})");
    ASSERT_TRUE(d.answer(200, kOdooLogin));
    ASSERT_TRUE(d.answer(200, R"({"result":[]})"));
    EXPECT_TRUE(d.done());
    EXPECT_NE(d.requests[1].body.find(R"("fields":["order_partner_id","product_uom_qty","id","write_date"])"),
              std::string::npos);
}

TEST(OdooReader, RefusedLoginNamesTheSecretNotItsValue) {
    Drive d("odoo", kOdooConfig, "res.partner");
    Outcome refused = run([&] { d.answer(200, R"({"jsonrpc":"2.0","id":1,"result":false})"); });
    EXPECT_EQ(refused.sqlstate, "28000");
    EXPECT_EQ(refused.message, "Odoo refused the login for api@cave.fr on database cave: check the secret odoo_key");
}

TEST(OdooReader, ErrorInsideHttp200IsAnError) {
    Drive d("odoo", kOdooConfig, "res.partner");
    ASSERT_TRUE(d.answer(200, kOdooLogin));
    std::string long_message(500, 'x');
    Outcome error = run([&] {
        d.answer(200, R"({"jsonrpc":"2.0","id":2,"error":{"code":200,"message":"Odoo Server Error","data":{)"
                      R"("name":"odoo.exceptions.AccessError","message":"No read access on res.partner for key )" +
                          std::string(kSecret) + " " + long_message + R"("}}})");
    });
    EXPECT_EQ(error.sqlstate, "08P01");
    EXPECT_EQ(error.message.rfind("Odoo returned an error for odoo res.partner: No read access on res.partner for key [secret] xxx", 0), 0u)
        << error.message;
    EXPECT_LE(error.message.size(), std::string("Odoo returned an error for odoo res.partner: ").size() + 200);
    EXPECT_EQ(error.detail, "Odoo error: odoo.exceptions.AccessError");
    Drive named("odoo", kOdooConfig, "res.partner");
    ASSERT_TRUE(named.answer(200, kOdooLogin));
    EXPECT_EQ(run([&] { named.answer(200, std::string(R"({"error":{"data":{"name":")") + kSecret + R"("}}})"); }).detail,
              "Odoo error: [secret]");

    Drive denied("odoo", kOdooConfig, "res.partner");
    ASSERT_TRUE(denied.answer(200, kOdooLogin));
    Outcome access = run([&] {
        denied.answer(200, R"({"error":{"message":"Odoo Server Error","data":{"name":"odoo.exceptions.AccessDenied","message":"Access Denied"}}})");
    });
    EXPECT_EQ(access.sqlstate, "28000");
    EXPECT_NE(access.message.find("check the secret odoo_key"), std::string::npos);
}

TEST(OdooReader, KeysetThatDoesNotMoveIsALoop) {
    Drive d("odoo", kOdooConfig, "res.partner", R"({"page_size":2})");
    ASSERT_TRUE(d.answer(200, kOdooLogin));
    ASSERT_TRUE(d.answer(200, odoo_records(1, 2)));
    std::string same_keys = odoo_records(1, 2);
    same_keys.insert(same_keys.size() - 2, " ");  // a different body, the same last record
    Outcome loop = run([&] { d.answer(200, same_keys); });
    EXPECT_EQ(loop.sqlstate, "08P01");
    EXPECT_EQ(loop.message, "the server returned the same page twice (paging loop)");
}

TEST(OdooReader, MissingKeysetFieldsAndWrongShapes) {
    Drive d("odoo", kOdooConfig, "res.partner");
    ASSERT_TRUE(d.answer(200, kOdooLogin));
    EXPECT_EQ(run([&] { d.answer(200, R"({"result":[{"id":1}]})"); }).sqlstate, "08P01");
    Drive null_error("odoo", kOdooConfig, "res.partner");
    ASSERT_TRUE(null_error.answer(200, R"({"jsonrpc":"2.0","id":1,"result":7,"error":null})"));
    Drive login("odoo", kOdooConfig, "res.partner");
    EXPECT_EQ(run([&] { login.answer(200, R"({"result":"seven"})"); }).sqlstate, "08P01");
    Drive shape("odoo", kOdooConfig, "res.partner");
    ASSERT_TRUE(shape.answer(200, kOdooLogin));
    EXPECT_EQ(run([&] { shape.answer(200, R"({"result":{"id":1}})"); }).sqlstate, "08P01");
    Drive invalid("odoo", kOdooConfig, "res.partner");
    EXPECT_EQ(run([&] { invalid.answer(200, R"({"result":)"); }).sqlstate, "22032");
}

// ---------------------------------------------------------------- pennylane

TEST(PennylaneReader, FollowsTheCursorUntilHasMoreIsFalse) {
    Drive d("pennylane", kPennylaneConfig, "customer_invoices", R"({"since":"2024-05-01T00:00:00Z"})");
    ASSERT_TRUE(d.answer(200, R"({"has_more":true,"next_cursor":"dXBk+/=","items":[{"id":1,"amount":"230.32"},{"id":2,"amount":12.5}]})"));
    ASSERT_TRUE(d.answer(200, R"({"has_more":false,"next_cursor":null,"items":[{"id":3}]})"));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.page_sizes, (std::vector<std::size_t>{2, 1}));
    const std::string filter = "filter=%5B%7B%22field%22%3A%22updated_at%22%2C%22operator%22%3A%22gteq%22%2C%22value%22%3A%22"
                               "2024-05-01T00%3A00%3A00Z%22%7D%5D";
    EXPECT_EQ(d.requests[0].method, "GET");
    EXPECT_EQ(d.requests[0].url, "https://app.pennylane.com/api/external/v2/customer_invoices?limit=100&" + filter);
    EXPECT_EQ(d.requests[1].url,
              "https://app.pennylane.com/api/external/v2/customer_invoices?limit=100&" + filter + "&cursor=dXBk%2B%2F%3D");
    EXPECT_EQ(header(d.requests[0], "Authorization"), std::string("Bearer ") + kSecret);
    EXPECT_EQ(header(d.requests[0], "Accept"), "application/json");
}

TEST(PennylaneReader, ChangelogsUseStartDateAndLargerPages) {
    Drive d("pennylane", kPennylaneConfig, "changelogs/customers", R"({"since":"2024-05-01"})");
    ASSERT_TRUE(d.answer(200, R"({"has_more":false,"next_cursor":null,"items":[{"id":42,"operation":"delete"}]})"));
    EXPECT_EQ(d.requests[0].url, "https://app.pennylane.com/api/external/v2/changelogs/customers?limit=1000&start_date=2024-05-01");
    Drive capped("pennylane", kPennylaneConfig, "customers", R"({"page_size":500})");
    ASSERT_TRUE(capped.answer(200, R"({"has_more":false,"items":[]})"));
    EXPECT_EQ(capped.requests[0].url, "https://app.pennylane.com/api/external/v2/customers?limit=100");
}

TEST(PennylaneReader, ErrorsNameTheSecret) {
    Drive d("pennylane", kPennylaneConfig, "customers");
    Outcome refused = run([&] { d.answer(401, std::string(R"({"error":"Invalid token )") + kSecret + R"(","status":401})"); });
    EXPECT_EQ(refused.sqlstate, "28000");
    EXPECT_EQ(refused.message, "Pennylane refused the credentials (HTTP 401): check the secret penny");
    EXPECT_EQ(refused.detail, "The server said: Invalid token [secret]");

    Drive server("pennylane", kPennylaneConfig, "customers");
    Outcome down = run([&] { server.answer(503, "<html><body>Service Unavailable</body></html>"); });
    EXPECT_EQ(down.sqlstate, "08006");
    EXPECT_EQ(down.message, "HTTP 503 from app.pennylane.com/api/external/v2/customers");
    EXPECT_EQ(down.detail, "The server said: <html><body>Service Unavailable</body></html>");
}

TEST(PennylaneReader, RepeatedCursorIsALoop) {
    Drive d("pennylane", kPennylaneConfig, "customers");
    ASSERT_TRUE(d.answer(200, R"({"has_more":true,"next_cursor":"A","items":[{"id":1}]})"));
    ASSERT_TRUE(d.answer(200, R"({"has_more":true,"next_cursor":"B","items":[{"id":2}]})"));
    Outcome loop = run([&] { d.answer(200, R"({"has_more":true,"next_cursor":"A","items":[{"id":3}]})"); });
    EXPECT_EQ(loop.sqlstate, "08P01");
    EXPECT_EQ(loop.message, "the server returned the same page twice (paging loop)");
    Drive lying("pennylane", kPennylaneConfig, "customers");
    EXPECT_EQ(run([&] { lying.answer(200, R"({"has_more":true,"next_cursor":null,"items":[]})"); }).sqlstate, "08P01");
}

// ---------------------------------------------------------------- brevo

TEST(BrevoReader, PagesByOffsetWhileOffsetIsBelowCount) {
    Drive d("brevo", kBrevoConfig, "contacts", R"({"page_size":2,"since":"2024-05-01T00:00:00.000Z"})");
    ASSERT_TRUE(d.answer(200, R"({"contacts":[{"id":1},{"id":2}],"count":4})"));
    ASSERT_TRUE(d.answer(200, R"({"contacts":[{"id":3},{"id":4}],"count":4})"));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.reader.records(), 4u);
    const std::string base = "https://api.brevo.com/v3/contacts?limit=2&sort=asc&modifiedSince=2024-05-01T00%3A00%3A00.000Z";
    EXPECT_EQ(d.requests[0].url, base + "&offset=0");
    EXPECT_EQ(d.requests[1].url, base + "&offset=2");
    EXPECT_EQ(header(d.requests[0], "api-key"), kSecret);
}

TEST(BrevoReader, EndsOnAnEmptyOrShortPageWithoutCount) {
    Drive d("brevo", kBrevoConfig, "contacts");
    ASSERT_TRUE(d.answer(200, R"({"contacts":[{"id":1}]})"));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.requests[0].url, "https://api.brevo.com/v3/contacts?limit=500&sort=asc&offset=0");
    Drive lying("brevo", kBrevoConfig, "contacts");
    ASSERT_TRUE(lying.answer(200, R"({"contacts":[],"count":900})"));
    EXPECT_TRUE(lying.done());
}

TEST(BrevoReader, BlockedContactsUseDatesAndSmallPages) {
    Drive d("brevo", kBrevoConfig, "smtp/blockedContacts", R"({"since":"2024-05-01T00:00:00Z","page_size":1000})");
    ASSERT_TRUE(d.answer(200, R"({"count":1,"contacts":[{"email":"x@example.fr","reason":{"code":"hardBounce"}}]})"));
    EXPECT_TRUE(d.done());
    // endDate is today (UTC): compare its shape only.
    std::string url = d.requests[0].url;
    const std::string before = "https://api.brevo.com/v3/smtp/blockedContacts?limit=100&startDate=2024-05-01&endDate=";
    ASSERT_EQ(url.size(), before.size() + std::string("2026-01-01&offset=0").size()) << url;
    EXPECT_EQ(url.substr(0, before.size()), before);
    std::string end_date = url.substr(before.size(), 10);
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(end_date[i]))) << url;
    EXPECT_EQ(url.substr(before.size() + 10), "&offset=0");
}

TEST(BrevoReader, VendorErrors) {
    Drive d("brevo", kBrevoConfig, "contacts");
    Outcome refused = run([&] { d.answer(401, R"({"code":"unauthorized","message":"Key not found"})"); });
    EXPECT_EQ(refused.sqlstate, "28000");
    EXPECT_EQ(refused.message, "Brevo refused the credentials (HTTP 401): check the secret brevo");
    EXPECT_EQ(refused.detail, "The server said: Key not found");
    Drive busy("brevo", kBrevoConfig, "contacts");
    Outcome limited = run([&] { busy.answer(429, R"({"code":"too_many_requests","message":"slow down"})"); });
    EXPECT_EQ(limited.sqlstate, "08006");
    EXPECT_EQ(limited.message, "HTTP 429 from api.brevo.com/v3/contacts");
    Drive empty("brevo", kBrevoConfig, "contacts");
    EXPECT_EQ(run([&] { empty.answer(204, ""); }).sqlstate, "08P01");
    Drive blank("brevo", kBrevoConfig, "contacts");
    EXPECT_EQ(run([&] { blank.answer(200, ""); }).sqlstate, "08P01");
    Drive shape("brevo", kBrevoConfig, "contacts");
    Outcome wrong = run([&] { shape.answer(200, R"({"items":[],"count":0})"); });
    EXPECT_EQ(wrong.sqlstate, "08P01");
    EXPECT_EQ(wrong.detail, "Top-level keys: items, count.");
    Drive echo("brevo", kBrevoConfig, "contacts");
    Outcome echoed = run([&] { echo.answer(200, std::string(R"({")") + kSecret + R"(":1})"); });
    EXPECT_EQ(echoed.detail, "Top-level keys: [secret].");
}

TEST(BrevoReader, SamePageTwiceIsALoop) {
    Drive d("brevo", kBrevoConfig, "contacts", R"({"page_size":1})");
    ASSERT_TRUE(d.answer(200, R"({"contacts":[{"id":1}],"count":5})"));
    Outcome loop = run([&] { d.answer(200, R"({"contacts":[{"id":1}],"count":5})"); });
    EXPECT_EQ(loop.sqlstate, "08P01");
    EXPECT_EQ(loop.message, "the server returned the same page twice (paging loop)");
}

TEST(BrevoReader, MorePagesThanMaxPages) {
    Drive d("brevo", kBrevoConfig, "contacts", R"({"page_size":1,"max_pages":2})");
    ASSERT_TRUE(d.answer(200, R"({"contacts":[{"id":1}],"count":5})"));
    ASSERT_TRUE(d.answer(200, R"({"contacts":[{"id":2}],"count":5})"));
    Outcome limit = run([&] { d.answer(200, R"({"contacts":[{"id":3}],"count":5})"); });
    EXPECT_EQ(limit.sqlstate, "54000");
    EXPECT_EQ(limit.message, "brevo contacts has more than 2 pages");
}

// ---------------------------------------------------------------- http_json

TEST(HttpJsonReader, CursorWithAuthPrefixAndExtraParams) {
    Drive d("http_json", R"({"url":"http://127.0.0.1:18080/api","auth":{"header":"X-Token","prefix":"Token","secret":"shop"},
                             "records":"/data","pagination":{"type":"cursor","cursor_param":"after","next_cursor":"/meta/next","has_more":"/meta/more"}})",
            "orders", R"({"params":{"status":"paid & shipped","year":2024,"archived":false}})");
    ASSERT_TRUE(d.answer(200, R"({"data":[{"id":1}],"meta":{"next":"c2","more":true}})"));
    ASSERT_TRUE(d.answer(200, R"({"data":[{"id":2}],"meta":{"next":"c3","more":false}})"));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.requests[0].url, "http://127.0.0.1:18080/api/orders?status=paid%20%26%20shipped&year=2024&archived=false");
    EXPECT_EQ(d.requests[1].url, "http://127.0.0.1:18080/api/orders?status=paid%20%26%20shipped&year=2024&archived=false&after=c2");
    EXPECT_EQ(header(d.requests[0], "X-Token"), std::string("Token ") + kSecret);
    EXPECT_EQ(d.reader.describe(), "http_json orders");
}

TEST(HttpJsonReader, OffsetAndPagePaging) {
    Drive offset("http_json", R"({"url":"https://x.example","pagination":{"type":"offset","count":"/total"}})", "/v1/items",
                 R"({"page_size":2})");
    ASSERT_TRUE(offset.answer(200, R"([{"id":1},{"id":2}])"));
    ASSERT_TRUE(offset.answer(200, R"([{"id":3}])"));
    EXPECT_TRUE(offset.done());
    EXPECT_EQ(offset.requests[0].url, "https://x.example/v1/items?limit=2&offset=0");
    EXPECT_EQ(offset.requests[1].url, "https://x.example/v1/items?limit=2&offset=2");

    Drive page("http_json", R"({"url":"https://x.example","records":"/rows",
                                "pagination":{"type":"page","page_param":"p","limit_param":"per_page","count":"/total"}})",
               "", R"({"page_size":2})");
    ASSERT_TRUE(page.answer(200, R"({"total":3,"rows":[{"id":1},{"id":2}]})"));
    ASSERT_TRUE(page.answer(200, R"({"total":3,"rows":[{"id":3}]})"));
    EXPECT_TRUE(page.done());
    EXPECT_EQ(page.requests[0].url, "https://x.example?per_page=2&p=1");
    EXPECT_EQ(page.requests[1].url, "https://x.example?per_page=2&p=2");
    EXPECT_EQ(header(page.requests[0], "Authorization"), "<none>");
}

TEST(HttpJsonReader, LinkPagingStaysOnTheConfiguredOrigin) {
    const char* config = R"({"url":"https://x.example/api","records":"/items","pagination":{"type":"link","next_url":"/links/next"}})";
    Drive d("http_json", config, "list");
    ASSERT_TRUE(d.answer(200, R"({"items":[1],"links":{"next":"https://x.example/api/list?page=2"}})"));
    ASSERT_TRUE(d.answer(200, R"({"items":[2],"links":{"next":"/api/list?page=3"}})"));
    ASSERT_TRUE(d.answer(200, R"({"items":[3],"links":{"next":null}})"));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.requests[1].url, "https://x.example/api/list?page=2");
    EXPECT_EQ(d.requests[2].url, "https://x.example/api/list?page=3");

    for (const char* elsewhere : {"https://evil.example/steal", "//evil.example/steal", "https://x.example.evil.example/",
                                  "https://x.example@evil.example/", "http://x.example/api/list?page=2"}) {
        Drive away("http_json", config, "list");
        Outcome refused = run([&] {
            away.answer(200, std::string(R"({"items":[1],"links":{"next":")") + elsewhere + "\"}}");
        });
        EXPECT_EQ(refused.sqlstate, "08P01") << elsewhere;
    }
    Drive loop("http_json", config, "list");
    ASSERT_TRUE(loop.answer(200, R"({"items":[1],"links":{"next":"/api/list?page=2"}})"));
    EXPECT_EQ(run([&] { loop.answer(200, R"({"items":[2],"links":{"next":"/api/list?page=2"}})"); }).sqlstate, "08P01");
}

TEST(HttpJsonReader, NoContentEndsTheRead) {
    Drive d("http_json", R"({"url":"https://x.example","pagination":{"type":"offset"}})", "", R"({"page_size":2})");
    ASSERT_TRUE(d.answer(200, R"([{"id":1},{"id":2}])"));
    ASSERT_TRUE(d.answer(204, ""));
    EXPECT_TRUE(d.done());
    Outcome refused = run([&] {
        Drive secretless("http_json", R"({"url":"https://x.example"})", "");
        secretless.answer(403, R"({"detail":"forbidden"})");
    });
    EXPECT_EQ(refused.sqlstate, "28000");
    EXPECT_EQ(refused.message, "x.example refused the credentials (HTTP 403)");
    EXPECT_EQ(refused.detail, "The server said: forbidden");
}

// ---------------------------------------------------------------- probes and helpers

TEST(ProbeReader, OneSmallPagePerVendor) {
    {
        crm::ApiReader probe = crm::probe_reader(crm::parse_api_config("odoo", kOdooConfig), kSecret);
        crm::JsonDocument document;
        crm::HttpRequest request;
        crm::HttpResponse response;
        ASSERT_TRUE(probe.next_request(request));
        response.status = 200;
        response.body = kOdooLogin;
        probe.on_response(response, document);
        ASSERT_TRUE(probe.next_request(request));
        EXPECT_NE(request.body.find(R"("res.partner","search_read",[[]],{"fields":["name","id","write_date"],"offset":0,"limit":1,)"),
                  std::string::npos)
            << request.body;
        response.body = odoo_records(1, 1);
        EXPECT_EQ(probe.on_response(response, document).size(), 1u);
        EXPECT_FALSE(probe.next_request(request));
    }
    struct Case {
        const char* kind;
        const char* config;
        const char* url;
        const char* body;
    } cases[] = {
        {"pennylane", kPennylaneConfig, "https://app.pennylane.com/api/external/v2/customers?limit=1",
         R"({"has_more":true,"next_cursor":"x","items":[{"id":1}]})"},
        {"brevo", kBrevoConfig, "https://api.brevo.com/v3/contacts?limit=1&sort=asc&offset=0",
         R"({"contacts":[{"id":1}],"count":99})"},
        {"http_json", R"({"url":"https://x.example/api","pagination":{"type":"offset"}})", "https://x.example/api?limit=1&offset=0",
         R"([{"id":1}])"},
    };
    for (const Case& c : cases) {
        crm::ApiReader probe = crm::probe_reader(crm::parse_api_config(c.kind, c.config), kSecret);
        crm::JsonDocument document;
        crm::HttpRequest request;
        ASSERT_TRUE(probe.next_request(request));
        EXPECT_EQ(request.url, c.url);
        crm::HttpResponse response{200, "application/json", c.body};
        EXPECT_EQ(probe.on_response(response, document).size(), 1u);
        EXPECT_FALSE(probe.next_request(request)) << c.kind;
    }
}

TEST(PercentEncode, EncodesEverythingButUnreservedBytes) {
    EXPECT_EQ(crm::percent_encode("aZ09-._~"), "aZ09-._~");
    EXPECT_EQ(crm::percent_encode("a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
    EXPECT_EQ(crm::percent_encode("é"), "%C3%A9");
    EXPECT_EQ(crm::percent_encode(std::string("\r\n\0", 3)), "%0D%0A%00");
}

TEST(HttpJsonReader, WithoutPaginationOneRequest) {
    Drive d("http_json", R"({"url":"https://x.example/export.json/","records":"/rows"})", "");
    EXPECT_EQ(d.reader.describe(), "http_json x.example/export.json");
    ASSERT_TRUE(d.answer(200, R"({"rows":[{"id":1},{"id":2}]})"));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.requests[0].url, "https://x.example/export.json");
    EXPECT_EQ(d.requests[0].headers.size(), 1u);  // Accept only: no auth configured
    EXPECT_EQ(run([&] { crm::ApiReader(crm::parse_api_config("http_json", R"({"url":"https://x.example"})"), "", "a b", ""); })
                  .sqlstate,
              "22023");
    EXPECT_EQ(run([&] {
                  crm::ApiReader(crm::parse_api_config("http_json", R"({"url":"https://x.example"})"), "", "x",
                                 R"({"since":"2024-05-01"})");
              }).sqlstate,
              "22023");
}

TEST(ApiReader, ConfigPageSizeAndMaxPagesApplyAndAreCapped) {
    const char* config = R"({"url":"https://api.brevo.com","api_key_secret":"brevo","page_size":800,"max_pages":1})";
    Drive contacts("brevo", config, "contacts");
    ASSERT_TRUE(contacts.answer(200, R"({"contacts":[{"id":1}],"count":2})"));
    EXPECT_EQ(contacts.requests[0].url, "https://api.brevo.com/v3/contacts?limit=800&sort=asc&offset=0");
    EXPECT_EQ(run([&] { contacts.done(); }).sqlstate, "54000");
    Drive blocked("brevo", config, "smtp/blockedContacts");
    ASSERT_TRUE(blocked.answer(200, R"({"contacts":[],"count":0})"));
    EXPECT_EQ(blocked.requests[0].url, "https://api.brevo.com/v3/smtp/blockedContacts?limit=100&offset=0");
}
