/*
 * Grant tables on the simulated host: sharing across processes and
 * domains, Xen's refusals, batches, grant copy, end of access while
 * mapped, zombies, counters, threads.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <xengnttab.h>
#include <xenevtchn.h>

#include "simshm.h"
#include "../unit.h"
#include "xsl_test.h"

static struct simhost_stats stats(unsigned domid)
{
	struct simhost_stats s = { 0 };

	simhost_get_stats(xsl_dir, domid, &s);
	return s;
}

static uint16_t entry_flags(unsigned domid, uint32_t ref)
{
	struct sim_dom *d = sim_dom_get(sim_ctx_open(xsl_dir), domid);

	return __atomic_load_n(&d->grants[ref].flags, __ATOMIC_ACQUIRE);
}

/* A guest's end of access (grant_table.h): clear flags only if not in use. */
static bool guest_end_access(unsigned domid, uint32_t ref)
{
	struct sim_dom *d = sim_dom_get(sim_ctx_open(xsl_dir), domid);
	uint16_t old = __atomic_load_n(&d->grants[ref].flags, __ATOMIC_ACQUIRE);

	if (old & (GTF_reading | GTF_writing))
		return false;
	return __atomic_compare_exchange_n(&d->grants[ref].flags, &old, 0, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Domain 1 shares pages with `to`; the handle stays open in *shr. */
static void *share_as(unsigned dom, unsigned to, int count, uint32_t *refs,
		      int writable, xengntshr_handle **shr)
{
	xsl_as_dom(dom);
	*shr = xengntshr_open(NULL, 0);
	xsl_as_dom(0);
	return *shr ? xengntshr_share_pages(*shr, to, count, refs, writable) : NULL;
}

TEST(share_across_processes)
{
	int to_parent[2], to_child[2], sig;
	uint32_t ref;
	pid_t pid;
	char c;

	EXPECT(pipe(to_parent) == 0 && pipe(to_child) == 0);
	pid = fork();
	if (pid == 0) {
		xengntshr_handle *shr;
		char *p = share_as(1, 0, 1, &ref, 1, &shr);

		if (!p)
			_exit(2);
		strcpy(p, "from dom1");
		if (write(to_parent[1], &ref, sizeof(ref)) != sizeof(ref) ||
		    read(to_child[0], &c, 1) != 1)
			_exit(3);
		if (strcmp(p + 100, "from dom0") != 0)
			_exit(4);
		xengntshr_close(shr);
		_exit(0);
	}
	EXPECT(read(to_parent[0], &ref, sizeof(ref)) == sizeof(ref));
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	char *m = xengnttab_map_grant_ref(gt, 1, ref, PROT_READ | PROT_WRITE);
	EXPECT(m);
	EXPECT_STR(m, "from dom1");
	strcpy(m + 100, "from dom0");
	EXPECT(write(to_child[1], "x", 1) == 1);
	EXPECT_EQ(xsl_wait(pid, &sig), 0);
	EXPECT_EQ(xengnttab_unmap(gt, m, 1), 0);
	xengnttab_close(gt);
	for (int i = 0; i < 2; i++)
		close(to_parent[i]), close(to_child[i]);
}

/* In a child: map ref of dom1 read-only, check it, then write to it.
 * Returns only if the write did not fault. */
static int ro_child(uint32_t ref)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	char *m = gt ? xengnttab_map_grant_ref(gt, 1, ref, PROT_READ) : NULL;

	if (!m || strcmp(m, "ro") != 0)
		return 3;
	signal(SIGSEGV, SIG_DFL); /* die of it, no sanitizer report */
	*(volatile char *)m = 'x';
	return 0;
}

TEST(readonly_grant)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t ref;
	char *p = share_as(1, 0, 1, &ref, 0, &shr), *m;
	pid_t pid;
	int sig;

	EXPECT(p && gt);
	strcpy(p, "ro");
	errno = 0;
	EXPECT(xengnttab_map_grant_ref(gt, 1, ref, PROT_READ | PROT_WRITE) == NULL);
	EXPECT_EQ(errno, EINVAL);
	m = xengnttab_map_grant_ref(gt, 1, ref, PROT_READ);
	EXPECT(m);
	EXPECT_STR(m, "ro");
	EXPECT_EQ(entry_flags(1, ref) & (GTF_reading | GTF_writing), GTF_reading);
	pid = fork();
	if (pid == 0)
		_exit(ro_child(ref));
	EXPECT_EQ(xsl_wait(pid, &sig), -1);
	EXPECT_EQ(sig, SIGSEGV);
	/* A child does not inherit a grant mapping (gntdev's VM_DONTCOPY). */
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(*(volatile char *)m == 'r' ? 4 : 5);
	}
	EXPECT_EQ(xsl_wait(pid, &sig), -1);
	EXPECT_EQ(sig, SIGSEGV);
	/* The child's mapping died with it. */
	EXPECT_EQ(simhost_foreign_mapped(xsl_dir, 1), 1);
	EXPECT_EQ(xengnttab_unmap(gt, m, 1), 0);
	EXPECT_EQ(entry_flags(1, ref) & (GTF_reading | GTF_writing), 0);
	xengnttab_close(gt);
	xengntshr_close(shr);
}

