/*
 * The blkif ring as each guest ABI lays it out. Native uses blkif.h as is;
 * x86_32 and x86_64 are spelled out here because a 32-bit guest on a 64-bit
 * dom0 (or the reverse) packs the 64-bit fields differently, so the slots
 * have different sizes and DEFINE_RING_TYPES gives each its own ring type.
 *
 * Include this before any other Xen header: ring.h needs the barriers below,
 * and only takes them as xen_mb() & co. from interface version 0x00030208.
 */
#ifndef MEMBACK_RING_BLKIF_ABI_H
#define MEMBACK_RING_BLKIF_ABI_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#if __XEN_INTERFACE_VERSION__ < 0x00030208
#error "include ring/blkif_abi.h before other Xen headers"
#endif

#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xen/io/blkif.h>

#include "ring_queue.h"

/* Keeps the compiler from re-reading shared memory in place of a copy. */
#define compiler_barrier() __asm__ __volatile__("" ::: "memory")

#define XEN_PAGE_BYTES 4096u
#define SECTOR_SHIFT 9
#define SECTORS_PER_PAGE (XEN_PAGE_BYTES >> SECTOR_SHIFT)
/* Segment descriptors in one indirect page (the same 8 bytes in every ABI). */
#define SEGS_PER_INDIRECT_PAGE (XEN_PAGE_BYTES / sizeof(struct blkif_request_segment))
#define MAX_INDIRECT_SEGMENTS \
	(SEGS_PER_INDIRECT_PAGE * BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)

/* --- x86_32: 64-bit fields only 4-byte aligned. --- */
struct blkif_x86_32_request_rw {
	uint8_t operation;
	uint8_t nr_segments;
	uint16_t handle;
	uint64_t id;
	uint64_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} __attribute__((packed, aligned(4)));

struct blkif_x86_32_request_discard {
	uint8_t operation;
	uint8_t flag;
	uint16_t handle;
	uint64_t id;
	uint64_t sector_number;
	uint64_t nr_sectors;
} __attribute__((packed, aligned(4)));

struct blkif_x86_32_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	uint64_t id;
	uint64_t sector_number;
	uint16_t handle;
	uint16_t pad1;
	uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint64_t pad2; /* i386 pads the indirect request to 64 bytes */
} __attribute__((packed, aligned(4)));

union blkif_x86_32_request {
	uint8_t operation;
	struct blkif_x86_32_request_rw rw;
	struct blkif_x86_32_request_discard discard;
	struct blkif_x86_32_request_indirect indirect;
};

struct blkif_x86_32_response {
	uint64_t id;
	uint8_t operation;
	uint8_t pad;
	int16_t status;
} __attribute__((packed, aligned(4)));

/* --- x86_64: natural alignment, padding made explicit. --- */
struct blkif_x86_64_request_rw {
	uint8_t operation;
	uint8_t nr_segments;
	uint16_t handle;
	uint32_t pad;
	uint64_t id;
	uint64_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

struct blkif_x86_64_request_discard {
	uint8_t operation;
	uint8_t flag;
	uint16_t handle;
	uint32_t pad;
	uint64_t id;
	uint64_t sector_number;
	uint64_t nr_sectors;
};

struct blkif_x86_64_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	uint32_t pad1;
	uint64_t id;
	uint64_t sector_number;
	uint16_t handle;
	uint16_t pad2;
	uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint32_t pad3;
};

union blkif_x86_64_request {
	uint8_t operation;
	struct blkif_x86_64_request_rw rw;
	struct blkif_x86_64_request_discard discard;
	struct blkif_x86_64_request_indirect indirect;
};

struct blkif_x86_64_response {
	uint64_t id;
	uint8_t operation;
	uint8_t pad;
	int16_t status;
	uint32_t pad2;
};

DEFINE_RING_TYPES(blkif_x86_32, union blkif_x86_32_request,
		  struct blkif_x86_32_response);
DEFINE_RING_TYPES(blkif_x86_64, union blkif_x86_64_request,
		  struct blkif_x86_64_response);

/* The back half of the ring, typed by the ABI the frontend chose. */
struct blkif_back {
	enum blkif_abi abi;
	union {
		blkif_back_ring_t native;
		blkif_x86_32_back_ring_t x86_32;
		blkif_x86_64_back_ring_t x86_64;
	} r;
};

/*
 * A request as the rest of ring/ sees it: a private, ABI-neutral copy.
 * Segments of an indirect request are not here yet: they sit in guest pages
 * named by indirect_grefs and are copied out separately.
 */
struct blkif_req {
	uint64_t id;
	uint8_t operation;      /* as on the ring */
	uint8_t op;             /* what to do: indirect_op for INDIRECT */
	uint8_t discard_flag;
	uint16_t handle;
	uint16_t nr_segments;
	uint64_t sector_number;
	uint64_t nr_sectors;    /* DISCARD only */
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

/* Set up the back ring over `bytes` of mapped ring pages. */
void blkif_back_init(struct blkif_back *b, enum blkif_abi abi, void *sring,
		     size_t bytes);
/* The same over a ring another process served, from ring index idx on
 * (req_cons = rsp_prod_pvt = idx). */
void blkif_back_attach(struct blkif_back *b, enum blkif_abi abi, void *sring,
		       size_t bytes, RING_IDX idx);
unsigned blkif_back_size(const struct blkif_back *b);
/* The shared ring's rsp_prod, read once (guest-writable: hostile). */
RING_IDX blkif_back_shared_rsp_prod(const struct blkif_back *b);
/* The frontend's producer index (read once, then a read barrier). */
RING_IDX blkif_back_req_prod(const struct blkif_back *b);
/* Requests req_cons..req_cons+n-1 were taken from elsewhere (the
 * in-flight table of a restart): consumed, to be answered in ring order. */
void blkif_back_consume(struct blkif_back *b, unsigned n);
/* True when prod claims more requests than can be outstanding. */
bool blkif_back_prod_overflow(const struct blkif_back *b, RING_IDX prod);
bool blkif_back_has_requests(const struct blkif_back *b);
/* Copy request at req_cons out of the ring (once) and advance req_cons. */
void blkif_back_take_request(struct blkif_back *b, struct blkif_req *out);
/* Queue a response in the next slot; published by blkif_back_push. */
void blkif_back_put_response(struct blkif_back *b, uint64_t id, uint8_t op,
			     int16_t status);
/* Publish queued responses; true if the frontend asked to be notified. */
bool blkif_back_push(struct blkif_back *b);
/* Re-arm req_event; true if requests arrived meanwhile (do not sleep). */
bool blkif_back_final_check(struct blkif_back *b);

/* Pure: translate one ring slot's bytes, already copied, per ABI. */
void blkif_from_native(const struct blkif_request *src, struct blkif_req *out);
void blkif_from_x86_32(const union blkif_x86_32_request *src, struct blkif_req *out);
void blkif_from_x86_64(const union blkif_x86_64_request *src, struct blkif_req *out);

#endif
