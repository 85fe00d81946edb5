/* memback-ctl resize <domid> <vdev> <size>: one request on the control
 * socket, "resize <domid> <devid> <bytes>"; the daemon answers "ok" or
 * "error: why". */
#include "resize.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

/* Send req, read the whole answer into ans; 0 or a negative errno. */
static int ask(const char *path, const char *req, char *ans, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		rc = -errno;
		goto out;
	}
	while (got < len - 1 && (n = read(fd, ans + got, len - 1 - got)) > 0)
		got += (size_t)n;
	ans[got] = '\0';
out:
	close(fd);
	return rc;
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
	rc = ask(path, req, ans, sizeof(ans));
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