/* A process that dies holding grants: as the kernel would at its exit,
 * the host unmaps and unshares for it (at the next look). */
TEST(dead_process_reclaimed)
{
	struct simhost_stats s0 = stats(0), s1 = stats(1);
	int p[2], sig;
	uint32_t refs[2];
	pid_t pid;

	EXPECT(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		xengntshr_handle *shr;
		xengnttab_handle *gt = xengnttab_open(NULL, 0);

		/* dom1 shares 2 pages; this process maps one, then dies. */
		if (!share_as(1, 0, 2, refs, 1, &shr) || !gt ||
		    !xengnttab_map_grant_ref(gt, 1, refs[0], PROT_READ | PROT_WRITE))
			_exit(2);
		_exit(write(p[1], refs, sizeof(refs)) == sizeof(refs) ? 0 : 3);
	}
	EXPECT(read(p[0], refs, sizeof(refs)) == sizeof(refs));
	EXPECT_EQ(xsl_wait(pid, &sig), 0);
	EXPECT_EQ(simhost_foreign_mapped(xsl_dir, 1), 0);
	EXPECT_EQ(entry_flags(1, refs[0]), 0);
	EXPECT_EQ(entry_flags(1, refs[1]), 0);
	EXPECT_EQ(stats(0).mapped_now, s0.mapped_now);
	EXPECT_EQ(stats(1).shared_now, s1.shared_now);
	close(p[0]), close(p[1]);
}

/* A backend killed with a guest's page mapped, then the guest destroyed:
 * no zombie once the host has noticed the death. */
