/* Parsing the target string (the `params` node). Pure: no I/O. The grammar
 * and the whitespace/case rules are in include/target.h. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "target.h"

/* Longest target we look at: room for two PATH_MAX paths (xenstore
 * itself caps a value at 4096 bytes). */
#define TARGET_MAX_LEN 16384

/* A piece of the input: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(struct span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Room for quoting input back in a message: SHOW_MAX bytes and "...". */
#define SHOW_MAX 48
struct shown {
	char s[SHOW_MAX + 4];
};

/* Input text made fit for a one-line message: control bytes become '?'
 * (a newline or escape must not split or colour the log line) and long
 * junk is cut to SHOW_MAX bytes with "...". */
static const char *show(struct span in, struct shown *out)
{
	size_t n = in.n > SHOW_MAX ? SHOW_MAX : in.n;

	for (size_t i = 0; i < n; i++)
		out->s[i] = iscntrl((unsigned char)in.p[i]) ? '?' : in.p[i];
	strcpy(out->s + n, in.n > SHOW_MAX ? "..." : "");
	return out->s;
}

static const char *show_str(const char *s, struct shown *out)
{
	return show((struct span){ s, strlen(s) }, out);
}

static bool span_is(struct span s, const char *word)
{
	return strlen(word) == s.n && strncasecmp(s.p, word, s.n) == 0;
}

static int parse_size_value(const char *v, struct target *t, char *err, size_t errlen)
{
	int rc = parse_size(v, &t->size);
	struct shown sh;

	if (rc == -ERANGE)
		return errorf(err, errlen, -EINVAL, "size: '%s' is too large", show_str(v, &sh));
	if (rc)
		return errorf(err, errlen, -EINVAL,
			    "size: '%s' is not a number of bytes (e.g. 4G, 512M, 1048576)",
			    show_str(v, &sh));
	if (t->size == 0)
		return errorf(err, errlen, -EINVAL, "size: must be greater than 0");
	return 0;
}

static int parse_sector_size(const char *v, struct target *t, char *err, size_t errlen)
{
	struct shown sh;

	if (strcmp(v, "512") == 0)
		t->sector_size = 512;
	else if (strcmp(v, "4096") == 0)
		t->sector_size = 4096;
	else
		return errorf(err, errlen, -EINVAL, "sector-size: '%s' is not 512 or 4096",
			    show_str(v, &sh));
	return 0;
}

static int parse_path(const char *key, const char *v, char *dst,
		      char *err, size_t errlen)
{
	struct shown sh;

	if (v[0] != '/')
		return errorf(err, errlen, -EINVAL, "%s: '%s' is not an absolute path", key,
			    show_str(v, &sh));
	for (const char *c = v; *c; c++)
		if (iscntrl((unsigned char)*c))
			return errorf(err, errlen, -EINVAL, "%s: path contains a control character", key);
	if (strlen(v) >= PATH_MAX)
		return errorf(err, errlen, -EINVAL, "%s: path is longer than %d bytes", key, PATH_MAX - 1);
	strcpy(dst, v);
	return 0;
}

enum target_key { KEY_SIZE, KEY_IMAGE, KEY_SAVE, KEY_SECTOR_SIZE, KEY_IOPS, KEY_BPS,
		  KEY_IOPS_BURST, KEY_BPS_BURST, KEY_COUNT };
static const char *const key_names[KEY_COUNT] = {
	[KEY_SIZE] = "size", [KEY_IMAGE] = "image", [KEY_SAVE] = "save",
	[KEY_SECTOR_SIZE] = "sector-size", [KEY_IOPS] = "iops", [KEY_BPS] = "bps",
	[KEY_IOPS_BURST] = "iops-burst", [KEY_BPS_BURST] = "bps-burst",
};

#define QOS_IOPS_MAX 1000000000ull

/* iops=, iops-burst=: a count; bps=, bps-burst=: bytes with a suffix. */
static int parse_qos(const char *key, const char *v, bool bytes, uint64_t *out, char *err,
		     size_t errlen)
{
	struct shown sh;
	int rc = bytes ? parse_size(v, out) : parse_uint(v, QOS_IOPS_MAX, out);

	if (rc || *out == 0)
		return errorf(err, errlen, -EINVAL,
			      bytes ? "%s: '%s' is not a byte rate above 0 (e.g. 200M)"
				    : "%s: '%s' is not a count from 1 to 1000000000",
			      key, show_str(v, &sh));
	return 0;
}

