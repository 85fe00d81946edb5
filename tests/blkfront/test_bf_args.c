/* Unit tests: the blkfront CLI's command line. */
#include <errno.h>
#include <stdint.h>

#include "../unit.h"
#include "../../tools/blkfront/args.h"

static struct bf_args a;
static char err[256];

#define PARSE(...)                                                          \
	({                                                                  \
		char *argv_[] = { "blkfront", __VA_ARGS__, NULL };          \
		bf_args_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1,  \
			      argv_, &a, err, sizeof(err));                 \
	})

TEST(defaults)
{
	EXPECT_EQ(PARSE("--devid", "51712"), 0);
	EXPECT_EQ(a.devid, 51712);
	EXPECT_EQ(a.ring_order, -1);
	EXPECT_EQ(a.queues, 1);
	EXPECT_EQ(a.pattern, BF_PATTERN_SEQ);
	EXPECT_EQ(a.read_pct, 100);
	EXPECT_EQ(a.bs, 4096);
	EXPECT_EQ(a.qd, 1);
	EXPECT_EQ(a.count, 1000);
	EXPECT(!a.verify && !a.json && !a.fill_verify);
}

TEST(everything)
{
	EXPECT_EQ(PARSE("--devid", "xvdb", "--ring-order", "2", "--queues", "2",
			"--pattern", "rand", "--rw", "mixed:70%", "--bs", "8k",
			"--qd", "16", "--time", "1.5", "--verify", "--seed", "99",
			"--json", "--offset", "1M", "--size", "4MiB", "--timeout",
			"3", "--poll-us", "50", "--protocol", "x86_32-abi"), 0);
	EXPECT_EQ(a.devid, 51728);
	EXPECT_EQ(a.ring_order, 2);
	EXPECT_EQ(a.queues, 2);
	EXPECT_EQ(a.pattern, BF_PATTERN_RAND);
	EXPECT_EQ(a.read_pct, 70);
	EXPECT_EQ(a.bs, 8192);
	EXPECT_EQ(a.qd, 16);
	EXPECT_EQ(a.count, 0);
	EXPECT(a.time_s == 1.5);
	EXPECT(a.verify && a.json);
	EXPECT_EQ(a.seed, 99);
	EXPECT_EQ(a.offset, 1 << 20);
	EXPECT_EQ(a.size, 4 << 20);
	EXPECT(a.timeout_s == 3);
	EXPECT_EQ(a.poll_us, 50);
	EXPECT_STR(a.protocol, "x86_32-abi");
}

TEST(rw_forms)
{
	EXPECT_EQ(PARSE("--devid", "1", "--rw", "write"), 0);
	EXPECT_EQ(a.read_pct, 0);
	EXPECT_EQ(PARSE("--devid", "1", "--rw", "mixed:25"), 0);
	EXPECT_EQ(a.read_pct, 25);
	EXPECT_EQ(PARSE("--devid", "1", "--rw", "mixed:101"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--rw", "mixed:"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--rw", "readwrite"), -EINVAL);
	EXPECT(strstr(err, "--rw") != NULL);
}

TEST(fill_verify_implies_verify_and_no_default_count)
{
	EXPECT_EQ(PARSE("--devid", "1", "--fill-verify"), 0);
	EXPECT(a.verify);
	EXPECT_EQ(a.count, 0);
	EXPECT_EQ(PARSE("--devid", "1", "--fill-verify", "--count", "5"), 0);
	EXPECT_EQ(a.count, 5);
}

