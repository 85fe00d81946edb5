/* The pool's pure logic: layout, owner encoding, free list, reservations,
 * range arithmetic. See pool_map.h. */
#include <errno.h>

#include "parse.h"
#include "pool_map.h"

#define POOL_HEADER_SPACE 4096u

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Round v up to a multiple of the power of two a; false on overflow. */
static bool round_up(uint64_t v, uint64_t a, uint64_t *out)
{
	if (v > UINT64_MAX - (a - 1))
		return false;
	*out = (v + a - 1) & ~(a - 1);
	return true;
}

unsigned pool_log2(uint64_t pow2)
{
	return (unsigned)__builtin_ctzll(pow2);
}

int pool_chunk_size_check(uint64_t chunk_size)
{
	if (!is_pow2(chunk_size) || chunk_size < POOL_MIN_CHUNK ||
	    chunk_size > POOL_MAX_CHUNK)
		return -EINVAL;
	return 0;
}

int pool_layout_compute(uint64_t size, uint64_t chunk_size, uint64_t align,
			struct pool_layout *out)
{
	uint64_t meta_end, data_bytes;

	if (pool_chunk_size_check(chunk_size) || !is_pow2(align))
		return -EINVAL;
	if (size == 0 || size % chunk_size)
		return -EINVAL;
	uint64_t nchunks = size / chunk_size;
	if (nchunks > POOL_MAX_CHUNKS)
		return -E2BIG;
	/* nchunks < 2^32 and chunk_size <= 2^30: none of this can wrap. */
	out->nchunks = nchunks;
	out->table_off = POOL_HEADER_SPACE;
	out->owner_off = out->table_off +
			 (uint64_t)POOL_MAX_DISKS * sizeof(struct pool_dev_slot);
	meta_end = out->owner_off + nchunks * sizeof(uint64_t);
	data_bytes = nchunks * chunk_size;
	if (!round_up(meta_end, align, &out->data_off))
		return -E2BIG;
	if (out->data_off > UINT64_MAX - data_bytes ||
	    !round_up(out->data_off + data_bytes, align, &out->file_size))
		return -E2BIG;
	if (out->file_size > (uint64_t)INT64_MAX) /* off_t */
		return -E2BIG;
	return 0;
}

uint64_t pool_owner_encode(uint32_t slot, uint64_t lchunk)
{
	return ((uint64_t)(slot + 1) << 48) | (lchunk & ((1ull << 48) - 1));
}

bool pool_owner_decode(uint64_t owner, uint32_t *slot, uint64_t *lchunk)
{
	uint64_t s = owner >> 48;

	if (s == 0)
		return false; /* free, clean or dirty */
	*slot = (uint32_t)(s - 1);
	*lchunk = owner & ((1ull << 48) - 1);
	return true;
}

void pool_freelist_init(struct pool_freelist *fl, uint32_t *storage, uint32_t n)
{
	fl->stack = storage;
	fl->cap = n;
	fl->count = n;
	/* Top of the stack is the last element: chunk 0 goes out first. */
	for (uint32_t i = 0; i < n; i++)
		storage[i] = n - 1 - i;
}

int pool_freelist_pop(struct pool_freelist *fl, uint32_t *chunk)
{
	if (fl->count == 0)
		return -ENOSPC;
	*chunk = fl->stack[--fl->count];
	return 0;
}

int pool_freelist_push(struct pool_freelist *fl, uint32_t chunk)
{
	if (fl->count >= fl->cap || chunk >= fl->cap)
		return -EOVERFLOW;
	fl->stack[fl->count++] = chunk;
	return 0;
}

uint64_t pool_reservation_of(const struct pool_reservation *r, uint64_t size)
{
	uint64_t chunks = pool_chunks_for(size, r->chunk_shift);

	if (chunks > UINT64_MAX >> r->chunk_shift)
		return UINT64_MAX;
	return chunks << r->chunk_shift;
}

/* Reserve `bytes` already rounded. */
static int reserve_bytes(struct pool_reservation *r, uint64_t size)
{
	if (size > UINT64_MAX - r->reserved)
		return -EOVERFLOW;
	if (!r->overcommit && r->reserved + size > r->capacity)
		return -ENOSPC;
	r->reserved += size;
	return 0;
}

static void unreserve_bytes(struct pool_reservation *r, uint64_t size)
{
	r->reserved = size > r->reserved ? 0 : r->reserved - size;
}

int pool_reserve(struct pool_reservation *r, uint64_t size)
{
	return reserve_bytes(r, pool_reservation_of(r, size));
}

