/* Test only: message catalogs switched off (gettext returns its msgid).
 *
 * libasan preloaded into PostgreSQL 15's binaries (Debian 12) deadlocks
 * before main: a gnutls constructor's bindtextdomain leaves glibc's
 * _nl_state_lock unusable, and PostgreSQL's own bindtextdomain then waits
 * forever. Preloaded after libasan, these no-op versions keep the server off
 * that lock; a sanitized server has no use for translated messages.
 * test/reliability/sanitized_extension.sh builds and preloads it. */
#include <stddef.h>
char *bindtextdomain(const char *domain, const char *dir) { (void)domain; return (char *)dir; }
char *bind_textdomain_codeset(const char *domain, const char *codeset) { (void)domain; return (char *)codeset; }
char *textdomain(const char *domain) { return (char *)(domain ? domain : "messages"); }
char *gettext(const char *msgid) { return (char *)msgid; }
char *dgettext(const char *domain, const char *msgid) { (void)domain; return (char *)msgid; }
char *dcgettext(const char *domain, const char *msgid, int category) { (void)domain; (void)category; return (char *)msgid; }
char *ngettext(const char *s, const char *p, unsigned long n) { return (char *)(n == 1 ? s : p); }
char *dngettext(const char *d, const char *s, const char *p, unsigned long n) { (void)d; return (char *)(n == 1 ? s : p); }
char *dcngettext(const char *d, const char *s, const char *p, unsigned long n, int c) { (void)d; (void)c; return (char *)(n == 1 ? s : p); }
