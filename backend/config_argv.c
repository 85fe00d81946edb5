/* The daemon's command line and usage text, generated from the settings
 * table. Pure: no I/O but the usage text's stream. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "settings.h"

/* getopt values: the table index, +NO_BASE for the --no- form of a flag. */
#define OPT_BASE 256
#define NO_BASE 512

/* Room for every setting and every flag's --no- form. */
#define MAX_LONGOPTS 64
static char no_names[MAX_LONGOPTS][48];

static void build_longopts(struct option *lo, char *shorts, size_t shortslen)
{
	unsigned n = 0;
	size_t k = 0;

	shorts[k++] = ':';
	for (unsigned i = 0; i < nr_settings && n + 2 < MAX_LONGOPTS; i++) {
		const struct setting *s = &settings[i];
		int has = s->arg == ARG_VALUE ? required_argument : no_argument;

		lo[n++] = (struct option){ s->name, has, NULL, OPT_BASE + (int)i };
		if (s->arg == ARG_FLAG) {
			snprintf(no_names[i], sizeof(no_names[i]), "no-%s", s->name);
			lo[n++] = (struct option){ no_names[i], no_argument, NULL, NO_BASE + (int)i };
		}
		if (s->short_opt && k + 3 < shortslen) {
			shorts[k++] = s->short_opt;
			if (s->arg == ARG_VALUE)
				shorts[k++] = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k] = '\0';
}

static int short_to_index(int c)
{
	for (unsigned i = 0; i < nr_settings; i++)
		if (settings[i].short_opt == c)
			return (int)i;
	return -1;
}

static int one_option(int c, const char *arg, struct options *o, char *err, size_t errlen)
{
	char label[64];
	int i;

	if (c >= NO_BASE) {
		const struct setting *s = &settings[c - NO_BASE];
		snprintf(label, sizeof(label), "--no-%s", s->name);
		return setting_apply(o, s, label, "no", err, errlen);
	}
	i = c >= OPT_BASE ? c - OPT_BASE : short_to_index(c);
	if (i < 0 || (unsigned)i >= nr_settings)
		return errorf(err, errlen, -EINVAL, "unknown option (see memback --help)");
	snprintf(label, sizeof(label), "--%s", settings[i].name);
	return setting_apply(o, &settings[i], label, arg, err, errlen);
}

int options_parse_argv(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	struct option lo[MAX_LONGOPTS];
	char shorts[64];
	int c;

	build_longopts(lo, shorts, sizeof(shorts));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (c == ':')
			return errorf(err, errlen, -EINVAL, "option %s needs a value",
				      argv[optind - 1]);
		if (c == '?')
			return errorf(err, errlen, -EINVAL, "unknown option %s", argv[optind - 1]);
		if (one_option(c, optarg, o, err, errlen))
			return -EINVAL;
	}
	if (optind < argc)
		return errorf(err, errlen, -EINVAL, "unexpected argument \"%s\"", argv[optind]);
	return 0;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	options_defaults(o);
	return options_parse_argv(argc, argv, o, err, errlen);
}

void options_usage(FILE *f)
{
	fputs("usage: memback [options]\n", f);
	for (unsigned i = 0; i < nr_settings; i++) {
		const struct setting *s = &settings[i];
		char left[64];

		snprintf(left, sizeof(left), "%c%c%s --%s%s%s%s", s->short_opt ? '-' : ' ',
			 s->short_opt ? s->short_opt : ' ', s->short_opt ? "," : " ",
			 s->arg == ARG_FLAG ? "[no-]" : "", s->name, s->metavar ? " " : "",
			 s->metavar ? s->metavar : "");
		fprintf(f, "  %-30s%s%s\n", left, s->help, s->live ? " [live]" : "");
	}
	fputs("Every setting but -f, -C and -h may also be given in the config file as\n"
	      "\"NAME = VALUE\" (flags: yes/no); the command line overrides it. SIGHUP\n"
	      "re-reads the file and applies the settings marked [live]. See memback.conf(5).\n",
	      f);
}
