/*
 * The drop-in check: this program is linked against Debian's real
 * libxengnttab.so.1 / libxenevtchn.so.1 and runs itself again with
 * LD_LIBRARY_PATH=<build>/lib, as the daemon runs on the simulated host.
 * The loader must accept ours for every versioned symbol it binds, and a
 * grant + event channel round trip between two domains must work.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/mman.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "../unit.h"
#include "xsl_test.h"

#define REEXEC_MARK "XSL_DROPIN_LIBDIR"

/* Every symbol Debian 12's libraries export, with its version node. */
static const char *const gnttab_syms[][2] = {
	{ "xengnttab_open", "VERS_1.0" }, { "xengnttab_close", "VERS_1.0" },
	{ "xengnttab_map_grant_ref", "VERS_1.0" },
	{ "xengnttab_map_grant_refs", "VERS_1.0" },
	{ "xengnttab_map_domain_grant_refs", "VERS_1.0" },
	{ "xengnttab_map_grant_ref_notify", "VERS_1.0" },
	{ "xengnttab_unmap", "VERS_1.0" }, { "xengnttab_set_max_grants", "VERS_1.0" },
	{ "xengntshr_open", "VERS_1.0" }, { "xengntshr_close", "VERS_1.0" },
	{ "xengntshr_share_pages", "VERS_1.0" },
	{ "xengntshr_share_page_notify", "VERS_1.0" },
	{ "xengntshr_unshare", "VERS_1.0" }, { "xengnttab_grant_copy", "VERS_1.1" },
	{ "xengnttab_fd", "VERS_1.2" }, { "xengntshr_fd", "VERS_1.2" },
	{ "xengnttab_dmabuf_exp_from_refs", "VERS_1.2" },
	{ "xengnttab_dmabuf_exp_wait_released", "VERS_1.2" },
	{ "xengnttab_dmabuf_imp_to_refs", "VERS_1.2" },
	{ "xengnttab_dmabuf_imp_release", "VERS_1.2" },
};
static const char *const evtchn_syms[][2] = {
	{ "xenevtchn_open", "VERS_1.0" }, { "xenevtchn_close", "VERS_1.0" },
	{ "xenevtchn_fd", "VERS_1.0" }, { "xenevtchn_notify", "VERS_1.0" },
	{ "xenevtchn_bind_unbound_port", "VERS_1.0" },
	{ "xenevtchn_bind_interdomain", "VERS_1.0" },
	{ "xenevtchn_bind_virq", "VERS_1.0" }, { "xenevtchn_unbind", "VERS_1.0" },
	{ "xenevtchn_pending", "VERS_1.0" }, { "xenevtchn_unmask", "VERS_1.0" },
	{ "xenevtchn_restrict", "VERS_1.1" }, { "xenevtchn_fdopen", "VERS_1.2" },
};

static char libdir[PATH_MAX];

/* Whether the code at addr comes from <libdir>/<file>. */
static bool from_ours(const void *addr, const char *file)
{
	char want[PATH_MAX + 64], got[PATH_MAX], real_want[PATH_MAX];
	Dl_info info;

	snprintf(want, sizeof(want), "%s/%s", libdir, file);
	if (!dladdr(addr, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, got) || !realpath(want, real_want))
		return false;
	return strcmp(got, real_want) == 0;
}

TEST(loads_our_libs)
{
	EXPECT(from_ours((const void *)xengnttab_open, "libxengnttab.so.1"));
	EXPECT(from_ours((const void *)xengntshr_share_pages, "libxengnttab.so.1"));
	EXPECT(from_ours((const void *)xenevtchn_open, "libxenevtchn.so.1"));
}

static int missing_syms(const char *lib, const char *const (*syms)[2], size_t n)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
	int missing = 0;

	if (!h)
		return -1;
	for (size_t i = 0; i < n; i++) {
		void *s = dlvsym(h, syms[i][0], syms[i][1]);

		if (!s || !from_ours(s, lib)) {
			printf("# %s@%s missing from our %s\n", syms[i][0], syms[i][1], lib);
			missing++;
		}
	}
	dlclose(h);
	return missing;
}

