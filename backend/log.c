/* Logging to stderr (foreground) or syslog (daemon). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static enum log_level log_level = LOG_INFO;
static bool log_to_syslog;
/* Serialises output lines and every bucket (workers log concurrently). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* log_dev_rl(NULL, ...): messages of no device. */
static struct log_dev log_daemon = {
	.bucket = { [0 ... LOG_KIND_COUNT - 1] = { .tokens = LOG_BURST } },
};

/* In log_syslog.c: <syslog.h> defines LOG_ERR etc. as macros. */
void log_syslog_open(const char *ident);
void log_syslog_write(int level, const char *line);

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static const char *const kind_names[] = {
#define LOG_KIND_NAME(id, text) text,
	LOG_KIND_LIST(LOG_KIND_NAME)
#undef LOG_KIND_NAME
};

const char *log_kind_name(enum log_kind kind)
{
	return (unsigned)kind < LOG_KIND_COUNT ? kind_names[kind] : "?";
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

int log_parse_level(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_set_syslog(bool on, const char *ident)
{
	log_to_syslog = on;
	if (on)
		log_syslog_open(ident);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One finished line out; the caller holds log_lock. */
static void emit_locked(enum log_level level, const char *line)
{
	if (log_to_syslog) {
		log_syslog_write((int)level, line);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s: %s\n", tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], line);
}

static void vformat(char *line, size_t len, const struct log_dev *ld, const char *fmt,
		    va_list ap)
{
	int n = 0;

	if (ld && ld->prefix[0])
		n = snprintf(line, len, "%s: ", ld->prefix);
	if (n < 0 || (size_t)n >= len)
		n = 0;
	vsnprintf(line + n, len - (size_t)n, fmt, ap);
}

/* Format with ld's prefix (NULL: none) and emit: what log_msg and log_dev
 * share. */
static void vlog(const struct log_dev *ld, enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level > log_level)
		return;
	vformat(line, sizeof(line), ld, fmt, ap);
	pthread_mutex_lock(&log_lock);
	emit_locked(level, line);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(NULL, level, fmt, ap);
	va_end(ap);
}

void log_dev_init(struct log_dev *ld, const char *fmt, ...)
{
	va_list ap;

	memset(ld, 0, sizeof(*ld));
	va_start(ap, fmt);
	vsnprintf(ld->prefix, sizeof(ld->prefix), fmt, ap);
	va_end(ap);
	uint64_t now = now_ns();
	for (unsigned k = 0; k < LOG_KIND_COUNT; k++) {
		ld->bucket[k].tokens = LOG_BURST;
		ld->bucket[k].last_ns = now;
	}
}

void log_dev(const struct log_dev *ld, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(ld, level, fmt, ap);
	va_end(ap);
}

bool log_bucket_take(struct log_bucket *b, uint64_t now, unsigned *was_suppressed)
{
	const uint64_t interval = 1000000000u / LOG_REFILL_PER_S;

	if (now > b->last_ns) {
		uint64_t add = (now - b->last_ns) / interval;
		if (b->tokens + add >= LOG_BURST) {
			b->tokens = LOG_BURST;
			b->last_ns = now;
		} else if (add) {
			b->tokens += (unsigned)add;
			b->last_ns += add * interval;
		}
	}
	if (b->tokens == 0) {
		if (b->suppressed < UINT32_MAX)
			b->suppressed++;
		return false;
	}
	b->tokens--;
	if (was_suppressed)
		*was_suppressed = b->suppressed;
	b->suppressed = 0;
	return true;
}

static void emit_suppressed_locked(const struct log_dev *ld, enum log_kind kind,
				   enum log_level level, unsigned n)
{
	char line[160];

	snprintf(line, sizeof(line), "%s%s%u %s message%s suppressed",
		 ld->prefix, ld->prefix[0] ? ": " : "", n, kind_names[kind], n == 1 ? "" : "s");
	emit_locked(level, line);
}

void log_dev_rl(struct log_dev *ld, enum log_kind kind, enum log_level level,
		const char *fmt, ...)
{
	char line[1024];
	unsigned dropped = 0;
	va_list ap;

	if (level > log_level || (unsigned)kind >= LOG_KIND_COUNT)
		return;
	if (!ld)
		ld = &log_daemon;
	uint64_t now = now_ns();
	pthread_mutex_lock(&log_lock);
	bool ok = log_bucket_take(&ld->bucket[kind], now, &dropped);
	pthread_mutex_unlock(&log_lock);
	if (!ok)
		return;
	va_start(ap, fmt);
	vformat(line, sizeof(line), ld, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	if (dropped)
		emit_suppressed_locked(ld, kind, level, dropped);
	emit_locked(level, line);
	pthread_mutex_unlock(&log_lock);
}

static void flush(struct log_dev *ld, bool force)
{
	uint64_t now = now_ns();

	if (!ld)
		ld = &log_daemon;
	pthread_mutex_lock(&log_lock);
	for (unsigned k = 0; k < LOG_KIND_COUNT; k++) {
		struct log_bucket *b = &ld->bucket[k];
		unsigned dropped = b->suppressed;
		if (!dropped)
			continue;
		if (!force && !log_bucket_take(b, now, &dropped))
			continue;
		b->suppressed = 0;
		emit_suppressed_locked(ld, (enum log_kind)k, LOG_WARN, dropped);
	}
	pthread_mutex_unlock(&log_lock);
}

void log_dev_flush(struct log_dev *ld)
{
	flush(ld, true);
}

void log_dev_tick(struct log_dev *ld)
{
	flush(ld, false);
}

bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned burst)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	pthread_mutex_lock(&log_lock);
	uint64_t refill = (now - rl->last_ns) / 1000000000u;
	if (refill) {
		rl->tokens = rl->tokens + refill > burst ? burst : rl->tokens + (unsigned)refill;
		rl->last_ns = now;
	}
	ok = rl->tokens > 0;
	if (ok)
		rl->tokens--;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&log_lock);
	return ok;
}
