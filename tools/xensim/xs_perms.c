/* Permission entries (see xs_perms.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xs_perms.h"

#define PERM_DOMID_MAX 0xffffu /* domid_t */

static int perm_letter_bits(char c)
{
	switch (c) {
	case 'n': return XS_PERM_NONE;
	case 'r': return XS_PERM_READ;
	case 'w': return XS_PERM_WRITE;
	case 'b': return XS_PERM_READ | XS_PERM_WRITE;
	default:  return -1;
	}
}

int xs_perm_parse(const char *s, struct xs_permissions *out)
{
	int bits = perm_letter_bits(s[0]);
	unsigned long id = 0;
	const char *p = s + 1;

	if (bits < 0 || *p == '\0')
		return -EINVAL;
	/* Decimal digits only: no sign, no spaces, no hex, bounded. */
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		id = id * 10 + (unsigned long)(*p - '0');
		if (id > PERM_DOMID_MAX)
			return -EINVAL;
	}
	out->id = (unsigned)id;
	out->perms = (unsigned)bits;
	return 0;
}

int xs_perms_parse_list(const char *buf, size_t len,
			struct xs_permissions *out, unsigned max)
{
	unsigned n = 0;
	size_t off = 0;

	if (len == 0 || buf[len - 1] != '\0')
		return -EINVAL;
	while (off < len) {
		const char *s = buf + off;
		if (n == max || xs_perm_parse(s, &out[n]) < 0)
			return -EINVAL;
		n++;
		off += strlen(s) + 1;
	}
	return (int)n;
}

int xs_perm_format(const struct xs_permissions *p, char *buf, size_t size)
{
	char c;

	switch (p->perms & (XS_PERM_READ | XS_PERM_WRITE)) {
	case XS_PERM_READ:                 c = 'r'; break;
	case XS_PERM_WRITE:                c = 'w'; break;
	case XS_PERM_READ | XS_PERM_WRITE: c = 'b'; break;
	default:                           c = 'n'; break;
	}
	int n = snprintf(buf, size, "%c%u", c, p->id);
	return n < 0 || (size_t)n >= size ? -EINVAL : n;
}

unsigned xs_perm_for(unsigned domid, bool privileged,
		     const struct xs_permissions *perms, unsigned num)
{
	const unsigned all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

	if (privileged)
		return all;
	if (num == 0)
		return XS_PERM_NONE;
	if (perms[0].id == domid)
		return all;
	for (unsigned i = 1; i < num; i++)
		if (perms[i].id == domid)
			return perms[i].perms & all;
	return perms[0].perms & all;
}
