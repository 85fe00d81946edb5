/* The control socket: a Unix stream socket where `memback-ctl status` asks
 * what the daemon serves. One request line per connection, one answer. */
#ifndef MEMBACK_CONTROL_H
#define MEMBACK_CONTROL_H

#include <stdio.h>

#include "daemon.h"

/* Listen on d->cfg.control_path (its directory is created, a stale socket
 * replaced). Returns the listening fd or a negative errno. */
int control_open(const char *path);
/* Accept one connection on the listening fd and answer it. */
void control_serve(struct daemon *d, int listen_fd);
void control_close(const char *path, int listen_fd);
/* The status report, as `memback-ctl status` prints it (JSON when json). */
void control_report(struct daemon *d, FILE *out, int json);

#endif