TEST(dead_mapper_no_zombie)
{
	xengntshr_handle *shr;
	int p[2], sig;
	uint32_t ref;
	pid_t pid;
	char c;

	EXPECT_EQ(simhost_domain_create(xsl_dir, 7, 1), 0);
	EXPECT(share_as(7, 0, 1, &ref, 1, &shr));
	EXPECT(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		xengnttab_handle *gt = xengnttab_open(NULL, 0);

		if (!gt || !xengnttab_map_grant_ref(gt, 7, ref, PROT_READ))
			_exit(2);
		if (write(p[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(4);
	}
	EXPECT(read(p[0], &c, 1) == 1);
	EXPECT_EQ(simhost_domain_destroy(xsl_dir, 7), 0);
	EXPECT_EQ(simhost_list_zombies(xsl_dir, NULL), 1);
	kill(pid, SIGKILL);
	xsl_wait(pid, &sig);
	EXPECT_EQ(simhost_list_zombies(xsl_dir, NULL), 0);
	xengntshr_close(shr);
	close(p[0]), close(p[1]);
}

TEST(refusals)
{
	xengntshr_handle *shr, *shr2;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t to2, ended;
	void *p = share_as(1, 2, 1, &to2, 1, &shr);
	void *q = share_as(1, 0, 1, &ended, 1, &shr2);

	EXPECT(p && q);
	errno = 0;
	EXPECT(!xengnttab_map_grant_ref(gt, 1, to2, PROT_READ));
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	EXPECT(!xengnttab_map_grant_ref(gt, 1, SIM_NR_GRANTS + 5, PROT_READ));
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	EXPECT(!xengnttab_map_grant_ref(gt, 1, 3, PROT_READ)); /* never granted */
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	EXPECT(!xengnttab_map_grant_ref(gt, 99, to2, PROT_READ)); /* no domain */
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(xengntshr_unshare(shr2, q, 1), 0);
	errno = 0;
	EXPECT(!xengnttab_map_grant_ref(gt, 1, ended, PROT_READ));
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(xengntshr_unshare(shr2, q, 1), -1); /* twice */
	xengnttab_close(gt);
	xengntshr_close(shr);
	xengntshr_close(shr2);
}

TEST(batch_all_or_nothing)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t refs[4], doms[4] = { 1, 1, 1, 1 };
	char *p = share_as(1, 0, 3, refs, 1, &shr), *m;
	uint64_t before = stats(0).mapped_now;

	EXPECT(p);
	for (int i = 0; i < 3; i++)
		p[i * 4096] = (char)('a' + i);
	refs[3] = 5; /* not granted */
	errno = 0;
	EXPECT(!xengnttab_map_grant_refs(gt, 4, doms, refs, PROT_READ));
	EXPECT_EQ(errno, EINVAL);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(entry_flags(1, refs[i]) & GTF_reading, 0);
	EXPECT_EQ(stats(0).mapped_now, before);
	m = xengnttab_map_domain_grant_refs(gt, 3, 1, refs, PROT_READ);
	EXPECT(m);
	EXPECT(m[0] == 'a' && m[4096] == 'b' && m[8192] == 'c');
	EXPECT_EQ(stats(0).mapped_now, before + 3);
	EXPECT_EQ(xengnttab_unmap(gt, m, 2), -1); /* count must match */
	EXPECT_EQ(xengnttab_unmap(gt, m, 3), 0);
	EXPECT_EQ(xengnttab_set_max_grants(gt, 2), 0);
	errno = 0;
	EXPECT(!xengnttab_map_domain_grant_refs(gt, 3, 1, refs, PROT_READ));
	EXPECT_EQ(errno, ENOMEM);
	xengnttab_close(gt);
	xengntshr_close(shr);
}

static void seg_gref(union xengnttab_copy_ptr *p, uint16_t dom, uint32_t ref, uint16_t off)
{
	p->foreign.domid = dom;
	p->foreign.ref = ref;
	p->foreign.offset = off;
}

TEST(grant_copy_status)
{
	xengntshr_handle *shr, *shr2, *shr3;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t rw, ro, other;
	char *prw = share_as(1, 0, 1, &rw, 1, &shr);
	char *pro = share_as(1, 0, 1, &ro, 0, &shr2);
	char buf[64] = "to guest", in[64] = { 0 };
	xengnttab_grant_copy_segment_t s[7];
	struct simhost_stats st0 = stats(0);

	EXPECT(prw && pro && share_as(1, 2, 1, &other, 1, &shr3));
	strcpy(pro, "from ro");
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 7; i++)
		s[i].len = 16;
	s[0].flags = GNTCOPY_dest_gref, s[0].source.virt = buf, seg_gref(&s[0].dest, 1, rw, 8);
	s[1].flags = GNTCOPY_source_gref, seg_gref(&s[1].source, 1, ro, 0), s[1].dest.virt = in;
	s[2].flags = GNTCOPY_dest_gref, s[2].source.virt = buf, seg_gref(&s[2].dest, 1, ro, 0);
	s[3].flags = GNTCOPY_source_gref, seg_gref(&s[3].source, 1, SIM_NR_GRANTS, 0), s[3].dest.virt = in;
	s[4].flags = GNTCOPY_source_gref, seg_gref(&s[4].source, 1, other, 0), s[4].dest.virt = in;
	s[5].flags = GNTCOPY_source_gref, seg_gref(&s[5].source, 77, ro, 0), s[5].dest.virt = in;
	s[6].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
	seg_gref(&s[6].source, 1, ro, 0), seg_gref(&s[6].dest, 1, rw, 100);
	EXPECT_EQ(xengnttab_grant_copy(gt, 7, s), 0);
	EXPECT_EQ(s[0].status, GNTST_okay);
	EXPECT_STR(prw + 8, "to guest");
	EXPECT_EQ(s[1].status, GNTST_okay);
	EXPECT_STR(in, "from ro");
	EXPECT_EQ(s[2].status, GNTST_general_error);
	EXPECT_STR(pro, "from ro");
	EXPECT_EQ(s[3].status, GNTST_bad_gntref);
	EXPECT_EQ(s[4].status, GNTST_general_error);
	EXPECT_EQ(s[5].status, GNTST_bad_domain);
	EXPECT_EQ(s[6].status, GNTST_okay);
	EXPECT_STR(prw + 100, "from ro");
	EXPECT_EQ(stats(0).copy_calls, st0.copy_calls + 1);
	EXPECT_EQ(stats(0).copy_segs, st0.copy_segs + 7);
	EXPECT_EQ(stats(0).copy_errors, st0.copy_errors + 4);
	/* gntdev refuses a grant side that runs past its page, whole call. */
	s[0].dest.foreign.offset = 4090;
	s[0].status = 99;
	errno = 0;
	EXPECT_EQ(xengnttab_grant_copy(gt, 1, s), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(s[0].status, 99);
	xengnttab_close(gt);
	xengntshr_close(shr), xengntshr_close(shr2), xengntshr_close(shr3);
}

/* gntdev splits a segment at each local page and issues one hypercall
 * per 16 ops; the counters charge the same. */
TEST(copy_batching)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t ref;
	char *p = share_as(1, 0, 1, &ref, 1, &shr);
	static char local[3 * 4096] __attribute__((aligned(4096)));
	xengnttab_grant_copy_segment_t s[17];
	struct simhost_stats a = stats(0), b;

	EXPECT(p && gt);
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 17; i++) {
		s[i].flags = GNTCOPY_source_gref;
		seg_gref(&s[i].source, 1, ref, 0);
		s[i].dest.virt = local + 64 * i;
		s[i].len = 8;
	}
	EXPECT_EQ(xengnttab_grant_copy(gt, 16, s), 0);
	EXPECT_EQ(stats(0).copy_calls, a.copy_calls + 1);
	EXPECT_EQ(xengnttab_grant_copy(gt, 17, s), 0);
	EXPECT_EQ(stats(0).copy_calls, a.copy_calls + 3);
	/* 15 ops + one segment over a local page boundary (2 ops) = 17. */
	s[15].dest.virt = local + 4096 - 4;
	EXPECT_EQ(xengnttab_grant_copy(gt, 16, s), 0);
	b = stats(0);
	EXPECT_EQ(b.copy_calls, a.copy_calls + 5);
	EXPECT_EQ(b.copy_segs, a.copy_segs + 49);
	EXPECT_EQ(b.copy_bytes, a.copy_bytes + 49 * 8);
	EXPECT_EQ(s[15].status, GNTST_okay);
	xengnttab_close(gt);
	xengntshr_close(shr);
}

