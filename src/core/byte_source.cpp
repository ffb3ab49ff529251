#include "core/byte_source.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

FdSource::FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

size_t FdSource::read(char* buf, size_t cap) {
    if (cap == 0) return 0;
    for (;;) {
        ssize_t n = ::read(fd_, buf, cap);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno == EINTR) continue;
        int err = errno;
        throw Error(sqlstate::kIoError, "could not read file \"" + name_ + "\": " + std::strerror(err));
    }
}

size_t MemorySource::read(char* buf, size_t cap) {
    size_t n = data_.size() - pos_;
    if (n > cap) n = cap;
    if (n) std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
}

}  // namespace crm
