#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/file_policy.hpp"

namespace {

class FilePolicyTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/crm_policy_XXXXXX";
        root_ = mkdtemp(tmpl);
        allowed_ = root_ + "/allowed";
        outside_ = root_ + "/outside";
        mkdir(allowed_.c_str(), 0755);
        mkdir(outside_.c_str(), 0755);
        write(allowed_ + "/ventes.csv", "a;b\n1;2\n");
        write(outside_ + "/secret.txt", "secret\n");
        policy_.allowed_dirs = {allowed_};
    }
    void TearDown() override { std::system(("rm -rf " + root_).c_str()); }
    static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

    std::string sqlstate_of(const std::string& path) {
        try {
            crm::open_for_read(path, policy_);
            return "ok";
        } catch (const crm::Error& e) {
            return e.sqlstate();
        }
    }

    std::string root_, allowed_, outside_;
    crm::FilePolicy policy_;
};

}  // namespace

TEST(SplitPathList, TrimsAndDropsEmptyEntries) {
    EXPECT_EQ(crm::split_path_list(" /a, /b ,,/c "), (std::vector<std::string>{"/a", "/b", "/c"}));
    EXPECT_TRUE(crm::split_path_list("").empty());
}

TEST_F(FilePolicyTest, OpensARegularFileInsideAnAllowedDirectory) {
    auto file = crm::open_for_read(allowed_ + "/ventes.csv", policy_);
    EXPECT_GE(file.fd(), 0);
    EXPECT_EQ(file.size(), 8u);
    char buf[4] = {};
    EXPECT_EQ(read(file.fd(), buf, 3), 3);
    EXPECT_STREQ(buf, "a;b");
}

TEST_F(FilePolicyTest, RefusesPathsOutsideOrEscapingWithDotDot) {
    EXPECT_EQ(sqlstate_of(outside_ + "/secret.txt"), "42501");
    EXPECT_EQ(sqlstate_of(allowed_ + "/../outside/secret.txt"), "42501");
    EXPECT_EQ(sqlstate_of("/etc/passwd"), "42501");
    // A sibling whose name starts like the allowed directory is not inside it.
    mkdir((allowed_ + "2").c_str(), 0755);
    write(allowed_ + "2/x.csv", "x");
    EXPECT_EQ(sqlstate_of(allowed_ + "2/x.csv"), "42501");
}

TEST_F(FilePolicyTest, RefusesSymlinksThatLeadOutside) {
    ASSERT_EQ(symlink((outside_ + "/secret.txt").c_str(), (allowed_ + "/link.csv").c_str()), 0);
    EXPECT_EQ(sqlstate_of(allowed_ + "/link.csv"), "42501");
    ASSERT_EQ(symlink(outside_.c_str(), (allowed_ + "/dirlink").c_str()), 0);
    EXPECT_EQ(sqlstate_of(allowed_ + "/dirlink/secret.txt"), "42501");
}

TEST_F(FilePolicyTest, FollowsSymlinksThatStayInside) {
    ASSERT_EQ(symlink((allowed_ + "/ventes.csv").c_str(), (allowed_ + "/alias.csv").c_str()), 0);
    EXPECT_EQ(sqlstate_of(allowed_ + "/alias.csv"), "ok");
}

TEST_F(FilePolicyTest, MissingDirectoryFifoRelativeAndTooLarge) {
    EXPECT_EQ(sqlstate_of(allowed_ + "/absent.csv"), "58P01");
    EXPECT_EQ(sqlstate_of(allowed_), "42501");  // the directory itself is not inside itself
    mkdir((allowed_ + "/sub").c_str(), 0755);
    EXPECT_EQ(sqlstate_of(allowed_ + "/sub"), "22023");
    ASSERT_EQ(mkfifo((allowed_ + "/pipe").c_str(), 0644), 0);
    EXPECT_EQ(sqlstate_of(allowed_ + "/pipe"), "22023");  // refused without blocking
    EXPECT_EQ(sqlstate_of("ventes.csv"), "22023");
    policy_.max_bytes = 4;
    EXPECT_EQ(sqlstate_of(allowed_ + "/ventes.csv"), "54000");
}

TEST_F(FilePolicyTest, NothingIsAllowedWithAnEmptyList) {
    policy_.allowed_dirs.clear();
    EXPECT_EQ(sqlstate_of(allowed_ + "/ventes.csv"), "42501");
    policy_.allowed_dirs = {"relative/dir"};
    EXPECT_EQ(sqlstate_of(allowed_ + "/ventes.csv"), "42501");
}

TEST_F(FilePolicyTest, MessageForAPathOutsideDoesNotSayWhetherItExists) {
    try {
        crm::open_for_read(outside_ + "/nope", policy_);
        FAIL();
    } catch (const crm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("outside the allowed directories"), std::string::npos);
    }
}

// ---- writing (crm.allowed_write_paths) ----

namespace {

std::string write_sqlstate(const std::string& path, const crm::FilePolicy& policy, bool overwrite = false) {
    try {
        crm::OutputFile out = crm::create_for_write(path, policy, overwrite);
        return "ok";
    } catch (const crm::Error& e) {
        return e.sqlstate();
    }
}

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// How many entries `dir` holds.
int entries_in(const std::string& dir) {
    int n = -1;
    std::ifstream(std::system(("ls -A " + dir + " | wc -l > " + dir + ".count").c_str()) == 0 ? dir + ".count" : "") >> n;
    return n;
}

}  // namespace

