/* What the main loop checks once a second: the pool's fill against
 * pool-warn, whether the kernel's blkback has taken our backend type, and
 * the log's suppressed counts. */
#ifndef MEMBACK_HOUSEKEEPING_H
#define MEMBACK_HOUSEKEEPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

#define HOUSEKEEPING_MS 1000

/* Pure: +1 when the pool just crossed pct percent full (warn), -1 when it
 * went back below pct - 5 after a warning, else 0. pct 0: never. */
int pool_warn_step(bool warned, uint64_t used, uint64_t size, unsigned pct);

/* The kernel's xenbus backend driver for type, as sysfs shows it
 * (<sysfs>/bus/xen-backend/drivers/<type>); sysfs is "/sys" but for tests
 * ($MEMBACK_SYSFS). True when it is registered. */
bool kernel_backend_present(const char *sysfs, const char *type, char *path, size_t len);
/* The one line that says what to do about it. */
void kernel_backend_advice(const char *type, const char *path, char *buf, size_t len);
const char *sysfs_root(void);

void housekeeping_tick(struct daemon *d);

#endif
