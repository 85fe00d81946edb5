/* memback-ctl resize <domid> <vdev> <size>: one request on the control
 * socket, "resize <domid> <devid> <bytes>"; the daemon answers "ok" or
 * "error: why". */
#include "resize.h"
#include "query.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target.h"
#include "vdev.h"
#include "xs_util.h"

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "memback-ctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see memback-ctl --help)\n");
	return 2;
}

int ctl_resize(int argc, char **argv, const char *default_control)
{
	const char *path = default_control;
	uint64_t domid, bytes;
	unsigned devid;
	char req[96], ans[256];
	int rc;

	if (argc == 7 && !strcmp(argv[5], "--control"))
		path = argv[6];
	else if (argc != 5)
		return bad("%s", "resize wants <domid> <vdev> <size> [--control PATH]");
	if (parse_uint(argv[2], 0x7fef, &domid) || domid == 0)
		return bad("\"%s\" is not a guest domain id", argv[2]);
	if (vdev_to_devid(argv[3], &devid))
		return bad("\"%s\" is not a virtual device name (xvdb, hda, sdc, d0p1...)", argv[3]);
	if (parse_size(argv[4], &bytes) || bytes == 0)
		return bad("\"%s\" is not a size like 8G or 512M", argv[4]);
	snprintf(req, sizeof(req), "resize %llu %u %llu\n", (unsigned long long)domid, devid,
		 (unsigned long long)bytes);
	rc = ctl_ask(path, req, ans, sizeof(ans));
	if (rc) {
		fprintf(stderr, "memback-ctl: cannot reach memback at %s: %s\n", path,
			strerror(-rc));
		return 1;
	}
	if (strncmp(ans, "ok", 2) == 0)
		return 0;
	fprintf(stderr, "memback-ctl: resize %s %s: %s", argv[2], argv[3],
		strncmp(ans, "error: ", 7) == 0 ? ans + 7 : ans);
	if (!*ans || ans[strlen(ans) - 1] != '\n')
		fputc('\n', stderr);
	return 1;
}
