/* The pool through its public interface, single-threaded: data, zeros,
 * discard, isolation between disks, reservations, exhaustion, resize,
 * images, direct pointers, stats. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pool.h"
#include "../unit.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)

static uint8_t pattern_byte(uint64_t off, unsigned seed)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 32);
	return (uint8_t)((x >> 29) | 1); /* never zero: zeros are meaningful */
}

static void fill(uint8_t *buf, uint64_t off, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(off + i, seed);
}

static bool is_zero(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

static struct pool *make_pool(uint64_t size, uint64_t chunk, bool overcommit)
{
	struct pool_config cfg = { .size = size, .chunk_size = chunk,
				   .overcommit = overcommit };
	struct pool *pool = NULL;

	if (pool_create(&cfg, &pool))
		return NULL;
	return pool;
}

TEST(create_and_stats)
{
	struct pool *pool = make_pool(16 * MiB, 0, false);
	struct pool_disk *d;
	struct pool_stats st;
	struct pool_disk_stats ds;
	uint8_t buf[512];

	EXPECT(pool);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.size, 16 * MiB);
	EXPECT_EQ(st.chunk_size, MiB);
	EXPECT_EQ(st.used + st.reserved + st.disks + st.alloc_failures, 0);
	EXPECT(pool_fd(pool) >= 0);
	EXPECT_EQ(pool_disk_create(pool, 4 * MiB, &d), 0);
	EXPECT_EQ(pool_disk_size(d), 4 * MiB);
	fill(buf, 0, sizeof(buf), 1);
	EXPECT_EQ(pool_write(d, 3 * MiB + 512, buf, sizeof(buf)), 0);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.reserved, 4 * MiB);
	EXPECT_EQ(st.used, MiB);
	EXPECT_EQ(st.disks, 1);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.size, 4 * MiB);
	EXPECT_EQ(ds.used, MiB);
	EXPECT_EQ(ds.alloc_failures, 0);
	EXPECT_EQ(pool_flush(d), 0);
	pool_disk_destroy(d);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.used + st.reserved + st.disks, 0);
	pool_destroy(pool);
}

TEST(create_rejects)
{
	struct pool_config cfg = { .size = 16 * MiB + 4096 };
	struct pool *pool = NULL;
	struct pool_disk *d;

	EXPECT_EQ(pool_create(&cfg, &pool), -EINVAL);
	cfg = (struct pool_config){ .size = 16 * MiB, .chunk_size = 3 * 4096 };
	EXPECT_EQ(pool_create(&cfg, &pool), -EINVAL);
	cfg = (struct pool_config){ .size = 0 };
	EXPECT_EQ(pool_create(&cfg, &pool), -EINVAL);
	pool = make_pool(4 * MiB, 0, true);
	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, 0, &d), -EINVAL);
	EXPECT_EQ(pool_disk_create(pool, 1000, &d), -EINVAL);
	/* 2^32 chunks of 1 MiB: too many for a chunk table. */
	EXPECT_EQ(pool_disk_create(pool, 1ull << 52, &d), -EFBIG);
	pool_destroy(pool);
}

TEST(unaligned_rw_across_chunks)
{
	const uint64_t size = 2 * MiB, cs = 64 * KiB;
	struct pool *pool = make_pool(4 * MiB, cs, false);
	uint8_t *model = calloc(1, size), *got = malloc(size);
	struct pool_disk *d;
	/* Offsets and lengths that straddle 64 KiB boundaries oddly. */
	static const struct { uint64_t off; size_t len; } w[] = {
		{ 1, 1 }, { cs - 7, 14 }, { 3 * cs - 100, 2 * cs + 200 },
		{ 10 * cs + 4095, 5 * cs + 3 }, { size - 1, 1 }, { 0, 513 },
		{ 20 * cs - 1, 1 }, { 7 * cs, cs },
	};

	EXPECT(pool && model && got);
	EXPECT_EQ(pool_disk_create(pool, size, &d), 0);
	for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		fill(model + w[i].off, w[i].off, w[i].len, i + 1);
		EXPECT_EQ(pool_write(d, w[i].off, model + w[i].off, w[i].len), 0);
	}
	EXPECT_EQ(pool_read(d, 0, got, size), 0);
	EXPECT(memcmp(got, model, size) == 0);
	/* Unaligned reads of pieces give the same bytes. */
	for (uint64_t off = 0; off + 70001 < size; off += 70001) {
		EXPECT_EQ(pool_read(d, off + 3, got, 70001), 0);
		EXPECT(memcmp(got, model + off + 3, 70001) == 0);
	}
	pool_disk_destroy(d);
	pool_destroy(pool);
	free(model);
	free(got);
}