TEST(errors_name_the_problem)
{
	EXPECT_EQ(PARSE("--bs", "4096"), -EINVAL);
	EXPECT(strstr(err, "--devid") != NULL);
	EXPECT_EQ(PARSE("--devid", "1", "--bs", "1000"), -EINVAL);
	EXPECT(strstr(err, "--bs") != NULL);
	EXPECT_EQ(PARSE("--devid", "1", "--bs", "1M"), 0); /* indirect */
	EXPECT_EQ(a.bs, 1u << 20);
	EXPECT_EQ(PARSE("--devid", "1", "--bs", "1028k"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--qd", "0"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--ring-order", "5"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--queues", "0"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--count", "5", "--time", "1"), -EINVAL);
	EXPECT(strstr(err, "--time") != NULL);
	EXPECT_EQ(PARSE("--devid", "1", "--frobnicate"), -EINVAL);
	EXPECT(strstr(err, "frobnicate") != NULL);
	EXPECT_EQ(PARSE("--devid", "1", "--qd"), -EINVAL);
	EXPECT(strstr(err, "--qd") != NULL);
	EXPECT_EQ(PARSE("--devid", "1", "stray"), -EINVAL);
	EXPECT(strstr(err, "stray") != NULL);
	EXPECT_EQ(PARSE("--devid", "1", "--offset", "100"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--time", "-1"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "1", "--pattern", "zigzag"), -EINVAL);
	EXPECT_EQ(PARSE("--devid", "nvme0"), -EINVAL);
}

TEST(sizes)
{
	uint64_t v;

	EXPECT_EQ(bf_parse_size("512", &v), 0);
	EXPECT_EQ(v, 512);
	EXPECT_EQ(bf_parse_size("4k", &v), 0);
	EXPECT_EQ(v, 4096);
	EXPECT_EQ(bf_parse_size("4KiB", &v), 0);
	EXPECT_EQ(v, 4096);
	EXPECT_EQ(bf_parse_size("1G", &v), 0);
	EXPECT_EQ(v, 1u << 30);
	EXPECT_EQ(bf_parse_size("100B", &v), 0);
	EXPECT_EQ(v, 100);
	EXPECT(bf_parse_size("", &v) != 0);
	EXPECT(bf_parse_size("-4k", &v) != 0);
	EXPECT(bf_parse_size("4x", &v) != 0);
	EXPECT(bf_parse_size("99999999999T", &v) != 0);
}

TEST(vdev_names)
{
	unsigned d;

	EXPECT_EQ(bf_parse_vdev("xvda", &d), 0);
	EXPECT_EQ(d, 51712);
	EXPECT_EQ(bf_parse_vdev("xvdb", &d), 0);
	EXPECT_EQ(d, 51728);
	EXPECT_EQ(bf_parse_vdev("xvda1", &d), 0);
	EXPECT_EQ(d, 51713);
	EXPECT_EQ(bf_parse_vdev("xvdp", &d), 0);
	EXPECT_EQ(d, (202u << 8) | (15u << 4));
	EXPECT_EQ(bf_parse_vdev("xvdq", &d), 0);
	EXPECT_EQ(d, (1u << 28) | (16u << 8));
	EXPECT_EQ(bf_parse_vdev("xvdaa", &d), 0);
	EXPECT_EQ(d, (1u << 28) | (26u << 8));
	EXPECT_EQ(bf_parse_vdev("hda", &d), 0);
	EXPECT_EQ(d, 768);
	EXPECT_EQ(bf_parse_vdev("hdc", &d), 0);
	EXPECT_EQ(d, 22u << 8);
	EXPECT_EQ(bf_parse_vdev("sdb", &d), 0);
	EXPECT_EQ(d, (8u << 8) | 16);
	EXPECT_EQ(bf_parse_vdev("768", &d), 0);
	EXPECT_EQ(d, 768);
	EXPECT(bf_parse_vdev("xvd", &d) != 0);
	EXPECT(bf_parse_vdev("xvdA", &d) != 0);
	EXPECT(bf_parse_vdev("xvdaaa", &d) != 0);
	EXPECT(bf_parse_vdev("xvda01", &d) != 0);
	EXPECT(bf_parse_vdev("hde", &d) != 0);
}

int main(void)
{
	RUN(defaults);
	RUN(everything);
	RUN(rw_forms);
	RUN(fill_verify_implies_verify_and_no_default_count);
	RUN(errors_name_the_problem);
	RUN(sizes);
	RUN(vdev_names);
	return UNIT_RESULT();
}
