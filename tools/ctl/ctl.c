/* memback-ctl: attach and detach memback disks where no toolstack runs. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach.h"
#include "parse.h"
#include "resize.h"
#include "qos.h"
#include "shutdown.h"
#include "top.h"
#include "target.h"
#include "vdev.h"
#include "xs_util.h"

#define DEFAULT_SCRIPT "/etc/xen/scripts/memback"
#define DEFAULT_CONTROL "/run/memback/control.sock"

static const char usage[] =
	"usage: memback-ctl attach <domid> <vdev> <target> [--ro] [--cdrom] [--no-discard]\n"
	"                          [--backend-type T]\n"
	"                          [--script PATH | --no-script] [--timeout SECS]\n"
	"       memback-ctl detach <domid> <vdev> [--backend-type T] [--timeout SECS]\n"
	"       memback-ctl resize <domid> <vdev> <size> [--control PATH]\n"
	"       memback-ctl save <domid> <vdev> [PATH] [--control PATH]\n"
	"       memback-ctl check-target <target>\n"
	"       memback-ctl list|stats|pool [--json] [--control PATH]\n"
	"       memback-ctl qos <domid> <vdev> [iops=N|none] [bps=B|none] [iops-burst=N]\n"
	"                       [bps-burst=B] [none] [--control PATH]\n"
	"       memback-ctl top [--delay SECS] [--iterations N] [--batch] [--control PATH]\n"
	"       memback-ctl shutdown [--timeout SECS] [--control PATH]\n"
	"  <target> as in xl's target=, e.g. size=4G or size=1G,image=/var/lib/memback/d.img\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "memback-ctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see memback-ctl --help)\n");
	return 2;
}

static int parse_common(int argc, char **argv, struct attach_req *r, int nargs)
{
	static const struct option opts[] = {
		{ "ro", no_argument, NULL, 'r' },
		{ "cdrom", no_argument, NULL, 'C' },
		{ "no-discard", no_argument, NULL, 'D' },
		{ "backend-type", required_argument, NULL, 't' },
		{ "script", required_argument, NULL, 's' },
		{ "no-script", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'r': r->readonly = true; break;
		case 'C': r->cdrom = r->readonly = true; break;
		case 'D': r->no_discard = true; break;
		case 't': r->backend_type = optarg; break;
		case 's':
			if (optarg[0] != '/')
				return usage_error("--script wants an absolute path, not \"%s\"", optarg);
			r->script = optarg;
			break;
		case 'n': r->script = NULL; break;
		case 'T':
			if (parse_uint(optarg, 3600, &v) || v == 0)
				return usage_error("--timeout wants seconds from 1 to 3600, not \"%s\"", optarg);
			r->timeout_ms = (unsigned)v * 1000;
			break;
		case ':': return usage_error("%s needs a value", argv[optind - 1]);
		default: return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != nargs)
		return usage_error("%s", nargs == 3 ? "attach wants <domid> <vdev> <target>"
						    : "detach wants <domid> <vdev>");
	if (parse_uint(argv[optind], 0x7fef, &v))
		return usage_error("\"%s\" is not a domain id", argv[optind]);
	/* 0 too: a frontend in dom0 itself, as libxl's bootloader attach. */
	r->domid = (unsigned)v;
	r->vdev = argv[optind + 1];
	if (vdev_to_devid(r->vdev, &r->devid))
		return usage_error("\"%s\" is not a virtual device name (xvdb, hda, sdc, d0p1...)",
				   r->vdev);
	if (nargs == 3)
		r->target = argv[optind + 2];
	return 0;
}

/* The files a target names: image= readable and no larger than the disk,
 * save='s directory there. 0, or a reason in err. */
