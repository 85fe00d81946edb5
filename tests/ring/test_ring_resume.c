/*
 * A queue process dying mid-pass, and the next one resuming its ring
 * (DESIGN.md §7), against the stub Xen libraries (xen_stub.c).
 *
 * Queue A runs in a forked child, on the same guest memory (the stub's
 * memfd), disk and in-flight table (shared mappings) as the parent: it
 * serves a first pass, then a pass of reads, writes, indirect requests, a
 * flush and a discard, and dies at a chosen instant of the real code path:
 * a disk access during execution (_exit), a write to a page the child made
 * read-only (SIGSEGV: in the in-flight table while recording, in the ring's
 * second page while writing responses, in its first page at the push), or
 * after the push. Its ring mapping and port go with it, as they do when a
 * process dies. Queue B then opens on the same ring and table with resume;
 * every request must get exactly one response, and the data of every
 * request is checked byte-exact after the parent poisoned what an unfinished
 * pass may already have done (so only a redo makes it right again).
 */
#include "../../ring/inflight.h"
#include "../../ring/queue_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../tools/blkfront/abi.h"
#include "../unit.h"
#include "log.h"
#include "xen_stub.h"

#define DISK_SECTORS 4096u
#define RING_ORDER 1                   /* two ring pages: grefs 0 and 1 */
#define NENTS 64u                      /* slots of a 2-page ring, every ABI */
#define MAX_NENTS 512u                 /* an order-4 ring's */
#define DESC_GREF 2u                   /* indirect descriptor pages 2..15 */
#define DATA_GREF 16u
#define PRE_GREF 400u                  /* where the first pass reads to */
#define SRING_HDR 64u                  /* req_prod .. pad, every ABI */
#define PAGE XEN_PAGE_BYTES

static uint8_t *disk;                  /* shared with the child */
static void *table;                    /* the in-flight table, shared */
static int pins_held, disk_ops_left;   /* disk_ops_left: child dies at 0 */
static unsigned fatal_calls;

static uint8_t orig(size_t off)
{
	return (uint8_t)(off * 7 + 3);
}

static long d_get(void *ctx, uint64_t off, size_t len, bool for_write, void **ptr)
{
	(void)ctx;
	(void)for_write;
	if (disk_ops_left && --disk_ops_left == 0)
		_exit(78); /* killed while executing the pass */
	*ptr = disk + off;
	pins_held++;
	return (long)(len < 8192 - off % 8192 ? len : 8192 - off % 8192);
}

static void d_put(void *ctx, uint64_t off)
{
	(void)ctx;
	(void)off;
	pins_held--;
}

static int d_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static int d_discard(void *ctx, uint64_t off, uint64_t len)
{
	(void)ctx;
	memset(disk + off, 0, len);
	return 0;
}

static const struct ring_disk_ops ops = { d_get, d_put, d_flush, d_discard, NULL };

static void on_fatal(void *ctx, unsigned index, const char *why)
{
	(void)ctx;
	(void)index;
	(void)why;
	fatal_calls++;
}

/* --- the frontend: any ABI, through blkfront's own slot layouts --- */
static enum bf_abi fabi;
static RING_IDX prod_pvt, rsp_cons;
static unsigned nents = NENTS;

static blkif_sring_t *sring(void)
{
	return (blkif_sring_t *)stub_mem; /* the indexes sit alike in every ABI */
}

static uint8_t *slot(RING_IDX i)
{
	return stub_mem + SRING_HDR + (size_t)(i % nents) * bf_abi_entry_size(fabi);
}

static uint8_t *gpage(uint32_t gref)
{
	return stub_mem + (size_t)gref * PAGE;
}

static void fill(uint32_t gref, uint8_t seed)
{
	for (unsigned i = 0; i < PAGE; i++)
		gpage(gref)[i] = (uint8_t)(seed + i * 13);
}

static void publish(RING_IDX prod)
{
	__atomic_store_n(&sring()->req_prod, prod, __ATOMIC_RELEASE);
}

