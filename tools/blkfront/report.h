/* The blkfront CLI's results, as text or as one JSON object. */
#ifndef BLKFRONT_REPORT_H
#define BLKFRONT_REPORT_H

#include <stdio.h>

#include "args.h"
#include "blkfront.h"
#include "load.h"

/* Everything the run did: its phases and their sum. */
struct report {
	const struct bf_args *args;
	const struct blkfront_info *info;
	struct load_result phases[3];
	unsigned nr_phases;
	struct load_result total;
};

/* Sum the phases into total. */
void report_total(struct report *rep);
void report_text(FILE *out, const struct report *rep);
void report_json(FILE *out, const struct report *rep);

#endif
