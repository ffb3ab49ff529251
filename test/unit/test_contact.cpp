#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/contact.hpp"

using crm::normalize_email;
using crm::normalize_phone;

TEST(Email, Valid) {
    EXPECT_EQ(normalize_email("  Jean.Dupont@Example.FR "), "jean.dupont@example.fr");
    EXPECT_EQ(normalize_email("mailto:contact@domaine-martin.com"), "contact@domaine-martin.com");
    EXPECT_EQ(normalize_email("MAILTO:<a@b.fr>"), "a@b.fr");
    EXPECT_EQ(normalize_email("<helene+vins@cave.co.uk>"), "helene+vins@cave.co.uk");
    EXPECT_EQ(normalize_email("a_b-c@sub.example.org"), "a_b-c@sub.example.org");
    EXPECT_EQ(normalize_email("\u00A0x@y.fr\u00A0"), "x@y.fr");
    EXPECT_EQ(normalize_email("x@xn--caf-dma.fr"), "x@xn--caf-dma.fr");
}

TEST(Email, Invalid) {
    EXPECT_EQ(normalize_email(""), std::nullopt);
    EXPECT_EQ(normalize_email("jean"), std::nullopt);
    EXPECT_EQ(normalize_email("jean@"), std::nullopt);
    EXPECT_EQ(normalize_email("@example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean@localhost"), std::nullopt);
    EXPECT_EQ(normalize_email("a@@b.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("a@b@c.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean dupont@example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean..dupont@example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email(".jean@example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean.@example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean@example..fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean@-example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email("jean@example.f"), std::nullopt);
    EXPECT_EQ(normalize_email("jean@example.123"), std::nullopt);
    EXPECT_EQ(normalize_email("hélène@example.fr"), std::nullopt);
    EXPECT_EQ(normalize_email(std::string("a\0b@c.fr", 8)), std::nullopt);
    EXPECT_EQ(normalize_email("a@b.fr\xFF"), std::nullopt);
    EXPECT_EQ(normalize_email(std::string(250, 'a') + "@b.fr"), std::nullopt);
    EXPECT_EQ(normalize_email(std::string(65, 'a') + "@b.fr"), std::nullopt);
    EXPECT_EQ(normalize_email(std::string(1 << 20, 'a')), std::nullopt);
}

TEST(Phone, French) {
    EXPECT_EQ(normalize_phone("06 12 34 56 78"), "+33612345678");
    EXPECT_EQ(normalize_phone("0033 6 12 34 56 78"), "+33612345678");
    EXPECT_EQ(normalize_phone("+33 (0)6 12 34 56 78"), "+33612345678");
    EXPECT_EQ(normalize_phone("+33 6 12 34 56 78"), "+33612345678");
    EXPECT_EQ(normalize_phone("06.12.34.56.78"), "+33612345678");
    EXPECT_EQ(normalize_phone("06-12-34-56-78"), "+33612345678");
    EXPECT_EQ(normalize_phone("6 12 34 56 78"), "+33612345678");
    EXPECT_EQ(normalize_phone("01\u00A042\u00A068\u00A053\u00A000"), "+33142685300");
    EXPECT_EQ(normalize_phone("tel:+33612345678"), "+33612345678");
    EXPECT_EQ(normalize_phone("0033 06 12 34 56 78"), "+33612345678");
    EXPECT_EQ(normalize_phone("06 12 34 56 78", "fr"), "+33612345678");
}

TEST(Phone, OtherCountries) {
    EXPECT_EQ(normalize_phone("+41 22 123 45 67"), "+41221234567");
    EXPECT_EQ(normalize_phone("022 123 45 67", "CH"), "+41221234567");
    EXPECT_EQ(normalize_phone("+32 2 123 45 67"), "+3221234567");
    EXPECT_EQ(normalize_phone("0470 12 34 56", "BE"), "+32470123456");
    EXPECT_EQ(normalize_phone("030 1234567", "DE"), "+49301234567");
    EXPECT_EQ(normalize_phone("+44 20 7946 0958"), "+442079460958");
    EXPECT_EQ(normalize_phone("020 7946 0958", "GB"), "+442079460958");
    EXPECT_EQ(normalize_phone("020 7946 0958", "UK"), "+442079460958");
    EXPECT_EQ(normalize_phone("(212) 555-0123", "US"), "+12125550123");
    EXPECT_EQ(normalize_phone("1 212 555 0123", "US"), "+12125550123");
    EXPECT_EQ(normalize_phone("+1 212 555 0123"), "+12125550123");
    EXPECT_EQ(normalize_phone("06 1234 5678", "IT"), "+390612345678");
    EXPECT_EQ(normalize_phone("912 345 678", "ES"), "+34912345678");
    EXPECT_EQ(normalize_phone("+352 26 12 34 56"), "+35226123456");
    EXPECT_EQ(normalize_phone("020 123 4567", "NL"), "+31201234567");
    EXPECT_EQ(normalize_phone("+81 3 1234 5678"), "+81312345678");  // other codes: length check only
}

TEST(Phone, Invalid) {
    EXPECT_EQ(normalize_phone(""), std::nullopt);
    EXPECT_EQ(normalize_phone("abc"), std::nullopt);
    EXPECT_EQ(normalize_phone("06 12 34 56"), std::nullopt);
    EXPECT_EQ(normalize_phone("06 12 34 56 78 90"), std::nullopt);
    EXPECT_EQ(normalize_phone("00 12 34 56 78"), std::nullopt);
    EXPECT_EQ(normalize_phone("+33 12"), std::nullopt);
    EXPECT_EQ(normalize_phone("06 12 34 56 78", "XX"), std::nullopt);
    EXPECT_EQ(normalize_phone("06 12 34 56 78", ""), std::nullopt);
    EXPECT_EQ(normalize_phone("+"), std::nullopt);
    EXPECT_EQ(normalize_phone("++33612345678"), std::nullopt);
    EXPECT_EQ(normalize_phone("06 12 34 56 78 poste 12"), std::nullopt);
    EXPECT_EQ(normalize_phone(std::string("0612\0" "345678", 11)), std::nullopt);  // a NUL inside
    EXPECT_EQ(normalize_phone("0612345678\xFF"), std::nullopt);
    EXPECT_EQ(normalize_phone("012 345 678", "US"), std::nullopt);
    EXPECT_EQ(normalize_phone(std::string(1 << 20, '6')), std::nullopt);
}
