/* The daemon's settings: memback.conf text, the command line over it, and
 * what SIGHUP applies live. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit.h"
#include "../../backend/config.h"
#include "../../backend/settings.h"
#include "../../backend/image_path.h"

static struct options o, fresh;
static char err[300];

static int text(const char *t)
{
	options_defaults(&o);
	err[0] = '\0';
	return config_parse_text("/etc/memback/memback.conf", t, &o, err, sizeof(err));
}

TEST(file_values)
{
	EXPECT_EQ(text("# memback\n"
		       "pool-size = 2G   # two\n"
		       "\n"
		       "  hugepages=yes\r\n"
		       "mlock = On\n"
		       "overcommit = no\n"
		       "backend-type = vbd3\n"
		       "grant-mode = persistent\n"
		       "max-queues = 4\n"
		       "poll-us = 0\n"
		       "log-level = debug\n"
		       "image-dir = /var/lib/memback\n"
		       "pool-warn = 75\n"
		       "control = /run/mb.sock"), 0);
	EXPECT_EQ(o.cfg.pool_size, 2ull << 30);
	EXPECT(o.cfg.hugepages && o.cfg.mlock && !o.cfg.overcommit);
	EXPECT_STR(o.cfg.backend_type, "vbd3");
	EXPECT_EQ(o.cfg.grant_mode, GRANT_MODE_PERSISTENT);
	EXPECT_EQ(o.cfg.max_queues, 4);
	EXPECT_EQ(o.cfg.poll_us, 0);
	EXPECT_EQ(o.log_level, LOG_DEBUG);
	EXPECT_STR(o.cfg.image_dir, "/var/lib/memback");
	EXPECT_EQ(o.cfg.pool_warn_pct, 75);
	EXPECT_STR(o.cfg.control_path, "/run/mb.sock");
	EXPECT_EQ(text(""), 0);
	EXPECT_EQ(o.cfg.pool_warn_pct, 90);
	EXPECT_STR(o.cfg.image_dir, "");
}

/* Each bad line: -EINVAL, and the message names the file, the line and
 * the problem. */
TEST(file_errors_name_file_and_line)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "pool-size = lots\n", ":1: pool-size wants a size like 4G, not \"lots\"" },
		{ "\n\n# c\nbogus = 1\n", ":4: unknown setting \"bogus\"" },
		{ "pool-size 4G\n", ":1: not NAME = VALUE" },
		{ "mlock = yes\nmlock = no\n", ":2: mlock is already set on line 1" },
		{ "foreground = yes\n", ":1: foreground can only be given on the command line" },
		{ "config = /x\n", ":1: config can only be given on the command line" },
		{ "log-level =\n", ":1: log-level: empty value" },
		{ "= 3\n", ":1: no setting name before '='" },
		{ "hugepages = maybe\n", ":1: hugepages wants yes or no, not \"maybe\"" },
		{ "max-ring-order = 5\n", ":1: max-ring-order wants a number from 0 to 4, not \"5\"" },
		{ "max-indirect-segments = 8\n", ":1: max-indirect-segments must be 0 or 12..256" },
		{ "grant-mode = fast\n", ":1: grant-mode wants copy, map or persistent" },
		{ "backend-type = a/b\n", ":1: backend-type \"a/b\" is not a xenstore name" },
		{ "image-dir = relative\n", ":1: image-dir wants an absolute path" },
		{ "pool-warn = 101\n", ":1: pool-warn wants a number from 0 to 100" },
		{ "mlock = yes\x1b[31m\n", ":1: control character in the line" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[200];
		snprintf(want, sizeof(want), "/etc/memback/memback.conf%s", cases[i].want);
		EXPECT_EQ(text(cases[i].text), -EINVAL);
		if (strncmp(err, want, strlen(want)) != 0) {
			printf("case %u: got \"%s\", want \"%s\"\n", i, err, want);
			EXPECT(0);
		}
		EXPECT(strchr(err, '\n') == NULL);
	}
}

TEST(long_line_refused)
{
	char *t = malloc(5000);

	memset(t, 'a', 4999);
	t[4999] = '\0';
	memcpy(t, "\npidfile = /", 12);
	EXPECT_EQ(text(t), -EINVAL);
	free(t);
	EXPECT(strstr(err, "memback.conf:2: line is longer than 4095 bytes") != NULL);
}

static int load(const char *file_text, char **argv)
{
	char path[] = "/tmp/memback-conf-XXXXXX";
	char *args[16] = { "memback", "--config", path };
	int argc = 3, fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, file_text, strlen(file_text)) < 0)
		return -EIO;
	close(fd);
	for (; argv && *argv && argc < 15; argv++)
		args[argc++] = *argv;
	rc = options_load(argc, args, &o, err, sizeof(err));
	unlink(path);
	return rc;
}

TEST(command_line_overrides_file)
{
	char *args[] = { "--pool-size", "1G", "--no-mlock", "-l", "warn", NULL };

	EXPECT_EQ(load("pool-size = 8G\nmlock = yes\nlog-level = debug\nmax-queues = 3\n", args),
		  0);
	EXPECT_EQ(o.cfg.pool_size, 1ull << 30);
	EXPECT(!o.cfg.mlock);
	EXPECT_EQ(o.log_level, LOG_WARN);
	EXPECT_EQ(o.cfg.max_queues, 3);          /* from the file */
	EXPECT(o.config_path != NULL);
	EXPECT_EQ(load("pool-size = 8G\n", NULL), 0);
	EXPECT_EQ(o.cfg.pool_size, 8ull << 30);
	/* A bad file is an error even when the command line sets the key. */
	EXPECT_EQ(load("pool-size = lots\n", args), -EINVAL);
	EXPECT(strstr(err, "/tmp/memback-conf-") == err);
	EXPECT(strstr(err, ":1: pool-size") != NULL);
}

