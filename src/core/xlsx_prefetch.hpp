// Reads an XLSX sheet's rows on a second thread while the caller converts
// and stores the previous ones: unzipping and XML parsing are most of an
// XLSX load, and the machine has another core.
//
// The worker touches only the XlsxReader it was given (no PostgreSQL call,
// no shared state but the queue below); it runs with every signal blocked,
// so the backend's signal handlers keep running on the backend's thread.
// Rows arrive in order; an error of the reader is raised by next() after
// the rows read before it, as reading on one thread would.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/xlsx_reader.hpp"

namespace crm {

class XlsxPrefetcher {
public:
    // `reader` must have its sheet open; nothing else may use it until the
    // prefetcher is destroyed.
    explicit XlsxPrefetcher(XlsxReader& reader);
    ~XlsxPrefetcher();
    XlsxPrefetcher(const XlsxPrefetcher&) = delete;
    XlsxPrefetcher& operator=(const XlsxPrefetcher&) = delete;

    // The next row (swapped into `row`), false at the end. Checks for a
    // pending cancel while it waits.
    bool next(XlsxRow& row);

private:
    struct Batch {
        std::vector<XlsxRow> rows;
        std::size_t count = 0;
    };
    void run() noexcept;

    XlsxReader& reader_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Batch> full_;   // read, waiting for the caller
    std::vector<Batch> free_;  // emptied by the caller, kept for their strings' capacity
    bool finished_ = false;    // the worker has pushed its last batch
    bool stop_ = false;        // the caller is going away
    std::exception_ptr error_;
    Batch current_;
    std::size_t position_ = 0;
    bool exhausted_ = false;  // next() returned false (or threw the reader's error)
    std::thread worker_;
};

}  // namespace crm
