/*
 * The shadow-keeping verifier guest of the restart tests: connects to its
 * disk once and then, until SIGTERM/SIGINT (or --stop-file appears, or
 * --secs pass), keeps --qd requests in flight over its queues: writes,
 * reads, flushes and discards at random offsets and sizes, with random
 * segment shapes, direct and (when the backend offers them) indirect. It
 * keeps a shadow of every write and discard (verify_shadow.h) and checks
 * each read against it, and at the end reads the whole disk back.
 *
 * A restart of the backend must be invisible: any response other than
 * OKAY, the backend leaving Connected, or a protocol error is a FAIL. It
 * never reconnects and takes responses only when an event says so, as a
 * guest's interrupt handler does; it waits --timeout seconds (default 120)
 * for a response before giving up. Every wait of more than 10 ms with
 * requests outstanding is printed ("# gap END_REALTIME_NS LENGTH_US") so a
 * test can measure downtime from the instant it killed the backend.
 *
 *   guest_verify [options] DEVID
 *     --qd N            requests in flight over all queues (16)
 *     --queues N        queues to ask for (1)
 *     --ring-order N    ring pages as 2^N (0)
 *     --max-segs N      segments per request, up to what the backend
 *                       offers (64; above 11 means indirect requests)
 *     --discard-pct N   share of discards among requests (10); the rest
 *                       is reads and writes half and half, flushes 5%
 *     --seed N          data and choice seed (the domid)
 *     --secs N          stop after N seconds (0: only on a signal/file)
 *     --stop-file PATH  stop when PATH exists
 *     --ready-file PATH created once connected and running
 *     --timeout N       seconds without a response before failing (120)
 *     --quiesce-file P  while P exists: no new requests; once all are
 *                       answered, write --expect-image and create P.done
 *     --expect-image P  the disk as the shadow says it is, written when
 *                       quiesced and at the end (to compare with a save=)
 *     --fill            write the whole disk first, then run as usual
 *                       (--ready-file comes after the fill)
 *     --expect-close    the backend closing is expected (a shutdown, a
 *                       detach): stop there, PASS backend_closed
 *     --no-persistent   do not offer feature-persistent
 *     --prefix STR      put before every check name
 */
#include "guest_common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "parse.h"
#include "verify.h"

#define TICK_MS      100
#define GAP_PRINT_NS (10 * 1000000ull) /* a gap printed for the tests */
#define GAP_BIG_NS   (50 * 1000000ull) /* a gap counted as big */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	(void)sig;
	stop_signal = 1;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Submit until qd requests are in flight (or nothing more to do). */
static int submit_more(struct verifier *v)
{
	unsigned nq = blkfront_nr_queues(v->bf);

	while (v->in_flight < v->o.qd) {
		struct blkfront_queue *q = NULL;
		struct blkfront_req *r = NULL;
		unsigned qi = 0;
		int rc;

		for (unsigned i = 0; i < nq && !r; i++) {
			qi = (v->next_queue + i) % nq;
			q = blkfront_queue(v->bf, qi);
			r = blkfront_req_get(q);
		}
		if (!r)
			return 0;
		v->next_queue = (qi + 1) % nq;
		if (!verify_pick_request(v, r)) {
			blkfront_req_put(q, r);
			return 0;
		}
		rc = blkfront_req_submit(q, r);
		if (rc) {
			CHECK("submit", 0, "queue %u: %s", qi, strerror(-rc));
			return rc;
		}
		if (v->in_flight++ == 0)
			v->gap_start_ns = blkfront_now_ns();
		v->kicked |= 1u << qi;
	}
	return 0;
}

