#ifndef MEMBACK_WATCH_H
#define MEMBACK_WATCH_H

#include "daemon.h"

/* Watch the backend directory and @releaseDomain. */
int watch_start(struct daemon *d);
/* Handle one watch event. */
void watch_dispatch(struct daemon *d, const char *path, const char *token);

#endif
