#include <gtest/gtest.h>

#include <string>

#include "core/french_number.hpp"

using crm::parse_number;

namespace {
std::string num(const std::string& s, char dec = 0) {
    auto r = parse_number(s, dec);
    return r.value ? *r.value : "ERR:" + r.reason;
}
bool rejected(const std::string& s, char dec = 0) {
    auto r = parse_number(s, dec);
    return !r.value && !r.reason.empty();
}
}  // namespace

TEST(Number, IssueExamples) {
    EXPECT_EQ(num("1 234,56 €"), "1234.56");
    EXPECT_EQ(num("1.234,56"), "1234.56");
    EXPECT_EQ(num("1,234.56"), "1234.56");
    EXPECT_EQ(num("-12,5 %"), "-12.5");
    EXPECT_EQ(num("(123,45)"), "-123.45");
    EXPECT_EQ(num("12,00 EUR"), "12.00");
    EXPECT_EQ(num("1\u00A0234"), "1234");
    EXPECT_EQ(num("1\u202F234,5"), "1234.5");
    EXPECT_EQ(num("1'234"), "1234");
    EXPECT_EQ(num("1\u2019234.50"), "1234.50");
    EXPECT_EQ(num("+3"), "3");
    EXPECT_EQ(num(".5"), "0.5");
    EXPECT_EQ(num(",5"), "0.5");
}

TEST(Number, AmbiguityFrenchReading) {
    EXPECT_EQ(num("1.234"), "1234");
    EXPECT_EQ(num("1,234"), "1.234");
    EXPECT_EQ(num("12.345"), "12345");
    EXPECT_EQ(num("0.234"), "0.234");
    EXPECT_EQ(num("1234.567"), "1234.567");
    EXPECT_EQ(num("12.5"), "12.5");
    EXPECT_EQ(num("3.14159"), "3.14159");
    EXPECT_EQ(num("12,5"), "12.5");
    EXPECT_EQ(num("1,2345"), "1.2345");
    EXPECT_EQ(num("1.234.567"), "1234567");
    EXPECT_EQ(num("1,234,567"), "1234567");
}

TEST(Number, GivenConvention) {
    EXPECT_EQ(num("1.234", '.'), "1.234");
    EXPECT_EQ(num("1.234", ','), "1234");
    EXPECT_EQ(num("1,234", ','), "1.234");
    EXPECT_EQ(num("1,234", '.'), "1234");
    EXPECT_EQ(num("1,234.5", '.'), "1234.5");
    EXPECT_TRUE(rejected("12,5", '.'));   // ',' may only group thousands
    EXPECT_TRUE(rejected("1.234,5", '.'));
    EXPECT_TRUE(rejected("1", 'x'));
}

TEST(Number, SignsAndDecorations) {
    EXPECT_EQ(num("-0,00"), "0.00");
    EXPECT_EQ(num("  42  "), "42");
    EXPECT_EQ(num("€ 12,50"), "12.50");
    EXPECT_EQ(num("12,50€"), "12.50");
    EXPECT_EQ(num("EUR 12"), "12");
    EXPECT_EQ(num("12 euros"), "12");
    EXPECT_EQ(num("12,5 € HT"), "12.5");
    EXPECT_EQ(num("1 000,00 € TTC"), "1000.00");
    EXPECT_EQ(num("123-"), "-123");
    EXPECT_EQ(num("\u2212 5"), "-5");
    EXPECT_EQ(num("(1 234,50 €)"), "-1234.50");
    EXPECT_EQ(num("007"), "7");
    EXPECT_EQ(num("0"), "0");
    EXPECT_EQ(num("5,"), "5");
    EXPECT_EQ(num("£3"), "3");
    EXPECT_EQ(num("10 CHF"), "10");
}

TEST(Number, Exponent) {
    EXPECT_EQ(num("1e3"), "1000");
    EXPECT_EQ(num("1,5E+03"), "1500");
    EXPECT_EQ(num("1.23E-05"), "0.0000123");
    EXPECT_EQ(num("-2.5e1"), "-25");
    EXPECT_TRUE(rejected("1e"));
    EXPECT_TRUE(rejected("1e9999"));
}

TEST(Number, NeverLosesDigits) {
    const std::string big = "123456789012345678901234567890,123456789012345678901";
    EXPECT_EQ(num(big), "123456789012345678901234567890.123456789012345678901");
    EXPECT_EQ(num("0,1"), "0.1");  // no binary rounding
    std::string huge(1 << 20, '9');
    EXPECT_EQ(num(huge), huge);
}

TEST(Number, Garbage) {
    EXPECT_EQ(parse_number("abc").reason, "not a number: \"abc\"");
    EXPECT_EQ(parse_number("").reason, "empty value");
    EXPECT_EQ(parse_number("   ").reason, "empty value");
    EXPECT_TRUE(rejected("12,5,0"));
    EXPECT_TRUE(rejected("1.2.3"));
    EXPECT_TRUE(rejected("1 2"));
    EXPECT_TRUE(rejected("12 34 56"));
    EXPECT_TRUE(rejected("--5"));
    EXPECT_TRUE(rejected("-"));
    EXPECT_TRUE(rejected("+"));
    EXPECT_TRUE(rejected("."));
    EXPECT_TRUE(rejected(","));
    EXPECT_TRUE(rejected("1,234,56"));
    EXPECT_TRUE(rejected("12abc"));
    EXPECT_TRUE(rejected("0x1F"));
    EXPECT_TRUE(rejected("nan"));
    EXPECT_TRUE(rejected("inf"));
    EXPECT_TRUE(rejected(std::string("1\0" "2", 3)));
    EXPECT_TRUE(rejected("12\xFF"));
    EXPECT_TRUE(rejected("(12"));
    EXPECT_TRUE(rejected("1,234.567,8"));
}

TEST(Number, ReasonIsValidUtf8AndShort) {
    auto r = parse_number(std::string(1000, 'z') + "\xFF");
    EXPECT_LT(r.reason.size(), 100u);
    auto r2 = parse_number("a\xC3");
    EXPECT_EQ(r2.reason, "not a number: \"a?\"");
}
