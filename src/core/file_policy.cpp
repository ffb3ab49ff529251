#include "core/file_policy.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <dirent.h>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

std::vector<std::string> split_path_list(std::string_view list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view item = trim_blanks(list.substr(start, comma - start));
        if (!item.empty()) out.emplace_back(item);
        start = comma + 1;
    }
    return out;
}

OpenFile::OpenFile(OpenFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)), size_(other.size_) {
    other.fd_ = -1;
}

OpenFile::~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

// Resolves a path; empty when it does not exist (errno says why).
std::string resolve(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return {};
    return buf;
}

// Lexically removes "." and ".." so a path can be compared before it exists.
std::string lexically_normal(const std::string& path) {
    std::vector<std::string_view> parts;
    std::string_view rest(path);
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (auto part : parts) {
        out += '/';
        out += part;
    }
    return out.empty() ? "/" : out;
}

bool is_inside(const std::string& path, const std::string& dir) {
    if (dir == "/") return true;
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

bool inside_any(const std::string& path, const std::vector<std::string>& dirs) {
    for (const auto& dir : dirs)
        if (is_inside(path, dir)) return true;
    return false;
}

// Reading and writing are allowed by different settings.
struct Access {
    const char* verb;     // "read", "write"
    const char* setting;  // "crm.allowed_read_paths"
    const char* what;     // "readable", "writable"
};
constexpr Access kRead{"read", "crm.allowed_read_paths", "readable"};
constexpr Access kWrite{"write", "crm.allowed_write_paths", "writable"};

[[noreturn]] void refuse(const std::string& path, const std::string& why, const Access& access = kRead) {
    throw Error(sqlstate::kInsufficientPrivilege,
                std::string("pg_crm may not ") + access.verb + " \"" + excerpt(path, 300) + "\": " + why, "",
                std::string("A superuser lists ") + access.what + " directories in " + access.setting + ".");
}

// The allowed directories, as written (normalised) and resolved.
struct AllowedDirs {
    std::vector<std::string> lexical, real;
};

AllowedDirs allowed_dirs(const std::string& path, const FilePolicy& policy, const Access& access,
                         const std::string& shown) {
    if (path.empty() || path[0] != '/')
        throw Error(sqlstate::kInvalidParameterValue, "file path must be absolute: \"" + excerpt(shown, 300) + "\"");
    if (policy.allowed_dirs.empty())
        refuse(shown, std::string("no directory is allowed (") + access.setting + " is empty)", access);
    AllowedDirs dirs;
    for (const auto& dir : policy.allowed_dirs) {
        if (dir.empty() || dir[0] != '/') continue;  // relative entries are ignored, never matched
        dirs.lexical.push_back(lexically_normal(dir));
        std::string real = resolve(dir);
        if (!real.empty()) dirs.real.push_back(real);
    }
    return dirs;
}

// Checks `path` against the allowed directories, first as written (before
// touching the file system, so that the answer for a path outside them never
// says whether it exists), then resolved; returns the resolved path.
// `or_equal`: the path may be an allowed directory itself. Errors name
// `shown` (the file a writer was asked for, when `path` is its directory).
std::string checked_real_path(const std::string& path, const FilePolicy& policy, bool or_equal,
                              const Access& access = kRead, const std::string* shown_path = nullptr) {
    const std::string& shown = shown_path != nullptr ? *shown_path : path;
    AllowedDirs dirs = allowed_dirs(path, policy, access, shown);
    auto admitted = [&](const std::string& p, const std::vector<std::string>& list) {
        return inside_any(p, list) || (or_equal && std::find(list.begin(), list.end(), p) != list.end());
    };
    std::string lexical = lexically_normal(path);
    if (!admitted(lexical, dirs.lexical) && !admitted(lexical, dirs.real))
        refuse(shown, "outside the allowed directories", access);
    std::string real = resolve(path);
    if (real.empty()) {
        int err = errno;
        if (err == EACCES) refuse(shown, "permission denied", access);
        throw Error(sqlstate::kUndefinedFile, "could not open file \"" + excerpt(shown, 300) + "\": " + std::strerror(err));
    }
    if (!admitted(real, dirs.real))
        refuse(shown, "it resolves (through a link) outside the allowed directories", access);
    return real;
}

}  // namespace

