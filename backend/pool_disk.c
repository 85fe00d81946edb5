/* Disks carved from the pool: create, destroy, resize, stats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pool_int.h"

/* 0 when a disk of `size` bytes is acceptable for this pool. */
static int disk_size_check(const struct pool *pool, uint64_t size)
{
	if (size == 0 || size % 512)
		return -EINVAL;
	if (pool_chunks_for(size, pool->shift) > POOL_MAX_CHUNKS)
		return -EFBIG;
	return 0;
}

/* A free device-table slot, marked in use; pool->lock held. */
static int slot_claim(struct pool *pool, uint64_t size, uint32_t *slot)
{
	for (uint32_t i = 0; i < POOL_MAX_DISKS; i++) {
		struct pool_dev_slot *s = &pool->slots[i];
		if (s->state != POOL_SLOT_FREE)
			continue;
		s->size = size;
		s->generation++;
		memset(s->record, 0, sizeof(s->record));
		__atomic_store_n(&s->state, POOL_SLOT_RESERVED, __ATOMIC_RELEASE);
		*slot = i;
		return 0;
	}
	return -EMFILE;
}

static int disk_register(struct pool_disk *disk, uint64_t size)
{
	struct pool *pool = disk->pool;
	int rc;

	pthread_mutex_lock(&pool->lock);
	rc = pool_reserve(&pool->res, size);
	if (rc)
		goto out;
	rc = slot_claim(pool, size, &disk->slot);
	if (rc) {
		pool_unreserve(&pool->res, size);
		goto out;
	}
	disk->next = pool->disks;
	pool->disks = disk;
	pool->ndisks++;
out:
	pthread_mutex_unlock(&pool->lock);
	return rc;
}

/* The slot is no disk's from here on: a restart frees what it owns. */
static void slot_release(struct pool *pool, uint32_t slot)
{
	__atomic_store_n(&pool->slots[slot].state, POOL_SLOT_FREE, __ATOMIC_RELEASE);
}

/* Undo disk_register: the slot, the reservation, the list entry. */
static void disk_unregister(struct pool_disk *disk)
{
	struct pool *pool = disk->pool;

	pthread_mutex_lock(&pool->lock);
	for (struct pool_disk **p = &pool->disks; *p; p = &(*p)->next) {
		if (*p == disk) {
			*p = disk->next;
			break;
		}
	}
	pool->ndisks--;
	pool_unreserve(&pool->res, atomic_load(&disk->size));
	slot_release(pool, disk->slot);
	pool->slots[disk->slot].size = 0;
	pthread_mutex_unlock(&pool->lock);
}

/* A disk of `size` bytes, in no slot and no list yet. */
static int disk_alloc(struct pool *pool, uint64_t size, struct pool_disk **out)
{
	struct pool_disk *disk;
	int rc = disk_size_check(pool, size);

	if (rc)
		return rc;
	disk = calloc(1, sizeof(*disk));
	if (!disk)
		return -ENOMEM;
	disk->pool = pool;
	atomic_init(&disk->size, size);
	pthread_mutex_init(&disk->lock, NULL);
	*out = disk;
	return 0;
}

void pool_disk_free(struct pool_disk *disk)
{
	pthread_mutex_destroy(&disk->lock);
	free(disk->table);
	free(disk);
}

int pool_disk_create(struct pool *pool, uint64_t size, struct pool_disk **out)
{
	struct pool_disk *disk;
	int rc = disk_alloc(pool, size, &disk);

	if (rc)
		return rc;
	/* Reserve before allocating the table: a disk far too big for the
	 * pool is -ENOSPC, not a multi-gigabyte calloc that fails. */
	rc = disk_register(disk, size);
	if (rc)
		goto out;
	disk->nentries = pool_chunks_for(size, pool->shift);
	disk->table = calloc(disk->nentries, sizeof(*disk->table));
	if (!disk->table) {
		disk_unregister(disk);
		rc = -ENOMEM;
		goto out;
	}
	*out = disk;
	return 0;
out:
	pool_disk_free(disk);
	return rc;
}

/* Give back every chunk at logical index >= from (no I/O in flight). */
static void disk_free_from(struct pool_disk *disk, uint64_t from)
{
	for (uint64_t i = from; i < disk->nentries; i++) {
		uint64_t e = atomic_exchange(&disk->table[i], 0);
		if (pool_entry_populated(e))
			pool_chunk_give(disk, pool_entry_chunk(e));
	}
}

