/*
 * Logging. Every line carries a level and, for device messages, the device's
 * identity ("vbd 3/51712: ..."). Messages a guest can trigger go through
 * log_ratelimited so a hostile frontend cannot flood the log.
 */
#ifndef MEMBACK_LOG_H
#define MEMBACK_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
/* Parses "error", "warn", "info", "debug"; -EINVAL otherwise. */
int log_parse_level(const char *s, enum log_level *out);
void log_set_syslog(bool on, const char *ident);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A token bucket per call site: at most `burst` lines, refilled at 1/s. */
struct log_ratelimit {
	uint64_t last_ns;
	unsigned tokens;
	unsigned suppressed;
};
bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned burst);

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Log at most 10 lines a second from this call site (guest-triggerable). */
#define log_ratelimited(level, ...)                                          \
	do {                                                                 \
		static struct log_ratelimit log_rl_;                         \
		if (log_ratelimit_ok(&log_rl_, 10))                          \
			log_msg(level, __VA_ARGS__);                         \
	} while (0)

#endif
