#ifndef MEMBACK_IMAGE_PATH_H
#define MEMBACK_IMAGE_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* 0 when image and save ("" for none) both lie under dir (NULL or "":
 * anywhere), else -EPERM with the reason in err. */
int image_paths_allowed(const char *image, const char *save, const char *dir, char *err,
			size_t errlen);

#endif
