/*
 * libFuzzer target: what memback's watch connection reads from xenstored
 * (`make fuzz`). The bytes arrive on a socket pair and go through
 * xswc_read in batches of any size, as the main loop reads them: every
 * event handed out is two NUL-terminated strings inside the message, a
 * bad header ends the connection (-EPROTO), and nothing is read past the
 * buffer. Anything else aborts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xs_watchconn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not on the fuzzer's path (xswc_open is not called). */
const char *xs_daemon_socket(void);
const char *xs_daemon_socket(void)
{
	return NULL;
}

static unsigned long handed;

static void on_event(void *ctx, const char *path, const char *token)
{
	(void)ctx;
	if (strlen(path) > XENSTORE_PAYLOAD_MAX || strlen(token) > XENSTORE_PAYLOAD_MAX)
		abort();
	handed++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xs_watchconn wc;
	static int sv[2] = { -1, -1 };

	if (sv[0] < 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			abort();
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
	}
	wc.fd = sv[0];
	wc.len = 0;
	if (size > 60000)
		size = 60000;
	if (size && write(sv[1], data, size) != (ssize_t)size)
		abort();
	unsigned batch = size ? 1 + data[0] % 8 : 1;
	for (int rounds = 0; rounds < 100000; rounds++) {
		int n = xswc_read(&wc, batch, on_event, NULL);
		if (n < 0) {
			if (n != -EPROTO)
				abort();
			break;
		}
		if ((unsigned)n > batch || wc.len > sizeof(wc.buf))
			abort();
		if (n == 0 && !xswc_has_buffered(&wc))
			break;
	}
	/* Whatever was not consumed leaves the socket before the next input. */
	char junk[4096];
	while (read(sv[0], junk, sizeof(junk)) > 0)
		;
	return 0;
}
