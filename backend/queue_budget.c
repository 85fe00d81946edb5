/* The daemon-wide queue budget (queue_budget.h). */
#include "queue_budget.h"

unsigned queue_budget_for(uint64_t nofile, uint64_t nproc)
{
	uint64_t by_fds = nofile > DAEMON_FD_RESERVE ? (nofile - DAEMON_FD_RESERVE) / QUEUE_FDS : 0;
	uint64_t by_threads = nproc > DAEMON_THREAD_RESERVE ? nproc - DAEMON_THREAD_RESERVE : 0;
	uint64_t n = by_fds < by_threads ? by_fds : by_threads;

	return n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
}

unsigned queue_budget_take(struct queue_budget *b, unsigned want)
{
	unsigned avail = b->total > b->used ? b->total - b->used : 0;
	unsigned n = want < avail ? want : avail;

	if (n == 0)
		n = 1;
	b->used += n;
	return n;
}

void queue_budget_put(struct queue_budget *b, unsigned n)
{
	b->used = n > b->used ? 0 : b->used - n;
}