TEST(end_access_while_mapped)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t ref;
	char *p = share_as(1, 0, 1, &ref, 1, &shr), *m;
	uint64_t shared = stats(1).shared_now, busy = stats(1).end_access_busy;

	EXPECT(p);
	m = xengnttab_map_grant_ref(gt, 1, ref, PROT_READ | PROT_WRITE);
	EXPECT(m);
	EXPECT_EQ(entry_flags(1, ref) & (GTF_reading | GTF_writing),
		  GTF_reading | GTF_writing);
	EXPECT(!guest_end_access(1, ref));
	/* gntalloc defers: the grant stays until the mapper lets go. */
	EXPECT_EQ(xengntshr_unshare(shr, p, 1), 0);
	EXPECT_EQ(stats(1).shared_now, shared);
	EXPECT_EQ(stats(1).end_access_busy, busy + 1);
	strcpy(m, "still mapped");
	EXPECT_EQ(xengnttab_unmap(gt, m, 1), 0);
	EXPECT_EQ(stats(1).shared_now, shared - 1);
	EXPECT_EQ(entry_flags(1, ref), 0);
	xengnttab_close(gt);
	xengntshr_close(shr);
}

TEST(zombie_lifecycle)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt;
	uint32_t refs[2];
	char *p, *m, buf[8];
	xengnttab_grant_copy_segment_t s = { .len = 4, .flags = GNTCOPY_source_gref };

	EXPECT_EQ(simhost_domain_create(xsl_dir, 5, 4), 0);
	p = share_as(5, 0, 2, refs, 1, &shr);
	EXPECT(p);
	strcpy(p, "z1");
	gt = xengnttab_open(NULL, 0);
	m = xengnttab_map_grant_ref(gt, 5, refs[0], PROT_READ);
	EXPECT(m);
	EXPECT_EQ(simhost_domain_destroy(xsl_dir, 5), 0);
	EXPECT_EQ(simhost_list_zombies(xsl_dir, NULL), 1);
	EXPECT_EQ(simhost_domain_create(xsl_dir, 5, 4), -EBUSY);
	EXPECT(!xengnttab_map_grant_ref(gt, 5, refs[1], PROT_READ));
	seg_gref(&s.source, 5, refs[1], 0);
	s.dest.virt = buf;
	EXPECT_EQ(xengnttab_grant_copy(gt, 1, &s), 0);
	EXPECT_EQ(s.status, GNTST_bad_domain);
	EXPECT_STR(m, "z1");
	EXPECT_EQ(xengnttab_unmap(gt, m, 1), 0);
	EXPECT_EQ(simhost_list_zombies(xsl_dir, NULL), 0);
	EXPECT_EQ(simhost_domain_create(xsl_dir, 5, 4), 0);
	EXPECT_EQ(simhost_domain_destroy(xsl_dir, 5), 0);
	xengnttab_close(gt);
	xengntshr_close(shr);
}

