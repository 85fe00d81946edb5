/* One handler per request type, as xenstored answers them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <xen/xen.h>

#include "log.h"
#include "xs_msg.h"
#include "xs_path.h"
#include "xs_perms.h"
#include "xs_server.h"

/* What a handler works on: the live tree, or a transaction's copy. */
struct xs_target {
	struct xs_tree *tree;
	struct xs_txn *tx;
	struct xs_store_hooks hooks;
	struct xs_who who;
};

static const struct xs_quota guest_quota = {
	.max_nodes = XS_QUOTA_NODES, .max_value = XS_QUOTA_VALUE,
};

static struct xs_txn *txn_find(struct xs_conn *c, uint32_t id)
{
	for (struct xs_txn *tx = c->txns; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

static int target_get(struct xs_conn *c, const struct xsd_sockmsg *hdr,
		      struct xs_target *t)
{
	t->who.domid = c->domid;
	t->who.privileged = c->privileged;
	if (hdr->tx_id == 0) {
		t->tree = &c->srv->tree;
		t->tx = NULL;
		t->hooks = xs_watch_live_hooks(c->srv);
		return 0;
	}
	t->tx = txn_find(c, hdr->tx_id);
	if (!t->tx)
		return -ENOENT;
	t->tree = &t->tx->tree;
	t->hooks = xs_txn_hooks(t->tx);
	return 0;
}

static int canonical(struct xs_conn *c, const char *in, bool special,
		     char *out, bool *relative)
{
	return xs_path_canonical(c->domid, c->privileged, in, special, out, relative);
}

/* After a change inside a transaction: remember it for the commit. */
static int txn_note(struct xs_target *t, const struct xs_txn_op *op)
{
	return t->tx ? xs_txn_log(t->tx, op) : 0;
}

static int do_read(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[1];
	char path[XS_PATH_BUF];
	struct xs_target t;
	struct xs_node *n;
	bool rel;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 1) < 0 ||
	    canonical(c, vec[0], false, path, &rel) < 0)
		return -EINVAL;
	if ((err = target_get(c, hdr, &t)) < 0 ||
	    (err = xs_store_get(t.tree, &t.who, path, XS_PERM_READ, &t.hooks, &n)) < 0)
		return err;
	xs_conn_reply(c, hdr, XS_READ, n->value, n->len);
	return 0;
}

static int do_write(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[2];
	char path[XS_PATH_BUF];
	struct xs_target t;
	size_t len;
	bool rel;
	int err;

	if (xs_msg_args_rest(body, hdr->len, vec, 2, &len) < 0 ||
	    canonical(c, vec[0], false, path, &rel) < 0)
		return -EINVAL;
	if ((err = target_get(c, hdr, &t)) < 0 ||
	    (err = xs_store_write(t.tree, &t.who, &guest_quota, path, vec[1], len,
				  &t.hooks)) < 0)
		return err;
	struct xs_txn_op op = { .type = TXN_WRITE, .path = path,
				.value = (char *)(uintptr_t)vec[1], .len = len };
	if ((err = txn_note(&t, &op)) < 0)
		return err;
	xs_conn_ok(c, hdr);
	return 0;
}

static int do_mkdir_rm(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[1];
	char path[XS_PATH_BUF];
	struct xs_target t;
	bool rel;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 1) < 0 ||
	    canonical(c, vec[0], false, path, &rel) < 0)
		return -EINVAL;
	if ((err = target_get(c, hdr, &t)) < 0)
		return err;
	if (hdr->type == XS_MKDIR)
		err = xs_store_mkdir(t.tree, &t.who, &guest_quota, path, &t.hooks);
	else
		err = xs_store_rm(t.tree, &t.who, path, &t.hooks);
	if (err < 0)
		return err;
	struct xs_txn_op op = { .type = hdr->type == XS_MKDIR ? TXN_MKDIR : TXN_RM,
				.path = path };
	if ((err = txn_note(&t, &op)) < 0)
		return err;
	xs_conn_ok(c, hdr);
	return 0;
}

/* Children names, each with its NUL; -E2BIG past the payload limit. */
static int children_list(const struct xs_node *n, char *buf, size_t size,
			 size_t *len)
{
	size_t off = 0;

	for (unsigned i = 0; i < n->nchildren; i++) {
		size_t l = strlen(n->children[i]->name) + 1;
		if (off + l > size)
			return -E2BIG;
		memcpy(buf + off, n->children[i]->name, l);
		off += l;
	}
	*len = off;
	return 0;
}

