/* The worker's poll window and kick throttle (see adapt.h). */
#include "adapt.h"

void poll_window_init(struct poll_window *w, unsigned max_us)
{
	/* An empty poll at the floor costs a few microseconds; a wake-up it
	 * saves costs tens. */
	unsigned floor = max_us / 16;

	*w = (struct poll_window){
		.cur = max_us, .max = max_us,
		.floor = max_us && floor == 0 ? 1 : floor,
	};
}

void poll_window_update(struct poll_window *w, bool found)
{
	if (found)
		w->cur = w->cur > w->max / 2 ? w->max : w->cur * 2;
	else
		w->cur = w->cur / 2 < w->floor ? w->floor : w->cur / 2;
	if (w->cur < w->floor)
		w->cur = w->floor;
}

unsigned kick_throttle_spurious(struct kick_throttle *t)
{
	unsigned shift;

	if (t->spurious < UINT32_MAX)
		t->spurious++;
	if (t->spurious < KICK_SPURIOUS_FREE)
		return 0;
	shift = t->spurious - KICK_SPURIOUS_FREE;
	if (shift >= 16 || (KICK_DEFER_MIN_US << shift) > KICK_DEFER_MAX_US)
		return KICK_DEFER_MAX_US;
	return KICK_DEFER_MIN_US << shift;
}

void kick_throttle_work(struct kick_throttle *t)
{
	t->spurious = 0;
}
