/* The pool's lifecycle: create/destroy, disks, chunk take/give, resize,
 * stats. The data path is in pool_io.c; see pool_int.h for the locking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "log.h"
#include "pool_int.h"

static void header_init(struct pool *pool, const struct pool_layout *l)
{
	*pool->hdr = (struct pool_header){
		.version = POOL_VERSION,
		.max_disks = POOL_MAX_DISKS,
		.chunk_size = pool->chunk_size,
		.nchunks = l->nchunks,
		.table_off = l->table_off,
		.owner_off = l->owner_off,
		.data_off = l->data_off,
		.file_size = l->file_size,
	};
	/* A daemon killed before this store leaves a header of zeros, which
	 * the next one takes for a file never used. */
	__atomic_store_n(&pool->hdr->magic, POOL_MAGIC, __ATOMIC_RELEASE);
}

/* An adopted file's geometry wins over the configuration's: its disks are
 * laid out in it. The capacity changes only once no disk is left. */
static void pool_geometry_from_file(struct pool *pool, const struct pool_config *cfg)
{
	uint64_t size = pool->hdr->nchunks * pool->hdr->chunk_size;

	if (size != cfg->size || pool->hdr->chunk_size != pool->chunk_size)
		log_warn("pool: keeping the %llu MiB pool of %llu KiB chunks the previous "
			 "memback left, not %llu MiB of %llu KiB (the disks it holds live in it)",
			 (unsigned long long)(size >> 20),
			 (unsigned long long)(pool->hdr->chunk_size >> 10),
			 (unsigned long long)(cfg->size >> 20),
			 (unsigned long long)(pool->chunk_size >> 10));
	pool->chunk_size = pool->hdr->chunk_size;
	pool->shift = pool_log2(pool->chunk_size);
	pool->nchunks = (uint32_t)pool->hdr->nchunks;
	pool->res.capacity = size;
	pool->res.chunk_shift = pool->shift;
}

int pool_create(const struct pool_config *cfg, struct pool **out)
{
	uint64_t chunk_size = cfg->chunk_size ? cfg->chunk_size : POOL_DEFAULT_CHUNK;
	struct pool_layout layout;
	struct pool *pool;
	int rc;

	if (pool_chunk_size_check(chunk_size)) {
		log_err("pool: chunk size %llu is not a power of two in [4K, 1G]",
			(unsigned long long)chunk_size);
		return -EINVAL;
	}
	rc = pool_layout_compute(cfg->size, chunk_size, 4096, &layout);
	if (rc) {
		log_err("pool: size %llu is not a whole number of %llu-byte chunks%s",
			(unsigned long long)cfg->size, (unsigned long long)chunk_size,
			rc == -E2BIG ? " (or too many chunks)" : "");
		return rc;
	}
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->fd = -1;
	pool->chunk_size = chunk_size;
	pool->shift = pool_log2(chunk_size);
	pool->nchunks = (uint32_t)layout.nchunks;
	pool->res = (struct pool_reservation){ .capacity = cfg->size,
					       .chunk_shift = pool->shift,
					       .overcommit = cfg->overcommit };
	pthread_mutex_init(&pool->lock, NULL);
	rc = pool_mem_open(pool, cfg, chunk_size, &layout);
	if (rc)
		goto out;
	pool->hdr = (struct pool_header *)pool->map;
	pool->slots = (struct pool_dev_slot *)(pool->map + layout.table_off);
	pool->owners = (uint64_t *)(pool->map + layout.owner_off);
	pool->data = pool->map + layout.data_off;
	pool->data_off = layout.data_off;
	if (pool->adopted)
		pool_geometry_from_file(pool, cfg);
	pool->freelist_storage = calloc(pool->nchunks, sizeof(uint32_t));
	if (!pool->freelist_storage) {
		rc = -ENOMEM;
		goto out_mem;
	}
	pool_freelist_init(&pool->freelist, pool->freelist_storage, pool->nchunks);
	if (pool->adopted && (rc = pool_adopt(pool)))
		goto out_mem;
	if (!pool->adopted)
		header_init(pool, &layout); /* the magic last: see pool_header_check */
	log_info("pool: %llu MiB in %u chunks of %llu KiB%s%s%s%s",
		 (unsigned long long)(pool->res.capacity >> 20), pool->nchunks,
		 (unsigned long long)(pool->chunk_size >> 10),
		 pool->hugepages ? ", huge pages" : "",
		 pool->mlocked ? ", locked" : "",
		 cfg->overcommit ? ", overcommit" : "",
		 pool->adopted ? ", adopted" : "");
	*out = pool;
	return 0;
out_mem:
	pool_mem_close(pool);
out:
	free(pool->freelist_storage);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
	return rc;
}

