#include "core/zip_archive.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"

#include "core/core_only.hpp"

namespace crm {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

// A member name is acceptable when it is relative and never climbs.
const char* bad_member_name(std::string_view n) {
    if (n.empty()) return "empty member name";
    if (n.front() == '/' || n.front() == '\\') return "absolute member name";
    if (n.size() >= 2 && n[1] == ':') return "absolute member name (drive letter)";
    for (char c : n) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return "control character in member name";
    }
    std::size_t start = 0;
    while (start <= n.size()) {
        std::size_t end = n.find_first_of("/\\", start);
        if (end == std::string_view::npos) end = n.size();
        if (n.substr(start, end - start) == "..") return "\"..\" in member name";
        start = end + 1;
    }
    return nullptr;
}

[[noreturn]] void throw_open_error(const std::string& name, int code) {
    switch (code) {
        case ZIP_ER_NOZIP:
        case ZIP_ER_INCONS:
        case ZIP_ER_EOF:
            throw Error(sqlstate::kInvalidTextRepresentation, name + " is not a zip archive",
                        code == ZIP_ER_NOZIP ? "no zip central directory found (not a zip file, or truncated)"
                                             : "inconsistent zip structure (corrupt or truncated)");
        case ZIP_ER_MEMORY:
            throw Error(sqlstate::kProgramLimitExceeded, name + ": out of memory opening the zip archive");
        default: {
            zip_error_t err;
            zip_error_init_with_code(&err, code);
            std::string msg = zip_error_strerror(&err);
            zip_error_fini(&err);
            throw Error(sqlstate::kIoError, name + ": cannot open zip archive: " + msg);
        }
    }
}

}  // namespace

std::string base_name(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ---------------------------------------------------------------- archive

ZipArchive::ZipArchive(const std::string& path, ZipLimits limits) : name_(base_name(path)), limits_(limits) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        const char* state = e == ENOENT ? sqlstate::kUndefinedFile
                            : (e == EACCES || e == EPERM) ? sqlstate::kInsufficientPrivilege
                                                          : sqlstate::kIoError;
        throw Error(state, "could not open file \"" + path + "\": " + std::strerror(e));
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(sqlstate::kInvalidParameterValue, "\"" + path + "\" is not a regular file");
    }
    FILE* fp = ::fdopen(fd, "rb");
    if (!fp) {
        ::close(fd);
        throw Error(sqlstate::kIoError, "could not open file \"" + path + "\"");
    }
    zip_error_t err;
    zip_error_init(&err);
    zip_source* src = zip_source_filep_create(fp, 0, -1, &err);
    if (!src) {
        std::fclose(fp);
        zip_error_fini(&err);
        throw Error(sqlstate::kIoError, name_ + ": cannot read the file");
    }
    zip_error_fini(&err);
    open_source(src);
}

ZipArchive::ZipArchive(int fd, std::string display_name, ZipLimits limits)
    : name_(std::move(display_name)), limits_(limits) {
    int dupfd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dupfd < 0) throw Error(sqlstate::kIoError, name_ + ": cannot duplicate file descriptor");
    struct stat st;
    if (::fstat(dupfd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(dupfd);
        throw Error(sqlstate::kInvalidParameterValue, name_ + " is not a regular file");
    }
    FILE* fp = ::fdopen(dupfd, "rb");
    if (!fp) {
        ::close(dupfd);
        throw Error(sqlstate::kIoError, name_ + ": cannot read the file");
    }
    zip_error_t err;
    zip_error_init(&err);
    zip_source* src = zip_source_filep_create(fp, 0, -1, &err);
    zip_error_fini(&err);
    if (!src) {
        std::fclose(fp);
        throw Error(sqlstate::kIoError, name_ + ": cannot read the file");
    }
    open_source(src);
}

ZipArchive::ZipArchive(FromMemory, std::string bytes, std::string display_name, ZipLimits limits)
    : name_(std::move(display_name)), limits_(limits), bytes_(std::move(bytes)) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source* src = zip_source_buffer_create(bytes_.data(), bytes_.size(), 0, &err);
    zip_error_fini(&err);
    if (!src) throw Error(sqlstate::kProgramLimitExceeded, name_ + ": cannot create zip source");
    open_source(src);
}

// Takes the source (freed on failure).
void ZipArchive::open_source(zip_source* src) {
    zip_error_t err;
    zip_error_init(&err);
    za_ = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (!za_) {
        int code = zip_error_code_zip(&err);
        zip_error_fini(&err);
        zip_source_free(src);
        throw_open_error(name_, code);
    }
    zip_error_fini(&err);
    try {
        index_members();
    } catch (...) {
        zip_discard(za_);
        za_ = nullptr;
        throw;
    }
}

