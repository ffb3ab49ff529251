#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"
#include "core/zip_archive.hpp"
#include "zip_test_util.hpp"

using crm_test::TempPath;
using crm_test::write_zip;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

template <class F>
std::string sqlstate_of(F&& f) {
    try {
        f();
    } catch (const crm::Error& e) {
        return e.sqlstate();
    }
    return "no error";
}

template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const crm::Error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(ZipArchive, ReadsMembersWholeAndStreamed) {
    TempPath t(".zip");
    std::string big(300000, 'x');
    for (std::size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
    write_zip(t.path, {{"a.txt", "hello"}, {"dir/b.bin", big}});
    crm::ZipArchive z(t.path);
    EXPECT_EQ(z.display_name(), t.path.substr(t.path.rfind('/') + 1));
    ASSERT_EQ(z.members().size(), 2u);
    EXPECT_TRUE(z.has("a.txt"));
    EXPECT_TRUE(z.has("dir/b.bin"));
    EXPECT_FALSE(z.has("c.txt"));
    EXPECT_EQ(z.read_all("a.txt", 100), "hello");
    std::string streamed;
    std::size_t chunks = 0;
    z.stream("dir/b.bin", [&](const char* p, std::size_t n) {
        streamed.append(p, n);
        ++chunks;
    });
    EXPECT_EQ(streamed, big);
    EXPECT_GT(chunks, 1u);
    EXPECT_EQ(z.total_bytes(), 5u + big.size());
}

TEST(ZipArchive, MissingMemberIsAnError) {
    TempPath t(".zip");
    write_zip(t.path, {{"a.txt", "hello"}});
    crm::ZipArchive z(t.path);
    EXPECT_NE(message_of([&] { z.read_all("nope.xml", 10); }).find("\"nope.xml\": not found"), std::string::npos);
}

TEST(ZipArchive, NotAZipIsInvalidTextRepresentation) {
    TempPath t(".zip");
    {
        std::ofstream(t.path) << "id;name\n1;x\n";
    }
    EXPECT_EQ(sqlstate_of([&] { crm::ZipArchive z(t.path); }), "22P02");
    EXPECT_NE(message_of([&] { crm::ZipArchive z(t.path); }).find("is not a zip archive"), std::string::npos);
    TempPath empty(".zip");
    { std::ofstream(empty.path) << ""; }
    EXPECT_EQ(sqlstate_of([&] { crm::ZipArchive z(empty.path); }), "22P02");
}

TEST(ZipArchive, MissingFileAndDirectory) {
    EXPECT_EQ(sqlstate_of([] { crm::ZipArchive z("/nonexistent/dir/x.zip"); }), "58P01");
    EXPECT_EQ(sqlstate_of([] { crm::ZipArchive z("/tmp"); }), "22023");
}

TEST(ZipArchive, TruncatedArchiveIsRefused) {
    TempPath t(".zip");
    write_zip(t.path, {{"a.txt", std::string(5000, 'a')}, {"b.txt", "b"}});
    std::string bytes = slurp(t.path);
    for (std::size_t cut : {bytes.size() - 1, bytes.size() / 2, std::size_t{10}}) {
        EXPECT_EQ(sqlstate_of([&] { crm::ZipArchive z(crm::from_memory, bytes.substr(0, cut), "cut.zip"); }), "22P02")
            << cut;
    }
}

TEST(ZipArchive, DotDotAndAbsoluteNamesAreRefusedAtOpen) {
    for (const char* bad : {"../evil", "a/../../evil", "/etc/passwd", "a\\..\\b", "C:/x", "\\share\\x"}) {
        TempPath t(".zip");
        write_zip(t.path, {{"ok.txt", "1"}, {bad, "2"}});
        std::string msg = message_of([&] { crm::ZipArchive z(t.path); });
        EXPECT_NE(msg.find("refused zip archive"), std::string::npos) << bad << ": " << msg;
    }
    TempPath ok(".zip");
    write_zip(ok.path, {{"a..b/c..", "1"}});  // dots inside names are fine
    crm::ZipArchive z(ok.path);
    EXPECT_TRUE(z.has("a..b/c.."));
}

TEST(ZipArchive, MemberCountIsCapped) {
    TempPath t(".zip");
    crm_test::Members m;
    for (int i = 0; i < 20; ++i) m.emplace_back("m" + std::to_string(i), "x");
    write_zip(t.path, m);
    crm::ZipLimits lim;
    lim.max_members = 10;
    EXPECT_EQ(sqlstate_of([&] { crm::ZipArchive z(t.path, lim); }), "54000");
    lim.max_members = 20;
    crm::ZipArchive z(t.path, lim);
    EXPECT_EQ(z.members().size(), 20u);
}

TEST(ZipArchive, PerMemberAndCallerCapsAreEnforced) {
    TempPath t(".zip");
    write_zip(t.path, {{"a", std::string(10000, 'a')}}, /*store=*/true);
    crm::ZipLimits lim;
    lim.max_member_bytes = 5000;
    crm::ZipArchive z(t.path, lim);
    EXPECT_EQ(sqlstate_of([&] { z.read_all("a", UINT64_MAX); }), "54000");
    crm::ZipArchive z2(t.path);
    EXPECT_EQ(sqlstate_of([&] { z2.read_all("a", 9999); }), "54000");
    EXPECT_EQ(z2.read_all("a", 10000).size(), 10000u);
}

TEST(ZipArchive, RatioBombIsStoppedWhileInflating) {
    TempPath t(".zip");
    write_zip(t.path, {{"bomb", std::string(8u << 20, '\0')}});
    crm::ZipArchive z(t.path);
    std::uint64_t seen = 0;
    std::string msg = message_of([&] { z.stream("bomb", [&](const char*, std::size_t n) { seen += n; }); });
    EXPECT_NE(msg.find("compression ratio"), std::string::npos) << msg;
    EXPECT_LT(seen, 2u << 20);  // stopped soon after the grace bytes
    // A higher ratio allowance lets it through.
    crm::ZipLimits lim;
    lim.max_ratio = 100000;
    crm::ZipArchive z2(t.path, lim);
    EXPECT_EQ(z2.read_all("bomb", UINT64_MAX).size(), 8u << 20);
}

TEST(ZipArchive, TotalBytesAreCappedAcrossMembers) {
    TempPath t(".zip");
    write_zip(t.path, {{"a", std::string(4000, 'a')}, {"b", std::string(4000, 'b')}}, true);
    crm::ZipLimits lim;
    lim.max_total_bytes = 6000;
    crm::ZipArchive z(t.path, lim);
    EXPECT_EQ(z.read_all("a", UINT64_MAX).size(), 4000u);
    EXPECT_EQ(sqlstate_of([&] { z.read_all("b", UINT64_MAX); }), "54000");
}

TEST(ZipArchive, LyingHeaderDoesNotBypassCaps) {
    // lying_size.xlsx declares 100 bytes for a sheet that inflates to ~800 KiB.
    std::string path = std::string(CRM_FIXTURES) + "/xlsx/lying_size.xlsx";
    crm::ZipLimits lim;
    lim.max_member_bytes = 4096;
    std::string got;
    try {
        crm::ZipArchive z(path, lim);
        z.stream("xl/worksheets/sheet1.xml", [&](const char* p, std::size_t n) { got.append(p, n); });
    } catch (const crm::Error&) {
        // refused (cap or inconsistency): fine
    }
    EXPECT_LE(got.size(), 4096u + 65536u);
}

TEST(ZipArchive, FdConstructorDuplicatesTheDescriptor) {
    TempPath t(".zip");
    write_zip(t.path, {{"a.txt", "hello"}});
    int fd = ::open(t.path.c_str(), O_RDONLY | O_NOFOLLOW);
    ASSERT_GE(fd, 0);
    {
        crm::ZipArchive z(fd, "upload.zip");
        EXPECT_EQ(z.display_name(), "upload.zip");
        EXPECT_EQ(z.read_all("a.txt", 10), "hello");
    }
    // still ours: usable and closable after the archive is gone
    char c;
    EXPECT_GE(::pread(fd, &c, 1, 0), 1);
    EXPECT_EQ(c, 'P');
    EXPECT_EQ(::close(fd), 0);
    EXPECT_EQ(sqlstate_of([] { crm::ZipArchive z(-1, "bad fd"); }), "58030");
}

TEST(ZipArchive, FromMemory) {
    TempPath t(".zip");
    write_zip(t.path, {{"a.txt", "hello"}});
    crm::ZipArchive z(crm::from_memory, slurp(t.path), "mem.zip");
    EXPECT_EQ(z.read_all("a.txt", 10), "hello");
}
