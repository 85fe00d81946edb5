/*
 * Loading a disk from its image and saving it run on a thread of their
 * own, never on the main loop: a large image must not stall every other
 * device (nor pass libxl's 10 s wait for InitWait or for Closed). The main
 * loop hears of the end through an eventfd and then collects the job.
 */
#ifndef MEMBACK_IMAGE_JOB_H
#define MEMBACK_IMAGE_JOB_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct pool_disk;

enum image_op { IMAGE_LOAD, IMAGE_SAVE };

struct image_job {
	enum image_op op;
	struct pool_disk *disk;
	int fd;                 /* load: the open (locked) image */
	char *path;             /* load: for messages; save: where to (owned) */
	int wake_fd;            /* eventfd the thread writes when done */
	/* Results, valid once done. */
	int rc;
	int saved_fd;           /* save: the new file, open and locked; -1 */
	/* Main thread only. */
	bool running;           /* started and not yet collected */
	pthread_t thread;
	atomic_bool done;
};

/* Start op on its thread. 0 or a negative errno (nothing started). */
int image_job_start(struct image_job *j, enum image_op op, struct pool_disk *disk, int fd,
		    const char *path, int wake_fd);
/* If the job has ended, join it and return true (results are valid). */
bool image_job_collect(struct image_job *j);
/* Wait for the job to end and join it (daemon shutdown). */
void image_job_wait(struct image_job *j);
/* Free what the last job kept (its path), once its results are used. */
void image_job_free(struct image_job *j);

#endif