static int dir_node(struct xs_conn *c, const struct xsd_sockmsg *hdr,
		    const char *arg, struct xs_node **n)
{
	char path[XS_PATH_BUF];
	struct xs_target t;
	bool rel;
	int err;

	if (canonical(c, arg, false, path, &rel) < 0)
		return -EINVAL;
	if ((err = target_get(c, hdr, &t)) < 0)
		return err;
	return xs_store_get(t.tree, &t.who, path, XS_PERM_READ, &t.hooks, n);
}

static int do_directory(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	const char *vec[1];
	struct xs_node *n;
	size_t len;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 1) < 0)
		return -EINVAL;
	if ((err = dir_node(c, hdr, vec[0], &n)) < 0 ||
	    (err = children_list(n, buf, sizeof(buf), &len)) < 0)
		return err;
	xs_conn_reply(c, hdr, XS_DIRECTORY, buf, len);
	return 0;
}

/* "generation\0" then as many names as fit from byte `offset` of the
 * children list, then an empty name once the list is complete. */
static int do_directory_part(struct xs_conn *c, const struct xsd_sockmsg *hdr,
			     char *body)
{
	static char all[1 << 20], buf[XENSTORE_PAYLOAD_MAX];
	const char *vec[2];
	struct xs_node *n;
	unsigned offset;
	size_t len;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 2) < 0 ||
	    xs_msg_parse_uint(vec[1], 0x7fffffff, &offset) < 0)
		return -EINVAL;
	if ((err = dir_node(c, hdr, vec[0], &n)) < 0 ||
	    (err = children_list(n, all, sizeof(all), &len)) < 0)
		return err == -E2BIG ? -ENOMEM : err;
	int glen = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n->gen) + 1;
	size_t out = (size_t)glen, off = offset;
	if (off > len)
		off = len;
	while (off < len) {
		size_t l = strlen(all + off) + 1;
		if (out + l + 1 > sizeof(buf))
			break;
		memcpy(buf + out, all + off, l);
		out += l;
		off += l;
	}
	if (off >= len)
		buf[out++] = '\0';
	xs_conn_reply(c, hdr, XS_DIRECTORY_PART, buf, out);
	return 0;
}

static void reply_perms(struct xs_conn *c, const struct xsd_sockmsg *hdr,
			const struct xs_permissions *p, unsigned n)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		int l = xs_perm_format(&p[i], buf + off, sizeof(buf) - off);
		if (l < 0)
			break;
		off += (size_t)l + 1;
	}
	xs_conn_reply(c, hdr, XS_GET_PERMS, buf, off);
}

static int do_get_perms(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[1];
	char path[XS_PATH_BUF];
	struct xs_target t;
	struct xs_node *n;
	bool rel;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 1) < 0 ||
	    canonical(c, vec[0], true, path, &rel) < 0)
		return -EINVAL;
	if (path[0] == '@') {
		struct xs_special *sp = xs_special_find(c->srv, path);
		if (!sp)
			return -ENOENT;
		if (!(xs_perm_for(c->domid, c->privileged, sp->perms, sp->nperms) &
		      XS_PERM_READ))
			return -EACCES;
		reply_perms(c, hdr, sp->perms, sp->nperms);
		return 0;
	}
	if ((err = target_get(c, hdr, &t)) < 0 ||
	    (err = xs_store_get(t.tree, &t.who, path, XS_PERM_READ, &t.hooks, &n)) < 0)
		return err;
	reply_perms(c, hdr, n->perms, n->nperms);
	return 0;
}

static int set_special_perms(struct xs_conn *c, const char *name,
			     const struct xs_permissions *p, unsigned n)
{
	struct xs_special *sp = xs_special_find(c->srv, name);

	if (!sp)
		return -ENOENT;
	if (!(xs_perm_for(c->domid, c->privileged, sp->perms, sp->nperms) &
	      XS_PERM_WRITE))
		return -EACCES;
	if (!c->privileged && p[0].id != sp->perms[0].id)
		return -EPERM;
	struct xs_permissions *np = malloc(n * sizeof(*np));
	if (!np)
		return -ENOMEM;
	memcpy(np, p, n * sizeof(*np));
	free(sp->perms);
	sp->perms = np;
	sp->nperms = n;
	return 0;
}

