/*
 * Helpers shared by the xensim library tests: a host in a temp dir and
 * switching the domain the next opened handle runs in.
 */
#ifndef XSL_TEST_H
#define XSL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simhost.h"

static char xsl_dir[256];

static inline void xsl_as_dom(unsigned domid)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", domid);
	setenv("XENSIM_DOMID", buf, 1);
}

/* A fresh host with dom0 (16 MiB) and domains 1 and 2; 0 or -errno. */
static inline int xsl_host_up(void)
{
	int rc;

	snprintf(xsl_dir, sizeof(xsl_dir), "/tmp/xsl-test.XXXXXX");
	if (!mkdtemp(xsl_dir))
		return -1;
	setenv("XENSIM_DIR", xsl_dir, 1);
	setenv("XENSIM_DOM0_MEM_MIB", "16", 1);
	rc = simhost_init(xsl_dir);
	if (rc == 0)
		rc = simhost_domain_create(xsl_dir, 1, 16);
	if (rc == 0)
		rc = simhost_domain_create(xsl_dir, 2, 16);
	xsl_as_dom(0);
	return rc;
}

static inline void xsl_host_down(void)
{
	simhost_fini(xsl_dir);
	rmdir(xsl_dir);
}

/* Exit status of a child, or -1 if it died of a signal (sig set). */
static inline int xsl_wait(pid_t pid, int *sig)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		;
	*sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
