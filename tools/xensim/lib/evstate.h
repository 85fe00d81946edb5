/*
 * The delivery state of a port's receiving end, as Linux's evtchn device
 * presents Xen's: an event is delivered once and the port stays masked
 * until the user unmasks it; events that arrive while masked leave it
 * pending and are delivered at the unmask. Pure transitions on one word,
 * each a compare-and-swap, so senders in any process need no lock.
 */
#ifndef XENSIM_EVSTATE_H
#define XENSIM_EVSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "simshm.h"

/* A send arrived. True if it delivered: the receiver must be woken. */
static inline bool sim_ev_raise(uint32_t *ev)
{
	uint32_t old = __atomic_load_n(ev, __ATOMIC_RELAXED), new;

	do {
		if (old & SIM_EV_MASKED) {
			if (old & SIM_EV_PENDING)
				return false; /* nothing to change: no store */
			new = old | SIM_EV_PENDING;
		} else {
			new = (old | SIM_EV_MASKED) + SIM_EV_ONE;
		}
	} while (!__atomic_compare_exchange_n(ev, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return !(old & SIM_EV_MASKED);
}

/* The user unmasked. True if a pending event is delivered now. */
static inline bool sim_ev_unmask(uint32_t *ev)
{
	uint32_t old = __atomic_load_n(ev, __ATOMIC_RELAXED), new;

	do {
		if (!(old & SIM_EV_MASKED))
			return false;
		if (old & SIM_EV_PENDING)
			new = (old & ~SIM_EV_PENDING) + SIM_EV_ONE; /* stays masked */
		else
			new = old & ~SIM_EV_MASKED;
	} while (!__atomic_compare_exchange_n(ev, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return old & SIM_EV_PENDING;
}

/* pending() takes one delivery off the port, if it has one. */
static inline bool sim_ev_take(uint32_t *ev)
{
	uint32_t old = __atomic_load_n(ev, __ATOMIC_RELAXED);

	do {
		if (old < SIM_EV_ONE)
			return false;
	} while (!__atomic_compare_exchange_n(ev, &old, old - SIM_EV_ONE, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return true;
}

#endif
