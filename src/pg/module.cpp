// The shared library's entry: module magic and one-time initialisation.
#include "pg/boundary.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) {
    crm::pg::define_settings();
    crm::pg::install_interrupt_probe();
}
