/*
 * A lock-free bitmap allocator over shared memory: pages of a domain's
 * memory and grant refs of its table are taken by compare-and-swap on
 * 64-bit words, so processes of one domain allocate without a lock and a
 * process that dies mid-way leaves no lock held.
 */
#include <errno.h>

#include "simshm.h"

static long try_word(uint64_t *word, uint32_t base, uint32_t nbits, uint32_t first)
{
	uint64_t old = __atomic_load_n(word, __ATOMIC_RELAXED);

	for (;;) {
		uint64_t free_bits = ~old;
		uint32_t bit;

		/* Bits below `first` or past the end are never handed out. */
		if (base < first)
			free_bits &= first - base >= 64 ? 0 : ~0ull << (first - base);
		if (nbits - base < 64)
			free_bits &= (1ull << (nbits - base)) - 1;
		if (!free_bits)
			return -ENOSPC;
		bit = (uint32_t)__builtin_ctzll(free_bits);
		if (__atomic_compare_exchange_n(word, &old, old | (1ull << bit), false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return (long)(base + bit);
	}
}

long sim_bitmap_alloc(uint64_t *map, uint32_t nbits, uint32_t first, uint32_t hint)
{
	uint32_t nwords = (nbits + 63) / 64;
	uint32_t start = hint < nbits ? hint / 64 : 0;

	for (uint32_t i = 0; i < nwords; i++) {
		uint32_t w = (start + i) % nwords;
		long bit = try_word(&map[w], w * 64, nbits, first);

		if (bit >= 0)
			return bit;
	}
	return -ENOSPC;
}

void sim_bitmap_free(uint64_t *map, uint32_t nbits, uint32_t bit)
{
	if (bit < nbits)
		__atomic_and_fetch(&map[bit / 64], ~(1ull << (bit % 64)), __ATOMIC_RELEASE);
}

bool sim_bitmap_test(const uint64_t *map, uint32_t nbits, uint32_t bit)
{
	return bit < nbits &&
	       (__atomic_load_n(&map[bit / 64], __ATOMIC_ACQUIRE) >> (bit % 64)) & 1;
}
