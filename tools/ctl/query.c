/* See query.h. */
#include "query.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable or the deadline (-1: none) has passed. */
static int wait_readable(int fd, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ms = -1, n;

	if (deadline >= 0) {
		long long left = deadline - now_ms();
		ms = left > 0 ? (int)left : 0;
	}
	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n == 0 ? -ETIMEDOUT : 0;
}

int ctl_ask_wait(const char *path, const char *req, char *ans, size_t len, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	ans[0] = '\0';
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		rc = -errno;
		goto out;
	}
	while (got < len - 1) {
		rc = wait_readable(fd, deadline);
		if (rc)
			break;
		n = read(fd, ans + got, len - 1 - got);
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		got += (size_t)n;
	}
	ans[got] = '\0';
out:
	close(fd);
	return rc;
}

int ctl_ask(const char *path, const char *req, char *ans, size_t len)
{
	return ctl_ask_wait(path, req, ans, len, -1);
}
