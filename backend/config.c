/* The daemon's settings: the table, and setting one by name or option.
 * Pure: no I/O (config_file.c reads the file). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "settings.h"

/* Every setting, once. file: may appear in memback.conf; live: SIGHUP
 * applies a change at once (the others need a restart: they shape the
 * pool, the socket, or what devices were already offered). */
const struct setting settings[] = {
	{ S_FOREGROUND, "foreground", 'f', ARG_NONE, false, false, NULL,
	  "stay in the foreground, log to stderr" },
	{ S_CONFIG, "config", 'C', ARG_VALUE, false, false, "PATH",
	  "config file (default " CONFIG_DEFAULT_PATH ")" },
	{ S_POOL_SIZE, "pool-size", 'p', ARG_VALUE, true, false, "SIZE",
	  "memory pool capacity (e.g. 8G; default: half of RAM)" },
	{ S_OVERCOMMIT, "overcommit", 0, ARG_FLAG, true, false, NULL,
	  "let disks reserve more than the pool holds" },
	{ S_HUGEPAGES, "hugepages", 0, ARG_FLAG, true, false, NULL,
	  "back the pool with huge pages where possible" },
	{ S_MLOCK, "mlock", 0, ARG_FLAG, true, false, NULL, "lock the pool in RAM" },
	{ S_BACKEND_TYPE, "backend-type", 't', ARG_VALUE, true, false, "NAME",
	  "xenstore backend type to serve (default vbd)" },
	{ S_CONTROL, "control", 'c', ARG_VALUE, true, false, "PATH",
	  "control socket (default /run/memback/control.sock)" },
	{ S_LOG_LEVEL, "log-level", 'l', ARG_VALUE, true, true, "LEVEL",
	  "error, warn, info (default) or debug" },
	{ S_RING_ORDER, "max-ring-order", 0, ARG_VALUE, true, false, "N",
	  "advertised max-ring-page-order, 0..4 (default 4)" },
	{ S_QUEUES, "max-queues", 0, ARG_VALUE, true, false, "N",
	  "advertised multi-queue-max-queues (default: CPUs)" },
	{ S_INDIRECT, "max-indirect-segments", 0, ARG_VALUE, true, false, "N",
	  "advertised, 0 (off) or 12..256 (default 256)" },
	{ S_GRANT_MODE, "grant-mode", 0, ARG_VALUE, true, false, "MODE",
	  "persistent (default), copy, or map (a frontend without\n"
	  "                                feature-persistent gets copy)" },
	{ S_MAX_PGRANTS, "max-persistent-grants", 0, ARG_VALUE, true, false, "N",
	  "grants a queue keeps mapped (default 1056)" },
	{ S_MAX_GRANT_MAPS, "max-grant-maps", 0, ARG_VALUE, true, false, "N",
	  "grants all queues together keep mapped (default: half of\n"
	  "                                vm.max_map_count)" },
	{ S_POLL_US, "poll-us", 0, ARG_VALUE, true, true, "N",
	  "busy-poll a queue this long before sleeping (default 50)" },
	{ S_IMAGE_DIR, "image-dir", 0, ARG_VALUE, true, true, "DIR",
	  "image= and save= must lie under DIR (default: anywhere)" },
	{ S_POOL_WARN, "pool-warn", 0, ARG_VALUE, true, true, "PERCENT",
	  "warn when the pool is this full, 0 off (default 90)" },
	{ S_PIDFILE, "pidfile", 0, ARG_VALUE, true, false, "PATH", "write the daemon's pid here" },
	{ S_METRICS, "metrics", 0, ARG_VALUE, true, false, "WHERE",
	  "Prometheus endpoint: unix:PATH or ADDR:PORT (default off)" },
	{ S_STATE_DIR, "state-dir", 0, ARG_VALUE, true, false, "DIR",
	  "keep the pool and the device table here for a restart\n"
	  "                                (default " CONFIG_DEFAULT_STATE_DIR "; none: keep nothing)" },
	{ S_HELP, "help", 'h', ARG_NONE, false, false, NULL, "this text" },
};
const unsigned nr_settings = sizeof(settings) / sizeof(settings[0]);

const struct setting *setting_by_name(const char *name)
{
	for (unsigned i = 0; i < nr_settings; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->backend_type_buf, "vbd");
	strcpy(o->control_buf, "/run/memback/control.sock");
	o->cfg.backend_type = o->backend_type_buf;
	o->cfg.control_path = o->control_buf;
	o->cfg.image_dir = o->image_dir_buf;
	strcpy(o->state_dir_buf, CONFIG_DEFAULT_STATE_DIR);
	o->cfg.state_dir = o->state_dir_buf;
	o->cfg.max_ring_order = RING_MAX_ORDER;
	o->cfg.max_indirect_segments = 256;
	o->cfg.grant_mode = GRANT_MODE_PERSISTENT;
	o->cfg.poll_us = 50;
	o->cfg.pool_warn_pct = 90;
	o->log_level = LOG_INFO;
}

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

static int set_string(const char *label, const char *v, char *buf, size_t len, bool absolute,
		      char *err, size_t errlen)
{
	if (absolute && v[0] != '/')
		return errorf(err, errlen, -EINVAL, "%s wants an absolute path, not \"%s\"", label, v);
	if (strlen(v) >= len)
		return errorf(err, errlen, -EINVAL, "%s: \"%.40s...\" is longer than %zu bytes",
			      label, v, len - 1);
	strcpy(buf, v);
	return 0;
}

