/* Reading and checking the frontend's connect-time nodes (include/frontend.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stdint.h>
#include <xen/io/protocols.h>

#include "frontend.h"
#include "xs_util.h"

int frontend_parse_protocol(const char *s, enum blkif_abi *out)
{
	if (!s || !*s) {
		*out = BLKIF_ABI_NATIVE;
	} else if (strcmp(s, XEN_IO_PROTO_ABI_X86_64) == 0) {
		*out = BLKIF_ABI_X86_64;
	} else if (strcmp(s, XEN_IO_PROTO_ABI_X86_32) == 0) {
		*out = BLKIF_ABI_X86_32;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* A guest-written value for a message (the error node, the log): control
 * characters and bytes past ASCII become '?', so a guest cannot forge log
 * lines or terminal escapes (found by fuzz_frontend). */
static const char *printable(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A node that must hold a number <= max; absent gives -ENOENT. */
static int read_uint(frontend_read_fn read, void *ctx, const char *name,
		     uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	char buf[32];
	int rc = read(ctx, name, buf, sizeof(buf));

	if (rc == -ENOENT)
		return errorf(err, errlen, -ENOENT, "frontend node %s missing", name);
	if (rc || parse_uint(buf, max, out))
		return errorf(err, errlen, -EINVAL, "frontend node %s is not a number <= %llu",
			    name, (unsigned long long)max);
	return 0;
}

static int read_ring_order(frontend_read_fn read, void *ctx, const char *dir,
			   const struct frontend_limits *lim, unsigned *order,
			   char *err, size_t errlen)
{
	char name[64];
	uint64_t v;
	int rc;

	snprintf(name, sizeof(name), "%sring-page-order", dir);
	rc = read_uint(read, ctx, name, UINT32_MAX, &v, err, errlen);
	if (rc == -ENOENT) {
		/* The older name: a page count, a power of two. */
		snprintf(name, sizeof(name), "%snum-ring-pages", dir);
		rc = read_uint(read, ctx, name, UINT32_MAX, &v, err, errlen);
		if (rc == -ENOENT) {
			*order = 0;
			return 0;
		}
		if (rc)
			return rc;
		if (v == 0 || (v & (v - 1)))
			return errorf(err, errlen, -EINVAL, "%s=%llu is not a power of two",
				    name, (unsigned long long)v);
		v = (uint64_t)__builtin_ctzll(v);
	} else if (rc) {
		return rc;
	}
	if (v > lim->max_ring_order)
		return errorf(err, errlen, -EINVAL,
			    "frontend ring order %llu is above the %u offered",
			    (unsigned long long)v, lim->max_ring_order);
	*order = (unsigned)v;
	return 0;
}

/* Page i of a ring: ring-ref<i>; a one-page ring may say plain ring-ref. */
static int read_ring_ref(frontend_read_fn read, void *ctx, const char *dir,
			 unsigned order, unsigned i, uint64_t *v,
			 char *err, size_t errlen)
{
	char name[64];

	if (order == 0) {
		snprintf(name, sizeof(name), "%sring-ref", dir);
		int rc = read_uint(read, ctx, name, UINT32_MAX, v, err, errlen);
		if (rc != -ENOENT)
			return rc;
	}
	snprintf(name, sizeof(name), "%sring-ref%u", dir, i);
	return read_uint(read, ctx, name, UINT32_MAX, v, err, errlen);
}

/* One queue's rings; the order is the device's (top-level) one. */
static int read_queue(frontend_read_fn read, void *ctx, const char *dir, unsigned order,
		      struct frontend_queue *q, char *err, size_t errlen)
{
	char name[64];
	uint64_t v;
	int rc;

	q->ring_order = order;
	for (unsigned i = 0; i < (1u << q->ring_order); i++) {
		rc = read_ring_ref(read, ctx, dir, q->ring_order, i, &v, err, errlen);
		if (rc)
			return rc;
		q->ring_refs[i] = (uint32_t)v;
	}
	snprintf(name, sizeof(name), "%sevent-channel", dir);
	rc = read_uint(read, ctx, name, UINT32_MAX, &v, err, errlen);
	if (rc)
		return rc;
	q->event_channel = (uint32_t)v;
	return 0;
}

int frontend_read_rings(frontend_read_fn read, void *ctx,
			const struct frontend_limits *lim,
			struct frontend_rings *out, char *err, size_t errlen)
{
	char buf[64];
	uint64_t v;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read(ctx, "protocol", buf, sizeof(buf));
	if (rc && rc != -ENOENT)
		return errorf(err, errlen, -EINVAL, "frontend protocol unreadable");
	if (frontend_parse_protocol(rc ? NULL : buf, &out->abi)) {
		char shown[sizeof(buf)];
		return errorf(err, errlen, -EINVAL, "unknown frontend protocol \"%s\"",
			      printable(shown, sizeof(shown), buf));
	}

	rc = read_uint(read, ctx, "feature-persistent", 1, &v, err, errlen);
	if (rc == -EINVAL)
		return rc;
	out->persistent = rc == 0 && v == 1;

	/* As blkif.h and both Linux drivers: ring-page-order sits at the
	 * top level and applies to every queue. */
	unsigned order = 0;
	rc = read_ring_order(read, ctx, "", lim, &order, err, errlen);
	if (rc)
		return rc;
	rc = read_uint(read, ctx, "multi-queue-num-queues", UINT32_MAX, &v, err, errlen);
	if (rc == -ENOENT) {
		out->nr_queues = 1;
		return read_queue(read, ctx, "", order, &out->queue[0], err, errlen);
	}
	if (rc)
		return rc;
	if (v == 0 || v > lim->max_queues || v > FRONTEND_MAX_QUEUES)
		return errorf(err, errlen, -EINVAL,
			    "frontend asks for %llu queues; 1 to %u are offered",
			    (unsigned long long)v, lim->max_queues);
	out->nr_queues = (unsigned)v;
	for (unsigned i = 0; i < out->nr_queues; i++) {
		char dir[32];

		snprintf(dir, sizeof(dir), "queue-%u/", i);
		rc = read_queue(read, ctx, dir, order, &out->queue[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}