TEST(missing_file)
{
	char *args[] = { "memback", "-C", "/nonexistent/memback.conf", NULL };

	EXPECT_EQ(options_load(3, args, &o, err, sizeof(err)), -ENOENT);
	EXPECT(strstr(err, "cannot read /nonexistent/memback.conf") != NULL);
	/* A bad command line is reported before any file is read. */
	char *bad[] = { "memback", "-C", "/nonexistent", "--bogus", NULL };
	EXPECT_EQ(options_load(4, bad, &o, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "--bogus") != NULL);
}

TEST(reload_applies_only_live_settings)
{
	options_defaults(&o);
	options_defaults(&fresh);
	o.cfg.pool_size = fresh.cfg.pool_size = 1ull << 30;
	EXPECT_EQ(config_parse_text("f", "log-level = debug\npoll-us = 7\npool-size = 2G\n"
				    "image-dir = /srv/img\nmax-ring-order = 1\n", &fresh, err,
				    sizeof(err)), 0);
	EXPECT_EQ(options_apply_live(&o, &fresh), 3);
	EXPECT_EQ(o.log_level, LOG_DEBUG);
	EXPECT_EQ(o.cfg.poll_us, 7);
	EXPECT_STR(o.cfg.image_dir, "/srv/img");
	EXPECT_EQ(o.cfg.pool_size, 1ull << 30);  /* needs a restart */
	EXPECT_EQ(o.cfg.max_ring_order, 4);
	EXPECT_EQ(options_apply_live(&o, &fresh), 0);
	options_defaults(&fresh);
	fresh.cfg.pool_size = 1ull << 30;
	fresh.log_level = LOG_DEBUG;
	fresh.cfg.poll_us = 7;
	EXPECT_EQ(options_apply_live(&o, &fresh), 1); /* image-dir removed */
	EXPECT_STR(o.cfg.image_dir, "");
}

TEST(usage_lists_every_option)
{
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	options_usage(f);
	fclose(f);
	EXPECT(strstr(buf, "--pool-size SIZE") != NULL);
	EXPECT(strstr(buf, "--[no-]mlock") != NULL);
	EXPECT(strstr(buf, "--image-dir DIR") != NULL);
	EXPECT(strstr(buf, "-C, --config PATH") != NULL);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return f ? buf : NULL;
}

/* The shipped default file and memback.conf(5) name every file setting of
 * the table, and the default file parses. */
TEST(documents_name_every_setting)
{
	char *conf = slurp("backend/memback.conf"), want[100];

	EXPECT(conf != NULL);
	EXPECT_EQ(text(conf), 0);
	for (unsigned i = 0; i < nr_settings; i++) {
		if (!settings[i].file)
			continue;
		snprintf(want, sizeof(want), "\n#%s = ", settings[i].name);
		if (!strstr(conf, want))
			printf("memback.conf lacks %s\n", settings[i].name);
		EXPECT(strstr(conf, want) != NULL);
	}
	char *man = slurp("backend/memback.conf.5");
	EXPECT(man != NULL);
	for (unsigned i = 0; i < nr_settings; i++) {
		const char *n = settings[i].name;
		char esc[80];
		size_t k = 0;
		if (!settings[i].file)
			continue;
		for (; *n && k + 3 < sizeof(esc); n++) {
			if (*n == '-')
				esc[k++] = '\\';
			esc[k++] = *n;
		}
		esc[k] = '\0';
		snprintf(want, sizeof(want), ".BI %s ", esc);
		if (!strstr(man, want))
			printf("memback.conf.5 lacks %s\n", want);
		EXPECT(strstr(man, want) != NULL);
	}
}

TEST(image_dir)
{
	EXPECT_EQ(image_paths_allowed("/a/b.img", "/etc/x", "", err, sizeof(err)), 0);
	EXPECT_EQ(image_paths_allowed("/srv/img/a.img", "", "/srv/img", err, sizeof(err)), 0);
	EXPECT_EQ(image_paths_allowed("/srv/img/d/a.img", "/srv/img/b", "/srv/img/", err,
				      sizeof(err)), 0);
	EXPECT_EQ(image_paths_allowed("/srv/imgx/a", "", "/srv/img", err, sizeof(err)), -EPERM);
	EXPECT_STR(err, "image: /srv/imgx/a is not under image-dir /srv/img");
	EXPECT_EQ(image_paths_allowed("", "/srv/img", "/srv/img", err, sizeof(err)), -EPERM);
	EXPECT_EQ(image_paths_allowed("", "/srv/img/../etc/shadow", "/srv/img", err, sizeof(err)),
		  -EPERM);
	EXPECT(strstr(err, "save: \"..\"") == err);
	EXPECT_EQ(image_paths_allowed("/srv/img/a..b", "", "/srv/img", err, sizeof(err)), 0);
	EXPECT_EQ(image_paths_allowed("/x", "", "/", err, sizeof(err)), 0);
}

int main(void)
{
	log_set_level(LOG_ERR);
	RUN(file_values);
	RUN(file_errors_name_file_and_line);
	RUN(long_line_refused);
	RUN(command_line_overrides_file);
	RUN(missing_file);
	RUN(reload_applies_only_live_settings);
	RUN(usage_lists_every_option);
	RUN(documents_name_every_setting);
	RUN(image_dir);
	return UNIT_RESULT();
}
