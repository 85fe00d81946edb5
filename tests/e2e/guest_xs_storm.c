/*
 * A hostile guest for the watch-storm tests: writes one of its own
 * xenstore nodes in a loop as fast as xenstored takes it.
 *
 *   guest_xs_storm PATH COUNT [children]
 *
 * With "children", write PATH/<i> (distinct nodes, so no two events are
 * identical) instead of PATH. Prints the writes done and their rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: guest_xs_storm PATH COUNT [children]\n");
		return 2;
	}
	const char *path = argv[1];
	unsigned long count = strtoul(argv[2], NULL, 10);
	int children = argc > 3 && strcmp(argv[3], "children") == 0;
	struct xs_handle *xs = xs_open(0);
	char node[512], val[16];
	unsigned long done = 0;

	if (!xs) {
		perror("xs_open");
		return 1;
	}
	double t0 = now();
	for (unsigned long i = 0; i < count; i++) {
		if (children)
			snprintf(node, sizeof(node), "%s/%lu", path, i % 200);
		else
			snprintf(node, sizeof(node), "%s", path);
		/* Initialising: changes nothing for the backend, costs it a look. */
		int l = snprintf(val, sizeof(val), "%d", children ? (int)(i & 7) : 1);
		if (!xs_write(xs, XBT_NULL, node, val, (unsigned)l))
			break;
		done++;
	}
	double dt = now() - t0;
	printf("storm: %lu writes in %.2f s (%.0f/s)\n", done, dt, dt > 0 ? (double)done / dt : 0.0);
	xs_close(xs);
	return done == count ? 0 : 1;
}
