#include "core/file_hash.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/core_only.hpp"

namespace crm {

std::string sha256_hex(int fd) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw Error(sqlstate::kInternalError, "could not initialise SHA-256");
    std::unique_ptr<char[]> buf(new char[1 << 20]);
    off_t offset = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf.get(), 1 << 20, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(sqlstate::kIoError, std::string("could not read file for hashing: ") + std::strerror(errno));
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf.get(), static_cast<size_t>(n));
        offset += n;
        check_interrupts();
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

}  // namespace crm
