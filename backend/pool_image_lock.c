/* OFD locks on image files (see image_lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_lock.h"
#include "parse.h"

static int ofd_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

int image_lock_fd(int fd)
{
	return ofd_lock(fd, F_WRLCK);
}

int image_lock_take(const char *path, bool write, bool create, struct image_lock *out,
		    char *err, size_t errlen)
{
	int flags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY;
	int fd = open(path, flags), rc;
	bool created = false;
	struct stat st;

	if (fd < 0 && errno == ENOENT && create) {
		fd = open(path, flags | O_CREAT | O_EXCL, 0600);
		created = fd >= 0;
	}
	if (fd < 0)
		return errorf(err, errlen, -errno, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = errorf(err, errlen, -EINVAL, "%s is not a regular file", path);
		goto fail;
	}
	rc = ofd_lock(fd, write ? F_WRLCK : F_RDLCK);
	if (rc == -EAGAIN || rc == -EACCES) {
		rc = errorf(err, errlen, -EBUSY,
			    "%s is in use by another disk (loading, serving or saving it)", path);
		goto fail;
	}
	if (rc) {
		rc = errorf(err, errlen, rc, "cannot lock %s: %s", path, strerror(-rc));
		goto fail;
	}
	*out = (struct image_lock){ .fd = fd, .write = write, .created = created,
				    .dev = st.st_dev, .ino = st.st_ino };
	return 0;
fail:
	close(fd);
	return rc;
}

void image_lock_replace(struct image_lock *l, int fd)
{
	struct stat st;

	image_lock_release(l);
	if (fstat(fd, &st) == 0)
		*l = (struct image_lock){ .fd = fd, .write = true, .dev = st.st_dev,
					  .ino = st.st_ino };
	else
		close(fd);
}

void image_lock_release(struct image_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

bool image_lock_is(const struct image_lock *l, int fd)
{
	struct stat st;

	return l->fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino;
}
