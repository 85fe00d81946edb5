/* Verification data; see pattern.h. */
#include "pattern.h"

#include <string.h>

#define PAT_MAGIC 0x6d656d6261636b21ull /* "memback!" */
#define PAT_WORDS (PAT_SECTOR_SIZE / 8)

/* splitmix64's finaliser: a good 64-bit mix. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void pat_words(uint64_t seed, uint64_t sector, uint32_t gen,
		      uint64_t w[PAT_WORDS])
{
	uint64_t state = mix64(seed ^ mix64(sector ^ mix64(gen)));

	w[0] = PAT_MAGIC ^ seed;
	w[1] = sector;
	w[2] = gen;
	for (unsigned i = 3; i < PAT_WORDS; i++) {
		state += 0x9e3779b97f4a7c15ull;
		w[i] = mix64(state);
	}
}

void pat_fill_sector(uint64_t seed, uint64_t sector, uint32_t gen, void *buf)
{
	uint64_t w[PAT_WORDS];

	pat_words(seed, sector, gen, w);
	memcpy(buf, w, sizeof(w));
}

static void describe(const uint8_t *want, const uint8_t *got, uint64_t seed,
		     struct pat_mismatch *mm)
{
	uint64_t hdr[3];
	size_t i = 0;

	while (i < PAT_SECTOR_SIZE && want[i] == got[i])
		i++;
	memset(mm, 0, sizeof(*mm));
	mm->offset = i;
	mm->expected = want[i];
	mm->got = got[i];
	memcpy(hdr, got, sizeof(hdr));
	if (hdr[0] == (PAT_MAGIC ^ seed) && hdr[2] <= UINT32_MAX) {
		mm->got_header = true;
		mm->got_sector = hdr[1];
		mm->got_gen = (uint32_t)hdr[2];
	}
	mm->got_zero = true;
	for (size_t k = 0; k < PAT_SECTOR_SIZE; k++)
		if (got[k]) {
			mm->got_zero = false;
			break;
		}
}

int pat_check_sector(uint64_t seed, uint64_t sector, uint32_t gen,
		     const void *buf, struct pat_mismatch *mm)
{
	uint64_t w[PAT_WORDS];

	pat_words(seed, sector, gen, w);
	if (memcmp(w, buf, sizeof(w)) == 0)
		return 0;
	if (mm)
		describe((const uint8_t *)w, buf, seed, mm);
	return -1;
}

int pat_check_zero(const void *buf, struct pat_mismatch *mm)
{
	static const uint8_t zero[PAT_SECTOR_SIZE];

	if (memcmp(zero, buf, sizeof(zero)) == 0)
		return 0;
	if (mm)
		describe(zero, buf, 0, mm);
	return -1;
}

void pat_rng_seed(struct pat_rng *r, uint64_t seed)
{
	r->s = mix64(seed);
	if (r->s == 0)
		r->s = PAT_MAGIC;
}

uint64_t pat_rng_next(struct pat_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint64_t pat_rng_below(struct pat_rng *r, uint64_t n)
{
	/* Multiply-shift: unbiased enough for block choice, no division. */
	return (uint64_t)(((unsigned __int128)pat_rng_next(r) * n) >> 64);
}
