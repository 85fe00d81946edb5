/*
 * The daemon-wide budget of queues (each one worker thread and a few fds),
 * from RLIMIT_NOFILE and RLIMIT_NPROC. A device reserves the queues it
 * offers when it is probed (multi-queue-max-queues is written then, so
 * the frontend never sets up more than it will get) and gives them back
 * when it goes. Past the budget a device is offered fewer queues, at least
 * one; no other device is affected. Pure: main.c reads the limits.
 */
#ifndef MEMBACK_QUEUE_BUDGET_H
#define MEMBACK_QUEUE_BUDGET_H

#include <stdint.h>

/* fds a queue holds: gntdev, evtchn, its stop eventfd, its unmask timerfd. */
#define QUEUE_FDS 4
/* fds kept for the rest: xenstore (2), control and metrics sockets and
 * their clients, signalfd, eventfds, the pool's memfd, image files, syslog. */
#define DAEMON_FD_RESERVE 64
/* threads kept for the main loop and image jobs. */
#define DAEMON_THREAD_RESERVE 8

struct queue_budget {
	unsigned total;   /* queues all devices together may have */
	unsigned used;    /* reserved by devices */
};

/* Queues that fit in nofile fds and nproc threads (UINT64_MAX: no limit). */
unsigned queue_budget_for(uint64_t nofile, uint64_t nproc);
/* Reserve up to `want` queues (at least 1, even past the budget, so a
 * device always gets a queue it may then fail to start with EMFILE; it
 * never takes from others). The number reserved. */
unsigned queue_budget_take(struct queue_budget *b, unsigned want);
void queue_budget_put(struct queue_budget *b, unsigned n);

#endif
