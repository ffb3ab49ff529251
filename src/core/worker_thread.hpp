// Starting a helper thread inside a PostgreSQL backend: the thread must
// never run the backend's signal handlers, so it is created with every
// signal blocked (it inherits the mask from its first instruction) and the
// creating thread's mask is restored right after.
#pragma once

#include <csignal>
#include <pthread.h>
#include <thread>
#include <utility>

namespace crm {

template <typename Fn>
std::thread start_worker(Fn&& fn) {
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    struct Restore {
        sigset_t* saved;
        ~Restore() { pthread_sigmask(SIG_SETMASK, saved, nullptr); }
    } restore{&saved};
    return std::thread(std::forward<Fn>(fn));
}

}  // namespace crm
