/*
 * memback's own xenstore connection for watches, read by the main loop.
 *
 * Why not libxenstore's watches: once a watch is registered, libxenstore
 * starts a reader thread that takes every event off the socket into a list
 * without limit (22 MB during a 200 k-write storm), which also defeats the
 * back-pressure C xenstored 4.17 applies (a write stays outstanding until
 * its events are consumed, at most 20 per domain, and an identical event
 * still pending is dropped). Here events stay in xenstored (or the socket)
 * until the main loop asks for the next batch, so a guest that writes its
 * nodes in a loop is held back by xenstored, and memback's memory does not
 * grow with its write rate. Reads and writes still go through libxenstore
 * on another handle, which registers no watch and so runs no reader thread.
 *
 * Only XS_WATCH / XS_UNWATCH are sent; what comes back is parsed by
 * xswc_parse, a pure function (fuzzed).
 */
#ifndef MEMBACK_XS_WATCHCONN_H
#define MEMBACK_XS_WATCHCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

/* One message off the wire, its payload copied out and NUL-terminated.
 * For XS_WATCH_EVENT, path and token point into body; for XS_ERROR, path
 * is the error name; else both are NULL. */
struct xswc_msg {
	uint32_t type;
	uint32_t req_id;
	const char *path;
	const char *token;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* Parse the first message of buf[0..len). Returns the bytes it takes, 0 if
 * it is not all there yet, -EPROTO if the header is impossible (payload over
 * XENSTORE_PAYLOAD_MAX) or a watch event is not exactly two NUL-terminated
 * strings. */
int xswc_parse(const char *buf, size_t len, struct xswc_msg *out);

/* The read buffer holds a few whole messages; never more. */
#define XSWC_BUF (4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))

struct xs_watchconn {
	int fd;
	uint32_t next_req;
	size_t len;          /* bytes in buf */
	char buf[XSWC_BUF];
	unsigned long events, errors;
	struct xswc_msg msg;  /* the message being handed out */
};

/* Connect as libxenstore's xs_open(0) does: its daemon socket
 * (XENSTORED_PATH or the default), else the xenbus device. */
int xswc_open(struct xs_watchconn *wc);
void xswc_close(struct xs_watchconn *wc);
/* Send XS_WATCH / XS_UNWATCH; the reply comes back through xswc_read (an
 * XS_ERROR reply is logged there). 0 or a negative errno. */
int xswc_watch(struct xs_watchconn *wc, const char *path, const char *token);
int xswc_unwatch(struct xs_watchconn *wc, const char *path, const char *token);

typedef void (*xswc_event_fn)(void *ctx, const char *path, const char *token);
/* Hand at most max events to fn: first those already buffered, then one
 * read() of what fits. Returns the number handed, or -EPIPE/-EPROTO when
 * the connection is gone or broken. Never blocks. */
int xswc_read(struct xs_watchconn *wc, unsigned max, xswc_event_fn fn, void *ctx);
/* A whole message is buffered: call xswc_read again without polling. */
bool xswc_has_buffered(const struct xs_watchconn *wc);

#endif