static int check_files(const struct target *t, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;
	int fd;

	if (t->image[0]) {
		fd = open(t->image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return errorf(err, errlen, -errno, "image %s: %s", t->image, strerror(errno));
		int rc = fstat(fd, &st) ? -errno : 0;
		close(fd);
		if (rc || !S_ISREG(st.st_mode))
			return errorf(err, errlen, -EINVAL, "image %s is not a regular file", t->image);
		if ((uint64_t)st.st_size > t->size)
			return errorf(err, errlen, -EFBIG,
				      "image %s (%lld bytes) is larger than size=%llu", t->image,
				      (long long)st.st_size, (unsigned long long)t->size);
	}
	if (t->save[0]) {
		snprintf(dir, sizeof(dir), "%s", t->save);
		if (stat(dirname(dir), &st) || !S_ISDIR(st.st_mode))
			return errorf(err, errlen, -ENOENT, "save %s: no directory %s", t->save, dir);
	}
	return 0;
}

/* The hotplug script's check: exit 0 if memback would accept the target. */
static int check_target(int argc, char **argv)
{
	struct target t;
	char err[200];

	if (argc != 3)
		return usage_error("%s", "check-target wants one <target>");
	if (target_parse(argv[2], &t, err, sizeof(err)) || check_files(&t, err, sizeof(err))) {
		fprintf(stderr, "memback-ctl: target \"%s\": %s\n", argv[2], err);
		return 1;
	}
	printf("size=%llu sector-size=%u%s%s%s%s", (unsigned long long)t.size, t.sector_size,
	       t.image[0] ? " image=" : "", t.image, t.save[0] ? " save=" : "", t.save);
	if (t.iops)
		printf(" iops=%llu", (unsigned long long)t.iops);
	if (t.bps)
		printf(" bps=%llu", (unsigned long long)t.bps);
	putchar('\n');
	return 0;
}

/* Ask the daemon over its control socket and print the answer. */
static int ask_daemon(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = DEFAULT_CONTROL;
	char buf[4096], req[32];
	bool json = false;
	ssize_t n;
	int fd;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--control") && i + 1 < argc)
			path = argv[++i];
		else
			return usage_error("unexpected argument \"%s\"", argv[i]);
	}
	snprintf(req, sizeof(req), "%s%s\n", argv[1], json ? " json" : "");
	if (strlen(path) >= sizeof(sa.sun_path))
		return usage_error("--control path \"%s\" is too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "memback-ctl: cannot reach memback at %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return n < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct attach_req r = {
		.backend_type = "vbd",
		.script = access(DEFAULT_SCRIPT, X_OK) == 0 ? DEFAULT_SCRIPT : NULL,
		.protocol = "x86_64-abi",
		.timeout_ms = 10000,
	};
	char err[400];
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "stats") || !strcmp(argv[1], "pool"))
		return ask_daemon(argc, argv);
	if (strcmp(argv[1], "resize") == 0)
		return ctl_resize(argc, argv, DEFAULT_CONTROL);
	if (strcmp(argv[1], "qos") == 0)
		return ctl_qos(argc, argv, DEFAULT_CONTROL);
	if (strcmp(argv[1], "top") == 0)
		return ctl_top(argc, argv, DEFAULT_CONTROL);
	if (strcmp(argv[1], "save") == 0)
		return ctl_save(argc, argv, DEFAULT_CONTROL);
	if (strcmp(argv[1], "shutdown") == 0)
		return ctl_shutdown(argc, argv, DEFAULT_CONTROL);
	if (strcmp(argv[1], "check-target") == 0)
		return check_target(argc, argv);
	bool attach = strcmp(argv[1], "attach") == 0;
	if (!attach && strcmp(argv[1], "detach") != 0)
		return usage_error("unknown command \"%s\"", argv[1]);
	rc = parse_common(argc - 1, argv + 1, &r, attach ? 3 : 2);
	if (rc)
		return rc;
	struct xs_handle *xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "memback-ctl: cannot open xenstore: %s\n", strerror(errno));
		return 1;
	}
	rc = attach ? ctl_attach(xs, &r, err, sizeof(err)) : ctl_detach(xs, &r, err, sizeof(err));
	xs_close(xs);
	if (rc) {
		fprintf(stderr, "memback-ctl: %s %u %s: %s\n", argv[1], r.domid, r.vdev, err);
		return 1;
	}
	return 0;
}
