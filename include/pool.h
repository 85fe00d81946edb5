/*
 * The dom0 memory pool: one per daemon, disks carved from it by size.
 *
 * Thin: memory is taken in fixed chunks on first write; unwritten ranges read
 * as zeros; discard gives chunks back. A chunk is zeroed before another disk
 * gets it, so no data crosses disks. Attaching a disk reserves its whole size
 * (no disk can starve another) unless the pool was created with overcommit.
 * The pool's memory lives in a memfd so a later daemon can inherit it.
 *
 * The pool knows nothing about Xen. All functions return 0 or a negative errno.
 * Thread safety: any number of threads may read/write/discard one disk or
 * different disks at once; reads and writes of already-populated chunks take
 * no lock shared between disks.
 */
#ifndef MEMBACK_POOL_H
#define MEMBACK_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;
struct pool_disk;

struct pool_config {
	uint64_t size;       /* bytes of memory the pool may hold */
	uint64_t chunk_size; /* 0: default (1 MiB); a power of two, >= 4096 */
	bool overcommit;     /* disks may reserve more than is free */
	bool hugepages;      /* back the pool with huge pages where possible */
	bool mlock;          /* lock the pool in RAM */
};

struct pool_stats {
	uint64_t size;          /* capacity in bytes */
	uint64_t chunk_size;
	uint64_t reserved;      /* sum of the sizes of attached disks */
	uint64_t used;          /* bytes in populated chunks */
	uint64_t disks;
	uint64_t alloc_failures; /* writes refused for lack of memory */
};

struct pool_disk_stats {
	uint64_t size;
	uint64_t used;          /* populated bytes */
	uint64_t alloc_failures;
};

int pool_create(const struct pool_config *cfg, struct pool **out);
void pool_destroy(struct pool *pool);
void pool_get_stats(struct pool *pool, struct pool_stats *st);

/* Carve a disk of `size` bytes (a multiple of 512). -ENOSPC when it does
 * not fit and the pool does not overcommit. */
int pool_disk_create(struct pool *pool, uint64_t size, struct pool_disk **out);
/* Give every chunk back (zeroed before reuse) and the reservation. */
void pool_disk_destroy(struct pool_disk *disk);
uint64_t pool_disk_size(const struct pool_disk *disk);
void pool_disk_get_stats(struct pool_disk *disk, struct pool_disk_stats *st);
/* Change the disk's size; shrinking drops the chunks past the end. */
int pool_disk_resize(struct pool_disk *disk, uint64_t size);

/* Byte-granular access; off + len must lie within the disk (-EINVAL).
 * pool_write returns -ENOSPC when a chunk cannot be had (overcommit only);
 * then nothing of that write is guaranteed to have landed. */
int pool_read(struct pool_disk *disk, uint64_t off, void *buf, size_t len);
int pool_write(struct pool_disk *disk, uint64_t off, const void *buf, size_t len);
/* Whole chunks inside the range go back to the pool; partial ones are zeroed. */
int pool_discard(struct pool_disk *disk, uint64_t off, uint64_t len);
/* Memory needs no flushing; kept so callers order flushes explicitly. */
int pool_flush(struct pool_disk *disk);

/* Direct access for zero-copy paths: the longest run starting at `off`, at
 * most `len` bytes, that is contiguous in memory. For reading, *ptr is NULL
 * when the run is unpopulated (reads as zeros); for writing, the chunk is
 * populated first. Returns the run's length (> 0) or a negative errno. */
long pool_ptr(struct pool_disk *disk, uint64_t off, size_t len, bool for_write,
	      void **ptr);

/* Fill the disk from an image file / write it back (whole disk). */
int pool_disk_load(struct pool_disk *disk, const char *path);
int pool_disk_save(struct pool_disk *disk, const char *path);

#endif
