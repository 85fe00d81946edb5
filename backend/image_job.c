/* Image load/save threads (see image_job.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_job.h"
#include "log.h"
#include "pool.h"

static void *job_main(void *arg)
{
	struct image_job *j = arg;
	uint64_t one = 1;

	if (j->op == IMAGE_LOAD)
		j->rc = pool_disk_load_fd(j->disk, j->fd, j->path);
	else
		j->rc = pool_disk_save_locked(j->disk, j->path, &j->saved_fd);
	atomic_store(&j->done, true);
	if (write(j->wake_fd, &one, sizeof(one)) < 0)
		log_err("image job: cannot wake the main loop: %s", strerror(errno));
	return NULL;
}

int image_job_start(struct image_job *j, enum image_op op, struct pool_disk *disk, int fd,
		    const char *path, int wake_fd)
{
	int rc;

	if (j->running)
		return -EBUSY;
	/* Its own copy, only while a job exists: a device holds no PATH_MAX
	 * buffer for a job it may never run. */
	free(j->path);
	j->path = strdup(path);
	if (!j->path)
		return -ENOMEM;
	j->op = op;
	j->disk = disk;
	j->fd = fd;
	j->wake_fd = wake_fd;
	j->rc = 0;
	j->saved_fd = -1;
	atomic_store(&j->done, false);
	rc = pthread_create(&j->thread, NULL, job_main, j);
	if (rc) {
		free(j->path);
		j->path = NULL;
		return -rc;
	}
	j->running = true;
	return 0;
}

bool image_job_collect(struct image_job *j)
{
	if (!j->running || !atomic_load(&j->done))
		return false;
	pthread_join(j->thread, NULL);
	j->running = false;
	return true;
}

void image_job_wait(struct image_job *j)
{
	if (!j->running)
		return;
	pthread_join(j->thread, NULL);
	j->running = false;
}

void image_job_free(struct image_job *j)
{
	free(j->path);
	j->path = NULL;
}