TEST(unwritten_reads_zero)
{
	struct pool *pool = make_pool(4 * MiB, 0, false);
	struct pool_disk *d;
	uint8_t *buf = malloc(3 * MiB), one = 0x77;
	struct pool_disk_stats ds;

	EXPECT(pool && buf);
	EXPECT_EQ(pool_disk_create(pool, 3 * MiB, &d), 0);
	memset(buf, 0xee, 3 * MiB);
	EXPECT_EQ(pool_read(d, 0, buf, 3 * MiB), 0);
	EXPECT(is_zero(buf, 3 * MiB));
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 0); /* reading populates nothing */
	EXPECT_EQ(pool_write(d, MiB + 5, &one, 1), 0);
	EXPECT_EQ(pool_read(d, 0, buf, 3 * MiB), 0);
	EXPECT_EQ(buf[MiB + 5], 0x77);
	buf[MiB + 5] = 0;
	EXPECT(is_zero(buf, 3 * MiB));
	pool_disk_destroy(d);
	pool_destroy(pool);
	free(buf);
}

TEST(bad_ranges)
{
	struct pool *pool = make_pool(4 * MiB, 0, false);
	struct pool_disk *d;
	uint8_t buf[16] = { 0 };
	void *p;

	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, MiB, &d), 0);
	EXPECT_EQ(pool_read(d, MiB - 8, buf, 16), -EINVAL);
	EXPECT_EQ(pool_write(d, MiB, buf, 1), -EINVAL);
	EXPECT_EQ(pool_write(d, UINT64_MAX - 4, buf, 16), -EINVAL);
	EXPECT_EQ(pool_discard(d, 512, UINT64_MAX), -EINVAL);
	EXPECT_EQ(pool_ptr(d, MiB, 1, true, &p), -EINVAL);
	EXPECT_EQ(pool_ptr(d, 0, 0, true, &p), -EINVAL);
	EXPECT_EQ(pool_write(d, MiB, buf, 0), 0);
	EXPECT_EQ(pool_read(d, MiB - 16, buf, 16), 0);
	pool_disk_destroy(d);
	pool_destroy(pool);
}

TEST(discard_whole_and_partial)
{
	const uint64_t cs = 64 * KiB, size = 16 * cs;
	struct pool *pool = make_pool(size, cs, false);
	uint8_t *model = malloc(size), *got = malloc(size);
	struct pool_disk *d;
	struct pool_disk_stats ds;

	EXPECT(pool && model && got);
	EXPECT_EQ(pool_disk_create(pool, size, &d), 0);
	fill(model, 0, size, 9);
	EXPECT_EQ(pool_write(d, 0, model, size), 0);
	/* Partial head in chunk 2, whole chunks 3..5, partial tail in 6. */
	uint64_t off = 2 * cs + 4096, len = 4 * cs;
	EXPECT_EQ(pool_discard(d, off, len), 0);
	memset(model + off, 0, len);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 13 * cs);
	/* Partial piece inside one chunk. */
	EXPECT_EQ(pool_discard(d, 10 * cs + 512, 1024), 0);
	memset(model + 10 * cs + 512, 0, 1024);
	EXPECT_EQ(pool_read(d, 0, got, size), 0);
	EXPECT(memcmp(got, model, size) == 0);
	/* Whole disk: everything back. */
	EXPECT_EQ(pool_discard(d, 0, size), 0);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 0);
	EXPECT_EQ(pool_read(d, 0, got, size), 0);
	EXPECT(is_zero(got, size));
	pool_disk_destroy(d);
	pool_destroy(pool);
	free(model);
	free(got);
}

