/*
 * What every guest program of the end-to-end tests shares: PASS/FAIL lines
 * (with a prefix naming the run) and one request through the userspace
 * blkfront, waited for.
 */
#ifndef MEMBACK_TESTS_GUEST_COMMON_H
#define MEMBACK_TESTS_GUEST_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "blkfront.h"

/* Checks that failed so far; the program's exit status follows it. */
extern int guest_failures;
/* Put before every check name (default ""). */
extern const char *guest_prefix;

void guest_check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define CHECK(name, cond, ...) guest_check(name, (cond), __VA_ARGS__)

/*
 * One request on q: nsegs segments (0 for a bare flush or barrier) with the
 * data of its sectors in one flat buffer, written from it or read into it.
 * grefs, if not NULL, replaces the slot's grants (the data then stays where
 * the caller granted it). Returns the response status or a negative errno.
 */
int guest_io(struct blkfront_queue *q, uint8_t op, uint64_t sector, unsigned nsegs,
	     const struct bf_seg *segs, const uint32_t *grefs, void *data);

#endif
