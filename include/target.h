/*
 * The target string: what the toolstack's `target=` puts in the backend's
 * `params` node, e.g. "size=4G" or "size=1G,image=/var/lib/memback/d.img".
 * Parsed by one pure function.
 *
 * Grammar: comma-separated key=value items, keys in any order:
 *   size=N         required; bytes, or with a K/M/G/T suffix (powers of
 *                  1024; "KiB" etc. also accepted), > 0, a multiple of 512
 *                  and of sector-size
 *   image=/path    absolute; the disk is loaded from it at attach
 *   save=/path     absolute; the disk is saved to it at detach
 *   sector-size=N  512 (default) or 4096
 *   iops=N         QoS: at most N requests per second (1..10^9)
 *   bps=B          QoS: at most B bytes per second, suffixes as size= (> 0)
 *   iops-burst=N   requests a disk may run ahead of iops= (default iops/10)
 *   bps-burst=B    bytes it may run ahead of bps= (default bps/10); each
 *                  burst needs its limit
 * Spaces and tabs around items, keys, '=' and values are ignored, so
 * "size = 4G, image=/a b.img" works; inside a path they are kept. Keys and
 * size suffixes are case-insensitive ("Size=4g"); paths are taken as
 * written. A path cannot contain ',' (the separator) or control characters.
 * Anything else is an error: empty string or item (",," or a trailing
 * comma), an item without '=', an unknown or repeated key, an empty value,
 * a bad or overflowing number, a relative path.
 */
#ifndef MEMBACK_TARGET_H
#define MEMBACK_TARGET_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"   /* parse_size, errorf */

struct target {
	uint64_t size;           /* bytes, a multiple of 512, > 0 */
	char image[PATH_MAX];    /* "" when none: load at attach */
	char save[PATH_MAX];     /* "" when none: save at detach */
	unsigned sector_size;    /* 512 (default) or 4096 */
	uint64_t iops, bps;      /* QoS limits per second; 0: none */
	uint64_t iops_burst, bps_burst; /* 0: the default (a tenth of the limit) */
};

/* 0 on success, *out filled; -EINVAL with a one-line reason in err (no
 * trailing newline) naming the offending key or value, *out untouched.
 * Input quoted in the reason shows control bytes as '?' and is cut to 48
 * bytes plus "...", so junk cannot split or flood a log line.
 * err may be NULL / errlen 0. */
int target_parse(const char *s, struct target *out, char *err, size_t errlen);

#endif
