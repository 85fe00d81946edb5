/* memback-ctl shutdown: close every device for good. The daemon takes each
 * device to Closed, saves its save= image, removes its state files and
 * answers "ok" just before it exits 0; a restart (SIGTERM, kill -9) keeps
 * the devices instead (memback(8), RESTART). */
#include "shutdown.h"
#include "query.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

/* Saving every save= image may take a while: longer than attach's 10 s. */
#define SHUTDOWN_TIMEOUT_S 60

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "memback-ctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see memback-ctl --help)\n");
	return 2;
}

/* The daemon's answer, or why there was none, as an exit status. */
static int report(int rc, const char *ans, const char *control, unsigned timeout_s)
{
	/* A whole "ok" line is the answer, whatever the socket did after it. */
	if (strncmp(ans, "ok", 2) == 0 && (ans[2] == '\n' || ans[2] == ':') && strchr(ans, '\n')) {
		fputs(ans + (strncmp(ans, "ok: ", 4) == 0 ? 4 : strlen(ans)), stdout);
		return 0;
	}
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		fprintf(stderr, "memback-ctl: shutdown: memback is not running (nothing answers at %s)\n",
			control);
		return 1;
	}
	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "memback-ctl: shutdown: no answer from memback within %u s "
			"(it may still be saving images; see its log)\n", timeout_s);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "memback-ctl: shutdown: cannot reach memback at %s: %s\n", control,
			strerror(-rc));
		return 1;
	}
	if (strcmp(ans, "ok") == 0)
		return 0;
	if (!*ans) {
		fputs("memback-ctl: shutdown: memback closed the connection without answering\n",
		      stderr);
		return 1;
	}
	const char *why = strncmp(ans, "error: ", 7) == 0 ? ans + 7 : ans;
	fprintf(stderr, "memback-ctl: shutdown: %.*s\n", (int)strcspn(why, "\n"), why);
	return 1;
}

int ctl_shutdown(int argc, char **argv, const char *default_control)
{
	const char *control = default_control;
	unsigned timeout_s = SHUTDOWN_TIMEOUT_S;
	char ans[1024];
	uint64_t v;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--control") && i + 1 < argc) {
			control = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (parse_uint(argv[++i], 3600, &v) || v == 0)
				return bad("--timeout wants seconds from 1 to 3600, not \"%s\"", argv[i]);
			timeout_s = (unsigned)v;
		} else {
			return bad("unexpected argument \"%s\"", argv[i]);
		}
	}
	int rc = ctl_ask_wait(control, "shutdown\n", ans, sizeof(ans), (int)timeout_s * 1000);
	return report(rc, ans, control, timeout_s);
}
