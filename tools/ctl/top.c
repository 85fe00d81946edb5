/*
 * memback-ctl top: asks the daemon for `stats` and `pool` each interval and
 * shows per device IOPS, MB/s, p50/p99 latency over the interval (from the
 * total-clock histograms: what the guest waits for once memback sees the
 * request), requests in flight, pool memory and throttled time. On a
 * terminal it redraws in place and q quits; --batch prints frames one
 * after another (xentop -b).
 */
#include "top.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "query.h"
#include "top_view.h"

#define ANSWER_MAX (4u << 20)

struct sample {
	struct top_dev *devs;
	unsigned n;
	struct top_pool pool;
	double t;
};

static struct termios saved_tty;
static bool tty_raw;

static void tty_restore(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

static void on_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void tty_setup(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		tty_raw = true;
		atexit(tty_restore);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct top_dev *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

/* One sample: 0 or a negative errno. */
static int take_sample(const char *path, char *buf, struct sample *s)
{
	unsigned cap = 0;
	int rc;

	s->n = 0;
	s->t = now_s();
	if ((rc = ctl_ask(path, "pool\n", buf, ANSWER_MAX)))
		return rc;
	if (top_parse_pool(buf, &s->pool))
		return -EPROTO;
	if ((rc = ctl_ask(path, "stats\n", buf, ANSWER_MAX)))
		return rc;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (s->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct top_dev *more = realloc(s->devs, cap * sizeof(*more));
			if (!more)
				return -ENOMEM;
			s->devs = more;
		}
		if (top_parse_dev(line, &s->devs[s->n]) == 0)
			s->n++;
	}
	qsort(s->devs, s->n, sizeof(*s->devs), cmp_dev);
	return 0;
}

static const struct top_dev *find_prev(const struct sample *prev, const struct top_dev *d)
{
	for (unsigned i = 0; prev && i < prev->n; i++)
		if (prev->devs[i].domid == d->domid && prev->devs[i].devid == d->devid)
			return &prev->devs[i];
	return NULL;
}

static int draw(const struct sample *cur, const struct sample *prev, bool batch)
{
	struct top_row *rows = calloc(cur->n ? cur->n : 1, sizeof(*rows));
	char clock[16];
	time_t t = time(NULL);

	if (!rows)
		return -ENOMEM;
	for (unsigned i = 0; i < cur->n; i++)
		top_row_of(&rows[i], &cur->devs[i], find_prev(prev, &cur->devs[i]),
			   prev ? cur->t - prev->t : 0);
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	if (!batch)
		fputs("\033[H\033[2J", stdout);
	top_render(stdout, clock, &cur->pool, rows, cur->n);
	if (batch)
		fputc('\n', stdout);
	fflush(stdout);
	free(rows);
	return 0;
}

/* Wait the interval; true if the user pressed q. */
static bool wait_or_quit(double seconds)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	double end = now_s() + seconds;
	char c;

	for (double left = seconds; left > 0; left = end - now_s()) {
		if (!tty_raw) {
			struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
			nanosleep(&ts, NULL);
			return false;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q'))
			return true;
	}
	return false;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "memback-ctl: top: %s \"%s\" (see memback-ctl --help)\n", what, arg);
	return 2;
}

int ctl_top(int argc, char **argv, const char *default_control)
{
	const char *path = default_control;
	uint64_t delay = 1, iterations = 0;
	bool batch = false;
	struct sample s[2] = { { 0 } };
	char *buf;
	int rc = 0;

	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(argv[i], "--batch") || !strcmp(argv[i], "-b"))
			batch = true;
		else if (!strcmp(argv[i], "--delay") && !parse_uint(v, 3600, &delay) && delay)
			i++;
		else if (!strcmp(argv[i], "--iterations") && !parse_uint(v, 1000000, &iterations))
			i++;
		else if (!strcmp(argv[i], "--control") && *v)
			path = argv[++i];
		else
			return usage_error("unexpected argument or bad value at", argv[i]);
	}
	buf = malloc(ANSWER_MAX);
	if (!buf)
		return 1;
	if (!batch)
		tty_setup();
	for (uint64_t it = 0, cur = 0; !iterations || it < iterations; it++, cur ^= 1) {
		rc = take_sample(path, buf, &s[cur]);
		if (rc) {
			tty_restore();
			fprintf(stderr, "memback-ctl: top: cannot ask memback at %s: %s\n", path,
				strerror(-rc));
			break;
		}
		draw(&s[cur], it ? &s[cur ^ 1] : NULL, batch);
		if ((iterations && it + 1 == iterations) || wait_or_quit((double)delay))
			break;
	}
	tty_restore();
	free(s[0].devs);
	free(s[1].devs);
	free(buf);
	return rc ? 1 : 0;
}
