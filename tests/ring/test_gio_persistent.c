/* gio in PERSISTENT mode against the stub grant table: a grant is mapped
 * once and reused, the bound holds (extra grants are grant-copied in one
 * call, never mapped per run), the daemon-wide budget holds, a read-only
 * grant serves writes only, a bad grant fails its entry only, unused
 * grants are purged once the cache overflowed, fini unmaps all; and the
 * door refuses local bytes that cross a page. */
#include "../../ring/gio.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../unit.h"
#include "xen_stub.h"

static struct gio g;
static struct ring_queue_stats st;
static uint8_t local[8][XEN_PAGE_BYTES] __attribute__((aligned(XEN_PAGE_BYTES)));

static void setup(unsigned bound)
{
	memset(&st, 0, sizeof(st));
	if (stub_init() || gio_init(&g, GRANT_MODE_PERSISTENT, xengnttab_open(NULL, 0),
				    STUB_DOMID, 16, &st) ||
	    gio_enable_persistent(&g, bound))
		abort();
}

static void teardown(void)
{
	gio_fini(&g);
	stub_fini();
}

static uint8_t *guest_page(uint32_t gref) { return stub_mem + (size_t)gref * XEN_PAGE_BYTES; }

/* Read pages grefs[0..n) of the guest into local[], one run. */
static void read_pages(const uint32_t *grefs, unsigned n)
{
	gio_reset(&g);
	for (unsigned i = 0; i < n; i++)
		if (gio_add(&g, grefs[i], 0, XEN_PAGE_BYTES, local[i], false))
			abort();
	gio_run(&g);
}

static int16_t one(uint32_t gref, bool to_guest, uint8_t *buf)
{
	gio_reset(&g);
	if (gio_add(&g, gref, 0, XEN_PAGE_BYTES, buf, to_guest))
		abort();
	gio_run(&g);
	return g.ents[0].status;
}

TEST(second_use_maps_nothing)
{
	const uint32_t grefs[4] = { 10, 11, 12, 13 };

	setup(8);
	for (unsigned i = 0; i < 4; i++)
		memset(guest_page(grefs[i]), 0x40 + (int)i, XEN_PAGE_BYTES);
	read_pages(grefs, 4);
	EXPECT(gio_all_ok(&g, 0, 4));
	EXPECT_EQ(stub_map_calls, 4);
	read_pages(grefs, 4);
	read_pages(grefs, 4);
	EXPECT(gio_all_ok(&g, 0, 4));
	EXPECT_EQ(stub_map_calls, 4);
	EXPECT_EQ(stub_maps_live, 4);
	EXPECT_EQ(st.pgrants, 4);
	EXPECT_EQ(st.pgrant_hits, 8); /* the two re-reads */
	EXPECT(local[3][0] == 0x43 && local[3][XEN_PAGE_BYTES - 1] == 0x43);
	teardown();
	EXPECT_EQ(stub_maps_live, 0);
}

TEST(past_the_bound_grant_copied)
{
	const uint32_t grefs[5] = { 20, 21, 22, 23, 24 };

	setup(2);
	for (unsigned i = 0; i < 5; i++)
		memset(guest_page(grefs[i]), 0x10 + (int)i, XEN_PAGE_BYTES);
	read_pages(grefs, 5);
	EXPECT(gio_all_ok(&g, 0, 5));
	EXPECT_EQ(stub_map_calls, 2);  /* two kept ... */
	EXPECT_EQ(stub_copy_calls, 1); /* ... three copied in one call */
	EXPECT_EQ(st.grant_copy_ops, 3);
	EXPECT_EQ(stub_maps_live, 2);
	EXPECT(local[4][7] == 0x14 && local[0][7] == 0x10);
	read_pages(grefs, 5);
	EXPECT_EQ(stub_map_calls, 2);
	EXPECT_EQ(stub_copy_calls, 2);
	EXPECT_EQ(stub_maps_live, 2);
	teardown();
	EXPECT_EQ(stub_maps_live, 0);
}

TEST(daemon_wide_budget_holds)
{
	const uint32_t grefs[5] = { 60, 61, 62, 63, 64 };

	setup(8);
	ring_set_grant_map_budget(3);
	read_pages(grefs, 5);
	EXPECT(gio_all_ok(&g, 0, 5));
	EXPECT_EQ(stub_maps_live, 3);
	EXPECT_EQ(ring_grant_maps_used(), 3);
	EXPECT_EQ(st.grant_copy_ops, 2);
	teardown();
	EXPECT_EQ(ring_grant_maps_used(), 0);
	ring_set_grant_map_budget(0);
}