void ZipArchive::index_members() {
    zip_int64_t n = zip_get_num_entries(za_, 0);
    if (n < 0) throw Error(sqlstate::kInvalidTextRepresentation, name_ + " is not a zip archive");
    if (static_cast<std::uint64_t>(n) > limits_.max_members) {
        throw Error(sqlstate::kProgramLimitExceeded,
                    name_ + ": zip archive has " + std::to_string(n) + " members (limit " +
                        std::to_string(limits_.max_members) + ")");
    }
    members_.reserve(static_cast<std::size_t>(n));
    for (zip_int64_t i = 0; i < n; ++i) {
        const char* raw = zip_get_name(za_, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
        if (!raw) throw Error(sqlstate::kInvalidTextRepresentation, name_ + ": unreadable zip member name");
        std::string member(raw);
        if (const char* why = bad_member_name(member)) {
            throw Error(sqlstate::kInvalidTextRepresentation,
                        name_ + ": refused zip archive: " + why + " " + quoted(member));
        }
        if (!index_.emplace(member, static_cast<std::uint64_t>(i)).second) {
            throw Error(sqlstate::kInvalidTextRepresentation,
                        name_ + ": refused zip archive: duplicate member name " + quoted(member));
        }
        members_.push_back(std::move(member));
    }
}

ZipArchive::~ZipArchive() {
    if (za_) zip_discard(za_);
}

bool ZipArchive::has(std::string_view member) const { return index_.count(std::string(member)) != 0; }

void ZipArchive::fail_member(const std::string& member, const std::string& what, const char* state) {
    throw Error(state, name_ + ": zip member " + quoted(member) + ": " + what);
}

std::unique_ptr<ZipMemberReader> ZipArchive::open_member(std::string_view member, std::uint64_t cap) {
    std::string m(member);
    auto it = index_.find(m);
    if (it == index_.end()) fail_member(m, "not found", sqlstate::kInvalidTextRepresentation);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za_, it->second, 0, &st) != 0) {
        fail_member(m, zip_strerror(za_), sqlstate::kInvalidTextRepresentation);
    }
    std::uint64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    std::uint64_t limit = std::min(cap, limits_.max_member_bytes);
    // Cheap early refusal when the header already admits too much (the real
    // enforcement happens while reading).
    if ((st.valid & ZIP_STAT_SIZE) && st.size > limit) {
        fail_member(m,
                    "declared size " + std::to_string(st.size) + " bytes exceeds the limit of " +
                        std::to_string(limit) + " bytes",
                    sqlstate::kProgramLimitExceeded);
    }
    zip_file* f = zip_fopen_index(za_, it->second, 0);
    if (!f) {
        int code = zip_error_code_zip(zip_get_error(za_));
        std::string why = zip_strerror(za_);
        if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_ENCRNOTSUPP) why = "encrypted members are not supported";
        if (code == ZIP_ER_COMPNOTSUPP) why = "compression method not supported";
        fail_member(m, why, sqlstate::kInvalidTextRepresentation);
    }
    return std::unique_ptr<ZipMemberReader>(new ZipMemberReader(*this, f, std::move(m), compressed, limit));
}

std::string ZipArchive::read_all(std::string_view member, std::uint64_t cap) {
    auto r = open_member(member, cap);
    std::string out;
    char buf[kChunk];
    for (;;) {
        std::size_t n = r->read(buf, sizeof buf);
        if (n == 0) break;
        out.append(buf, n);
    }
    return out;
}

void ZipArchive::stream(std::string_view member, const std::function<void(const char*, std::size_t)>& sink) {
    auto r = open_member(member);
    std::unique_ptr<char[]> buf(new char[kChunk]);
    for (;;) {
        std::size_t n = r->read(buf.get(), kChunk);
        if (n == 0) break;
        sink(buf.get(), n);
    }
}

// ---------------------------------------------------------------- member

ZipMemberReader::ZipMemberReader(ZipArchive& owner, zip_file* file, std::string name, std::uint64_t compressed,
                                 std::uint64_t cap)
    : owner_(owner), file_(file), name_(std::move(name)), compressed_(compressed), cap_(cap) {}

ZipMemberReader::~ZipMemberReader() {
    if (file_) zip_fclose(file_);
}

std::size_t ZipMemberReader::read(char* buf, std::size_t n) {
    if (!file_ || n == 0) return 0;
    check_interrupts();
    zip_int64_t got = zip_fread(file_, buf, n);
    if (got < 0) {
        std::string why = zip_file_strerror(file_);
        zip_fclose(file_);
        file_ = nullptr;
        owner_.fail_member(name_, "corrupt data (" + why + ")", sqlstate::kInvalidTextRepresentation);
    }
    if (got == 0) {
        zip_fclose(file_);
        file_ = nullptr;
        return 0;
    }
    auto g = static_cast<std::uint64_t>(got);
    produced_ += g;
    owner_.total_ += g;
    const ZipLimits& lim = owner_.limits_;
    if (produced_ > cap_) {
        owner_.fail_member(name_,
                           "decompressed size exceeds the limit of " + std::to_string(cap_) + " bytes",
                           sqlstate::kProgramLimitExceeded);
    }
    if (owner_.total_ > lim.max_total_bytes) {
        owner_.fail_member(name_,
                           "archive decompresses to more than " + std::to_string(lim.max_total_bytes) +
                               " bytes in total",
                           sqlstate::kProgramLimitExceeded);
    }
    if (produced_ > lim.ratio_grace_bytes &&
        static_cast<double>(produced_) > lim.max_ratio * static_cast<double>(std::max<std::uint64_t>(compressed_, 1))) {
        owner_.fail_member(name_,
                           "compression ratio exceeds " + std::to_string(static_cast<int>(lim.max_ratio)) +
                               " (zip bomb?)",
                           sqlstate::kProgramLimitExceeded);
    }
    return static_cast<std::size_t>(got);
}

}  // namespace crm
