/* The blkfront CLI's command line; see args.h. */
#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: blkfront --devid N|xvdX [--ring-order K] [--queues Q]\n"
	"                [--pattern seq|rand] [--rw read|write|mixed:R%]\n"
	"                [--bs SIZE] [--qd N] [--count N | --time SECS]\n"
	"                [--verify] [--fill-verify] [--assume-zero] [--seed S]\n"
	"                [--offset SIZE] [--size SIZE] [--timeout SECS]\n"
	"                [--poll-us US] [--protocol ABI] [--json]\n"
	"--bs is up to 1M; above 44K it needs the backend's indirect requests.\n"
	"--protocol x86_32-abi lays the ring out as a 32-bit guest does.\n";

const char *bf_usage(void)
{
	return usage_text;
}

void bf_args_defaults(struct bf_args *a)
{
	memset(a, 0, sizeof(*a));
	a->ring_order = -1;
	a->queues = 1;
	a->pattern = BF_PATTERN_SEQ;
	a->read_pct = 100;
	a->bs = 4096;
	a->qd = 1;
	a->seed = 1;
	a->timeout_s = 10;
	a->poll_us = 0;
}

int bf_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "a".."z" -> 0..25, "aa".."zz" -> 26..701, as Linux names disks. */
static int parse_disk_letters(const char *s, unsigned *disk, const char **rest)
{
	bool l0 = s[0] >= 'a' && s[0] <= 'z';
	bool l1 = l0 && s[1] >= 'a' && s[1] <= 'z';

	if (!l0 || (l1 && s[2] >= 'a' && s[2] <= 'z'))
		return -EINVAL;
	if (l1)
		*disk = (unsigned)(s[0] - 'a' + 1) * 26 + (unsigned)(s[1] - 'a');
	else
		*disk = (unsigned)(s[0] - 'a');
	*rest = s + (l1 ? 2 : 1);
	return 0;
}

int bf_parse_vdev(const char *s, unsigned *devid)
{
	unsigned disk, part = 0;
	const char *rest;
	uint64_t v;

	if (parse_uint(s, UINT32_MAX, &v) == 0) {
		*devid = (unsigned)v;
		return 0;
	}
	if (strncmp(s, "xvd", 3) && strncmp(s, "hd", 2) && strncmp(s, "sd", 2))
		return -EINVAL;
	if (parse_disk_letters(s + (s[0] == 'x' ? 3 : 2), &disk, &rest))
		return -EINVAL;
	if (*rest && (parse_uint(rest, 255, &v) || *rest == '0'))
		return -EINVAL;
	part = *rest ? (unsigned)v : 0;
	if (s[0] == 'x') {
		if (disk < 16 && part < 16)
			*devid = (202u << 8) | (disk << 4) | part;
		else
			*devid = (1u << 28) | (disk << 8) | part;
	} else if (s[0] == 'h') {
		if (disk > 3 || part > 63)
			return -EINVAL;
		*devid = ((disk < 2 ? 3u : 22u) << 8) | ((disk & 1) << 6) | part;
	} else {
		if (disk > 15 || part > 15)
			return -EINVAL;
		*devid = (8u << 8) | (disk << 4) | part;
	}
	return 0;
}

static int parse_rw(const char *s, unsigned *read_pct)
{
	uint64_t v;
	char buf[16];
	size_t n;

	if (strcmp(s, "read") == 0) {
		*read_pct = 100;
		return 0;
	}
	if (strcmp(s, "write") == 0) {
		*read_pct = 0;
		return 0;
	}
	if (strncmp(s, "mixed:", 6))
		return -EINVAL;
	n = strlen(s + 6);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s + 6, n + 1);
	if (buf[n - 1] == '%')
		buf[n - 1] = '\0';
	if (parse_uint(buf, 100, &v))
		return -EINVAL;
	*read_pct = (unsigned)v;
	return 0;
}

