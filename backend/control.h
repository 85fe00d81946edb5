/* The control socket: a Unix stream socket where `memback-ctl status` asks
 * what the daemon serves. One request line per connection, one answer. */
#ifndef MEMBACK_CONTROL_H
#define MEMBACK_CONTROL_H

#include <stdio.h>

#include "daemon.h"

/* Listen on d->cfg.control_path (its directory is created, a stale socket
 * replaced). Returns the listening fd or a negative errno. */
int control_open(const char *path);
/* Accept one connection on the listening fd and answer it: a report, or
 * "resize <domid> <devid> <bytes>" answered "ok" or "error: why". */
void control_serve(struct daemon *d, int listen_fd);
void control_close(const char *path, int listen_fd);
/* Answer one request: "list", "stats" or "pool", each optionally followed
 * by " json". -EINVAL for anything else. */
int control_report(struct daemon *d, FILE *out, const char *req);

#endif
