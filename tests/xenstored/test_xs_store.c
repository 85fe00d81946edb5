/* The store's access rules and transactions, on trees in memory. */
#include <errno.h>
#include <string.h>

#include "../unit.h"
#include "xs_store.h"
#include "xs_txn.h"

static const struct xs_who dom0 = { 0, true }, guest = { 5, false };

static int put(struct xs_tree *t, const struct xs_who *w, const char *path,
	       const char *v, const struct xs_store_hooks *h)
{
	return xs_store_write(t, w, NULL, path, v, strlen(v), h);
}

static int set(struct xs_tree *t, const char *path, unsigned owner, unsigned reader)
{
	struct xs_permissions p[2] = { { owner, XS_PERM_NONE }, { reader, XS_PERM_READ } };

	return xs_store_set_perms(t, &dom0, path, p, reader ? 2 : 1, NULL);
}

static const char *val(struct xs_tree *t, const char *path)
{
	struct xs_node *n = xs_tree_lookup(t, path);
	static char buf[64];

	if (!n)
		return "<none>";
	snprintf(buf, sizeof(buf), "%.*s", (int)n->len, n->value ? n->value : "");
	return buf;
}

/* Write in a transaction as the handlers do: on its tree, then logged. */
static int tx_put(struct xs_txn *tx, const char *path, const char *v)
{
	struct xs_store_hooks h = xs_txn_hooks(tx);
	struct xs_txn_op op = { .type = TXN_WRITE, .path = (char *)(uintptr_t)path,
				.value = (char *)(uintptr_t)v, .len = strlen(v) };
	int err = put(&tx->tree, &dom0, path, v, &h);

	return err ? err : xs_txn_log(tx, &op);
}

static int tx_get(struct xs_txn *tx, const char *path)
{
	struct xs_store_hooks h = xs_txn_hooks(tx);
	struct xs_node *n;

	return xs_store_get(&tx->tree, &dom0, path, XS_PERM_READ, &h, &n);
}

TEST(guest_access_rules)
{
	struct xs_tree t;
	struct xs_node *n;

	EXPECT_EQ(xs_tree_init(&t), 0);
	EXPECT_EQ(put(&t, &dom0, "/local/domain/5/name", "g", NULL), 0);
	EXPECT_EQ(put(&t, &dom0, "/local/domain/0/name", "d", NULL), 0);
	EXPECT_EQ(set(&t, "/local/domain/5", 0, 5), 0);
	EXPECT_EQ(set(&t, "/local/domain/5/name", 0, 5), 0);
	EXPECT_EQ(xs_store_mkdir(&t, &dom0, NULL, "/local/domain/5/data", NULL), 0);
	EXPECT_EQ(set(&t, "/local/domain/5/data", 5, 0), 0);
	EXPECT_EQ(xs_store_get(&t, &guest, "/local/domain/5/name", XS_PERM_READ, NULL, &n), 0);
	EXPECT_EQ(put(&t, &guest, "/local/domain/5/name", "x", NULL), -EACCES);
	EXPECT_EQ(xs_store_get(&t, &guest, "/local/domain/0/name", XS_PERM_READ, NULL, &n),
		  -EACCES);
	/* Missing: ENOENT only where the guest may look. */
	EXPECT_EQ(xs_store_get(&t, &guest, "/local/domain/0/none", XS_PERM_READ, NULL, &n),
		  -EACCES);
	EXPECT_EQ(xs_store_get(&t, &guest, "/local/domain/5/none", XS_PERM_READ, NULL, &n),
		  -ENOENT);
	/* What a guest creates is its own. */
	EXPECT_EQ(put(&t, &guest, "/local/domain/5/data/a/b", "1", NULL), 0);
	n = xs_tree_lookup(&t, "/local/domain/5/data/a");
	EXPECT(n && n->perms[0].id == 5);
	EXPECT_EQ(xs_store_rm(&t, &guest, "/local/domain/5/data/a", NULL), 0);
	EXPECT_EQ(xs_store_rm(&t, &guest, "/local/domain/5/name", NULL), -EACCES);
	xs_tree_free(&t);
}

