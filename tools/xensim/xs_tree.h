/*
 * The node tree: names, values, permissions and children, with no notion
 * of who asks (xs_store.c checks that). Every change to a node's value,
 * permissions or children gives it a new generation number, which is what
 * transactions compare to find conflicts. Nodes are counted per owner for
 * quotas.
 */
#ifndef XENSIM_XS_TREE_H
#define XENSIM_XS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore_lib.h>

struct xs_node {
	char *name;                /* last component; "" for the root */
	struct xs_node *parent;
	struct xs_node **children; /* in creation order */
	unsigned nchildren, cap;
	char *value;
	size_t len;
	struct xs_permissions *perms; /* perms[0] is the owner */
	unsigned nperms;
	uint64_t gen;
};

struct xs_tree {
	struct xs_node *root;
	uint64_t next_gen;
	unsigned *owned;           /* nodes per owner domid */
	unsigned owned_len;
	unsigned long nnodes;
};

int xs_tree_init(struct xs_tree *t);
void xs_tree_free(struct xs_tree *t);
/* A deep copy (generations kept) for a transaction. */
int xs_tree_clone(const struct xs_tree *src, struct xs_tree *dst);

struct xs_node *xs_tree_lookup(const struct xs_tree *t, const char *path);
/* The nearest existing node at or above path. */
struct xs_node *xs_tree_nearest(const struct xs_tree *t, const char *path);

/* Creates `path` and missing ancestors under an existing ancestor; each
 * new node copies its parent's permissions, with the owner replaced by
 * new_owner when set_owner. Returns the node or NULL (ENOMEM). */
struct xs_node *xs_tree_create(struct xs_tree *t, const char *path,
			       bool set_owner, unsigned new_owner);
int xs_tree_set_value(struct xs_tree *t, struct xs_node *n,
		      const char *value, size_t len);
int xs_tree_set_perms(struct xs_tree *t, struct xs_node *n,
		      const struct xs_permissions *perms, unsigned num);
/* Calls fn for every node in the subtree (children first), then removes
 * it. The root cannot be removed. */
void xs_tree_remove(struct xs_tree *t, struct xs_node *n,
		    void (*fn)(void *ctx, const struct xs_node *n), void *ctx);

/* Writes a node's full name into buf; returns its length or -ENAMETOOLONG. */
int xs_tree_path(const struct xs_node *n, char *buf, size_t size);
unsigned xs_tree_owned(const struct xs_tree *t, unsigned domid);

#endif