/*
 * The pass A dies in: groups of seven requests, group g at sector 512 g:
 *   0 write, 2 segments      sectors +0..15         pages P(g, 0..1)
 *   1 read, 2 segments       sectors +256..271      pages P(g, 2..3)
 *   2 indirect write, 12     sectors +32..127       pages P(g, 4..15)
 *   3 indirect read, 12      sectors +300..395      pages P(g, 16..27)
 *   4 flush
 *   5 discard                sectors +160..167
 *   6 write, sectors 2..5 of page P(g, 28)  ->  sectors +200..203
 * Reads cover ranges nothing in the pass writes, so they read the disk's
 * original pattern whatever the order.
 */
#define KINDS 7u
#define PAGES_PER_GROUP 29u
#define ID(j) (0x100000000ull + 0x1000 + (j)) /* > 32 bits: every ABI keeps it */

static uint32_t pg(unsigned g, unsigned k)
{
	return DATA_GREF + PAGES_PER_GROUP * g + k;
}

static uint64_t base(unsigned g)
{
	return 512ull * g;
}

static void put_request(unsigned j)
{
	unsigned g = j / KINDS, kind = j % KINDS;
	struct bf_abi_seg segs[12];
	struct bf_abi_req r = { .id = ID(j), .seg = segs };
	uint8_t *desc = gpage(DESC_GREF + 2 * g + (kind == 3));
	void *desc_pages[1] = { desc };

	switch (kind) {
	case 0:
	case 1:
		r.operation = kind == 0 ? BLKIF_OP_WRITE : BLKIF_OP_READ;
		r.nr_segments = 2;
		r.sector_number = base(g) + (kind == 0 ? 0 : 256);
		for (unsigned i = 0; i < 2; i++)
			segs[i] = (struct bf_abi_seg){ pg(g, 2 * kind + i), 0, 7 };
		break;
	case 2:
	case 3:
		r.operation = BLKIF_OP_INDIRECT;
		r.indirect_op = kind == 2 ? BLKIF_OP_WRITE : BLKIF_OP_READ;
		r.nr_segments = 12;
		r.sector_number = base(g) + (kind == 2 ? 32 : 300);
		r.indirect_grefs[0] = DESC_GREF + 2 * g + (kind == 3);
		for (unsigned i = 0; i < 12; i++)
			segs[i] = (struct bf_abi_seg){ pg(g, (kind == 2 ? 4 : 16) + i), 0, 7 };
		bf_abi_put_indirect(desc_pages, segs, 12);
		r.seg = NULL;
		break;
	case 4:
		r.operation = BLKIF_OP_FLUSH_DISKCACHE;
		break;
	case 5:
		r.operation = BLKIF_OP_DISCARD;
		r.sector_number = base(g) + 160;
		r.nr_sectors = 8;
		break;
	default:
		r.operation = BLKIF_OP_WRITE;
		r.nr_segments = 1;
		r.sector_number = base(g) + 200;
		segs[0] = (struct bf_abi_seg){ pg(g, 28), 2, 5 };
		break;
	}
	bf_abi_put_request(fabi, slot(prod_pvt++), &r);
}

static void fill_batch(unsigned m)
{
	for (unsigned g = 0; g * KINDS < m; g++) {
		for (unsigned k = 0; k < PAGES_PER_GROUP; k++)
			fill(pg(g, k), (uint8_t)(g * 31 + k));
	}
}

/* What an unfinished pass may have done, undone: only a redo (or a
 * first serving) of each request makes it right again. */
static void poison_batch(unsigned m)
{
	for (unsigned j = 0; j < m; j++) {
		unsigned g = j / KINDS;

		switch (j % KINDS) {
		case 0: memset(disk + base(g) * 512, 0x5a, 16 * 512); break;
		case 1: memset(gpage(pg(g, 2)), 0xee, 2 * PAGE); break;
		case 2: memset(disk + (base(g) + 32) * 512, 0x5a, 96 * 512); break;
		case 3: memset(gpage(pg(g, 16)), 0xee, 12 * PAGE); break;
		case 5: memset(disk + (base(g) + 160) * 512, 0x5a, 8 * 512); break;
		case 6: memset(disk + (base(g) + 200) * 512, 0x5a, 4 * 512); break;
		default: break;
		}
	}
}

