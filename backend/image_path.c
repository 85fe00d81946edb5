/* Whether an image= or save= path lies under the configured image-dir.
 * Pure: judged on the text (the paths are absolute; ".." is refused). */
#include <errno.h>
#include <string.h>

#include "image_path.h"
#include "parse.h"

static bool has_dot_dot(const char *p)
{
	for (const char *s = strstr(p, ".."); s; s = strstr(s + 1, ".."))
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return true;
	return false;
}

static int check_one(const char *key, const char *path, const char *dir, char *err,
		     size_t errlen)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!path[0])
		return 0;
	if (has_dot_dot(path))
		return errorf(err, errlen, -EPERM, "%s: \"..\" is not allowed in %s", key, path);
	if (strncmp(path, dir, n) != 0 || (n > 1 && path[n] != '/') || !path[n + (n > 1)])
		return errorf(err, errlen, -EPERM, "%s: %s is not under image-dir %.*s", key, path,
			      (int)n, dir);
	return 0;
}

int image_paths_allowed(const char *image, const char *save, const char *dir, char *err,
			size_t errlen)
{
	if (!dir || !dir[0])
		return 0;
	int rc = check_one("image", image, dir, err, errlen);
	return rc ? rc : check_one("save", save, dir, err, errlen);
}
