/*
 * Small helpers over libxenstore: read a node into a buffer or as a
 * number, write formatted values, parse the paths of watch events.
 * All return 0 or a negative errno.
 */
#ifndef MEMBACK_XS_UTIL_H
#define MEMBACK_XS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

#include "parse.h"   /* errorf, parse_uint */

/* Read dir/name (name may be NULL) into buf, NUL-terminated.
 * -ENOENT when absent, -E2BIG when it does not fit. */
int xsu_read(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	     const char *name, char *buf, size_t len);
/* Read an unsigned decimal; -EINVAL when it is not one (or > max). */
int xsu_read_uint(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		  const char *name, uint64_t max, uint64_t *out);
int xsu_write(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	      const char *name, const char *value);
int xsu_printf(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	       const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Run fn inside a transaction; start again while the commit conflicts
 * (EAGAIN), at most 100 times. An error from fn aborts the transaction and
 * is returned; else 0, or the commit's negative errno. */
typedef int (*xsu_tx_fn)(struct xs_handle *xs, xs_transaction_t t, void *arg);
int xsu_transaction(struct xs_handle *xs, xsu_tx_fn fn, void *arg);

/* Remove path, then its parents while they are left empty, as libxl's
 * path cleanup does; never a domain's own directory (/local/domain/<id>,
 * /libxl/<id>) or anything above it. 0, or the errno of removing path
 * (-ENOENT is not an error). */
int xsu_rm_with_empty_parents(struct xs_handle *xs, xs_transaction_t t, const char *path);
/* Pure: how many leading components of path are never removed by the
 * above (3 for /local/domain/<id>/..., 2 for /libxl/<id>/..., else 1). */
unsigned xsu_keep_depth(const char *path);

/*
 * A watch event under <base> (e.g. "/local/domain/0/backend/vbd"):
 * "<base>/<domid>/<devid>[/<rest>]". Fills domid, devid and rest ("" for the
 * device directory itself). -ENOENT for the base itself or a domain
 * directory (depth 1), -EINVAL for anything malformed.
 */
int backend_path_parse(const char *base, const char *path, unsigned *domid,
		       unsigned *devid, const char **rest);

#endif