static bool is_orig(const uint8_t *p, size_t disk_off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != orig(disk_off + i))
			return false;
	return true;
}

static bool is_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Every request of the pass did what it says, byte-exact. */
static bool batch_data_ok(unsigned m)
{
	for (unsigned j = 0; j < m; j++) {
		unsigned g = j / KINDS;
		uint8_t *d = disk + base(g) * 512;
		bool ok = true;

		switch (j % KINDS) {
		case 0: ok = memcmp(d, gpage(pg(g, 0)), 2 * PAGE) == 0; break;
		case 1: ok = is_orig(gpage(pg(g, 2)), (base(g) + 256) * 512, 2 * PAGE); break;
		case 2: ok = memcmp(d + 32 * 512, gpage(pg(g, 4)), 12 * PAGE) == 0; break;
		case 3: ok = is_orig(gpage(pg(g, 16)), (base(g) + 300) * 512, 12 * PAGE); break;
		case 5: ok = is_zero(d + 160 * 512, 8 * 512); break;
		case 6: ok = memcmp(d + 200 * 512, gpage(pg(g, 28)) + 2 * 512, 4 * 512) == 0; break;
		default: break;
		}
		if (!ok) {
			printf("request %u (kind %u) has wrong data\n", j, j % KINDS);
			return false;
		}
	}
	return true;
}

/* Pop every response; each id the frontend has outstanding (ids[0..n))
 * must come back exactly once, OK, and nothing else. */
static bool responses_once(const uint64_t *ids, unsigned n)
{
	static unsigned got[MAX_NENTS];
	RING_IDX prod = __atomic_load_n(&sring()->rsp_prod, __ATOMIC_ACQUIRE);

	memset(got, 0, sizeof(got));
	if ((RING_IDX)(prod - rsp_cons) != n) {
		printf("%u responses for %u requests\n", prod - rsp_cons, n);
		return false;
	}
	for (; rsp_cons != prod; rsp_cons++) {
		struct bf_abi_rsp rsp;
		unsigned k;

		bf_abi_get_response(fabi, slot(rsp_cons), &rsp);
		for (k = 0; k < n && ids[k] != rsp.id; k++)
			;
		if (k == n || got[k]++ || rsp.status != BLKIF_RSP_OKAY) {
			printf("response id %#llx status %d: %s\n", (unsigned long long)rsp.id,
			       rsp.status, k == n ? "not pending" : got[k] > 1 ? "twice" : "error");
			return false;
		}
	}
	return true;
}

/* --- the queues --- */
static struct ring_queue_config config(enum blkif_abi abi, enum grant_mode mode, bool resume)
{
	return (struct ring_queue_config){
		.name = "vbd 5/51712", .frontend_domid = STUB_DOMID,
		.ring_order = RING_ORDER, .ring_refs = { 0, 1 },
		.remote_port = STUB_REMOTE_PORT, .abi = abi, .grant_mode = mode,
		.sectors = DISK_SECTORS, .sector_size = 512, .discard = true,
		.max_indirect_segments = 32, .ops = &ops, .on_fatal = on_fatal,
		.inflight = table, .resume = resume,
	};
}

/* Where a process dies. */
enum cut {
	CUT_EXECUTE,        /* the pass is being executed: not recorded yet */
	CUT_RECORD,         /* writing the table's entries: not published */
	CUT_FIRST_RESPONSE, /* recorded; the first response write faults */
	CUT_MID_RESPONSE,   /* six responses written, the seventh faults */
	CUT_PUSH,           /* every response written, the push faults */
	CUT_AFTER_PUSH,     /* the pass answered and pushed */
	CUT_NONE,           /* after the first pass: the second is only on the ring */
};

static void died(int sig)
{
	(void)sig;
	_exit(77);
}

static void arm(struct ring_queue *q, enum cut cut)
{
	uint8_t *ring = q->ring_pages;

	switch (cut) {
	case CUT_EXECUTE:
		disk_ops_left = 5;
		break;
	case CUT_RECORD:
		mprotect((uint8_t *)table + PAGE, PAGE, PROT_READ);
		break;
	case CUT_FIRST_RESPONSE:
	case CUT_MID_RESPONSE:
		mprotect(ring + PAGE, PAGE, PROT_READ);
		break;
	case CUT_PUSH:
		mprotect(ring, PAGE, PROT_READ);
		break;
	default:
		break;
	}
}