TEST(unmap_notify)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1;
	uint32_t ref;
	char *p = share_as(1, 0, 1, &ref, 1, &shr), *m;
	int lp, rp;

	xsl_as_dom(1);
	e1 = xenevtchn_open(NULL, 0);
	xsl_as_dom(0);
	EXPECT(p && e0 && e1);
	rp = xenevtchn_bind_unbound_port(e1, 0);
	lp = xenevtchn_bind_interdomain(e0, 1, (uint32_t)rp);
	EXPECT(rp > 0 && lp > 0);
	m = xengnttab_map_grant_ref_notify(gt, 1, ref, PROT_READ | PROT_WRITE, 10, (uint32_t)lp);
	EXPECT(m);
	m[10] = 1;
	EXPECT_EQ(p[10], 1);
	EXPECT_EQ(xengnttab_unmap(gt, m, 1), 0);
	EXPECT_EQ(p[10], 0);
	EXPECT_EQ(xenevtchn_pending(e1), rp);
	xenevtchn_close(e0), xenevtchn_close(e1);
	xengnttab_close(gt);
	xengntshr_close(shr);
}

static uint32_t thread_ref;

static void *mapper_thread(void *arg)
{
	xengnttab_handle *gt = arg;
	char buf[16];
	xengnttab_grant_copy_segment_t s = { .len = 8, .flags = GNTCOPY_source_gref };

	seg_gref(&s.source, 1, thread_ref, 0);
	s.dest.virt = buf;
	for (int i = 0; i < 2000; i++) {
		char *m = xengnttab_map_grant_ref(gt, 1, thread_ref, PROT_READ | PROT_WRITE);

		if (!m || xengnttab_unmap(gt, m, 1) != 0)
			return (void *)1;
		if (xengnttab_grant_copy(gt, 1, &s) != 0 || s.status != GNTST_okay)
			return (void *)2;
	}
	return NULL;
}

