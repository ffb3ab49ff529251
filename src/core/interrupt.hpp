// Cooperative cancellation for long loops in core code.
//
// Core code cannot call CHECK_FOR_INTERRUPTS (it may longjmp over C++
// destructors). Instead the boundary installs a probe that only *reads* the
// backend's cancel flags; core loops call check_interrupts() every few
// thousand iterations and unwind with crm::Cancelled when it fires. The
// boundary then calls CHECK_FOR_INTERRUPTS in a frame with no C++ objects.
#pragma once

#include <cstdint>

namespace crm {

using InterruptProbe = bool (*)() noexcept;

// Installed once by the extension at load; unit tests may install their own.
void set_interrupt_probe(InterruptProbe probe) noexcept;

// True when a cancel or terminate request is pending (never throws).
bool interrupt_pending() noexcept;

// Throws crm::Cancelled when interrupt_pending().
void check_interrupts();

// A counter that probes every `every` ticks, to keep the hot path cheap.
class InterruptTicker {
public:
    explicit InterruptTicker(std::uint32_t every = 4096) : every_(every) {}
    void tick() {
        if (++count_ >= every_) {
            count_ = 0;
            check_interrupts();
        }
    }

private:
    std::uint32_t every_;
    std::uint32_t count_ = 0;
};

}  // namespace crm
