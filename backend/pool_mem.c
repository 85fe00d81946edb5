/* The pool's memory: a memfd (huge pages where asked and available), mapped
 * shared so a restarted daemon handed the fd sees the same bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

/* memfd of layout->file_size bytes, mapped; -errno on failure. */
static int map_memfd(struct pool *pool, unsigned flags, const struct pool_layout *layout)
{
	int fd = memfd_create("memback-pool", MFD_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)layout->file_size) < 0)
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
		if (rc == 0)
			goto mapped;
		log_warn("pool: huge pages unavailable (%s), using normal pages",
			 strerror(-rc));
	}
	rc = pool_layout_compute(cfg->size, chunk_size,
				 (uint64_t)sysconf(_SC_PAGESIZE), layout);
	if (rc)
		return rc;
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
