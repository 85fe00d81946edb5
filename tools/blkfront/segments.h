/*
 * Segment layout: how a byte range in a run of data pages becomes blkif
 * segments (grant + first_sect/last_sect), and copying between a flat
 * buffer and the pages a segment list describes. Pure functions.
 *
 * Sectors here are 512-byte units, as on the ring.
 */
#ifndef BLKFRONT_SEGMENTS_H
#define BLKFRONT_SEGMENTS_H

#include <stddef.h>
#include <stdint.h>

#define BF_SECTOR_SIZE      512u
#define BF_PAGE_SIZE        4096u
#define BF_SECTORS_PER_PAGE (BF_PAGE_SIZE / BF_SECTOR_SIZE)

struct bf_seg {
	uint8_t first_sect, last_sect; /* inclusive, within one page */
};

/*
 * Lay `len` bytes, starting `page_off` bytes into the first page, across
 * consecutive pages: one segment per page touched. Both must be multiples
 * of 512, len > 0 and page_off < 4096. Returns the number of segments, or
 * -EINVAL (bad alignment or length) / -E2BIG (needs more than max_segs).
 */
int bf_seg_layout(uint32_t page_off, uint64_t len, struct bf_seg *segs,
		  unsigned max_segs);

/* Sectors a segment list covers; 0 if any segment has last < first. */
uint64_t bf_seg_sectors(const struct bf_seg *segs, unsigned nr_segs);

/* Is every segment within a page (last_sect <= 7, first <= last)? */
int bf_seg_valid(const struct bf_seg *segs, unsigned nr_segs);

/*
 * Copy a flat buffer of bf_seg_sectors() * 512 bytes into / out of the
 * pages: segment i lives in pages[i] from first_sect * 512 on.
 */
void bf_seg_copy_to_pages(void *const *pages, const struct bf_seg *segs,
			  unsigned nr_segs, const void *buf);
void bf_seg_copy_from_pages(const void *const *pages, const struct bf_seg *segs,
			    unsigned nr_segs, void *buf);

/* Where the k-th 512-byte sector of the transfer lives, or NULL past the
 * end. Lets a verifier walk any segment shape without a bounce buffer. */
void *bf_seg_sector_ptr(void *const *pages, const struct bf_seg *segs,
			unsigned nr_segs, uint64_t k);

#endif