/* A chunk one disk wrote and gave back reads as zeros in the next disk. */
TEST(no_data_crosses_disks)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(2 * cs, cs, false);
	uint8_t *buf = malloc(2 * cs);
	struct pool_disk *a, *b, *c;

	EXPECT(pool && buf);
	EXPECT_EQ(pool_disk_create(pool, cs, &a), 0);
	EXPECT_EQ(pool_disk_create(pool, cs, &b), 0);
	fill(buf, 0, cs, 3);
	EXPECT_EQ(pool_write(a, 0, buf, cs), 0);
	EXPECT_EQ(pool_write(b, 0, buf, cs), 0);
	/* a discards: its chunk goes back dirty; c takes it after a is gone. */
	EXPECT_EQ(pool_discard(a, 0, cs), 0);
	pool_disk_destroy(a);
	EXPECT_EQ(pool_disk_create(pool, cs, &c), 0);
	uint8_t one = 0x42;
	EXPECT_EQ(pool_write(c, 100, &one, 1), 0);
	EXPECT_EQ(pool_read(c, 0, buf, cs), 0);
	EXPECT_EQ(buf[100], 0x42);
	buf[100] = 0;
	EXPECT(is_zero(buf, cs));
	/* b's chunk goes back by destroy; c's second write reuses it. */
	pool_disk_destroy(b);
	pool_disk_destroy(c);
	EXPECT_EQ(pool_disk_create(pool, 2 * cs, &c), 0);
	EXPECT_EQ(pool_write(c, cs + 7, &one, 1), 0);
	EXPECT_EQ(pool_write(c, 7, &one, 1), 0);
	EXPECT_EQ(pool_read(c, 0, buf, 2 * cs), 0);
	buf[7] = buf[cs + 7] = 0;
	EXPECT(is_zero(buf, 2 * cs));
	pool_disk_destroy(c);
	pool_destroy(pool);
	free(buf);
}

TEST(reservation_refused)
{
	struct pool *pool = make_pool(4 * MiB, 0, false);
	struct pool_disk *a, *b;
	struct pool_stats st;

	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, 3 * MiB, &a), 0);
	EXPECT_EQ(pool_disk_create(pool, 2 * MiB, &b), -ENOSPC);
	/* Far too big: refused before its (16 GiB) chunk table is allocated. */
	EXPECT_EQ(pool_disk_create(pool, 1ull << 51, &b), -ENOSPC);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.reserved, 3 * MiB);
	EXPECT_EQ(st.disks, 1);
	EXPECT_EQ(pool_disk_create(pool, MiB, &b), 0);
	EXPECT_EQ(pool_disk_resize(b, 2 * MiB), -ENOSPC);
	EXPECT_EQ(pool_disk_size(b), MiB);
	pool_disk_destroy(a);
	EXPECT_EQ(pool_disk_create(pool, 3 * MiB, &a), 0);
	pool_disk_destroy(a);
	pool_disk_destroy(b);
	pool_destroy(pool);
}

/* The pool rounding case end to end: 1536K + 1536K fill a 4 MiB pool of
 * 1 MiB chunks; a 1M disk is refused, and every byte of the first two
 * can be written. */
