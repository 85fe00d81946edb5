/* The QoS items of "qos <domid> <devid> [ITEMS]" (control_qos.c), parsed.
 * Pure: no I/O. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "parse.h"
#include "qos.h"

static int one_item(const char *item, struct qos_limits *l, char *err, size_t len)
{
	static const struct { const char *key; bool bytes; size_t off; } keys[] = {
		{ "iops", false, offsetof(struct qos_limits, iops) },
		{ "bps", true, offsetof(struct qos_limits, bps) },
		{ "iops-burst", false, offsetof(struct qos_limits, iops_burst) },
		{ "bps-burst", true, offsetof(struct qos_limits, bps_burst) },
	};
	const char *eq = strchr(item, '=');

	if (strcmp(item, "none") == 0) {
		*l = (struct qos_limits){ 0 };
		return 0;
	}
	for (unsigned i = 0; eq && i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint64_t *v = (uint64_t *)((char *)l + keys[i].off);

		if (strlen(keys[i].key) != (size_t)(eq - item) ||
		    strncmp(item, keys[i].key, (size_t)(eq - item)) != 0)
			continue;
		if (strcmp(eq + 1, "none") == 0) {
			*v = 0;
		} else if ((keys[i].bytes ? parse_size(eq + 1, v) : parse_uint(eq + 1, 1000000000, v)) ||
			   *v == 0) {
			return errorf(err, len, -EINVAL, "%s wants %s above 0 or none, not \"%s\"",
				      keys[i].key, keys[i].bytes ? "bytes per second (e.g. 200M)"
								 : "a count up to 1000000000",
				      eq + 1);
		}
		if (i < 2) /* a new limit gets its default burst unless one follows */
			*(uint64_t *)((char *)l + keys[i + 2].off) = 0;
		return 0;
	}
	return errorf(err, len, -EINVAL,
		      "\"%s\" is not iops=N, bps=B, iops-burst=N, bps-burst=B or none", item);
}

int qos_parse_update(const char *items, struct qos_limits *l, char *err, size_t len)
{
	struct qos_limits next = *l;
	char buf[256], *save = NULL;
	int rc;

	if (strlen(items) >= sizeof(buf))
		return errorf(err, len, -EINVAL, "QoS items too long");
	strcpy(buf, items);
	for (char *it = strtok_r(buf, " ,", &save); it; it = strtok_r(NULL, " ,", &save))
		if ((rc = one_item(it, &next, err, len)))
			return rc;
	if ((next.iops_burst && !next.iops) || (next.bps_burst && !next.bps))
		return errorf(err, len, -EINVAL, "a burst needs its limit (iops= or bps=)");
	*l = next;
	return 0;
}
