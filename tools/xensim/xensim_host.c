/*
 * xensim start / stop: the host daemon (the simulated xenstored) and the
 * shared state of tools/xensim/lib.
 *
 * DIR/xensim.lock is flock()ed by the daemon for its whole life: it says
 * "a host is running here" without trusting a pid that may have been
 * reused, and a second start on the same DIR fails at once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/simhost.h"
#include "log.h"
#include "xensim.h"
#include "xs_server.h"

#define STOP_WAIT_MS 10000

int xensim_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Opens DIR/xensim.lock and tries to take it; *held: someone else has it. */
static int lock_open(const char *dir, bool create, bool *held)
{
	char path[4096];
	int fd;

	if (xensim_path(path, sizeof(path), dir, "xensim.lock") < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
	if (fd < 0)
		return -errno;
	*held = flock(fd, LOCK_EX | LOCK_NB) < 0;
	return fd;
}

bool xensim_host_running(const char *dir)
{
	bool held = false;
	int fd = lock_open(dir, false, &held);

	if (fd < 0)
		return false;
	close(fd);
	return held;
}

static long read_pid(const char *dir)
{
	char path[4096];
	long pid = -1;
	FILE *f;

	if (xensim_path(path, sizeof(path), dir, "xenstored.pid") < 0)
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = -1;
	fclose(f);
	return pid;
}

static int write_pid(const char *dir, pid_t pid)
{
	char path[4096];
	FILE *f;

	if (xensim_path(path, sizeof(path), dir, "xenstored.pid") < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)pid);
	return fclose(f) == 0 ? 0 : -errno;
}

/* Close every fd above stderr but the two kept: the caller's pipes (a
 * $(xensim start) in a script, a test harness) must not stay open for
 * the daemon's whole life. */
static void close_others(int keep1, int keep2)
{
	unsigned lo = (unsigned)(keep1 < keep2 ? keep1 : keep2);
	unsigned hi = (unsigned)(keep1 < keep2 ? keep2 : keep1);

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0u, 0);
}

/* The daemon side of the fork: detach, log to DIR/xenstored.log, serve
 * until SIGTERM. lock_fd stays open, and so the lock held, until exit. */
static int daemon_main(const char *dir, int ready_fd, int lock_fd)
{
	char path[4096];
	int fd;

	setsid();
	close_others(ready_fd, lock_fd);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if (xensim_path(path, sizeof(path), dir, "xenstored.log") == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return xs_server_run(dir, ready_fd);
}

int xensim_host_start(const char *dir, bool *is_daemon)
{
	bool held = false;
	int lock_fd, pfd[2] = { -1, -1 }, rc;
	pid_t pid;
	char c;

	if ((lock_fd = lock_open(dir, true, &held)) < 0)
		return lock_fd;
	if (held) {
		log_err("a host is already running in %s (pid %ld)", dir, read_pid(dir));
		rc = -EBUSY;
		goto out;
	}
	if ((rc = simhost_init(dir)) < 0) {
		log_err("cannot create the host state in %s: %s", dir, strerror(-rc));
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0) {
		*is_daemon = true;
		close(pfd[0]);
		return daemon_main(dir, pfd[1], lock_fd);
	}
	close(pfd[1]);
	pfd[1] = -1;
	/* "R" once the socket listens; EOF if the daemon died first. */
	if (read(pfd[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		log_err("xenstored did not start: see %s/xenstored.log", dir);
		simhost_fini(dir);
		rc = -EIO;
		goto out;
	}
	rc = write_pid(dir, pid);
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	close(lock_fd);
	return rc;
}

/* Sockets and their per-domain directories, as a dead daemon left them. */
static void remove_sockets(const char *dir)
{
	char path[4096];
	struct dirent *e;
	DIR *dh;

	if (xensim_path(path, sizeof(path), dir, "xenstored.sock") == 0)
		unlink(path);
	dh = opendir(dir);
	if (!dh)
		return;
	while ((e = readdir(dh))) {
		unsigned id;
		char tail;
		if (sscanf(e->d_name, "dom%u%c", &id, &tail) != 1)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/xenstored.sock", dir,
			     e->d_name) < (int)sizeof(path))
			unlink(path);
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
		    (int)sizeof(path))
			rmdir(path);
	}
	closedir(dh);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait for the daemon to let go of the lock; SIGKILL it if it hangs.
 * The lock goes as its files close, a moment before the process is
 * gone: wait for that too (briefly: a zombie is up to its reaper). */
static int wait_exit(int lock_fd, long pid)
{
	for (int ms = 0; ms < STOP_WAIT_MS + 2000; ms += 10) {
		if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0) {
			for (int i = 0; i < 200 && kill((pid_t)pid, 0) == 0; i++)
				sleep_ms(10);
			return 0;
		}
		if (ms == STOP_WAIT_MS) {
			log_warn("xenstored (pid %ld) ignored SIGTERM: killing it", pid);
			kill((pid_t)pid, SIGKILL);
		}
		sleep_ms(10);
	}
	return -ETIMEDOUT;
}

int xensim_host_stop(const char *dir)
{
	bool held = false;
	int lock_fd = lock_open(dir, false, &held), rc = 0;
	char path[4096];

	if (lock_fd < 0 || !held) {
		log_err("no host is running in %s", dir);
		rc = -ESRCH;
		goto cleanup;   /* still tidy what a crashed daemon left */
	}
	long pid = read_pid(dir);
	if (pid < 0) {
		log_err("%s/xenstored.pid is missing or bad", dir);
		rc = -ESRCH;
		goto out;
	}
	if (kill((pid_t)pid, SIGTERM) < 0 && errno != ESRCH) {
		rc = -errno;
		goto out;
	}
	if ((rc = wait_exit(lock_fd, pid)) < 0) {
		log_err("xenstored (pid %ld) does not exit", pid);
		goto out;
	}
cleanup:
	simhost_fini(dir);
	remove_sockets(dir);
	if (xensim_path(path, sizeof(path), dir, "xenstored.pid") == 0)
		unlink(path);
	if (xensim_path(path, sizeof(path), dir, "xensim.lock") == 0)
		unlink(path);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}