static int do_set_perms(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	struct xs_permissions perms[XENSTORE_PAYLOAD_MAX / 3];
	const char *vec[2];
	char path[XS_PATH_BUF];
	struct xs_target t;
	size_t len;
	bool rel;
	int n, err;

	if (xs_msg_args_rest(body, hdr->len, vec, 2, &len) < 0 ||
	    canonical(c, vec[0], true, path, &rel) < 0)
		return -EINVAL;
	n = xs_perms_parse_list(vec[1], len, perms, sizeof(perms) / sizeof(perms[0]));
	if (n < 0)
		return -EINVAL;
	if (path[0] == '@')
		err = set_special_perms(c, path, perms, (unsigned)n);
	else if ((err = target_get(c, hdr, &t)) == 0 &&
		 (err = xs_store_set_perms(t.tree, &t.who, path, perms,
					   (unsigned)n, &t.hooks)) == 0) {
		struct xs_txn_op op = { .type = TXN_SET_PERMS, .path = path,
					.perms = perms, .nperms = (unsigned)n };
		err = txn_note(&t, &op);
	}
	if (err < 0)
		return err;
	xs_conn_ok(c, hdr);
	return 0;
}

static int do_watch(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[2];
	char path[XS_PATH_BUF];
	bool rel;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 2) < 0 ||
	    canonical(c, vec[0], true, path, &rel) < 0)
		return -EINVAL;
	size_t home_len = rel ? strlen(path) - strlen(vec[0]) - 1 : 0;
	if (hdr->type == XS_UNWATCH) {
		if ((err = xs_watch_remove(c, path, vec[1])) < 0)
			return err;
		xs_conn_ok(c, hdr);
		return 0;
	}
	if ((err = xs_watch_add(c, path, vec[1], home_len)) < 0)
		return err;
	xs_conn_ok(c, hdr);
	/* Fires once at registration, unfiltered, as xenstored does. */
	xs_conn_event(c, rel ? vec[0] : path, vec[1]);
	return 0;
}

static int do_txn_start(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	struct xs_txn *tx;
	char buf[16];
	int err;

	(void)body;
	if (hdr->tx_id != 0)
		return -EBUSY;
	if (c->dom && c->dom->ntxns >= XS_QUOTA_TXNS)
		return -ENOSPC;
	uint32_t id = c->srv->next_txn_id++;
	if (id == 0)
		id = c->srv->next_txn_id++;
	err = xs_txn_new(&c->srv->tree, id, c->privileged ? 0 : XS_QUOTA_TXN_NODES, &tx);
	if (err < 0)
		return err;
	tx->next = c->txns;
	c->txns = tx;
	c->ntxns++;
	if (c->dom)
		c->dom->ntxns++;
	int l = snprintf(buf, sizeof(buf), "%u", id);
	xs_conn_reply(c, hdr, XS_TRANSACTION_START, buf, (size_t)l + 1);
	return 0;
}

static void txn_unlink(struct xs_conn *c, struct xs_txn *tx)
{
	for (struct xs_txn **pp = &c->txns; *pp; pp = &(*pp)->next) {
		if (*pp == tx) {
			*pp = tx->next;
			break;
		}
	}
	c->ntxns--;
	if (c->dom)
		c->dom->ntxns--;
	xs_txn_free(tx);
}

void xs_txn_drop_all(struct xs_conn *c)
{
	while (c->txns)
		txn_unlink(c, c->txns);
}

static int do_txn_end(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[1];
	struct xs_txn *tx;
	int err = 0;

	if (xs_msg_args(body, hdr->len, vec, 1) < 0 ||
	    (strcmp(vec[0], "T") != 0 && strcmp(vec[0], "F") != 0))
		return -EINVAL;
	tx = txn_find(c, hdr->tx_id);
	if (!tx)
		return -ENOENT;
	if (vec[0][0] == 'T') {
		err = xs_txn_check(tx, &c->srv->tree);
		if (!err) {
			struct xs_who who = { c->domid, c->privileged };
			struct xs_store_hooks h = xs_watch_live_hooks(c->srv);
			err = xs_txn_replay(tx, &c->srv->tree, &who, &h);
			if (err)
				log_dev(xs_conn_log(c), LOG_ERR,
					"transaction %u replay failed: %d", tx->id, err);
		}
	}
	txn_unlink(c, tx);
	if (err < 0)
		return err;
	xs_conn_ok(c, hdr);
	return 0;
}

static int domid_arg(const char *s, unsigned *domid)
{
	return xs_msg_parse_uint(s, DOMID_FIRST_RESERVED - 1, domid);
}

static int do_introduce(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[3];
	unsigned domid, x;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 3) < 0 || domid_arg(vec[0], &domid) < 0 ||
	    domid == 0 || xs_msg_parse_uint(vec[2], 0xffffffffu, &x) < 0)
		return -EINVAL;
	if ((err = xs_server_introduce(c->srv, domid)) < 0)
		return err;
	xs_conn_ok(c, hdr);
	return 0;
}

