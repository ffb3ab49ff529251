// Which files pg_crm may open, checked in C++ because COPY's own privilege
// check does not protect a reader that opens files itself.
//
// A path must be absolute, resolve (symlinks, "..") to a regular file inside
// one of the allowed directories, and be no larger than the cap. The file is
// opened with O_NOFOLLOW and checked with fstat on the open descriptor, so a
// FIFO, a device or a directory is refused without blocking.
//
// Writing (reports, exports) has its own list of directories: the target's
// directory must resolve inside one of them, the target itself must not be
// a link or a special file, and the file appears whole or not at all (a
// temporary file in the same directory, fsync, rename).
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

// A file being written under a write policy: a temporary file (mode 0640)
// beside the target, renamed onto it by commit(). Destroyed uncommitted (an
// error, a cancel), it removes the temporary file: the target is untouched.
class OutputFile {
public:
    OutputFile(OutputFile&& other) noexcept;
    OutputFile& operator=(OutputFile&&) = delete;
    OutputFile(const OutputFile&) = delete;
    ~OutputFile();

    int fd() const noexcept { return fd_; }
    const std::string& path() const noexcept { return path_; }  // resolved target path
    // fsync, then rename onto the target (refused if it appeared meanwhile
    // and overwrite is off), then fsync of the directory. Returns the size.
    std::uint64_t commit();

private:
    friend OutputFile create_for_write(const std::string&, const FilePolicy&, bool);
    OutputFile(int dir_fd, int fd, std::string path, std::string name, std::string temp_name, bool overwrite) noexcept;
    int dir_fd_;
    int fd_;
    std::string path_, name_, temp_name_;
    bool overwrite_;
    bool committed_ = false;
};

// Longest path and file name a writer accepts (PATH_MAX and NAME_MAX).
inline constexpr std::size_t kMaxPathBytes = 4095;
inline constexpr std::size_t kMaxNameBytes = 255;

// Starts writing `path` under `policy` (allowed_dirs = the writable ones),
// or throws crm::Error: 22023 not absolute, NUL byte, too long, no file name;
// 42501 outside the allowed directories (or none configured), through a
// link outside them, the target a link or not a regular file, permission
// denied; 58P01 the directory does not exist; 58P02 the target exists and
// `overwrite` is off.
OutputFile create_for_write(const std::string& path, const FilePolicy& policy, bool overwrite);

}  // namespace crm
