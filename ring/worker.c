/*
 * The worker thread of one queue: serve passes while there is work; after
 * a pass that served requests, busy-poll the ring for the adaptive window
 * (adapt.c); then re-arm req_event (RING_FINAL_CHECK_FOR_REQUESTS) and
 * sleep on the event channel only if that still finds nothing.
 *
 * Kicks: the port stays masked from the kick's wake-up until the pass it
 * caused is done; a kick that finds the ring empty costs only the event
 * channel's own syscalls (wake-up, pending, unmask), and one that keeps
 * coming with nothing to do has its unmask deferred on a timerfd (while
 * masked, a kick only sets pending; the unmask delivers it again and the
 * ring is checked then, so nothing is lost).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "queue_priv.h"
#include "stats.h"

static bool stop_requested(const struct ring_queue *q)
{
	return __atomic_load_n(&q->stopping, __ATOMIC_ACQUIRE);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Ring checks between two clock reads: where the clock has no vDSO (a PV
 * dom0 without a stable TSC) each read is a system call through Xen. */
#define POLL_SPINS_PER_CLOCK 16u

/* Spin up to the poll window for new requests, without asking for a kick;
 * the window follows what polls find. */
static bool busy_poll(struct ring_queue *q)
{
	uint64_t start, now;
	bool found = false;

	if (q->poll.cur == 0)
		return false;
	start = now = now_us();
	do {
		for (unsigned i = 0; i < POLL_SPINS_PER_CLOCK && !found; i++) {
			found = blkif_back_has_requests(&q->back);
			cpu_relax();
		}
		if (found)
			break;
		now = now_us();
	} while (!stop_requested(q) && now - start < q->poll.cur);
	if (found)
		now = now_us();
	STAT_ADD(q->stats.polls, 1);
	STAT_ADD(q->stats.polls_found, found);
	STAT_ADD(q->stats.poll_us, now - start);
	poll_window_update(&q->poll, found);
	return found;
}

static void unmask(struct ring_queue *q)
{
	if (!q->masked)
		return;
	q->masked = false;
	xenevtchn_unmask(q->xce, q->port);
}

static void defer_unmask(struct ring_queue *q, unsigned delay_us)
{
	struct itimerspec it = {
		.it_value = { .tv_sec = delay_us / 1000000u,
			      .tv_nsec = (long)(delay_us % 1000000u) * 1000 },
	};

	STAT_ADD(q->stats.kicks_throttled, 1);
	if (timerfd_settime(q->timer_fd, 0, &it, NULL) < 0) {
		qlog_rl(q, RING, LOG_WARN, "timerfd: %s", strerror(errno));
		unmask(q);
	}
}

void ring_queue_kick_done(struct ring_queue *q, bool found_work)
{
	unsigned delay;

	if (found_work)
		kick_throttle_work(&q->throttle);
	if (!q->masked)
		return;
	if (found_work) {
		unmask(q);
		return;
	}
	STAT_ADD(q->stats.kicks_spurious, 1);
	delay = kick_throttle_spurious(&q->throttle);
	if (delay)
		defer_unmask(q, delay);
	else
		unmask(q);
}

/* The deferral is over: unmask (a kick that came meanwhile is delivered
 * again) and have the caller look at the ring. */
