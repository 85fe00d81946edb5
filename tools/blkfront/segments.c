/* Segment layout and copies; see segments.h. */
#include "segments.h"

#include <errno.h>
#include <string.h>

int bf_seg_layout(uint32_t page_off, uint64_t len, struct bf_seg *segs,
		  unsigned max_segs)
{
	unsigned n = 0;

	if (len == 0 || len % BF_SECTOR_SIZE || page_off % BF_SECTOR_SIZE ||
	    page_off >= BF_PAGE_SIZE)
		return -EINVAL;
	/* Bound len before any arithmetic that could wrap. */
	if (len > (uint64_t)max_segs * BF_PAGE_SIZE)
		return -E2BIG;
	while (len > 0) {
		uint64_t room = BF_PAGE_SIZE - page_off;
		uint64_t take = len < room ? len : room;

		if (n == max_segs)
			return -E2BIG;
		segs[n].first_sect = (uint8_t)(page_off / BF_SECTOR_SIZE);
		segs[n].last_sect =
			(uint8_t)((page_off + take) / BF_SECTOR_SIZE - 1);
		n++;
		len -= take;
		page_off = 0;
	}
	return (int)n;
}

uint64_t bf_seg_sectors(const struct bf_seg *segs, unsigned nr_segs)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < nr_segs; i++) {
		if (segs[i].last_sect < segs[i].first_sect)
			return 0;
		total += (uint64_t)segs[i].last_sect - segs[i].first_sect + 1;
	}
	return total;
}

int bf_seg_valid(const struct bf_seg *segs, unsigned nr_segs)
{
	for (unsigned i = 0; i < nr_segs; i++)
		if (segs[i].first_sect > segs[i].last_sect ||
		    segs[i].last_sect >= BF_SECTORS_PER_PAGE)
			return 0;
	return 1;
}

static size_t seg_bytes(const struct bf_seg *seg)
{
	return ((size_t)seg->last_sect - seg->first_sect + 1) * BF_SECTOR_SIZE;
}

void bf_seg_copy_to_pages(void *const *pages, const struct bf_seg *segs,
			  unsigned nr_segs, const void *buf)
{
	const unsigned char *src = buf;

	for (unsigned i = 0; i < nr_segs; i++) {
		size_t n = seg_bytes(&segs[i]);

		memcpy((unsigned char *)pages[i] +
			       (size_t)segs[i].first_sect * BF_SECTOR_SIZE,
		       src, n);
		src += n;
	}
}

void bf_seg_copy_from_pages(const void *const *pages, const struct bf_seg *segs,
			    unsigned nr_segs, void *buf)
{
	unsigned char *dst = buf;

	for (unsigned i = 0; i < nr_segs; i++) {
		size_t n = seg_bytes(&segs[i]);

		memcpy(dst, (const unsigned char *)pages[i] +
				    (size_t)segs[i].first_sect * BF_SECTOR_SIZE,
		       n);
		dst += n;
	}
}

void *bf_seg_sector_ptr(void *const *pages, const struct bf_seg *segs,
			unsigned nr_segs, uint64_t k)
{
	for (unsigned i = 0; i < nr_segs; i++) {
		uint64_t n = (uint64_t)segs[i].last_sect - segs[i].first_sect + 1;

		if (k < n)
			return (unsigned char *)pages[i] +
			       (segs[i].first_sect + k) * BF_SECTOR_SIZE;
		k -= n;
	}
	return NULL;
}
