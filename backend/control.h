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
/* "qos <domid> <devid> [items]" (control_qos.c): -EINVAL if malformed. */
int control_qos(struct daemon *d, FILE *out, const char *req);
struct qos_limits;
/* Pure: ITEMS (iops=N bps=B iops-burst=N bps-burst=B, =none, or none)
 * applied to *l; 0 or -EINVAL with why (then *l is unchanged). */
int qos_parse_update(const char *items, struct qos_limits *l, char *err, size_t len);

#endif
