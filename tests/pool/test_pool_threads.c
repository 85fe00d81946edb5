/* The pool under concurrency: writers, readers and discarders on several
 * disks of one pool at once. Each worker owns a range and keeps a shadow of
 * what it should hold; a shared range checks the looser promise pool.h
 * makes for overlapping requests. Then the books: populated chunks, used,
 * failures, and every chunk back after destroy. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "log.h"
#include "pool.h"
#include "../unit.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define SECTOR 512u

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64*: cheap, seeded, good enough to pick offsets. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Never-zero bytes derived from (seed, position): zero means "unwritten". */
static void fill(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = rnd(&s) | 0x0101010101010101ull;
		memcpy(buf + i, &w, len - i < 8 ? len - i : 8);
	}
}

static struct pool *make_pool(uint64_t size, uint64_t chunk, bool overcommit)
{
	struct pool_config cfg = { .size = size, .chunk_size = chunk,
				   .overcommit = overcommit };
	struct pool *pool = NULL;

	return pool_create(&cfg, &pool) ? NULL : pool;
}

/* Populated chunks of a disk, seen through pool_ptr. -1 on an error. */
static long count_populated(struct pool_disk *d, uint64_t cs)
{
	uint64_t size = pool_disk_size(d);
	long n = 0;

	for (uint64_t off = 0; off < size; off += cs) {
		void *p;
		uint64_t want = size - off < cs ? size - off : cs;
		if (pool_ptr(d, off, want, false, &p) != (long)want)
			return -1;
		if (p) {
			n++;
			pool_ptr_done(d, off);
		}
	}
	return n;
}

/* Books balance: each disk's used is its populated chunks, the pool's used
 * is their sum, reserved the sum of sizes. "" or what is off. */
static const char *books_balance(struct pool *pool, struct pool_disk **d, int n)
{
	static char why[160];
	struct pool_stats st;
	uint64_t used = 0, reserved = 0;

	pool_get_stats(pool, &st);
	for (int i = 0; i < n; i++) {
		struct pool_disk_stats ds;
		long pop = count_populated(d[i], st.chunk_size);
		pool_disk_get_stats(d[i], &ds);
		if (pop < 0 || ds.used != (uint64_t)pop * st.chunk_size) {
			snprintf(why, sizeof(why), "disk %d: used %llu, %ld chunks populated",
				 i, (unsigned long long)ds.used, pop);
			return why;
		}
		used += ds.used;
		reserved += ds.size;
	}
	if (st.used != used || st.reserved != reserved || st.disks != (uint64_t)n) {
		snprintf(why, sizeof(why), "pool used %llu (disks %llu), reserved %llu (%llu), disks %llu (%d)",
			 (unsigned long long)st.used, (unsigned long long)used,
			 (unsigned long long)st.reserved, (unsigned long long)reserved,
			 (unsigned long long)st.disks, n);
		return why;
	}
	return "";
}

/* Destroy the disks one by one; each must hand back exactly its chunks. */
static const char *destroy_all(struct pool *pool, struct pool_disk **d, int n)
{
	static char why[128];

	for (int i = 0; i < n; i++) {
		struct pool_stats before, after;
		struct pool_disk_stats ds;
		pool_get_stats(pool, &before);
		pool_disk_get_stats(d[i], &ds);
		pool_disk_destroy(d[i]);
		pool_get_stats(pool, &after);
		if (before.used - after.used != ds.used ||
		    before.reserved - after.reserved != ds.size) {
			snprintf(why, sizeof(why), "destroying disk %d freed %llu of %llu bytes",
				 i, (unsigned long long)(before.used - after.used),
				 (unsigned long long)ds.used);
			return why;
		}
	}
	struct pool_stats st;
	pool_get_stats(pool, &st);
	return st.used || st.reserved || st.disks ? "pool not empty at the end" : "";
}

/* --- Workers on disjoint ranges, each with a shadow copy. --- */

