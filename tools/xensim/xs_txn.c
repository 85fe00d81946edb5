/* Transactions (see xs_txn.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_txn.h"

int xs_txn_new(const struct xs_tree *live, uint32_t id, unsigned max_acc,
	       struct xs_txn **out)
{
	struct xs_txn *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return -ENOMEM;
	if (xs_tree_clone(live, &tx->tree) < 0) {
		free(tx);
		return -ENOMEM;
	}
	tx->id = id;
	tx->max_acc = max_acc;
	*out = tx;
	return 0;
}

static void op_free(struct xs_txn_op *op)
{
	free(op->path);
	free(op->value);
	free(op->perms);
}

void xs_txn_free(struct xs_txn *tx)
{
	if (!tx)
		return;
	xs_tree_free(&tx->tree);
	for (unsigned i = 0; i < tx->nacc; i++)
		free(tx->acc[i].path);
	for (unsigned i = 0; i < tx->nops; i++)
		op_free(&tx->ops[i]);
	free(tx->acc);
	free(tx->ops);
	free(tx);
}

static void record_access(void *ctx, const char *path, const struct xs_node *n)
{
	struct xs_txn *tx = ctx;

	for (unsigned i = 0; i < tx->nacc; i++)
		if (strcmp(tx->acc[i].path, path) == 0)
			return; /* first look wins: that is the start state */
	if (tx->max_acc && tx->nacc >= tx->max_acc) {
		tx->error = -ENOSPC;
		return;
	}
	if (tx->nacc == tx->acc_cap) {
		unsigned cap = tx->acc_cap ? tx->acc_cap * 2 : 16;
		struct xs_txn_access *a = realloc(tx->acc, cap * sizeof(*a));
		if (!a) {
			tx->error = -ENOMEM;
			return;
		}
		tx->acc = a;
		tx->acc_cap = cap;
	}
	char *p = strdup(path);
	if (!p) {
		tx->error = -ENOMEM;
		return;
	}
	tx->acc[tx->nacc].path = p;
	tx->acc[tx->nacc].gen = n ? n->gen : 0;
	tx->nacc++;
}

struct xs_store_hooks xs_txn_hooks(struct xs_txn *tx)
{
	struct xs_store_hooks h = { .access = record_access, .ctx = tx };
	return h;
}

int xs_txn_log(struct xs_txn *tx, const struct xs_txn_op *op)
{
	struct xs_txn_op copy = *op;

	if (tx->nops == tx->ops_cap) {
		unsigned cap = tx->ops_cap ? tx->ops_cap * 2 : 8;
		struct xs_txn_op *o = realloc(tx->ops, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		tx->ops = o;
		tx->ops_cap = cap;
	}
	copy.path = strdup(op->path);
	copy.value = op->len ? malloc(op->len) : NULL;
	copy.perms = op->nperms ? malloc(op->nperms * sizeof(*op->perms)) : NULL;
	if (!copy.path || (op->len && !copy.value) || (op->nperms && !copy.perms)) {
		op_free(&copy);
		return -ENOMEM;
	}
	if (op->len)
		memcpy(copy.value, op->value, op->len);
	if (op->nperms)
		memcpy(copy.perms, op->perms, op->nperms * sizeof(*op->perms));
	tx->ops[tx->nops++] = copy;
	return 0;
}

int xs_txn_check(const struct xs_txn *tx, const struct xs_tree *live)
{
	if (tx->error)
		return tx->error;
	for (unsigned i = 0; i < tx->nacc; i++) {
		const struct xs_node *n = xs_tree_lookup(live, tx->acc[i].path);
		if ((n ? n->gen : 0) != tx->acc[i].gen)
			return -EAGAIN;
	}
	return 0;
}

int xs_txn_replay(const struct xs_txn *tx, struct xs_tree *live,
		  const struct xs_who *who, const struct xs_store_hooks *h)
{
	int err = 0;

	/* Nothing it read changed, so every change succeeds as it did in
	 * the copy; quotas were checked then. */
	for (unsigned i = 0; i < tx->nops && !err; i++) {
		const struct xs_txn_op *op = &tx->ops[i];
		switch (op->type) {
		case TXN_WRITE:
			err = xs_store_write(live, who, NULL, op->path, op->value,
					     op->len, h);
			break;
		case TXN_MKDIR:
			err = xs_store_mkdir(live, who, NULL, op->path, h);
			break;
		case TXN_RM:
			err = xs_store_rm(live, who, op->path, h);
			break;
		case TXN_SET_PERMS:
			err = xs_store_set_perms(live, who, op->path, op->perms,
						 op->nperms, h);
			break;
		}
	}
	return err;
}
