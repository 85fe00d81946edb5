/*
 * libFuzzer target: the simulated xenstored's message parser (`make fuzz`):
 * a header, then the payload split into arguments as every handler does,
 * and the first argument canonicalised as a path for a guest and for dom0.
 * Arguments must lie inside the payload and be NUL-terminated there;
 * canonical paths must be valid. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xs_msg.h"
#include "xs_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_args(const char *body, size_t len, const char **vec, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (vec[i] < body || vec[i] >= body + len)
			abort();
		if (!memchr(vec[i], '\0', len - (size_t)(vec[i] - body)))
			abort();
	}
}

static void check_path(const char *in)
{
	char out[XS_PATH_BUF];
	bool rel;

	for (int priv = 0; priv < 2; priv++) {
		for (int special = 0; special < 2; special++) {
			if (xs_path_canonical(7, priv, in, special, out, &rel) < 0)
				continue;
			if (strlen(out) >= sizeof(out) || !xs_path_valid(out, special, priv))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_sockmsg hdr;
	const char *vec[4];
	size_t rest;

	if (size < sizeof(hdr))
		return 0;
	memcpy(&hdr, data, sizeof(hdr));
	data += sizeof(hdr);
	size -= sizeof(hdr);
	if (xs_msg_check_header(&hdr) < 0) {
		if (hdr.len <= XENSTORE_PAYLOAD_MAX)
			abort();
		return 0;
	}
	/* The server reads exactly hdr.len bytes, and adds a NUL after. */
	size_t len = hdr.len < size ? hdr.len : size;
	char *body = malloc(len + 1);
	if (!body)
		return 0;
	memcpy(body, data, len);
	body[len] = '\0';
	(void)xs_msg_typename(hdr.type);
	for (unsigned want = 1; want <= 4; want++) {
		if (xs_msg_args(body, len, vec, want) == 0)
			check_args(body, len, vec, want);
		if (xs_msg_args_rest(body, len, vec, want, &rest) == 0) {
			check_args(body, len, vec, want - 1);
			if (vec[want - 1] < body || vec[want - 1] + rest > body + len)
				abort();
		}
	}
	if (xs_msg_args(body, len, vec, 1) == 0)
		check_path(vec[0]);
	unsigned u;
	(void)xs_msg_parse_uint(body, 65535, &u);
	free(body);
	return 0;
}
