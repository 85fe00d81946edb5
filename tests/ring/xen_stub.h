/*
 * Stand-ins for libxengnttab / libxenevtchn so ring/ runs without a
 * hypervisor or the simulator. The "guest" is a memfd of STUB_PAGES pages;
 * grant reference N names page N. Maps alias the very pages (so a ring
 * written by the fake frontend is seen by the backend), copies check
 * bounds and permissions per segment like Xen does.
 */
#ifndef MEMBACK_TESTS_RING_XEN_STUB_H
#define MEMBACK_TESTS_RING_XEN_STUB_H

#include <stdbool.h>
#include <stdint.h>

#define STUB_PAGES 512u
#define STUB_DOMID 5
#define STUB_REMOTE_PORT 33
#define STUB_LOCAL_PORT 7

extern uint8_t *stub_mem;                 /* the guest's memory */
extern bool stub_gref_bad[STUB_PAGES];    /* not granted */
extern bool stub_gref_ro[STUB_PAGES];     /* granted read-only */
extern unsigned stub_notifies;            /* backend -> frontend (atomic) */
extern unsigned stub_maps_live;           /* pages mapped now (atomic) */
extern unsigned stub_bound;               /* ports bound now */
extern unsigned stub_copy_calls, stub_map_calls;

int stub_init(void);
void stub_fini(void);
/* The frontend kicks the backend / waits for a backend notification. */
void stub_kick(void);
bool stub_wait_notify(int timeout_ms);

#endif
