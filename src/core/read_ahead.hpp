// Runs a byte producer (an inflating zip member) on a helper thread, a few
// chunks ahead of the consumer (the XML parser): on a two-core machine the
// decompression then costs the parser nothing. Bounded memory: `chunks`
// buffers of `chunk_bytes`. The producer's error reaches the consumer after
// the bytes produced before it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace crm {

class ReadAhead {
public:
    using Producer = std::function<std::size_t(char* buf, std::size_t cap)>;  // 0 = end

    explicit ReadAhead(Producer produce, std::size_t chunk_bytes = 256 << 10, int chunks = 8);
    ~ReadAhead();
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // Up to `cap` bytes, 0 at the end.
    std::size_t read(char* buf, std::size_t cap);

private:
    struct Chunk {
        std::size_t index;
        std::size_t size;
    };
    void run() noexcept;

    Producer produce_;
    std::vector<std::string> buffers_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Chunk> full_;
    std::vector<std::size_t> free_;
    bool finished_ = false;
    bool stop_ = false;
    std::exception_ptr error_;
    Chunk current_{0, 0};
    std::size_t offset_ = 0;
    bool holding_ = false;  // current_ is a buffer taken from full_
    std::thread worker_;
};

}  // namespace crm
