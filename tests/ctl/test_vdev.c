/* vdev names -> device ids, against libxl's numbering. */
#include <errno.h>

#include "../unit.h"
#include "../../tools/ctl/vdev.h"
#include "xs_util.h"

static unsigned id(const char *s)
{
	unsigned d = 0xdeadbeef;
	return vdev_to_devid(s, &d) ? 0xdeadbeef : d;
}

TEST(xvd_names)
{
	EXPECT_EQ(id("xvda"), 51712);
	EXPECT_EQ(id("xvdb"), 51728);
	EXPECT_EQ(id("xvda1"), 51713);
	EXPECT_EQ(id("xvdp15"), (202 << 8) | (15 << 4) | 15);
	/* past 15 disks or partitions: the extended form */
	EXPECT_EQ(id("xvdq"), (1 << 28) | (16 << 8));
	EXPECT_EQ(id("xvda16"), (1 << 28) | 16);
	EXPECT_EQ(id("xvdaa"), (1 << 28) | (26 << 8));
}

TEST(dp_names)
{
	EXPECT_EQ(id("d0p0"), 51712);
	EXPECT_EQ(id("d1p2"), 51730);
	EXPECT_EQ(id("d16p0"), (1 << 28) | (16 << 8));
	EXPECT_EQ(id("d0p256"), 0xdeadbeef);
}

TEST(hd_and_sd_names)
{
	EXPECT_EQ(id("hda"), 3 << 8);
	EXPECT_EQ(id("hdb"), (3 << 8) | 64);
	EXPECT_EQ(id("hdc"), 22 << 8);
	EXPECT_EQ(id("hdd1"), (22 << 8) | 64 | 1);
	EXPECT_EQ(id("hde"), 0xdeadbeef);
	EXPECT_EQ(id("sda"), 8 << 8);
	EXPECT_EQ(id("sdb"), (8 << 8) | 16);
	EXPECT_EQ(id("sdb3"), (8 << 8) | 16 | 3);
	EXPECT_EQ(id("sdq"), 0xdeadbeef);
}

TEST(numbers_and_junk)
{
	EXPECT_EQ(id("51712"), 51712);
	EXPECT_EQ(id(""), 0xdeadbeef);
	EXPECT_EQ(id("xvd"), 0xdeadbeef);
	EXPECT_EQ(id("xvda01"), 0xdeadbeef);
	EXPECT_EQ(id("xvdA"), 0xdeadbeef);
	EXPECT_EQ(id("vda"), 0xdeadbeef);
	EXPECT_EQ(id("xvda1x"), 0xdeadbeef);
}

/* The cleanup of empty parents never reaches a domain's own directory. */
TEST(cleanup_keeps_domain_directories)
{
	EXPECT_EQ(xsu_keep_depth("/local/domain/0/backend/vbd/1/51712"), 3);
	EXPECT_EQ(xsu_keep_depth("/libxl/3/device/vbd/51712"), 2);
	EXPECT_EQ(xsu_keep_depth("/vm/abc"), 1);
}

int main(void)
{
	RUN(xvd_names);
	RUN(dp_names);
	RUN(hd_and_sd_names);
	RUN(numbers_and_junk);
	RUN(cleanup_keeps_domain_directories);
	return UNIT_RESULT();
}