/* The dying process: open (fresh, or resuming), serve the first pass if
 * asked, publish the frontend's requests up to prod, serve with the cut
 * armed. Returns the child's wait status. */
static int run_dying(struct ring_queue_config cfg, bool first_pass, RING_IDX prod,
		     enum cut cut)
{
	struct sigaction sa = { .sa_handler = died };
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct ring_queue *q;

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		if (ring_queue_open(&cfg, &q) != 0)
			_exit(70);
		if (first_pass && ring_queue_serve_pass(q) <= 0)
			_exit(71);
		publish(prod);
		if (cut == CUT_NONE)
			_exit(0);
		arm(q, cut);
		ring_queue_serve_pass(q);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

static int expected_status(enum cut cut)
{
	return cut == CUT_EXECUTE ? 78 : cut >= CUT_AFTER_PUSH ? 0 : 77;
}

/* The first ring index whose response lies wholly in the ring's second
 * page: 36 native, 38 x86_32. */
static unsigned first_in_page1(enum bf_abi abi)
{
	size_t e = bf_abi_entry_size(abi);

	return (unsigned)((PAGE - SRING_HDR + e - 1) / e);
}

static int setup(enum bf_abi abi)
{
	if (stub_init() != 0)
		return -1;
	fabi = abi;
	prod_pvt = rsp_cons = 0;
	memset(stub_mem, 0, RING_MAX_PAGES * PAGE);
	nents = NENTS;
	for (size_t i = 0; i < (size_t)DISK_SECTORS * 512; i++)
		disk[i] = orig(i);
	memset(table, 0, RING_INFLIGHT_BYTES); /* a new state file */
	pins_held = disk_ops_left = 0;
	fatal_calls = 0;
	return 0;
}

static uint64_t ids[MAX_NENTS];

/* Fill the ring: x reads for the first pass (published), m for the pass A
 * dies in (written only; A publishes them after its first pass). */
static void load_ring(unsigned x, unsigned m)
{
	for (unsigned i = 0; i < x; i++) {
		struct bf_abi_seg s = { PRE_GREF, 0, 7 };
		struct bf_abi_req r = { .operation = BLKIF_OP_READ, .nr_segments = 1,
					.id = 0x77000 + i, .sector_number = 3000, .seg = &s };

		ids[i] = r.id;
		bf_abi_put_request(fabi, slot(prod_pvt++), &r);
	}
	publish(prod_pvt);
	fill_batch(m);
	for (unsigned j = 0; j < m; j++) {
		ids[x + j] = ID(j);
		put_request(j);
	}
}

/* After the resume: the ring goes on from where it is. */
static bool ring_goes_on(struct ring_queue *q)
{
	struct bf_abi_seg s = { PRE_GREF + 1, 0, 7 };
	struct bf_abi_req w = { .operation = BLKIF_OP_WRITE, .nr_segments = 1,
				.id = 0xabc, .sector_number = 3500, .seg = &s };
	uint64_t id = w.id;

	fill(PRE_GREF + 1, 99);
	bf_abi_put_request(fabi, slot(prod_pvt++), &w);
	publish(prod_pvt);
	if (ring_queue_serve_pass(q) != 1 || !responses_once(&id, 1))
		return false;
	return memcmp(disk + 3500 * 512, gpage(PRE_GREF + 1), PAGE) == 0;
}

static bool is_response(RING_IDX i, uint64_t id)
{
	struct bf_abi_rsp rsp;

	bf_abi_get_response(fabi, slot(i), &rsp);
	return rsp.id == id;
}

static uint64_t pass_of(RING_IDX start, unsigned count)
{
	return (uint64_t)count << 32 | start;
}

/* The process died where the scenario says (first pass: x requests at 0,
 * the pass it died in: m at x). */
static bool died_where_meant(enum cut cut, unsigned x, unsigned m)
{
	const struct inflight_table *t = table;
	RING_IDX rsp_prod = sring()->rsp_prod;

	switch (cut) {
	case CUT_EXECUTE:
		return t->pass == pass_of(0, x) && t->e[0].req.id == ids[0] &&
		       rsp_prod == x && !is_response(x, ID(0));
	case CUT_RECORD: /* some entries written, the header not yet */
		return t->pass == pass_of(0, x) && t->e[0].req.id == ID(0) &&
		       t->e[23].req.id == ID(23) && rsp_prod == x;
	case CUT_FIRST_RESPONSE:
		return t->pass == pass_of(x, m) && !is_response(x, ID(0)) && rsp_prod == x;
	case CUT_MID_RESPONSE:
		return t->pass == pass_of(x, m) && is_response(x + 5, ID(5)) &&
		       !is_response(x + 6, ID(6)) && rsp_prod == x;
	case CUT_PUSH:
		return t->pass == pass_of(x, m) && is_response(x + m - 1, ID(m - 1)) &&
		       rsp_prod == x;
	case CUT_AFTER_PUSH:
		return t->pass == pass_of(x, m) && rsp_prod == x + m;
	default:
		return true;
	}
}

/* abi: the frontend's slot layout; babi: the ABI the queue is told. */
static void scenario_abi(enum bf_abi abi, enum blkif_abi babi, enum grant_mode mode,
			 enum cut cut)
{
	unsigned x = first_in_page1(abi) - (cut == CUT_MID_RESPONSE ? 6 : 0);
	unsigned m = NENTS - first_in_page1(abi); /* 28 native, 26 x86_32 */
	bool answered = cut == CUT_AFTER_PUSH;
	bool redo = cut >= CUT_FIRST_RESPONSE && cut <= CUT_PUSH;
	struct ring_queue_stats st;
	struct ring_queue *q;
	int status;

