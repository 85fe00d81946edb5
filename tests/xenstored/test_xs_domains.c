/*
 * Guests on the simulated xenstored, each through its own socket with
 * libxenstore: the layout and permissions `xensim domain create` gives a
 * domain (as real xl does), denial across domains, watch events filtered
 * by permission, @introduceDomain/@releaseDomain, and what `xensim domain
 * destroy` leaves behind (nothing), with a backend that closes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "../unit.h"
#include "xst_host.h"

static struct xst_host host;
static struct xs_handle *dom0, *g1, *g2;
static int id1, id2;

static const char *get(struct xs_handle *h, const char *path)
{
	static char buf[4200];
	char *v = xs_read(h, XBT_NULL, path, NULL);

	if (!v) {
		snprintf(buf, sizeof(buf), "<%s>", strerrorname_np(errno));
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

static bool put(struct xs_handle *h, const char *path, const char *value)
{
	return xs_write(h, XBT_NULL, path, value, strlen(value));
}

/* "n0,r1": a node's permissions as one string. */
static const char *perms(const char *fmt, int id)
{
	static char buf[128];
	char path[256];
	unsigned n = 0;
	size_t off = 0;

	snprintf(path, sizeof(path), fmt, id);
	struct xs_permissions *p = xs_get_permissions(dom0, XBT_NULL, path, &n);
	if (!p)
		return "<none>";
	buf[0] = '\0';
	for (unsigned i = 0; i < n && off < sizeof(buf) - 16; i++) {
		char c = p[i].perms == XS_PERM_READ ? 'r' : p[i].perms == XS_PERM_WRITE ? 'w'
			: p[i].perms ? 'b' : 'n';
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%c%u",
					i ? "," : "", c, p[i].id);
	}
	free(p);
	return buf;
}

static char *fmt(const char *f, int id)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), f, id, id, id);
	return buf[i];
}

TEST(created_layout_perms)
{
	char want[32];

	snprintf(want, sizeof(want), "n0,r%d", id1);
	EXPECT_STR(perms("/local/domain/%d", id1), want);
	EXPECT_STR(perms("/local/domain/%d/name", id1), want);
	EXPECT_STR(perms("/local/domain/%d/device/vbd", id1), want);
	EXPECT_STR(perms("/local/domain/%d/store", id1), want);
	snprintf(want, sizeof(want), "n%d", id1);
	EXPECT_STR(perms("/local/domain/%d/data", id1), want);
	EXPECT_STR(perms("/local/domain/%d/control/shutdown", id1), want);
	EXPECT_STR(perms("/local/domain/%d/device/suspend/event-channel", id1), want);
	EXPECT_STR(perms("/libxl/%d", id1), "n0");
	EXPECT_STR(get(dom0, fmt("/local/domain/%d/name", id1)), "g1");
	EXPECT_STR(get(dom0, fmt("/local/domain/%d/domid", id1)), fmt("%d", id1));
	char vm[256];
	snprintf(vm, sizeof(vm), "%s/name", get(dom0, fmt("/local/domain/%d/vm", id1)));
	EXPECT_STR(get(dom0, vm), "g1");
}

TEST(guest_reads_own_nodes)
{
	EXPECT_STR(get(g1, "name"), "g1");
	EXPECT_STR(get(g1, fmt("/local/domain/%d/name", id1)), "g1");
	char *p = xs_get_domain_path(g1, (unsigned)id1);
	EXPECT(p && strcmp(p, fmt("/local/domain/%d", id1)) == 0);
	free(p);
}

TEST(guest_denied_dom0_nodes)
{
	unsigned n;

	EXPECT_STR(get(g1, "/local/domain/0/name"), "<EACCES>");
	/* Whether a node exists is hidden too. */
	EXPECT_STR(get(g1, "/local/domain/0/no-such-node"), "<EACCES>");
	EXPECT(!xs_directory(g1, XBT_NULL, "/local/domain/0", &n) && errno == EACCES);
	EXPECT(!put(g1, "/local/domain/0/evil", "1") && errno == EACCES);
	EXPECT(!xs_rm(g1, XBT_NULL, "/local/domain/0/name") && errno == EACCES);
	EXPECT(!xs_introduce_domain(g1, 9, 1, 1) && errno == EACCES);
	EXPECT(!xs_release_domain(g1, (unsigned)id2) && errno == EACCES);
}

TEST(guest_denied_other_guest)
{
	EXPECT_STR(get(g1, fmt("/local/domain/%d/name", id2)), "<EACCES>");
	EXPECT(put(g2, "data/secret", "s"));
	EXPECT_STR(get(g1, fmt("/local/domain/%d/data/secret", id2)), "<EACCES>");
	EXPECT(!put(g1, fmt("/local/domain/%d/data/x", id2), "1") && errno == EACCES);
}

