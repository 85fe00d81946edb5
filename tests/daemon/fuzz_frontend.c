/*
 * libFuzzer target: every frontend node memback reads (`make fuzz`).
 * The input is the frontend's xenstore directory as "name=value" lines
 * (a guest controls all of it); it goes through frontend_read_rings with
 * limits taken from the first byte, and each line's value through
 * xenbus_state_parse and the state machine. Accepted rings must obey what
 * was offered; refusals must come with one printable line. Anything else
 * aborts, so the fuzzer keeps the input.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "xenbus_fsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NODES 64

struct nodes {
	unsigned n;
	const char *name[MAX_NODES];
	const char *value[MAX_NODES];
};

static int read_node(void *ctx, const char *name, char *buf, size_t len)
{
	const struct nodes *t = ctx;

	for (unsigned i = 0; i < t->n; i++) {
		if (strcmp(t->name[i], name) != 0)
			continue;
		/* As xsu_read: a value that does not fit is an error. */
		size_t l = strlen(t->value[i]);
		if (l >= len)
			return -E2BIG;
		memcpy(buf, t->value[i], l + 1);
		return 0;
	}
	return -ENOENT;
}

static void split(char *text, struct nodes *t)
{
	for (char *line = text, *next; line && t->n < MAX_NODES; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		t->name[t->n] = line;
		t->value[t->n] = eq + 1;
		t->n++;
	}
}

static void check_err(const char *err)
{
	if (!err[0])
		abort();
	for (const char *c = err; *c; c++)
		if (iscntrl((unsigned char)*c))
			abort();
}

static void check_rings(const struct frontend_rings *fr, const struct frontend_limits *lim)
{
	if (fr->nr_queues == 0 || fr->nr_queues > lim->max_queues ||
	    fr->nr_queues > FRONTEND_MAX_QUEUES)
		abort();
	if (fr->abi != BLKIF_ABI_NATIVE && fr->abi != BLKIF_ABI_X86_32 &&
	    fr->abi != BLKIF_ABI_X86_64)
		abort();
	for (unsigned i = 0; i < fr->nr_queues; i++)
		if (fr->queue[i].ring_order > lim->max_ring_order ||
		    fr->queue[i].ring_order != fr->queue[0].ring_order)
			abort();
}

/* Each value as a state node: the machine must give a sane answer. */
static void check_states(const struct nodes *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		enum xenbus_state fe = xenbus_state_parse(t->value[i]);
		if ((unsigned)fe > XenbusStateReconfigured)
			abort();
		for (unsigned ours = 0; ours <= XenbusStateClosed; ours++) {
			struct xenbus_fsm_in in = {
				.ours = (enum xenbus_state)ours,
				.node = (enum xenbus_state)ours,
				.frontend = fe,
				.online = i & 1,
				.connected = ours == XenbusStateConnected,
			};
			struct xenbus_fsm_out out = xenbus_fsm_step(&in);
			if (out.state < -1 || out.state > XenbusStateClosed)
				abort();
			if (out.connect && out.state != XenbusStateConnected)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frontend_limits lim = { 4, 16 };
	struct frontend_rings fr;
	struct nodes t = { 0 };
	char err[256] = "";

	if (size > 0) {
		lim.max_ring_order = data[0] % (RING_MAX_ORDER + 1);
		lim.max_queues = 1 + (data[0] >> 4);
		data++;
		size--;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	split(text, &t);
	int rc = frontend_read_rings(read_node, &t, &lim, &fr, err, sizeof(err));
	if (rc == 0)
		check_rings(&fr, &lim);
	else if (rc == -EINVAL || rc == -ENOENT)
		check_err(err);
	else
		abort();
	check_states(&t);
	free(text);
	return 0;
}
