/* Test helpers: a host, domains, connections, events (see xst_host.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "xst_host.h"

/* Run xensim with args; its stdout (first line) into out if given. */
static int run_xensim(const struct xst_host *h, const char *const *args,
		      char *out, size_t outlen, bool wait_it)
{
	const char *argv[16] = { h->xensim };
	int pfd[2], status;
	size_t n = 1;
	pid_t pid;

	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execv(h->xensim, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(pfd[1]);
	if (!wait_it) {
		close(pfd[0]);
		return pid;
	}
	ssize_t got = out ? read(pfd[0], out, outlen - 1) : 0;
	if (out)
		out[got > 0 ? got : 0] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int xst_host_start(struct xst_host *h)
{
	const char *build = getenv("BUILD");

	snprintf(h->xensim, sizeof(h->xensim), "%s/xensim", build ? build : "build");
	strcpy(h->dir, "/tmp/xst.XXXXXX");
	if (!mkdtemp(h->dir)) {
		perror("mkdtemp");
		return -1;
	}
	const char *args[] = { "start", "--dir", h->dir, NULL };
	if (run_xensim(h, args, NULL, 0, true) != 0) {
		fprintf(stderr, "%s start failed\n", h->xensim);
		return -1;
	}
	return 0;
}

int xst_host_stop(struct xst_host *h)
{
	const char *args[] = { "stop", "--dir", h->dir, NULL };
	char cmd[256];
	int failed = 0;

	if (run_xensim(h, args, NULL, 0, true) != 0) {
		/* The daemon died under the test: show why. */
		printf("FAIL: host_alive_at_end: xenstored was not running\n");
		failed = 1;
		snprintf(cmd, sizeof(cmd), "tail -n 40 '%s/xenstored.log'", h->dir);
		fflush(stdout);
		if (system(cmd) != 0)
			fprintf(stderr, "no log\n");
	}
	/* Under SAN=1 the daemon reports to its log only (leaks at exit). */
	snprintf(cmd, sizeof(cmd), "grep -q -E 'ERROR: (Address|Leak)Sanitizer|"
		 "runtime error:' '%s/xenstored.log'", h->dir);
	if (system(cmd) == 0) {
		printf("FAIL: xenstored_sanitizer: see below\n");
		failed = 1;
		snprintf(cmd, sizeof(cmd), "cat '%s/xenstored.log'", h->dir);
		fflush(stdout);
		if (system(cmd) != 0)
			fprintf(stderr, "no log\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", h->dir);
	return failed;
}

int xst_domain_create(struct xst_host *h, const char *name)
{
	const char *args[] = { "domain", "create", "--dir", h->dir, "--name", name,
			       "--memory", "4", NULL };
	char out[64];

	if (run_xensim(h, args, out, sizeof(out), true) != 0)
		return -1;
	return atoi(out);
}

int xst_domain_destroy(struct xst_host *h, unsigned domid)
{
	char id[16];
	const char *args[] = { "domain", "destroy", "--dir", h->dir, id, NULL };

	snprintf(id, sizeof(id), "%u", domid);
	return run_xensim(h, args, NULL, 0, true);
}

int xst_domain_destroy_start(struct xst_host *h, unsigned domid)
{
	char id[16];
	const char *args[] = { "domain", "destroy", "--dir", h->dir, id, NULL };

	snprintf(id, sizeof(id), "%u", domid);
	return run_xensim(h, args, NULL, 0, false);
}

void xst_sock_path(const struct xst_host *h, unsigned domid, char *buf, size_t size)
{
	if (domid)
		snprintf(buf, size, "%s/dom%u/xenstored.sock", h->dir, domid);
	else
		snprintf(buf, size, "%s/xenstored.sock", h->dir);
}

struct xs_handle *xst_open(const struct xst_host *h, unsigned domid)
{
	char path[256];

	xst_sock_path(h, domid, path, sizeof(path));
	setenv("XENSTORED_PATH", path, 1);
	return xs_open(XS_OPEN_SOCKETONLY);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

bool xst_event(struct xs_handle *xs, int timeout_ms, char *path, size_t plen,
	       char *token, size_t tlen)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		char **ev = xs_check_watch(xs);
		if (ev) {
			snprintf(path, plen, "%s", ev[XS_WATCH_PATH]);
			snprintf(token, tlen, "%s", ev[XS_WATCH_TOKEN]);
			free(ev);
			return true;
		}
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
		poll(&pfd, 1, (int)left);
	}
}

int xst_drain(struct xs_handle *xs, int ms)
{
	char p[512], t[64];
	int n = 0;

	while (xst_event(xs, ms, p, sizeof(p), t, sizeof(t)))
		n++;
	return n;
}
