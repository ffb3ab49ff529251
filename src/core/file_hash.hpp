// SHA-256 of a file, so a load can say which bytes it read and a sync can
// skip a file it has already loaded.
#pragma once

#include <string>

namespace crm {

// Lowercase hex SHA-256 of everything readable from `fd` (read with pread
// from offset 0; the descriptor's offset is left alone).
std::string sha256_hex(int fd);

}  // namespace crm
