/*
 * xenstore operations with xenstored's access rules, on one tree (the
 * live one or a transaction's copy). Callers pass canonical paths. Pure:
 * no I/O; what changed is reported through hooks.
 *
 * Access as xenstored: the privileged domain and a node's owner may do
 * anything; others get the node's permission list. A missing node answers
 * ENOENT only to whoever may read (or, to create, write) its nearest
 * existing ancestor, EACCES otherwise. A new node copies its parent's
 * permissions; an unprivileged creator becomes its owner.
 */
#ifndef XENSIM_XS_STORE_H
#define XENSIM_XS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "xs_tree.h"

struct xs_who {
	unsigned domid;
	bool privileged;
};

struct xs_store_hooks {
	/* A node changed or went away. exact: only watches on exactly this
	 * path see it (children of a removed subtree). node: the node now
	 * (NULL if removed); old: its permissions before, if they changed. */
	void (*fire)(void *ctx, const char *path, bool exact,
		     const struct xs_node *node,
		     const struct xs_permissions *old, unsigned nold);
	/* Called before a transaction looks at or changes `path` (n: the
	 * node, or NULL if it does not exist). */
	void (*access)(void *ctx, const char *path, const struct xs_node *n);
	void *ctx;
};

/* Limits for unprivileged domains (0: none). */
struct xs_quota {
	unsigned max_nodes;     /* nodes a domain may own */
	size_t max_value;       /* bytes in one node's value */
};

int xs_store_get(struct xs_tree *t, const struct xs_who *who, const char *path,
		 unsigned perm, const struct xs_store_hooks *h,
		 struct xs_node **out);
int xs_store_write(struct xs_tree *t, const struct xs_who *who,
		   const struct xs_quota *q, const char *path,
		   const char *value, size_t len, const struct xs_store_hooks *h);
int xs_store_mkdir(struct xs_tree *t, const struct xs_who *who,
		   const struct xs_quota *q, const char *path,
		   const struct xs_store_hooks *h);
int xs_store_rm(struct xs_tree *t, const struct xs_who *who, const char *path,
		const struct xs_store_hooks *h);
int xs_store_set_perms(struct xs_tree *t, const struct xs_who *who,
		       const char *path, const struct xs_permissions *perms,
		       unsigned num, const struct xs_store_hooks *h);

#endif
