/* Watches: registration and delivery with xenstored's permission filter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_path.h"
#include "xs_perms.h"
#include "xs_server.h"

int xs_watch_add(struct xs_conn *c, const char *path, const char *token,
		 size_t home_len)
{
	for (struct xs_watch *w = c->watches; w; w = w->next)
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
			return -EEXIST;
	if (c->dom && c->dom->nwatches >= XS_QUOTA_WATCHES)
		return -E2BIG;
	struct xs_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		free(w->path);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	w->home_len = home_len;
	/* Appended, so events come in registration order. */
	struct xs_watch **pp = &c->watches;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	c->nwatches++;
	if (c->dom)
		c->dom->nwatches++;
	return 0;
}

static void watch_unlink(struct xs_conn *c, struct xs_watch **pp)
{
	struct xs_watch *w = *pp;

	*pp = w->next;
	free(w->path);
	free(w->token);
	free(w);
	c->nwatches--;
	if (c->dom)
		c->dom->nwatches--;
}

int xs_watch_remove(struct xs_conn *c, const char *path, const char *token)
{
	for (struct xs_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, path) == 0 && strcmp((*pp)->token, token) == 0) {
			watch_unlink(c, pp);
			return 0;
		}
	}
	return -ENOENT;
}

void xs_watch_remove_all(struct xs_conn *c)
{
	while (c->watches)
		watch_unlink(c, &c->watches);
}

static bool readable(const struct xs_conn *c, const struct xs_permissions *p,
		     unsigned n)
{
	return xs_perm_for(c->domid, c->privileged, p, n) & XS_PERM_READ;
}

/* As xenstored: the node (before or after the change) or its parent must
 * be readable by the watcher. A removed node counts only its old perms. */
static bool watch_permitted(const struct xs_conn *c, const struct xs_node *n,
			    const struct xs_permissions *old, unsigned nold)
{
	if (c->privileged)
		return true;
	if (old && readable(c, old, nold))
		return true;
	if (!n)
		return false;
	if (readable(c, n->perms, n->nperms))
		return true;
	return n->parent && readable(c, n->parent->perms, n->parent->nperms);
}

static void fire_live(void *ctx, const char *path, bool exact,
		      const struct xs_node *n, const struct xs_permissions *old,
		      unsigned nold)
{
	struct xs_server *s = ctx;

	for (struct xs_conn *c = s->conns; c; c = c->next) {
		if (c->dead)
			continue;
		bool permitted = false, checked = false;
		for (struct xs_watch *w = c->watches; w; w = w->next) {
			bool match = exact ? strcmp(path, w->path) == 0
					   : xs_path_is_child(path, w->path);
			if (!match)
				continue;
			if (!checked) {
				permitted = watch_permitted(c, n, old, nold);
				checked = true;
			}
			if (permitted)
				xs_conn_event(c, xs_path_strip_home(path, w->home_len),
					      w->token);
		}
	}
}

struct xs_store_hooks xs_watch_live_hooks(struct xs_server *s)
{
	struct xs_store_hooks h = { .fire = fire_live, .ctx = s };
	return h;
}

struct xs_special *xs_special_find(struct xs_server *s, const char *name)
{
	for (size_t i = 0; i < sizeof(s->specials) / sizeof(s->specials[0]); i++)
		if (s->specials[i].name && strcmp(s->specials[i].name, name) == 0)
			return &s->specials[i];
	return NULL;
}

void xs_watch_fire_special(struct xs_server *s, const char *name)
{
	struct xs_special *sp = xs_special_find(s, name);

	for (struct xs_conn *c = s->conns; c; c = c->next) {
		if (c->dead || (sp && !readable(c, sp->perms, sp->nperms)))
			continue;
		for (struct xs_watch *w = c->watches; w; w = w->next)
			if (strcmp(w->path, name) == 0)
				xs_conn_event(c, name, w->token);
	}
}
