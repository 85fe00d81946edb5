/*
 * For the xenstored tests: a simulated host of their own (build/xensim in
 * a fresh /tmp directory), domains in it, and libxenstore connections as
 * dom0 or as a guest.
 */
#ifndef TESTS_XENSTORED_XST_HOST_H
#define TESTS_XENSTORED_XST_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct xs_handle;

struct xst_host {
	char dir[64];
	char xensim[512];
};

/* 0, or -1 with a message on stderr. */
int xst_host_start(struct xst_host *h);
/* Stops it and removes its directory; 1 (with FAIL lines) if the daemon
 * had died or its log holds a sanitizer report, else 0. */
int xst_host_stop(struct xst_host *h);
/* The new domid, or -1. */
int xst_domain_create(struct xst_host *h, const char *name);
/* xensim domain destroy's exit status. */
int xst_domain_destroy(struct xst_host *h, unsigned domid);
/* Start `xensim domain destroy` in the background; its pid or -1. */
int xst_domain_destroy_start(struct xst_host *h, unsigned domid);
/* The socket a domain's processes use (dom0: the privileged one). */
void xst_sock_path(const struct xst_host *h, unsigned domid, char *buf, size_t size);
/* A libxenstore connection acting as domid. */
struct xs_handle *xst_open(const struct xst_host *h, unsigned domid);

/* The next watch event within timeout_ms: path and token copied out. */
bool xst_event(struct xs_handle *xs, int timeout_ms, char *path, size_t plen,
	       char *token, size_t tlen);
/* Discard events for ms milliseconds; how many there were. */
int xst_drain(struct xs_handle *xs, int ms);

#endif
