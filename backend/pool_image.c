/* Filling a disk from an image file and saving it back. All-zero blocks
 * are not stored (the disk stays thin) and are written as holes (the image
 * stays sparse). Saving goes to a temporary file (0600), fsynced, renamed
 * over the target, and the directory fsynced, so a crash mid-save never
 * leaves a half-written image. The copy buffer holds guest data: it is
 * kept out of core dumps like the pool. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_lock.h"
#include "log.h"
#include "pool_int.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Read up to n bytes at off; returns bytes read (short only at EOF). */
static ssize_t pread_full(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int pwrite_full(int fd, const void *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(fd, (const uint8_t *)buf + done, n - done,
				   off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		done += (size_t)r;
	}
	return 0;
}

static uint8_t *buf_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, n, MADV_DONTDUMP);
	return p;
}

static void buf_free(uint8_t *p, size_t n)
{
	if (p)
		munmap(p, n);
}

/* Copy the image's bytes in; zero blocks and everything past the image's
 * end are discarded so the disk reads exactly as the file. */
static int load_fd(struct pool_disk *disk, int fd, uint8_t *buf)
{
	uint64_t size = pool_disk_size(disk), cs = disk->pool->chunk_size;
	int rc = 0;

	for (uint64_t off = 0; off < size; off += cs) {
		size_t want = size - off < cs ? (size_t)(size - off) : (size_t)cs;
		ssize_t got = pread_full(fd, buf, want, (off_t)off);
		if (got < 0)
			return (int)got;
		if (all_zero(buf, (size_t)got))
			rc = pool_discard(disk, off, size - off < cs ? size - off : cs);
		else
			rc = pool_write(disk, off, buf, (size_t)got);
		if (rc == 0 && (size_t)got < want)
			rc = pool_discard(disk, off + (uint64_t)got, size - off - (uint64_t)got);
		if (rc || (size_t)got < want)
			return rc;
	}
	return 0;
}

int pool_disk_load_fd(struct pool_disk *disk, int fd, const char *path)
{
	size_t cs = disk->pool->chunk_size;
	uint8_t *buf = NULL;
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > pool_disk_size(disk)) {
		log_err("pool: image %s (%lld bytes) is larger than the disk (%llu bytes)",
			path, (long long)st.st_size,
			(unsigned long long)pool_disk_size(disk));
		return -EFBIG;
	}
	buf = buf_alloc(cs);
	if (!buf)
		return -ENOMEM;
	rc = load_fd(disk, fd, buf);
	if (rc)
		log_err("pool: loading image %s failed: %s", path, strerror(-rc));
	buf_free(buf, cs);
	return rc;
}

int pool_disk_load(struct pool_disk *disk, const char *path)
{
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		rc = -errno;
		log_err("pool: cannot open image %s: %s", path, strerror(errno));
		return rc;
	}
	rc = pool_disk_load_fd(disk, fd, path);
	close(fd);
	return rc;
}

/* Write the disk's populated, non-zero chunks; the rest stays a hole. */
static int save_fd(struct pool_disk *disk, int fd, uint8_t *buf)
{
	uint64_t size = pool_disk_size(disk), cs = disk->pool->chunk_size;
	int rc;

	for (uint64_t off = 0; off < size; off += cs) {
		size_t n = size - off < cs ? (size_t)(size - off) : (size_t)cs;
		if (!pool_entry_populated(atomic_load(&disk->table[off / cs])))
			continue;
		rc = pool_read(disk, off, buf, n);
		if (rc == 0 && !all_zero(buf, n))
			rc = pwrite_full(fd, buf, n, (off_t)off);
		if (rc)
			return rc;
	}
	if (ftruncate(fd, (off_t)size) < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* The rename is durable once the directory is synced. */
static int sync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The new image's file: unnamed (O_TMPFILE) where the file system can,
 * so that a memback killed in the middle of a save leaves nothing behind;
 * else a named temporary (*unnamed false). tmp gets the name to give it. */
static int open_new_image(const char *path, char *tmp, size_t len, bool *unnamed)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (snprintf(tmp, len, "%s.XXXXXX", path) >= (int)len)
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	*unnamed = fd >= 0;
	if (fd >= 0) {
		/* A free name for the instant between link and rename. */
		int t = mkostemp(tmp, O_CLOEXEC);
		if (t >= 0) {
			close(t);
			unlink(tmp);
		}
		return fd;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Give an unnamed file the name tmp (it is renamed over the image next). */
static int name_new_image(int fd, const char *tmp)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

int pool_disk_save_locked(struct pool_disk *disk, const char *path, int *fd_out)
{
	size_t cs = disk->pool->chunk_size;
	char tmp[PATH_MAX];
	uint8_t *buf = NULL;
	bool unnamed;
	int rc, fd;

	fd = open_new_image(path, tmp, sizeof(tmp), &unnamed);
	if (fd == -ENAMETOOLONG)
		return fd;
	if (fd < 0) {
		rc = fd;
		log_err("pool: cannot create %s: %s", tmp, strerror(-rc));
		return rc;
	}
	buf = buf_alloc(cs);
	/* Locked before it takes the name: a lock held on the old file carries
	 * over with no gap. */
	rc = buf ? image_lock_fd(fd) : -ENOMEM;
	if (rc == 0)
		rc = save_fd(disk, fd, buf);
	bool named = !unnamed;
	if (rc == 0 && unnamed)
		named = (rc = name_new_image(fd, tmp)) == 0;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc == 0)
		rc = sync_dir_of(path);
	if (rc) {
		log_err("pool: saving image %s failed: %s", path, strerror(-rc));
		if (named)
			unlink(tmp);
	}
	buf_free(buf, cs);
	if (rc == 0 && fd_out)
		*fd_out = fd;
	else
		close(fd);
	return rc;
}

int pool_disk_save(struct pool_disk *disk, const char *path)
{
	return pool_disk_save_locked(disk, path, NULL);
}
