#include "core/interrupt.hpp"

#include "core/error.hpp"
#include "core/core_only.hpp"

namespace crm {

namespace {
bool never() noexcept { return false; }
InterruptProbe g_probe = &never;
}  // namespace

void set_interrupt_probe(InterruptProbe probe) noexcept { g_probe = probe ? probe : &never; }

bool interrupt_pending() noexcept { return g_probe(); }

void check_interrupts() {
    if (g_probe()) throw Cancelled();
}

}  // namespace crm
