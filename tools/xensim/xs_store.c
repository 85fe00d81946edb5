/* xenstore operations with access rules (see xs_store.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_path.h"
#include "xs_perms.h"
#include "xs_store.h"

static unsigned node_perm(const struct xs_who *who, const struct xs_node *n)
{
	return xs_perm_for(who->domid, who->privileged, n->perms, n->nperms);
}

static void note_access(const struct xs_store_hooks *h, const char *path,
			const struct xs_node *n)
{
	if (h && h->access)
		h->access(h->ctx, path, n);
}

static void fire(const struct xs_store_hooks *h, const char *path, bool exact,
		 const struct xs_node *n, const struct xs_permissions *old,
		 unsigned nold)
{
	if (h && h->fire)
		h->fire(h->ctx, path, exact, n, old, nold);
}

/* Hide from the caller whether a node exists unless the nearest existing
 * ancestor grants what was asked. */
static int errno_from_ancestor(struct xs_tree *t, const struct xs_who *who,
			       const char *path, unsigned perm, int err)
{
	char parent[XS_PATH_BUF];
	size_t plen = xs_path_parent_len(path);

	if (plen == 0)
		return err;
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	return node_perm(who, xs_tree_nearest(t, parent)) & perm ? err : -EACCES;
}

int xs_store_get(struct xs_tree *t, const struct xs_who *who, const char *path,
		 unsigned perm, const struct xs_store_hooks *h,
		 struct xs_node **out)
{
	struct xs_node *n = xs_tree_lookup(t, path);
	int err = 0;

	note_access(h, path, n);
	if (!n)
		err = -ENOENT;
	else if ((node_perm(who, n) & perm) != perm)
		err = -EACCES;
	if (err)
		return errno_from_ancestor(t, who, path, perm, err);
	*out = n;
	return 0;
}

/* Creates path (and missing ancestors) if quota allows. */
static int create(struct xs_tree *t, const struct xs_who *who,
		  const struct xs_quota *q, const char *path,
		  const struct xs_store_hooks *h, struct xs_node **out)
{
	struct xs_node *anc = xs_tree_nearest(t, path);
	char anc_path[XS_PATH_BUF];
	unsigned depth_anc = 0, depth = 0;

	if (xs_tree_path(anc, anc_path, sizeof(anc_path)) < 0)
		return -EINVAL;
	for (const char *p = path; *p; p++)
		depth += *p == '/';
	for (const char *p = anc_path; *p; p++)
		depth_anc += *p == '/';
	if (anc->parent == NULL)
		depth_anc = 0; /* "/" has one slash but no depth */
	unsigned new_nodes = depth - depth_anc;
	if (!who->privileged && q && q->max_nodes &&
	    xs_tree_owned(t, who->domid) + new_nodes > q->max_nodes)
		return -ENOSPC;
	note_access(h, anc_path, anc);
	/* A transaction saw every node it creates as absent: a later look at
	 * an intermediate node it made must not count as a conflict. */
	for (size_t i = strlen(anc_path) + (anc->parent != NULL); path[i]; i++) {
		if (path[i] != '/')
			continue;
		char mid[XS_PATH_BUF];
		memcpy(mid, path, i);
		mid[i] = '\0';
		note_access(h, mid, NULL);
	}
	*out = xs_tree_create(t, path, !who->privileged, who->domid);
	return *out ? 0 : -ENOMEM;
}

static bool value_too_big(const struct xs_who *who, const struct xs_quota *q,
			  size_t len)
{
	return !who->privileged && q && q->max_value && len > q->max_value;
}

int xs_store_write(struct xs_tree *t, const struct xs_who *who,
		   const struct xs_quota *q, const char *path,
		   const char *value, size_t len, const struct xs_store_hooks *h)
{
	struct xs_node *n;
	int err = xs_store_get(t, who, path, XS_PERM_WRITE, h, &n);

	if (err && err != -ENOENT)
		return err;
	if (value_too_big(who, q, len))
		return -ENOSPC;
	if (err == -ENOENT) {
		err = create(t, who, q, path, h, &n);
		if (err)
			return err;
	}
	err = xs_tree_set_value(t, n, value, len);
	if (err)
		return err;
	fire(h, path, false, n, NULL, 0);
	return 0;
}

int xs_store_mkdir(struct xs_tree *t, const struct xs_who *who,
		   const struct xs_quota *q, const char *path,
		   const struct xs_store_hooks *h)
{
	struct xs_node *n;
	int err = xs_store_get(t, who, path, XS_PERM_WRITE, h, &n);

	if (err != -ENOENT)
		return err; /* exists already (fine, no event), or refused */
	err = create(t, who, q, path, h, &n);
	if (err)
		return err;
	fire(h, path, false, n, NULL, 0);
	return 0;
}

struct rm_ctx {
	const struct xs_store_hooks *h;
	const struct xs_node *top;
};

/* Each removed node tells watches on exactly its path; the top one tells
 * watches at or above it too. */
static void rm_fire(void *ctx, const struct xs_node *n)
{
	struct rm_ctx *rc = ctx;
	char path[XS_PATH_BUF];

	if (xs_tree_path(n, path, sizeof(path)) < 0)
		return;
	/* A transaction saw each removed node as it was: looking at the
	 * path again later must compare against that, not "absent". */
	note_access(rc->h, path, n);
	fire(rc->h, path, n != rc->top, NULL, n->perms, n->nperms);
}

int xs_store_rm(struct xs_tree *t, const struct xs_who *who, const char *path,
		const struct xs_store_hooks *h)
{
	struct xs_node *n;
	int err = xs_store_get(t, who, path, XS_PERM_WRITE, h, &n);

	if (err == -ENOENT) {
		/* Already gone: fine if the parent exists. */
		char parent[XS_PATH_BUF];
		size_t plen = xs_path_parent_len(path);
		memcpy(parent, path, plen);
		parent[plen] = '\0';
		return plen && xs_tree_lookup(t, parent) ? 0 : -ENOENT;
	}
	if (err)
		return err;
	if (!n->parent)
		return -EINVAL;
	char parent[XS_PATH_BUF];
	if (xs_tree_path(n->parent, parent, sizeof(parent)) < 0)
		return -EINVAL;
	note_access(h, parent, n->parent);
	struct rm_ctx rc = { .h = h, .top = n };
	xs_tree_remove(t, n, rm_fire, &rc);
	return 0;
}

int xs_store_set_perms(struct xs_tree *t, const struct xs_who *who,
		       const char *path, const struct xs_permissions *perms,
		       unsigned num, const struct xs_store_hooks *h)
{
	struct xs_node *n;
	int err = xs_store_get(t, who, path, XS_PERM_WRITE, h, &n);

	if (err)
		return err;
	/* Unprivileged domains may not give a node away. */
	if (!who->privileged && perms[0].id != n->perms[0].id)
		return -EPERM;
	struct xs_permissions *old = malloc(n->nperms * sizeof(*old));
	unsigned nold = n->nperms;
	if (!old)
		return -ENOMEM;
	memcpy(old, n->perms, nold * sizeof(*old));
	err = xs_tree_set_perms(t, n, perms, num);
	if (!err)
		fire(h, path, false, n, old, nold);
	free(old);
	return err;
}
