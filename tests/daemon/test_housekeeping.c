/* The once-a-second checks: pool-warn's hysteresis, the kernel backend. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit.h"
#include "../../backend/housekeeping.h"

TEST(pool_warn_crossing)
{
	const uint64_t G = 1ull << 30;

	EXPECT_EQ(pool_warn_step(false, 0, 10 * G, 90), 0);
	EXPECT_EQ(pool_warn_step(false, 8 * G, 10 * G, 90), 0);
	EXPECT_EQ(pool_warn_step(false, 9 * G, 10 * G, 90), 1);     /* exactly 90% */
	EXPECT_EQ(pool_warn_step(true, 9 * G, 10 * G, 90), 0);      /* said once */
	EXPECT_EQ(pool_warn_step(true, 10 * G, 10 * G, 90), 0);
	EXPECT_EQ(pool_warn_step(true, 86 * G / 10, 10 * G, 90), 0); /* within 5 points */
	EXPECT_EQ(pool_warn_step(true, 8 * G, 10 * G, 90), -1);     /* back under 85% */
	EXPECT_EQ(pool_warn_step(false, 10 * G, 10 * G, 0), 0);     /* off */
	EXPECT_EQ(pool_warn_step(true, 10 * G, 10 * G, 0), -1);     /* turned off */
	EXPECT_EQ(pool_warn_step(false, 0, 0, 90), 0);
	EXPECT_EQ(pool_warn_step(false, 1, 1, 100), 1);
}

TEST(kernel_backend_detected)
{
	char root[] = "/tmp/memback-sysfs-XXXXXX", dir[300], path[300], msg[600];

	EXPECT(mkdtemp(root) != NULL);
	EXPECT(!kernel_backend_present(root, "vbd", path, sizeof(path)));
	snprintf(dir, sizeof(dir), "%s/bus", root);
	mkdir(dir, 0700);
	strcat(dir, "/xen-backend");
	mkdir(dir, 0700);
	strcat(dir, "/drivers");
	mkdir(dir, 0700);
	strcat(dir, "/vbd");
	EXPECT_EQ(mkdir(dir, 0700), 0);
	EXPECT(kernel_backend_present(root, "vbd", path, sizeof(path)));
	EXPECT_STR(path, dir);
	EXPECT(!kernel_backend_present(root, "vbd3", path, sizeof(path)));
	kernel_backend_advice("vbd", dir, msg, sizeof(msg));
	EXPECT(strstr(msg, "/etc/modprobe.d/memback.conf") != NULL);
	EXPECT(strstr(msg, "--backend-type") != NULL);
	EXPECT(strchr(msg, '\n') == NULL);
	rmdir(dir);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	rmdir(root);
}

int main(void)
{
	RUN(pool_warn_crossing);
	RUN(kernel_backend_detected);
	return UNIT_RESULT();
}
