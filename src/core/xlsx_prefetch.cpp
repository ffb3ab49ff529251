#include "core/xlsx_prefetch.hpp"

#include <chrono>

#include "core/interrupt.hpp"
#include "core/worker_thread.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {

constexpr std::size_t kBatchRows = 1024;
constexpr int kBatches = 4;  // bounded memory: at most this many batches of rows exist

}  // namespace

XlsxPrefetcher::XlsxPrefetcher(XlsxReader& reader) : reader_(reader) {
    for (int i = 0; i < kBatches; ++i) free_.push_back(Batch{std::vector<XlsxRow>(kBatchRows), 0});
    worker_ = start_worker([this] { run(); });
}

XlsxPrefetcher::~XlsxPrefetcher() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    worker_.join();
}

void XlsxPrefetcher::run() noexcept {
    for (;;) {
        Batch batch;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stop_ || !free_.empty(); });
            if (stop_) return;
            batch = std::move(free_.back());
            free_.pop_back();
        }
        std::exception_ptr error;
        batch.count = 0;
        try {
            while (batch.count < kBatchRows && reader_.next_row(batch.rows[batch.count])) ++batch.count;
        } catch (...) {
            error = std::current_exception();
        }
        bool last = error || batch.count < kBatchRows;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            full_.push_back(std::move(batch));
            if (last) {
                error_ = error;
                finished_ = true;
            }
        }
        changed_.notify_all();
        if (last) return;
    }
}

bool XlsxPrefetcher::next(XlsxRow& row) {
    while (position_ == current_.count) {
        if (exhausted_) return false;  // and stays so: callers may ask again after the end
        std::unique_lock<std::mutex> lock(mutex_);
        if (!current_.rows.empty()) {
            free_.push_back(std::move(current_));
            changed_.notify_all();
        }
        current_ = Batch{};
        position_ = 0;
        while (full_.empty() && !finished_) {
            changed_.wait_for(lock, std::chrono::milliseconds(50));
            lock.unlock();
            check_interrupts();  // a cancel while waiting: the destructor stops the worker
            lock.lock();
        }
        if (full_.empty()) {
            exhausted_ = true;
            if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
            return false;
        }
        current_ = std::move(full_.front());
        full_.pop_front();
    }
    row.cells.swap(current_.rows[position_].cells);
    row.row_number = current_.rows[position_].row_number;
    ++position_;
    return true;
}

}  // namespace crm
