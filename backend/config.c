/* The daemon's command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "parse.h"

const char options_usage[] =
	"usage: memback [options]\n"
	"  -f, --foreground            stay in the foreground, log to stderr\n"
	"  -p, --pool-size SIZE        memory pool capacity (e.g. 8G; default: half of RAM)\n"
	"      --overcommit            let disks reserve more than the pool holds\n"
	"      --hugepages             back the pool with huge pages where possible\n"
	"      --mlock                 lock the pool in RAM\n"
	"  -t, --backend-type NAME     xenstore backend type to serve (default vbd)\n"
	"  -c, --control PATH          control socket (default /run/memback/control.sock)\n"
	"  -l, --log-level LEVEL       error, warn, info (default) or debug\n"
	"      --max-ring-order N      advertised max-ring-page-order, 0..4 (default 4)\n"
	"      --max-queues N          advertised multi-queue-max-queues (default: CPUs)\n"
	"      --max-indirect-segments N  advertised, 0 (off) or 12..256 (default 256)\n"
	"      --grant-mode MODE       copy (default), map, or persistent (falls back\n"
	"                              to copy for a frontend without feature-persistent)\n"
	"      --max-persistent-grants N  grants a queue keeps mapped (default 1056)\n"
	"      --poll-us N             busy-poll a queue this long before sleeping (default 50)\n"
	"      --pidfile PATH          write the daemon's pid here\n"
	"  -h, --help                  this text\n";

static int number(const char *opt, const char *s, uint64_t lo, uint64_t hi, unsigned *out,
		  char *err, size_t errlen)
{
	char name[48];
	uint64_t v = 0;

	snprintf(name, sizeof(name), "--%s", opt);
	if (parse_uint_range(name, s, lo, hi, &v, err, errlen))
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

enum { OPT_OVERCOMMIT = 256, OPT_HUGEPAGES, OPT_MLOCK, OPT_RING_ORDER, OPT_QUEUES,
       OPT_INDIRECT, OPT_GRANT_MODE, OPT_POLL, OPT_PIDFILE, OPT_MAX_PGRANTS };

static const struct option long_options[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "pool-size", required_argument, NULL, 'p' },
	{ "overcommit", no_argument, NULL, OPT_OVERCOMMIT },
	{ "hugepages", no_argument, NULL, OPT_HUGEPAGES },
	{ "mlock", no_argument, NULL, OPT_MLOCK },
	{ "backend-type", required_argument, NULL, 't' },
	{ "control", required_argument, NULL, 'c' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "max-ring-order", required_argument, NULL, OPT_RING_ORDER },
	{ "max-queues", required_argument, NULL, OPT_QUEUES },
	{ "max-indirect-segments", required_argument, NULL, OPT_INDIRECT },
	{ "grant-mode", required_argument, NULL, OPT_GRANT_MODE },
	{ "max-persistent-grants", required_argument, NULL, OPT_MAX_PGRANTS },
	{ "poll-us", required_argument, NULL, OPT_POLL },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A backend type is one path component of xenstore's allowed characters. */
static bool valid_type(const char *s)
{
	if (!*s || strlen(s) > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static int one_option(int c, const char *arg, struct options *o, char *err, size_t errlen)
{
	struct daemon_config *cfg = &o->cfg;

	switch (c) {
	case 'f': o->foreground = true; return 0;
	case 'h': o->help = true; return 0;
	case OPT_OVERCOMMIT: cfg->overcommit = true; return 0;
	case OPT_HUGEPAGES: cfg->hugepages = true; return 0;
	case OPT_MLOCK: cfg->mlock = true; return 0;
	case OPT_PIDFILE: o->pidfile = arg; return 0;
	case 'c': cfg->control_path = arg; return 0;
	case 'p':
		if (parse_size(arg, &cfg->pool_size) || cfg->pool_size == 0)
			return errorf(err, errlen, -EINVAL, "--pool-size wants a size like 4G, not \"%s\"", arg);
		return 0;
	case 't':
		if (!valid_type(arg))
			return errorf(err, errlen, -EINVAL, "--backend-type \"%s\" is not a xenstore name", arg);
		cfg->backend_type = arg;
		return 0;
	case 'l':
		if (log_parse_level(arg, &o->log_level))
			return errorf(err, errlen, -EINVAL,
				      "--log-level wants error, warn, info or debug, not \"%s\"", arg);
		return 0;
	case OPT_RING_ORDER:
		return number("max-ring-order", arg, 0, RING_MAX_ORDER, &cfg->max_ring_order, err, errlen);
	case OPT_QUEUES:
		return number("max-queues", arg, 1, 16, &cfg->max_queues, err, errlen);
	case OPT_INDIRECT:
		if (number("max-indirect-segments", arg, 0, 256, &cfg->max_indirect_segments, err, errlen))
			return -EINVAL;
		if (cfg->max_indirect_segments && cfg->max_indirect_segments <= 11)
			return errorf(err, errlen, -EINVAL, "--max-indirect-segments must be 0 or 12..256");
		return 0;
	case OPT_GRANT_MODE:
		if (strcmp(arg, "copy") == 0)
			cfg->grant_mode = GRANT_MODE_COPY;
		else if (strcmp(arg, "map") == 0)
			cfg->grant_mode = GRANT_MODE_MAP;
		else if (strcmp(arg, "persistent") == 0)
			cfg->grant_mode = GRANT_MODE_PERSISTENT;
		else
			return errorf(err, errlen, -EINVAL, "--grant-mode wants copy, map or persistent, not \"%s\"",
				   arg);
		return 0;
	case OPT_MAX_PGRANTS:
		return number("max-persistent-grants", arg, 1, 65536, &cfg->max_pgrants, err,
			      errlen);
	case OPT_POLL:
		return number("poll-us", arg, 0, 1000000, &cfg->poll_us, err, errlen);
	default:
		return errorf(err, errlen, -EINVAL, "unknown option (see memback --help)");
	}
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	int c;

	o->cfg.backend_type = "vbd";
	o->cfg.control_path = "/run/memback/control.sock";
	o->cfg.max_ring_order = RING_MAX_ORDER;
	o->cfg.max_indirect_segments = 256;
	o->cfg.grant_mode = GRANT_MODE_COPY;
	o->cfg.poll_us = 50;
	o->log_level = LOG_INFO;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fhp:t:c:l:", long_options, NULL)) != -1) {
		if (c == ':')
			return errorf(err, errlen, -EINVAL, "option %s needs a value", argv[optind - 1]);
		if (c == '?')
			return errorf(err, errlen, -EINVAL, "unknown option %s", argv[optind - 1]);
		if (one_option(c, optarg, o, err, errlen))
			return -EINVAL;
	}
	if (optind < argc)
		return errorf(err, errlen, -EINVAL, "unexpected argument \"%s\"", argv[optind]);
	return 0;
}
