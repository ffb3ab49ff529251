// libFuzzer target: the file access policy. Any path (absolute, or relative
// to an allowed directory holding files, subdirectories, symlinks in and
// out, a FIFO) is opened or refused, never crashes or blocks, and whatever
// it opens really lies inside the allowed directory.
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/file_policy.hpp"

namespace {

struct Tree {
    std::string root, allowed;
    crm::FilePolicy policy;

    Tree() {
        char dir[] = "/tmp/pg_crm_fuzz_paths.XXXXXX";
        root = mkdtemp(dir);
        allowed = root + "/allowed";
        mkdir(allowed.c_str(), 0755);
        mkdir((allowed + "/sub").c_str(), 0755);
        mkdir((root + "/outside").c_str(), 0755);
        mkdir((root + "/allowed2").c_str(), 0755);
        std::ofstream(allowed + "/a.csv") << "a;b\n1;2\n";
        std::ofstream(allowed + "/sub/b.csv") << "x\n";
        std::ofstream(root + "/outside/secret.txt") << "secret\n";
        std::ofstream(root + "/allowed2/x.csv") << "y\n";
        symlink((allowed + "/a.csv").c_str(), (allowed + "/in.csv").c_str());
        symlink((root + "/outside/secret.txt").c_str(), (allowed + "/out.csv").c_str());
        symlink((root + "/outside").c_str(), (allowed + "/outdir").c_str());
        symlink("../allowed2", (allowed + "/sibling").c_str());
        mkfifo((allowed + "/pipe").c_str(), 0644);
        policy.allowed_dirs = {allowed};
        policy.max_bytes = 1 << 20;
        char real[PATH_MAX];
        if (realpath(allowed.c_str(), real)) allowed = real;
    }
    ~Tree() {
        std::error_code ignored;
        std::filesystem::remove_all(root, ignored);
    }
};

const Tree& tree() {
    static Tree t;
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Tree& t = tree();
    std::string input(reinterpret_cast<const char*>(data), size);
    // Relative inputs are tried inside the allowed directory: that is where
    // the symlinks and dot-dots are.
    std::string path = !input.empty() && input[0] == '/' ? input : t.policy.allowed_dirs[0] + "/" + input;
    try {
        crm::OpenFile file = crm::open_for_read(path, t.policy);
        char real[PATH_MAX];
        std::string fd_link = "/proc/self/fd/" + std::to_string(file.fd());
        ssize_t n = readlink(fd_link.c_str(), real, sizeof real - 1);
        if (n <= 0) std::abort();
        std::string opened(real, static_cast<std::size_t>(n));
        if (opened.compare(0, t.allowed.size() + 1, t.allowed + "/") != 0) {
            std::fprintf(stderr, "opened %s outside %s for %s\n", opened.c_str(), t.allowed.c_str(), path.c_str());
            std::abort();
        }
    } catch (const crm::Error&) {
    }
    return 0;
}