struct worker {
	pthread_t tid;
	struct pool_disk *disk;
	uint64_t base, len;       /* the range it owns */
	uint8_t *shadow;          /* what the range must read as */
	uint8_t *buf;
	uint64_t seed;
	unsigned ops;
	bool may_run_out;         /* overcommit pool: -ENOSPC allowed */
	pthread_barrier_t *start;
	atomic_int *done;         /* workers finished */
	unsigned enospc;
	char err[200];            /* the first problem; "" when none */
};

#define MAX_IO (256 * KiB)

static int complain(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int complain(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* A random piece of the worker's range: mostly whole sectors of up to
 * 32 KiB, sometimes byte-granular, sometimes big enough to span chunks. */
static void pick(struct worker *w, uint64_t *off, uint64_t *len)
{
	uint64_t r = rnd(&w->seed), max;

	if (r % 8 == 0) {
		*off = rnd(&w->seed) % w->len;
		max = 4 * KiB;
	} else {
		*off = rnd(&w->seed) % (w->len / SECTOR) * SECTOR;
		max = r % 16 == 1 ? MAX_IO : 32 * KiB;
	}
	if (max > w->len - *off)
		max = w->len - *off;
	*len = 1 + rnd(&w->seed) % max;
	if (r % 8 && *len > SECTOR)
		*len -= *len % SECTOR;
}

static int check_read(struct worker *w, uint64_t off, uint64_t len, const char *when)
{
	int rc = pool_read(w->disk, w->base + off, w->buf, len);

	if (rc)
		return complain(w, "%s: read at %llu: %d", when, (unsigned long long)off, rc);
	if (memcmp(w->buf, w->shadow + off, len))
		return complain(w, "%s: data differs in [%llu, +%llu)", when,
				(unsigned long long)off, (unsigned long long)len);
	return 0;
}

static int do_write(struct worker *w, uint64_t off, uint64_t len, unsigned op)
{
	fill(w->buf, len, w->seed ^ op);
	int rc = pool_write(w->disk, w->base + off, w->buf, len);
	if (rc == 0) {
		memcpy(w->shadow + off, w->buf, len);
		return 0;
	}
	if (rc != -ENOSPC || !w->may_run_out)
		return complain(w, "write at %llu: %d", (unsigned long long)off, rc);
	/* Out of memory: the write must have changed nothing. */
	w->enospc++;
	return check_read(w, off, len, "after -ENOSPC");
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t off, len;
	int rc = 0;

	pthread_barrier_wait(w->start);
	for (unsigned op = 0; op < w->ops && rc == 0; op++) {
		pick(w, &off, &len);
		switch (rnd(&w->seed) % 8) {
		case 0: case 1: case 2: case 3:
			rc = do_write(w, off, len, op);
			break;
		case 4: case 5: case 6:
			rc = check_read(w, off, len, "read");
			break;
		default:
			rc = pool_discard(w->disk, w->base + off, len);
			if (rc)
				complain(w, "discard at %llu: %d", (unsigned long long)off, rc);
			else
				memset(w->shadow + off, 0, len);
		}
	}
	for (off = 0; rc == 0 && off < w->len; off += MAX_IO)
		rc = check_read(w, off, w->len - off < MAX_IO ? w->len - off : MAX_IO,
				"final");
	atomic_fetch_add(w->done, 1);
	return NULL;
}

#define NDISKS 3
#define PER_DISK 2

/* Keep a fourth disk coming and going while the workers run: creating
 * and destroying disks must not disturb I/O on the others. */
static int churn(struct pool *pool, atomic_int *done, int workers, uint8_t *buf,
		 unsigned *enospc)
{
	for (uint64_t round = 0; atomic_load(done) < workers; round++) {
		struct pool_disk *d;
		int rc = pool_disk_create(pool, 1 * MiB, &d);
		if (rc)
			return rc;
		fill(buf, 256 * KiB, round);
		rc = pool_write(d, round % 4 * 128 * KiB, buf, 256 * KiB);
		pool_disk_destroy(d);
		*enospc += rc == -ENOSPC;
		if (rc && rc != -ENOSPC)
			return rc;
	}
	return 0;
}

#define NWORKERS (NDISKS * PER_DISK)
#define DSIZE (4 * MiB)

/* Two workers per disk; their ranges meet inside a chunk (64 KiB chunks),
 * so they race to populate it and zero pieces of it, but never overlap. */
static void start_workers(struct worker *w, struct pool_disk **disks, unsigned ops,
			  bool overcommit, pthread_barrier_t *start, atomic_int *done)
{
	const uint64_t split = DSIZE / 2 + 3 * SECTOR;

	for (int i = 0; i < NWORKERS; i++) {
		struct worker *x = &w[i];
		x->disk = disks[i / PER_DISK];
		x->base = i % PER_DISK ? split : 0;
		x->len = i % PER_DISK ? DSIZE - split : split;
		x->shadow = calloc(1, x->len);
		x->buf = malloc(MAX_IO);
		x->seed = 0x1234567ull * (uint64_t)(i + 1);
		x->ops = ops;
		x->may_run_out = overcommit;
		x->start = start;
		x->done = done;
		if (!x->shadow || !x->buf)
			abort();
		pthread_create(&x->tid, NULL, worker_run, x);
	}
}

/* After the run: the first problem, or "" when the data and books agree
 * and -ENOSPC happened exactly when it should. */
static void verdict(struct pool *pool, struct pool_disk **disks, const struct worker *w,
		    bool overcommit, unsigned churn_enospc, char *why, size_t whylen)
{
	struct pool_stats st;
	unsigned enospc = 0;

	why[0] = '\0';
	for (int i = 0; i < NWORKERS; i++) {
		if (w[i].err[0] && !why[0])
			snprintf(why, whylen, "worker %d: %s", i, w[i].err);
		enospc += w[i].enospc;
	}
	if (!why[0])
		snprintf(why, whylen, "%s", books_balance(pool, disks, NDISKS));
	pool_get_stats(pool, &st);
	if (!why[0] && st.alloc_failures != enospc + churn_enospc)
		snprintf(why, whylen, "%llu failures counted for %u refused writes",
			 (unsigned long long)st.alloc_failures, enospc + churn_enospc);
	if (!why[0] && !overcommit && enospc)
		snprintf(why, whylen, "%u writes ran out in a reserved pool", enospc);
	if (!why[0] && overcommit && enospc == 0)
		snprintf(why, whylen, "the pool never ran out: test too weak");
}

static void run_disjoint(uint64_t pool_size, bool overcommit, unsigned ops,
			 char *why, size_t whylen)
{
	struct pool *pool = make_pool(pool_size, 64 * KiB, overcommit);
	struct pool_disk *disks[NDISKS] = { NULL };
	struct worker w[NWORKERS];
	pthread_barrier_t start;
	atomic_int done = 0;
	unsigned churn_enospc = 0;
	uint8_t *buf = malloc(256 * KiB);
	int nd = 0, rc;

	memset(w, 0, sizeof(w));
	snprintf(why, whylen, "setup failed");
	if (!pool || !buf)
		goto out;
	for (; nd < NDISKS; nd++)
		if (pool_disk_create(pool, DSIZE, &disks[nd]))
			goto out;
	pthread_barrier_init(&start, NULL, NWORKERS + 1);
	start_workers(w, disks, ops, overcommit, &start, &done);
	pthread_barrier_wait(&start);
	rc = churn(pool, &done, NWORKERS, buf, &churn_enospc);
	for (int i = 0; i < NWORKERS; i++)
		pthread_join(w[i].tid, NULL);
	pthread_barrier_destroy(&start);
	verdict(pool, disks, w, overcommit, churn_enospc, why, whylen);
	if (!why[0] && rc)
		snprintf(why, whylen, "churn: %d", rc);
	if (!why[0]) {
		const char *r = destroy_all(pool, disks, nd);
		nd = 0;
		snprintf(why, whylen, "%s", r);
	}
out:
	for (int i = 0; i < nd; i++)
		pool_disk_destroy(disks[i]);
	for (int i = 0; i < NWORKERS; i++) {
		free(w[i].shadow);
		free(w[i].buf);
	}
	pool_destroy(pool);
	free(buf);
}

TEST(disjoint_ranges_reserved)
{
	char why[256];

	/* Room for every disk: a write may never run out. */
	run_disjoint(NDISKS * 4 * MiB + 2 * MiB, false, 3000, why, sizeof(why));
	if (why[0])
		printf("why: %s\n", why);
	EXPECT(why[0] == '\0');
}

TEST(disjoint_ranges_overcommitted)
{
	char why[256];

	/* 1 MiB for 13 MiB of disks: writes run out, and then change nothing. */
	run_disjoint(1 * MiB, true, 3000, why, sizeof(why));
	if (why[0])
		printf("why: %s\n", why);
	EXPECT(why[0] == '\0');
}

/* --- Overlapping requests: the promise is per byte, not per sector. --- */

/* Writers stamp each 8-byte word of a sector with (sector, disk, writer,
 * generation). Whatever interleaving of memcpy and discard memset happens,
 * each byte of a word must be the stamp's byte for *this* sector and disk,
 * or zero: bytes from elsewhere never appear. */
#define SH_WRITERS 4
#define SH_SIZE (1 * MiB)

static uint64_t stamp(uint64_t sector, unsigned disk, unsigned writer, unsigned gen)
{
	return (sector + 1) << 32 | (uint64_t)(disk + 1) << 16 |
	       (uint64_t)writer << 8 | (gen & 0xff);
}

/* 0 when every word of buf (sectors from `sector` on) is plausible. */
static int stamps_ok(const uint8_t *buf, size_t len, uint64_t sector, unsigned disk)
{
	for (size_t i = 0; i < len; i += 8, sector += (i % SECTOR) == 0) {
		uint64_t w, want = stamp(sector, disk, 0, 0);
		memcpy(&w, buf + i, 8);
		if (((w >> 8) & 0xff) > SH_WRITERS)
			return -1;
		for (unsigned b = 2; b < 8; b++) {
			uint8_t got = (uint8_t)(w >> (8 * b));
			if (got && got != (uint8_t)(want >> (8 * b)))
				return -1;
		}
	}
	return 0;
}

struct sharer {
	pthread_t tid;
	struct pool_disk *disk;
	unsigned disk_no, id;   /* id 1..SH_WRITERS write; 0 reads; -1u discards */
	unsigned ops;
	uint64_t seed;
	atomic_int *writers_left;
	bool bad;
	uint64_t bad_sector;
};

static void *sharer_run(void *arg)
{
	struct sharer *s = arg;
	uint8_t *buf = malloc(64 * SECTOR);
	const uint64_t nsec = SH_SIZE / SECTOR;

	if (!buf)
		abort();
	for (unsigned op = 0; !s->bad; op++) {
		bool writer = s->id >= 1 && s->id <= SH_WRITERS;
		if (writer ? op >= s->ops : atomic_load(s->writers_left) == 0)
			break;
		uint64_t sec = rnd(&s->seed) % nsec, n = 1 + rnd(&s->seed) % 64;
		if (n > nsec - sec)
			n = nsec - sec;
		if (writer) {
			for (uint64_t i = 0; i < n * SECTOR; i += 8) {
				uint64_t w = stamp(sec + i / SECTOR, s->disk_no, s->id, op);
				memcpy(buf + i, &w, 8);
			}
			s->bad = pool_write(s->disk, sec * SECTOR, buf, n * SECTOR) != 0;
		} else if (s->id == 0) {
			s->bad = pool_read(s->disk, sec * SECTOR, buf, n * SECTOR) != 0 ||
				 stamps_ok(buf, n * SECTOR, sec, s->disk_no) != 0;
		} else {
			s->bad = pool_discard(s->disk, sec * SECTOR, n * SECTOR) != 0;
		}
		if (s->bad)
			s->bad_sector = sec;
	}
	if (s->id >= 1 && s->id <= SH_WRITERS)
		atomic_fetch_sub(s->writers_left, 1);
	free(buf);
	return NULL;
}

TEST(overlapping_requests)
{
	/* 16 KiB chunks: requests of up to 32 KiB cross chunk boundaries. */
	struct pool *pool = make_pool(4 * MiB, 16 * KiB, false);
	enum { PER = SH_WRITERS + 2 };
	struct sharer sh[2 * PER];
	struct pool_disk *d[2];
	atomic_int writers_left = 2 * SH_WRITERS;
	uint8_t *buf = malloc(SH_SIZE);

	EXPECT(pool && buf);
	EXPECT_EQ(pool_disk_create(pool, SH_SIZE, &d[0]), 0);
	EXPECT_EQ(pool_disk_create(pool, SH_SIZE, &d[1]), 0);
	memset(sh, 0, sizeof(sh));
	for (unsigned i = 0; i < 2 * PER; i++) {
		struct sharer *s = &sh[i];
		s->disk_no = i / PER;
		s->disk = d[s->disk_no];
		s->id = i % PER == PER - 1 ? -1u : i % PER; /* 0 reader, last discards */
		s->ops = 6000;
		s->seed = 0xabcdefull * (i + 1);
		s->writers_left = &writers_left;
		pthread_create(&s->tid, NULL, sharer_run, s);
	}
	for (unsigned i = 0; i < 2 * PER; i++)
		pthread_join(sh[i].tid, NULL);
	for (unsigned i = 0; i < 2 * PER; i++) {
		if (sh[i].bad)
			printf("thread %u (disk %u, id %d): bad data or error near sector %llu\n",
			       i, sh[i].disk_no, (int)sh[i].id,
			       (unsigned long long)sh[i].bad_sector);
		EXPECT(!sh[i].bad);
	}
	/* Quiet now: the whole of each disk holds only its own stamps. */
	for (unsigned k = 0; k < 2; k++) {
		EXPECT_EQ(pool_read(d[k], 0, buf, SH_SIZE), 0);
		EXPECT_EQ(stamps_ok(buf, SH_SIZE, 0, k), 0);
	}
	EXPECT_STR(books_balance(pool, d, 2), "");
	EXPECT_STR(destroy_all(pool, d, 2), "");
	pool_destroy(pool);
	free(buf);
}

/* --- Many writers populating the same fresh chunks at once. --- */

#define RACERS 4
#define RACE_CHUNKS 32
#define RACE_ROUNDS 400

struct race {
	struct pool_disk *disk;
	uint64_t cs;
	atomic_uint go;       /* round number released by main, from 1 */
	atomic_uint arrived;  /* racers done with the current round */
};

struct racer {
	pthread_t tid;
	struct race *race;
	unsigned id;
	int rc;
};

/* Wait (yielding: there may be fewer CPUs than threads) for a counter. */
static void wait_for(atomic_uint *v, unsigned want)
{
	while (atomic_load(v) < want)
		sched_yield();
}

/* Each round every racer writes its own sector of every chunk, all
 * released at once so that chunks are populated under contention. Main
 * checks, discards the disk, and releases the next round. */
static void *racer_run(void *arg)
{
	struct racer *r = arg;
	struct race *race = r->race;
	uint8_t sec[SECTOR];

	for (unsigned round = 0; round < RACE_ROUNDS; round++) {
		wait_for(&race->go, round + 1);
		memset(sec, (int)(r->id + 1 + round), sizeof(sec));
		for (uint64_t c = 0; c < RACE_CHUNKS && r->rc == 0; c++)
			r->rc = pool_write(race->disk, c * race->cs + r->id * SECTOR,
					   sec, SECTOR);
		atomic_fetch_add(&race->arrived, 1);
	}
	return NULL;
}

/* After a round: every racer's sector holds its byte, the rest is zero,
 * and each chunk was populated exactly once. */
static int race_round_ok(struct pool_disk *d, uint64_t cs, unsigned round, uint8_t *buf)
{
	struct pool_disk_stats ds;

	pool_disk_get_stats(d, &ds);
	if (ds.used != RACE_CHUNKS * cs)
		return -1;
	for (uint64_t c = 0; c < RACE_CHUNKS; c++) {
		if (pool_read(d, c * cs, buf, cs))
			return -1;
		for (uint64_t i = 0; i < cs; i++) {
			uint64_t who = i / SECTOR;
			uint8_t want = who < RACERS ? (uint8_t)(who + 1 + round) : 0;
			if (buf[i] != want)
				return -1;
		}
	}
	return 0;
}

TEST(populate_race)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(RACE_CHUNKS * cs, cs, false);
	struct race race = { .cs = cs };
	struct racer r[RACERS];
	uint8_t *buf = malloc(cs);
	int bad_round = -1;

	EXPECT(pool && buf);
	EXPECT_EQ(pool_disk_create(pool, RACE_CHUNKS * cs, &race.disk), 0);
	for (unsigned i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ .race = &race, .id = i };
		pthread_create(&r[i].tid, NULL, racer_run, &r[i]);
	}
	for (unsigned round = 0; round < RACE_ROUNDS; round++) {
		atomic_store(&race.go, round + 1);
		wait_for(&race.arrived, (round + 1) * RACERS);
		if (bad_round < 0 && race_round_ok(race.disk, cs, round, buf))
			bad_round = (int)round;
		/* Dirty chunks make the next populate slower: a wider race. */
		pool_discard(race.disk, 0, RACE_CHUNKS * cs);
	}
	for (unsigned i = 0; i < RACERS; i++) {
		pthread_join(r[i].tid, NULL);
		EXPECT_EQ(r[i].rc, 0);
	}
	EXPECT_EQ(bad_round, -1);
	EXPECT_STR(books_balance(pool, &race.disk, 1), "");
	EXPECT_STR(destroy_all(pool, &race.disk, 1), "");
	pool_destroy(pool);
	free(buf);
}