TEST(reservation_whole_chunks)
{
	struct pool *pool = make_pool(4 * MiB, MiB, false);
	struct pool_disk *a, *b, *c;
	struct pool_stats st;
	uint8_t *buf = malloc(1536 * 1024);

	EXPECT(pool && buf);
	memset(buf, 0x5a, 1536 * 1024);
	EXPECT_EQ(pool_disk_create(pool, 1536 * 1024, &a), 0);
	EXPECT_EQ(pool_disk_create(pool, 1536 * 1024, &b), 0);
	EXPECT_EQ(pool_disk_create(pool, MiB, &c), -ENOSPC);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.reserved, 4 * MiB);
	EXPECT_EQ(pool_write(a, 0, buf, 1536 * 1024), 0);
	EXPECT_EQ(pool_write(b, 0, buf, 1536 * 1024), 0);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.alloc_failures, 0);
	pool_disk_destroy(a);
	EXPECT_EQ(pool_disk_create(pool, 2 * MiB, &c), 0);
	pool_disk_destroy(c);
	pool_disk_destroy(b);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.reserved, 0);
	pool_destroy(pool);
	free(buf);
}

TEST(overcommit_exhaustion)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(4 * cs, cs, true);
	uint8_t *buf = malloc(cs);
	struct pool_disk *a, *b;
	struct pool_stats st;
	struct pool_disk_stats ds;

	EXPECT(pool && buf);
	EXPECT_EQ(pool_disk_create(pool, 16 * cs, &a), 0);
	EXPECT_EQ(pool_disk_create(pool, 16 * cs, &b), 0);
	fill(buf, 0, cs, 5);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(pool_write(a, (uint64_t)i * cs, buf, cs), 0);
	EXPECT_EQ(pool_write(b, 0, buf, cs), 0);
	EXPECT_EQ(pool_write(a, 5 * cs, buf, 1), -ENOSPC);
	EXPECT_EQ(pool_write(b, 5 * cs, buf, cs), -ENOSPC);
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.alloc_failures, 2);
	EXPECT_EQ(st.used, 4 * cs);
	EXPECT_EQ(st.reserved, 32 * cs);
	pool_disk_get_stats(a, &ds);
	EXPECT_EQ(ds.alloc_failures, 1);
	/* Populated chunks still work; unpopulated still read zero. */
	EXPECT_EQ(pool_write(a, 10, buf, 100), 0);
	EXPECT_EQ(pool_read(a, 5 * cs, buf, cs), 0);
	EXPECT(is_zero(buf, cs));
	/* Free one and the pool works again. */
	EXPECT_EQ(pool_discard(a, cs, cs), 0);
	fill(buf, 0, cs, 6);
	EXPECT_EQ(pool_write(b, 5 * cs, buf, cs), 0);
	uint8_t *got = malloc(cs);
	EXPECT(got);
	EXPECT_EQ(pool_read(b, 5 * cs, got, cs), 0);
	int same = memcmp(got, buf, cs) == 0;
	free(got);
	EXPECT(same);
	pool_disk_destroy(a);
	pool_disk_destroy(b);
	pool_destroy(pool);
	free(buf);
}

TEST(resize)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(8 * cs, cs, false);
	uint8_t *buf = malloc(8 * cs), *pat = malloc(8 * cs);
	struct pool_disk *d;
	struct pool_disk_stats ds;

	EXPECT(pool && buf && pat);
	EXPECT_EQ(pool_disk_create(pool, 2 * cs, &d), 0);
	fill(pat, 0, 8 * cs, 8);
	EXPECT_EQ(pool_write(d, 0, pat, 2 * cs), 0);
	/* Grow: old data stays, the new part reads zero and is writable. */
	EXPECT_EQ(pool_disk_resize(d, 6 * cs), 0);
	EXPECT_EQ(pool_disk_size(d), 6 * cs);
	EXPECT_EQ(pool_read(d, 0, buf, 6 * cs), 0);
	EXPECT(memcmp(buf, pat, 2 * cs) == 0);
	EXPECT(is_zero(buf + 2 * cs, 4 * cs));
	EXPECT_EQ(pool_write(d, 0, pat, 6 * cs), 0);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 6 * cs);
	/* Shrink to a ragged size: chunks past the end go back. */
	uint64_t ragged = 2 * cs + 4096;
	EXPECT_EQ(pool_disk_resize(d, ragged), 0);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 3 * cs);
	EXPECT_EQ(pool_read(d, ragged, buf, 1), -EINVAL);
	/* Grow again: everything past the old ragged end reads zero. */
	EXPECT_EQ(pool_disk_resize(d, 8 * cs), 0);
	EXPECT_EQ(pool_read(d, 0, buf, 8 * cs), 0);
	EXPECT(memcmp(buf, pat, ragged) == 0);
	EXPECT(is_zero(buf + ragged, 8 * cs - ragged));
	EXPECT_EQ(pool_disk_resize(d, 9 * cs), -ENOSPC);
	EXPECT_EQ(pool_disk_resize(d, 1000), -EINVAL);
	pool_disk_destroy(d);
	pool_destroy(pool);
	free(buf);
	free(pat);
}

