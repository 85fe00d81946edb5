/* xenstore node name rules (see xs_path.h). */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "xs_path.h"

static const char valid_chars[] =
	"abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789-/_@";

/* Length of the part below /local/domain/<N>/, as xenstored counts it. */
static size_t rel_len(const char *path)
{
	unsigned domid;
	int off = 0;

	if (sscanf(path, "/local/domain/%5u/%n", &domid, &off) != 1 || off == 0)
		return strlen(path);
	return strlen(path) - (size_t)off;
}

bool xs_path_valid(const char *path, bool allow_special, bool privileged)
{
	size_t len = strlen(path);

	if (len == 0 || len > XENSTORE_ABS_PATH_MAX)
		return false;
	if (path[0] == '@') {
		/* "@introduceDomain", "@releaseDomain": no slashes. */
		return allow_special && len > 1 && !strchr(path, '/') &&
		       strspn(path, valid_chars) == len;
	}
	if (path[0] != '/')
		return false;
	if (len > 1 && path[len - 1] == '/')
		return false;
	if (strstr(path, "//"))
		return false;
	if (!privileged && rel_len(path) > XENSTORE_REL_PATH_MAX)
		return false;
	return strspn(path, valid_chars) == len;
}

int xs_path_canonical(unsigned domid, bool privileged, const char *in,
		      bool allow_special, char *out, bool *relative)
{
	size_t len = strlen(in);

	*relative = in[0] != '/' && in[0] != '@';
	if (*relative) {
		if (len == 0)
			return -EINVAL;
		int n = snprintf(out, XS_PATH_BUF, "/local/domain/%u/%s", domid, in);
		if (n < 0 || n >= XS_PATH_BUF)
			return -EINVAL;
	} else {
		if (len >= XS_PATH_BUF)
			return -EINVAL;
		memcpy(out, in, len + 1);
	}
	return xs_path_valid(out, allow_special, privileged) ? 0 : -EINVAL;
}

bool xs_path_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	if (strncmp(child, parent, len) != 0)
		return false;
	return child[len] == '/' || child[len] == '\0';
}

size_t xs_path_parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return path[0] == '/' && path[1] ? 1 : 0;
	return (size_t)(slash - path);
}

const char *xs_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

const char *xs_path_strip_home(const char *path, size_t home_len)
{
	if (home_len == 0 || strlen(path) < home_len)
		return path;
	path += home_len;
	return *path == '/' ? path + 1 : path;
}
