/* The node tree (see xs_tree.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_tree.h"

static void owned_add(struct xs_tree *t, unsigned domid, int delta)
{
	if (domid >= t->owned_len) {
		unsigned len = domid + 16;
		unsigned *o = realloc(t->owned, len * sizeof(*o));
		if (!o)
			return; /* counts are advisory for quotas only */
		memset(o + t->owned_len, 0, (len - t->owned_len) * sizeof(*o));
		t->owned = o;
		t->owned_len = len;
	}
	t->owned[domid] += (unsigned)delta;
}

unsigned xs_tree_owned(const struct xs_tree *t, unsigned domid)
{
	return domid < t->owned_len ? t->owned[domid] : 0;
}

static void node_free(struct xs_node *n)
{
	if (!n)
		return;
	for (unsigned i = 0; i < n->nchildren; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->name);
	free(n->value);
	free(n->perms);
	free(n);
}

static struct xs_node *node_new(const char *name, size_t namelen,
				const struct xs_permissions *perms, unsigned nperms)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strndup(name, namelen);
	n->perms = malloc(nperms * sizeof(*perms));
	if (!n->name || !n->perms) {
		node_free(n);
		return NULL;
	}
	memcpy(n->perms, perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	return n;
}

static int add_child(struct xs_node *parent, struct xs_node *child)
{
	if (parent->nchildren == parent->cap) {
		unsigned cap = parent->cap ? parent->cap * 2 : 4;
		struct xs_node **c = realloc(parent->children, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		parent->children = c;
		parent->cap = cap;
	}
	parent->children[parent->nchildren++] = child;
	child->parent = parent;
	return 0;
}

int xs_tree_init(struct xs_tree *t)
{
	const struct xs_permissions root_perms = { .id = 0, .perms = XS_PERM_NONE };

	memset(t, 0, sizeof(*t));
	t->root = node_new("", 0, &root_perms, 1);
	if (!t->root)
		return -ENOMEM;
	t->next_gen = 1;
	t->root->gen = t->next_gen++;
	t->nnodes = 1;
	owned_add(t, 0, 1);
	return 0;
}

void xs_tree_free(struct xs_tree *t)
{
	node_free(t->root);
	free(t->owned);
	memset(t, 0, sizeof(*t));
}

static struct xs_node *node_clone(const struct xs_node *src)
{
	struct xs_node *n = node_new(src->name, strlen(src->name), src->perms,
				     src->nperms);

	if (!n)
		return NULL;
	n->gen = src->gen;
	if (src->len) {
		n->value = malloc(src->len);
		if (!n->value)
			goto fail;
		memcpy(n->value, src->value, src->len);
		n->len = src->len;
	}
	for (unsigned i = 0; i < src->nchildren; i++) {
		struct xs_node *c = node_clone(src->children[i]);
		if (!c || add_child(n, c) < 0) {
			node_free(c);
			goto fail;
		}
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

int xs_tree_clone(const struct xs_tree *src, struct xs_tree *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->root = node_clone(src->root);
	dst->owned = malloc((src->owned_len ? src->owned_len : 1) * sizeof(unsigned));
	if (!dst->root || !dst->owned) {
		xs_tree_free(dst);
		return -ENOMEM;
	}
	if (src->owned_len)
		memcpy(dst->owned, src->owned, src->owned_len * sizeof(unsigned));
	dst->owned_len = src->owned_len;
	dst->next_gen = src->next_gen;
	dst->nnodes = src->nnodes;
	return 0;
}

static struct xs_node *find_child(const struct xs_node *n, const char *name,
				  size_t len)
{
	for (unsigned i = 0; i < n->nchildren; i++) {
		struct xs_node *c = n->children[i];
		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
			return c;
	}
	return NULL;
}

/* Walks as far as the path exists; *rest points at what is left. */
static struct xs_node *walk(const struct xs_tree *t, const char *path,
			    const char **rest)
{
	struct xs_node *n = t->root;
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p) {
		size_t len = strcspn(p, "/");
		struct xs_node *c = find_child(n, p, len);
		if (!c)
			break;
		n = c;
		p += len;
		while (*p == '/')
			p++;
	}
	*rest = p;
	return n;
}

struct xs_node *xs_tree_lookup(const struct xs_tree *t, const char *path)
{
	const char *rest;
	struct xs_node *n = walk(t, path, &rest);

	return *rest ? NULL : n;
}

struct xs_node *xs_tree_nearest(const struct xs_tree *t, const char *path)
{
	const char *rest;

	return walk(t, path, &rest);
}

struct xs_node *xs_tree_create(struct xs_tree *t, const char *path,
			       bool set_owner, unsigned new_owner)
{
	const char *p;
	struct xs_node *n = walk(t, path, &p);

	while (*p) {
		size_t len = strcspn(p, "/");
		struct xs_node *c = node_new(p, len, n->perms, n->nperms);
		if (!c || add_child(n, c) < 0) {
			node_free(c);
			return NULL;
		}
		if (set_owner)
			c->perms[0].id = new_owner;
		c->gen = t->next_gen++;
		n->gen = t->next_gen++;
		owned_add(t, c->perms[0].id, 1);
		t->nnodes++;
		n = c;
		p += len;
		while (*p == '/')
			p++;
	}
	return n;
}

int xs_tree_set_value(struct xs_tree *t, struct xs_node *n,
		      const char *value, size_t len)
{
	char *v = NULL;

	if (len) {
		v = malloc(len);
		if (!v)
			return -ENOMEM;
		memcpy(v, value, len);
	}
	free(n->value);
	n->value = v;
	n->len = len;
	n->gen = t->next_gen++;
	return 0;
}

int xs_tree_set_perms(struct xs_tree *t, struct xs_node *n,
		      const struct xs_permissions *perms, unsigned num)
{
	struct xs_permissions *p = malloc(num * sizeof(*p));

	if (!p || num == 0) {
		free(p);
		return -ENOMEM;
	}
	memcpy(p, perms, num * sizeof(*p));
	owned_add(t, n->perms[0].id, -1);
	owned_add(t, p[0].id, 1);
	free(n->perms);
	n->perms = p;
	n->nperms = num;
	n->gen = t->next_gen++;
	return 0;
}

static void remove_walk(struct xs_tree *t, struct xs_node *n,
			void (*fn)(void *ctx, const struct xs_node *n), void *ctx)
{
	for (unsigned i = 0; i < n->nchildren; i++)
		remove_walk(t, n->children[i], fn, ctx);
	if (fn)
		fn(ctx, n);
	owned_add(t, n->perms[0].id, -1);
	t->nnodes--;
}

void xs_tree_remove(struct xs_tree *t, struct xs_node *n,
		    void (*fn)(void *ctx, const struct xs_node *n), void *ctx)
{
	struct xs_node *parent = n->parent;

	if (!parent)
		return;
	remove_walk(t, n, fn, ctx);
	for (unsigned i = 0; i < parent->nchildren; i++) {
		if (parent->children[i] == n) {
			memmove(&parent->children[i], &parent->children[i + 1],
				(parent->nchildren - i - 1) * sizeof(n));
			parent->nchildren--;
			break;
		}
	}
	parent->gen = t->next_gen++;
	node_free(n);
}

int xs_tree_path(const struct xs_node *n, char *buf, size_t size)
{
	size_t len = 0;

	if (!n->parent) {
		if (size < 2)
			return -ENAMETOOLONG;
		strcpy(buf, "/");
		return 1;
	}
	if (n->parent->parent) {
		int l = xs_tree_path(n->parent, buf, size);
		if (l < 0)
			return l;
		len = (size_t)l;
	}
	size_t nl = strlen(n->name);
	if (len + 1 + nl + 1 > size)
		return -ENAMETOOLONG;
	buf[len] = '/';
	memcpy(buf + len + 1, n->name, nl + 1);
	return (int)(len + 1 + nl);
}
