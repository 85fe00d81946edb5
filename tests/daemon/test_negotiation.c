/* Frontend negotiation nodes, watch-path parsing and the daemon's command line. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "../unit.h"
#include "../../backend/config.h"
#include "frontend.h"
#include "xs_util.h"

/* A frontend directory as a NULL-terminated list of name, value pairs. */
struct table {
	const char *const *kv;
};

static int table_read(void *ctx, const char *name, char *buf, size_t len)
{
	const struct table *t = ctx;
	const char *const *kv = t->kv;

	for (; kv[0]; kv += 2) {
		if (strcmp(kv[0], name) == 0) {
			if (strlen(kv[1]) >= len)
				return -E2BIG;
			strcpy(buf, kv[1]);
			return 0;
		}
	}
	return -ENOENT;
}

static const struct frontend_limits lim = { .max_ring_order = 4, .max_queues = 4 };

static int negotiate(const char *const *kv, struct frontend_rings *fr, char *err)
{
	struct table t = { kv };
	return frontend_read_rings(table_read, &t, &lim, fr, err, 200);
}

TEST(single_page_ring)
{
	const char *kv[] = { "ring-ref", "8", "event-channel", "9", "protocol", "x86_64-abi",
			     "feature-persistent", "1", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), 0);
	EXPECT_EQ(fr.nr_queues, 1);
	EXPECT_EQ(fr.queue[0].ring_order, 0);
	EXPECT_EQ(fr.queue[0].ring_refs[0], 8);
	EXPECT_EQ(fr.queue[0].event_channel, 9);
	EXPECT_EQ(fr.abi, BLKIF_ABI_X86_64);
	EXPECT(fr.persistent);
}

TEST(absent_protocol_is_native)
{
	const char *kv[] = { "ring-ref", "8", "event-channel", "9", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), 0);
	EXPECT_EQ(fr.abi, BLKIF_ABI_NATIVE);
	EXPECT(!fr.persistent);
}

TEST(unknown_protocol_refused)
{
	const char *kv[] = { "ring-ref", "8", "event-channel", "9", "protocol", "arm-abi", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), -EINVAL);
	EXPECT(strstr(err, "arm-abi") != NULL);
}

/* A guest's bytes reach the error node and the log: no control characters
 * (a newline would forge a log line; found by fuzz_frontend). */
TEST(unknown_protocol_shown_printable)
{
	const char *kv[] = { "ring-ref", "8", "event-channel", "9", "protocol",
			     "x\nerror: forged\x1b[31m\xff", NULL };
	struct frontend_rings fr;
	char err[200];

	EXPECT_EQ(negotiate(kv, &fr, err), -EINVAL);
	EXPECT_STR(err, "unknown frontend protocol \"x?error: forged?[31m?\"");
}

TEST(multi_page_ring)
{
	const char *kv[] = { "ring-page-order", "2", "ring-ref0", "10", "ring-ref1", "11",
			     "ring-ref2", "12", "ring-ref3", "13", "event-channel", "5", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), 0);
	EXPECT_EQ(fr.queue[0].ring_order, 2);
	EXPECT_EQ(fr.queue[0].ring_refs[3], 13);
}

TEST(old_num_ring_pages_name)
{
	const char *kv[] = { "num-ring-pages", "2", "ring-ref0", "10", "ring-ref1", "11",
			     "event-channel", "5", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), 0);
	EXPECT_EQ(fr.queue[0].ring_order, 1);
	const char *bad[] = { "num-ring-pages", "3", "ring-ref0", "1", "event-channel", "5", NULL };
	EXPECT_EQ(negotiate(bad, &fr, err), -EINVAL);
}

TEST(ring_order_above_offer_refused)
{
	const char *kv[] = { "ring-page-order", "5", "event-channel", "5", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), -EINVAL);
	EXPECT(strstr(err, "order 5") != NULL);
}

TEST(missing_ring_ref_refused)
{
	const char *kv[] = { "ring-page-order", "1", "ring-ref0", "10", "event-channel", "5", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), -ENOENT);
	EXPECT(strstr(err, "ring-ref1") != NULL);
}

TEST(junk_numbers_refused)
{
	const char *kv1[] = { "ring-ref", "8x", "event-channel", "9", NULL };
	const char *kv2[] = { "ring-ref", "8", "event-channel", "-1", NULL };
	const char *kv3[] = { "ring-ref", "99999999999", "event-channel", "1", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv1, &fr, err), -EINVAL);
	EXPECT_EQ(negotiate(kv2, &fr, err), -EINVAL);
	EXPECT_EQ(negotiate(kv3, &fr, err), -EINVAL);
}

TEST(multi_queue)
{
	const char *kv[] = { "multi-queue-num-queues", "2",
			     "queue-0/ring-ref", "20", "queue-0/event-channel", "3",
			     "queue-1/ring-ref", "21", "queue-1/event-channel", "4", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), 0);
	EXPECT_EQ(fr.nr_queues, 2);
	EXPECT_EQ(fr.queue[1].ring_refs[0], 21);
	EXPECT_EQ(fr.queue[1].event_channel, 4);
}

/* blkif.h: ring-page-order is a top-level node shared by every queue;
 * the queues' ring-ref<N> follow it. */
