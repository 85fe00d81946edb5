/* The Prometheus endpoint's sockets and its one-request HTTP; the text is
 * metrics_render.c's. */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"

/* spec -> address; 0 or -EINVAL with the reason. */
static int parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *sl, char *err,
		      size_t len)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(spec, ':');
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if (strncmp(spec, "unix:", 5) == 0) {
		if (spec[5] != '/' || strlen(spec + 5) >= sizeof(un->sun_path))
			return errorf(err, len, -EINVAL,
				      "--metrics unix: wants an absolute path shorter than %zu bytes, not \"%s\"",
				      sizeof(un->sun_path), spec + 5);
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, spec + 5);
		*sl = sizeof(*un);
		return 0;
	}
	if (!colon || (size_t)(colon - spec) >= sizeof(host) ||
	    parse_uint(colon + 1, 65535, &port) || port == 0)
		return errorf(err, len, -EINVAL,
			      "--metrics wants unix:PATH or ADDR:PORT (e.g. 127.0.0.1:9750), not \"%s\"",
			      spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return errorf(err, len, -EINVAL, "--metrics: \"%s\" is not an IPv4 address", host);
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	*sl = sizeof(*in);
	return 0;
}

int metrics_check_addr(const char *spec, char *err, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return parse_addr(spec, &ss, &sl, err, len);
}

int metrics_open(const char *spec, char *err, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, rc, one = 1;

	if ((rc = parse_addr(spec, &ss, &sl, err, len)))
		return rc;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errorf(err, len, -errno, "--metrics %s: socket: %s", spec, strerror(errno));
	if (ss.ss_family == AF_UNIX)
		unlink(((struct sockaddr_un *)&ss)->sun_path); /* a dead daemon's */
	else
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 8)) {
		rc = -errno;
		close(fd);
		return errorf(err, len, rc, "--metrics %s: %s", spec, strerror(-rc));
	}
	return fd;
}

void metrics_close(const char *spec, int listen_fd)
{
	if (listen_fd < 0)
		return;
	close(listen_fd);
	if (strncmp(spec, "unix:", 5) == 0)
		unlink(spec + 5);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The request head, up to its blank line or the buffer's end. The main
 * loop answers scrapes, so a peer gets HEAD_MS in all, however it drips
 * its bytes: a slow or silent one never holds the daemon long. */
#define HEAD_MS 250
static int read_head(int fd, char *buf, size_t len)
{
	long long deadline = now_ms() + HEAD_MS;
	size_t got = 0;

	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			break;
	}
	buf[got] = '\0';
	return 0;
}

static void respond(int fd, const char *status, const char *body, size_t blen)
{
	char head[160];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, blen);

	if (write(fd, head, (size_t)n) == n && blen)
		(void)!write(fd, body, blen);
}

void metrics_serve(struct daemon *d, int listen_fd)
{
	char req[1024];
	char *body = NULL;
	size_t blen = 0;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	FILE *out;

	if (fd < 0)
		return;
	struct timeval tv = { .tv_usec = HEAD_MS * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_head(fd, req, sizeof(req)))
		goto out;
	if (strncmp(req, "GET /metrics ", 13) != 0 && strncmp(req, "GET / ", 6) != 0) {
		respond(fd, "404 Not Found", "GET /metrics\n", 13);
		goto out;
	}
	out = open_memstream(&body, &blen);
	if (!out)
		goto out;
	metrics_render(d, out);
	if (fclose(out) == 0)
		respond(fd, "200 OK", body, blen);
out:
	free(body);
	close(fd);
}
