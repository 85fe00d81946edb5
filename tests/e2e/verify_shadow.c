/* The verifier's shadow; see verify_shadow.h. */
#include "verify_shadow.h"

#include <errno.h>
#include <stdlib.h>

int vs_init(struct vs_shadow *sh, uint64_t nsect)
{
	sh->nsect = nsect;
	sh->next_gen = 1;
	sh->seq = 0;
	sh->s = calloc(nsect ? nsect : 1, sizeof(*sh->s));
	return sh->s ? 0 : -ENOMEM;
}

void vs_fini(struct vs_shadow *sh)
{
	free(sh->s);
	sh->s = NULL;
}

static bool in_range(const struct vs_shadow *sh, uint64_t sector, uint64_t n)
{
	return n > 0 && sector < sh->nsect && n <= sh->nsect - sector;
}

bool vs_can_write(const struct vs_shadow *sh, uint64_t sector, uint64_t n)
{
	if (!in_range(sh, sector, n))
		return false;
	for (uint64_t i = sector; i < sector + n; i++)
		if (sh->s[i].readers || sh->s[i].wbusy)
			return false;
	return true;
}

bool vs_can_read(const struct vs_shadow *sh, uint64_t sector, uint64_t n)
{
	if (!in_range(sh, sector, n))
		return false;
	for (uint64_t i = sector; i < sector + n; i++)
		if (sh->s[i].readers == UINT16_MAX)
			return false;
	return true;
}

uint32_t vs_write_begin(struct vs_shadow *sh, uint64_t sector, uint64_t n, bool discard)
{
	uint32_t gen = VS_GEN_ZERO;

	if (!discard) {
		gen = sh->next_gen++;
		if (sh->next_gen == VS_GEN_UNKNOWN)
			sh->next_gen = 1; /* 4e9 writes: reuse is harmless by then */
	}
	for (uint64_t i = sector; i < sector + n; i++) {
		sh->s[i].old = sh->s[i].gen;
		sh->s[i].gen = gen;
		sh->s[i].wbusy = 1;
	}
	return gen;
}

void vs_write_end(struct vs_shadow *sh, uint64_t sector, uint64_t n, bool ok)
{
	sh->seq++;
	for (uint64_t i = sector; i < sector + n; i++) {
		sh->s[i].wbusy = 0;
		sh->s[i].done_seq = sh->seq;
		if (!ok)
			sh->s[i].gen = VS_GEN_UNKNOWN;
	}
}

uint32_t vs_read_begin(struct vs_shadow *sh, uint64_t sector, uint64_t n)
{
	for (uint64_t i = sector; i < sector + n; i++)
		sh->s[i].readers++;
	return sh->seq;
}

void vs_read_end(struct vs_shadow *sh, uint64_t sector, uint64_t n)
{
	for (uint64_t i = sector; i < sector + n; i++)
		sh->s[i].readers--;
}

unsigned vs_allowed(const struct vs_shadow *sh, uint64_t sector, uint32_t ticket,
		    uint32_t gens[2])
{
	const struct vs_sector *s = &sh->s[sector];

	if (s->gen == VS_GEN_UNKNOWN)
		return 0;
	gens[0] = s->gen;
	/* In flight now, or completed after the read was issued (wrapping
	 * compare: the sequence counts on past 2^32). */
	if (s->wbusy || (int32_t)(s->done_seq - ticket) > 0) {
		if (s->old == VS_GEN_UNKNOWN)
			return 0;
		gens[1] = s->old;
		return 2;
	}
	return 1;
}
