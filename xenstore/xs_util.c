/* Helpers over libxenstore (see include/xs_util.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_util.h"

static int node_path(char *path, size_t len, const char *dir, const char *name)
{
	int n = name ? snprintf(path, len, "%s/%s", dir, name)
		     : snprintf(path, len, "%s", dir);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xsu_read(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	     const char *name, char *buf, size_t len)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	unsigned int n;
	int rc = node_path(path, sizeof(path), dir, name);

	if (rc)
		return rc;
	char *v = xs_read(xs, t, path, &n);
	if (!v)
		return -(errno ? errno : ENOENT);
	if (n >= len) {
		free(v);
		return -E2BIG;
	}
	memcpy(buf, v, n);
	buf[n] = '\0';
	free(v);
	return 0;
}

int xsu_read_uint(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		  const char *name, uint64_t max, uint64_t *out)
{
	char buf[32];
	int rc = xsu_read(xs, t, dir, name, buf, sizeof(buf));

	if (rc == -E2BIG)
		return -EINVAL;
	return rc ? rc : parse_uint(buf, max, out);
}

int xsu_write(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	      const char *name, const char *value)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	int rc = node_path(path, sizeof(path), dir, name);

	if (rc)
		return rc;
	if (!xs_write(xs, t, path, value, (unsigned)strlen(value)))
		return -(errno ? errno : EIO);
	return 0;
}

int xsu_printf(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	       const char *name, const char *fmt, ...)
{
	char value[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value))
		return -E2BIG;
	return xsu_write(xs, t, dir, name, value);
}

static int parse_component(const char **p, unsigned *out)
{
	const char *s = *p;
	const char *end = strchr(s, '/');
	size_t n = end ? (size_t)(end - s) : strlen(s);
	char num[12];
	uint64_t v;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_uint(num, UINT32_MAX, &v))
		return -EINVAL;
	*out = (unsigned)v;
	*p = end ? end + 1 : s + n;
	return end ? 1 : 0;
}

int backend_path_parse(const char *base, const char *path, unsigned *domid,
		       unsigned *devid, const char **rest)
{
	size_t blen = strlen(base);

	if (strncmp(path, base, blen) != 0)
		return -EINVAL;
	path += blen;
	if (*path == '\0')
		return -ENOENT;
	if (*path != '/')
		return -EINVAL;
	path++;
	int more = parse_component(&path, domid);
	if (more < 0)
		return -EINVAL;
	if (!more)
		return -ENOENT;
	more = parse_component(&path, devid);
	if (more < 0)
		return -EINVAL;
	*rest = path;
	return 0;
}

int xsu_transaction(struct xs_handle *xs, xsu_tx_fn fn, void *arg)
{
	for (int tries = 0; tries < 100; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			return -errno;
		int rc = fn(xs, t, arg);
		if (!xs_transaction_end(xs, t, rc != 0))
			rc = rc ? rc : -errno;
		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

unsigned xsu_keep_depth(const char *path)
{
	if (strncmp(path, "/local/domain/", 14) == 0)
		return 3;
	if (strncmp(path, "/libxl/", 7) == 0)
		return 2;
	return 1;
}

static unsigned path_depth(const char *path)
{
	unsigned d = 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

int xsu_rm_with_empty_parents(struct xs_handle *xs, xs_transaction_t t, const char *path)
{
	char p[256];
	unsigned keep = xsu_keep_depth(path), n;

	if (strlen(path) >= sizeof(p))
		return -ENAMETOOLONG;
	if (!xs_rm(xs, t, path) && errno != ENOENT)
		return -errno;
	strcpy(p, path);
	for (char *slash = strrchr(p, '/'); slash && slash != p; slash = strrchr(p, '/')) {
		*slash = '\0';
		if (path_depth(p) <= keep)
			break;
		char **kids = xs_directory(xs, t, p, &n);
		free(kids);
		if (!kids || n > 0 || !xs_rm(xs, t, p))
			break;
	}
	return 0;
}

