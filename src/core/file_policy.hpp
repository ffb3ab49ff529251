// Which files pg_crm may open, checked in C++ because COPY's own privilege
// check does not protect a reader that opens files itself.
//
// A path must be absolute, resolve (symlinks, "..") to a regular file inside
// one of the allowed directories, and be no larger than the cap. The file is
// opened with O_NOFOLLOW and checked with fstat on the open descriptor, so a
// FIFO, a device or a directory is refused without blocking.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

struct FilePolicy {
    std::vector<std::string> allowed_dirs;  // as configured; resolved when checked
    std::uint64_t max_bytes = 0;            // 0 = no cap
};

// "a, /b ,c" -> {"a", "/b", "c"}; empty entries dropped.
std::vector<std::string> split_path_list(std::string_view list);

// An open, policy-checked file. Owns the descriptor.
class OpenFile {
public:
    OpenFile(int fd, std::string path, std::uint64_t size) noexcept : fd_(fd), path_(std::move(path)), size_(size) {}
    OpenFile(OpenFile&& other) noexcept;
    OpenFile& operator=(OpenFile&&) = delete;
    OpenFile(const OpenFile&) = delete;
    ~OpenFile();

    int fd() const noexcept { return fd_; }
    const std::string& path() const noexcept { return path_; }  // resolved path
    std::uint64_t size() const noexcept { return size_; }

private:
    friend OpenFile open_for_read(const std::string&, const struct FilePolicy&);
    int fd_;
    std::string path_;
    std::uint64_t size_;
};

// Opens `path` for reading under `policy`, or throws crm::Error:
// 42501 outside the allowed directories (or none configured) or not readable,
// 58P01 no such file, 22023 not a regular file or not absolute, 54000 too large.
OpenFile open_for_read(const std::string& path, const FilePolicy& policy);

struct DirectoryEntry {
    std::string path;           // resolved directory + "/" + name
    std::uint64_t size = 0;
    std::int64_t modified = 0;  // seconds since the epoch
};

// The regular files directly inside `dir` (an allowed directory or one
// inside it), sorted by name; hidden files, subdirectories, links and
// special files are left out. Throws like open_for_read.
std::vector<DirectoryEntry> list_directory(const std::string& dir, const FilePolicy& policy);

}  // namespace crm
