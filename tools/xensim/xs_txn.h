/*
 * Transactions: the transaction works on its own copy of the tree and
 * remembers the generation of every node it looked at (0: absent). At the
 * end, if any of those nodes changed in the live tree meanwhile, the
 * transaction fails with EAGAIN (the client retries); otherwise its
 * logged changes are replayed on the live tree, firing watches then.
 */
#ifndef XENSIM_XS_TXN_H
#define XENSIM_XS_TXN_H

#include <stdint.h>

#include "xs_store.h"
#include "xs_tree.h"

enum xs_txn_op_type { TXN_WRITE, TXN_MKDIR, TXN_RM, TXN_SET_PERMS };

struct xs_txn_op {
	enum xs_txn_op_type type;
	char *path;
	char *value;                  /* TXN_WRITE */
	size_t len;
	struct xs_permissions *perms; /* TXN_SET_PERMS */
	unsigned nperms;
};

struct xs_txn_access {
	char *path;
	uint64_t gen;
};

struct xs_txn {
	uint32_t id;
	struct xs_tree tree;
	struct xs_txn_access *acc;
	unsigned nacc, acc_cap, max_acc;
	struct xs_txn_op *ops;
	unsigned nops, ops_cap;
	int error;                    /* sticky failure (too many nodes) */
	struct xs_txn *next;
};

/* max_acc bounds the nodes one transaction may touch (0: no bound). */
int xs_txn_new(const struct xs_tree *live, uint32_t id, unsigned max_acc,
	       struct xs_txn **out);
void xs_txn_free(struct xs_txn *tx);
/* Hooks for xs_store_* on tx->tree: record accesses, fire nothing. */
struct xs_store_hooks xs_txn_hooks(struct xs_txn *tx);
/* Remember a successful change for the replay. */
int xs_txn_log(struct xs_txn *tx, const struct xs_txn_op *op);
/* 0, -EAGAIN on a conflict, or tx->error. */
int xs_txn_check(const struct xs_txn *tx, const struct xs_tree *live);
/* Apply the logged changes to the live tree. */
int xs_txn_replay(const struct xs_txn *tx, struct xs_tree *live,
		  const struct xs_who *who, const struct xs_store_hooks *h);

#endif
