/*
 * Wire framing (xen/io/xs_wire.h): a struct xsd_sockmsg header, then `len`
 * payload bytes. Pure functions for checking a header and splitting a
 * payload into its NUL-terminated arguments.
 */
#ifndef XENSIM_XS_MSG_H
#define XENSIM_XS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

/* 0 if a message with this header may be read; -E2BIG if its payload is
 * over XENSTORE_PAYLOAD_MAX (the connection must be closed). */
int xs_msg_check_header(const struct xsd_sockmsg *hdr);

/* Splits a payload into exactly `want` NUL-terminated strings that fill
 * it. Returns 0, or -EINVAL. */
int xs_msg_args(const char *body, size_t len, const char **vec, unsigned want);

/* Like xs_msg_args, but the last argument is raw bytes up to the end (the
 * value of XS_WRITE); *rest_len gets its length. */
int xs_msg_args_rest(const char *body, size_t len, const char **vec,
		     unsigned want, size_t *rest_len);

/* The xsd_errors name of a positive errno ("EACCES"); EINVAL if unknown. */
const char *xs_msg_errname(int err);

/* The name of a message type for logs, or "?". */
const char *xs_msg_typename(uint32_t type);

/* Strict decimal (no sign, no spaces) up to max. 0 or -EINVAL. */
int xs_msg_parse_uint(const char *s, unsigned max, unsigned *out);
#endif
