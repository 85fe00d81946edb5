/* SIGHUP: which settings changed, applying those that can change live. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "settings.h"

static const char *const level_names[] = { "error", "warn", "info", "debug" };
static const char *const mode_names[] = {
	[GRANT_MODE_COPY] = "copy", [GRANT_MODE_MAP] = "map",
	[GRANT_MODE_PERSISTENT] = "persistent",
};

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Text that setting_apply parses back to the same value. */
void setting_show(const struct options *o, const struct setting *s, char *buf, size_t len)
{
	const struct daemon_config *c = &o->cfg;

	switch (s->id) {
	case S_POOL_SIZE: snprintf(buf, len, "%llu", (unsigned long long)c->pool_size); break;
	case S_OVERCOMMIT: snprintf(buf, len, "%s", yes_no(c->overcommit)); break;
	case S_HUGEPAGES: snprintf(buf, len, "%s", yes_no(c->hugepages)); break;
	case S_MLOCK: snprintf(buf, len, "%s", yes_no(c->mlock)); break;
	case S_BACKEND_TYPE: snprintf(buf, len, "%s", c->backend_type); break;
	case S_CONTROL: snprintf(buf, len, "%s", c->control_path); break;
	case S_LOG_LEVEL: snprintf(buf, len, "%s", level_names[o->log_level & 3]); break;
	case S_RING_ORDER: snprintf(buf, len, "%u", c->max_ring_order); break;
	case S_QUEUES: snprintf(buf, len, "%u", c->max_queues); break;
	case S_INDIRECT: snprintf(buf, len, "%u", c->max_indirect_segments); break;
	case S_GRANT_MODE: snprintf(buf, len, "%s", mode_names[c->grant_mode % 3]); break;
	case S_MAX_PGRANTS: snprintf(buf, len, "%u", c->max_pgrants); break;
	case S_MAX_GRANT_MAPS: snprintf(buf, len, "%u", c->max_grant_maps); break;
	case S_POLL_US: snprintf(buf, len, "%u", c->poll_us); break;
	case S_IMAGE_DIR: snprintf(buf, len, "%s", c->image_dir); break;
	case S_POOL_WARN: snprintf(buf, len, "%u", c->pool_warn_pct); break;
	case S_PIDFILE: snprintf(buf, len, "%s", o->pidfile ? o->pidfile : ""); break;
	case S_METRICS: snprintf(buf, len, "%s", c->metrics ? c->metrics : ""); break;
	case S_STATE_DIR: snprintf(buf, len, "%s", c->state_dir[0] ? c->state_dir : "none"); break;
	default: snprintf(buf, len, "-"); break;
	}
}

unsigned options_apply_live(struct options *cur, const struct options *fresh)
{
	char was[PATH_MAX + 8], now[PATH_MAX + 8], err[200];
	unsigned applied = 0;

	for (unsigned i = 0; i < nr_settings; i++) {
		const struct setting *s = &settings[i];

		if (s->arg == ARG_NONE || s->id == S_CONFIG)
			continue;
		setting_show(cur, s, was, sizeof(was));
		setting_show(fresh, s, now, sizeof(now));
		if (strcmp(was, now) == 0)
			continue;
		if (!s->live) {
			log_warn("reload: %s = %s needs a restart; still %s", s->name, now, was);
			continue;
		}
		/* image-dir may be emptied; every other live value parses back. */
		if (s->id == S_IMAGE_DIR && !now[0])
			cur->image_dir_buf[0] = '\0';
		else if (setting_apply(cur, s, s->name, now, err, sizeof(err))) {
			log_err("reload: %s: %s", s->name, err);
			continue;
		}
		log_info("reload: %s = %s (was %s)", s->name, now, was[0] ? was : "unset");
		applied++;
	}
	return applied;
}
