#include <gtest/gtest.h>

#include "core/value_convert.hpp"

namespace {

crm::Converted convert(std::string_view text, crm::ValueType type, bool expect_ok = true,
                       crm::FieldKind kind = crm::FieldKind::Text) {
    crm::Conventions fr{',', " ", "DMY"};
    crm::ValueConverter converter(fr);
    crm::Converted out;
    std::string reason;
    EXPECT_EQ(converter.convert(text, kind, type, out, reason), expect_ok) << text << ": " << reason;
    return out;
}

}  // namespace

TEST(PlainDecimal, ReadsSignDigitsAndOneSeparator) {
    std::int64_t v;
    int scale;
    ASSERT_TRUE(crm::parse_plain_decimal("-1234,56", ',', v, scale));
    EXPECT_EQ(v, -123456);
    EXPECT_EQ(scale, 2);
    ASSERT_TRUE(crm::parse_plain_decimal(",5", ',', v, scale));
    EXPECT_EQ(v, 5);
    EXPECT_EQ(scale, 1);
    ASSERT_TRUE(crm::parse_plain_decimal("000000000000000000000012", ',', v, scale));  // leading zeros are free
    EXPECT_EQ(v, 12);
    for (auto bad : {"", "-", "12,", "1 234,5", "1.5", "12€", "1234567890123456789", "1,2,3"})
        EXPECT_FALSE(crm::parse_plain_decimal(bad, ',', v, scale)) << bad;
}

TEST(PlainDecimal, RescaleRoundsHalfAwayFromZeroAndChecksPrecision) {
    std::int64_t v = 12345;  // 1.2345
    int scale = 4;
    ASSERT_TRUE(crm::rescale_decimal(v, scale, 2, 14));
    EXPECT_EQ(v, 123);  // 1.23
    v = -125, scale = 2;  // -1.25
    ASSERT_TRUE(crm::rescale_decimal(v, scale, 1, 14));
    EXPECT_EQ(v, -13);  // -1.3
    v = 5, scale = 0;
    ASSERT_TRUE(crm::rescale_decimal(v, scale, 2, 14));
    EXPECT_EQ(v, 500);
    EXPECT_EQ(scale, 2);
    v = 123456, scale = 0;  // 123456 does not fit numeric(6,2)
    EXPECT_FALSE(crm::rescale_decimal(v, scale, 2, 6));
}

TEST(ValueConverter, FrenchNumbersDatesAndBooleans) {
    auto n = convert("1 234,56 €", crm::ValueType::Numeric);
    EXPECT_TRUE(n.scaled);
    EXPECT_EQ(n.i, 123456);
    EXPECT_EQ(n.scale, 2);
    EXPECT_EQ(convert("12,00", crm::ValueType::Int32).i, 12);
    convert("12,5", crm::ValueType::Int32, false);
    convert("douze", crm::ValueType::Numeric, false);
    auto d = convert("03/10/2024", crm::ValueType::Date);
    EXPECT_EQ(d.date.year, 2024);
    EXPECT_EQ(d.date.month, 10);
    EXPECT_EQ(d.date.day, 3);
    convert("31/02/2024", crm::ValueType::Date, false);
    EXPECT_TRUE(convert("Oui", crm::ValueType::Boolean).b);
    EXPECT_FALSE(convert("non", crm::ValueType::Boolean).b);
    convert("peut-être", crm::ValueType::Boolean, false);
    convert("70000", crm::ValueType::Int16, false);
}

TEST(ValueConverter, ExcelCellsUseTheirOwnNotation) {
    // A number cell is rendered with '.', whatever the file's text convention.
    auto n = convert("1234.5", crm::ValueType::Numeric, true, crm::FieldKind::Number);
    EXPECT_EQ(n.i, 12345);
    EXPECT_EQ(n.scale, 1);
    auto d = convert("2024-10-03", crm::ValueType::Date, true, crm::FieldKind::Date);
    EXPECT_EQ(d.date.month, 10);
}

