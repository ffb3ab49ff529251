#include <gtest/gtest.h>

#include "core/json_writer.hpp"

TEST(JsonWriter, NestedObjectsAndArrays) {
    crm::JsonWriter w;
    w.begin_object().key("a").value(1).key("b").begin_array().value("x").value(true).null().end_array();
    w.key("c").begin_object().key("d").value(2.5).end_object().end_object();
    EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null],"c":{"d":2.5}})");
}

TEST(JsonWriter, EscapesControlCharactersQuotesAndKeepsUtf8) {
    crm::JsonWriter w;
    w.value(std::string_view("é\"\\\n\x01", 7));
    EXPECT_EQ(w.str(), "\"é\\\"\\\\\\n\\u0001\\u0000\"");
}

TEST(JsonWriter, DoublesRoundTripAndNonFiniteIsNull) {
    crm::JsonWriter w;
    w.begin_array().value(0.1).value(1e300).value(std::numeric_limits<double>::infinity()).end_array();
    EXPECT_EQ(w.str(), "[0.1,1e+300,null]");
}
