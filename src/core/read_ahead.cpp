#include "core/read_ahead.hpp"

#include <chrono>
#include <cstring>

#include "core/interrupt.hpp"
#include "core/worker_thread.hpp"
#include "core/core_only.hpp"

namespace crm {

ReadAhead::ReadAhead(Producer produce, std::size_t chunk_bytes, int chunks) : produce_(std::move(produce)) {
    for (int i = 0; i < chunks; ++i) {
        buffers_.emplace_back(chunk_bytes, '\0');
        free_.push_back(static_cast<std::size_t>(i));
    }
    worker_ = start_worker([this] { run(); });
}

ReadAhead::~ReadAhead() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    worker_.join();
}

void ReadAhead::run() noexcept {
    for (;;) {
        std::size_t index;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stop_ || !free_.empty(); });
            if (stop_) return;
            index = free_.back();
            free_.pop_back();
        }
        std::exception_ptr error;
        std::size_t size = 0;
        try {
            size = produce_(buffers_[index].data(), buffers_[index].size());
        } catch (...) {
            error = std::current_exception();
        }
        bool last = error || size == 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (size > 0) full_.push_back(Chunk{index, size});
            else free_.push_back(index);
            if (last) {
                error_ = error;
                finished_ = true;
            }
        }
        changed_.notify_all();
        if (last) return;
    }
}

std::size_t ReadAhead::read(char* buf, std::size_t cap) {
    while (!holding_ || offset_ == current_.size) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (holding_) {
            free_.push_back(current_.index);
            holding_ = false;
            changed_.notify_all();
        }
        while (full_.empty() && !finished_) {
            changed_.wait_for(lock, std::chrono::milliseconds(50));
            lock.unlock();
            check_interrupts();
            lock.lock();
        }
        if (full_.empty()) {
            if (error_) {
                std::exception_ptr error = error_;
                error_ = nullptr;
                std::rethrow_exception(error);
            }
            return 0;
        }
        current_ = full_.front();
        full_.pop_front();
        offset_ = 0;
        holding_ = true;
    }
    std::size_t n = std::min(cap, current_.size - offset_);
    std::memcpy(buf, buffers_[current_.index].data() + offset_, n);
    offset_ += n;
    return n;
}

}  // namespace crm
