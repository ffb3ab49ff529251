#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "support/chunked_source.hpp"
#include "core/byte_source.hpp"
#include "core/error.hpp"
#include "core/text_encoding.hpp"

using namespace crm;

namespace {

using crm::testing::ChunkedSource;

std::string decode(std::string_view raw, Encoding enc, size_t chunk = 0, size_t cap = 4096) {
    MemorySource mem(raw);
    ChunkedSource chunked(raw, chunk ? chunk : 1);
    ByteSource& src = chunk ? static_cast<ByteSource&>(chunked) : mem;
    auto dec = make_utf8_source(src, enc, "t.csv");
    std::string out;
    std::string buf(cap, '\0');
    size_t n;
    while ((n = dec->read(buf.data(), cap)) > 0) out.append(buf.data(), n);
    return out;
}

std::string utf16le(const std::u16string& s) {
    std::string out;
    for (char16_t c : s) {
        out += static_cast<char>(c & 0xFF);
        out += static_cast<char>(c >> 8);
    }
    return out;
}

std::string utf16be(const std::u16string& s) {
    std::string out;
    for (char16_t c : s) {
        out += static_cast<char>(c >> 8);
        out += static_cast<char>(c & 0xFF);
    }
    return out;
}

}  // namespace

TEST(TextEncoding, NamesRoundTrip) {
    for (Encoding e : {Encoding::Utf8, Encoding::Utf8Bom, Encoding::Windows1252, Encoding::Latin1,
                       Encoding::Utf16LE, Encoding::Utf16BE, Encoding::Latin9}) {
        auto back = parse_encoding_name(encoding_name(e));
        ASSERT_TRUE(back.has_value()) << encoding_name(e);
        EXPECT_EQ(*back, e);
    }
    EXPECT_STREQ(encoding_name(Encoding::Windows1252), "windows-1252");
}

TEST(TextEncoding, CommonSpellings) {
    EXPECT_EQ(parse_encoding_name("UTF8"), Encoding::Utf8);
    EXPECT_EQ(parse_encoding_name("utf_8"), Encoding::Utf8);
    EXPECT_EQ(parse_encoding_name("UTF-8-BOM"), Encoding::Utf8Bom);
    EXPECT_EQ(parse_encoding_name("CP1252"), Encoding::Windows1252);
    EXPECT_EQ(parse_encoding_name("win1252"), Encoding::Windows1252);
    EXPECT_EQ(parse_encoding_name("ISO-8859-1"), Encoding::Latin1);
    EXPECT_EQ(parse_encoding_name("latin1"), Encoding::Latin1);
    EXPECT_EQ(parse_encoding_name("iso-8859-15"), Encoding::Latin9);
    EXPECT_EQ(parse_encoding_name("UTF-16"), Encoding::Utf16LE);
    EXPECT_EQ(parse_encoding_name("utf-16be"), Encoding::Utf16BE);
    EXPECT_FALSE(parse_encoding_name("ebcdic").has_value());
    EXPECT_FALSE(parse_encoding_name("").has_value());
}

TEST(TextEncoding, DetectByBom) {
    EXPECT_EQ(detect_encoding("\xEF\xBB\xBF" "a;b"), Encoding::Utf8Bom);
    EXPECT_EQ(detect_encoding(std::string("\xFF\xFE" "a\0", 4)), Encoding::Utf16LE);
    EXPECT_EQ(detect_encoding(std::string("\xFE\xFF\0a", 4)), Encoding::Utf16BE);
}

TEST(TextEncoding, DetectUtf16WithoutBom) {
    EXPECT_EQ(detect_encoding(utf16le(u"Code;Désignation\r\nC001;Vin\r\n")), Encoding::Utf16LE);
    EXPECT_EQ(detect_encoding(utf16be(u"Code;Désignation\r\nC001;Vin\r\n")), Encoding::Utf16BE);
}

TEST(TextEncoding, DetectUtf8AndWindows1252) {
    EXPECT_EQ(detect_encoding(""), Encoding::Utf8);
    EXPECT_EQ(detect_encoding("plain ascii;1;2\n"), Encoding::Utf8);
    EXPECT_EQ(detect_encoding("Désignation;Qté\nCrémant;6\n"), Encoding::Utf8);
    EXPECT_EQ(detect_encoding("D\xE9signation;Qt\xE9\n"), Encoding::Windows1252);
    EXPECT_EQ(detect_encoding("Prix \x80\n"), Encoding::Windows1252);
    // A sample cut inside a sequence is still UTF-8 when UTF-8 was already seen...
    EXPECT_EQ(detect_encoding("Qté;Château\xC3"), Encoding::Utf8);
    // ...but a lone high byte at the very end of an ASCII file is Windows-1252.
    EXPECT_EQ(detect_encoding("Nom\nCaf\xE9"), Encoding::Windows1252);
}

TEST(TextEncoding, Utf8ValidPrefix) {
    EXPECT_EQ(utf8_valid_prefix(""), 0u);
    EXPECT_EQ(utf8_valid_prefix("abc"), 3u);
    EXPECT_EQ(utf8_valid_prefix("é€😀"), std::string("é€😀").size());
    EXPECT_EQ(utf8_valid_prefix("ab\xC0\x80"), 2u);          // overlong
    EXPECT_EQ(utf8_valid_prefix("ab\xED\xA0\x80"), 2u);      // surrogate
    EXPECT_EQ(utf8_valid_prefix("ab\xF4\x90\x80\x80"), 2u);  // > U+10FFFF
    EXPECT_EQ(utf8_valid_prefix("ab\xE2\x82"), 2u);          // truncated
    EXPECT_EQ(utf8_valid_prefix("ab\x80"), 2u);              // stray continuation
    std::string longer(37, 'x');
    longer += "\xFF";
    longer += std::string(40, 'y');
    EXPECT_EQ(utf8_valid_prefix(longer), 37u);
}

