/*
 * xensim: drive a simulated Xen host (DESIGN.md §5).
 *
 *   xensim start   --dir DIR
 *   xensim stop    --dir DIR
 *   xensim stats   --dir DIR [--json]
 *   xensim zombies --dir DIR   (destroyed domains whose pages are mapped)
 *   xensim domain create  --dir DIR [--name NAME] [--memory MiB]
 *   xensim domain destroy --dir DIR ID
 *   xensim domain crash   --dir DIR ID   (no toolstack cleans up)
 *   xensim domain list    --dir DIR
 *   xensim run-as  --dir DIR DOMID -- CMD [ARGS...]
 *
 * --dir defaults to $XENSIM_DIR.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/simhost.h"
#include "log.h"
#include "xensim.h"

#define DEFAULT_MEM_MIB 64

struct opts {
	char dir[PATH_MAX];
	const char *name;
	unsigned memory;
	bool json;
	int npos;
	char **pos;      /* arguments left after the options */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xensim start|stop|stats|zombies --dir DIR [--json]\n"
		"       xensim domain create --dir DIR [--name NAME] [--memory MiB]\n"
		"       xensim domain destroy|list --dir DIR [ID]\n"
		"       xensim domain crash --dir DIR ID   (dies; no toolstack cleans up)\n"
		"       xensim run-as --dir DIR DOMID -- CMD [ARGS...]\n");
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "xensim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try xensim --help)\n");
	return 2;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* mkdir -p for start. */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* Options of one command; argv[0] is the command's name. 0, or an exit
 * status for a bad command line. */
static int parse_opts(int argc, char **argv, bool create, struct opts *o)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "memory", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = getenv("XENSIM_DIR");
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': o->name = optarg; break;
		case 'j': o->json = true; break;
		case 'm':
			if (parse_uint(optarg, 65536, &o->memory) < 0 || !o->memory)
				return bad("bad --memory \"%s\"", optarg);
			break;
		default:
			return bad("bad option \"%s\"", argv[optind - 1]);
		}
	}
	if (!dir || !*dir)
		return bad("%s: --dir DIR is required", argv[0]);
	if (create && make_dirs(dir) < 0) {
		fprintf(stderr, "xensim: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* Absolute, so that the paths it gives processes work from anywhere. */
	if (!realpath(dir, o->dir)) {
		fprintf(stderr, "xensim: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	o->pos = argv + optind;
	o->npos = argc - optind;
	return 0;
}

static int want_pos(const struct opts *o, int n, const char *cmd)
{
	if (o->npos == n)
		return 0;
	return bad(n ? "%s: wrong arguments" : "%s: unexpected argument", cmd);
}

static int cmd_domain(int argc, char **argv)
{
	struct opts o = { .memory = DEFAULT_MEM_MIB };
	const char *sub = argc > 1 ? argv[1] : "";
	unsigned domid;
	int rc;

	if (strcmp(sub, "create") && strcmp(sub, "destroy") && strcmp(sub, "list") &&
	    strcmp(sub, "crash"))
		return bad("unknown domain command \"%s\"", sub);
	if ((rc = parse_opts(argc - 1, argv + 1, false, &o)))
		return rc;
	if (!strcmp(sub, "create")) {
		if ((rc = want_pos(&o, 0, "domain create")))
			return rc;
		if (xensim_domain_create(o.dir, o.name, o.memory, &domid) < 0)
			return 1;
		printf("%u\n", domid);
		return 0;
	}
	if (!strcmp(sub, "list"))
		return want_pos(&o, 0, "domain list") ?: (xensim_domain_list(o.dir, stdout) < 0);
	if ((rc = want_pos(&o, 1, !strcmp(sub, "crash") ? "domain crash" : "domain destroy")))
		return rc;
	if (parse_uint(o.pos[0], 0x7fef, &domid) < 0)
		return bad("bad domain id \"%s\"", o.pos[0]);
	if (!strcmp(sub, "crash"))
		return xensim_domain_crash(o.dir, domid) < 0;
	return xensim_domain_destroy(o.dir, domid) < 0;
}

/* Exec CMD as a process of domain DOMID of this host. */
static int cmd_run_as(int argc, char **argv)
{
	struct opts o = { 0 };
	char path[PATH_MAX + 32], id[16];
	unsigned domid;
	int rc;

	if ((rc = parse_opts(argc, argv, false, &o)))
		return rc;
	if (o.npos < 1 || parse_uint(o.pos[0], 0x7fef, &domid) < 0)
		return bad("%s: DOMID expected", "run-as");
	char **cmd = o.pos + 1;
	if (*cmd && !strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd)
		return bad("%s: no command to run", "run-as");
	if (domid)
		snprintf(path, sizeof(path), "%s/dom%u/xenstored.sock", o.dir, domid);
	else
		snprintf(path, sizeof(path), "%s/xenstored.sock", o.dir);
	snprintf(id, sizeof(id), "%u", domid);
	setenv("XENSTORED_PATH", path, 1);
	setenv("XENSIM_DIR", o.dir, 1);
	setenv("XENSIM_DOMID", id, 1);
	execvp(cmd[0], cmd);
	fprintf(stderr, "xensim: run-as: %s: %s\n", cmd[0], strerror(errno));
	return 127;
}

static int cmd_host(const char *cmd, int argc, char **argv)
{
	struct opts o = { 0 };
	int rc;

	if ((rc = parse_opts(argc, argv, !strcmp(cmd, "start"), &o)) ||
	    (rc = want_pos(&o, 0, cmd)))
		return rc;
	if (o.json && strcmp(cmd, "stats"))
		return bad("%s: --json is for stats only", cmd);
	if (!strcmp(cmd, "start")) {
		bool is_daemon = false;
		return xensim_host_start(o.dir, &is_daemon) < 0;
	}
	if (!strcmp(cmd, "stop"))
		return xensim_host_stop(o.dir) < 0;
	if (!strcmp(cmd, "zombies")) {
		rc = simhost_list_zombies(o.dir, stdout);
		if (rc < 0)
			fprintf(stderr, "xensim: zombies: %s: %s\n", o.dir, strerror(-rc));
		return rc < 0;
	}
	rc = simhost_print_stats(o.dir, o.json, stdout);
	if (rc < 0)
		fprintf(stderr, "xensim: stats: %s: %s\n", o.dir, strerror(-rc));
	return rc < 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "start") || !strcmp(cmd, "stop") || !strcmp(cmd, "stats") ||
	    !strcmp(cmd, "zombies"))
		return cmd_host(cmd, argc - 1, argv + 1);
	if (!strcmp(cmd, "domain"))
		return cmd_domain(argc - 1, argv + 1);
	if (!strcmp(cmd, "run-as"))
		return cmd_run_as(argc - 1, argv + 1);
	if (!*cmd)
		return bad("%s: a command is needed", "xensim");
	return bad("unknown command \"%s\"", cmd);
}
