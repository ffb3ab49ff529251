// A read-only, size-capped view of a ZIP archive (RAII over libzip).
//
// Safety model: the archive is hostile until proven otherwise.
//  * At open: the member count is capped, member names that are absolute
//    ("/x", "\x", "C:x"), contain a ".." component, contain a control
//    character or are duplicated are refused (the whole archive is refused).
//  * While decompressing: the bytes actually produced are counted (headers
//    are never trusted) against the per-member cap, the archive-wide total
//    cap, and the decompressed/compressed ratio (checked once a member has
//    produced more than `ratio_grace_bytes`, so that tiny, very repetitive
//    XML parts are not refused).
// Every failure is a crm::Error (SQLSTATE 22P02 for bad input, 54000 for a
// cap, 58P01/58030/42501 for file-system problems).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct zip;
struct zip_file;
struct zip_source;

namespace crm {

struct ZipLimits {
    std::uint64_t max_members = 10000;
    std::uint64_t max_member_bytes = 512ull << 20;  // decompressed, per member
    std::uint64_t max_total_bytes = 2ull << 30;     // decompressed, whole archive lifetime
    double max_ratio = 200.0;                       // decompressed / compressed, per member
    std::uint64_t ratio_grace_bytes = 1ull << 20;   // ratio checked past this many bytes of a member
};

// Tag selecting the in-memory constructors (used by the fuzzer and by callers
// that already hold the bytes).
struct FromMemory {
    explicit FromMemory() = default;
};
inline constexpr FromMemory from_memory{};

class ZipArchive;

// Sequential reader of one member; caps are enforced on every read.
class ZipMemberReader {
public:
    ~ZipMemberReader();
    ZipMemberReader(const ZipMemberReader&) = delete;
    ZipMemberReader& operator=(const ZipMemberReader&) = delete;

    // Reads up to n bytes; returns 0 at the end of the member. Throws on a
    // corrupt member or an exceeded cap.
    std::size_t read(char* buf, std::size_t n);
    const std::string& name() const { return name_; }
    std::uint64_t produced() const { return produced_; }

private:
    friend class ZipArchive;
    ZipMemberReader(ZipArchive& owner, zip_file* file, std::string name, std::uint64_t compressed,
                    std::uint64_t cap);

    ZipArchive& owner_;
    zip_file* file_;
    std::string name_;
    std::uint64_t compressed_;
    std::uint64_t cap_;
    std::uint64_t produced_ = 0;
};

class ZipArchive {
public:
    // Opens the file at `path` (O_RDONLY|O_CLOEXEC; must be a regular file).
    explicit ZipArchive(const std::string& path, ZipLimits limits = {});
    // Reads from an fd opened by the caller (its file policy: O_NOFOLLOW...).
    // The fd is DUPLICATED: the caller keeps ownership of `fd` and closes it
    // whenever it likes. The duplicate shares the file offset, so the offset of
    // `fd` is unspecified after use.
    ZipArchive(int fd, std::string display_name, ZipLimits limits = {});
    // Reads from bytes held (moved) inside the archive object.
    ZipArchive(FromMemory, std::string bytes, std::string display_name, ZipLimits limits = {});
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    const std::string& display_name() const { return name_; }
    const ZipLimits& limits() const { return limits_; }
    const std::vector<std::string>& members() const { return members_; }
    bool has(std::string_view member) const;

    // The whole member; fails when it exceeds min(cap, max_member_bytes).
    std::string read_all(std::string_view member, std::uint64_t cap);
    // Chunked delivery (64 KiB), for large parts.
    void stream(std::string_view member, const std::function<void(const char*, std::size_t)>& sink);
    // Pull-style reader; the archive must outlive it.
    std::unique_ptr<ZipMemberReader> open_member(std::string_view member, std::uint64_t cap = UINT64_MAX);

    // Decompressed bytes produced so far across all members.
    std::uint64_t total_bytes() const { return total_; }

private:
    friend class ZipMemberReader;
    void open_source(zip_source* src);
    void index_members();
    [[noreturn]] void fail_member(const std::string& member, const std::string& what, const char* state);

    std::string name_;
    ZipLimits limits_;
    std::string bytes_;  // in-memory constructor only
    zip* za_ = nullptr;
    std::vector<std::string> members_;
    std::unordered_map<std::string, std::uint64_t> index_;
    std::uint64_t total_ = 0;
};

// "web.xlsx" from "/some/dir/web.xlsx" (for messages).
std::string base_name(const std::string& path);

}  // namespace crm
