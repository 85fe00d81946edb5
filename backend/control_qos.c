/*
 * "qos <domid> <devid> [ITEMS]" on the control socket: change a disk's
 * QoS limits live, or (no items) show them. ITEMS, separated by spaces or
 * commas: iops=N, bps=B (size suffixes as in target=), iops-burst=N,
 * bps-burst=B, each also =none; or "none" for no limit at all. Keys not
 * given keep their value; a new limit takes its default burst unless one
 * is given. Answered "ok iops=N bps=B iops-burst=N bps-burst=B" (0: none)
 * or "error: why".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "qos.h"
#include "vbd.h"
#include "vbd_internal.h"

int control_qos(struct daemon *d, FILE *out, const char *req)
{
	unsigned domid, devid;
	int used = 0;
	char err[200];
	struct qos_limits l;
	struct vbd *v;

	if (sscanf(req, "qos %u %u%n", &domid, &devid, &used) != 2 || !used)
		return -EINVAL;
	for (v = d->vbds; v; v = v->next)
		if (v->domid == domid && v->devid == devid)
			break;
	if (!v) {
		fprintf(out, "error: no device %u/%u\n", domid, devid);
		return 0;
	}
	qos_get(&v->qos, &l);
	if (req[used] && qos_parse_update(req + used, &l, err, sizeof(err))) {
		fprintf(out, "error: %s\n", err);
		return 0;
	}
	if (req[used]) {
		qos_set(&v->qos, &l);
		qos_get(&v->qos, &l);
		vbd_record_qos(v, &l);
		log_dev(&v->log, LOG_INFO, "QoS now iops=%llu bps=%llu (0: none)",
			(unsigned long long)l.iops, (unsigned long long)l.bps);
	}
	fprintf(out, "ok iops=%llu bps=%llu iops-burst=%llu bps-burst=%llu\n",
		(unsigned long long)l.iops, (unsigned long long)l.bps,
		(unsigned long long)l.iops_burst, (unsigned long long)l.bps_burst);
	return 0;
}
