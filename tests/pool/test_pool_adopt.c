/* The pool's file across a restart: a new pool on the same file adopts
 * every published disk with its data and record; unpublished disks and
 * the chunks of destroyed ones are free; the file is locked while in use;
 * a file of another format is refused and left as it is; and a process
 * killed at random instants while it writes, discards, resizes, creates
 * and destroys disks always leaves a file that adopts to a sane pool, in
 * which no disk holds a byte of another disk's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pool.h"
#include "../unit.h"

#define MiB (1ull << 20)
#define CHUNK (64u << 10)

static char dir[64], path[96];

/* The write the child has in flight when it is killed: those bytes may be
 * torn (part old, part new), like a real disk's. In memory shared with
 * the parent. */
struct inflight_write {
	volatile uint32_t slot;
	volatile uint64_t off, len;
};
static struct inflight_write *in_flight;

static struct pool *open_pool(uint64_t size, int *rc_out)
{
	struct pool_config cfg = { .size = size, .chunk_size = CHUNK, .path = path };
	struct pool *pool = NULL;
	int rc = pool_create(&cfg, &pool);

	if (rc_out)
		*rc_out = rc;
	return rc ? NULL : pool;
}

static void fresh_file(void)
{
	unlink(path);
}

/* Every 512-byte sector written carries who wrote it where. */
struct tag {
	uint32_t slot;
	uint32_t magic;
	uint64_t off;
};
#define TAG_MAGIC 0x54414721u

static void tagged(uint8_t *buf, size_t len, uint32_t slot, uint64_t off)
{
	memset(buf, 0xa5, len);
	for (size_t i = 0; i + 512 <= len; i += 512) {
		struct tag t = { slot, TAG_MAGIC, off + i };
		memcpy(buf + i, &t, sizeof(t));
	}
}

static struct pool_disk *find_slot(struct pool *pool, uint32_t slot)
{
	for (struct pool_disk *d = NULL; (d = pool_disk_next(pool, d));)
		if (pool_disk_slot(d) == slot)
			return d;
	return NULL;
}

TEST(published_disks_come_back)
{
	struct pool *pool;
	struct pool_disk *a, *b, *c;
	uint8_t buf[4096], got[4096];

	fresh_file();
	pool = open_pool(8 * MiB, NULL);
	EXPECT(pool && pool_is_persistent(pool) && !pool_was_adopted(pool));
	EXPECT_EQ(pool_disk_create(pool, 1 * MiB, &a), 0);
	EXPECT_EQ(pool_disk_create(pool, 2 * MiB, &b), 0);
	EXPECT_EQ(pool_disk_create(pool, 1 * MiB, &c), 0);
	strcpy(pool_disk_record(a), "record of a");
	pool_disk_publish(a);
	pool_disk_publish(b);
	/* c never published: a restart frees it. */
	tagged(buf, sizeof(buf), 1, 4096);
	EXPECT_EQ(pool_write(a, 4096, buf, sizeof(buf)), 0);
	EXPECT_EQ(pool_write(b, 2 * MiB - 4096, buf, sizeof(buf)), 0);
	EXPECT_EQ(pool_write(c, 0, buf, sizeof(buf)), 0);
	uint32_t sa = pool_disk_slot(a), sb = pool_disk_slot(b);
	pool_close(pool);

	pool = open_pool(8 * MiB, NULL);
	EXPECT(pool && pool_was_adopted(pool));
	a = find_slot(pool, sa);
	b = find_slot(pool, sb);
	EXPECT(a && b);
	EXPECT(pool_disk_next(pool, pool_disk_next(pool, pool_disk_next(pool, NULL))) == NULL);
	EXPECT(strcmp(pool_disk_record(a), "record of a") == 0);
	EXPECT_EQ(pool_disk_size(b), 2 * MiB);
	EXPECT_EQ(pool_read(a, 4096, got, sizeof(got)), 0);
	EXPECT(memcmp(got, buf, sizeof(buf)) == 0);
	EXPECT_EQ(pool_read(b, 2 * MiB - 4096, got, sizeof(got)), 0);
	EXPECT(memcmp(got, buf, sizeof(buf)) == 0);
	struct pool_stats st;
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.used, 2 * CHUNK);       /* c's chunk went back */
	EXPECT_EQ(st.reserved, 3 * MiB);
	/* A new disk after the restart starts from zeros. */
	EXPECT_EQ(pool_disk_create(pool, 1 * MiB, &c), 0);
	EXPECT_EQ(pool_read(c, 0, got, sizeof(got)), 0);
	for (size_t i = 0; i < sizeof(got); i++)
		EXPECT(got[i] == 0);
	pool_destroy(pool);
}

