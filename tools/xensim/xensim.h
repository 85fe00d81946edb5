/*
 * The xensim command: start and stop a simulated Xen host, create and
 * destroy domains in it as libxl does. Shared between xensim*.c.
 */
#ifndef XENSIM_XENSIM_H
#define XENSIM_XENSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct xs_handle;

/* DIR/name into buf; -ENAMETOOLONG if it does not fit. */
int xensim_path(char *buf, size_t size, const char *dir, const char *name);

/* xensim_host.c */
/* Returns in the parent once the host serves, and in the forked daemon
 * (*is_daemon set) when it stops: main returns then. */
int xensim_host_start(const char *dir, bool *is_daemon);
int xensim_host_stop(const char *dir);
/* Is a host daemon serving DIR now? */
bool xensim_host_running(const char *dir);

/* xensim_xs.c: dom0's privileged connection to the host's xenstored. */
struct xs_handle *xensim_xs_open(const char *dir);
/* Write value (NULL: make a directory) with the perms "n0,r1"-style list. */
int xensim_xs_node(struct xs_handle *xs, unsigned tx, const char *path,
		   const char *value, const char *perms);
/* Remove path if it exists. */
int xensim_xs_rm(struct xs_handle *xs, unsigned tx, const char *path);

/* xensim_domain.c */
int xensim_domain_create(const char *dir, const char *name, unsigned mem_mib,
			 unsigned *domid);
int xensim_domain_list(const char *dir, FILE *out);

/* xensim_destroy.c */
int xensim_domain_destroy(const char *dir, unsigned domid);
/* The domain dies without a toolstack: release and free, nodes left. */
int xensim_domain_crash(const char *dir, unsigned domid);

#endif
