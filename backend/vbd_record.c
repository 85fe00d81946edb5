/* A device's record in its pool slot (see vbd_record.h). Pure. */
#include <errno.h>
#include <string.h>

#include "pool.h"
#include "vbd_record.h"

_Static_assert(sizeof(struct vbd_record) <= POOL_DISK_RECORD_BYTES,
	       "the record fits in a pool slot");

int vbd_record_init(struct vbd_record *r, const char *be_path, const char *params)
{
	if (strlen(be_path) >= sizeof(r->be_path) || strlen(params) >= sizeof(r->params))
		return -ENAMETOOLONG;
	memset(r, 0, sizeof(*r));
	strcpy(r->be_path, be_path);
	strcpy(r->params, params);
	r->magic = VBD_RECORD_MAGIC;
	return 0;
}

int vbd_record_check(const struct vbd_record *r)
{
	if (r->magic != VBD_RECORD_MAGIC ||
	    !memchr(r->be_path, '\0', sizeof(r->be_path)) || !r->be_path[0] ||
	    !memchr(r->params, '\0', sizeof(r->params)))
		return -EPROTO;
	return 0;
}

void vbd_record_set(uint32_t *field, uint32_t value)
{
	__atomic_store_n(field, value, __ATOMIC_RELEASE);
}

void vbd_record_set_flag(struct vbd_record *r, uint32_t flag, bool on)
{
	if (on)
		__atomic_fetch_or(&r->flags, flag, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&r->flags, ~flag, __ATOMIC_RELEASE);
}

bool vbd_record_has(const struct vbd_record *r, uint32_t flag)
{
	return (__atomic_load_n(&r->flags, __ATOMIC_ACQUIRE) & flag) != 0;
}