/* --- Running out under contention. --- */

struct grabber {
	pthread_t tid;
	struct pool_disk *disk;
	uint64_t off, len;
	pthread_barrier_t *bar;
	int rc;
};

static void *grabber_run(void *arg)
{
	struct grabber *g = arg;
	uint8_t *buf = malloc(g->len);

	if (!buf)
		abort();
	fill(buf, g->len, g->off);
	pthread_barrier_wait(g->bar);
	g->rc = pool_write(g->disk, g->off, buf, g->len);
	free(buf);
	return NULL;
}

TEST(exhaustion_changes_nothing)
{
	const uint64_t cs = 64 * KiB;
	enum { AVAIL = 8, GRABBERS = 12 };
	struct pool *pool = make_pool(AVAIL * cs, cs, true);
	struct pool_disk *d;
	struct grabber g[GRABBERS];
	pthread_barrier_t bar;
	struct pool_stats st, st2;
	uint8_t *buf = malloc(2 * cs), *old = malloc(2 * cs);
	unsigned ok = 0, full = 0;

	EXPECT(pool && buf && old);
	EXPECT_EQ(pool_disk_create(pool, 64 * cs, &d), 0);
	/* 12 writers of two chunks each race for 8 chunks: each write gets
	 * both of its chunks or none, so at most 4 succeed and no chunk is
	 * stranded half-used. */
	pthread_barrier_init(&bar, NULL, GRABBERS);
	for (unsigned i = 0; i < GRABBERS; i++) {
		g[i] = (struct grabber){ .disk = d, .off = 4 * i * cs + cs / 2,
					 .len = cs + 1, .bar = &bar };
		pthread_create(&g[i].tid, NULL, grabber_run, &g[i]);
	}
	for (unsigned i = 0; i < GRABBERS; i++) {
		pthread_join(g[i].tid, NULL);
		ok += g[i].rc == 0;
		full += g[i].rc == -ENOSPC;
	}
	pthread_barrier_destroy(&bar);
	EXPECT_EQ(ok, AVAIL / 2);
	EXPECT_EQ(full, GRABBERS - AVAIL / 2);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.used, AVAIL * cs);
	EXPECT_EQ(st.alloc_failures, full);
	for (unsigned i = 0; i < GRABBERS; i++) {
		EXPECT_EQ(pool_read(d, g[i].off, buf, g[i].len), 0);
		fill(old, g[i].len, g[i].off);
		if (g[i].rc == 0)
			EXPECT(memcmp(buf, old, g[i].len) == 0);
		else
			EXPECT(buf[0] == 0 && memcmp(buf, buf + 1, g[i].len - 1) == 0);
	}
	/* A write over one held chunk and one missing chunk: refused whole. */
	uint64_t held = 0;
	while (g[held / 4].rc)
		held += 4;
	uint64_t off = held * cs + cs / 2; /* held chunks are [held, held+1] */
	EXPECT_EQ(pool_read(d, off, old, 2 * cs), 0);
	fill(buf, 2 * cs, 99);
	EXPECT_EQ(pool_write(d, off, buf, 2 * cs), -ENOSPC);
	EXPECT_EQ(pool_read(d, off, buf, 2 * cs), 0);
	EXPECT(memcmp(buf, old, 2 * cs) == 0);
	pool_get_stats(pool, &st2);
	EXPECT_EQ(st2.used, st.used);
	EXPECT_EQ(st2.alloc_failures, st.alloc_failures + 1);
	EXPECT_STR(books_balance(pool, &d, 1), "");
	EXPECT_STR(destroy_all(pool, &d, 1), "");
	pool_destroy(pool);
	free(buf);
	free(old);
}