TEST(destroyed_disk_is_gone_after_restart)
{
	struct pool *pool;
	struct pool_disk *a;
	uint8_t buf[4096];

	fresh_file();
	pool = open_pool(4 * MiB, NULL);
	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, 1 * MiB, &a), 0);
	pool_disk_publish(a);
	tagged(buf, sizeof(buf), 0, 0);
	EXPECT_EQ(pool_write(a, 0, buf, sizeof(buf)), 0);
	pool_disk_destroy(a);
	pool_close(pool);
	pool = open_pool(4 * MiB, NULL);
	EXPECT(pool && pool_was_adopted(pool));
	EXPECT(pool_disk_next(pool, NULL) == NULL);
	struct pool_stats st;
	pool_get_stats(pool, &st);
	EXPECT_EQ(st.used, 0);
	EXPECT_EQ(st.reserved, 0);
	pool_destroy(pool);
}

TEST(file_in_use_is_refused)
{
	int rc;
	struct pool *pool, *second;

	fresh_file();
	pool = open_pool(4 * MiB, NULL);
	EXPECT(pool);
	second = open_pool(4 * MiB, &rc);
	EXPECT(second == NULL);
	EXPECT_EQ(rc, -EBUSY);
	pool_destroy(pool);
}

static void patch_file(off_t off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (pwrite(fd, bytes, n, off) != (ssize_t)n)
			perror("pwrite");
		close(fd);
	}
}

static bool file_equals(const char *a, const char *b)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", a, b);
	return system(cmd) == 0;
}

TEST(other_version_or_damage_is_refused_and_kept)
{
	struct pool *pool;
	struct pool_disk *a;
	char copy[128];
	int rc;
	uint32_t v1 = 1, bad_magic = 0x12345678;

	fresh_file();
	pool = open_pool(4 * MiB, NULL);
	EXPECT(pool);
	EXPECT_EQ(pool_disk_create(pool, 1 * MiB, &a), 0);
	pool_disk_publish(a);
	pool_close(pool);
	patch_file(8, &v1, sizeof(v1)); /* the header's version field */
	snprintf(copy, sizeof(copy), "%s.copy", path);
	EXPECT(system("true") == 0);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "cp %s %s", path, copy);
	EXPECT(system(cmd) == 0);
	pool = open_pool(4 * MiB, &rc);
	EXPECT(pool == NULL);
	EXPECT_EQ(rc, -EPROTO);
	EXPECT(file_equals(path, copy));
	v1 = 2;
	patch_file(8, &v1, sizeof(v1));
	patch_file(0, &bad_magic, sizeof(bad_magic));
	pool = open_pool(4 * MiB, &rc);
	EXPECT(pool == NULL);
	EXPECT_EQ(rc, -EPROTO);
	unlink(copy);
}

TEST(zero_header_starts_afresh)
{
	struct pool *pool;
	uint8_t zeros[4096] = { 0 };

	fresh_file();
	pool = open_pool(4 * MiB, NULL);
	EXPECT(pool);
	pool_close(pool);
	patch_file(0, zeros, sizeof(zeros)); /* a daemon killed while making it */
	pool = open_pool(4 * MiB, NULL);
	EXPECT(pool && !pool_was_adopted(pool));
	pool_destroy(pool);
}