static int tmp_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	return snprintf(buf, len, "%s/memback-test-%d-%s", dir, (int)getpid(), name);
}

TEST(load_save_round_trip)
{
	const uint64_t cs = 64 * KiB, size = 32 * cs;
	struct pool *pool = make_pool(2 * size, cs, false);
	uint8_t *model = calloc(1, size), *got = malloc(size);
	struct pool_disk *a, *b;
	struct pool_disk_stats ds;
	char path[256];
	struct stat st;

	EXPECT(pool && model && got);
	tmp_path(path, sizeof(path), "img");
	EXPECT_EQ(pool_disk_create(pool, size, &a), 0);
	fill(model + 3 * cs + 5, 3 * cs + 5, 2 * cs, 11);
	fill(model + size - 100, size - 100, 100, 12);
	EXPECT_EQ(pool_write(a, 3 * cs + 5, model + 3 * cs + 5, 2 * cs), 0);
	EXPECT_EQ(pool_write(a, size - 100, model + size - 100, 100), 0);
	EXPECT_EQ(pool_write(a, 20 * cs, got, 0), 0);
	uint8_t zeros[4096] = { 0 };
	EXPECT_EQ(pool_write(a, 10 * cs, zeros, sizeof(zeros)), 0); /* all-zero chunk */
	EXPECT_EQ(pool_disk_save(a, path), 0);
	EXPECT_EQ(stat(path, &st), 0);
	EXPECT_EQ((uint64_t)st.st_size, size);
	EXPECT((uint64_t)st.st_blocks * 512 < size); /* sparse */
	EXPECT_EQ(pool_disk_create(pool, size, &b), 0);
	fill(got, 0, size, 13);
	EXPECT_EQ(pool_write(b, 0, got, size), 0); /* old content to replace */
	EXPECT_EQ(pool_disk_load(b, path), 0);
	EXPECT_EQ(pool_read(b, 0, got, size), 0);
	EXPECT(memcmp(got, model, size) == 0);
	pool_disk_get_stats(b, &ds);
	EXPECT_EQ(ds.used, 4 * cs); /* thin: zero blocks not stored */
	pool_disk_destroy(a);
	pool_disk_destroy(b);
	/* An image larger than the disk is refused. */
	EXPECT_EQ(pool_disk_create(pool, size / 2, &a), 0);
	EXPECT_EQ(pool_disk_load(a, path), -EFBIG);
	EXPECT_EQ(pool_disk_load(a, "/nonexistent/memback.img"), -ENOENT);
	EXPECT_EQ(pool_disk_save(a, "/nonexistent/memback.img"), -ENOENT);
	pool_disk_destroy(a);
	unlink(path);
	pool_destroy(pool);
	free(model);
	free(got);
}

TEST(load_short_image)
{
	const uint64_t cs = 64 * KiB, size = 4 * cs;
	struct pool *pool = make_pool(size, cs, false);
	uint8_t *buf = malloc(size);
	struct pool_disk *d;
	char path[256];

	EXPECT(pool && buf);
	tmp_path(path, sizeof(path), "short");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	EXPECT(fd >= 0);
	fill(buf, 0, cs + 1000, 21);
	EXPECT_EQ(write(fd, buf, cs + 1000), (ssize_t)(cs + 1000));
	close(fd);
	EXPECT_EQ(pool_disk_create(pool, size, &d), 0);
	memset(buf, 0xff, size);
	EXPECT_EQ(pool_write(d, 0, buf, size), 0);
	EXPECT_EQ(pool_disk_load(d, path), 0);
	unlink(path);
	EXPECT_EQ(pool_read(d, 0, buf, size), 0);
	for (uint64_t i = 0; i < cs + 1000; i++)
		EXPECT_EQ(buf[i], pattern_byte(i, 21));
	EXPECT(is_zero(buf + cs + 1000, size - cs - 1000));
	pool_disk_destroy(d);
	pool_destroy(pool);
	free(buf);
}