void pool_unreserve(struct pool_reservation *r, uint64_t size)
{
	unreserve_bytes(r, pool_reservation_of(r, size));
}

int pool_rereserve(struct pool_reservation *r, uint64_t old_size, uint64_t new_size)
{
	uint64_t old_res = pool_reservation_of(r, old_size);
	uint64_t new_res = pool_reservation_of(r, new_size);

	if (new_res <= old_res) {
		unreserve_bytes(r, old_res - new_res);
		return 0;
	}
	return reserve_bytes(r, new_res - old_res);
}

uint64_t pool_chunks_for(uint64_t size, unsigned chunk_shift)
{
	uint64_t mask = (1ull << chunk_shift) - 1;

	return (size >> chunk_shift) + ((size & mask) != 0);
}

int pool_range_check(uint64_t disk_size, uint64_t off, uint64_t len)
{
	if (off > disk_size || len > disk_size - off)
		return -EINVAL;
	return 0;
}

void pool_discard_split(uint64_t disk_size, uint64_t off, uint64_t len,
			unsigned chunk_shift, struct pool_discard_plan *p)
{
	uint64_t cs = 1ull << chunk_shift, end = off + len;
	uint64_t first, last, first_b, last_b;

	*p = (struct pool_discard_plan){ 0 };
	if (len == 0)
		return;
	/* First chunk wholly inside, and one past the last: the disk's last
	 * chunk is whole when the range runs to the disk's end. */
	first = (off >> chunk_shift) + ((off & (cs - 1)) != 0);
	last = end == disk_size ? pool_chunks_for(disk_size, chunk_shift)
				: end >> chunk_shift;
	if (last < first)
		last = first;
	/* Saturate: with a disk size near 2^64 the last chunk's end wraps. */
	first_b = first > (UINT64_MAX >> chunk_shift) ? UINT64_MAX : first << chunk_shift;
	last_b = last > (UINT64_MAX >> chunk_shift) ? UINT64_MAX : last << chunk_shift;
	p->whole_first = first;
	p->whole_end = last;
	if (off < first_b) {
		p->head_off = off;
		p->head_len = (end < first_b ? end : first_b) - off;
	}
	/* The tail starts at or after last_b >= first_b >= the head's end. */
	uint64_t tail_start = off > last_b ? off : last_b;
	if (tail_start < end) {
		p->tail_off = tail_start;
		p->tail_len = end - tail_start;
	}
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

int pool_header_check(const struct pool_header *h, uint64_t file_size, char *err,
		      size_t errlen)
{
	struct pool_layout l;

	if (all_zero(h, sizeof(*h)))
		return -ENODATA;
	if (h->magic != POOL_MAGIC)
		return errorf(err, errlen, -EPROTO, "not a memback pool (bad magic)");
	if (h->version != POOL_VERSION)
		return errorf(err, errlen, -EPROTO,
			      "format version %u, this memback reads version %u only",
			      h->version, POOL_VERSION);
	if (h->max_disks != POOL_MAX_DISKS || pool_chunk_size_check(h->chunk_size) ||
	    h->nchunks == 0 || h->nchunks > POOL_MAX_CHUNKS)
		return errorf(err, errlen, -EPROTO, "damaged header (geometry)");
	/* The layout must be the one this version computes, at the alignment
	 * its data offset shows (the page or huge page size it was made with). */
	uint64_t align = h->data_off & -h->data_off;
	if (align < 4096 || pool_layout_compute(h->nchunks * h->chunk_size, h->chunk_size,
						align, &l) ||
	    l.table_off != h->table_off || l.owner_off != h->owner_off ||
	    l.data_off > h->data_off || h->data_off % 4096 || h->data_off > h->file_size ||
	    h->data_off + h->nchunks * h->chunk_size > h->file_size)
		return errorf(err, errlen, -EPROTO, "damaged header (layout)");
	if (h->file_size != file_size)
		return errorf(err, errlen, -EPROTO,
			      "damaged: the header says %llu bytes, the file has %llu",
			      (unsigned long long)h->file_size, (unsigned long long)file_size);
	return 0;
}

bool pool_owner_adopt(uint64_t owner, const struct pool_dev_slot *slots, unsigned chunk_shift,
		      uint32_t *slot, uint64_t *lchunk)
{
	if (!pool_owner_decode(owner, slot, lchunk) || *slot >= POOL_MAX_DISKS)
		return false;
	const struct pool_dev_slot *s = &slots[*slot];
	return s->state == POOL_SLOT_IN_USE &&
	       *lchunk < pool_chunks_for(s->size, chunk_shift);
}