TEST(PlainDate, DayFirstByDefaultIsoAlwaysAndCalendarChecked) {
    crm::Date d{};
    ASSERT_TRUE(crm::parse_plain_date("03/10/2024", "DMY", d));
    EXPECT_EQ(d.month, 10);
    ASSERT_TRUE(crm::parse_plain_date("03/10/2024", "MDY", d));
    EXPECT_EQ(d.month, 3);
    ASSERT_TRUE(crm::parse_plain_date("2024-10-03", "DMY", d));
    EXPECT_EQ(d.day, 3);
    EXPECT_FALSE(crm::parse_plain_date("31/02/2024", "DMY", d));
    EXPECT_FALSE(crm::parse_plain_date("3/10/2024", "DMY", d));  // left to the general parser
    EXPECT_FALSE(crm::parse_plain_date("03/10-2024", "DMY", d));
}

TEST(PlainTimestamp, IsoAndFrenchWithSecondsOrNotAndValidated) {
    crm::Timestamp t{};
    ASSERT_TRUE(crm::parse_plain_timestamp("2024-05-01 08:03:59", "DMY", t));
    EXPECT_EQ(t.date.day, 1);
    EXPECT_EQ(t.hour, 8);
    EXPECT_EQ(t.minute, 3);
    EXPECT_EQ(t.second, 59);
    ASSERT_TRUE(crm::parse_plain_timestamp("03/10/2024 23:15", "DMY", t));
    EXPECT_EQ(t.date.month, 10);
    EXPECT_EQ(t.second, 0);
    ASSERT_TRUE(crm::parse_plain_timestamp("2024-05-01T08:00:00", "YMD", t));
    EXPECT_FALSE(crm::parse_plain_timestamp("2024-05-01 24:00:00", "YMD", t));
    EXPECT_FALSE(crm::parse_plain_timestamp("2024-05-01 08:60", "YMD", t));
    EXPECT_FALSE(crm::parse_plain_timestamp("2024-05-01 08:00:00Z", "YMD", t));  // zones: the general parser
    EXPECT_FALSE(crm::parse_plain_timestamp("2024-02-30 08:00", "YMD", t));
    EXPECT_FALSE(crm::parse_plain_timestamp("2024-05-01 8:00:00", "YMD", t));
}

TEST(IntegerFastPath, PlainIntegersAndTheGeneralParserAgree) {
    EXPECT_EQ(convert("12", crm::ValueType::Int64).i, 12);
    EXPECT_EQ(convert("-3", crm::ValueType::Int64).i, -3);
    EXPECT_EQ(convert("1 234", crm::ValueType::Int64).i, 1234);  // French grouping: the general parser
    EXPECT_EQ(convert("12,0", crm::ValueType::Int32).i, 12);
    EXPECT_EQ(convert("+7", crm::ValueType::Int32).i, 7);
    convert("99999", crm::ValueType::Int16, false);  // range checked on the fast path too
    convert("12,5", crm::ValueType::Int32, false);
}

TEST(PlainDecimal, ThousandsSeparatorsInTheIntegerPartOnly) {
    std::int64_t v;
    int scale;
    ASSERT_TRUE(crm::parse_plain_decimal("1\u00a0234,56", ',', v, scale, " "));
    EXPECT_EQ(v, 123456);
    ASSERT_TRUE(crm::parse_plain_decimal("12 345 678", ',', v, scale, "\u202f"));
    EXPECT_EQ(v, 12345678);
    ASSERT_TRUE(crm::parse_plain_decimal("1.234,5", ',', v, scale, "."));
    EXPECT_EQ(v, 12345);
    EXPECT_EQ(scale, 1);
    for (auto bad : {"1 23,5", "1234 567", "1 234 5", "12,345 6", " 12", "1 234,"})
        EXPECT_FALSE(crm::parse_plain_decimal(bad, ',', v, scale, " ")) << bad;
}

TEST(NumericTypmod, IntegerDigitsBoundThePrecision) {
    EXPECT_TRUE(crm::fits_numeric_typmod("123456789012.34", 14, 2));
    EXPECT_FALSE(crm::fits_numeric_typmod("1234567890123.4", 14, 2));
    EXPECT_TRUE(crm::fits_numeric_typmod("-0.000001", 3, 2));
    EXPECT_TRUE(crm::fits_numeric_typmod("00012.5", 3, 1));
}
