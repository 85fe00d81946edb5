/* The state directory's files (see state_dir.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "frontend.h"
#include "log.h"
#include "pool_map.h"
#include "ring_queue.h"
#include "state_dir.h"

#define SLOT_BYTES ((size_t)FRONTEND_MAX_QUEUES * RING_INFLIGHT_BYTES)

int state_dir_open(struct state_dir *s, const char *dir)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->inflight_fd = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int rc = -errno;
		log_err("state: cannot make %s: %s", dir, strerror(errno));
		return rc;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		log_err("state: %s is not a directory of ours", dir);
		return -ENOTDIR;
	}
	/* Guest data lives here: nobody else may look. */
	if ((st.st_mode & 077) && chmod(dir, 0700) < 0) {
		int rc = -errno;
		log_err("state: cannot make %s private: %s", dir, strerror(errno));
		return rc;
	}
	if (snprintf(s->pool_path, sizeof(s->pool_path), "%s/pool", dir) >=
		    (int)sizeof(s->pool_path) ||
	    snprintf(s->inflight_path, sizeof(s->inflight_path), "%s/inflight", dir) >=
		    (int)sizeof(s->inflight_path))
		return -ENAMETOOLONG;
	return 0;
}

int state_dir_map_inflight(struct state_dir *s)
{
	size_t len = (size_t)POOL_MAX_DISKS * SLOT_BYTES;
	int rc, fd = open(s->inflight_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		goto fail;
	/* Sparse: a table's pages come as a queue first records a pass. */
	if (ftruncate(fd, (off_t)len) < 0)
		goto fail;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	madvise(p, len, MADV_DONTDUMP);
	s->inflight_fd = fd;
	s->inflight = p;
	s->inflight_len = len;
	return 0;
fail:
	rc = -errno;
	log_err("state: cannot map %s: %s", s->inflight_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

void *state_dir_inflight(const struct state_dir *s, uint32_t slot, unsigned q)
{
	if (!s->inflight || slot >= POOL_MAX_DISKS || q >= FRONTEND_MAX_QUEUES)
		return NULL;
	return s->inflight + slot * SLOT_BYTES + (size_t)q * RING_INFLIGHT_BYTES;
}

void state_dir_forget_slot(const struct state_dir *s, uint32_t slot)
{
	if (!s->inflight || slot >= POOL_MAX_DISKS)
		return;
	if (fallocate(s->inflight_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(slot * SLOT_BYTES), (off_t)SLOT_BYTES) < 0)
		memset(s->inflight + slot * SLOT_BYTES, 0, SLOT_BYTES);
}

void state_dir_check_room(const struct state_dir *s, uint64_t pool_bytes, uint64_t used)
{
	struct statvfs fs;

	if (!s->pool_path[0] || statvfs(s->pool_path, &fs) < 0)
		return;
	uint64_t total = (uint64_t)fs.f_blocks * fs.f_frsize;
	uint64_t avail = (uint64_t)fs.f_bavail * fs.f_frsize;
	uint64_t need = pool_bytes > used ? pool_bytes - used : 0;
	if (total < pool_bytes)
		log_warn("state: the file system of %s holds %llu MiB, less than the %llu MiB "
			 "pool: a write past that kills memback (mount a larger tmpfs there, "
			 "or lower pool-size)", s->pool_path, (unsigned long long)(total >> 20),
			 (unsigned long long)(pool_bytes >> 20));
	else if (avail < need)
		log_warn("state: %s has %llu MiB free, the pool may grow by %llu MiB: other "
			 "users of that file system can make memback fail", s->pool_path,
			 (unsigned long long)(avail >> 20), (unsigned long long)(need >> 20));
}

void state_dir_close(struct state_dir *s, bool remove)
{
	if (s->inflight)
		munmap(s->inflight, s->inflight_len);
	if (s->inflight_fd >= 0)
		close(s->inflight_fd);
	s->inflight = NULL;
	s->inflight_fd = -1;
	if (remove && s->pool_path[0]) {
		unlink(s->inflight_path);
		unlink(s->pool_path);
	}
}
