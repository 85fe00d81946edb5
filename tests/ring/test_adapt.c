/* The worker's policies (ring/adapt.c): the poll window grows when polls
 * find work, shrinks to a floor when they do not, and 0 means no polling;
 * the kick throttle lets a few spurious kicks in a row pass, then defers
 * the unmask 250 us doubling to 64 ms, and work resets it. */
#include "../../ring/adapt.h"
#include "../unit.h"

TEST(poll_window_adapts)
{
	struct poll_window w;

	poll_window_init(&w, 64);
	EXPECT_EQ(w.cur, 64);
	poll_window_update(&w, false);
	EXPECT_EQ(w.cur, 32);
	for (int i = 0; i < 10; i++)
		poll_window_update(&w, false);
	EXPECT_EQ(w.cur, 4); /* the floor: a sixteenth */
	poll_window_update(&w, true);
	EXPECT_EQ(w.cur, 8);
	for (int i = 0; i < 10; i++)
		poll_window_update(&w, true);
	EXPECT_EQ(w.cur, 64); /* never past the maximum */
	poll_window_init(&w, 0);
	poll_window_update(&w, true);
	EXPECT_EQ(w.cur, 0);
	poll_window_init(&w, 5);
	EXPECT_EQ(w.floor, 1);
}

TEST(kick_throttle_backs_off_and_resets)
{
	struct kick_throttle t = { 0 };
	unsigned d = 0;

	for (unsigned i = 1; i < KICK_SPURIOUS_FREE; i++)
		EXPECT_EQ(kick_throttle_spurious(&t), 0);
	EXPECT_EQ(kick_throttle_spurious(&t), KICK_DEFER_MIN_US);
	EXPECT_EQ(kick_throttle_spurious(&t), 2 * KICK_DEFER_MIN_US);
	for (int i = 0; i < 40; i++)
		d = kick_throttle_spurious(&t);
	EXPECT_EQ(d, KICK_DEFER_MAX_US);
	kick_throttle_work(&t);
	EXPECT_EQ(kick_throttle_spurious(&t), 0);
	/* A benign pattern: one spurious kick between real ones, forever. */
	for (int i = 0; i < 1000; i++) {
		kick_throttle_work(&t);
		d |= kick_throttle_spurious(&t) != 0 ? 1u << 31 : 0;
	}
	EXPECT((d & (1u << 31)) == 0);
}

int main(void)
{
	RUN(poll_window_adapts);
	RUN(kick_throttle_backs_off_and_resets);
	return UNIT_RESULT();
}