void pool_disk_destroy(struct pool_disk *disk)
{
	if (!disk)
		return;
	slot_release(disk->pool, disk->slot); /* before its chunks: see pool_int.h */
	disk_free_from(disk, 0);
	disk_unregister(disk);
	pool_disk_free(disk);
}

uint64_t pool_disk_size(const struct pool_disk *disk)
{
	return atomic_load(&disk->size);
}

void pool_disk_get_stats(struct pool_disk *disk, struct pool_disk_stats *st)
{
	*st = (struct pool_disk_stats){
		.size = atomic_load(&disk->size),
		.used = atomic_load(&disk->used_chunks) << disk->pool->shift,
		.alloc_failures = atomic_load(&disk->alloc_failures),
	};
}

/* Zero [size, end of its chunk) so a later grow reads zeros there. */
static void zero_tail_of_last_chunk(struct pool_disk *disk, uint64_t size)
{
	struct pool *pool = disk->pool;
	uint64_t in = size & (pool->chunk_size - 1);

	if (in == 0)
		return;
	uint64_t e = atomic_load(&disk->table[size >> pool->shift]);
	if (pool_entry_populated(e))
		memset(pool_chunk_addr(pool, pool_entry_chunk(e)) + in, 0,
		       pool->chunk_size - in);
}

/* Make the table hold n entries; only grows. */
static int table_grow(struct pool_disk *disk, uint64_t n)
{
	if (n <= disk->nentries)
		return 0;
	_Atomic uint64_t *t = calloc(n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (uint64_t i = 0; i < disk->nentries; i++)
		atomic_init(&t[i], atomic_load(&disk->table[i]));
	free(disk->table);
	disk->table = t;
	disk->nentries = n;
	return 0;
}

int pool_disk_resize(struct pool_disk *disk, uint64_t size)
{
	struct pool *pool = disk->pool;
	uint64_t old = atomic_load(&disk->size);
	int rc = disk_size_check(pool, size);

	if (rc)
		return rc;
	pthread_mutex_lock(&disk->lock);
	pthread_mutex_lock(&pool->lock);
	rc = pool_rereserve(&pool->res, old, size);
	pthread_mutex_unlock(&pool->lock);
	if (rc)
		goto out;
	rc = table_grow(disk, pool_chunks_for(size, pool->shift));
	if (rc) {
		pthread_mutex_lock(&pool->lock);
		pool_rereserve(&pool->res, size, old);
		pthread_mutex_unlock(&pool->lock);
		goto out;
	}
	/* The slot's size first when shrinking, last when growing: a restart
	 * in between drops the chunks past the slot's size either way. */
	if (size < old) {
		__atomic_store_n(&pool->slots[disk->slot].size, size, __ATOMIC_RELEASE);
		disk_free_from(disk, pool_chunks_for(size, pool->shift));
		zero_tail_of_last_chunk(disk, size);
	}
	atomic_store(&disk->size, size);
	__atomic_store_n(&pool->slots[disk->slot].size, size, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&disk->lock);
	return rc;
}

void pool_disk_publish(struct pool_disk *disk)
{
	__atomic_store_n(&disk->pool->slots[disk->slot].state, POOL_SLOT_IN_USE,
			 __ATOMIC_RELEASE);
}

void *pool_disk_record(struct pool_disk *disk)
{
	return disk->pool->slots[disk->slot].record;
}

uint32_t pool_disk_slot(const struct pool_disk *disk)
{
	return disk->slot;
}

struct pool_disk *pool_disk_next(struct pool *pool, struct pool_disk *prev)
{
	return prev ? prev->next : pool->disks;
}

/* A disk for an IN_USE slot of an adopted file: what the slot says, no
 * chunk yet (pool_adopt puts them in). */
int pool_disk_adopt_slot(struct pool *pool, uint32_t slot, struct pool_disk **out)
{
	uint64_t size = pool->slots[slot].size;
	struct pool_disk *disk;
	int rc = disk_alloc(pool, size, &disk);

	if (rc)
		return rc;
	disk->slot = slot;
	disk->nentries = pool_chunks_for(size, pool->shift);
	disk->table = calloc(disk->nentries, sizeof(*disk->table));
	if (!disk->table) {
		pool_disk_free(disk);
		return -ENOMEM;
	}
	/* Its memory is already there: a reservation past the capacity (a
	 * pool adopted with overcommit off) is kept, not refused. */
	pool->res.reserved += pool_reservation_of(&pool->res, size);
	disk->next = pool->disks;
	pool->disks = disk;
	pool->ndisks++;
	*out = disk;
	return 0;
}
