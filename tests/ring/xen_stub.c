/* Fake grant table and event channels for the ring tests (xen_stub.h). */
#include "../../ring/blkif_abi.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "xen_stub.h"

uint8_t *stub_mem;
bool stub_gref_bad[STUB_PAGES];
bool stub_gref_ro[STUB_PAGES];
unsigned stub_notifies, stub_maps_live, stub_bound;
unsigned stub_copy_calls, stub_map_calls;

static int mem_fd = -1;
static int kick_fd = -1;   /* frontend -> backend */
static int notify_fd = -1; /* backend -> frontend */
static int dummy_handle;

int stub_init(void)
{
	mem_fd = memfd_create("stub-guest", MFD_CLOEXEC);
	if (mem_fd < 0 || ftruncate(mem_fd, (off_t)STUB_PAGES * XEN_PAGE_BYTES) < 0)
		return -errno;
	stub_mem = mmap(NULL, (size_t)STUB_PAGES * XEN_PAGE_BYTES,
			PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	if (stub_mem == MAP_FAILED)
		return -errno;
	kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	memset(stub_gref_bad, 0, sizeof(stub_gref_bad));
	memset(stub_gref_ro, 0, sizeof(stub_gref_ro));
	stub_notifies = stub_maps_live = stub_bound = 0;
	stub_copy_calls = stub_map_calls = 0;
	return kick_fd < 0 || notify_fd < 0 ? -errno : 0;
}

void stub_fini(void)
{
	munmap(stub_mem, (size_t)STUB_PAGES * XEN_PAGE_BYTES);
	close(mem_fd);
	close(kick_fd);
	close(notify_fd);
}

void stub_kick(void)
{
	uint64_t one = 1;

	if (write(kick_fd, &one, sizeof(one)) < 0)
		abort();
}

bool stub_wait_notify(int timeout_ms)
{
	struct pollfd p = { .fd = notify_fd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(notify_fd, &v, sizeof(v)) == sizeof(v);
}

static bool gref_ok(uint32_t ref, bool write)
{
	return ref < STUB_PAGES && !stub_gref_bad[ref] && !(write && stub_gref_ro[ref]);
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned flags)
{
	(void)logger;
	(void)flags;
	return (xengnttab_handle *)&dummy_handle;
}

int xengnttab_close(xengnttab_handle *xgt)
{
	(void)xgt;
	return 0;
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
				      uint32_t domid, uint32_t *refs, int prot)
{
	uint8_t *base;

	(void)xgt;
	__atomic_add_fetch(&stub_map_calls, 1, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < count; i++) {
		if (domid != STUB_DOMID || !gref_ok(refs[i], prot & PROT_WRITE)) {
			errno = EINVAL;
			return NULL;
		}
	}
	base = mmap(NULL, (size_t)count * XEN_PAGE_BYTES, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	for (uint32_t i = 0; i < count; i++)
		if (mmap(base + (size_t)i * XEN_PAGE_BYTES, XEN_PAGE_BYTES, prot,
			 MAP_SHARED | MAP_FIXED, mem_fd,
			 (off_t)refs[i] * XEN_PAGE_BYTES) == MAP_FAILED)
			abort();
	__atomic_add_fetch(&stub_maps_live, count, __ATOMIC_RELAXED);
	return base;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start, uint32_t count)
{
	(void)xgt;
	__atomic_sub_fetch(&stub_maps_live, count, __ATOMIC_RELAXED);
	return munmap(start, (size_t)count * XEN_PAGE_BYTES);
}

static int16_t copy_one(xengnttab_grant_copy_segment_t *s)
{
	bool to_guest = s->flags == GNTCOPY_dest_gref;
	const union xengnttab_copy_ptr *g = to_guest ? &s->dest : &s->source;
	uint8_t *page;

	if (s->flags != GNTCOPY_dest_gref && s->flags != GNTCOPY_source_gref)
		return GNTST_general_error;
	if (g->foreign.domid != STUB_DOMID)
		return GNTST_bad_domain;
	if (!gref_ok(g->foreign.ref, to_guest))
		return to_guest && g->foreign.ref < STUB_PAGES && !stub_gref_bad[g->foreign.ref]
			       ? GNTST_permission_denied : GNTST_bad_gntref;
	if ((unsigned)g->foreign.offset + s->len > XEN_PAGE_BYTES)
		return GNTST_bad_copy_arg;
	page = stub_mem + (size_t)g->foreign.ref * XEN_PAGE_BYTES + g->foreign.offset;
	if (to_guest)
		memcpy(page, s->source.virt, s->len);
	else
		memcpy(s->dest.virt, page, s->len);
	return GNTST_okay;
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
			 xengnttab_grant_copy_segment_t *segs)
{
	(void)xgt;
	__atomic_add_fetch(&stub_copy_calls, 1, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < count; i++)
		segs[i].status = copy_one(&segs[i]);
	return 0;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned flags)
{
	(void)logger;
	(void)flags;
	return (xenevtchn_handle *)&dummy_handle;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	(void)xce;
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	(void)xce;
	return kick_fd;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote)
{
	(void)xce;
	if (domid != STUB_DOMID || remote != STUB_REMOTE_PORT) {
		errno = EINVAL;
		return -1;
	}
	stub_bound++;
	return STUB_LOCAL_PORT;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	if (port != STUB_LOCAL_PORT || stub_bound == 0) {
		errno = EINVAL;
		return -1;
	}
	stub_bound--;
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	uint64_t one = 1;

	(void)xce;
	if (port != STUB_LOCAL_PORT) {
		errno = EINVAL;
		return -1;
	}
	__atomic_add_fetch(&stub_notifies, 1, __ATOMIC_RELAXED);
	return write(notify_fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	uint64_t v;

	(void)xce;
	if (read(kick_fd, &v, sizeof(v)) != sizeof(v))
		return -1; /* errno EAGAIN: nothing pending */
	return STUB_LOCAL_PORT;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	return port == STUB_LOCAL_PORT ? 0 : -1;
}