TEST(guest_cannot_rename_itself)
{
	EXPECT(!put(g1, "name", "evil") && errno == EACCES);
	EXPECT(!put(g1, "memory/target", "1") && errno == EACCES);
	EXPECT_STR(get(dom0, fmt("/local/domain/%d/name", id1)), "g1");
}

TEST(guest_writes_its_subtrees)
{
	EXPECT(put(g1, "data/x", "1"));
	EXPECT(put(g1, "control/shutdown", "poweroff"));
	EXPECT(put(g1, "error/e", "oops"));
	EXPECT_STR(get(dom0, fmt("/local/domain/%d/data/x", id1)), "1");
	EXPECT_STR(get(dom0, fmt("/local/domain/%d/control/shutdown", id1)), "poweroff");
	EXPECT_STR(perms("/local/domain/%d/data/x", id1), fmt("n%d", id1));
}

TEST(guest_shares_with_acl)
{
	struct xs_permissions p[] = { { (unsigned)id1, XS_PERM_NONE },
				      { (unsigned)id2, XS_PERM_READ } };
	struct xs_permissions away[] = { { (unsigned)id2, XS_PERM_NONE } };

	EXPECT(put(g1, "data/shared", "hi"));
	EXPECT(xs_set_permissions(g1, XBT_NULL, "data/shared", p, 2));
	EXPECT_STR(get(g2, fmt("/local/domain/%d/data/shared", id1)), "hi");
	EXPECT(!put(g2, fmt("/local/domain/%d/data/shared", id1), "no") &&
	       errno == EACCES);
	/* Giving a node away is dom0's right only. */
	EXPECT(!xs_set_permissions(g1, XBT_NULL, "data/shared", away, 1) &&
	       errno == EPERM);
}

TEST(guest_reads_backend_rN)
{
	const char *be = fmt("/local/domain/0/backend/vbd/%d/51712", id1);
	struct xs_permissions p[] = { { 0, XS_PERM_NONE }, { (unsigned)id1, XS_PERM_READ } };
	char state[300];

	snprintf(state, sizeof(state), "%s/state", be);
	EXPECT(put(dom0, state, "2"));
	EXPECT(xs_set_permissions(dom0, XBT_NULL, be, p, 2));
	EXPECT(xs_set_permissions(dom0, XBT_NULL, state, p, 2));
	EXPECT_STR(get(g1, state), "2");
	EXPECT_STR(get(g2, state), "<EACCES>");
	EXPECT(!put(g1, state, "4") && errno == EACCES);
}

TEST(guest_value_quota)
{
	static char big[3000];

	memset(big, 'q', sizeof(big));
	EXPECT(!xs_write(g1, XBT_NULL, "data/big", big, sizeof(big)));
	EXPECT(xs_write(g1, XBT_NULL, "data/big", big, 2048));
}