void pool_destroy(struct pool *pool)
{
	if (!pool)
		return;
	while (pool->disks) {
		log_warn("pool: destroying disk in slot %u left attached",
			 pool->disks->slot);
		pool_disk_destroy(pool->disks);
	}
	pool_close(pool);
}

/* In memory only: the file keeps every disk for the next daemon. */
void pool_close(struct pool *pool)
{
	if (!pool)
		return;
	while (pool->disks) {
		struct pool_disk *disk = pool->disks;
		pool->disks = disk->next;
		pool_disk_free(disk);
	}
	pool_mem_close(pool);
	free(pool->freelist_storage);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

bool pool_is_persistent(const struct pool *pool)
{
	return pool->persistent;
}

bool pool_was_adopted(const struct pool *pool)
{
	return pool->adopted;
}

int pool_fd(const struct pool *pool)
{
	return pool->fd;
}

bool pool_uses_hugepages(const struct pool *pool)
{
	return pool->hugepages;
}

bool pool_is_mlocked(const struct pool *pool)
{
	return pool->mlocked;
}

void pool_get_stats(struct pool *pool, struct pool_stats *st)
{
	/* What dom0 really gives the pool: punched-out ranges do not count. */
	uint64_t resident = pool_mem_resident(pool);

	pthread_mutex_lock(&pool->lock);
	*st = (struct pool_stats){
		.size = pool->res.capacity,
		.chunk_size = pool->chunk_size,
		.reserved = pool->res.reserved,
		.used = (uint64_t)(pool->nchunks - pool->freelist.count) << pool->shift,
		.disks = pool->ndisks,
		.alloc_failures = atomic_load(&pool->alloc_failures),
		.resident = resident,
	};
	pthread_mutex_unlock(&pool->lock);
}

int pool_chunks_promise(struct pool_disk *disk, uint64_t n)
{
	struct pool *pool = disk->pool;
	int rc = 0;

	pthread_mutex_lock(&pool->lock);
	if (n > pool->freelist.count - pool->promised)
		rc = -ENOSPC;
	else
		pool->promised += (uint32_t)n;
	pthread_mutex_unlock(&pool->lock);
	if (rc) {
		atomic_fetch_add(&pool->alloc_failures, 1);
		atomic_fetch_add(&disk->alloc_failures, 1);
	}
	return rc;
}

uint32_t pool_chunk_take(struct pool_disk *disk, uint64_t lchunk, bool zero)
{
	struct pool *pool = disk->pool;
	uint32_t chunk;

	pthread_mutex_lock(&pool->lock);
	/* A promise keeps count >= promised, so this pop cannot fail. */
	int rc = pool_freelist_pop(&pool->freelist, &chunk);
	if (rc || pool->promised == 0)
		abort(); /* a take without a promise: internal bug */
	pool->promised--;
	pthread_mutex_unlock(&pool->lock);
	/* The chunk is ours alone now: zero it outside the pool lock, unless
	 * it is a hole (reads as zeros, its pages come as they are touched). */
	if (pool->owners[chunk] == POOL_OWNER_DIRTY) {
		if (!zero)
			goto out; /* the caller fills it, then owns it */
		memset(pool_chunk_addr(pool, chunk), 0, pool->chunk_size);
	}
	pool_chunk_own(disk, chunk, lchunk);
out:
	atomic_fetch_add(&disk->used_chunks, 1);
	return chunk;
}

void pool_chunk_own(struct pool_disk *disk, uint32_t chunk, uint64_t lchunk)
{
	__atomic_store_n(&disk->pool->owners[chunk], pool_owner_encode(disk->slot, lchunk),
			 __ATOMIC_RELEASE);
}

void pool_chunk_give(struct pool_disk *disk, uint32_t chunk)
{
	struct pool *pool = disk->pool;

	/* Unpinned and out of the disk's table: no copy can touch it now. */
	uint64_t owner = pool_mem_punch(pool, pool_chunk_addr(pool, chunk), pool->chunk_size)
				 ? POOL_OWNER_FREE : POOL_OWNER_DIRTY;
	__atomic_store_n(&pool->owners[chunk], owner, __ATOMIC_RELEASE);
	atomic_fetch_sub(&disk->used_chunks, 1);
	pthread_mutex_lock(&pool->lock);
	int rc = pool_freelist_push(&pool->freelist, chunk);
	pthread_mutex_unlock(&pool->lock);
	if (rc)
		log_err("pool: chunk %u freed twice (internal bug)", chunk);
}
