/*
 * Copy-in and response-out for each blkif ABI. A request slot is copied out
 * of shared memory exactly once (RING_COPY_REQUEST, then a compiler barrier)
 * and translated from that private copy; nothing later reads the slot.
 */
#include "blkif_abi.h"

#include <assert.h>

#define CHECK_LAYOUT(type, member, off) \
	static_assert(offsetof(type, member) == (off), #type "." #member)

/* x86_32 (what a 32-bit guest's compiler produces). */
CHECK_LAYOUT(struct blkif_x86_32_request_rw, id, 4);
CHECK_LAYOUT(struct blkif_x86_32_request_rw, sector_number, 12);
CHECK_LAYOUT(struct blkif_x86_32_request_rw, seg, 20);
static_assert(sizeof(struct blkif_x86_32_request_rw) == 108, "x86_32 rw size");
CHECK_LAYOUT(struct blkif_x86_32_request_discard, nr_sectors, 20);
CHECK_LAYOUT(struct blkif_x86_32_request_indirect, nr_segments, 2);
CHECK_LAYOUT(struct blkif_x86_32_request_indirect, handle, 20);
CHECK_LAYOUT(struct blkif_x86_32_request_indirect, indirect_grefs, 24);
static_assert(sizeof(struct blkif_x86_32_request_indirect) == 64, "x86_32 indirect size");
static_assert(sizeof(union blkif_x86_32_request) == 108, "x86_32 slot size");
CHECK_LAYOUT(struct blkif_x86_32_response, status, 10);
static_assert(sizeof(struct blkif_x86_32_response) == 12, "x86_32 response size");

/* x86_64. */
CHECK_LAYOUT(struct blkif_x86_64_request_rw, id, 8);
CHECK_LAYOUT(struct blkif_x86_64_request_rw, sector_number, 16);
CHECK_LAYOUT(struct blkif_x86_64_request_rw, seg, 24);
static_assert(sizeof(struct blkif_x86_64_request_rw) == 112, "x86_64 rw size");
CHECK_LAYOUT(struct blkif_x86_64_request_discard, nr_sectors, 24);
CHECK_LAYOUT(struct blkif_x86_64_request_indirect, nr_segments, 2);
CHECK_LAYOUT(struct blkif_x86_64_request_indirect, handle, 24);
CHECK_LAYOUT(struct blkif_x86_64_request_indirect, indirect_grefs, 28);
static_assert(sizeof(struct blkif_x86_64_request_indirect) == 64, "x86_64 indirect size");
static_assert(sizeof(union blkif_x86_64_request) == 112, "x86_64 slot size");
CHECK_LAYOUT(struct blkif_x86_64_response, status, 10);
static_assert(sizeof(struct blkif_x86_64_response) == 16, "x86_64 response size");

static_assert(sizeof(struct blkif_request_segment) == 8, "segment size");
static_assert(sizeof(struct blkif_request_discard) <= sizeof(struct blkif_request),
	      "native discard fits a slot");
static_assert(sizeof(struct blkif_request_indirect) <= sizeof(struct blkif_request),
	      "native indirect fits a slot");
#if defined(__x86_64__)
static_assert(sizeof(struct blkif_request) == sizeof(union blkif_x86_64_request),
	      "native is x86_64");
static_assert(offsetof(struct blkif_request_indirect, indirect_grefs) ==
	      offsetof(struct blkif_x86_64_request_indirect, indirect_grefs),
	      "native indirect is x86_64");
#endif

/* Fields shared by every ABI's variants, in one place. */
#define TRANSLATE(src, out)                                                   \
	do {                                                                  \
		memset((out), 0, sizeof(*(out)));                             \
		(out)->operation = (src)->operation;                          \
		(out)->op = (src)->operation;                                 \
		switch ((src)->operation) {                                   \
		case BLKIF_OP_DISCARD:                                        \
			(out)->id = (src)->discard.id;                        \
			(out)->discard_flag = (src)->discard.flag;            \
			(out)->handle = (src)->discard.handle;                \
			(out)->sector_number = (src)->discard.sector_number;  \
			(out)->nr_sectors = (src)->discard.nr_sectors;        \
			break;                                                \
		case BLKIF_OP_INDIRECT:                                       \
			(out)->id = (src)->indirect.id;                       \
			(out)->op = (src)->indirect.indirect_op;              \
			(out)->nr_segments = (src)->indirect.nr_segments;     \
			(out)->handle = (src)->indirect.handle;               \
			(out)->sector_number = (src)->indirect.sector_number; \
			memcpy((out)->indirect_grefs,                         \
			       (src)->indirect.indirect_grefs,                \
			       sizeof((out)->indirect_grefs));                \
			break;                                                \
		default:                                                      \
			(out)->id = (src)->rw.id;                             \
			(out)->nr_segments = (src)->rw.nr_segments;           \
			(out)->handle = (src)->rw.handle;                     \
			(out)->sector_number = (src)->rw.sector_number;       \
			memcpy((out)->seg, (src)->rw.seg, sizeof((out)->seg)); \
			break;                                                \
		}                                                             \
	} while (0)

void blkif_from_x86_32(const union blkif_x86_32_request *src, struct blkif_req *out)
{
	TRANSLATE(src, out);
}

void blkif_from_x86_64(const union blkif_x86_64_request *src, struct blkif_req *out)
{
	TRANSLATE(src, out);
}

/* Native has no union in blkif.h: view the copied slot through one. */
union blkif_native_request {
	uint8_t operation;
	struct blkif_request rw;
	struct blkif_request_discard discard;
	struct blkif_request_indirect indirect;
};

void blkif_from_native(const struct blkif_request *src, struct blkif_req *out)
{
	union blkif_native_request u;

	memset(&u, 0, sizeof(u));
	memcpy(&u, src, sizeof(*src));
	TRANSLATE(&u, out);
}

/* Attach to a ring another process served: both our indexes at idx
 * (BACK_RING_ATTACH, as Linux blkback's live update attaches). */
void blkif_back_attach(struct blkif_back *b, enum blkif_abi abi, void *sring,
		       size_t bytes, RING_IDX idx)
{
	memset(b, 0, sizeof(*b));
	b->abi = abi;
	switch (abi) {
	case BLKIF_ABI_X86_32:
		BACK_RING_ATTACH(&b->r.x86_32, (blkif_x86_32_sring_t *)sring, idx, bytes);
		break;
	case BLKIF_ABI_X86_64:
		BACK_RING_ATTACH(&b->r.x86_64, (blkif_x86_64_sring_t *)sring, idx, bytes);
		break;
	default:
		BACK_RING_ATTACH(&b->r.native, (blkif_sring_t *)sring, idx, bytes);
		break;
	}
}

void blkif_back_init(struct blkif_back *b, enum blkif_abi abi, void *sring,
		     size_t bytes)
{
	blkif_back_attach(b, abi, sring, bytes, 0); /* BACK_RING_INIT */
}

/* Run `stmt` with `r` bound to the back ring of the right type. */
#define WITH_RING(b, r, stmt)                                               \
	do {                                                                \
		switch ((b)->abi) {                                         \
		case BLKIF_ABI_X86_32: {                                    \
			__typeof__(&(b)->r.x86_32) r = &(b)->r.x86_32;      \
			stmt;                                               \
			break;                                              \
		}                                                           \
		case BLKIF_ABI_X86_64: {                                    \
			__typeof__(&(b)->r.x86_64) r = &(b)->r.x86_64;      \
			stmt;                                               \
			break;                                              \
		}                                                           \
		default: {                                                  \
			__typeof__(&(b)->r.native) r = &(b)->r.native;      \
			stmt;                                               \
			break;                                              \
		}                                                           \
		}                                                           \
	} while (0)

unsigned blkif_back_size(const struct blkif_back *b)
{
	return b->r.native.nr_ents; /* same position in every back ring */
}

RING_IDX blkif_back_req_prod(const struct blkif_back *b)
{
	RING_IDX prod = 0;

	WITH_RING(b, r, prod = *(volatile RING_IDX *)&r->sring->req_prod);
	xen_rmb(); /* requests are read only after the index that covers them */
	return prod;
}

RING_IDX blkif_back_shared_rsp_prod(const struct blkif_back *b)
{
	RING_IDX prod = 0;

	WITH_RING(b, r, prod = *(volatile RING_IDX *)&r->sring->rsp_prod);
	compiler_barrier(); /* the one read: the guest may change it any time */
	return prod;
}

void blkif_back_consume(struct blkif_back *b, unsigned n)
{
	WITH_RING(b, r, r->req_cons += n);
}

bool blkif_back_prod_overflow(const struct blkif_back *b, RING_IDX prod)
{
	bool bad = false;

	WITH_RING(b, r, bad = RING_REQUEST_PROD_OVERFLOW(r, prod));
	return bad;
}

bool blkif_back_has_requests(const struct blkif_back *b)
{
	bool more = false;

	WITH_RING(b, r, more = RING_HAS_UNCONSUMED_REQUESTS(r) != 0);
	return more;
}

void blkif_back_take_request(struct blkif_back *b, struct blkif_req *out)
{
	switch (b->abi) {
	case BLKIF_ABI_X86_32: {
		union blkif_x86_32_request copy;

		RING_COPY_REQUEST(&b->r.x86_32, b->r.x86_32.req_cons, &copy);
		b->r.x86_32.req_cons++;
		compiler_barrier();
		blkif_from_x86_32(&copy, out);
		break;
	}
	case BLKIF_ABI_X86_64: {
		union blkif_x86_64_request copy;

		RING_COPY_REQUEST(&b->r.x86_64, b->r.x86_64.req_cons, &copy);
		b->r.x86_64.req_cons++;
		compiler_barrier();
		blkif_from_x86_64(&copy, out);
		break;
	}
	default: {
		struct blkif_request copy;

		RING_COPY_REQUEST(&b->r.native, b->r.native.req_cons, &copy);
		b->r.native.req_cons++;
		compiler_barrier();
		blkif_from_native(&copy, out);
		break;
	}
	}
}

void blkif_back_put_response(struct blkif_back *b, uint64_t id, uint8_t op,
			     int16_t status)
{
	WITH_RING(b, r, {
		__typeof__(RING_GET_RESPONSE(r, 0)) rsp =
			RING_GET_RESPONSE(r, r->rsp_prod_pvt);
		rsp->id = id;
		rsp->operation = op;
		rsp->status = status;
		r->rsp_prod_pvt++;
	});
}

bool blkif_back_push(struct blkif_back *b)
{
	int notify = 0;

	WITH_RING(b, r, RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify));
	return notify != 0;
}

bool blkif_back_final_check(struct blkif_back *b)
{
	int more = 0;

	WITH_RING(b, r, RING_FINAL_CHECK_FOR_REQUESTS(r, more));
	return more != 0;
}
