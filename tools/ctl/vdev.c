/* Virtual device names to device ids, as libxl numbers them. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vdev.h"
#include "xs_util.h"

/* <prefix><letters>[<partition>]: letters count in bijective base 26
 * (a=0 .. z=25, aa=26); the partition has no leading zero. */
static int disk_name(const char *s, const char *prefix, unsigned max_disk,
		     unsigned max_part, unsigned *disk, unsigned *part)
{
	size_t n = strlen(prefix);
	uint64_t d = 0, p = 0;
	bool any = false;

	if (strncmp(s, prefix, n) != 0)
		return -EINVAL;
	for (s += n; *s >= 'a' && *s <= 'z'; s++) {
		d = (any ? d + 1 : d) * 26 + (uint64_t)(*s - 'a');
		any = true;
		if (d > max_disk)
			return -EINVAL;
	}
	if (!any)
		return -EINVAL;
	if (*s && (*s == '0' || parse_uint(s, max_part, &p)))
		return -EINVAL;
	*disk = (unsigned)d;
	*part = (unsigned)p;
	return 0;
}

/* d<N>p<M>, decimal, no leading zeros beyond a lone 0. */
static int dp_name(const char *s, unsigned *disk, unsigned *part)
{
	char num[16];
	const char *p;
	uint64_t d, q;

	if (s[0] != 'd' || !(p = strchr(s, 'p')) || (size_t)(p - s - 1) >= sizeof(num))
		return -EINVAL;
	memcpy(num, s + 1, (size_t)(p - s - 1));
	num[p - s - 1] = '\0';
	if (parse_uint(num, (1u << 20) - 1, &d) || parse_uint(p + 1, 255, &q))
		return -EINVAL;
	*disk = (unsigned)d;
	*part = (unsigned)q;
	return 0;
}

int vdev_to_devid(const char *vdev, unsigned *devid)
{
	unsigned disk, part;
	uint64_t n;

	if (!vdev || !*vdev)
		return -EINVAL;
	if (dp_name(vdev, &disk, &part) == 0 ||
	    disk_name(vdev, "xvd", (1u << 20) - 1, 255, &disk, &part) == 0) {
		*devid = disk <= 15 && part <= 15 ? (202u << 8) | (disk << 4) | part
						  : (1u << 28) | (disk << 8) | part;
		return 0;
	}
	if (parse_uint(vdev, INT32_MAX, &n) == 0) {
		*devid = (unsigned)n;
		return 0;
	}
	if (disk_name(vdev, "hd", 3, 63, &disk, &part) == 0) {
		*devid = ((disk < 2 ? 3u : 22u) << 8) | ((disk & 1) << 6) | part;
		return 0;
	}
	if (disk_name(vdev, "sd", 15, 15, &disk, &part) == 0) {
		*devid = (8u << 8) | (disk << 4) | part;
		return 0;
	}
	return -EINVAL;
}
