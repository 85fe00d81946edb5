/* The settings table behind config.h: internal to the config code. */
#ifndef MEMBACK_SETTINGS_H
#define MEMBACK_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum setting_id {
	S_FOREGROUND, S_CONFIG, S_POOL_SIZE, S_OVERCOMMIT, S_HUGEPAGES, S_MLOCK,
	S_BACKEND_TYPE, S_CONTROL, S_LOG_LEVEL, S_RING_ORDER, S_QUEUES, S_INDIRECT,
	S_GRANT_MODE, S_MAX_PGRANTS, S_MAX_GRANT_MAPS, S_POLL_US, S_IMAGE_DIR, S_POOL_WARN, S_PIDFILE, S_METRICS, S_STATE_DIR,
	S_HELP,
};

enum setting_arg {
	ARG_NONE,   /* command line only, no value: --help */
	ARG_FLAG,   /* --NAME / --no-NAME; "NAME = yes|no" in the file */
	ARG_VALUE,  /* --NAME VALUE; "NAME = VALUE" in the file */
};

struct setting {
	enum setting_id id;
	const char *name;     /* long option and config file key */
	char short_opt;       /* 0: none */
	enum setting_arg arg;
	bool file;            /* allowed in memback.conf */
	bool live;            /* SIGHUP applies it without a restart */
	const char *metavar;
	const char *help;
};

extern const struct setting settings[];
extern const unsigned nr_settings;

const struct setting *setting_by_name(const char *name);
/* Set s from value (NULL: a flag given bare on the command line). */
int setting_apply(struct options *o, const struct setting *s, const char *label,
		  const char *value, char *err, size_t errlen);
int setting_parse_bool(const char *label, const char *v, bool *out, char *err, size_t errlen);
/* The setting's value as text, to compare and log ("8G" is shown in bytes). */
void setting_show(const struct options *o, const struct setting *s, char *buf, size_t len);

#endif