	EXPECT_EQ(setup(abi), 0);
	load_ring(x, m);
	status = run_dying(config(babi, mode, false), true, x + m, cut);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), expected_status(cut));
	EXPECT(died_where_meant(cut, x, m));
	if (!answered)
		poison_batch(m);
	struct ring_queue_config cfg = config(babi, mode, true);
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(stub_notifies, 1); /* once, at the bind */
	EXPECT_EQ(ring_queue_serve_pass(q), answered ? 0 : (int)m);
	EXPECT_EQ(ring_queue_serve_pass(q), 0);
	EXPECT(responses_once(ids, x + m));
	EXPECT(batch_data_ok(m));
	EXPECT(ring_goes_on(q));
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.reqs_redone, redo ? m : 0);
	EXPECT_EQ(st.resume_mismatches, 0);
	EXPECT_EQ(fatal_calls, 0);
	ring_queue_close(q);
	EXPECT_EQ(pins_held, 0);
	EXPECT_EQ(stub_maps_live, 0);
	stub_fini();
}

static void scenario(enum bf_abi abi, enum grant_mode mode, enum cut cut)
{
	scenario_abi(abi, abi == BF_ABI_X86_32 ? BLKIF_ABI_X86_32 : BLKIF_ABI_X86_64,
		     mode, cut);
}

#define SCENARIO(name, abi, mode, cut) \
	TEST(name) { scenario(abi, mode, cut); }

#if defined(__x86_64__)
/* The native ring type (blkif.h's own), which is x86_64's layout here. */
TEST(native_killed_before_push)
{
	scenario_abi(BF_ABI_X86_64, BLKIF_ABI_NATIVE, GRANT_MODE_COPY, CUT_PUSH);
}
#endif