/* Both discards give a freed chunk's pages back to the kernel at once (the
 * memory reads as zeros); a secure one clears them before. */
TEST(secure_discard_wipes_now)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(4 * cs, cs, false);
	struct pool_disk *d;
	struct pool_disk_stats ds;
	uint8_t data[cs];
	void *p, *q;

	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, 4 * cs, &d), 0);
	memset(data, 0x6b, sizeof(data));
	EXPECT_EQ(pool_write(d, 0, data, cs), 0);
	EXPECT_EQ(pool_write(d, cs, data, cs), 0);
	EXPECT_EQ(pool_ptr(d, 0, 100, false, &p), 100);
	pool_ptr_done(d, 0);
	EXPECT_EQ(pool_ptr(d, cs, 100, false, &q), 100);
	pool_ptr_done(d, cs);
	EXPECT_EQ(pool_discard(d, 0, cs), 0);
	EXPECT_EQ(pool_discard_secure(d, cs, cs), 0);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 0);
	EXPECT(is_zero(p, 100)); /* the pool's memory, unpinned: a hole */
	EXPECT(is_zero(q, 100));
	EXPECT(is_zero((uint8_t *)q + cs - 100, 100));
	EXPECT_EQ(pool_discard_secure(d, 4 * cs, cs), -EINVAL);
	pool_disk_destroy(d);
	pool_destroy(pool);
}

/* Freed and discarded memory goes back to the kernel: whole pages of a
 * partial discard, whole chunks, a destroyed disk; what is left reads as
 * it was written. */
TEST(freed_memory_goes_back)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(8 * cs, cs, false);
	struct pool_disk *d;
	struct pool_stats st;
	uint64_t base, full;
	uint8_t data[cs], got[cs];

	EXPECT(pool);
	pool_get_stats(pool, &st);
	base = st.resident;
	EXPECT_EQ(pool_disk_create(pool, 8 * cs, &d), 0);
	memset(data, 0x5a, sizeof(data));
	for (unsigned i = 0; i < 4; i++)
		EXPECT_EQ(pool_write(d, i * cs, data, cs), 0);
	pool_get_stats(pool, &st);
	full = st.resident;
	/* The chunks, and the pages of the device table and owner map. */
	EXPECT(full - base >= 4 * cs && full - base <= 4 * cs + 2 * 4096);
	/* Sectors 8..40 of chunk 0: pages 1..4 go, the rest is cleared. */
	EXPECT_EQ(pool_discard(d, 4096 + 512, 4 * 4096), 0);
	pool_get_stats(pool, &st);
	EXPECT_EQ(full - st.resident, 3 * 4096);
	EXPECT_EQ(pool_discard(d, cs, cs), 0);
	pool_get_stats(pool, &st);
	EXPECT_EQ(full - st.resident, cs + 3 * 4096);
	/* Reading a hole of a shared memfd brings its page back. */
	EXPECT_EQ(pool_read(d, 0, got, cs), 0);
	EXPECT(memcmp(got, data, 4096 + 512) == 0);
	EXPECT(is_zero(got + 4096 + 512, 4 * 4096));
	EXPECT(memcmp(got + 5 * 4096 + 512, data, cs - 5 * 4096 - 512) == 0);
	pool_disk_destroy(d);
	pool_get_stats(pool, &st);
	EXPECT(st.resident - base <= 2 * 4096);
	pool_destroy(pool);
}

