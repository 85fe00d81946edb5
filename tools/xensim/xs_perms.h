/*
 * Node permissions: the list "n0 r1 w2 b3" of struct xs_permissions
 * (xenstore_lib.h). The first entry names the owner and the access of
 * every domain not listed; the others grant access to one domain each.
 * Pure functions, no I/O.
 */
#ifndef XENSIM_XS_PERMS_H
#define XENSIM_XS_PERMS_H

#include <stdbool.h>
#include <stddef.h>

#include <xenstore_lib.h>

/* Parses one "r5"-style entry. -EINVAL for anything else. */
int xs_perm_parse(const char *s, struct xs_permissions *out);

/* Parses `len` bytes of NUL-terminated entries (a SET_PERMS body after
 * the path). At least one, at most max. Returns how many, or -EINVAL. */
int xs_perms_parse_list(const char *buf, size_t len,
			struct xs_permissions *out, unsigned max);

/* Writes "r5" and its NUL; returns the length without NUL, or -EINVAL. */
int xs_perm_format(const struct xs_permissions *p, char *buf, size_t size);

/* What `domid` may do with a node: XS_PERM_READ|WRITE|OWNER bits.
 * The privileged domain and the owner may do everything. */
unsigned xs_perm_for(unsigned domid, bool privileged,
		     const struct xs_permissions *perms, unsigned num);

#endif
