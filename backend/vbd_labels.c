/*
 * The names an administrator knows a device by, for the statistics and the
 * metrics: its domain's name (which stays when the domid changes across
 * save/restore and reboot) and its vdev as the toolstack wrote it. Read at
 * probe and at each connect, never per report.
 */
#include <stdio.h>
#include <string.h>

#include "vbd.h"
#include "xs_util.h"

/* Only characters that need no quoting in text, JSON or Prometheus
 * labels: a domain name is the toolstack's, but keep reports well formed
 * whatever it holds. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+:@",
			    *s))
			*s = '_';
}

void vbd_read_labels(struct vbd *v)
{
	char dir[40];

	snprintf(dir, sizeof(dir), "/local/domain/%u", v->domid);
	if (xsu_read(v->d->xs, XBT_NULL, dir, "name", v->domain, sizeof(v->domain)))
		v->domain[0] = '\0';
	if (xsu_read(v->d->xs, XBT_NULL, v->be_path, "dev", v->vdev, sizeof(v->vdev)) ||
	    !v->vdev[0])
		snprintf(v->vdev, sizeof(v->vdev), "%u", v->devid);
	sanitize(v->domain);
	sanitize(v->vdev);
}