TEST(watch_filtered_by_perms)
{
	char p[256], t[64];

	EXPECT(xs_watch(g1, "/local/domain", "all"));
	EXPECT(xst_event(g1, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "/local/domain");
	/* Changes the guest may not read are not told to it... */
	EXPECT(put(dom0, "/local/domain/0/secret", "1"));
	EXPECT(put(g2, "data/private", "1"));
	/* ...the ones it may read are, in order. */
	EXPECT(put(dom0, fmt("/local/domain/%d/data/fromdom0", id1), "1"));
	EXPECT(xst_event(g1, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, fmt("/local/domain/%d/data/fromdom0", id1));
	EXPECT_STR(t, "all");
	EXPECT_EQ(xst_drain(g1, 50), 0);
	EXPECT(xs_unwatch(g1, "/local/domain", "all"));
}

TEST(relative_watch)
{
	char p[256], t[64];

	EXPECT(xs_watch(g1, "data", "rel"));
	EXPECT(xst_event(g1, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "data");
	EXPECT(put(dom0, fmt("/local/domain/%d/data/y", id1), "1"));
	EXPECT(xst_event(g1, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "data/y");
	EXPECT(xs_unwatch(g1, "data", "rel"));
}

TEST(introduce_release_events)
{
	char p[256], t[64];
	int id3;

	EXPECT(xs_watch(dom0, "@introduceDomain", "intro"));
	EXPECT(xs_watch(dom0, "@releaseDomain", "rel"));
	EXPECT_EQ(xst_drain(dom0, 100), 2);   /* the initial events */
	id3 = xst_domain_create(&host, "g3");
	EXPECT(id3 > 0);
	EXPECT(xst_event(dom0, 2000, p, sizeof(p), t, sizeof(t)));
	EXPECT_STR(p, "@introduceDomain");
	EXPECT(xs_is_domain_introduced(dom0, (unsigned)id3));
	EXPECT_EQ(xst_domain_destroy(&host, (unsigned)id3), 0);
	EXPECT_EQ(xst_drain(dom0, 200), 1);   /* @releaseDomain (and rm events: none) */
	EXPECT(!xs_is_domain_introduced(dom0, (unsigned)id3));
	EXPECT(xs_unwatch(dom0, "@introduceDomain", "intro"));
	EXPECT(xs_unwatch(dom0, "@releaseDomain", "rel"));
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Act as the backend: Closing -> Closed, as a well-behaved one does. */
static bool backend_close(struct xs_handle *h, const char *be, int timeout_ms)
{
	char state[300], online[300], p[300], t[64];

	snprintf(state, sizeof(state), "%s/state", be);
	snprintf(online, sizeof(online), "%s/online", be);
	if (!xs_watch(h, state, "be"))
		return false;
	while (xst_event(h, timeout_ms, p, sizeof(p), t, sizeof(t))) {
		if (strcmp(get(h, state), "5") == 0 && strcmp(get(h, online), "0") == 0)
			return put(h, state, "6");
	}
	return false;
}

TEST(destroy_cleans_up)
{
	char be[128], fe[128], sock[256], vm[256];
	int id = xst_domain_create(&host, "doomed"), status = -1;

	EXPECT(id > 0);
	struct xs_handle *guest = xst_open(&host, (unsigned)id);
	EXPECT(guest != NULL);
	/* A backend type of its own: libxl's cleanup removes the parents the
	 * last device leaves empty, up to the backend domain's directory. */
	snprintf(be, sizeof(be), "/local/domain/0/backend/vbd7/%d/51712", id);
	snprintf(fe, sizeof(fe), "/local/domain/%d/device/vbd/51712", id);
	char path[300];
	snprintf(path, sizeof(path), "%s/state", be);
	EXPECT(put(dom0, path, "4"));
	snprintf(path, sizeof(path), "%s/state", fe);
	EXPECT(put(dom0, path, "4"));
	snprintf(vm, sizeof(vm), "%s", get(dom0, fmt("/local/domain/%d/vm", id)));
	xst_sock_path(&host, (unsigned)id, sock, sizeof(sock));
	EXPECT(file_exists(sock));

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int pid = xst_domain_destroy_start(&host, (unsigned)id);
	EXPECT(pid > 0);
	bool closed = backend_close(dom0, be, 5000);
	snprintf(path, sizeof(path), "%s/state", be);
	xs_unwatch(dom0, path, "be");
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	xst_drain(dom0, 20);
	EXPECT(closed);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT(t1.tv_sec - t0.tv_sec < 5);   /* it did not wait for the timeout */
	EXPECT_STR(get(dom0, be), "<ENOENT>");
	EXPECT_STR(get(dom0, fmt("/local/domain/0/backend/vbd7/%d", id)), "<ENOENT>");
	EXPECT_STR(get(dom0, "/local/domain/0/backend/vbd7"), "<ENOENT>");
	EXPECT_STR(get(dom0, fe), "<ENOENT>");
	EXPECT_STR(get(dom0, fmt("/local/domain/%d", id)), "<ENOENT>");
	EXPECT_STR(get(dom0, fmt("/libxl/%d", id)), "<ENOENT>");
	EXPECT_STR(get(dom0, vm), "<ENOENT>");
	EXPECT(!file_exists(sock));
	/* The guest's connection went with it. */
	EXPECT(xs_read(guest, XBT_NULL, "name", NULL) == NULL);
	xs_close(guest);
	EXPECT(xst_domain_destroy(&host, (unsigned)id) != 0);   /* gone */
}

int main(void)
{
	if (xst_host_start(&host) < 0 || !(dom0 = xst_open(&host, 0)) ||
	    (id1 = xst_domain_create(&host, "g1")) <= 0 ||
	    (id2 = xst_domain_create(&host, "g2")) <= 0 ||
	    !(g1 = xst_open(&host, (unsigned)id1)) || !(g2 = xst_open(&host, (unsigned)id2))) {
		printf("FAIL: setup: cannot start a host with two guests\n");
		if (host.dir[0])
			xst_host_stop(&host);
		return 1;
	}
	xs_fileno(dom0);
	xs_fileno(g1);
	RUN(created_layout_perms);
	RUN(guest_reads_own_nodes);
	RUN(guest_denied_dom0_nodes);
	RUN(guest_denied_other_guest);
	RUN(guest_cannot_rename_itself);
	RUN(guest_writes_its_subtrees);
	RUN(guest_shares_with_acl);
	RUN(guest_reads_backend_rN);
	RUN(guest_value_quota);
	RUN(watch_filtered_by_perms);
	RUN(relative_watch);
	RUN(introduce_release_events);
	RUN(destroy_cleans_up);
	xs_close(g1);
	xs_close(g2);
	xs_close(dom0);
	return xst_host_stop(&host) | UNIT_RESULT();
}
