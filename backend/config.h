#ifndef MEMBACK_CONFIG_H
#define MEMBACK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"
#include "log.h"

struct options {
	struct daemon_config cfg;
	bool foreground;
	bool help;
	enum log_level log_level;
	const char *pidfile;
};

/* Defaults, then the command line. 0, or -EINVAL with a one-line reason in
 * err. Pure: no I/O (the caller fills the defaults that need the system). */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
extern const char options_usage[];

#endif
