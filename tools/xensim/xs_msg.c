/* Wire framing helpers (see xs_msg.h). */
#include <errno.h>
#include <string.h>

#include "xs_msg.h"

int xs_msg_check_header(const struct xsd_sockmsg *hdr)
{
	return hdr->len > XENSTORE_PAYLOAD_MAX ? -E2BIG : 0;
}

int xs_msg_args_rest(const char *body, size_t len, const char **vec,
		     unsigned want, size_t *rest_len)
{
	size_t off = 0;

	for (unsigned i = 0; i + 1 < want; i++) {
		const char *nul = memchr(body + off, '\0', len - off);
		if (!nul)
			return -EINVAL;
		vec[i] = body + off;
		off = (size_t)(nul - body) + 1;
	}
	vec[want - 1] = body + off;
	*rest_len = len - off;
	return 0;
}

int xs_msg_args(const char *body, size_t len, const char **vec, unsigned want)
{
	size_t rest;

	if (xs_msg_args_rest(body, len, vec, want, &rest) < 0)
		return -EINVAL;
	/* The last one must be a single terminated string ending the body. */
	const char *nul = memchr(vec[want - 1], '\0', rest);
	if (!nul || (size_t)(nul - vec[want - 1]) + 1 != rest)
		return -EINVAL;
	return 0;
}

const char *xs_msg_errname(int err)
{
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EINVAL";
}

const char *xs_msg_typename(uint32_t type)
{
	static const char *const names[] = {
		[XS_CONTROL] = "CONTROL", [XS_DIRECTORY] = "DIRECTORY",
		[XS_READ] = "READ", [XS_GET_PERMS] = "GET_PERMS",
		[XS_WATCH] = "WATCH", [XS_UNWATCH] = "UNWATCH",
		[XS_TRANSACTION_START] = "TRANSACTION_START",
		[XS_TRANSACTION_END] = "TRANSACTION_END",
		[XS_INTRODUCE] = "INTRODUCE", [XS_RELEASE] = "RELEASE",
		[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH", [XS_WRITE] = "WRITE",
		[XS_MKDIR] = "MKDIR", [XS_RM] = "RM", [XS_SET_PERMS] = "SET_PERMS",
		[XS_WATCH_EVENT] = "WATCH_EVENT", [XS_ERROR] = "ERROR",
		[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
		[XS_RESUME] = "RESUME", [XS_SET_TARGET] = "SET_TARGET",
		[XS_RESET_WATCHES] = "RESET_WATCHES",
		[XS_DIRECTORY_PART] = "DIRECTORY_PART",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "?";
}

int xs_msg_parse_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}