SCENARIO(killed_executing, BF_ABI_X86_64, GRANT_MODE_COPY, CUT_EXECUTE)
SCENARIO(killed_recording, BF_ABI_X86_64, GRANT_MODE_COPY, CUT_RECORD)
SCENARIO(killed_at_first_response, BF_ABI_X86_64, GRANT_MODE_COPY, CUT_FIRST_RESPONSE)
SCENARIO(killed_mid_responses, BF_ABI_X86_64, GRANT_MODE_COPY, CUT_MID_RESPONSE)
SCENARIO(killed_before_push, BF_ABI_X86_64, GRANT_MODE_COPY, CUT_PUSH)
SCENARIO(killed_after_push, BF_ABI_X86_64, GRANT_MODE_COPY, CUT_AFTER_PUSH)
SCENARIO(persistent_killed_executing, BF_ABI_X86_64, GRANT_MODE_PERSISTENT, CUT_EXECUTE)
SCENARIO(persistent_killed_mid_responses, BF_ABI_X86_64, GRANT_MODE_PERSISTENT, CUT_MID_RESPONSE)
SCENARIO(persistent_killed_before_push, BF_ABI_X86_64, GRANT_MODE_PERSISTENT, CUT_PUSH)
SCENARIO(persistent_killed_after_push, BF_ABI_X86_64, GRANT_MODE_PERSISTENT, CUT_AFTER_PUSH)
SCENARIO(map_killed_mid_responses, BF_ABI_X86_64, GRANT_MODE_MAP, CUT_MID_RESPONSE)
SCENARIO(x86_32_killed_mid_responses, BF_ABI_X86_32, GRANT_MODE_COPY, CUT_MID_RESPONSE)
SCENARIO(x86_32_killed_before_push, BF_ABI_X86_32, GRANT_MODE_PERSISTENT, CUT_PUSH)

/* The resumed process dies in its own redo pass; a third one redoes it. */
TEST(killed_again_while_redoing)
{
	unsigned p1 = first_in_page1(BF_ABI_X86_64), x = p1 - 6, m = NENTS - p1;
	struct ring_queue_config cfg;
	struct ring_queue_stats st;
	struct ring_queue *q;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	load_ring(x, m);
	EXPECT_EQ(WEXITSTATUS(run_dying(config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false),
					true, x + m, CUT_MID_RESPONSE)), 77);
	poison_batch(m);
	EXPECT_EQ(WEXITSTATUS(run_dying(config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true),
					false, x + m, CUT_MID_RESPONSE)), 77);
	EXPECT_EQ(sring()->rsp_prod, x);
	poison_batch(m);
	cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true);
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(ring_queue_serve_pass(q), (int)m);
	EXPECT(responses_once(ids, x + m));
	EXPECT(batch_data_ok(m));
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.reqs_redone, m);
	ring_queue_close(q);
	stub_fini();
}

/* Requests the dead process never took, with their kick lost (no backend
 * was bound): the resumed worker serves them at once, with no kick. */
TEST(worker_serves_at_once_without_a_kick)
{
	unsigned x = 10, m = 21;
	struct ring_queue_config cfg;
	struct ring_queue *q;
	RING_IDX want = x + m;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	load_ring(x, m);
	EXPECT_EQ(WEXITSTATUS(run_dying(config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false),
					true, x + m, CUT_NONE)), 0);
	cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true);
	cfg.poll_us = 0;
	EXPECT_EQ(ring_queue_start(&cfg, &q), 0);
	for (int t = 0; t < 2500 && __atomic_load_n(&sring()->rsp_prod, __ATOMIC_ACQUIRE) != want; t++)
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	ring_queue_stop(q);
	EXPECT(responses_once(ids, x + m));
	EXPECT(batch_data_ok(m));
	EXPECT(stub_notifies >= 1);
	stub_fini();
}

/* A fresh start clears a stale table, even one whose pass starts at the
 * new ring's rsp_prod (0): a later resume must not redo its requests. */
TEST(fresh_start_clears_stale_table)
{
	struct ring_queue_config cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false);
	struct inflight_ring id = { .ring_refs = { 0, 1 }, .remote_port = STUB_REMOTE_PORT,
				    .domid = STUB_DOMID, .abi = BLKIF_ABI_X86_64,
				    .ring_order = RING_ORDER };
	struct ring_queue_stats st;
	struct ring_queue *q;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	inflight_init(table, &id, 0); /* this very ring's identity */
	for (unsigned i = 0; i < 3; i++) {
		struct blkif_req r = { .id = 0xdead0 + i, .operation = BLKIF_OP_FLUSH_DISKCACHE,
				       .op = BLKIF_OP_FLUSH_DISKCACHE };

		inflight_put(table, i, i, &r);
	}
	inflight_publish(table, 0, 3);
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0); /* fresh: the process dies at once */
	ring_queue_close(q);
	load_ring(2, 0);
	cfg.resume = true;
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(ring_queue_serve_pass(q), 2);
	EXPECT(responses_once(ids, 2));
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.reqs_redone, 0);
	EXPECT_EQ(st.resume_mismatches, 0);
	ring_queue_close(q);
	stub_fini();
}

