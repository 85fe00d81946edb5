/*
 * make check's share of the fuzzing: seeded random and mutated ring slots
 * through validate_one() (every ABI and limit combination); a request that
 * is accepted must keep every invariant, or the program aborts. The same
 * function runs under libFuzzer with `make fuzz-validate`.
 */
#include <stdint.h>
#include <string.h>

#include "../unit.h"
#include "validate_one.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)next();
}

TEST(random_slots_keep_invariants)
{
	uint8_t buf[3 + 112 + 2048];
	unsigned ok = 0;

	for (unsigned i = 0; i < 200000; i++) {
		fill(buf, sizeof(buf));
		ok += validate_one(buf, sizeof(buf)) == 0;
	}
	EXPECT(ok < 200000); /* most garbage is refused */
}

/* Small values where validation decides (counts, sectors near the end,
 * first/last sect): random bytes alone rarely reach those paths. */
TEST(near_valid_slots_keep_invariants)
{
	uint8_t buf[3 + 112 + 2048];
	unsigned accepted = 0;

	for (unsigned i = 0; i < 200000; i++) {
		fill(buf, sizeof(buf));
		for (size_t k = 3; k < sizeof(buf); k++)
			buf[k] &= next() & 1 ? 0x07 : 0xff;
		buf[3] = (uint8_t)(next() % 8); /* operation */
		buf[4] = (uint8_t)(next() % 14); /* nr_segments or indirect_op */
		accepted += validate_one(buf, sizeof(buf)) == 0;
	}
	EXPECT(accepted > 0); /* the accepted path is exercised */
}

int main(void)
{
	RUN(random_slots_keep_invariants);
	RUN(near_valid_slots_keep_invariants);
	return UNIT_RESULT();
}
