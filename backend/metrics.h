/*
 * The Prometheus endpoint, off unless --metrics names where to listen:
 * "unix:PATH" or "ADDR:PORT" (an IPv4 address, e.g. 127.0.0.1:9750).
 * GET /metrics answers the text exposition format (version 0.0.4),
 * generated from the one counter list, the latency histograms and the
 * pool's figures. Labels: domid, domain (its name), vdev.
 */
#ifndef MEMBACK_METRICS_H
#define MEMBACK_METRICS_H

#include <stdio.h>

#include "daemon.h"

/* Check a --metrics value: 0, or -EINVAL and why in err. Pure. */
int metrics_check_addr(const char *spec, char *err, size_t len);
/* Listen there: the fd, or a negative errno (reason in err). */
int metrics_open(const char *spec, char *err, size_t len);
/* Answer one connection on the listening fd (1 s per peer at most). */
void metrics_serve(struct daemon *d, int listen_fd);
void metrics_close(const char *spec, int listen_fd);
/* The exposition text. */
void metrics_render(struct daemon *d, FILE *out);

#endif
