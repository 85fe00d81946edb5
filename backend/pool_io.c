/* The pool's data path: read, write, discard, direct pointers. Populated
 * chunks are reached through one compare-and-swap on the disk's own table
 * entry (the pin); only populating a chunk takes the disk's lock, and only
 * taking a chunk from the free list takes the pool's. No allocation here. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "pool_int.h"

/* Pin logical chunk lc if populated: true and its physical chunk. While
 * pinned the chunk cannot go back to the pool. */
static bool chunk_pin(struct pool_disk *disk, uint64_t lc, uint32_t *chunk)
{
	_Atomic uint64_t *ent = &disk->table[lc];
	uint64_t e = atomic_load_explicit(ent, memory_order_acquire);

	while (pool_entry_populated(e)) {
		if (atomic_compare_exchange_weak_explicit(ent, &e, e + POOL_PIN_ONE,
							  memory_order_acquire,
							  memory_order_acquire)) {
			*chunk = pool_entry_chunk(e);
			return true;
		}
	}
	return false;
}

static void chunk_unpin(struct pool_disk *disk, uint64_t lc)
{
	atomic_fetch_sub_explicit(&disk->table[lc], POOL_PIN_ONE, memory_order_release);
}

/* A write's bytes, for filling whole chunks while populating them. */
struct write_src {
	uint64_t off;
	const uint8_t *buf;
	size_t len;
};

/* Whether the write covers all of logical chunk lc (never for pool_ptr). */
static bool covers(const struct pool *pool, const struct write_src *w, uint64_t lc)
{
	uint64_t start = lc << pool->shift;

	return w && w->off <= start && start < w->off + w->len &&
	       w->off + w->len - start >= pool->chunk_size;
}

static void fill_whole(const struct pool *pool, const struct write_src *w,
		       uint64_t lc, uint32_t chunk)
{
	memcpy(pool_chunk_addr(pool, chunk), w->buf + ((lc << pool->shift) - w->off),
	       pool->chunk_size);
}

/* Slow path of a write: pin chunks [from, to], populating those still
 * missing. All or nothing: either every chunk is had, or -ENOSPC and none
 * is taken or pinned. disk->lock keeps the missing set stable.
 * Chunks the write covers whole are written here, so a reused chunk is
 * filled once instead of zeroed then filled; it is published only once
 * full, so a racing reader sees zeros, never the chunk's old contents.
 * The caller skips those chunks (covers() on [from, to]). */
static int populate_pinned(struct pool_disk *disk, uint64_t from, uint64_t to,
			   const struct write_src *w)
{
	const struct pool *pool = disk->pool;
	uint64_t missing = 0, lc;
	uint32_t chunk;
	int rc;

	pthread_mutex_lock(&disk->lock);
	for (lc = from; lc <= to; lc++)
		missing += !pool_entry_populated(atomic_load(&disk->table[lc]));
	rc = pool_chunks_promise(disk, missing);
	if (rc) {
		log_ratelimited(LOG_WARN, "pool: disk in slot %u: out of memory",
				disk->slot);
		goto out;
	}
	for (lc = from; lc <= to; lc++) {
		bool whole = covers(pool, w, lc);
		if (chunk_pin(disk, lc, &chunk)) {
			if (whole)
				fill_whole(pool, w, lc, chunk);
			continue;
		}
		chunk = pool_chunk_take(disk, lc, !whole);
		if (whole) {
			fill_whole(pool, w, lc, chunk);
			pool_chunk_own(disk, chunk, lc);
		}
		/* Publish with our pin held; the release orders the fill first. */
		atomic_store_explicit(&disk->table[lc],
				      pool_entry_make(chunk) + POOL_PIN_ONE,
				      memory_order_release);
	}
out:
	pthread_mutex_unlock(&disk->lock);
	return rc;
}

/* Pin every chunk of [from, to] for writing; on failure none stays pinned.
 * *slow: the first chunk that went through populate_pinned (to + 1 when
 * none did). */
static int pin_for_write(struct pool_disk *disk, uint64_t from, uint64_t to,
			 const struct write_src *w, uint64_t *slow)
{
	uint64_t lc;
	uint32_t chunk;
	int rc;

	for (lc = from; lc <= to; lc++)
		if (!chunk_pin(disk, lc, &chunk))
			break;
	*slow = lc;
	if (lc > to)
		return 0;
	rc = populate_pinned(disk, lc, to, w);
	if (rc)
		while (lc-- > from)
			chunk_unpin(disk, lc);
	return rc;
}

void pool_chunk_drop(struct pool_disk *disk, uint64_t lc)
{
	_Atomic uint64_t *ent = &disk->table[lc];
	uint64_t e = atomic_load(ent);

	if (!pool_entry_populated(e))
		return;
	if (pool_entry_pins(e) == 0 && atomic_compare_exchange_strong(ent, &e, 0)) {
		pool_chunk_give(disk, pool_entry_chunk(e));
		return;
	}
	/* A copy is in flight through it: keep the chunk, zero it instead. */
	struct pool *pool = disk->pool;
	memset(pool_chunk_addr(pool, pool_entry_chunk(e)), 0, pool->chunk_size);
}

static int range_check(struct pool_disk *disk, uint64_t off, uint64_t len)
{
	return pool_range_check(atomic_load_explicit(&disk->size, memory_order_relaxed),
				off, len);
}

