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
#include <stdint.h>
#include <stdio.h>

/*
 * What Xen would charge, per domain, to the domain that made the call
 * (XENSIM_DOMID of the calling process). simhost_print_stats prints these
 * keys, per domain, as text or as one JSON object keyed by domid:
 *   map_calls      grant map hypercalls (one per map call, any batch size)
 *   map_pages      grant refs mapped by those calls
 *   unmap_calls    grant unmap hypercalls (one per unmap call)
 *   unmap_pages    grant refs unmapped
 *   copy_calls     grant copy hypercalls: one per 16 copy ops, as Linux's
 *                  gntdev batches (a segment crossing a local page is 2 ops)
 *   copy_segs      copy segments submitted
 *   copy_bytes     bytes copied by segments that succeeded
 *   copy_errors    segments that failed with a GNTST_* status
 *   notify_calls   event channel sends (EVTCHNOP_send)
 *   notify_delivered  sends that woke the receiver (0->1 while unmasked)
 *   notify_dropped sends to a closed or dead peer (silently dropped)
 *   events_received   ports returned by xenevtchn_pending
 *   mapped_now     foreign pages this domain has mapped now
 *   mapped_peak    the most it ever had mapped at once
 *   evtchn_bound   event channel ports bound now
 *   shared_now     pages this domain shares now through xengntshr
 *   end_access_busy  grants this domain ended while another domain still
 *                  had them mapped (Linux's gnttab_end_foreign_access_ref
 *                  would fail: "still in use"); a backend that completes
 *                  a request before unmapping its pages shows up here
 */
struct simhost_stats {
	uint64_t map_calls, map_pages, unmap_calls, unmap_pages;
	uint64_t copy_calls, copy_segs, copy_bytes, copy_errors;
	uint64_t notify_calls, notify_delivered, notify_dropped, events_received;
	uint64_t mapped_now, mapped_peak, evtchn_bound, shared_now;
	uint64_t end_access_busy;
};

/* Create the host-wide state (and dom0's memory: XENSIM_DOM0_MEM_MIB,
 * default 64) in an existing DIR. Domids are 0..1023. */
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
/* Domain domid's counters (0 or negative errno: -ENOENT no host). */
int simhost_get_stats(const char *dir, unsigned domid, struct simhost_stats *out);
/* Pages of domid's memory mapped now by other domains (-ESRCH: no domain). */
long simhost_foreign_mapped(const char *dir, unsigned domid);
/* Remove the host-wide state (xensim stop). */
void simhost_fini(const char *dir);

#endif
