// Streaming byte input: parsers pull bytes through a ByteSource so that a
// 10-million-line file is read in bounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crm {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Copies up to `cap` bytes into `buf`; returns 0 only at end of input.
    // Throws crm::Error on an I/O error.
    virtual size_t read(char* buf, size_t cap) = 0;
};

// Reads a file descriptor it does not own; retries EINTR. Errors name `name`.
class FdSource : public ByteSource {
public:
    explicit FdSource(int fd, std::string name);
    size_t read(char* buf, size_t cap) override;

private:
    int fd_;
    std::string name_;
};

// Serves a caller-owned block of memory (the view must outlive the source).
class MemorySource : public ByteSource {
public:
    explicit MemorySource(std::string_view data) : data_(data) {}
    size_t read(char* buf, size_t cap) override;

private:
    std::string_view data_;
    size_t pos_ = 0;
};

}  // namespace crm