int pool_read(struct pool_disk *disk, uint64_t off, void *buf, size_t len)
{
	const struct pool *pool = disk->pool;
	uint8_t *dst = buf;
	uint32_t chunk;

	if (range_check(disk, off, len))
		return -EINVAL;
	while (len) {
		uint64_t lc = off >> pool->shift, in = off & (pool->chunk_size - 1);
		size_t n = pool->chunk_size - in < len ? pool->chunk_size - in : len;
		if (chunk_pin(disk, lc, &chunk)) {
			memcpy(dst, pool_chunk_addr(pool, chunk) + in, n);
			chunk_unpin(disk, lc);
		} else {
			memset(dst, 0, n);
		}
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Every chunk the write touches is pinned (populated if need be) before
 * any byte is copied, so a write the pool cannot hold changes nothing. */
int pool_write(struct pool_disk *disk, uint64_t off, const void *buf, size_t len)
{
	const struct pool *pool = disk->pool;
	const struct write_src w = { .off = off, .buf = buf, .len = len };
	uint64_t first = off >> pool->shift, slow;
	int rc;

	if (range_check(disk, off, len))
		return -EINVAL;
	if (len == 0)
		return 0;
	rc = pin_for_write(disk, first, (off + len - 1) >> pool->shift, &w, &slow);
	if (rc)
		return rc;
	for (uint64_t pos = off, end = off + len; pos < end;) {
		uint64_t lc = pos >> pool->shift, in = pos & (pool->chunk_size - 1);
		uint64_t n = pool->chunk_size - in < end - pos ? pool->chunk_size - in
							     : end - pos;
		if (lc < slow || !covers(pool, &w, lc)) {
			/* Pinned: the entry's chunk cannot change under us. */
			uint64_t e = atomic_load_explicit(&disk->table[lc],
							  memory_order_relaxed);
			memcpy(pool_chunk_addr(pool, pool_entry_chunk(e)) + in,
			       w.buf + (pos - off), n);
		}
		chunk_unpin(disk, lc);
		pos += n;
	}
	return 0;
}

/* Zero [off, off+len) inside one chunk, if populated. */
/* Zero [off, off+len) inside one chunk, if populated: its whole pages go
 * back to the kernel (a hole reads as zeros), the rest is cleared. A
 * secure discard clears everything first, so that no freed page keeps the
 * data in dom0 memory. */
static void zero_piece(struct pool_disk *disk, uint64_t off, uint64_t len, bool secure)
{
	struct pool *pool = disk->pool;
	uint64_t lc = off >> pool->shift;
	uint64_t a = pool->punch_align, head, tail;
	uint8_t *p;
	uint32_t chunk;

	if (len == 0 || !chunk_pin(disk, lc, &chunk))
		return;
	p = pool_chunk_addr(pool, chunk) + (off & (pool->chunk_size - 1));
	head = a ? (a - (uint64_t)(p - pool->data) % a) % a : len;
	if (secure || head >= len || !pool_mem_punch(pool, p, len)) {
		memset(p, 0, len);
	} else {
		tail = (len - head) % a;
		memset(p, 0, head);
		memset(p + len - tail, 0, tail);
	}
	chunk_unpin(disk, lc);
}

static int discard(struct pool_disk *disk, uint64_t off, uint64_t len, bool secure)
{
	struct pool_discard_plan plan;
	const struct pool *pool = disk->pool;

	if (range_check(disk, off, len))
		return -EINVAL;
	pool_discard_split(atomic_load(&disk->size), off, len, pool->shift, &plan);
	/* Head and tail each lie within one chunk. */
	zero_piece(disk, plan.head_off, plan.head_len, secure);
	zero_piece(disk, plan.tail_off, plan.tail_len, secure);
	/* A freed chunk's pages go back to the kernel, which does not clear
	 * them: a secure discard clears them first. */
	for (uint64_t lc = plan.whole_first; secure && lc < plan.whole_end; lc++)
		zero_piece(disk, lc << pool->shift, pool->chunk_size, true);
	if (plan.whole_end > plan.whole_first) {
		pthread_mutex_lock(&disk->lock);
		for (uint64_t lc = plan.whole_first; lc < plan.whole_end; lc++)
			pool_chunk_drop(disk, lc);
		pthread_mutex_unlock(&disk->lock);
	}
	return 0;
}

int pool_discard(struct pool_disk *disk, uint64_t off, uint64_t len)
{
	return discard(disk, off, len, false);
}

int pool_discard_secure(struct pool_disk *disk, uint64_t off, uint64_t len)
{
	return discard(disk, off, len, true);
}

int pool_flush(struct pool_disk *disk)
{
	(void)disk;
	return 0;
}

long pool_ptr(struct pool_disk *disk, uint64_t off, size_t len, bool for_write,
	      void **ptr)
{
	const struct pool *pool = disk->pool;
	uint64_t lc = off >> pool->shift, in = off & (pool->chunk_size - 1);
	uint32_t chunk;

	if (len == 0 || range_check(disk, off, len))
		return -EINVAL;
	size_t n = pool->chunk_size - in < len ? pool->chunk_size - in : len;
	if (!chunk_pin(disk, lc, &chunk)) {
		if (!for_write) {
			*ptr = NULL;
			return (long)n;
		}
		int rc = populate_pinned(disk, lc, lc, NULL);
		if (rc)
			return rc;
		chunk = pool_entry_chunk(atomic_load(&disk->table[lc]));
	}
	*ptr = pool_chunk_addr(pool, chunk) + in;
	return (long)n;
}

void pool_ptr_done(struct pool_disk *disk, uint64_t off)
{
	chunk_unpin(disk, off >> disk->pool->shift);
}
