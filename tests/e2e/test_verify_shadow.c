/* Unit tests: the verifier guest's shadow (what a read may hold). */
#include <stdint.h>

#include "../unit.h"
#include "verify_shadow.h"

static struct vs_shadow sh;

static void fresh(void)
{
	vs_fini(&sh);
	vs_init(&sh, 64);
}

TEST(unwritten_reads_zero_only)
{
	uint32_t g[2];

	fresh();
	uint32_t t = vs_read_begin(&sh, 0, 8);
	EXPECT_EQ(vs_allowed(&sh, 3, t, g), 1);
	EXPECT_EQ(g[0], VS_GEN_ZERO);
	vs_read_end(&sh, 0, 8);
}

TEST(acked_write_is_the_only_content)
{
	uint32_t g[2];

	fresh();
	uint32_t gen = vs_write_begin(&sh, 8, 8, false);
	vs_write_end(&sh, 8, 8, true);
	uint32_t t = vs_read_begin(&sh, 8, 1);
	EXPECT_EQ(vs_allowed(&sh, 8, t, g), 1);
	EXPECT_EQ(g[0], gen);
	EXPECT(gen != VS_GEN_ZERO);
}

TEST(read_over_a_write_in_flight_allows_old_and_new)
{
	uint32_t g[2];

	fresh();
	uint32_t g1 = vs_write_begin(&sh, 0, 4, false);
	vs_write_end(&sh, 0, 4, true);
	uint32_t g2 = vs_write_begin(&sh, 0, 4, false);
	uint32_t t = vs_read_begin(&sh, 0, 4);
	/* The write completes before the read does: still both. */
	vs_write_end(&sh, 0, 4, true);
	EXPECT_EQ(vs_allowed(&sh, 2, t, g), 2);
	EXPECT_EQ(g[0], g2);
	EXPECT_EQ(g[1], g1);
	vs_read_end(&sh, 0, 4);
	/* A read issued after the ack sees only the new one. */
	t = vs_read_begin(&sh, 0, 4);
	EXPECT_EQ(vs_allowed(&sh, 2, t, g), 1);
	EXPECT_EQ(g[0], g2);
}

TEST(no_write_over_requests_in_flight)
{
	fresh();
	vs_read_begin(&sh, 10, 4);
	EXPECT(!vs_can_write(&sh, 13, 2));
	EXPECT(vs_can_write(&sh, 14, 2));
	EXPECT(vs_can_read(&sh, 12, 8));
	vs_write_begin(&sh, 20, 4, false);
	EXPECT(!vs_can_write(&sh, 16, 5));
	EXPECT(vs_can_read(&sh, 16, 5)); /* reads may overlap writes */
	EXPECT(!vs_can_write(&sh, 60, 8)); /* past the end */
	EXPECT(!vs_can_read(&sh, 0, 0));
}

TEST(discard_reads_zero_and_failed_write_is_unknown)
{
	uint32_t g[2];

	fresh();
	vs_write_begin(&sh, 0, 8, false);
	vs_write_end(&sh, 0, 8, true);
	EXPECT_EQ(vs_write_begin(&sh, 0, 4, true), VS_GEN_ZERO);
	vs_write_end(&sh, 0, 4, true);
	uint32_t t = vs_read_begin(&sh, 0, 8);
	EXPECT_EQ(vs_allowed(&sh, 0, t, g), 1);
	EXPECT_EQ(g[0], VS_GEN_ZERO);
	EXPECT_EQ(vs_allowed(&sh, 5, t, g), 1);
	EXPECT(g[0] != VS_GEN_ZERO);
	vs_read_end(&sh, 0, 8);
	vs_write_begin(&sh, 0, 1, false);
	vs_write_end(&sh, 0, 1, false);
	t = vs_read_begin(&sh, 0, 1);
	EXPECT_EQ(vs_allowed(&sh, 0, t, g), 0);
}

int main(void)
{
	RUN(unwritten_reads_zero_only);
	RUN(acked_write_is_the_only_content);
	RUN(read_over_a_write_in_flight_allows_old_and_new);
	RUN(no_write_over_requests_in_flight);
	RUN(discard_reads_zero_and_failed_write_is_unknown);
	vs_fini(&sh);
	return unit_failed_total ? 1 : 0;
}
