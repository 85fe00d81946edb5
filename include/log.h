/*
 * Logging. Every line carries a level and, for device messages, the device's
 * identity ("vbd 3/51712: ..."), set once per device in a struct log_dev.
 * Messages a guest can trigger are rate-limited per device and per kind
 * (log_dev_rl), so a hostile frontend can flood neither the log nor silence
 * another guest's warnings; the number suppressed is printed when the
 * bucket refills.
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

/* What a rate-limited line is about: one bucket per kind per device, so a
 * flood of bad requests does not hide, say, a grant failure. */
#define LOG_KIND_LIST(X)                                                     \
	X(REQUEST, "request")   /* a malformed or refused request */         \
	X(GRANT, "grant")       /* a grant map/copy the frontend broke */    \
	X(RING, "ring")         /* the ring or event channel */              \
	X(IO, "I/O")            /* the disk: out of pool memory, ... */      \
	X(XENSTORE, "xenstore") /* frontend nodes, watches */                \
	X(CONTROL, "control")   /* the control socket */
enum log_kind {
#define LOG_KIND_ENUM(id, text) LOG_KIND_##id,
	LOG_KIND_LIST(LOG_KIND_ENUM)
#undef LOG_KIND_ENUM
	LOG_KIND_COUNT
};
const char *log_kind_name(enum log_kind kind);

/* A token bucket: at most LOG_BURST lines, refilled at LOG_REFILL_PER_S. */
#define LOG_BURST 10u
#define LOG_REFILL_PER_S 1u
struct log_bucket {
	uint64_t last_ns;    /* when the last token was added */
	unsigned tokens;
	unsigned suppressed; /* lines dropped since the last one printed */
};
/* Pure: take a token at now_ns. True: print the line, and *was_suppressed
 * (if not NULL) gets the count dropped before it (then reset). */
bool log_bucket_take(struct log_bucket *b, uint64_t now_ns, unsigned *was_suppressed);

/* One device's (or subsystem's) log identity. */
struct log_dev {
	char prefix[64];                      /* "vbd 3/51712" */
	struct log_bucket bucket[LOG_KIND_COUNT];
};
/* Set the prefix once (printf format) and fill every bucket. */
void log_dev_init(struct log_dev *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "<prefix>: <message>", not rate-limited: for what only the daemon or the
 * toolstack can cause (one line per lifecycle step). ld may be NULL. */
void log_dev(const struct log_dev *ld, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, rate-limited in ld's bucket for `kind`; before the first line
 * after a suppression: "<prefix>: N <kind> messages suppressed". Safe from
 * any thread. ld NULL: a daemon-wide set of buckets. */
void log_dev_rl(struct log_dev *ld, enum log_kind kind, enum log_level level,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Print every count still suppressed (a device going away), so none is
 * lost. */
void log_dev_flush(struct log_dev *ld);
/* Periodic (the main loop, about once a second): print the counts of the
 * buckets that have refilled even when no new line came to print them. */
void log_dev_tick(struct log_dev *ld);

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Older API, kept for code not yet converted to log_dev_rl: one bucket per
 * call site, shared by every device. */
struct log_ratelimit {
	uint64_t last_ns;
	unsigned tokens;
	unsigned suppressed;
};
bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned burst);
#define log_ratelimited(level, ...)                                          \
	do {                                                                 \
		static struct log_ratelimit log_rl_;                         \
		if (log_ratelimit_ok(&log_rl_, 10))                          \
			log_msg(level, __VA_ARGS__);                         \
	} while (0)

#endif