static int do_release(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const char *vec[1];
	unsigned domid;
	int err;

	if (xs_msg_args(body, hdr->len, vec, 1) < 0 || domid_arg(vec[0], &domid) < 0 ||
	    domid == 0)
		return -EINVAL;
	if (hdr->type == XS_RESUME)
		err = xs_server_find_domain(c->srv, domid) ? 0 : -ENOENT;
	else
		err = xs_server_release(c->srv, domid);
	if (err < 0)
		return err;
	xs_conn_ok(c, hdr);
	return 0;
}

static int do_domain_query(struct xs_conn *c, const struct xsd_sockmsg *hdr,
			   char *body)
{
	const char *vec[1];
	unsigned domid;
	char buf[64];

	if (xs_msg_args(body, hdr->len, vec, 1) < 0 || domid_arg(vec[0], &domid) < 0)
		return -EINVAL;
	if (hdr->type == XS_GET_DOMAIN_PATH) {
		int l = snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
		xs_conn_reply(c, hdr, hdr->type, buf, (size_t)l + 1);
	} else {
		bool in = domid == 0 || xs_server_find_domain(c->srv, domid);
		xs_conn_reply(c, hdr, hdr->type, in ? "T" : "F", 2);
	}
	return 0;
}

static int do_reset_watches(struct xs_conn *c, const struct xsd_sockmsg *hdr,
			    char *body)
{
	(void)body;
	xs_watch_remove_all(c);
	xs_txn_drop_all(c);
	xs_conn_ok(c, hdr);
	return 0;
}

static int do_control(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	const struct xs_stats *st = &c->srv->stats;
	char buf[512];
	size_t rest;
	const char *vec[2];

	if (xs_msg_args_rest(body, hdr->len, vec, 2, &rest) < 0)
		return -EINVAL;
	if (strcmp(vec[0], "check") == 0) {
		xs_conn_ok(c, hdr);
	} else if (strcmp(vec[0], "print") == 0) {
		log_info("control print: %.*s", (int)strnlen(vec[1], rest), vec[1]);
		xs_conn_ok(c, hdr);
	} else if (strcmp(vec[0], "stats") == 0) {
		int l = snprintf(buf, sizeof(buf),
				 "nodes %lu\nrequests %lu\nerrors %lu\nevents %lu\n"
				 "events-dropped %lu\nclosed-bad %lu\n",
				 c->srv->tree.nnodes, st->requests, st->errors,
				 st->events, st->events_dropped, st->closed_bad);
		xs_conn_reply(c, hdr, XS_CONTROL, buf, (size_t)l + 1);
	} else if (strcmp(vec[0], "help") == 0) {
		static const char help[] = "check\nprint <text>\nstats\nhelp\n";
		xs_conn_reply(c, hdr, XS_CONTROL, help, sizeof(help));
	} else {
		return -EINVAL;
	}
	return 0;
}

typedef int xs_handler_fn(struct xs_conn *c, const struct xsd_sockmsg *hdr,
			  char *body);

static const struct {
	xs_handler_fn *fn;
	bool privileged;
} handlers[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { do_control, true },
	[XS_DIRECTORY] = { do_directory, false },
	[XS_READ] = { do_read, false },
	[XS_GET_PERMS] = { do_get_perms, false },
	[XS_WATCH] = { do_watch, false },
	[XS_UNWATCH] = { do_watch, false },
	[XS_TRANSACTION_START] = { do_txn_start, false },
	[XS_TRANSACTION_END] = { do_txn_end, false },
	[XS_INTRODUCE] = { do_introduce, true },
	[XS_RELEASE] = { do_release, true },
	[XS_GET_DOMAIN_PATH] = { do_domain_query, false },
	[XS_WRITE] = { do_write, false },
	[XS_MKDIR] = { do_mkdir_rm, false },
	[XS_RM] = { do_mkdir_rm, false },
	[XS_SET_PERMS] = { do_set_perms, false },
	[XS_IS_DOMAIN_INTRODUCED] = { do_domain_query, true },
	[XS_RESUME] = { do_release, true },
	[XS_RESET_WATCHES] = { do_reset_watches, false },
	[XS_DIRECTORY_PART] = { do_directory_part, false },
};

void xs_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	int err;

	if (hdr->type >= XS_TYPE_COUNT || !handlers[hdr->type].fn)
		err = hdr->type == XS_SET_TARGET ? -ENOSYS : -EINVAL;
	else if (handlers[hdr->type].privileged && !c->privileged)
		err = -EACCES;
	else
		err = handlers[hdr->type].fn(c, hdr, body);
	if (err < 0) {
		log_dev_rl(xs_conn_log(c), LOG_KIND_XENSTORE, LOG_DEBUG, "%s: error %d",
			   xs_msg_typename(hdr->type), err);
		xs_conn_error(c, hdr, err);
	}
}
