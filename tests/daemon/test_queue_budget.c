/* The daemon-wide queue budget: sizing from the limits, fewer queues past
 * it (never none), and queues given back. */
#include <stdint.h>

#include "../unit.h"
#include "../../backend/queue_budget.h"

TEST(sized_from_limits)
{
	EXPECT_EQ(queue_budget_for(1024, UINT64_MAX), (1024 - DAEMON_FD_RESERVE) / QUEUE_FDS);
	EXPECT_EQ(queue_budget_for(DAEMON_FD_RESERVE + 3 * QUEUE_FDS, UINT64_MAX), 3);
	EXPECT_EQ(queue_budget_for(10, UINT64_MAX), 0);
	EXPECT_EQ(queue_budget_for(1u << 20, 100), 100 - DAEMON_THREAD_RESERVE);
	EXPECT_EQ(queue_budget_for(UINT64_MAX, UINT64_MAX), UINT32_MAX);
}

TEST(fewer_queues_past_the_budget)
{
	struct queue_budget b = { .total = 5 };

	EXPECT_EQ(queue_budget_take(&b, 4), 4);
	EXPECT_EQ(queue_budget_take(&b, 4), 1);  /* what is left */
	EXPECT_EQ(queue_budget_take(&b, 4), 1);  /* never none */
	EXPECT_EQ(b.used, 6);
	queue_budget_put(&b, 4);
	EXPECT_EQ(queue_budget_take(&b, 2), 2);
	EXPECT_EQ(b.used, 4);
	queue_budget_put(&b, 100);               /* clamps */
	EXPECT_EQ(b.used, 0);
}

int main(void)
{
	RUN(sized_from_limits);
	RUN(fewer_queues_past_the_budget);
	return UNIT_RESULT();
}
