/*
 * The one-line error helper and the number parsers shared by the daemon's
 * config (command line and /etc/memback/memback.conf), the target-string
 * parser and memback-ctl. Pure: no I/O, no allocation; header-only so that
 * every program and test can use it without linking anything.
 */
#ifndef MEMBACK_PARSE_H
#define MEMBACK_PARSE_H

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Format a one-line reason into err (which may be NULL, or errlen 0) and
 * return rc: the error convention of every parser here. */
static inline int errorf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline int errorf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* A decimal number with no sign, spaces or trailing junk, <= max.
 * -EINVAL otherwise (also when it is too large). */
static inline int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Size suffix -> shift: "", K, M, G, T (either case), each optionally
 * followed by "iB". -EINVAL for anything else. */
static inline int parse_size_suffix(const char *s, unsigned *shift)
{
	static const char letters[] = "kmgt";
	const char *l;

	if (*s == '\0') {
		*shift = 0;
		return 0;
	}
	l = strchr(letters, tolower((unsigned char)*s));
	if (!l)
		return -EINVAL;
	if (s[1] != '\0' && strcasecmp(s + 1, "iB") != 0)
		return -EINVAL;
	*shift = 10u * (unsigned)(l - letters + 1);
	return 0;
}

/* A size with an optional K/M/G/T suffix (powers of 1024) or a plain byte
 * count, e.g. "4G", "512M", "1048576". Digits only: no sign, spaces,
 * fractions or hex. -EINVAL when malformed, -ERANGE when it does not fit in
 * 64 bits (malformed wins over too large). */
static inline int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift;
	int big = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		big = big || v > (UINT64_MAX - d) / 10;
		v = v * 10 + d;
	}
	if (parse_size_suffix(s, &shift))
		return -EINVAL;
	if (big || (shift && v > (UINT64_MAX >> shift)))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* A number from lo to hi for the setting called name, with the one-line
 * message "NAME wants a number from LO to HI, not "S"" on failure. */
static inline int parse_uint_range(const char *name, const char *s, uint64_t lo, uint64_t hi,
				   uint64_t *out, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_uint(s, hi, &v) || v < lo)
		return errorf(err, errlen, -EINVAL, "%s wants a number from %llu to %llu, not \"%s\"",
			      name, (unsigned long long)lo, (unsigned long long)hi, s);
	*out = v;
	return 0;
}

#endif