OpenFile open_for_read(const std::string& path, const FilePolicy& policy) {
    std::string real = checked_real_path(path, policy, false);

    // O_NONBLOCK: opening a FIFO must not wait for a writer; cleared below.
    int fd = ::open(real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        if (err == EACCES) refuse(path, "permission denied");
        throw Error(sqlstate::kUndefinedFile, "could not open file \"" + excerpt(path, 300) + "\": " + std::strerror(err));
    }
    OpenFile file(fd, real, 0);
    struct stat st;
    if (::fstat(fd, &st) != 0)
        throw Error(sqlstate::kIoError, "could not stat file \"" + excerpt(path, 300) + "\": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw Error(sqlstate::kInvalidParameterValue,
                    "\"" + excerpt(path, 300) + "\" is not a regular file" + (S_ISDIR(st.st_mode) ? " (it is a directory)" : ""));
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (policy.max_bytes > 0 && size > policy.max_bytes)
        throw Error(sqlstate::kProgramLimitExceeded,
                    "file \"" + excerpt(path, 300) + "\" is " + std::to_string(size) + " bytes, over the limit of " +
                        std::to_string(policy.max_bytes),
                    "", "A superuser can raise crm.max_file_size.");
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    file.size_ = size;
    return file;
}

std::vector<DirectoryEntry> list_directory(const std::string& dir, const FilePolicy& policy) {
    std::string real = checked_real_path(dir, policy, true);
    int fd = ::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        throw Error(errno == ENOTDIR ? sqlstate::kInvalidParameterValue : sqlstate::kUndefinedFile,
                    "could not list directory \"" + dir + "\": " + std::strerror(errno));
    DIR* stream = ::fdopendir(fd);
    if (stream == nullptr) {
        ::close(fd);
        throw Error(sqlstate::kIoError, "could not list directory \"" + dir + "\": " + std::strerror(errno));
    }
    struct Closer {
        DIR* stream;
        ~Closer() { ::closedir(stream); }
    } closer{stream};
    std::vector<DirectoryEntry> entries;
    while (const dirent* entry = ::readdir(stream)) {
        if (entry->d_name[0] == '.') continue;
        struct stat st;
        if (::fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        entries.push_back(DirectoryEntry{real + "/" + entry->d_name, static_cast<std::uint64_t>(st.st_size),
                                         static_cast<std::int64_t>(st.st_mtime)});
    }
    std::sort(entries.begin(), entries.end(),
              [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.path < b.path; });
    return entries;
}

OutputFile::OutputFile(int dir_fd, int fd, std::string path, std::string name, std::string temp_name,
                       bool overwrite) noexcept
    : dir_fd_(dir_fd), fd_(fd), path_(std::move(path)), name_(std::move(name)), temp_name_(std::move(temp_name)),
      overwrite_(overwrite) {}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : dir_fd_(other.dir_fd_), fd_(other.fd_), path_(std::move(other.path_)), name_(std::move(other.name_)),
      temp_name_(std::move(other.temp_name_)), overwrite_(other.overwrite_), committed_(other.committed_) {
    other.dir_fd_ = -1;
    other.fd_ = -1;
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (dir_fd_ >= 0) {
        if (!committed_) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
        ::close(dir_fd_);
    }
}

namespace {

[[noreturn]] void io_error(const std::string& path, const char* doing, int err) {
    throw Error(sqlstate::kIoError,
                std::string("could not ") + doing + " \"" + excerpt(path, 300) + "\": " + std::strerror(err));
}

[[noreturn]] void exists(const std::string& path) {
    throw Error(sqlstate::kDuplicateFile, "file \"" + excerpt(path, 300) + "\" already exists", "",
                "Pass {\"overwrite\": true} to replace it.");
}

// The target as it is now, if anything is there: a link or anything but a
// regular file is refused, whether or not it may be overwritten.
bool target_exists(int dir_fd, const std::string& name, const std::string& path) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        io_error(path, "stat", errno);
    }
    if (S_ISLNK(st.st_mode)) refuse(path, "it is a symbolic link", kWrite);
    if (S_ISDIR(st.st_mode)) refuse(path, "it is a directory", kWrite);
    if (!S_ISREG(st.st_mode)) refuse(path, "it is not a regular file (FIFO, device or socket)", kWrite);
    return true;
}

}  // namespace

