/*
 * The per-queue counters, defined once. struct ring_queue_stats, the copy
 * a reader takes (ring/queue.c), the sums over queues and connections
 * (backend/vbd_state.c), the control socket's text and JSON and the
 * Prometheus text (backend/) are all generated from this list, so adding a
 * counter is one line here plus the STAT_ADD where it happens.
 *
 * X(field, kind, key, family, label, help)
 *   field   member of struct ring_queue_stats (uint64_t)
 *   kind    STAT_COUNTER: only grows; a device's sum includes the queues
 *           of its past connections. STAT_GAUGE: a level now; summed over
 *           the live queues only.
 *   key     its name in `memback-ctl stats` text and JSON
 *   family  its Prometheus metric, memback_<family> (counters get _total);
 *           the entries of one family are adjacent in the list
 *   label   the label that tells the family's entries apart ("" if none)
 *   help    the family's HELP line (the first entry's is used)
 */
#ifndef MEMBACK_STATS_LIST_H
#define MEMBACK_STATS_LIST_H

#define STAT_COUNTER 0
#define STAT_GAUGE 1

#define RING_QUEUE_STATS_LIST(X) \
	X(reqs_read, STAT_COUNTER, "reads", "requests", "op=\"read\"", "Requests answered, by operation") \
	X(reqs_write, STAT_COUNTER, "writes", "requests", "op=\"write\"", "") \
	X(reqs_flush, STAT_COUNTER, "flushes", "requests", "op=\"flush\"", "") \
	X(reqs_discard, STAT_COUNTER, "discards", "requests", "op=\"discard\"", "") \
	X(reqs_other, STAT_COUNTER, "others", "requests", "op=\"other\"", "") \
	X(errors, STAT_COUNTER, "errors", "errors", "", "Responses other than BLKIF_RSP_OKAY") \
	X(segments, STAT_COUNTER, "segments", "segments", "", "Data segments of the requests answered OK") \
	X(bytes_read, STAT_COUNTER, "bytes_read", "bytes", "op=\"read\"", "Bytes moved, by direction") \
	X(bytes_written, STAT_COUNTER, "bytes_written", "bytes", "op=\"write\"", "") \
	X(kicks, STAT_COUNTER, "kicks", "kicks", "", "Event-channel wakeups taken") \
	X(kicks_spurious, STAT_COUNTER, "kicks_spurious", "kicks_spurious", "", "Kicks that found the ring empty") \
	X(kicks_throttled, STAT_COUNTER, "kicks_throttled", "kicks_throttled", "", "Unmasks deferred for a spurious-kick storm") \
	X(notifies, STAT_COUNTER, "notifies", "notifications", "", "Notifications sent to the frontend") \
	X(grant_maps, STAT_COUNTER, "grant_maps", "grant_calls", "call=\"map\"", "Grant library calls, by kind") \
	X(grant_unmaps, STAT_COUNTER, "grant_unmaps", "grant_calls", "call=\"unmap\"", "") \
	X(grant_copies, STAT_COUNTER, "grant_copies", "grant_calls", "call=\"copy\"", "") \
	X(grant_copy_ops, STAT_COUNTER, "grant_copy_ops", "grant_copy_ops", "", "Segments handed to grant-copy calls") \
	X(grant_copy_hypercalls, STAT_COUNTER, "grant_copy_hypercalls", "grant_copy_hypercalls", "", "Hypercalls gntdev makes of the grant copies") \
	X(pgrants, STAT_GAUGE, "persistent_grants", "persistent_grants", "", "Grants persistently mapped now") \
	X(pgrant_hits, STAT_COUNTER, "persistent_grant_hits", "persistent_grant_hits", "", "Segments served through a grant already mapped") \
	X(pgrant_evictions, STAT_COUNTER, "persistent_grant_evictions", "persistent_grant_evictions", "", "Persistent grants unmapped by the LRU purge") \
	X(inflight, STAT_GAUGE, "inflight", "inflight_requests", "", "Requests seen on the ring and not yet answered") \
	X(qos_waits, STAT_COUNTER, "throttled", "throttled", "", "Times a queue waited for its disk's QoS limit") \
	X(qos_wait_us, STAT_COUNTER, "throttled_us", "throttled_microseconds", "", "Time queues waited for their disk's QoS limit") \
	X(reqs_redone, STAT_COUNTER, "redone", "requests_redone", "", "Requests of an unanswered pass redone after a restart") \
	X(resume_mismatches, STAT_COUNTER, "resume_mismatches", "resume_mismatches", "", "Restarts whose in-flight table did not match the ring") \
	X(passes, STAT_COUNTER, "passes", "passes", "", "Ring passes that served requests") \
	X(polls, STAT_COUNTER, "polls", "polls", "", "Busy polls of the ring") \
	X(polls_found, STAT_COUNTER, "polls_found", "polls_found", "", "Busy polls that found requests") \
	X(poll_us, STAT_COUNTER, "poll_us", "poll_microseconds", "", "Time spent busy-polling")

#endif
