/* /etc/memback/memback.conf: "NAME = VALUE" lines for the settings of the
 * table in config.c, the command line over it, and SIGHUP's re-read. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "parse.h"
#include "settings.h"

#define LINE_MAX_LEN 4096
#define FILE_MAX_LEN (1u << 20)

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim in place; returns the first non-blank character. */
static char *trim(char *s)
{
	size_t n;

	while (blank(*s))
		s++;
	n = strlen(s);
	while (n && blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* A comment starts a line or follows a blank: "pool-size = 8G  # half". */
static void cut_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '#' && (p == s || blank(p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

struct file_state {
	const char *file;
	unsigned line;
	unsigned seen[64];          /* line each setting was set on, 0: not yet */
};

static int line_error(const struct file_state *fs, char *err, size_t errlen, const char *why)
{
	return errorf(err, errlen, -EINVAL, "%s:%u: %s", fs->file, fs->line, why);
}

static int one_setting(struct file_state *fs, char *key, char *value, struct options *o,
		       char *err, size_t errlen)
{
	const struct setting *s = setting_by_name(key);
	char why[300];
	unsigned i;

	if (!s) {
		snprintf(why, sizeof(why), "unknown setting \"%.60s\" (see memback.conf(5))", key);
		return line_error(fs, err, errlen, why);
	}
	if (!s->file) {
		snprintf(why, sizeof(why), "%s can only be given on the command line", key);
		return line_error(fs, err, errlen, why);
	}
	i = (unsigned)(s - settings);
	if (fs->seen[i]) {
		snprintf(why, sizeof(why), "%s is already set on line %u", key, fs->seen[i]);
		return line_error(fs, err, errlen, why);
	}
	fs->seen[i] = fs->line;
	if (setting_apply(o, s, key, value, why, sizeof(why)))
		return line_error(fs, err, errlen, why);
	return 0;
}

static int one_line(struct file_state *fs, const char *p, size_t n, struct options *o,
		    char *err, size_t errlen)
{
	char buf[LINE_MAX_LEN], *line, *eq;

	if (n >= sizeof(buf))
		return line_error(fs, err, errlen, "line is longer than 4095 bytes");
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = '\0';
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return line_error(fs, err, errlen, "control character in the line");
	cut_comment(buf);
	line = trim(buf);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return line_error(fs, err, errlen, "not NAME = VALUE");
	*eq = '\0';
	char *key = trim(line), *value = trim(eq + 1);
	if (!*key)
		return line_error(fs, err, errlen, "no setting name before '='");
	if (!*value) {
		char why[100];
		snprintf(why, sizeof(why), "%.60s: empty value", key);
		return line_error(fs, err, errlen, why);
	}
	return one_setting(fs, key, value, o, err, errlen);
}

int config_parse_text(const char *file, const char *text, struct options *o, char *err,
		      size_t errlen)
{
	struct file_state fs = { .file = file };

	for (const char *p = text; *p; ) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int rc;

		fs.line++;
		rc = one_line(&fs, p, n, o, err, errlen);
		if (rc)
			return rc;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* The whole file, NUL-terminated, in *out (free it). */
static int read_text(const char *path, char **out, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *buf = NULL;
	ssize_t n;
	int rc;

	if (fd < 0)
		return errorf(err, errlen, -errno, "cannot read %s: %s", path, strerror(errno));
	buf = malloc(FILE_MAX_LEN + 1);
	rc = -ENOMEM;
	if (!buf)
		goto out;
	while ((n = read(fd, buf + len, FILE_MAX_LEN + 1 - len)) > 0 && len <= FILE_MAX_LEN)
		len += (size_t)n;
	rc = n < 0 ? errorf(err, errlen, -errno, "cannot read %s: %s", path, strerror(errno)) : 0;
	if (!rc && len > FILE_MAX_LEN)
		rc = errorf(err, errlen, -EFBIG, "%s: larger than 1 MiB", path);
	if (!rc && memchr(buf, '\0', len))
		rc = errorf(err, errlen, -EINVAL, "%s: contains a NUL byte", path);
	if (!rc) {
		buf[len] = '\0';
		*out = buf;
		buf = NULL;
	}
out:
	free(buf);
	close(fd);
	return rc;
}

int options_load(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	struct options *first = malloc(sizeof(*first));
	char path[PATH_MAX], *text = NULL;
	bool explicit;
	int rc;

	if (!first)
		return errorf(err, errlen, -ENOMEM, "out of memory");
	/* The command line first, alone: its own errors, and --config. */
	rc = options_parse(argc, argv, first, err, errlen);
	explicit = first->config_path != NULL;
	snprintf(path, sizeof(path), "%s", explicit ? first->config_path : CONFIG_DEFAULT_PATH);
	free(first);
	if (rc)
		return rc;
	options_defaults(o);
	rc = read_text(path, &text, err, errlen);
	if (rc == -ENOENT && !explicit)
		rc = 0; /* no file: the defaults */
	else if (rc)
		return rc;
	if (text) {
		rc = config_parse_text(path, text, o, err, errlen);
		free(text);
		if (rc)
			return rc;
	}
	return options_parse_argv(argc, argv, o, err, errlen);
}
