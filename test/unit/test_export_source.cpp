#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/export_source.hpp"

namespace {

// The message of the 22023 error a config raises ("" when it parses).
std::string config_error(const std::string& json) {
    try {
        crm::parse_files_source_config(json);
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "22023");
        return e.what();
    }
    return "";
}

TEST(FilesSourceConfig, BottleNeckTrioParses) {
    crm::FilesSourceConfig config = crm::parse_files_source_config(R"({
        "files": [
          {"path": "/d/erp.xlsx", "entity": "products",
           "mapping": {"source_id": "product_id", "list_price": "price", "active": "onsale_web"}},
          {"path": "/d/web.xlsx", "entity": "sales", "keep": {"largest": "quantity"},
           "mapping": {"product_id": "sku", "quantity": "total_sales"},
           "constants": {"order_id": "web", "date_sale": "2020-08-27", "customer_id": null},
           "ids": {"path": "/d/liaison.xlsx", "from": "id_web", "to": "product_id"}}],
        "read_options": {"sheet": 1}})");
    ASSERT_EQ(config.files.size(), 2u);
    EXPECT_EQ(config.files[0].entity, crm::Entity::Products);
    EXPECT_EQ(config.files[0].mapping.size(), 3u);
    EXPECT_TRUE(config.files[0].ids_path.empty());
    const crm::ExportFileSpec& web = config.files[1];
    EXPECT_EQ(web.entity, crm::Entity::Sales);
    EXPECT_EQ(web.keep_largest, "quantity");
    EXPECT_EQ(web.ids_path, "/d/liaison.xlsx");
    EXPECT_EQ(web.ids_from, "id_web");
    EXPECT_EQ(web.ids_to, "product_id");
    ASSERT_EQ(web.constants.size(), 3u);
    EXPECT_EQ(web.constants[2].first, "customer_id");
    EXPECT_EQ(web.constants[2].second, "");  // null: deliberately absent
    EXPECT_EQ(config.read_options_json, R"({"sheet":1})");
}

TEST(FilesSourceConfig, MistakesAreNamed) {
    EXPECT_NE(config_error("[]").find("must be a JSON object"), std::string::npos);
    EXPECT_NE(config_error("{}").find("needs \"files\""), std::string::npos);
    EXPECT_NE(config_error(R"({"files": []})").find("non-empty array"), std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a.csv"}]})").find("files[0] needs \"entity\""), std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a.csv", "entity": "orders"}]})").find("needs \"entity\""),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "a.csv", "entity": "sales"}]})").find("absolute path"),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"entity": "sales"}]})").find("needs \"path\""), std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "mapping": {"qty": "Q"}}]})")
                  .find("\"qty\", which is not a field of sales"),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "mapping": {"quantity": 3}}]})")
                  .find("files[0].mapping.quantity must be a string"),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "mapping": {"quantity": null}}]})")
                  .find("must be a string"),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "ids": {"path": "/b"}}]})")
                  .find("needs \"path\", \"from\" and \"to\""),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "keep": "first"}]})").find(".keep must be"),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "keep": {"largest": "size"}}]})")
                  .find("must name a field of sales"),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales", "sheet": 2}]})")
                  .find("unknown key \"sheet\""),
              std::string::npos);
    EXPECT_NE(config_error(R"({"files": [{"path": "/a", "entity": "sales"}], "directory": "/d"})")
                  .find("unknown key \"directory\""),
              std::string::npos);
}

TEST(ExportSourceConfig, DirectoryMustBeAbsolute) {
    EXPECT_EQ(crm::parse_export_source_config(R"({"directory": "/srv/isavigne"})").directory, "/srv/isavigne");
    EXPECT_THROW(crm::parse_export_source_config(R"({"directory": "isavigne"})"), crm::Error);
    EXPECT_THROW(crm::parse_export_source_config(R"({"directory": "/d", "files": []})"), crm::Error);
}

}  // namespace
