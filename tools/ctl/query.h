/* One request on memback's control socket. */
#ifndef MEMBACK_CTL_QUERY_H
#define MEMBACK_CTL_QUERY_H

#include <stddef.h>

/* Send req (a line), read the whole answer into ans (NUL-terminated, cut
 * at len - 1); 0 or a negative errno. */
int ctl_ask(const char *path, const char *req, char *ans, size_t len);

/* The same, giving up after timeout_ms (-1: never) with -ETIMEDOUT; ans
 * then holds what came so far. */
int ctl_ask_wait(const char *path, const char *req, char *ans, size_t len, int timeout_ms);

#endif