/* --- A reused chunk never shows its old disk's bytes. --- */

#define LEAK_CHUNKS 4
#define LEAK_ROUNDS 1000

struct peeker {
	struct pool_disk *disk;
	uint64_t cs;
	atomic_int stop;
	bool saw_old;
	int rc;
};

/* Read disk B over and over while it is being written: every byte must
 * be 0 (not yet written) or B's own 0xbb, never disk A's 0xaa. */
static void *peeker_run(void *arg)
{
	struct peeker *p = arg;
	uint8_t *buf = malloc(LEAK_CHUNKS * p->cs);

	if (!buf)
		abort();
	while (!atomic_load(&p->stop) && !p->saw_old && p->rc == 0) {
		p->rc = pool_read(p->disk, 0, buf, LEAK_CHUNKS * p->cs);
		p->saw_old = memchr(buf, 0xaa, LEAK_CHUNKS * p->cs) != NULL;
	}
	free(buf);
	return NULL;
}

TEST(reused_chunks_never_leak)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(2 * LEAK_CHUNKS * cs, cs, false);
	struct pool_disk *d[2];
	struct peeker pk = { .cs = cs };
	uint8_t *a = malloc(LEAK_CHUNKS * cs), *b = malloc(LEAK_CHUNKS * cs);
	pthread_t tid;

	EXPECT(pool && a && b);
	EXPECT_EQ(pool_disk_create(pool, LEAK_CHUNKS * cs, &d[0]), 0);
	EXPECT_EQ(pool_disk_create(pool, LEAK_CHUNKS * cs, &d[1]), 0);
	memset(a, 0xaa, LEAK_CHUNKS * cs);
	memset(b, 0xbb, LEAK_CHUNKS * cs);
	pk.disk = d[1];
	pthread_create(&tid, NULL, peeker_run, &pk);
	for (unsigned r = 0; r < LEAK_ROUNDS && !pk.saw_old; r++) {
		/* A's chunks go back dirty; B takes them next (LIFO) with
		 * whole-chunk writes, the path that skips zeroing. */
		EXPECT_EQ(pool_write(d[0], 0, a, LEAK_CHUNKS * cs), 0);
		EXPECT_EQ(pool_discard(d[0], 0, LEAK_CHUNKS * cs), 0);
		for (uint64_t c = 0; c < LEAK_CHUNKS; c += 2)
			EXPECT_EQ(pool_write(d[1], c * cs, b, 2 * cs), 0);
		EXPECT_EQ(pool_discard(d[1], 0, LEAK_CHUNKS * cs), 0);
	}
	atomic_store(&pk.stop, 1);
	pthread_join(tid, NULL);
	EXPECT_EQ(pk.rc, 0);
	EXPECT(!pk.saw_old);
	EXPECT_STR(books_balance(pool, d, 2), "");
	EXPECT_STR(destroy_all(pool, d, 2), "");
	pool_destroy(pool);
	free(a);
	free(b);
}

int main(void)
{
	log_set_level(LOG_ERR); /* out-of-memory warnings are expected here */
	RUN(disjoint_ranges_reserved);
	RUN(disjoint_ranges_overcommitted);
	RUN(overlapping_requests);
	RUN(populate_race);
	RUN(exhaustion_changes_nothing);
	RUN(reused_chunks_never_leak);
	return UNIT_RESULT();
}