/* The child: random operations on its disks until killed. */
static void churn(unsigned seed)
{
	struct pool *pool = open_pool(8 * MiB, NULL);
	struct pool_disk *disks[6] = { 0 };
	uint8_t buf[3 * CHUNK];

	if (!pool)
		_exit(3);
	srand(seed);
	for (;;) {
		unsigned i = (unsigned)rand() % 6;
		struct pool_disk *d = disks[i];
		if (!d) {
			if (pool_disk_create(pool, (1 + (unsigned)rand() % 16) * CHUNK, &d) == 0) {
				pool_disk_publish(d);
				disks[i] = d;
			}
			continue;
		}
		uint64_t size = pool_disk_size(d), off = ((uint64_t)rand() % (size / 512)) * 512;
		size_t len = (size_t)(1 + (unsigned)rand() % (sizeof(buf) / 512)) * 512;
		if (len > size - off)
			len = (size_t)(size - off);
		switch (rand() % 10) {
		case 0:
			pool_disk_destroy(d);
			disks[i] = NULL;
			break;
		case 1:
			pool_disk_resize(d, (1 + (unsigned)rand() % 16) * CHUNK);
			break;
		case 2:
			pool_discard(d, off, len);
			break;
		default:
			tagged(buf, len, pool_disk_slot(d), off);
			in_flight->slot = pool_disk_slot(d);
			in_flight->off = off;
			in_flight->len = len;
			__sync_synchronize();
			pool_write(d, off, buf, len);
			__sync_synchronize();
			in_flight->len = 0;
		}
	}
}

/* After adoption: every sector of every disk is zero or carries its own
 * disk's tag at its own offset. */
static bool pool_is_sane(struct pool *pool, uint64_t *sectors)
{
	uint8_t sec[512];
	struct pool_stats st;
	uint64_t populated = 0;

	for (struct pool_disk *d = NULL; (d = pool_disk_next(pool, d));) {
		struct pool_disk_stats ds;
		pool_disk_get_stats(d, &ds);
		populated += ds.used;
		for (uint64_t off = 0; off < pool_disk_size(d); off += 512) {
			struct tag t;
			if (pool_read(d, off, sec, sizeof(sec)))
				return false;
			memcpy(&t, sec, sizeof(t));
			bool zero = true;
			for (size_t i = 0; i < sizeof(sec) && zero; i++)
				zero = sec[i] == 0;
			if (zero)
				continue;
			if (pool_disk_slot(d) == in_flight->slot && off >= in_flight->off &&
			    off < in_flight->off + in_flight->len)
				continue; /* torn: the write the kill cut short */
			if (t.magic != TAG_MAGIC || t.slot != pool_disk_slot(d) || t.off != off) {
				printf("# slot %u off %llu holds slot %u off %llu\n", pool_disk_slot(d),
				       (unsigned long long)off, t.slot, (unsigned long long)t.off);
				return false;
			}
			(*sectors)++;
		}
	}
	pool_get_stats(pool, &st);
	return st.used == populated;
}

TEST(kill_at_random_instants_leaves_a_sane_pool)
{
	uint64_t sectors = 0;
	unsigned kills = 40;

	fresh_file();
	in_flight = mmap(NULL, sizeof(*in_flight), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	EXPECT(in_flight != MAP_FAILED);
	for (unsigned k = 0; k < kills; k++) {
		in_flight->len = 0;
		pid_t pid = fork();
		EXPECT(pid >= 0);
		if (pid == 0)
			churn(k + 1);
		struct timespec ts = { 0, (long)(2 + (unsigned)rand() % 30) * 1000000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		EXPECT(WIFSIGNALED(status));
		struct pool *pool = open_pool(8 * MiB, NULL);
		EXPECT(pool);
		EXPECT(pool_is_sane(pool, &sectors));
		/* The torn write stays torn on the disk: mend it with zeros,
		 * so the next round checks only its own. */
		struct pool_disk *torn = find_slot(pool, in_flight->slot);
		if (in_flight->len && torn && in_flight->off < pool_disk_size(torn)) {
			static uint8_t zeros[3 * CHUNK];
			uint64_t n = pool_disk_size(torn) - in_flight->off;
			EXPECT_EQ(pool_write(torn, in_flight->off, zeros,
					     n < in_flight->len ? n : in_flight->len), 0);
		}
		pool_close(pool);
	}
	printf("# %u kills, %llu tagged sectors checked\n", kills, (unsigned long long)sectors);
	EXPECT(sectors > 0);
}

int main(void)
{
	log_set_level(LOG_ERR);
	snprintf(dir, sizeof(dir), "/tmp/test_pool_adopt.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/pool", dir);
	RUN(published_disks_come_back);
	RUN(destroyed_disk_is_gone_after_restart);
	RUN(file_in_use_is_refused);
	RUN(other_version_or_damage_is_refused_and_kept);
	RUN(zero_header_starts_afresh);
	RUN(kill_at_random_instants_leaves_a_sane_pool);
	unlink(path);
	rmdir(dir);
	return unit_failed_total ? 1 : 0;
}