/* A guest that moves rsp_prod while no backend runs: not the table's
 * ring state; resume where it says, redo nothing, count it, and hurt no
 * one but that guest (its garbage slots get error responses). */
TEST(lying_rsp_prod_redoes_nothing)
{
	unsigned p1 = first_in_page1(BF_ABI_X86_64), x = p1 - 6, m = NENTS - p1;
	struct ring_queue_config cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true);
	struct ring_queue_stats st;
	struct ring_queue *q;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	load_ring(x, m);
	EXPECT_EQ(WEXITSTATUS(run_dying(config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false),
					true, x + m, CUT_MID_RESPONSE)), 77);
	sring()->rsp_prod = x + 3;
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(ring_queue_serve_pass(q), (int)m - 3);
	EXPECT_EQ(sring()->rsp_prod, x + m);
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.reqs_redone, 0);
	EXPECT_EQ(st.resume_mismatches, 1);
	EXPECT_EQ(fatal_calls, 0);
	ring_queue_close(q);
	/* The table is this ring's again: the next resume matches. */
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.resume_mismatches, 0);
	ring_queue_close(q);
	EXPECT_EQ(pins_held, 0);
	stub_fini();
}

/* A guest that moves req_prod back into the pass being redone: the redo
 * is answered, nothing past the producer is taken, and the next pass
 * finds the producer overflowing (the ring is stopped, nothing read
 * outside it). */
TEST(req_prod_behind_redo_is_bounded)
{
	unsigned p1 = first_in_page1(BF_ABI_X86_64), x = p1 - 6, m = NENTS - p1;
	struct ring_queue_config cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true);
	struct ring_queue *q;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	load_ring(x, m);
	EXPECT_EQ(WEXITSTATUS(run_dying(config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false),
					true, x + m, CUT_MID_RESPONSE)), 77);
	publish(x + 2);
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(ring_queue_serve_pass(q), (int)m);
	EXPECT_EQ(ring_queue_serve_pass(q), -EPROTO);
	EXPECT_EQ(fatal_calls, 1);
	ring_queue_close(q);
	EXPECT_EQ(pins_held, 0);
	stub_fini();
}

/* The table is trusted no more than the ring: a redone request that does
 * not validate gets an error response (with its id), the others their
 * data, and nothing is touched outside the disk. */
TEST(bad_redo_entry_gets_an_error)
{
	unsigned p1 = first_in_page1(BF_ABI_X86_64), x = p1 - 6, m = NENTS - p1;
	struct ring_queue_config cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true);
	struct inflight_table *t = table;
	struct ring_queue *q;
	unsigned errors = 0;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	load_ring(x, m);
	EXPECT_EQ(WEXITSTATUS(run_dying(config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false),
					true, x + m, CUT_MID_RESPONSE)), 77);
	t->e[0].req.sector_number = DISK_SECTORS - 1;  /* a write past the end */
	t->e[2].req.nr_segments = 4000;               /* indirect: more than advertised */
	t->e[8].req.seg[0].last_sect = 9;              /* read: past its page */
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(ring_queue_serve_pass(q), (int)m);
	for (unsigned i = 0; i < x; i++)
		EXPECT(is_response(i, ids[i]));
	for (RING_IDX i = x; i != x + m; i++) {
		struct bf_abi_rsp rsp;

		bf_abi_get_response(fabi, slot(i), &rsp);
		EXPECT_EQ(rsp.id, ID(i - x));
		if (rsp.status != BLKIF_RSP_OKAY) {
			EXPECT(i - x == 0 || i - x == 2 || i - x == 8);
			errors++;
		}
	}
	EXPECT_EQ(errors, 3);
	EXPECT(is_orig(disk + (DISK_SECTORS - 1) * 512ull, (DISK_SECTORS - 1) * 512ull, 512));
	ring_queue_close(q);
	EXPECT_EQ(pins_held, 0);
	stub_fini();
}