TEST(guest_quotas)
{
	struct xs_quota q = { .max_nodes = 3, .max_value = 8 };
	struct xs_tree t;

	EXPECT_EQ(xs_tree_init(&t), 0);
	EXPECT_EQ(xs_store_mkdir(&t, &dom0, NULL, "/d", NULL), 0);
	EXPECT_EQ(set(&t, "/d", 5, 0), 0);   /* guest 5 owns /d: 1 node */
	EXPECT_EQ(xs_store_write(&t, &guest, &q, "/d/v", "123456789", 9, NULL), -ENOSPC);
	EXPECT_EQ(xs_store_write(&t, &guest, &q, "/d/v", "12345678", 8, NULL), 0);
	EXPECT_EQ(xs_store_write(&t, &guest, &q, "/d/x/y", "1", 1, NULL), -ENOSPC);
	EXPECT_EQ(xs_store_write(&t, &guest, &q, "/d/x", "1", 1, NULL), 0);
	EXPECT_EQ(xs_store_write(&t, &dom0, &q, "/d/big/er", "123456789", 9, NULL), 0);
	xs_tree_free(&t);
}

TEST(txn_commit_replays)
{
	struct xs_tree live;
	struct xs_txn *tx;

	EXPECT_EQ(xs_tree_init(&live), 0);
	EXPECT_EQ(xs_txn_new(&live, 1, 0, &tx), 0);
	EXPECT_EQ(tx_put(tx, "/a/b", "1"), 0);
	EXPECT_EQ(tx_put(tx, "/a/c", "2"), 0);   /* /a was made by tx itself */
	EXPECT_STR(val(&live, "/a/b"), "<none>");
	EXPECT_EQ(xs_txn_check(tx, &live), 0);
	EXPECT_EQ(xs_txn_replay(tx, &live, &dom0, NULL), 0);
	EXPECT_STR(val(&live, "/a/c"), "2");
	xs_txn_free(tx);
	xs_tree_free(&live);
}

TEST(txn_conflicts)
{
	struct xs_tree live;
	struct xs_txn *tx;

	EXPECT_EQ(xs_tree_init(&live), 0);
	EXPECT_EQ(put(&live, &dom0, "/x", "1", NULL), 0);
	EXPECT_EQ(put(&live, &dom0, "/y", "1", NULL), 0);
	/* A node it read changed. */
	EXPECT_EQ(xs_txn_new(&live, 1, 0, &tx), 0);
	EXPECT_EQ(tx_get(tx, "/x"), 0);
	EXPECT_EQ(put(&live, &dom0, "/x", "2", NULL), 0);
	EXPECT_EQ(xs_txn_check(tx, &live), -EAGAIN);
	xs_txn_free(tx);
	/* A node it found missing appeared. */
	EXPECT_EQ(xs_txn_new(&live, 2, 0, &tx), 0);
	EXPECT_EQ(tx_put(tx, "/n/a", "1"), 0);
	EXPECT_EQ(put(&live, &dom0, "/n", "", NULL), 0);
	EXPECT_EQ(xs_txn_check(tx, &live), -EAGAIN);
	xs_txn_free(tx);
	/* Something it never looked at changed: no conflict. */
	EXPECT_EQ(xs_txn_new(&live, 3, 0, &tx), 0);
	EXPECT_EQ(tx_get(tx, "/x"), 0);
	EXPECT_EQ(put(&live, &dom0, "/y", "2", NULL), 0);
	EXPECT_EQ(xs_txn_check(tx, &live), 0);
	xs_txn_free(tx);
	xs_tree_free(&live);
}

TEST(txn_node_limit)
{
	struct xs_tree live;
	struct xs_txn *tx;

	EXPECT_EQ(xs_tree_init(&live), 0);
	EXPECT_EQ(xs_txn_new(&live, 1, 2, &tx), 0);
	tx_get(tx, "/a");
	tx_get(tx, "/b");
	tx_get(tx, "/c");
	EXPECT_EQ(xs_txn_check(tx, &live), -ENOSPC);
	xs_txn_free(tx);
	xs_tree_free(&live);
}

int main(void)
{
	RUN(guest_access_rules);
	RUN(guest_quotas);
	RUN(txn_commit_replays);
	RUN(txn_conflicts);
	RUN(txn_node_limit);
	return UNIT_RESULT();
}
