#include "core/file_policy.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <dirent.h>
#include <cstdlib>
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

[[noreturn]] void refuse(const std::string& path, const char* why) {
    throw Error(sqlstate::kInsufficientPrivilege, "pg_crm may not read \"" + excerpt(path, 300) + "\": " + why,
                "", "A superuser lists readable directories in crm.allowed_read_paths.");
}

// The allowed directories, as written (normalised) and resolved.
struct AllowedDirs {
    std::vector<std::string> lexical, real;
};

AllowedDirs allowed_dirs(const std::string& path, const FilePolicy& policy) {
    if (path.empty() || path[0] != '/')
        throw Error(sqlstate::kInvalidParameterValue, "file path must be absolute: \"" + excerpt(path, 300) + "\"");
    if (policy.allowed_dirs.empty()) refuse(path, "no directory is allowed (crm.allowed_read_paths is empty)");
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
// `or_equal`: the path may be an allowed directory itself.
std::string checked_real_path(const std::string& path, const FilePolicy& policy, bool or_equal) {
    AllowedDirs dirs = allowed_dirs(path, policy);
    auto admitted = [&](const std::string& p, const std::vector<std::string>& list) {
        return inside_any(p, list) || (or_equal && std::find(list.begin(), list.end(), p) != list.end());
    };
    std::string lexical = lexically_normal(path);
    if (!admitted(lexical, dirs.lexical) && !admitted(lexical, dirs.real)) refuse(path, "outside the allowed directories");
    std::string real = resolve(path);
    if (real.empty()) {
        int err = errno;
        if (err == EACCES) refuse(path, "permission denied");
        throw Error(sqlstate::kUndefinedFile, "could not open file \"" + excerpt(path, 300) + "\": " + std::strerror(err));
    }
    if (!admitted(real, dirs.real)) refuse(path, "it resolves (through a link) outside the allowed directories");
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

}  // namespace crm