static void deferral_over(struct ring_queue *q)
{
	uint64_t expirations;

	if (read(q->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		qlog_rl(q, RING, LOG_WARN, "timerfd: %s", strerror(errno));
	unmask(q);
}

int ring_queue_wait(struct ring_queue *q)
{
	struct pollfd pfd[3] = {
		{ .fd = xenevtchn_fd(q->xce), .events = POLLIN },
		{ .fd = q->stop_fd, .events = POLLIN },
		{ .fd = q->timer_fd, .events = POLLIN },
	};
	xenevtchn_port_or_error_t port;

	if (stop_requested(q))
		return 0;
	/* While an unmask is deferred, only the timer (or a stop) wakes us. */
	if (poll(q->masked ? pfd + 1 : pfd, q->masked ? 2 : 3, -1) < 0)
		return errno == EINTR ? 1 : -errno;
	if (pfd[1].revents || stop_requested(q))
		return 0;
	if (pfd[2].revents & POLLIN) {
		deferral_over(q);
		return 1;
	}
	if (q->masked)
		return 1;
	if (!(pfd[0].revents & POLLIN))
		return pfd[0].revents ? -EIO : 1;
	port = xenevtchn_pending(q->xce);
	if (port < 0)
		return errno == EAGAIN ? 1 : -errno;
	/* The port stays masked until the pass this kick causes is done
	 * (ring_queue_kick_done): a kick meanwhile only sets pending. */
	q->masked = true;
	STAT_ADD(q->stats.kicks, 1);
	return 1;
}

/* The wake-up that asked us to park has done its job: eat it, so the next
 * poll sleeps. A stop sets q->stopping first, so nothing is lost. */
static void drain_wake(struct ring_queue *q)
{
	uint64_t v;

	if (read(q->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		qlog(q, LOG_WARN, "wake-up fd: %s", strerror(errno));
}

static void park_if_asked(struct ring_queue *q)
{
	if (!__atomic_load_n(&q->pause_req, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&q->pause_lock);
	q->parked = true;
	pthread_cond_broadcast(&q->pause_cond);
	while (q->pause_req && !stop_requested(q))
		pthread_cond_wait(&q->pause_cond, &q->pause_lock);
	q->parked = false;
	pthread_mutex_unlock(&q->pause_lock);
	drain_wake(q);
}

void ring_queue_pause(struct ring_queue *q)
{
	uint64_t one = 1;

	if (!q->thread_started)
		return;
	pthread_mutex_lock(&q->pause_lock);
	__atomic_store_n(&q->pause_req, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&q->pause_lock);
	if (write(q->stop_fd, &one, sizeof(one)) < 0)
		qlog(q, LOG_WARN, "cannot wake worker: %s", strerror(errno));
	pthread_mutex_lock(&q->pause_lock);
	while (!q->parked && !q->exited)
		pthread_cond_wait(&q->pause_cond, &q->pause_lock);
	pthread_mutex_unlock(&q->pause_lock);
}

void ring_queue_resume(struct ring_queue *q)
{
	pthread_mutex_lock(&q->pause_lock);
	__atomic_store_n(&q->pause_req, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&q->pause_cond);
	pthread_mutex_unlock(&q->pause_lock);
}

void ring_queue_wake_parked(struct ring_queue *q)
{
	pthread_mutex_lock(&q->pause_lock);
	pthread_cond_broadcast(&q->pause_cond);
	pthread_mutex_unlock(&q->pause_lock);
}

static void worker_exit(struct ring_queue *q)
{
	pthread_mutex_lock(&q->pause_lock);
	q->exited = true;
	pthread_cond_broadcast(&q->pause_cond);
	pthread_mutex_unlock(&q->pause_lock);
}

void *ring_queue_worker(void *arg)
{
	struct ring_queue *q = arg;
	int rc;

	/* The first pass runs before any wait: a resumed ring's requests
	 * (whose kicks Xen dropped while no backend was bound) are served at
	 * once, and RING_FINAL_CHECK_FOR_REQUESTS re-arms req_event after. */
	while (!stop_requested(q)) {
		park_if_asked(q);
		rc = ring_queue_serve_pass(q);
		if (rc < 0)
			break; /* ring broken: on_fatal has been told */
		ring_queue_kick_done(q, rc > 0 || q->qos_wait_ns);
		if (ring_queue_qos_hold(q)) /* throttled: requests wait on the ring */
			continue;
		if (rc > 0 && busy_poll(q))
			continue;
		if (q->masked)
			goto wait; /* deferred: the timer brings us back */
		if (blkif_back_final_check(&q->back))
			continue;
wait:
		rc = ring_queue_wait(q);
		if (rc < 0) {
			ring_queue_fail(q, "event channel failed");
			break;
		}
	}
	unmask(q);
	worker_exit(q);
	return NULL;
}
