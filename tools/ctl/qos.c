/* memback-ctl qos <domid> <vdev> [limits]: one "qos <domid> <devid>
 * [limits]" request; the daemon checks the limits and answers
 * "ok iops=N bps=B ..." or "error: why". */
#include "qos.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "query.h"
#include "vdev.h"

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "memback-ctl: qos: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see memback-ctl --help)\n");
	return 2;
}

int ctl_qos(int argc, char **argv, const char *default_control)
{
	const char *path = default_control;
	char req[320], ans[256];
	size_t used;
	uint64_t domid;
	unsigned devid;
	int rc;

	if (argc >= 2 && !strcmp(argv[argc - 2], "--control")) {
		path = argv[argc - 1];
		argc -= 2;
	}
	if (argc < 4)
		return bad("%s", "wants <domid> <vdev> [iops=N] [bps=B] [iops-burst=N] [bps-burst=B] | none");
	if (parse_uint(argv[2], 0x7fef, &domid) || domid == 0)
		return bad("\"%s\" is not a guest domain id", argv[2]);
	if (vdev_to_devid(argv[3], &devid))
		return bad("\"%s\" is not a virtual device name (xvdb, hda, sdc, d0p1...)", argv[3]);
	used = (size_t)snprintf(req, sizeof(req), "qos %llu %u", (unsigned long long)domid, devid);
	for (int i = 4; i < argc; i++) {
		if (strchr(argv[i], '\n') || used + strlen(argv[i]) + 2 >= sizeof(req))
			return bad("limits too long at \"%s\"", argv[i]);
		used += (size_t)snprintf(req + used, sizeof(req) - used, " %s", argv[i]);
	}
	snprintf(req + used, sizeof(req) - used, "\n");
	rc = ctl_ask(path, req, ans, sizeof(ans));
	if (rc) {
		fprintf(stderr, "memback-ctl: cannot reach memback at %s: %s\n", path, strerror(-rc));
		return 1;
	}
	if (strncmp(ans, "ok ", 3) == 0) {
		fputs(ans + 3, stdout);
		return 0;
	}
	fprintf(stderr, "memback-ctl: qos %s %s: %s", argv[2], argv[3],
		strncmp(ans, "error: ", 7) == 0 ? ans + 7 : ans);
	return 1;
}