OutputFile create_for_write(const std::string& path, const FilePolicy& policy, bool overwrite) {
    if (path.find('\0') != std::string::npos)
        throw Error(sqlstate::kInvalidParameterValue, "file path contains a NUL byte: \"" + excerpt(path, 300) + "\"");
    if (path.size() > kMaxPathBytes)
        throw Error(sqlstate::kInvalidParameterValue, "file path is too long (" + std::to_string(path.size()) +
                                                          " bytes, at most " + std::to_string(kMaxPathBytes) +
                                                          "): \"" + excerpt(path, 300) + "\"");
    size_t slash = path.rfind('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (path.empty() || path[0] != '/')
        throw Error(sqlstate::kInvalidParameterValue, "file path must be absolute: \"" + excerpt(path, 300) + "\"");
    if (name.empty() || name == "." || name == "..")
        throw Error(sqlstate::kInvalidParameterValue, "file path names no file: \"" + excerpt(path, 300) + "\"");
    if (name.size() > kMaxNameBytes)
        throw Error(sqlstate::kInvalidParameterValue, "file name is too long (" + std::to_string(name.size()) +
                                                          " bytes, at most " + std::to_string(kMaxNameBytes) +
                                                          "): \"" + excerpt(path, 300) + "\"");
    // The directory is checked like a read path (as written, then resolved);
    // the file name itself is then only ever used relative to it.
    std::string dir_path = slash == 0 ? "/" : path.substr(0, slash);
    std::string dir;
    try {
        dir = checked_real_path(dir_path, policy, true, kWrite, &path);
    } catch (const Error& e) {
        if (std::string(e.sqlstate()) != sqlstate::kUndefinedFile) throw;
        throw Error(sqlstate::kUndefinedFile, "could not write \"" + excerpt(path, 300) + "\": its directory does not exist");
    }
    std::string real = (dir == "/" ? "" : dir) + "/" + name;
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir_fd < 0) {
        int err = errno;
        if (err == EACCES) refuse(path, "permission denied", kWrite);
        if (err == ENOTDIR) refuse(path, "its directory is not a directory", kWrite);
        io_error(path, "open the directory of", err);
    }
    struct DirCloser {
        int fd;
        ~DirCloser() {
            if (fd >= 0) ::close(fd);
        }
    } closer{dir_fd};
    // The directory opened must be the one checked: a component swapped for
    // a link between realpath() and open() would show here.
    char opened[PATH_MAX];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(dir_fd)).c_str(), opened, sizeof opened - 1);
    if (n > 0 && std::string(opened, static_cast<std::size_t>(n)) != dir)
        refuse(path, "its directory changed while it was checked", kWrite);
    if (target_exists(dir_fd, name, path) && !overwrite) exists(path);

    // A hidden name of our own, created exclusively (never an existing file
    // or a planted link); mode 0640 whatever the umask.
    static unsigned counter = 0;
    std::string temp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        temp = "." + name.substr(0, 200) + "." + std::to_string(::getpid()) + "." + std::to_string(++counter) + ".tmp";
        fd = ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
        if (fd < 0 && errno != EEXIST) {
            int err = errno;
            if (err == EACCES || err == EROFS) refuse(path, std::strerror(err), kWrite);
            io_error(path, "create a temporary file beside", err);
        }
    }
    if (fd < 0) io_error(path, "create a temporary file beside", EEXIST);
    closer.fd = -1;
    OutputFile out(dir_fd, fd, real, name, temp, overwrite);
    if (::fchmod(fd, 0640) != 0) io_error(path, "set the mode of", errno);
    return out;
}

std::uint64_t OutputFile::commit() {
    struct stat st;
    if (::fsync(fd_) != 0) io_error(path_, "write", errno);
    if (::fstat(fd_, &st) != 0) io_error(path_, "stat", errno);
    ::close(fd_);
    fd_ = -1;
    if (overwrite_) {
        // A link or a directory put there meanwhile is refused, not replaced.
        target_exists(dir_fd_, name_, path_);
        if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0) io_error(path_, "rename onto", errno);
    } else if (::renameat2(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str(), RENAME_NOREPLACE) != 0) {
        int err = errno;
        if (err == EEXIST) exists(path_);
        if (err != EINVAL) io_error(path_, "rename onto", err);
        // A file system without RENAME_NOREPLACE: link() fails on an existing name too.
        if (::linkat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str(), 0) != 0) {
            err = errno;
            if (err == EEXIST) exists(path_);
            io_error(path_, "rename onto", err);
        }
        ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
    }
    committed_ = true;
    ::fsync(dir_fd_);
    return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace crm