TEST(TextEncoding, Windows1252HighRange) {
    EXPECT_EQ(decode("\x80\x82\x83\x84\x85\x86\x87\x88\x89\x8A\x8B\x8C\x8E", Encoding::Windows1252),
                     "€‚ƒ„…†‡ˆ‰Š‹ŒŽ");
    EXPECT_EQ(decode("\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9A\x9B\x9C\x9E\x9F", Encoding::Windows1252),
              "‘’“”•–—˜™š›œžŸ");
    EXPECT_EQ(decode("Ch\xE2teau \xE0 12,50 \x80", Encoding::Windows1252), "Château à 12,50 €");
    EXPECT_EQ(decode("\xA0\xFF", Encoding::Windows1252), "\u00a0ÿ");
}

TEST(TextEncoding, Windows1252UndefinedByteIsAnError) {
    try {
        decode("a;b\nc;d\ne\x81", Encoding::Windows1252);
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_STREQ(e.sqlstate(), "22021");
        EXPECT_EQ(e.where().line, 3u);
        EXPECT_NE(std::string(e.what()).find("0x81"), std::string::npos) << e.what();
    }
    // Latin-1 keeps it as the C1 control U+0081 but reads 0x80 as the euro sign.
    EXPECT_EQ(decode("\x81\x80\xE9", Encoding::Latin1), "\u0081€é");
}

TEST(TextEncoding, Latin9) { EXPECT_EQ(decode("\xA4\xBC\xBD\xE9", Encoding::Latin9), "€Œœé"); }

TEST(TextEncoding, Utf8BomStrippedAndDataPassedThrough) {
    EXPECT_EQ(decode("\xEF\xBB\xBF" "a;é", Encoding::Utf8Bom), "a;é");
    EXPECT_EQ(decode("\xEF\xBB\xBF" "a;é", Encoding::Utf8), "a;é");
    EXPECT_EQ(decode("a;é", Encoding::Utf8Bom), "a;é");
    EXPECT_EQ(decode("\xEF\xBB\xBF" "abc", Encoding::Utf8, 1, 1), "abc");
    EXPECT_EQ(decode("\xEF\xBB", Encoding::Utf8), "\xEF\xBB");
}

TEST(TextEncoding, Utf16LittleAndBigEndian) {
    std::u16string s = u"Pétrus 😀;3 200,00\r\n";
    EXPECT_EQ(decode("\xFF\xFE" + utf16le(s), Encoding::Utf16LE), "Pétrus 😀;3 200,00\r\n");
    EXPECT_EQ(decode(utf16le(s), Encoding::Utf16LE), "Pétrus 😀;3 200,00\r\n");
    EXPECT_EQ(decode("\xFE\xFF" + utf16be(s), Encoding::Utf16BE), "Pétrus 😀;3 200,00\r\n");
    // A byte-order mark wins over the requested byte order.
    EXPECT_EQ(decode("\xFE\xFF" + utf16be(s), Encoding::Utf16LE), "Pétrus 😀;3 200,00\r\n");
    // Pieces of one byte, and a surrogate pair split across reads.
    EXPECT_EQ(decode("\xFF\xFE" + utf16le(s), Encoding::Utf16LE, 3, 1), "Pétrus 😀;3 200,00\r\n");
}

TEST(TextEncoding, Utf16Errors) {
    EXPECT_THROW(decode(utf16le(u"ab") + std::string("\x00\xD8", 2) + utf16le(u"c"), Encoding::Utf16LE),
                 ParseError);  // high surrogate without low
    EXPECT_THROW(decode(utf16le(u"ab") + std::string("\x00\xDC", 2), Encoding::Utf16LE), ParseError);
    EXPECT_THROW(decode(utf16le(u"ab") + std::string("\x00\xD8", 2), Encoding::Utf16LE), ParseError);
    EXPECT_THROW(decode(utf16le(u"ab") + "x", Encoding::Utf16LE), ParseError);  // odd length
    try {
        decode(utf16le(u"a\nb\n") + std::string("\x00\xDC", 2), Encoding::Utf16LE);
    } catch (const ParseError& e) {
        EXPECT_EQ(e.where().line, 3u);
        EXPECT_STREQ(e.sqlstate(), "22021");
    }
}

TEST(TextEncoding, LargeInputStreamsInPieces) {
    std::string raw;
    for (int i = 0; i < 50000; ++i) raw += "Ros\xE9 d'Anjou \x80;";
    std::string expect;
    for (int i = 0; i < 50000; ++i) expect += "Rosé d'Anjou €;";
    EXPECT_EQ(decode(raw, Encoding::Windows1252), expect);
    EXPECT_EQ(decode(raw, Encoding::Windows1252, 7000, 333), expect);
}

TEST(ByteSource, FdSourceReadsAndReportsErrors) {
    std::string path = std::string(CRM_FIXTURES) + "/csv/comma_lf.csv";
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    FdSource src(fd, path);
    std::string all;
    char buf[7];
    size_t n;
    while ((n = src.read(buf, sizeof buf)) > 0) all.append(buf, n);
    ::close(fd);
    EXPECT_EQ(all.substr(0, 11), "id,name,qty");
    FdSource bad(-1, "missing.csv");
    try {
        bad.read(buf, sizeof buf);
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.sqlstate(), "58030");
        EXPECT_NE(std::string(e.what()).find("missing.csv"), std::string::npos);
    }
}