/* The largest ring (order 4, 512 slots), full, in one pass: the whole
 * pass is in the table, and half its responses are written when the
 * process dies. */
TEST(largest_ring_full_pass_redone)
{
	struct ring_queue_config cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, false);
	struct sigaction sa = { .sa_handler = died };
	struct ring_queue_stats st;
	struct ring_queue *q;
	int status = 0;
	pid_t pid;

	cfg.ring_order = RING_MAX_ORDER;
	for (unsigned i = 0; i < RING_MAX_PAGES; i++)
		cfg.ring_refs[i] = i;
	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	nents = MAX_NENTS;
	for (unsigned i = 0; i < MAX_NENTS; i++) {
		struct bf_abi_req r = { .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = ID(i) };

		ids[i] = r.id;
		bf_abi_put_request(fabi, slot(prod_pvt++), &r);
	}
	publish(prod_pvt);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGSEGV, &sa, NULL);
		if (ring_queue_open(&cfg, &q) != 0)
			_exit(70);
		mprotect((uint8_t *)q->ring_pages + 8 * PAGE, PAGE, PROT_READ);
		ring_queue_serve_pass(q);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 77);
	EXPECT(is_response(100, ID(100)));
	EXPECT(!is_response(MAX_NENTS - 1, ID(MAX_NENTS - 1)));
	EXPECT_EQ(sring()->rsp_prod, 0);
	cfg.resume = true;
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	EXPECT_EQ(ring_queue_serve_pass(q), (int)MAX_NENTS);
	EXPECT(responses_once(ids, MAX_NENTS));
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.reqs_redone, MAX_NENTS);
	ring_queue_close(q);
	stub_fini();
}

TEST(resume_needs_an_aligned_table)
{
	struct ring_queue_config cfg = config(BLKIF_ABI_X86_64, GRANT_MODE_COPY, true);
	struct ring_queue *q = NULL;

	EXPECT_EQ(setup(BF_ABI_X86_64), 0);
	cfg.inflight = NULL;
	EXPECT_EQ(ring_queue_open(&cfg, &q), -EINVAL);
	cfg.inflight = (uint8_t *)table + 4;
	EXPECT_EQ(ring_queue_open(&cfg, &q), -EINVAL);
	cfg.resume = false;
	EXPECT_EQ(ring_queue_open(&cfg, &q), -EINVAL);
	cfg.inflight = NULL; /* no table, no resume: as before */
	EXPECT_EQ(ring_queue_open(&cfg, &q), 0);
	ring_queue_close(q);
	stub_fini();
}

int main(void)
{
	log_set_level(LOG_ERR);
	disk = mmap(NULL, (size_t)DISK_SECTORS * 512, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	table = mmap(NULL, RING_INFLIGHT_BYTES, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (disk == MAP_FAILED || table == MAP_FAILED)
		return 2;
	RUN(killed_executing);
	RUN(killed_recording);
	RUN(killed_at_first_response);
	RUN(killed_mid_responses);
	RUN(killed_before_push);
	RUN(killed_after_push);
	RUN(persistent_killed_executing);
	RUN(persistent_killed_mid_responses);
	RUN(persistent_killed_before_push);
	RUN(persistent_killed_after_push);
	RUN(map_killed_mid_responses);
#if defined(__x86_64__)
	RUN(native_killed_before_push);
#endif
	RUN(x86_32_killed_mid_responses);
	RUN(x86_32_killed_before_push);
	RUN(killed_again_while_redoing);
	RUN(worker_serves_at_once_without_a_kick);
	RUN(fresh_start_clears_stale_table);
	RUN(lying_rsp_prod_redoes_nothing);
	RUN(req_prod_behind_redo_is_bounded);
	RUN(bad_redo_entry_gets_an_error);
	RUN(largest_ring_full_pass_redone);
	RUN(resume_needs_an_aligned_table);
	return UNIT_RESULT();
}