TEST(symbol_versions)
{
	EXPECT_EQ(missing_syms("libxengnttab.so.1", gnttab_syms,
			       sizeof(gnttab_syms) / sizeof(gnttab_syms[0])), 0);
	EXPECT_EQ(missing_syms("libxenevtchn.so.1", evtchn_syms,
			       sizeof(evtchn_syms) / sizeof(evtchn_syms[0])), 0);
}

struct offer {
	uint32_t ref;
	int port;
};

/* The guest (dom1): share a page and offer a port, wait for dom0's event,
 * check dom0's reply in the page. Exit status says what went wrong. */
static int guest(int to_parent)
{
	struct pollfd pfd = { .events = POLLIN };
	xengntshr_handle *gs;
	xenevtchn_handle *xce;
	struct offer o;
	char *page;

	xsl_as_dom(1);
	gs = xengntshr_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	if (!gs || !xce)
		return 2;
	page = xengntshr_share_pages(gs, 0, 1, &o.ref, 1);
	o.port = xenevtchn_bind_unbound_port(xce, 0);
	if (!page || o.port <= 0)
		return 3;
	strcpy(page, "hello from dom1");
	if (write(to_parent, &o, sizeof(o)) != sizeof(o))
		return 4;
	pfd.fd = xenevtchn_fd(xce);
	if (poll(&pfd, 1, 5000) != 1 || xenevtchn_pending(xce) != o.port)
		return 5;
	if (strcmp(page + 2048, "hello from dom0") != 0)
		return 6;
	xenevtchn_close(xce);
	xengntshr_unshare(gs, page, 1);
	xengntshr_close(gs);
	return 0;
}

TEST(round_trip)
{
	struct offer o = { 0, 0 };
	xengnttab_handle *gt;
	xenevtchn_handle *xce;
	int p[2], lp, sig;
	char *m;
	pid_t pid;

	EXPECT(pipe(p) == 0);
	pid = fork();
	if (pid == 0)
		_exit(guest(p[1]));
	EXPECT(read(p[0], &o, sizeof(o)) == sizeof(o));
	gt = xengnttab_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	EXPECT(gt && xce);
	m = xengnttab_map_grant_ref(gt, 1, o.ref, PROT_READ | PROT_WRITE);
	EXPECT(m);
	EXPECT_STR(m, "hello from dom1");
	strcpy(m + 2048, "hello from dom0");
	lp = xenevtchn_bind_interdomain(xce, 1, (evtchn_port_t)o.port);
	EXPECT(lp > 0);
	EXPECT_EQ(xenevtchn_notify(xce, (evtchn_port_t)lp), 0);
	EXPECT_EQ(xsl_wait(pid, &sig), 0);
	EXPECT_EQ(xengnttab_unmap(gt, m, 1), 0);
	xengnttab_close(gt);
	xenevtchn_close(xce);
	close(p[0]), close(p[1]);
}

/* Run again with our libraries first on the search path. */
static int reexec(char **argv)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	/* $(BUILD)/tests/<this> -> $(BUILD)/lib */
	if (snprintf(libdir, sizeof(libdir), "%.*s/../lib", PATH_MAX - 16, exe) >=
	    (int)sizeof(libdir))
		return -ENAMETOOLONG;
	*slash = '/';
	setenv(REEXEC_MARK, libdir, 1);
	setenv("LD_LIBRARY_PATH", libdir, 1);
	execv(exe, argv);
	return -errno;
}

int main(int argc, char **argv)
{
	const char *dir = getenv(REEXEC_MARK);

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!dir) {
		printf("FAIL: reexec: %s\n", strerror(-reexec(argv)));
		return 1;
	}
	snprintf(libdir, sizeof(libdir), "%s", dir);
	if (xsl_host_up() != 0) {
		printf("FAIL: setup: cannot create a host\n");
		return 1;
	}
	RUN(loads_our_libs);
	RUN(symbol_versions);
	RUN(round_trip);
	xsl_host_down();
	return UNIT_RESULT();
}