TEST_F(FilePolicyTest, WritesAtomicallyWithMode0640) {
    std::string target = allowed_ + "/rapport.csv";
    {
        crm::OutputFile out = crm::create_for_write(target, policy_, false);
        ASSERT_EQ(::write(out.fd(), "a;b\r\n", 5), 5);
        // Nothing at the target until commit: a reader sees the old state or the new one.
        EXPECT_NE(access(target.c_str(), F_OK), 0);
        EXPECT_EQ(out.commit(), 5u);
    }
    EXPECT_EQ(read_all(target), "a;b\r\n");
    struct stat st;
    ASSERT_EQ(stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    EXPECT_EQ(entries_in(allowed_), 2) << "ventes.csv and rapport.csv, no temporary file left";
}

TEST_F(FilePolicyTest, AnUncommittedWriteLeavesNothing) {
    std::string target = allowed_ + "/rapport.csv";
    {
        crm::OutputFile out = crm::create_for_write(target, policy_, false);
        ASSERT_EQ(::write(out.fd(), "partial", 7), 7);
    }  // an error or a cancel: destroyed before commit
    EXPECT_NE(access(target.c_str(), F_OK), 0);
    EXPECT_EQ(entries_in(allowed_), 1) << "only ventes.csv";
}

TEST_F(FilePolicyTest, ReplacesAnExistingFileOnlyWhenAsked) {
    std::string target = allowed_ + "/ventes.csv";
    EXPECT_EQ(write_sqlstate(target, policy_), "58P02");
    EXPECT_EQ(read_all(target), "a;b\n1;2\n");
    crm::OutputFile out = crm::create_for_write(target, policy_, true);
    ASSERT_EQ(::write(out.fd(), "new", 3), 3);
    out.commit();
    EXPECT_EQ(read_all(target), "new");
}

TEST_F(FilePolicyTest, AFileThatAppearsBeforeCommitIsNotReplaced) {
    std::string target = allowed_ + "/race.csv";
    crm::OutputFile out = crm::create_for_write(target, policy_, false);
    write(target, "someone else's");
    try {
        out.commit();
        FAIL() << "committed over a file that appeared";
    } catch (const crm::Error& e) {
        EXPECT_STREQ(e.sqlstate(), "58P02");
    }
    EXPECT_EQ(read_all(target), "someone else's");
}

TEST_F(FilePolicyTest, RefusesWritesOutsideThroughLinksAndOntoSpecialFiles) {
    EXPECT_EQ(write_sqlstate(outside_ + "/x.csv", policy_), "42501");
    EXPECT_EQ(write_sqlstate(allowed_ + "/../outside/x.csv", policy_), "42501");
    EXPECT_EQ(write_sqlstate("/etc/x.csv", policy_), "42501");
    ASSERT_EQ(symlink(outside_.c_str(), (allowed_ + "/out_link").c_str()), 0);
    EXPECT_EQ(write_sqlstate(allowed_ + "/out_link/x.csv", policy_), "42501");
    ASSERT_EQ(symlink((outside_ + "/secret.txt").c_str(), (allowed_ + "/file_link").c_str()), 0);
    EXPECT_EQ(write_sqlstate(allowed_ + "/file_link", policy_, true), "42501");
    EXPECT_EQ(read_all(outside_ + "/secret.txt"), "secret\n");
    ASSERT_EQ(mkfifo((allowed_ + "/fifo").c_str(), 0644), 0);
    EXPECT_EQ(write_sqlstate(allowed_ + "/fifo", policy_, true), "42501");
    mkdir((allowed_ + "/sub").c_str(), 0755);
    EXPECT_EQ(write_sqlstate(allowed_ + "/sub", policy_, true), "42501");
    EXPECT_EQ(write_sqlstate(allowed_ + "/sub/x.csv", policy_), "ok");
    EXPECT_EQ(write_sqlstate(allowed_ + "/missing/x.csv", policy_), "58P01");
    EXPECT_EQ(entries_in(outside_), 1) << "nothing written outside";
}

TEST_F(FilePolicyTest, RefusesMalformedWritePaths) {
    EXPECT_EQ(write_sqlstate("relative.csv", policy_), "22023");
    EXPECT_EQ(write_sqlstate(allowed_ + "/", policy_), "22023");
    EXPECT_EQ(write_sqlstate(allowed_ + "/..", policy_), "22023");
    EXPECT_EQ(write_sqlstate(allowed_ + std::string("/a\0b.csv", 8), policy_), "22023");
    EXPECT_EQ(write_sqlstate(allowed_ + "/" + std::string(300, 'x'), policy_), "22023");
    EXPECT_EQ(write_sqlstate("/" + std::string(5000, 'x'), policy_), "22023");
    crm::FilePolicy none;
    EXPECT_EQ(write_sqlstate(allowed_ + "/x.csv", none), "42501");
}

TEST_F(FilePolicyTest, WriteRefusalsNameThePathAndTheWriteSetting) {
    try {
        crm::create_for_write(outside_ + "/" + std::string(200, 'y') + "/" + std::string(200, 'y') + "/x.csv", policy_, false);
        FAIL();
    } catch (const crm::Error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("may not write"), std::string::npos) << message;
        EXPECT_LT(message.size(), 400u) << "the path is quoted in at most 300 bytes";
        EXPECT_NE(e.hint().find("crm.allowed_write_paths"), std::string::npos);
    }
}
