/*
 * The worker thread of one queue: serve passes while there is work,
 * busy-poll the ring for poll_us, then re-arm req_event
 * (RING_FINAL_CHECK_FOR_REQUESTS) and sleep on the event channel only if
 * that still finds nothing.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
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

/* Spin up to poll_us for new requests, without asking for a kick. */
static bool busy_poll(struct ring_queue *q)
{
	uint64_t deadline;

	if (q->cfg.poll_us == 0)
		return false;
	deadline = now_us() + q->cfg.poll_us;
	do {
		if (blkif_back_has_requests(&q->back))
			return true;
		cpu_relax();
	} while (!stop_requested(q) && now_us() < deadline);
	return false;
}

int ring_queue_wait(struct ring_queue *q)
{
	struct pollfd pfd[2] = {
		{ .fd = xenevtchn_fd(q->xce), .events = POLLIN },
		{ .fd = q->stop_fd, .events = POLLIN },
	};
	xenevtchn_port_or_error_t port;

	if (stop_requested(q))
		return 0;
	if (poll(pfd, 2, -1) < 0)
		return errno == EINTR ? 1 : -errno;
	if (pfd[1].revents || stop_requested(q))
		return 0;
	if (!(pfd[0].revents & POLLIN))
		return pfd[0].revents ? -EIO : 1;
	port = xenevtchn_pending(q->xce);
	if (port < 0)
		return errno == EAGAIN ? 1 : -errno;
	/* Unmask before looking at the ring, so a kick sent while we work is
	 * delivered again rather than lost. */
	xenevtchn_unmask(q->xce, (evtchn_port_t)port);
	STAT_ADD(q->stats.kicks, 1);
	return 1;
}

/* The wake-up that asked us to park has done its job: eat it, so the next
 * poll sleeps. A stop sets q->stopping first, so nothing is lost. */
static void drain_wake(struct ring_queue *q)
{
	uint64_t v;

	if (read(q->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("%s: wake-up fd: %s", q->name, strerror(errno));
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
		log_warn("%s: cannot wake worker: %s", q->name, strerror(errno));
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

	while (!stop_requested(q)) {
		park_if_asked(q);
		rc = ring_queue_serve_pass(q);
		if (rc < 0)
			break; /* ring broken: on_fatal has been told */
		if (rc > 0 || busy_poll(q))
			continue;
		if (blkif_back_final_check(&q->back))
			continue;
		rc = ring_queue_wait(q);
		if (rc < 0) {
			ring_queue_fail(q, "event channel failed");
			break;
		}
	}
	worker_exit(q);
	return NULL;
}
