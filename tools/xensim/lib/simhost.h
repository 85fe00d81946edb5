/*
 * The simulated host's shared state, as the xensim command drives it.
 *
 * A host is a directory (`xensim start --dir DIR`, exported to processes as
 * XENSIM_DIR). Its layout:
 *   DIR/xenstored.sock        dom0's (privileged) xenstore socket
 *   DIR/dom<N>/xenstored.sock domain N's xenstore socket
 *   DIR/...                   the files below, owned by simhost.c: each
 *                             domain's memory and grant table, the event
 *                             channel table, the counters.
 * The drop-in libxengnttab.so.1 / libxenevtchn.so.1 open the same files
 * from XENSIM_DIR and XENSIM_DOMID (default 0).
 */
#ifndef XENSIM_SIMHOST_H
#define XENSIM_SIMHOST_H

#include <stdbool.h>
#include <stdio.h>

/* Create the host-wide state (and dom0's memory) in an existing DIR. */
int simhost_init(const char *dir);
/* Domain N's memory (mem_mib MiB of 4 KiB pages) and grant table. */
int simhost_domain_create(const char *dir, unsigned domid, unsigned mem_mib);
/* The domain is gone: new maps, copies and event bindings fail. If its
 * pages are still mapped somewhere it lingers as a zombie until unmapped. */
int simhost_domain_destroy(const char *dir, unsigned domid);
/* Print one line per zombie domain; returns how many there are (>= 0). */
int simhost_list_zombies(const char *dir, FILE *out);
/* The counters, as text or one JSON object keyed by domid. */
int simhost_print_stats(const char *dir, bool json, FILE *out);
/* Remove the host-wide state (xensim stop). */
void simhost_fini(const char *dir);

#endif
