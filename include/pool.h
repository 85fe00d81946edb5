/*
 * The dom0 memory pool: one per daemon, disks carved from it by size.
 *
 * Thin: memory is taken in fixed chunks on first write (their pages as they
 * are touched); unwritten ranges read as zeros; discard and detach give the
 * memory back to the kernel (whole pages; a partial page is zeroed). A
 * chunk reads as zeros before another disk gets it, so no data crosses
 * disks. Attaching a disk reserves its whole size
 * (no disk can starve another) unless the pool was created with overcommit.
 * The pool's memory lives in a file that outlives the daemon (a later one
 * adopts it and every disk in it), or in a memfd that dies with it.
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
	/* The pool's file, kept across restarts (NULL: a memfd). A file a
	 * previous daemon left is adopted: its size and chunk size win over
	 * the fields above, and its disks come back (pool_disk_next). */
	const char *path;
};

struct pool_stats {
	uint64_t size;          /* capacity in bytes */
	uint64_t chunk_size;
	uint64_t reserved;      /* attached disks' sizes, each in whole chunks */
	uint64_t used;          /* bytes in populated chunks */
	uint64_t disks;
	uint64_t alloc_failures; /* writes refused for lack of memory */
	uint64_t resident;      /* memory the pool's file holds now (st_blocks) */
};

struct pool_disk_stats {
	uint64_t size;
	uint64_t used;          /* populated bytes */
	uint64_t alloc_failures;
};

/* cfg->size must be a whole number (>= 1) of chunks (-EINVAL). Without
 * huge pages available it falls back to normal pages with a log line; a
 * failed mlock is an error (the admin asked that the disk never swap).
 * With cfg->path: -EBUSY when another process holds the file, -EPROTO for
 * a file of another format version or a damaged one (logged, and left as
 * it is). */
int pool_create(const struct pool_config *cfg, struct pool **out);
/* Destroys any disks still attached (with a warning). */
void pool_destroy(struct pool *pool);
/* Let go of the pool and leave its file, every disk in it, for the next
 * daemon (no I/O may be in flight). */
void pool_close(struct pool *pool);
/* Whether the pool outlives the process / was adopted from a file. */
bool pool_is_persistent(const struct pool *pool);
bool pool_was_adopted(const struct pool *pool);
void pool_get_stats(struct pool *pool, struct pool_stats *st);
/* The memfd holding all pool memory and its device table (close-on-exec),
 * for handing to a restarted daemon. */
int pool_fd(const struct pool *pool);
/* Whether huge pages back the pool (asked for and available). */
bool pool_uses_hugepages(const struct pool *pool);
/* Whether the pool is locked in RAM (asked for and granted). */
bool pool_is_mlocked(const struct pool *pool);

/* Carve a disk of `size` bytes (a multiple of 512, > 0; else -EINVAL).
 * -ENOSPC when it does not fit and the pool does not overcommit; -EMFILE
 * when all 1024 device slots are taken; -EFBIG when the disk would need
 * 2^32 chunks or more. */
int pool_disk_create(struct pool *pool, uint64_t size, struct pool_disk **out);
/* A new disk stays invisible to a restarted daemon (which frees it) until
 * its owner has written its record and publishes it. */
void pool_disk_publish(struct pool_disk *disk);
/* POOL_DISK_RECORD_BYTES of the disk's slot in the pool's file, for its
 * owner's own bookkeeping (zero for a new disk); it outlives the process. */
#define POOL_DISK_RECORD_BYTES (4096u - 24u)
void *pool_disk_record(struct pool_disk *disk);
/* The disk's device-table slot, 0..1023: stable across a restart. */
uint32_t pool_disk_slot(const struct pool_disk *disk);
/* Every disk of the pool: NULL first, then the one before; NULL at the end.
 * Only while no disk is created or destroyed. */
struct pool_disk *pool_disk_next(struct pool *pool, struct pool_disk *prev);
/* Give every chunk back (zeroed before reuse) and the reservation. No I/O
 * on the disk may be in flight. */
void pool_disk_destroy(struct pool_disk *disk);
uint64_t pool_disk_size(const struct pool_disk *disk);
void pool_disk_get_stats(struct pool_disk *disk, struct pool_disk_stats *st);
/* Change the disk's size (same rules and errors as create); shrinking drops
 * the chunks past the end, and a later grow reads zeros there. The caller
 * stops I/O on the disk around the call (the vbd pauses its queues). */
int pool_disk_resize(struct pool_disk *disk, uint64_t size);

/* Byte-granular access; off + len must lie within the disk (-EINVAL).
 * pool_write returns -ENOSPC when a chunk cannot be had (overcommit only);
 * then nothing of that write has landed and no chunk was taken.
 * Concurrency, as on a real disk: requests on disjoint ranges never affect
 * each other; overlapping ones in flight at once are not atomic, not even
 * per sector: each byte ends up holding what one of them wrote (or zero
 * for a discard), and a read racing a write may see any mix of old and new
 * bytes. Never bytes from another offset or another disk. */
int pool_read(struct pool_disk *disk, uint64_t off, void *buf, size_t len);
int pool_write(struct pool_disk *disk, uint64_t off, const void *buf, size_t len);
/* Whole chunks inside the range go back to the pool; in partial ones the
 * whole pages go back to the kernel and the rest is zeroed.
 * A chunk another thread is copying through right now is zeroed instead of
 * given back, so no in-flight copy can land in another disk's memory. */
int pool_discard(struct pool_disk *disk, uint64_t off, uint64_t len);
/* The same, and the freed chunks are zeroed now, not at their next use
 * (BLKIF_DISCARD_SECURE: nothing of the data stays in dom0 memory). */
int pool_discard_secure(struct pool_disk *disk, uint64_t off, uint64_t len);
/* Memory needs no flushing; kept so callers order flushes explicitly. */
int pool_flush(struct pool_disk *disk);

/* Direct access for zero-copy paths: the longest run starting at `off`, at
 * most `len` bytes, that is contiguous in memory. For reading, *ptr is NULL
 * when the run is unpopulated (reads as zeros); for writing, the chunk is
 * populated first. Returns the run's length (> 0) or a negative errno.
 * A non-NULL *ptr pins the chunk (it cannot go to another disk): call
 * pool_ptr_done(disk, off) with the same off once done with the pointer. */
long pool_ptr(struct pool_disk *disk, uint64_t off, size_t len, bool for_write,
	      void **ptr);
void pool_ptr_done(struct pool_disk *disk, uint64_t off);

/* Fill the disk from an image file (no larger than the disk: -EFBIG; past
 * its end the disk reads zeros) / write it back (whole disk, sparse, via a
 * temporary file renamed over `path`). No other I/O on the disk meanwhile. */
int pool_disk_load(struct pool_disk *disk, const char *path);
int pool_disk_save(struct pool_disk *disk, const char *path);
/* The same from an open image (the locked one: no second open). */
int pool_disk_load_fd(struct pool_disk *disk, int fd, const char *path);
/* pool_disk_save, keeping the new file open in *fd_out with an exclusive
 * OFD lock taken before it was renamed into place (see image_lock.h). */
int pool_disk_save_locked(struct pool_disk *disk, const char *path, int *fd_out);

#endif
