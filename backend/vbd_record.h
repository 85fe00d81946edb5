/*
 * What a device keeps in its pool slot (pool_disk_record) so that a
 * restarted memback can take it up again: which xenstore device it is,
 * what its disk was made from, what was advertised and negotiated.
 * Written before the slot is published; afterwards only the 32-bit fields
 * change, each with one atomic store, so a kill at any instant leaves a
 * record a restart can read.
 */
#ifndef MEMBACK_VBD_RECORD_H
#define MEMBACK_VBD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBD_RECORD_MAGIC 0x31524256u /* "VBR1" */

/* flags */
#define VBD_REC_LOADED    1u /* image= is in the disk (or there is none) */
#define VBD_REC_CONNECTED 2u /* queues ran: the disk may differ from save= */
#define VBD_REC_SYNCED    4u /* save= holds the disk (no connection since) */
#define VBD_REC_QOS       8u /* qos[] holds limits memback-ctl qos set */

struct vbd_record {
	uint32_t magic;
	uint32_t flags;
	uint32_t grant_mode;            /* the connection's (enum grant_mode) */
	uint32_t max_ring_order;        /* as advertised */
	uint32_t max_queues;
	uint32_t max_indirect_segments;
	uint32_t nr_queues;             /* negotiated */
	uint32_t ring_order;
	char be_path[128];
	char params[1024];              /* the target string the disk was made of */
	/* iops, bps, iops-burst, bps-burst as memback-ctl qos last set them
	 * (VBD_REC_QOS): a restart keeps them over the target string's. */
	uint64_t qos[4];
};

/* Pure. A fresh record for a device; -ENAMETOOLONG if a string does not fit. */
int vbd_record_init(struct vbd_record *r, const char *be_path, const char *params);
/* 0 when r is a record this daemon wrote (magic, strings terminated). */
int vbd_record_check(const struct vbd_record *r);
void vbd_record_set_flag(struct vbd_record *r, uint32_t flag, bool on);
bool vbd_record_has(const struct vbd_record *r, uint32_t flag);
void vbd_record_set(uint32_t *field, uint32_t value);

#endif
