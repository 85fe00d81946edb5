/*
 * The blkfront CLI's command line. Pure: parsing fills struct bf_args or
 * returns -EINVAL with a one-line message naming the problem.
 */
#ifndef BLKFRONT_ARGS_H
#define BLKFRONT_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bf_pattern { BF_PATTERN_SEQ = 0, BF_PATTERN_RAND };

struct bf_args {
	unsigned devid;
	int ring_order;        /* -1: single page (order 0) */
	unsigned queues;       /* >= 1 */
	enum bf_pattern pattern;
	unsigned read_pct;     /* 100: read, 0: write, else mixed */
	uint32_t bs;           /* bytes, multiple of 512, <= BF_MAX_BS; more
				* than 44K needs the backend's indirect */
	unsigned qd;           /* requests in flight, >= 1 */
	uint64_t count;        /* requests; 0 with time_s > 0: run for time */
	double time_s;
	bool verify;
	bool fill_verify;
	bool assume_zero;      /* never-written blocks must read as zeros */
	uint64_t seed;
	bool json;
	uint64_t offset;       /* bytes into the disk */
	uint64_t size;         /* bytes; 0: to the end of the disk */
	double timeout_s;      /* each wait for the backend */
	unsigned poll_us;      /* spin this long before sleeping on the evtchn */
	const char *protocol;  /* NULL: native */
	bool help;
};

/* 256 pages: BLKFRONT_MAX_SEGMENTS through indirect; 11 pages without. */
#define BF_MAX_BS        (256u * 4096u)
#define BF_MAX_DIRECT_BS (11u * 4096u)

/* Fill defaults. */
void bf_args_defaults(struct bf_args *a);
/* Parse argv; on error writes a one-line message (no newline) to err. */
int bf_args_parse(int argc, char *const argv[], struct bf_args *a,
		  char *err, size_t errlen);
/* "4096", "4k", "1M", "2G", "512B", "1MiB" (powers of 1024). */
int bf_parse_size(const char *s, uint64_t *out);
/* A number ("51712") or a Linux vdev name ("xvdb", "xvda1", "hda",
 * "sdb2"), encoded as the Xen VBD interface document says. */
int bf_parse_vdev(const char *s, unsigned *devid);
/* The usage text. */
const char *bf_usage(void);

#endif
