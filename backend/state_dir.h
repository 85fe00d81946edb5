/*
 * The state directory (--state-dir, default /dev/shm/memback): what a
 * restarted memback needs, in files that outlive the process (DESIGN.md
 * §7). `pool` is the pool's memory, chunk map and device table (the pool
 * adopts it); `inflight` holds each queue's in-flight table, one
 * RING_INFLIGHT_BYTES area per (device slot, queue). Both are sparse:
 * only what is used takes memory. tmpfs, because /run is small and
 * systemd removes RuntimeDirectory= when the unit stops.
 */
#ifndef MEMBACK_STATE_DIR_H
#define MEMBACK_STATE_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct state_dir {
	char pool_path[4096];
	char inflight_path[4096];
	int inflight_fd;
	uint8_t *inflight;           /* NULL when there is no state directory */
	size_t inflight_len;
};

/* Make the directory (0700, ours) and name its files; 0 or -errno (logged). */
int state_dir_open(struct state_dir *s, const char *dir);
/* Map the in-flight file (once the pool's file is locked: it guards both). */
int state_dir_map_inflight(struct state_dir *s);
/* Queue q's in-flight table for the disk in pool slot `slot`; NULL without. */
void *state_dir_inflight(const struct state_dir *s, uint32_t slot, unsigned q);
/* The slot's tables are no longer needed: their memory goes back. */
void state_dir_forget_slot(const struct state_dir *s, uint32_t slot);
/* A tmpfs smaller than the pool fails a write with SIGBUS once it is full:
 * say so at start (pool_bytes: the pool's capacity; used: what it holds). */
void state_dir_check_room(const struct state_dir *s, uint64_t pool_bytes, uint64_t used);
/* Unmap; `remove`: delete both files (nothing is left to take up). */
void state_dir_close(struct state_dir *s, bool remove);

#endif
