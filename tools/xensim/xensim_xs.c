/* dom0's connection to the host's xenstored, and node helpers. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "log.h"
#include "xensim.h"
#include "xs_perms.h"

struct xs_handle *xensim_xs_open(const char *dir)
{
	char path[PATH_MAX];
	struct xs_handle *xs;

	if (xensim_path(path, sizeof(path), dir, "xenstored.sock") < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* libxenstore takes the socket from the environment only. */
	setenv("XENSTORED_PATH", path, 1);
	xs = xs_open(XS_OPEN_SOCKETONLY);
	if (!xs)
		log_err("cannot connect to %s: %s (is the host started?)", path,
			strerror(errno));
	return xs;
}

/* "n0,r3" -> entries; at most max. */
static int perms_parse(const char *s, struct xs_permissions *p, unsigned max)
{
	char buf[128], *save = NULL;
	unsigned n = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max || xs_perm_parse(tok, &p[n]) < 0)
			return -EINVAL;
		n++;
	}
	return n ? (int)n : -EINVAL;
}

int xensim_xs_node(struct xs_handle *xs, unsigned tx, const char *path,
		   const char *value, const char *perms)
{
	struct xs_permissions p[4];
	int n = perms_parse(perms, p, 4);
	bool ok;

	if (n < 0)
		return n;
	ok = value ? xs_write(xs, tx, path, value, strlen(value))
		   : xs_mkdir(xs, tx, path);
	if (!ok || !xs_set_permissions(xs, tx, path, p, (unsigned)n)) {
		int err = errno ? -errno : -EIO;
		log_err("xenstore %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

int xensim_xs_rm(struct xs_handle *xs, unsigned tx, const char *path)
{
	if (xs_rm(xs, tx, path) || errno == ENOENT)
		return 0;
	log_err("xenstore rm %s: %s", path, strerror(errno));
	return -errno;
}
