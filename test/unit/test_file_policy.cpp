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
