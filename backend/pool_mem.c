/* The pool's memory: a file in the state directory, which a restarted daemon
 * adopts (restart.c's contract: DESIGN.md §7), or a memfd that dies with the
 * process (no state directory; huge pages). Mapped shared either way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pool_int.h"

#define HUGEPAGE_DEFAULT (2u << 20)

/* The system's default huge page size, from /proc/meminfo. */
static uint64_t hugepage_size(void)
{
	char line[128];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return HUGEPAGE_DEFAULT;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1)
			break;
	fclose(f);
	if (kb == 0 || (kb & (kb - 1)))
		return HUGEPAGE_DEFAULT;
	return (uint64_t)kb << 10;
}

/* Map fd's layout->file_size bytes (made that size unless `keep`); the
 * pool owns fd from here on, also on failure. */
static int map_fd(struct pool *pool, int fd, bool keep, const struct pool_layout *layout)
{
	if (!keep && ftruncate(fd, (off_t)layout->file_size) < 0)
		goto fail;
	/* For hugetlbfs the pages are reserved here, so a shortage shows now
	 * rather than as SIGBUS on first touch. */
	void *p = mmap(NULL, layout->file_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	/* Guest data never lands in a core dump of the daemon. */
	if (madvise(p, layout->file_size, MADV_DONTDUMP) < 0)
		log_warn("pool: MADV_DONTDUMP: %s", strerror(errno));
	pool->fd = fd;
	pool->map = p;
	pool->map_len = layout->file_size;
	return 0;
fail:;
	int rc = -errno;
	close(fd);
	return rc;
}

/* memfd of layout->file_size bytes, mapped; -errno on failure. */
static int map_memfd(struct pool *pool, unsigned flags, const struct pool_layout *layout)
{
	int fd = memfd_create("memback-pool", MFD_CLOEXEC | flags);

	return fd < 0 ? -errno : map_fd(pool, fd, false, layout);
}

static void layout_of(const struct pool_header *h, struct pool_layout *l)
{
	*l = (struct pool_layout){ .nchunks = h->nchunks, .table_off = h->table_off,
				   .owner_off = h->owner_off, .data_off = h->data_off,
				   .file_size = h->file_size };
}

/* The header of the file fd (st_size bytes): 0 and *l to adopt it,
 * -ENODATA to start afresh, or -EPROTO (logged: the file is refused). */
static int read_header(int fd, const char *path, uint64_t st_size, struct pool_layout *l)
{
	struct pool_header h = { 0 };
	char why[160];

	if (st_size < sizeof(h))
		return -ENODATA; /* died before its size was set: never used */
	ssize_t n = pread(fd, &h, sizeof(h), 0);
	if (n != (ssize_t)sizeof(h))
		return n < 0 ? -errno : -EIO;
	int rc = pool_header_check(&h, st_size, why, sizeof(why));
	if (rc == -EPROTO)
		log_err("pool: %s: %s; refused and left as it is (move it away to start "
			"afresh, losing the disks it holds)", path, why);
	if (rc == 0)
		layout_of(&h, l);
	return rc;
}

/* The pool's file at path: adopted when a previous daemon left one, else
 * made for *layout. Locked for as long as we run (-EBUSY: another
 * memback holds it). */
static int open_file(struct pool *pool, const char *path, struct pool_layout *layout)
{
	struct stat st;
	int rc, fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);

	if (fd < 0) {
		rc = -errno;
		log_err("pool: cannot open %s: %s", path, strerror(errno));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		log_err("pool: %s is in use by another memback", path);
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		log_err("pool: %s is not a regular file", path);
		goto fail;
	}
	rc = read_header(fd, path, (uint64_t)st.st_size, layout);
	if (rc == 0)
		pool->adopted = true;
	else if (rc != -ENODATA || ftruncate(fd, 0) < 0)
		goto fail;
	rc = map_fd(pool, fd, pool->adopted, layout);
	if (rc)
		log_err("pool: cannot map %s: %s", path, strerror(-rc));
	return rc;
fail:
	close(fd);
	return rc ? rc : -EIO;
}

static int open_hugetlb(struct pool *pool, const struct pool_config *cfg,
			uint64_t chunk_size, struct pool_layout *layout)
{
	uint64_t hp = hugepage_size();
	int rc = pool_layout_compute(cfg->size, chunk_size, hp, layout);
	if (rc)
		return rc;
	rc = map_memfd(pool, MFD_HUGETLB, layout);
	if (rc == 0) {
		pool->hugepages = true;
		pool->punch_align = hp;
	}
	return rc;
}

int pool_mem_open(struct pool *pool, const struct pool_config *cfg,
		  uint64_t chunk_size, struct pool_layout *layout)
{
	int rc;

	if (cfg->hugepages) {
		rc = open_hugetlb(pool, cfg, chunk_size, layout);
		if (rc == 0) {
			if (cfg->path)
				log_warn("pool: huge pages live in a memfd here: a restart of "
					 "memback keeps no disk");
			goto mapped;
		}
		log_warn("pool: huge pages unavailable (%s), using normal pages",
			 strerror(-rc));
	}
	rc = pool_layout_compute(cfg->size, chunk_size,
				 (uint64_t)sysconf(_SC_PAGESIZE), layout);
	if (rc)
		return rc;
	if (cfg->path) {
		rc = open_file(pool, cfg->path, layout);
		pool->punch_align = (uint64_t)sysconf(_SC_PAGESIZE);
		pool->persistent = rc == 0;
		if (rc)
			return rc;
		goto mapped;
	}
	rc = map_memfd(pool, 0, layout);
	pool->punch_align = (uint64_t)sysconf(_SC_PAGESIZE);
	if (rc) {
		log_err("pool: cannot create %llu-byte memfd: %s",
			(unsigned long long)layout->file_size, strerror(-rc));
		return rc;
	}
mapped:
	if (cfg->mlock) {
		/* Faults in and locks the whole pool: the disk never swaps. */
		if (mlock(pool->map, pool->map_len) < 0) {
			rc = -errno;
			log_err("pool: mlock of %zu bytes failed: %s (RLIMIT_MEMLOCK?)",
				pool->map_len, strerror(errno));
			pool_mem_close(pool);
			return rc;
		}
		pool->mlocked = true;
	}
	return 0;
}

bool pool_mem_punch(struct pool *pool, const uint8_t *addr, uint64_t len)
{
	uint64_t a = pool->punch_align, off, end;

	if (a == 0 || addr < pool->data)
		return false;
	off = pool->data_off + (uint64_t)(addr - pool->data);
	end = (off + len) / a * a;
	off = (off + a - 1) / a * a;
	if (end <= off)
		return false;
	/* KEEP_SIZE: the file keeps its size, the range reads as zeros. Works
	 * on an mlocked mapping too, where MADV_REMOVE does not. */
	return fallocate(pool->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)off, (off_t)(end - off)) == 0;
}

uint64_t pool_mem_resident(const struct pool *pool)
{
	struct stat st;

	if (fstat(pool->fd, &st) < 0)
		return 0;
	return (uint64_t)st.st_blocks * 512u;
}

void pool_mem_close(struct pool *pool)
{
	if (pool->map) {
		if (pool->mlocked)
			munlock(pool->map, pool->map_len);
		munmap(pool->map, pool->map_len);
		pool->map = NULL;
	}
	if (pool->fd >= 0) {
		close(pool->fd);
		pool->fd = -1;
	}
}
