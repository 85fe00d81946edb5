/* Token buckets as GCRA clocks; see include/qos.h. Pure: the caller gives
 * the time. */
#include "qos.h"

#define NS 1000000000ull

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* ns that `units` cost at `rate` per second. */
static uint64_t cost_ns(uint64_t units, uint64_t rate)
{
	unsigned __int128 c = (unsigned __int128)units * NS / rate;

	return c > UINT64_MAX / 4 ? UINT64_MAX / 4 : (uint64_t)c;
}

static void clock_set(struct qos_clock *c, uint64_t rate, uint64_t burst)
{
	if (rate && !burst)
		burst = rate / 10 ? rate / 10 : 1;
	store(&c->rate, 0); /* off while it changes: a request may pass unpaid */
	store(&c->tau_ns, rate ? cost_ns(burst, rate) : 0);
	store(&c->tat_ns, 0);
	store(&c->rate, rate);
}

void qos_set(struct qos_bucket *b, const struct qos_limits *l)
{
	clock_set(&b->io, l->iops, l->iops_burst);
	clock_set(&b->bytes, l->bps, l->bps_burst);
}

static uint64_t burst_of(const struct qos_clock *c)
{
	uint64_t rate = load(&c->rate);

	return rate ? (uint64_t)(((unsigned __int128)load(&c->tau_ns) * rate + NS / 2) / NS) : 0;
}

void qos_get(const struct qos_bucket *b, struct qos_limits *l)
{
	*l = (struct qos_limits){
		.iops = load(&b->io.rate), .bps = load(&b->bytes.rate),
		.iops_burst = burst_of(&b->io), .bps_burst = burst_of(&b->bytes),
	};
}

bool qos_active(const struct qos_bucket *b)
{
	return b && (load(&b->io.rate) || load(&b->bytes.rate));
}

static uint64_t clock_wait(const struct qos_clock *c, uint64_t now)
{
	uint64_t tat = load(&c->tat_ns), ahead;

	if (!load(&c->rate) || tat <= now)
		return 0;
	ahead = tat - now;
	return ahead > load(&c->tau_ns) ? ahead - load(&c->tau_ns) : 0;
}

uint64_t qos_wait_ns(struct qos_bucket *b, uint64_t now_ns)
{
	uint64_t a = clock_wait(&b->io, now_ns), c = clock_wait(&b->bytes, now_ns);

	return a > c ? a : c;
}

/* tat = max(tat, now) + cost, against other queues doing the same. */
static void clock_charge(struct qos_clock *c, uint64_t now, uint64_t units)
{
	uint64_t rate = load(&c->rate), tat, next;

	if (!rate || !units)
		return;
	uint64_t cost = cost_ns(units, rate);
	tat = load(&c->tat_ns);
	do {
		next = (tat > now ? tat : now) + cost;
	} while (!__atomic_compare_exchange_n(&c->tat_ns, &tat, next, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

void qos_charge(struct qos_bucket *b, uint64_t now_ns, uint64_t bytes)
{
	clock_charge(&b->io, now_ns, 1);
	clock_charge(&b->bytes, now_ns, bytes);
}

void qos_settle(struct qos_bucket *b, uint64_t charged, uint64_t bytes)
{
	uint64_t rate = load(&b->bytes.rate), tat, next, back;

	if (!rate || bytes >= charged)
		return;
	back = cost_ns(charged - bytes, rate);
	tat = load(&b->bytes.tat_ns);
	do {
		next = tat > back ? tat - back : 0;
	} while (!__atomic_compare_exchange_n(&b->bytes.tat_ns, &tat, next, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}
