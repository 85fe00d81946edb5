/*
 * A disk's image files are locked from attach to the end of their save, so
 * that no second device (xl migrate to the same host, xl restore while the
 * old domain's save runs, a typo in a config) loads or saves them meanwhile.
 * Open-file-description locks (F_OFD_SETLK): they conflict between two
 * devices of this same daemon too, and go with the open file, not the
 * process. A save writes a new file and renames it over the old one; the
 * new file is locked before the rename, so the lock moves with the name.
 */
#ifndef MEMBACK_IMAGE_LOCK_H
#define MEMBACK_IMAGE_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct image_lock {
	int fd;                /* -1: none */
	bool write;
	bool created;          /* the file did not exist: it was made empty */
	dev_t dev;
	ino_t ino;
};

#define IMAGE_LOCK_NONE ((struct image_lock){ .fd = -1 })

/* Open path and lock it: shared (read-only use) or exclusive (it will be
 * saved to). create: make an empty file (mode 0600) when there is none.
 * 0; -EBUSY when another device holds it, with the reason in err; another
 * negative errno (and err) when it cannot be opened. */
int image_lock_take(const char *path, bool write, bool create, struct image_lock *out,
		    char *err, size_t errlen);
/* Lock fd (a freshly written file about to be renamed over a locked one)
 * exclusively; 0 or a negative errno. */
int image_lock_fd(int fd);
/* The lock now lives on fd (the renamed new file); the old one goes. */
void image_lock_replace(struct image_lock *l, int fd);
void image_lock_release(struct image_lock *l);
/* Same file as the open fd? */
bool image_lock_is(const struct image_lock *l, int fd);

#endif