TEST(direct_pointers)
{
	const uint64_t cs = 64 * KiB;
	struct pool *pool = make_pool(4 * cs, cs, false);
	struct pool_disk *d;
	struct pool_disk_stats ds;
	uint8_t buf[100];
	void *p;

	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, 4 * cs, &d), 0);
	EXPECT_EQ(pool_ptr(d, cs + 10, 100, false, &p), 100);
	EXPECT(p == NULL);
	/* The run stops at the chunk's end. */
	EXPECT_EQ(pool_ptr(d, cs - 10, 100, true, &p), 10);
	EXPECT(p != NULL);
	memset(p, 0x33, 10);
	pool_ptr_done(d, cs - 10);
	EXPECT_EQ(pool_read(d, cs - 10, buf, 10), 0);
	EXPECT_EQ(buf[0], 0x33);
	EXPECT_EQ(buf[9], 0x33);
	/* A pinned chunk is zeroed, not given back, by discard. */
	EXPECT_EQ(pool_ptr(d, 0, 100, false, &p), 100);
	EXPECT(p != NULL);
	EXPECT_EQ(pool_discard(d, 0, cs), 0);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, cs);
	EXPECT(is_zero(p, 100));
	pool_ptr_done(d, 0);
	EXPECT_EQ(pool_discard(d, 0, cs), 0);
	pool_disk_get_stats(d, &ds);
	EXPECT_EQ(ds.used, 0);
	pool_disk_destroy(d);
	pool_destroy(pool);
}

TEST(device_slots_run_out)
{
	struct pool *pool = make_pool(MiB, 0, true);
	static struct pool_disk *disks[1025];
	int n = 0, rc;

	EXPECT(pool);
	while ((rc = pool_disk_create(pool, 512, &disks[n])) == 0 && n < 1024)
		n++;
	EXPECT_EQ(n, 1024);
	EXPECT_EQ(rc, -EMFILE);
	/* pool_destroy takes the rest (and logs a warning for each). */
	for (int i = 0; i < n - 2; i++)
		pool_disk_destroy(disks[i]);
	log_set_level(LOG_ERR);
	pool_destroy(pool);
	log_set_level(LOG_INFO);
}

TEST(mlock_and_hugepages)
{
	struct pool_config cfg = { .size = 4 * MiB, .mlock = true, .hugepages = true };
	struct pool *pool = NULL;
	struct pool_disk *d;
	uint8_t b = 9;

	int rc = pool_create(&cfg, &pool);
	if (rc == -EPERM || rc == -ENOMEM || rc == -EAGAIN) {
		printf("# mlock not permitted here (%d): huge pages only\n", rc);
		cfg.mlock = false;
		rc = pool_create(&cfg, &pool);
	}
	EXPECT_EQ(rc, 0);
	printf("# huge pages in use: %s\n", pool_uses_hugepages(pool) ? "yes" : "no");
	EXPECT_EQ(pool_disk_create(pool, 4 * MiB, &d), 0);
	EXPECT_EQ(pool_write(d, 4 * MiB - 1, &b, 1), 0);
	b = 0;
	EXPECT_EQ(pool_read(d, 4 * MiB - 1, &b, 1), 0);
	EXPECT_EQ(b, 9);
	pool_disk_destroy(d);
	pool_destroy(pool);
}

int main(void)
{
	RUN(create_and_stats);
	RUN(create_rejects);
	RUN(unaligned_rw_across_chunks);
	RUN(unwritten_reads_zero);
	RUN(bad_ranges);
	RUN(discard_whole_and_partial);
	RUN(no_data_crosses_disks);
	RUN(reservation_refused);
	RUN(reservation_whole_chunks);
	RUN(overcommit_exhaustion);
	RUN(resize);
	RUN(load_save_round_trip);
	RUN(load_short_image);
	RUN(secure_discard_wipes_now);
	RUN(freed_memory_goes_back);
	RUN(direct_pointers);
	RUN(device_slots_run_out);
	RUN(mlock_and_hugepages);
	return UNIT_RESULT();
}