TEST(multi_queue_multi_page_order_is_top_level)
{
	const char *kv[] = { "ring-page-order", "1", "multi-queue-num-queues", "2",
			     "queue-0/ring-ref0", "20", "queue-0/ring-ref1", "21",
			     "queue-0/event-channel", "3",
			     "queue-1/ring-ref0", "30", "queue-1/ring-ref1", "31",
			     "queue-1/event-channel", "4", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(kv, &fr, err), 0);
	EXPECT_EQ(fr.nr_queues, 2);
	EXPECT_EQ(fr.queue[0].ring_order, 1);
	EXPECT_EQ(fr.queue[1].ring_order, 1);
	EXPECT_EQ(fr.queue[1].ring_refs[1], 31);
}

TEST(queue_count_bounded)
{
	const char *zero[] = { "multi-queue-num-queues", "0", NULL };
	const char *many[] = { "multi-queue-num-queues", "5", NULL };
	struct frontend_rings fr;
	char err[200];
	EXPECT_EQ(negotiate(zero, &fr, err), -EINVAL);
	EXPECT_EQ(negotiate(many, &fr, err), -EINVAL);
	EXPECT(strstr(err, "5 queues") != NULL);
}

TEST(backend_paths)
{
	const char *base = "/local/domain/0/backend/vbd", *rest;
	unsigned dom, dev;
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd/3/51712", &dom, &dev, &rest), 0);
	EXPECT_EQ(dom, 3);
	EXPECT_EQ(dev, 51712);
	EXPECT_STR(rest, "");
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd/3/51712/state", &dom, &dev, &rest), 0);
	EXPECT_STR(rest, "state");
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd/3/51712/q/x", &dom, &dev, &rest), 0);
	EXPECT_STR(rest, "q/x");
	EXPECT_EQ(backend_path_parse(base, base, &dom, &dev, &rest), -ENOENT);
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd/3", &dom, &dev, &rest), -ENOENT);
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd3/1/2", &dom, &dev, &rest), -EINVAL);
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd/x/2", &dom, &dev, &rest), -EINVAL);
	EXPECT_EQ(backend_path_parse(base, "/local/domain/0/backend/vbd/1//", &dom, &dev, &rest), -EINVAL);
	EXPECT_EQ(backend_path_parse(base, "/other", &dom, &dev, &rest), -EINVAL);
}

static int parse_args(struct options *o, char *err, ...)
{
	char *argv[16] = { "memback" };
	int argc = 1;
	va_list ap;
	va_start(ap, err);
	for (char *a; argc < 15 && (a = va_arg(ap, char *)); )
		argv[argc++] = a;
	va_end(ap);
	memset(o, 0, sizeof(*o));
	return options_parse(argc, argv, o, err, 200);
}

TEST(command_line)
{
	struct options o;
	char err[200];
	EXPECT_EQ(parse_args(&o, err, "-f", "--pool-size", "2G", "--backend-type", "vbd3",
			     "--max-ring-order", "2", "--grant-mode", "map", NULL), 0);
	EXPECT(o.foreground);
	EXPECT_EQ(o.cfg.pool_size, 2ull << 30);
	EXPECT_STR(o.cfg.backend_type, "vbd3");
	EXPECT_EQ(o.cfg.max_ring_order, 2);
	EXPECT_EQ(o.cfg.grant_mode, GRANT_MODE_MAP);
	EXPECT_EQ(parse_args(&o, err, NULL), 0);
	EXPECT_STR(o.cfg.backend_type, "vbd");
	EXPECT_EQ(o.cfg.max_ring_order, 4);
	EXPECT_EQ(o.cfg.max_indirect_segments, 256);
	EXPECT_EQ(parse_args(&o, err, "--max-indirect-segments", "0", NULL), 0);
	EXPECT_EQ(o.cfg.max_indirect_segments, 0);
}

TEST(command_line_errors_name_the_problem)
{
	struct options o;
	char err[200];
	EXPECT_EQ(parse_args(&o, err, "--pool-size", "lots", NULL), -EINVAL);
	EXPECT(strstr(err, "--pool-size") != NULL);
	EXPECT_EQ(parse_args(&o, err, "--max-ring-order", "5", NULL), -EINVAL);
	EXPECT(strstr(err, "--max-ring-order") != NULL);
	EXPECT_EQ(parse_args(&o, err, "--backend-type", "a/b", NULL), -EINVAL);
	EXPECT_EQ(parse_args(&o, err, "--bogus", NULL), -EINVAL);
	EXPECT(strstr(err, "--bogus") != NULL);
	EXPECT_EQ(parse_args(&o, err, "--pool-size", NULL), -EINVAL);
	EXPECT(strstr(err, "needs a value") != NULL);
	EXPECT_EQ(parse_args(&o, err, "stray", NULL), -EINVAL);
	EXPECT_EQ(parse_args(&o, err, "--max-indirect-segments", "8", NULL), -EINVAL);
}

int main(void)
{
	RUN(single_page_ring);
	RUN(absent_protocol_is_native);
	RUN(unknown_protocol_refused);
	RUN(unknown_protocol_shown_printable);
	RUN(multi_page_ring);
	RUN(old_num_ring_pages_name);
	RUN(ring_order_above_offer_refused);
	RUN(missing_ring_ref_refused);
	RUN(junk_numbers_refused);
	RUN(multi_queue);
	RUN(multi_queue_multi_page_order_is_top_level);
	RUN(queue_count_bounded);
	RUN(backend_paths);
	RUN(command_line);
	RUN(command_line_errors_name_the_problem);
	return UNIT_RESULT();
}