static int key_lookup(struct span k)
{
	for (int i = 0; i < KEY_COUNT; i++)
		if (span_is(k, key_names[i]))
			return i;
	return -1;
}

/* One key=value item, already split off and trimmed. */
static int parse_item(struct span item, struct target *t, bool seen[KEY_COUNT],
		      char *err, size_t errlen)
{
	/* Values fit: the whole input is at most TARGET_MAX_LEN. */
	char val[TARGET_MAX_LEN + 1];
	const char *eq = memchr(item.p, '=', item.n);
	struct shown sh;

	if (!eq)
		return errorf(err, errlen, -EINVAL, "'%s' is not key=value", show(item, &sh));
	struct span k = trim((struct span){ item.p, (size_t)(eq - item.p) });
	struct span v = trim((struct span){ eq + 1, item.n - (size_t)(eq + 1 - item.p) });
	if (k.n == 0)
		return errorf(err, errlen, -EINVAL, "'%s' has no key before '='", show(item, &sh));
	int key = key_lookup(k);
	if (key < 0)
		return errorf(err, errlen, -EINVAL,
			    "unknown key '%s' (known: size, image, save, sector-size, iops, bps, "
			    "iops-burst, bps-burst)",
			    show(k, &sh));
	if (seen[key])
		return errorf(err, errlen, -EINVAL, "duplicate key '%s'", key_names[key]);
	seen[key] = true;
	if (v.n == 0)
		return errorf(err, errlen, -EINVAL, "%s: empty value", key_names[key]);
	memcpy(val, v.p, v.n);
	val[v.n] = '\0';
	switch (key) {
	case KEY_SIZE:
		return parse_size_value(val, t, err, errlen);
	case KEY_IMAGE:
		return parse_path("image", val, t->image, err, errlen);
	case KEY_SAVE:
		return parse_path("save", val, t->save, err, errlen);
	case KEY_IOPS:
		return parse_qos("iops", val, false, &t->iops, err, errlen);
	case KEY_BPS:
		return parse_qos("bps", val, true, &t->bps, err, errlen);
	case KEY_IOPS_BURST:
		return parse_qos("iops-burst", val, false, &t->iops_burst, err, errlen);
	case KEY_BPS_BURST:
		return parse_qos("bps-burst", val, true, &t->bps_burst, err, errlen);
	default:
		return parse_sector_size(val, t, err, errlen);
	}
}

/* Cross-key rules, once every item is in. */
static int check_target(const struct target *t, const bool seen[KEY_COUNT],
			char *err, size_t errlen)
{
	if (!seen[KEY_SIZE])
		return errorf(err, errlen, -EINVAL, "missing size= (e.g. size=4G)");
	if (seen[KEY_IOPS_BURST] && !seen[KEY_IOPS])
		return errorf(err, errlen, -EINVAL, "iops-burst: needs iops= too");
	if (seen[KEY_BPS_BURST] && !seen[KEY_BPS])
		return errorf(err, errlen, -EINVAL, "bps-burst: needs bps= too");
	if (t->size % t->sector_size)
		return errorf(err, errlen, -EINVAL, "size: %llu is not a multiple of the %u-byte sector size",
			    (unsigned long long)t->size, t->sector_size);
	return 0;
}

int target_parse(const char *s, struct target *out, char *err, size_t errlen)
{
	struct target t = { .sector_size = 512 };
	bool seen[KEY_COUNT] = { false };
	size_t len = strnlen(s, TARGET_MAX_LEN + 1);
	int rc;

	if (len > TARGET_MAX_LEN)
		return errorf(err, errlen, -EINVAL, "target is longer than %d bytes", TARGET_MAX_LEN);
	if (trim((struct span){ s, len }).n == 0)
		return errorf(err, errlen, -EINVAL, "empty target (need at least size=, e.g. size=4G)");
	for (const char *p = s;; ) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		struct span item = trim((struct span){ p, n });
		if (item.n == 0)
			return errorf(err, errlen, -EINVAL, comma ? "empty item before ','"
						       : "trailing ','");
		rc = parse_item(item, &t, seen, err, errlen);
		if (rc)
			return rc;
		if (!comma)
			break;
		p = comma + 1;
	}
	rc = check_target(&t, seen, err, errlen);
	if (rc == 0)
		*out = t;
	return rc;
}
