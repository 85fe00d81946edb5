#ifndef MEMBACK_CTL_ATTACH_H
#define MEMBACK_CTL_ATTACH_H

#include <stdbool.h>
#include <xenstore.h>

struct attach_req {
	unsigned domid;
	const char *vdev;
	unsigned devid;
	const char *target;
	bool readonly;
	bool cdrom;
	bool no_discard;             /* xl's no-discard: discard-enable=0 */
	const char *backend_type;   /* "vbd" */
	const char *script;         /* hotplug script, absolute; NULL: none */
	unsigned backend_domid;     /* where memback runs: 0 */
	const char *protocol;       /* the guest's ABI, written as libxl does */
	unsigned timeout_ms;        /* for InitWait / Closed: 10 s as libxl */
};

/* Write the nodes as libxl does, wait for InitWait, run the hotplug script.
 * On failure everything written is removed and err says why. */
int ctl_attach(struct xs_handle *xs, const struct attach_req *r, char *err, size_t errlen);
/* online=0, state=Closing, wait for Closed, remove the directories. */
int ctl_detach(struct xs_handle *xs, const struct attach_req *r, char *err, size_t errlen);

#endif
