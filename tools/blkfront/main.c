/*
 * blkfront: a simulated guest's block frontend as a load generator and
 * verifier. Attaches to a vbd of the domain it runs in, drives I/O,
 * checks what it reads, reports IOPS, MB/s and latency percentiles.
 * Exit: 0 all good, 1 I/O or verify error or failure, 2 bad command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "blkfront.h"
#include "load.h"
#include "report.h"

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Pages one --bs block spans (blocks start page-aligned). */
static unsigned bs_segments(uint32_t bs)
{
	return (unsigned)((bs + BF_PAGE_SIZE - 1) / BF_PAGE_SIZE);
}

/* A --bs above 44K needs indirect requests of that many segments. */
static int check_bs(const struct bf_args *a, struct blkfront *bf)
{
	const struct blkfront_info *in = blkfront_info(bf);
	unsigned need = bs_segments(a->bs), have = in->max_indirect_segments;

	if (need <= BLKIF_MAX_SEGMENTS_PER_REQUEST || need <= have)
		return 0;
	if (have < BLKIF_MAX_SEGMENTS_PER_REQUEST)
		have = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	fprintf(stderr, "blkfront: --bs %u is too large: the backend takes at "
		"most %u bytes per request (feature-max-indirect-segments %u)\n",
		a->bs, have * BF_PAGE_SIZE, in->max_indirect_segments);
	return -E2BIG;
}

static void opts_from_args(const struct bf_args *a, struct blkfront_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->devid = a->devid;
	o->ring_order = a->ring_order;
	o->queues = a->queues;
	o->protocol = a->protocol;
	o->slots = (a->qd + a->queues - 1) / a->queues;
	o->max_segments = bs_segments(a->bs);
	o->timeout_ms = (unsigned)(a->timeout_s * 1000);
	o->poll_us = a->poll_us;
}

/* Attach step by step, so that a failure after the rings were published
 * still closes the device cleanly for the backend. */
static int attach(const struct bf_args *a, struct blkfront **out)
{
	struct blkfront_opts o;
	int rc;

	opts_from_args(a, &o);
	rc = blkfront_open(out, &o);
	if (!rc && check_bs(a, *out))
		return -E2BIG;
	if (!rc)
		rc = blkfront_setup(*out);
	if (rc)
		goto fail;
	rc = blkfront_publish(*out);
	if (!rc)
		rc = blkfront_wait_connected(*out);
	if (rc) {
		fprintf(stderr, "blkfront: %s\n", blkfront_error(*out));
		blkfront_close(*out);
		return rc;
	}
	return 0;
fail:
	fprintf(stderr, "blkfront: %s\n",
		*out ? blkfront_error(*out) : strerror(-rc));
	return rc;
}

static int run_phases(struct load_ctx *lc, struct report *rep)
{
	const struct bf_args *a = lc->args;
	int rc = 0;

	if (a->fill_verify)
		rc = load_run(lc, LOAD_WRITE_ALL, &rep->phases[rep->nr_phases++]);
	if (!rc && (a->count || a->time_s > 0))
		rc = load_run(lc, LOAD_MIXED, &rep->phases[rep->nr_phases++]);
	if (!rc && a->fill_verify)
		rc = load_run(lc, LOAD_READ_ALL, &rep->phases[rep->nr_phases++]);
	return rc;
}

/* Run the load on an attached device; 0, 1 (failed) or 2 (bad args). */
static int run(const struct bf_args *a, struct blkfront *bf)
{
	static struct report rep; /* big (histograms): not on the stack */
	struct load_ctx lc;
	char msg[256];
	int rc;

	rc = load_init(&lc, a, bf, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "blkfront: %s\n", msg);
		return rc == -EINVAL ? 2 : 1;
	}
	lc.stop = &stop_requested;
	rep.args = a;
	rep.info = blkfront_info(bf);
	run_phases(&lc, &rep);
	report_total(&rep);
	if (a->json)
		report_json(stdout, &rep);
	else
		report_text(stdout, &rep);
	load_fini(&lc);
	if (rep.total.aborted || rep.total.io_errors || rep.total.verify_errors)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct bf_args a;
	struct blkfront *bf = NULL;
	char err[256];
	int status;

	if (bf_args_parse(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "blkfront: %s\n", err);
		return 2;
	}
	if (a.help) {
		fputs(bf_usage(), stdout);
		return 0;
	}
	catch_signals();
	status = attach(&a, &bf);
	if (status) {
		blkfront_free(bf);
		return status == -E2BIG ? 2 : 1;
	}
	status = run(&a, bf);
	if (blkfront_close(bf)) {
		fprintf(stderr, "blkfront: close: %s\n", blkfront_error(bf));
		if (!status)
			status = 1;
	}
	blkfront_free(bf);
	return status;
}
