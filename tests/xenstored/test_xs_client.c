/*
 * The simulated xenstored through the real libxenstore, as dom0: every
 * request type, watches (initial event, subtree, removal, unwatch),
 * transactions (isolation, abort, EAGAIN on a conflict).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "../unit.h"
#include "xst_host.h"

static struct xst_host host;
static struct xs_handle *xs;

static bool put(const char *path, const char *value)
{
	return xs_write(xs, XBT_NULL, path, value, strlen(value));
}

/* The value at path, or "<errno name>" when the read fails. */
static const char *get(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	static char buf[8192];
	unsigned len;
	char *v = xs_read(h, t, path, &len);

	if (!v) {
		snprintf(buf, sizeof(buf), "<%s>", strerrorname_np(errno));
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

TEST(write_read)
{
	EXPECT(put("/test/a", "hello"));
	EXPECT_STR(get(xs, XBT_NULL, "/test/a"), "hello");
	EXPECT(put("/test/a", ""));
	EXPECT_STR(get(xs, XBT_NULL, "/test/a"), "");
	EXPECT_STR(get(xs, XBT_NULL, "/test/nope"), "<ENOENT>");
	/* Missing ancestors are created. */
	EXPECT(put("/test/deep/er/node", "x"));
	EXPECT_STR(get(xs, XBT_NULL, "/test/deep/er"), "");
}

TEST(binary_and_large_values)
{
	static char big[4000];
	unsigned len = 0;

	memset(big, 'v', sizeof(big));
	EXPECT(xs_write(xs, XBT_NULL, "/test/big", big, sizeof(big)));
	char *v = xs_read(xs, XBT_NULL, "/test/big", &len);
	EXPECT(v != NULL);
	EXPECT_EQ(len, sizeof(big));
	EXPECT(memcmp(v, big, len) == 0);
	free(v);
	EXPECT(xs_write(xs, XBT_NULL, "/test/bin", "a\0b", 3));
	v = xs_read(xs, XBT_NULL, "/test/bin", &len);
	EXPECT(v && len == 3 && memcmp(v, "a\0b", 3) == 0);
	free(v);
}

TEST(mkdir_directory)
{
	unsigned n = 0;

	EXPECT(xs_mkdir(xs, XBT_NULL, "/test/d"));
	EXPECT(xs_mkdir(xs, XBT_NULL, "/test/d"));   /* exists: fine */
	EXPECT(put("/test/d/b", "1"));
	EXPECT(put("/test/d/a", "2"));
	char **e = xs_directory(xs, XBT_NULL, "/test/d", &n);
	EXPECT(e != NULL);
	EXPECT_EQ(n, 2);
	EXPECT_STR(e[0], "b");
	EXPECT_STR(e[1], "a");
	free(e);
	e = xs_directory(xs, XBT_NULL, "/test/d/none", &n);
	EXPECT(e == NULL && errno == ENOENT);
}

TEST(rm_subtree)
{
	EXPECT(put("/test/r/x/y", "1"));
	EXPECT(xs_rm(xs, XBT_NULL, "/test/r"));
	EXPECT_STR(get(xs, XBT_NULL, "/test/r/x/y"), "<ENOENT>");
	EXPECT_STR(get(xs, XBT_NULL, "/test/r"), "<ENOENT>");
	/* Already gone is fine while the parent exists... */
	EXPECT(xs_rm(xs, XBT_NULL, "/test/r"));
	/* ...but not when the parent is missing too. */
	EXPECT(!xs_rm(xs, XBT_NULL, "/test/r/x") && errno == ENOENT);
	EXPECT(!xs_rm(xs, XBT_NULL, "/") && errno == EINVAL);
}

TEST(perms_get_set)
{
	struct xs_permissions set[] = { { 0, XS_PERM_NONE }, { 3, XS_PERM_READ },
					{ 4, XS_PERM_READ | XS_PERM_WRITE } };
	unsigned n = 0;

	EXPECT(put("/test/p", "v"));
	struct xs_permissions *p = xs_get_permissions(xs, XBT_NULL, "/test/p", &n);
	EXPECT(p && n == 1 && p[0].id == 0 && p[0].perms == XS_PERM_NONE);
	free(p);
	EXPECT(xs_set_permissions(xs, XBT_NULL, "/test/p", set, 3));
	p = xs_get_permissions(xs, XBT_NULL, "/test/p", &n);
	EXPECT(p && n == 3);
	EXPECT(p[1].id == 3 && p[1].perms == XS_PERM_READ);
	EXPECT(p[2].id == 4 && p[2].perms == (XS_PERM_READ | XS_PERM_WRITE));
	free(p);
	/* A new child copies its parent's permissions. */
	EXPECT(put("/test/p/child", "c"));
	p = xs_get_permissions(xs, XBT_NULL, "/test/p/child", &n);
	EXPECT(p && n == 3 && p[1].id == 3);
	free(p);
	EXPECT(!xs_set_permissions(xs, XBT_NULL, "/test/nope", set, 1) &&
	       errno == ENOENT);
}

TEST(watch_initial_event)
{
	char p[256], t[64];

	EXPECT(xs_watch(xs, "/test/w", "tok1"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "/test/w");
	EXPECT_STR(t, "tok1");
	EXPECT_EQ(xst_drain(xs, 50), 0);
	/* The same path and token twice is refused. */
	EXPECT(!xs_watch(xs, "/test/w", "tok1") && errno == EEXIST);
}

TEST(watch_subtree_events)
{
	char p[256], t[64];

	EXPECT(put("/test/w/a/b", "1"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "/test/w/a/b");
	EXPECT_STR(t, "tok1");
	/* A sibling whose name starts the same is not below. */
	EXPECT(put("/test/wx", "1"));
	EXPECT(put("/test/w", "2"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "/test/w");
	EXPECT(xs_rm(xs, XBT_NULL, "/test/w/a"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "/test/w/a");
	EXPECT_EQ(xst_drain(xs, 50), 0);
}

TEST(watch_removed_child_exact)
{
	char p[256], t[64];

	EXPECT(put("/test/ex/in/leaf", "1"));
	EXPECT(xs_watch(xs, "/test/ex/in/leaf", "leaf"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), t, sizeof(t)));
	/* Removing an ancestor tells a watch on the removed child. */
	EXPECT(xs_rm(xs, XBT_NULL, "/test/ex"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "/test/ex/in/leaf");
	EXPECT_STR(t, "leaf");
	EXPECT(xs_unwatch(xs, "/test/ex/in/leaf", "leaf"));
}

TEST(unwatch_stops_events)
{
	EXPECT(xs_unwatch(xs, "/test/w", "tok1"));
	EXPECT(put("/test/w/c", "1"));
	EXPECT_EQ(xst_drain(xs, 100), 0);
	EXPECT(!xs_unwatch(xs, "/test/w", "tok1") && errno == ENOENT);
}

TEST(txn_isolation_and_commit)
{
	xs_transaction_t t = xs_transaction_start(xs);

	EXPECT(t != XBT_NULL);
	EXPECT(xs_write(xs, t, "/test/tx/new", "1", 1));
	EXPECT_STR(get(xs, XBT_NULL, "/test/tx/new"), "<ENOENT>");
	EXPECT_STR(get(xs, t, "/test/tx/new"), "1");
	EXPECT(xs_transaction_end(xs, t, false));
	EXPECT_STR(get(xs, XBT_NULL, "/test/tx/new"), "1");
}

TEST(txn_abort)
{
	xs_transaction_t t = xs_transaction_start(xs);

	EXPECT(t != XBT_NULL);
	EXPECT(xs_write(xs, t, "/test/tx/aborted", "1", 1));
	EXPECT(xs_rm(xs, t, "/test/tx/new"));
	EXPECT(xs_transaction_end(xs, t, true));
	EXPECT_STR(get(xs, XBT_NULL, "/test/tx/aborted"), "<ENOENT>");
	EXPECT_STR(get(xs, XBT_NULL, "/test/tx/new"), "1");
}

TEST(txn_conflict_eagain)
{
	struct xs_handle *other = xst_open(&host, 0);
	xs_transaction_t t = xs_transaction_start(xs);

	EXPECT(other && t != XBT_NULL);
	EXPECT_STR(get(xs, t, "/test/tx/new"), "1");
	EXPECT(xs_write(other, XBT_NULL, "/test/tx/new", "2", 1));
	EXPECT(xs_write(xs, t, "/test/tx/result", "x", 1));
	EXPECT(!xs_transaction_end(xs, t, false));
	EXPECT_EQ(errno, EAGAIN);
	EXPECT_STR(get(xs, XBT_NULL, "/test/tx/result"), "<ENOENT>");
	xs_close(other);
}

TEST(txn_disjoint_commits)
{
	EXPECT(put("/test/other", "0"));
	xs_transaction_t t = xs_transaction_start(xs);
	EXPECT(t != XBT_NULL);
	EXPECT_STR(get(xs, t, "/test/tx/new"), "2");
	EXPECT(xs_write(xs, t, "/test/tx/new", "3", 1));
	EXPECT(put("/test/other", "1"));
	EXPECT(xs_transaction_end(xs, t, false));
	EXPECT_STR(get(xs, XBT_NULL, "/test/tx/new"), "3");
}

TEST(txn_creates_parent_then_siblings)
{
	/* Nodes the transaction made itself are no conflict at the commit
	 * (xenstore-write A 1 B 2 does this). */
	xs_transaction_t t = xs_transaction_start(xs);

	EXPECT(t != XBT_NULL);
	EXPECT(xs_write(xs, t, "/test/nt/x/a", "1", 1));
	EXPECT(xs_write(xs, t, "/test/nt/x/b", "2", 1));
	EXPECT(xs_mkdir(xs, t, "/test/nt/x/c/d"));
	EXPECT(xs_transaction_end(xs, t, false));
	EXPECT_STR(get(xs, XBT_NULL, "/test/nt/x/b"), "2");
	/* But someone else creating the same parent meanwhile is one. */
	t = xs_transaction_start(xs);
	EXPECT(xs_write(xs, t, "/test/nt/y/a", "1", 1));
	EXPECT(put("/test/nt/y", "other"));
	EXPECT(!xs_transaction_end(xs, t, false) && errno == EAGAIN);
}

TEST(txn_watch_fires_on_commit)
{
	char p[256], tk[64];

	EXPECT(xs_watch(xs, "/test/tw", "tw"));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), tk, sizeof(tk)));
	xs_transaction_t t = xs_transaction_start(xs);
	EXPECT(xs_write(xs, t, "/test/tw/x", "1", 1));
	EXPECT_EQ(xst_drain(xs, 50), 0);   /* nothing before the commit */
	EXPECT(xs_transaction_end(xs, t, false));
	EXPECT(xst_event(xs, 2000, p, sizeof(p), tk, sizeof(tk)));
	EXPECT_STR(p, "/test/tw/x");
	EXPECT(xs_unwatch(xs, "/test/tw", "tw"));
}

TEST(txn_bogus_id)
{
	EXPECT(xs_read(xs, 987654, "/test/a", NULL) == NULL);
	EXPECT_EQ(errno, ENOENT);
	EXPECT(!xs_transaction_end(xs, 987654, false) && errno == ENOENT);
}

TEST(domain_queries)
{
	char *p = xs_get_domain_path(xs, 5);

	EXPECT(p != NULL);
	EXPECT_STR(p, "/local/domain/5");
	free(p);
	EXPECT(xs_is_domain_introduced(xs, 0));
	EXPECT(!xs_is_domain_introduced(xs, 77));
}

TEST(initial_tree)
{
	EXPECT_STR(get(xs, XBT_NULL, "/local/domain/0/name"), "Domain-0");
	EXPECT_STR(get(xs, XBT_NULL, "/local/domain/0/domid"), "0");
}

int main(void)
{
	if (xst_host_start(&host) < 0 || !(xs = xst_open(&host, 0))) {
		printf("FAIL: host_start: cannot start a host\n");
		return 1;
	}
	xs_fileno(xs);
	RUN(initial_tree);
	RUN(write_read);
	RUN(binary_and_large_values);
	RUN(mkdir_directory);
	RUN(rm_subtree);
	RUN(perms_get_set);
	RUN(watch_initial_event);
	RUN(watch_subtree_events);
	RUN(watch_removed_child_exact);
	RUN(unwatch_stops_events);
	RUN(txn_isolation_and_commit);
	RUN(txn_abort);
	RUN(txn_conflict_eagain);
	RUN(txn_disjoint_commits);
	RUN(txn_creates_parent_then_siblings);
	RUN(txn_watch_fires_on_commit);
	RUN(txn_bogus_id);
	RUN(domain_queries);
	xs_close(xs);
	return xst_host_stop(&host) | UNIT_RESULT();
}
