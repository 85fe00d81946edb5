/*
 * The daemon's settings: one table (config.c) from which the command line,
 * the config file's keys (/etc/memback/memback.conf, memback.conf(5)), the
 * usage text and SIGHUP's live/restart split all come.
 */
#ifndef MEMBACK_CONFIG_H
#define MEMBACK_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon.h"
#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/memback/memback.conf"
/* tmpfs, not removed by systemd when the unit stops (RuntimeDirectory= is). */
#define CONFIG_DEFAULT_STATE_DIR "/dev/shm/memback"

struct options {
	struct daemon_config cfg;   /* its strings point into the buffers below */
	bool foreground;
	bool help;
	enum log_level log_level;
	const char *pidfile;        /* NULL when none */
	const char *config_path;    /* --config, NULL when not given */
	char backend_type_buf[40];
	char control_buf[108];      /* sun_path */
	char pidfile_buf[PATH_MAX];
	char image_dir_buf[PATH_MAX];
	char config_buf[PATH_MAX];
	char metrics_buf[PATH_MAX];
	char state_dir_buf[PATH_MAX];
};

/* The built-in defaults (those that need the system are filled by main). */
void options_defaults(struct options *o);

/* Pure: the command line on top of what o already holds. 0, or -EINVAL
 * with a one-line reason in err. */
int options_parse_argv(int argc, char **argv, struct options *o, char *err, size_t errlen);

/* Pure: defaults, then the command line (no config file). */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);

/* Pure: a config file's text on top of what o holds; file names the file
 * in messages: "FILE:LINE: problem". 0 or -EINVAL. */
int config_parse_text(const char *file, const char *text, struct options *o, char *err,
		      size_t errlen);

/* Defaults, the config file (--config PATH, else CONFIG_DEFAULT_PATH if it
 * exists), then the command line over it. 0, or a negative errno with a
 * one-line reason in err. */
int options_load(int argc, char **argv, struct options *o, char *err, size_t errlen);

/* SIGHUP: apply to cur what can change live from fresh (a new
 * options_load); log each change, and each setting that differs but
 * needs a restart. Returns how many settings were applied. */
unsigned options_apply_live(struct options *cur, const struct options *fresh);

void options_usage(FILE *f);

#endif
