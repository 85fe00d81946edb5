/*
 * The target string: what the toolstack's `target=` puts in the backend's
 * `params` node, e.g. "size=4G" or "size=1G,image=/var/lib/memback/d.img".
 * Parsed by one pure function.
 */
#ifndef MEMBACK_TARGET_H
#define MEMBACK_TARGET_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct target {
	uint64_t size;           /* bytes, a multiple of 512, > 0 */
	char image[PATH_MAX];    /* "" when none: load at attach */
	char save[PATH_MAX];     /* "" when none: save at detach */
	unsigned sector_size;    /* 512 (default) or 4096 */
};

/* 0 on success; -EINVAL with a one-line reason in err (no trailing newline)
 * naming the offending key or value. */
int target_parse(const char *s, struct target *out, char *err, size_t errlen);

/* Parse a size with an optional K/M/G/T suffix (powers of 1024) or a plain
 * byte count, e.g. "4G", "512M", "1048576". -EINVAL / -ERANGE. */
int parse_size(const char *s, uint64_t *out);

#endif
