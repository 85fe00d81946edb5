#ifndef MEMBACK_WATCH_H
#define MEMBACK_WATCH_H

#include "daemon.h"

/* Open the watch connection; watch the backend directory and
 * @releaseDomain. */
int watch_start(struct daemon *d);
void watch_stop(struct daemon *d);
/* Note one watch event (marks only; no xenstore access). */
void watch_dispatch(struct daemon *d, const char *path, const char *token);
/* Handle what the events since the last call marked, each mark once. */
void watch_work(struct daemon *d);
/* Look at every device in xenstore now (at start: before the first event). */
void watch_scan(struct daemon *d);
/* Events seen and device refreshes done, since start. */
void watch_counts(const struct daemon *d, unsigned long *events, unsigned long *refreshes);

#endif
