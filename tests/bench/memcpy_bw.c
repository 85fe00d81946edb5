/*
 * The yardstick a bench row is divided by: memcpy on this machine, shaped
 * like the row. A backend that copies once moves each request's bytes
 * between the disk's memory (the pool) and the guest's buffers, so the
 * yardstick copies --bs blocks between a pool-side buffer of the disk's
 * working set (--pool-set, picked sequentially or at random as the row's
 * blocks are) and guest-side buffers the size the guest really reuses
 * (--guest-set: its in-flight slots, queue depth x block size), with as
 * many threads as the backend has queue workers. Reads copy pool -> guest,
 * writes guest -> pool, --read-pct mixes them.
 *
 *   memcpy_bw [--bs SIZE] [--pool-set SIZE] [--guest-set SIZE]
 *             [--threads N] [--pattern seq|rand] [--read-pct P] [--secs S]
 *
 * Best of three windows (a shared machine has bad moments). Prints one
 * line: "memcpy mb_s=X iops=Y" and the shape it measured.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WINDOWS     3
#define MAX_THREADS 64

struct shape {
	uint64_t bs, pool_set, guest_set;
	unsigned threads, read_pct;
	bool rand;
	double secs;
};

struct worker {
	const struct shape *sh;
	uint8_t *pool, *guest;       /* guest: this thread's own slots */
	uint64_t pool_blocks, guest_slots;
	unsigned index;
	uint64_t rng, seq, ops;
	const volatile bool *stop;
	pthread_t tid;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64*: cheap next to a 4 KiB copy. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void *copy_loop(void *arg)
{
	struct worker *w = arg;
	const struct shape *sh = w->sh;
	uint64_t slot = 0, ops = 0;

	while (!*w->stop) {
		/* A batch between looks at the flag. */
		for (int i = 0; i < 16; i++) {
			uint64_t b;
			uint8_t *p, *g = w->guest + slot * sh->bs;

			if (sh->rand) {
				b = next_rand(&w->rng) % w->pool_blocks;
			} else {
				/* Queues take every Nth block of one stream. */
				b = (w->seq * sh->threads + w->index) % w->pool_blocks;
				w->seq++;
			}
			p = w->pool + b * sh->bs;
			if (sh->read_pct >= 100 ||
			    (sh->read_pct && next_rand(&w->rng) % 100 < sh->read_pct))
				memcpy(g, p, sh->bs);
			else
				memcpy(p, g, sh->bs);
			slot = (slot + 1) % w->guest_slots;
			ops++;
		}
	}
	w->ops = ops;
	return NULL;
}

/* One window: every thread copies for sh->secs; ops per second. */
static int window(struct worker *ws, const struct shape *sh, double *ops_s)
{
	volatile bool stop = false;
	uint64_t ops = 0;
	unsigned started = 0;
	double t0 = now_s(), t1;
	int rc = 0;

	for (; started < sh->threads; started++) {
		ws[started].stop = &stop;
		if (pthread_create(&ws[started].tid, NULL, copy_loop, &ws[started])) {
			rc = -EAGAIN;
			break;
		}
	}
	usleep((useconds_t)(sh->secs * 1e6));
	stop = true;
	for (unsigned i = 0; i < started; i++) {
		pthread_join(ws[i].tid, NULL);
		ops += ws[i].ops;
	}
	t1 = now_s();
	*ops_s = (double)ops / (t1 - t0);
	return rc;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct shape *sh)
{
	static const struct option opts[] = {
		{ "bs", required_argument, NULL, 'b' },
		{ "pool-set", required_argument, NULL, 'p' },
		{ "guest-set", required_argument, NULL, 'g' },
		{ "threads", required_argument, NULL, 't' },
		{ "pattern", required_argument, NULL, 'P' },
		{ "read-pct", required_argument, NULL, 'r' },
		{ "secs", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*sh = (struct shape){ .bs = 1u << 20, .pool_set = 256u << 20, .threads = 1,
			      .read_pct = 100, .secs = 0.3 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'b': ok = !parse_size(optarg, &sh->bs); break;
		case 'p': ok = !parse_size(optarg, &sh->pool_set); break;
		case 'g': ok = !parse_size(optarg, &sh->guest_set); break;
		case 't': sh->threads = (unsigned)atoi(optarg);
			ok = sh->threads >= 1 && sh->threads <= MAX_THREADS; break;
		case 'P': ok = !strcmp(optarg, "seq") || !strcmp(optarg, "rand");
			sh->rand = !strcmp(optarg, "rand"); break;
		case 'r': sh->read_pct = (unsigned)atoi(optarg);
			ok = sh->read_pct <= 100; break;
		case 's': sh->secs = atof(optarg); ok = sh->secs > 0 && sh->secs < 100; break;
		default: ok = false; break;
		}
		if (!ok) {
			fprintf(stderr, "memcpy_bw: bad option (see the comment at the top of "
				"tests/bench/memcpy_bw.c)\n");
			return -1;
		}
	}
	if (!sh->guest_set)
		sh->guest_set = sh->bs * sh->threads;
	if (sh->pool_set < sh->bs || sh->guest_set < sh->bs * sh->threads) {
		fprintf(stderr, "memcpy_bw: each set must hold a block per thread\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct shape sh;
	struct worker ws[MAX_THREADS];
	uint64_t slots_each;
	uint8_t *pool, *guest;
	double best = 0;

	if (parse_args(argc, argv, &sh))
		return 2;
	slots_each = sh.guest_set / sh.bs / sh.threads;
	pool = aligned_alloc(4096, sh.pool_set / sh.bs * sh.bs);
	guest = aligned_alloc(4096, slots_each * sh.threads * sh.bs);
	if (!pool || !guest) {
		fprintf(stderr, "memcpy_bw: out of memory\n");
		return 1;
	}
	/* Touched first: the bench's pool and guest pages are resident too. */
	memset(pool, 0x5a, sh.pool_set / sh.bs * sh.bs);
	memset(guest, 0xa5, slots_each * sh.threads * sh.bs);
	for (unsigned i = 0; i < sh.threads; i++)
		ws[i] = (struct worker){ .sh = &sh, .pool = pool,
					 .guest = guest + i * slots_each * sh.bs,
					 .pool_blocks = sh.pool_set / sh.bs,
					 .guest_slots = slots_each, .index = i,
					 .rng = 0x9e3779b97f4a7c15ull * (i + 1) };
	for (int w = 0; w < WINDOWS; w++) {
		double ops_s;

		if (window(ws, &sh, &ops_s)) {
			fprintf(stderr, "memcpy_bw: cannot start threads\n");
			return 1;
		}
		if (ops_s > best)
			best = ops_s;
	}
	printf("memcpy mb_s=%.1f iops=%.0f bs=%" PRIu64 " pool_set=%" PRIu64
	       " guest_set=%" PRIu64 " threads=%u pattern=%s read_pct=%u check=%u\n",
	       best * (double)sh.bs / 1e6, best, sh.bs, sh.pool_set, sh.guest_set,
	       sh.threads, sh.rand ? "rand" : "seq", sh.read_pct,
	       pool[0] ^ guest[0]);
	free(pool);
	free(guest);
	return 0;
}