TEST(local_bytes_never_cross_a_page)
{
	setup(8);
	gio_reset(&g);
	EXPECT_EQ(gio_add(&g, 70, 0, 512, local[0] + XEN_PAGE_BYTES - 512, false), 0);
	EXPECT_EQ(gio_add(&g, 70, 0, 1024, local[0] + XEN_PAGE_BYTES - 512, false), -EINVAL);
	EXPECT_EQ(gio_add(&g, 70, 3584, 1024, local[1], false), -EINVAL);
	teardown();
}

TEST(read_only_grant_serves_writes_only)
{
	static uint8_t buf[XEN_PAGE_BYTES] __attribute__((aligned(XEN_PAGE_BYTES)));

	setup(8);
	stub_gref_ro[30] = true;
	memset(guest_page(30), 0x77, XEN_PAGE_BYTES);
	EXPECT_EQ(one(30, false, buf), GNTST_okay);
	EXPECT(buf[100] == 0x77);
	memset(buf, 0x11, sizeof(buf));
	EXPECT(one(30, true, buf) != GNTST_okay);
	EXPECT(guest_page(30)[100] == 0x77);
	EXPECT_EQ(one(30, false, buf), GNTST_okay); /* mapped again, read-only */
	EXPECT_EQ(stub_maps_live, 1);
	teardown();
	EXPECT_EQ(stub_maps_live, 0);
}

TEST(read_only_mapping_replaced_when_the_grant_allows)
{
	static uint8_t buf[XEN_PAGE_BYTES] __attribute__((aligned(XEN_PAGE_BYTES)));

	setup(8);
	stub_gref_ro[31] = true;
	EXPECT_EQ(one(31, false, buf), GNTST_okay);
	stub_gref_ro[31] = false; /* granted again, writable */
	memset(buf, 0x22, sizeof(buf));
	EXPECT_EQ(one(31, true, buf), GNTST_okay); /* by copy; mapping dropped */
	EXPECT(guest_page(31)[5] == 0x22);
	EXPECT_EQ(stub_maps_live, 0);
	memset(buf, 0x33, sizeof(buf));
	EXPECT_EQ(one(31, true, buf), GNTST_okay); /* now mapped writable */
	EXPECT(guest_page(31)[5] == 0x33);
	EXPECT_EQ(stub_maps_live, 1);
	teardown();
	EXPECT_EQ(stub_maps_live, 0);
}

TEST(bad_grant_fails_its_entry_only)
{
	const uint32_t grefs[3] = { 40, 41, 42 };

	setup(8);
	stub_gref_bad[41] = true;
	read_pages(grefs, 3);
	EXPECT(g.ents[0].status == GNTST_okay && g.ents[2].status == GNTST_okay);
	EXPECT(g.ents[1].status != GNTST_okay);
	EXPECT_EQ(st.pgrants, 2);
	teardown();
}

TEST(unused_grants_purged_after_overflow)
{
	const uint32_t a = 50, b = 51, c = 52;
	static uint8_t buf[XEN_PAGE_BYTES] __attribute__((aligned(XEN_PAGE_BYTES)));

	setup(2);
	one(a, false, buf);
	one(b, false, buf);
	EXPECT_EQ(one(c, false, buf), GNTST_okay); /* full: copied */
	EXPECT_EQ(stub_maps_live, 2);
	one(a, false, buf); /* a purge period starts; a is used in it */
	usleep(150 * 1000);
	one(c, false, buf); /* b went unused: dropped, c kept instead */
	EXPECT_EQ(stub_maps_live, 2);
	EXPECT(pgrant_lookup(&g.pg, b) == NULL);
	EXPECT_EQ(st.pgrant_evictions, 1);
	EXPECT(pgrant_lookup(&g.pg, a) != NULL && pgrant_lookup(&g.pg, c) != NULL);
	teardown();
	EXPECT_EQ(stub_maps_live, 0);
}

int main(void)
{
	RUN(second_use_maps_nothing);
	RUN(past_the_bound_grant_copied);
	RUN(daemon_wide_budget_holds);
	RUN(local_bytes_never_cross_a_page);
	RUN(read_only_grant_serves_writes_only);
	RUN(read_only_mapping_replaced_when_the_grant_allows);
	RUN(bad_grant_fails_its_entry_only);
	RUN(unused_grants_purged_after_overflow);
	return UNIT_RESULT();
}