enum {
	OPT_DEVID = 256, OPT_RING_ORDER, OPT_QUEUES, OPT_PATTERN, OPT_RW,
	OPT_BS, OPT_QD, OPT_COUNT, OPT_TIME, OPT_VERIFY, OPT_FILL_VERIFY,
	OPT_ASSUME_ZERO, OPT_SEED, OPT_JSON, OPT_OFFSET, OPT_SIZE,
	OPT_TIMEOUT, OPT_POLL_US, OPT_PROTOCOL, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "devid", required_argument, NULL, OPT_DEVID },
	{ "ring-order", required_argument, NULL, OPT_RING_ORDER },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "pattern", required_argument, NULL, OPT_PATTERN },
	{ "rw", required_argument, NULL, OPT_RW },
	{ "bs", required_argument, NULL, OPT_BS },
	{ "qd", required_argument, NULL, OPT_QD },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "fill-verify", no_argument, NULL, OPT_FILL_VERIFY },
	{ "assume-zero", no_argument, NULL, OPT_ASSUME_ZERO },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "offset", required_argument, NULL, OPT_OFFSET },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "poll-us", required_argument, NULL, OPT_POLL_US },
	{ "protocol", required_argument, NULL, OPT_PROTOCOL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* One option's value into *a; -1 on a bad value. */
static int apply_opt(int opt, const char *val, struct bf_args *a,
		     bool *have_devid)
{
	uint64_t v;

	switch (opt) {
	case OPT_DEVID:
		if (bf_parse_vdev(val, &a->devid))
			goto bad;
		*have_devid = true;
		return 0;
	case OPT_RING_ORDER:
		if (parse_uint(val, 4, &v))
			goto bad;
		a->ring_order = (int)v;
		return 0;
	case OPT_QUEUES:
		if (parse_uint(val, 64, &v) || v == 0)
			goto bad;
		a->queues = (unsigned)v;
		return 0;
	case OPT_PATTERN:
		if (strcmp(val, "seq") == 0)
			a->pattern = BF_PATTERN_SEQ;
		else if (strcmp(val, "rand") == 0)
			a->pattern = BF_PATTERN_RAND;
		else
			goto bad;
		return 0;
	case OPT_RW:
		return parse_rw(val, &a->read_pct) ? -1 : 0;
	case OPT_BS:
		if (bf_parse_size(val, &v) || v == 0 || v % 512 || v > BF_MAX_BS)
			goto bad;
		a->bs = (uint32_t)v;
		return 0;
	case OPT_QD:
		if (parse_uint(val, 4096, &v) || v == 0)
			goto bad;
		a->qd = (unsigned)v;
		return 0;
	case OPT_COUNT:
		if (parse_uint(val, UINT64_MAX, &v) || v == 0)
			goto bad;
		a->count = v;
		return 0;
	case OPT_TIME:
		return parse_seconds(val, &a->time_s) ? -1 : 0;
	case OPT_SEED:
		if (parse_uint(val, UINT64_MAX, &a->seed))
			goto bad;
		return 0;
	case OPT_OFFSET:
		if (bf_parse_size(val, &a->offset) || a->offset % 512)
			goto bad;
		return 0;
	case OPT_SIZE:
		if (bf_parse_size(val, &a->size) || a->size == 0 || a->size % 512)
			goto bad;
		return 0;
	case OPT_TIMEOUT:
		return parse_seconds(val, &a->timeout_s) ? -1 : 0;
	case OPT_POLL_US:
		if (parse_uint(val, 10000000, &v))
			goto bad;
		a->poll_us = (unsigned)v;
		return 0;
	case OPT_PROTOCOL:
		a->protocol = val;
		return 0;
	default:
		break;
	}
bad:
	return -1;
}

static bool is_flag(int opt, struct bf_args *a)
{
	switch (opt) {
	case OPT_VERIFY: a->verify = true; return true;
	case OPT_FILL_VERIFY: a->fill_verify = true; return true;
	case OPT_ASSUME_ZERO: a->assume_zero = true; return true;
	case OPT_JSON: a->json = true; return true;
	case OPT_HELP: a->help = true; return true;
	default: return false;
	}
}

static const char *opt_name(int opt)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

int bf_args_parse(int argc, char *const argv[], struct bf_args *a,
		  char *err, size_t errlen)
{
	bool have_devid = false;
	int opt;

	bf_args_defaults(a);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == '?') {
			if (optopt)
				snprintf(err, errlen, "option --%s needs a value",
					 opt_name(optopt));
			else
				snprintf(err, errlen, "unknown option '%s'",
					 argv[optind - 1]);
			return -EINVAL;
		}
		if (is_flag(opt, a))
			continue;
		if (apply_opt(opt, optarg, a, &have_devid)) {
			snprintf(err, errlen, "bad value '%s' for --%s", optarg,
				 opt_name(opt));
			return -EINVAL;
		}
	}
	if (a->help)
		return 0;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!have_devid) {
		snprintf(err, errlen, "--devid is required");
		return -EINVAL;
	}
	if (a->count && a->time_s > 0) {
		snprintf(err, errlen, "--count and --time exclude each other");
		return -EINVAL;
	}
	if (!a->count && !(a->time_s > 0) && !a->fill_verify)
		a->count = 1000;
	if (a->fill_verify)
		a->verify = true;
	return 0;
}
