/*
 * The worker's two policies, as pure functions (worker.c applies them;
 * tests call them directly):
 *   the busy-poll window, which grows when polls find work and shrinks
 *   when they come back empty, so that polling pays for itself;
 *   the spurious-kick throttle: a port that keeps kicking an empty ring
 *   gets its unmask deferred, longer each time (Linux's lateeoi).
 */
#ifndef MEMBACK_RING_ADAPT_H
#define MEMBACK_RING_ADAPT_H

#include <stdbool.h>
#include <stdint.h>

struct poll_window {
	unsigned cur, max, floor; /* microseconds */
};

/* Polls of up to max_us (0: never poll); the window starts at max. */
void poll_window_init(struct poll_window *w, unsigned max_us);
/* A poll of the current window found work, or did not. */
void poll_window_update(struct poll_window *w, bool found);

/* Consecutive kicks that found nothing before throttling starts: a benign
 * frontend sends at most one in a row (a kick for requests a poll already
 * took); a storm sends them by the million. Then the deferral starts at
 * 250 us and doubles to 64 ms. */
#define KICK_SPURIOUS_FREE 8u
#define KICK_DEFER_MIN_US  250u
#define KICK_DEFER_MAX_US  64000u

struct kick_throttle {
	unsigned spurious; /* consecutive kicks that found an empty ring */
};

/* A kick found the ring empty: how long to defer the unmask (0: now). */
unsigned kick_throttle_spurious(struct kick_throttle *t);
/* A kick (or the end of a deferral) found work. */
void kick_throttle_work(struct kick_throttle *t);

#endif
