/* memback-ctl save <domid> <vdev> [PATH]: the disk written to PATH (or to
 * its save= file) while the guest runs; the daemon answers once the file
 * is on disk. */
#include "resize.h"
#include "query.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdev.h"
#include "xs_util.h"

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "memback-ctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see memback-ctl --help)\n");
	return 2;
}

/* The daemon runs in / : a relative PATH is made absolute here. */
static int absolute(const char *in, char *out, size_t len)
{
	char dir[PATH_MAX], base[PATH_MAX], real[PATH_MAX];

	if (in[0] == '/') {
		snprintf(out, len, "%s", in);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", in);
	snprintf(base, sizeof(base), "%s", in);
	if (!realpath(dirname(dir), real))
		return -errno;
	return snprintf(out, len, "%s/%s", real, basename(base)) >= (int)len ? -ENAMETOOLONG : 0;
}

int ctl_save(int argc, char **argv, const char *default_control)
{
	const char *control = default_control, *args[3];
	char path[PATH_MAX] = "", req[PATH_MAX + 64], ans[PATH_MAX + 256];
	unsigned devid, n = 0;
	uint64_t domid;
	int rc;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--control") && i + 1 < argc)
			control = argv[++i];
		else if (n < 3)
			args[n++] = argv[i];
		else
			return bad("unexpected argument \"%s\"", argv[i]);
	}
	if (n < 2)
		return bad("%s", "save wants <domid> <vdev> [PATH] [--control PATH]");
	if (parse_uint(args[0], 0x7fef, &domid) || domid == 0)
		return bad("\"%s\" is not a guest domain id", args[0]);
	if (vdev_to_devid(args[1], &devid))
		return bad("\"%s\" is not a virtual device name (xvdb, hda, sdc, d0p1...)", args[1]);
	if (n == 3 && (rc = absolute(args[2], path, sizeof(path))))
		return bad("cannot use the path \"%s\"", args[2]);
	snprintf(req, sizeof(req), "save %llu %u%s%s\n", (unsigned long long)domid, devid,
		 path[0] ? " " : "", path);
	rc = ctl_ask(control, req, ans, sizeof(ans));
	if (rc) {
		fprintf(stderr, "memback-ctl: cannot reach memback at %s: %s\n", control,
			strerror(-rc));
		return 1;
	}
	if (strncmp(ans, "ok", 2) == 0) {
		fputs(ans + (strncmp(ans, "ok: ", 4) == 0 ? 4 : 0), stdout);
		return 0;
	}
	if (!*ans) {
		/* A save is renamed into place whole: the file is as it was. */
		fprintf(stderr, "memback-ctl: save %s %s: memback went away before it answered "
			"(restarted?); the file holds the old image or the whole new one\n",
			args[0], args[1]);
		return 1;
	}
	fprintf(stderr, "memback-ctl: save %s %s: %s", args[0], args[1],
		strncmp(ans, "error: ", 7) == 0 ? ans + 7 : ans);
	if (!*ans || ans[strlen(ans) - 1] != '\n')
		fputc('\n', stderr);
	return 1;
}