static int kick_queues(struct verifier *v)
{
	for (unsigned i = 0; v->kicked; i++) {
		if (!(v->kicked & (1u << i)))
			continue;
		v->kicked &= ~(1u << i);
		int rc = blkfront_kick(blkfront_queue(v->bf, i));
		if (rc) {
			CHECK("kick", 0, "queue %u: %s", i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* A backend state seen while running: anything but Connected is noted. */
static void note_state(struct verifier *v, int st)
{
	if (st != XenbusStateConnected && !v->st.bad_state_seen) {
		v->st.bad_state_seen = true;
		v->st.bad_state = st;
		printf("# backend state %d while running\n", st);
	}
}

/* Responses on queue qi after its event, until the ring's final check
 * says none are left (then the backend notifies for the next one). */
static int drain_queue(struct verifier *v, unsigned qi)
{
	struct blkfront_queue *q = blkfront_queue(v->bf, qi);
	struct blkfront_req *done[64];
	int n;

	while ((n = blkfront_complete(q, done, 64, 0)) > 0) {
		uint64_t now = blkfront_now_ns(), gap = now - v->gap_start_ns;

		if (gap > v->st.max_gap_ns)
			v->st.max_gap_ns = gap;
		v->st.gaps_over_50ms += gap > GAP_BIG_NS;
		if (gap > GAP_PRINT_NS)
			printf("# gap %llu %llu\n", (unsigned long long)realtime_ns(),
			       (unsigned long long)(gap / 1000));
		v->gap_start_ns = now;
		for (int i = 0; i < n; i++) {
			verify_complete(v, done[i]);
			blkfront_req_put(q, done[i]);
			v->in_flight--;
		}
	}
	if (n == -ESHUTDOWN && v->o.expect_close) {
		v->closed = true;
		return n;
	}
	if (n == -ESHUTDOWN)
		note_state(v, blkfront_backend_state(v->bf));
	if (n < 0) {
		CHECK("responses", 0, "queue %u: %s", qi, blkfront_error(v->bf));
		return n;
	}
	return 0;
}

/* Quiet while the quiesce file exists: once nothing is in flight the
 * expected image is written and FILE.done created; resumes when FILE
 * goes. */
static int quiesce_step(struct verifier *v)
{
	char done[4096];
	bool want = v->o.quiesce_file && access(v->o.quiesce_file, F_OK) == 0;

	if (!v->o.quiesce_file)
		return 0;
	snprintf(done, sizeof(done), "%s.done", v->o.quiesce_file);
	if (want && !v->quiesced && v->in_flight == 0) {
		int rc = v->o.expect_image ? verify_write_expected_image(v) : 0;
		if (rc)
			return rc;
		close(open(done, O_WRONLY | O_CREAT | O_TRUNC, 0644));
		v->quiesced = true;
		printf("# quiesced\n");
		fflush(stdout);
	} else if (!want && v->quiesced) {
		unlink(done);
		v->quiesced = false;
		printf("# resumed\n");
		fflush(stdout);
	}
	return 0;
}

/* Where each ring stands, for the report of a backend that went silent. */
static void print_rings(struct verifier *v)
{
	for (unsigned i = 0; i < blkfront_nr_queues(v->bf); i++) {
		struct blkfront_queue *q = blkfront_queue(v->bf, i);
		const blkif_front_ring_t *r = blkfront_raw_ring(q);

		printf("# queue %u: %u in flight; req_prod %u req_event %u rsp_prod %u "
		       "rsp_event %u rsp_cons %u\n", i, blkfront_in_flight(q), r->sring->req_prod,
		       r->sring->req_event, r->sring->rsp_prod, r->sring->rsp_event, r->rsp_cons);
	}
}

/* Once a tick: stop conditions, the backend's state, the timeout. */
static int tick(struct verifier *v, uint64_t start_ns)
{
	uint64_t now = blkfront_now_ns();
	int st = blkfront_backend_state(v->bf);

	if (v->o.expect_close && (st == XenbusStateClosing || st == XenbusStateClosed ||
				  st == -ENOENT)) {
		v->closed = true;
		return -ESHUTDOWN;
	}
	note_state(v, st);
	if (stop_signal || (v->o.stop_file && access(v->o.stop_file, F_OK) == 0) ||
	    (v->o.secs && now - start_ns >= v->o.secs * 1000000000ull))
		stop_signal = 1;
	if (v->in_flight && now - v->gap_start_ns > v->o.timeout_s * 1000000000ull) {
		print_rings(v);
		CHECK("backend_answers", 0, "%u requests without a response for %llu s",
		      v->in_flight, (unsigned long long)v->o.timeout_s);
		return -ETIMEDOUT;
	}
	return quiesce_step(v);
}

/* Run until told to stop and everything in flight is answered (or, in
 * the final phase, until the whole disk is read back). */
static int run_phase(struct verifier *v)
{
	uint64_t start = blkfront_now_ns(), next_tick = start;
	int rc = 0;

	for (;;) {
		uint32_t events;
		bool stopping = !v->final_phase && stop_signal;
		bool quiet = !v->final_phase && v->o.quiesce_file &&
			     (v->quiesced || access(v->o.quiesce_file, F_OK) == 0);

		if (!stopping && !quiet && (rc = submit_more(v)))
			break;
		if ((rc = kick_queues(v)))
			break;
		if (v->in_flight == 0 && (stopping || v->final_phase || v->fill_phase))
			break;
		rc = blkfront_wait_events(v->bf, TICK_MS, &events);
		if (rc == -ESHUTDOWN && v->o.expect_close) {
			v->closed = true;
			break;
		}
		if (rc == -ESHUTDOWN)
			note_state(v, blkfront_backend_state(v->bf));
		if (rc < 0) {
			CHECK("events", 0, "%s", strerror(-rc));
			break;
		}
		for (unsigned i = 0; events >> i; i++)
			if ((events & (1u << i)) && (rc = drain_queue(v, i)))
				goto out;
		rc = 0;
		if (blkfront_now_ns() >= next_tick) {
			next_tick += TICK_MS * 1000000ull;
			if ((rc = tick(v, start)))
				break;
		}
	}
out:
	return v->closed ? 0 : rc;
}

static void print_results(struct verifier *v)
{
	const struct verify_stats *s = &v->st;

	CHECK("no_io_errors", s->io_errors == 0, "%llu responses were not OKAY",
	      (unsigned long long)s->io_errors);
	CHECK("every_read_matches_the_shadow", s->mismatches == 0, "%llu sectors differ",
	      (unsigned long long)s->mismatches);
	CHECK("backend_stayed_connected", !s->bad_state_seen, "saw state %d", s->bad_state);
	if (v->o.expect_close)
		CHECK("backend_closed", v->closed, "it did not close");
	else
		CHECK("whole_disk_read_back", !v->aborted && s->final_sectors == v->sh.nsect,
		      "%llu of %llu sectors read back", (unsigned long long)s->final_sectors,
		      (unsigned long long)v->sh.nsect);
	CHECK("writes_were_acknowledged", s->writes > 0 || v->in->readonly, "no write acked");
	printf("FIGURES: writes_acked=%llu reads_checked=%llu sectors_checked=%llu "
	       "discards=%llu flushes=%llu indirect=%llu sectors_verified_at_end=%llu "
	       "longest_gap_ms=%.1f gaps_over_50ms=%llu\n",
	       (unsigned long long)s->writes, (unsigned long long)s->reads,
	       (unsigned long long)s->sectors_checked, (unsigned long long)s->discards,
	       (unsigned long long)s->flushes, (unsigned long long)s->indirect,
	       (unsigned long long)s->final_sectors, (double)s->max_gap_ns / 1e6,
	       (unsigned long long)s->gaps_over_50ms);
	fflush(stdout);
}

static const struct option long_opts[] = {
	{ "qd", required_argument, NULL, 'q' },
	{ "queues", required_argument, NULL, 'Q' },
	{ "ring-order", required_argument, NULL, 'r' },
	{ "max-segs", required_argument, NULL, 'm' },
	{ "discard-pct", required_argument, NULL, 'd' },
	{ "seed", required_argument, NULL, 's' },
	{ "secs", required_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "stop-file", required_argument, NULL, 'S' },
	{ "ready-file", required_argument, NULL, 'R' },
	{ "quiesce-file", required_argument, NULL, 'P' },
	{ "expect-image", required_argument, NULL, 'I' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "expect-close", no_argument, NULL, 'C' },
	{ "fill", no_argument, NULL, 'F' },
	{ "no-persistent", no_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

/* A numeric option's value in [lo, hi]; -EINVAL with a line saying why. */
static int opt_number(int c, const char *arg, uint64_t lo, uint64_t hi, uint64_t *v)
{
	const char *name = "?";

	for (const struct option *l = long_opts; l->name; l++)
		if (l->val == c)
			name = l->name;
	if (parse_uint(arg, hi, v) == 0 && *v >= lo)
		return 0;
	fprintf(stderr, "guest_verify: --%s %s: not a number in %llu..%llu\n", name, arg,
		(unsigned long long)lo, (unsigned long long)hi);
	return -EINVAL;
}

static int parse_opts(int argc, char **argv, struct verify_opts *o, unsigned *devid)
{
	uint64_t v = 0;
	int c, rc = 0;

	*o = (struct verify_opts){ .qd = 16, .queues = 1, .max_segs = 64, .discard_pct = 10,
				   .timeout_s = 120 };
	while (rc == 0 && (c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case 'q': rc = opt_number(c, optarg, 1, 4096, &v); o->qd = (unsigned)v; break;
		case 'Q': rc = opt_number(c, optarg, 1, BLKFRONT_MAX_QUEUES, &v);
			  o->queues = (unsigned)v; break;
		case 'r': rc = opt_number(c, optarg, 0, BLKFRONT_MAX_RING_ORDER, &v);
			  o->ring_order = (int)v; break;
		case 'm': rc = opt_number(c, optarg, 1, BLKFRONT_MAX_SEGMENTS, &v);
			  o->max_segs = (unsigned)v; break;
		case 'd': rc = opt_number(c, optarg, 0, 95, &v); o->discard_pct = (unsigned)v; break;
		case 's': rc = opt_number(c, optarg, 0, UINT64_MAX, &o->seed); break;
		case 't': rc = opt_number(c, optarg, 0, 86400, &o->secs); break;
		case 'T': rc = opt_number(c, optarg, 1, 86400, &o->timeout_s); break;
		case 'S': o->stop_file = optarg; break;
		case 'R': o->ready_file = optarg; break;
		case 'P': o->quiesce_file = optarg; break;
		case 'I': o->expect_image = optarg; break;
		case 'p': guest_prefix = optarg; break;
		case 'C': o->expect_close = true; break;
		case 'F': o->fill = true; break;
		case 'n': o->no_persistent = true; break;
		default: rc = -EINVAL; break;
		}
	}
	if (rc || optind != argc - 1 || parse_uint(argv[optind], UINT32_MAX, &v)) {
		fprintf(stderr, "usage: guest_verify [options] DEVID (see the source's header)\n");
		return -EINVAL;
	}
	*devid = (unsigned)v;
	return 0;
}

static int connect_disk(struct verifier *v, unsigned devid)
{
	struct blkfront_opts bo = {
		.devid = devid,
		.ring_order = v->o.ring_order,
		.queues = v->o.queues,
		.no_persistent = v->o.no_persistent,
		.max_segments = v->o.max_segs,
		/* Each queue its share of qd: the pages are granted up front. */
		.slots = (v->o.qd + v->o.queues - 1) / v->o.queues,
		/* Attach may meet a backend that is restarting. */
		.timeout_ms = (unsigned)(v->o.timeout_s * 1000),
	};
	int rc = blkfront_attach(&v->bf, &bo);

	if (rc) {
		printf("FAIL: %sattach: %s\n", guest_prefix,
		       v->bf ? blkfront_error(v->bf) : strerror(-rc));
		return rc;
	}
	v->in = blkfront_info(v->bf);
	v->align = v->in->sector_size >= 512 ? v->in->sector_size / 512 : 1;
	rc = vs_init(&v->sh, v->in->sectors);
	if (rc)
		printf("FAIL: %sshadow: out of memory\n", guest_prefix);
	printf("# connected: %llu sectors, %u queues, ring order %u, %u segments per request, "
	       "%s grants\n", (unsigned long long)v->in->sectors, v->in->nr_queues,
	       v->in->ring_order, v->in->max_segments,
	       v->in->feature_persistent && !v->o.no_persistent ? "persistent" : "copied");
	fflush(stdout);
	return rc;
}

int main(int argc, char **argv)
{
	struct verifier v = { 0 };
	struct sigaction sa = { .sa_handler = on_stop };
	unsigned devid;
	int rc;

	if (parse_opts(argc, argv, &v.o, &devid))
		return 2;
	if (!v.o.seed)
		v.o.seed = getenv("XENSIM_DOMID") ? strtoull(getenv("XENSIM_DOMID"), NULL, 10) : 1;
	pat_rng_seed(&v.rng, v.o.seed * 0x9e3779b97f4a7c15ull + devid);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (connect_disk(&v, devid)) {
		blkfront_free(v.bf);
		return 1;
	}
	/* Ready once running, after the fill if there is one. */
	v.fill_phase = v.o.fill;
	rc = v.fill_phase ? run_phase(&v) : 0;
	v.fill_phase = false;
	v.seq_next = 0;
	if (v.o.ready_file)
		close(open(v.o.ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (rc == 0 && !v.closed)
		rc = run_phase(&v);
	if (rc == 0 && !v.closed) {
		v.final_phase = true;
		v.seq_next = 0;
		rc = run_phase(&v);
	}
	if (rc == 0 && !v.closed && v.o.expect_image)
		rc = verify_write_expected_image(&v);
	v.aborted = rc != 0;
	print_results(&v);
	/* After a failure the backend may still hold our requests: leave the
	 * device as it is (the test tears the domain down). */
	if (!v.aborted || v.closed)
		blkfront_close(v.bf);
	blkfront_free(v.bf);
	vs_fini(&v.sh);
	return guest_failures ? 1 : 0;
}
