/* A device's statistics, summed, and `memback-ctl stats` (text and JSON)
 * generated from the one counter list (include/stats_list.h). */
#ifndef MEMBACK_STATS_REPORT_H
#define MEMBACK_STATS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon.h"
#include "vbd.h"

/* Counters of the device's past connections plus its live queues. */
void stats_of_device(const struct vbd *v, struct ring_queue_stats *sum);
/* One line per device of key=value words, or one JSON array. */
void stats_report(struct daemon *d, FILE *out, bool json);

#endif