static int set_number(const char *label, const char *v, uint64_t lo, uint64_t hi, unsigned *out,
		      char *err, size_t errlen)
{
	uint64_t n = 0;

	if (parse_uint_range(label, v, lo, hi, &n, err, errlen))
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

static int set_grant_mode(const char *label, const char *v, enum grant_mode *out, char *err,
			  size_t errlen)
{
	if (strcmp(v, "copy") == 0)
		*out = GRANT_MODE_COPY;
	else if (strcmp(v, "map") == 0)
		*out = GRANT_MODE_MAP;
	else if (strcmp(v, "persistent") == 0)
		*out = GRANT_MODE_PERSISTENT;
	else
		return errorf(err, errlen, -EINVAL, "%s wants copy, map or persistent, not \"%s\"",
			      label, v);
	return 0;
}

static bool *flag_of(struct options *o, enum setting_id id)
{
	switch (id) {
	case S_OVERCOMMIT: return &o->cfg.overcommit;
	case S_HUGEPAGES: return &o->cfg.hugepages;
	case S_MLOCK: return &o->cfg.mlock;
	case S_FOREGROUND: return &o->foreground;
	case S_HELP: return &o->help;
	default: return NULL;
	}
}

/* Set one valued setting; label names it in messages ("--pool-size" on the
 * command line, "pool-size" in the file). */
static int set_value(struct options *o, enum setting_id id, const char *label, const char *v,
		     char *err, size_t errlen)
{
	struct daemon_config *c = &o->cfg;

	switch (id) {
	case S_POOL_SIZE:
		if (parse_size(v, &c->pool_size) || c->pool_size == 0)
			return errorf(err, errlen, -EINVAL, "%s wants a size like 4G, not \"%s\"",
				      label, v);
		return 0;
	case S_BACKEND_TYPE:
		if (!valid_type(v))
			return errorf(err, errlen, -EINVAL, "%s \"%s\" is not a xenstore name", label, v);
		return set_string(label, v, o->backend_type_buf, sizeof(o->backend_type_buf), false,
				  err, errlen);
	case S_CONTROL:
		return set_string(label, v, o->control_buf, sizeof(o->control_buf), false, err,
				  errlen);
	case S_CONFIG:
		o->config_path = o->config_buf;
		return set_string(label, v, o->config_buf, sizeof(o->config_buf), false, err, errlen);
	case S_PIDFILE:
		o->pidfile = o->pidfile_buf;
		return set_string(label, v, o->pidfile_buf, sizeof(o->pidfile_buf), false, err,
				  errlen);
	case S_METRICS: /* main checks the address */
		c->metrics = o->metrics_buf;
		return set_string(label, v, o->metrics_buf, sizeof(o->metrics_buf), false, err,
				  errlen);
	case S_STATE_DIR:
		/* "none": the pool in a memfd that dies with the process. */
		if (strcmp(v, "none") == 0) {
			o->state_dir_buf[0] = '\0';
			return 0;
		}
		return set_string(label, v, o->state_dir_buf, sizeof(o->state_dir_buf), true, err,
				  errlen);
	case S_IMAGE_DIR:
		return set_string(label, v, o->image_dir_buf, sizeof(o->image_dir_buf), true, err,
				  errlen);
	case S_LOG_LEVEL:
		if (log_parse_level(v, &o->log_level))
			return errorf(err, errlen, -EINVAL,
				      "%s wants error, warn, info or debug, not \"%s\"", label, v);
		return 0;
	case S_RING_ORDER:
		return set_number(label, v, 0, RING_MAX_ORDER, &c->max_ring_order, err, errlen);
	case S_QUEUES:
		return set_number(label, v, 1, 16, &c->max_queues, err, errlen);
	case S_INDIRECT:
		if (set_number(label, v, 0, 256, &c->max_indirect_segments, err, errlen))
			return -EINVAL;
		if (c->max_indirect_segments && c->max_indirect_segments <= 11)
			return errorf(err, errlen, -EINVAL, "%s must be 0 or 12..256", label);
		return 0;
	case S_GRANT_MODE:
		return set_grant_mode(label, v, &c->grant_mode, err, errlen);
	case S_MAX_PGRANTS:
		return set_number(label, v, 1, 65536, &c->max_pgrants, err, errlen);
	case S_MAX_GRANT_MAPS:
		return set_number(label, v, 1, 1u << 24, &c->max_grant_maps, err, errlen);
	case S_POLL_US:
		return set_number(label, v, 0, 1000000, &c->poll_us, err, errlen);
	case S_POOL_WARN:
		return set_number(label, v, 0, 100, &c->pool_warn_pct, err, errlen);
	default:
		return errorf(err, errlen, -EINVAL, "%s takes no value", label);
	}
}

int setting_apply(struct options *o, const struct setting *s, const char *label,
		  const char *value, char *err, size_t errlen)
{
	bool *flag = flag_of(o, s->id);

	if (flag && value)
		return setting_parse_bool(label, value, flag, err, errlen);
	if (flag) {
		*flag = true;
		return 0;
	}
	return set_value(o, s->id, label, value, err, errlen);
}

int setting_parse_bool(const char *label, const char *v, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return errorf(err, errlen, -EINVAL, "%s wants yes or no, not \"%s\"", label, v);
}