TEST(threads_share_a_handle)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0), *gt2 = xengnttab_open(NULL, 0);
	pthread_t t[4];
	void *ret;
	int bad = 0;

	EXPECT(share_as(1, 0, 1, &thread_ref, 1, &shr));
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, mapper_thread, i % 2 ? gt : gt2);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &ret);
		bad += ret != NULL;
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(entry_flags(1, thread_ref) & (GTF_reading | GTF_writing), 0);
	xengnttab_close(gt), xengnttab_close(gt2);
	xengntshr_close(shr);
}

TEST(counters)
{
	xengntshr_handle *shr;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	uint32_t refs[3];
	struct simhost_stats a = stats(0), b;
	uint64_t shared = stats(1).shared_now;
	char *m;

	EXPECT(share_as(1, 0, 3, refs, 1, &shr));
	m = xengnttab_map_domain_grant_refs(gt, 3, 1, refs, PROT_READ);
	EXPECT(m);
	b = stats(0);
	EXPECT_EQ(b.map_calls, a.map_calls + 1);
	EXPECT_EQ(b.map_pages, a.map_pages + 3);
	EXPECT_EQ(b.mapped_now, a.mapped_now + 3);
	EXPECT(b.mapped_peak >= 3);
	EXPECT_EQ(simhost_foreign_mapped(xsl_dir, 1), 3);
	EXPECT_EQ(xengnttab_unmap(gt, m, 3), 0);
	b = stats(0);
	EXPECT_EQ(b.unmap_calls, a.unmap_calls + 1);
	EXPECT_EQ(b.unmap_pages, a.unmap_pages + 3);
	EXPECT_EQ(b.mapped_now, a.mapped_now);
	EXPECT_EQ(simhost_foreign_mapped(xsl_dir, 1), 0);
	EXPECT_EQ(stats(1).shared_now, shared + 3);
	xengntshr_close(shr);
	EXPECT_EQ(stats(1).shared_now, shared);
	xengnttab_close(gt);
	EXPECT(xengnttab_dmabuf_imp_release(gt = NULL, 0) == -1 && errno == ENOSYS);
}

TEST(print_stats)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	EXPECT_EQ(simhost_print_stats(xsl_dir, true, f), 0);
	fclose(f);
	EXPECT(strncmp(text, "{\"0\":{\"state\":\"alive\"", 21) == 0);
	EXPECT(strstr(text, "\"map_calls\":"));
	free(text);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (xsl_host_up() != 0) {
		printf("FAIL: setup: cannot create a host\n");
		return 1;
	}
	RUN(share_across_processes);
	RUN(readonly_grant);
	RUN(dead_process_reclaimed);
	RUN(dead_mapper_no_zombie);
	RUN(refusals);
	RUN(batch_all_or_nothing);
	RUN(grant_copy_status);
	RUN(copy_batching);
	RUN(end_access_while_mapped);
	RUN(zombie_lifecycle);
	RUN(unmap_notify);
	RUN(threads_share_a_handle);
	RUN(counters);
	RUN(print_stats);
	xsl_host_down();
	return UNIT_RESULT();
}
