/*
 * xenstore node names, as xenstored checks them. Pure functions, no I/O.
 *
 * A canonical name is absolute ("/local/domain/1/name") or special
 * ("@releaseDomain"). A client may send a relative name, which is taken
 * under its domain's home, /local/domain/<domid>.
 */
#ifndef XENSIM_XS_PATH_H
#define XENSIM_XS_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Room for any canonical name, with its NUL. */
#define XS_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/* Is this canonical name acceptable? Special names only with
 * allow_special; unprivileged callers are held to XENSTORE_REL_PATH_MAX
 * below their home. */
bool xs_path_valid(const char *path, bool allow_special, bool privileged);

/* Writes the canonical form of a client's name into out (XS_PATH_BUF
 * bytes) and says whether it was relative. -EINVAL for a bad name. */
int xs_path_canonical(unsigned domid, bool privileged, const char *in,
		      bool allow_special, char *out, bool *relative);

/* Is child equal to parent or below it? "/" is above everything. */
bool xs_path_is_child(const char *child, const char *parent);

/* Length of the parent's name ("/a/b" -> 2, "/a" -> 1); 0 for "/". */
size_t xs_path_parent_len(const char *path);

/* The last component ("" for "/"). */
const char *xs_path_base(const char *path);

/* How a relative watch sees a path: with its home prefix cut off. */
const char *xs_path_strip_home(const char *path, size_t home_len);

#endif
