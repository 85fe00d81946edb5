/* A pool file a previous daemon left: its disks and free list rebuilt from
 * the device table and the owner map (see pool_int.h on why every state a
 * killed daemon can leave adopts to a valid pool). */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "pool_int.h"

static int adopt_slots(struct pool *pool)
{
	for (uint32_t i = 0; i < POOL_MAX_DISKS; i++) {
		struct pool_dev_slot *s = &pool->slots[i];
		struct pool_disk *disk;

		if (s->state != POOL_SLOT_IN_USE) {
			/* RESERVED: its record was never written; nobody
			 * was told of this disk. */
			s->state = POOL_SLOT_FREE;
			continue;
		}
		int rc = pool_disk_adopt_slot(pool, i, &disk);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			log_err("pool: slot %u holds a disk of %llu bytes, which is not valid: "
				"dropped", i, (unsigned long long)s->size);
			s->state = POOL_SLOT_FREE;
		}
	}
	return 0;
}

static struct pool_disk *disk_in_slot(struct pool *pool, uint32_t slot)
{
	for (struct pool_disk *d = pool->disks; d; d = d->next)
		if (d->slot == slot)
			return d;
	return NULL;
}

/* A chunk nobody owns: back on the free list, holding nothing. */
static void chunk_free(struct pool *pool, uint32_t chunk, uint64_t owner)
{
	if (owner != POOL_OWNER_FREE)
		owner = pool_mem_punch(pool, pool_chunk_addr(pool, chunk), pool->chunk_size)
				? POOL_OWNER_FREE : POOL_OWNER_DIRTY;
	pool->owners[chunk] = owner;
	pool_freelist_push(&pool->freelist, chunk); /* each chunk once: room */
}

/* One pass over the owner map: each chunk into its disk's table, or free.
 * Two chunks claiming one logical chunk cannot come from a sane file; the
 * second is freed. */
static void adopt_chunks(struct pool *pool)
{
	uint64_t kept = 0;

	pool->freelist.count = 0;
	for (uint32_t c = pool->nchunks; c-- > 0;) {
		uint64_t owner = pool->owners[c], lchunk;
		uint32_t slot;
		struct pool_disk *disk;

		if (pool_owner_adopt(owner, pool->slots, pool->shift, &slot, &lchunk) &&
		    (disk = disk_in_slot(pool, slot)) &&
		    !pool_entry_populated(atomic_load(&disk->table[lchunk]))) {
			atomic_store(&disk->table[lchunk], pool_entry_make(c));
			atomic_fetch_add(&disk->used_chunks, 1);
			kept++;
			continue;
		}
		chunk_free(pool, c, owner);
	}
	log_info("pool: adopted %llu disk(s) holding %llu chunk(s)",
		 (unsigned long long)pool->ndisks, (unsigned long long)kept);
}

int pool_adopt(struct pool *pool)
{
	int rc = adopt_slots(pool);

	if (rc)
		return rc;
	adopt_chunks(pool);
	return 0;
}
