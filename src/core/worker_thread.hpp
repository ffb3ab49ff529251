// Threads inside a PostgreSQL backend must never run the backend's signal
// handlers (they would run on the wrong stack, racing the backend): they are
// created with every signal blocked, inheriting the mask from their first
// instruction, and the creating thread's mask is restored right after.
#pragma once

#include <csignal>
#include <pthread.h>
#include <thread>
#include <utility>

namespace crm {

// Every signal blocked in this thread for the object's lifetime: threads
// started meanwhile (ours, or libcurl's DNS resolver) inherit the full mask.
// Signals that arrive in between stay pending and are handled, on this
// thread, when the mask is restored.
class SignalsBlocked {
public:
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved_);
    }
    ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    SignalsBlocked(const SignalsBlocked&) = delete;
    SignalsBlocked& operator=(const SignalsBlocked&) = delete;

private:
    sigset_t saved_;
};

template <typename Fn>
std::thread start_worker(Fn&& fn) {
    SignalsBlocked blocked;
    return std::thread(std::forward<Fn>(fn));
}

}  // namespace crm
