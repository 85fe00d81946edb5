/* Per-queue counters: one writer (the worker), readers anywhere, no lock. */
#ifndef MEMBACK_RING_STATS_H
#define MEMBACK_RING_STATS_H

#define STAT_ADD(field, v)                                                   \
	__atomic_store_n(&(field),                                           \
			 __atomic_load_n(&(field), __ATOMIC_RELAXED) + (v),  \
			 __ATOMIC_RELAXED)
#define STAT_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

#endif
