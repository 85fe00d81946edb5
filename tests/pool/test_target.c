/* The target-string parser: tables of good and bad strings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "target.h"
#include "../unit.h"

struct good_case {
	const char *in;
	uint64_t size;
	const char *image, *save;
	unsigned sector_size;
};

static const struct good_case good[] = {
	{ "size=4G", 4ull << 30, "", "", 512 },
	{ "size=1048576", 1 << 20, "", "", 512 },
	{ "size=512", 512, "", "", 512 },
	{ "size=1K", 1024, "", "", 512 },
	{ "size=512M", 512ull << 20, "", "", 512 },
	{ "size=2T", 2ull << 40, "", "", 512 },
	{ "size=4g", 4ull << 30, "", "", 512 },
	{ "size=4GiB", 4ull << 30, "", "", 512 },
	{ "size=4gib", 4ull << 30, "", "", 512 },
	{ "SIZE=1M", 1 << 20, "", "", 512 },
	{ "size=1G,image=/var/lib/memback/d.img", 1 << 30, "/var/lib/memback/d.img", "", 512 },
	{ "image=/a,size=1G,save=/b", 1 << 30, "/a", "/b", 512 },
	{ "size=1G,sector-size=4096", 1 << 30, "", "", 4096 },
	{ "size=1G,sector-size=512", 1 << 30, "", "", 512 },
	{ " size = 1G , image = /my disk.img ", 1 << 30, "/my disk.img", "", 512 },
	{ "\tsize=1G\t", 1 << 30, "", "", 512 },
	{ "size=16777215T", 16777215ull << 40, "", "", 512 },
	{ "size=0001024", 1024, "", "", 512 },
	{ "size=4096,sector-size=4096", 4096, "", "", 4096 },
};

struct bad_case {
	const char *in;
	const char *err;
};

static const struct bad_case bad[] = {
	{ "", "empty target (need at least size=, e.g. size=4G)" },
	{ "   ", "empty target (need at least size=, e.g. size=4G)" },
	{ "size=4G,", "trailing ','" },
	{ "size=4G,,image=/a", "empty item before ','" },
	{ ",size=4G", "empty item before ','" },
	{ "size=4G, ", "trailing ','" },
	{ "image=/a", "missing size= (e.g. size=4G)" },
	{ "size", "'size' is not key=value" },
	{ "=4G", "'=4G' has no key before '='" },
	{ "size=", "size: empty value" },
	{ "size= ", "size: empty value" },
	{ "size=4G,size=8G", "duplicate key 'size'" },
	{ "size=4G,Size=8G", "duplicate key 'size'" },
	{ "size=4G,colour=blue", "unknown key 'colour' (known: size, image, save, sector-size, iops, bps, "
			"iops-burst, bps-burst)" },
	{ "size=4G,sector_size=512", "unknown key 'sector_size' (known: size, image, save, sector-size, iops, bps, "
			"iops-burst, bps-burst)" },
	{ "size=0", "size: must be greater than 0" },
	{ "size=0G", "size: must be greater than 0" },
	{ "size=-1", "size: '-1' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=+4G", "size: '+4G' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=4X", "size: '4X' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=4GB", "size: '4GB' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=4 G", "size: '4 G' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=1.5G", "size: '1.5G' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=0x1000", "size: '0x1000' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=G", "size: 'G' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=18446744073709551616", "size: '18446744073709551616' is too large" },
	{ "size=16777216T", "size: '16777216T' is too large" },
	{ "size=1000", "size: 1000 is not a multiple of the 512-byte sector size" },
	{ "size=1536,sector-size=4096", "size: 1536 is not a multiple of the 4096-byte sector size" },
	{ "size=4G,sector-size=1024", "sector-size: '1024' is not 512 or 4096" },
	{ "size=4G,sector-size=4k", "sector-size: '4k' is not 512 or 4096" },
	{ "size=4G,image=disk.img", "image: 'disk.img' is not an absolute path" },
	{ "size=4G,save=./x", "save: './x' is not an absolute path" },
	{ "size=4G,image=", "image: empty value" },
	{ "size=4G,image=/a\nb", "image: path contains a control character" },
	{ "size=4G,image=/a,image=/b", "duplicate key 'image'" },
	{ "size=4G;image=/a", "size: '4G;image=/a' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	/* Junk quoted back stays on one line: control bytes shown as '?'. */
	{ "size=4G\n", "size: '4G?' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=4G\r\n", "size: '4G?" "?' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=99999999999999999999\n", "size: '99999999999999999999?' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "si\nze=1G", "unknown key 'si?ze' (known: size, image, save, sector-size, iops, bps, "
			"iops-burst, bps-burst)" },
	{ "size=4G,\x1b[31m=1", "unknown key '?[31m' (known: size, image, save, sector-size, iops, bps, "
			"iops-burst, bps-burst)" },
	{ "size\n", "'size?' is not key=value" },
	{ "\v=1", "unknown key '?' (known: size, image, save, sector-size, iops, bps, "
			"iops-burst, bps-burst)" },
	{ "size=4G,image=rel\npath", "image: 'rel?path' is not an absolute path" },
	{ "size=4G,sector-size=512\r", "sector-size: '512?' is not 512 or 4096" },
	{ "size=4G,save=/a\x7f", "save: path contains a control character" },
	{ "size=4G,image =", "image: empty value" },
	{ "size=4G,sector-size=", "sector-size: empty value" },
	{ "size=4G,save=/a,save=/b", "duplicate key 'save'" },
	{ "size=4G,sector-size=4096,sector-size=512", "duplicate key 'sector-size'" },
	{ "size=1G,,", "empty item before ','" },
	{ ",", "empty item before ','" },
	{ "size=4G,  ,image=/a", "empty item before ','" },
	{ "size=4G ,\t", "trailing ','" },
	{ "size=00", "size: must be greater than 0" },
	{ "size=4Gi", "size: '4Gi' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=4GiBs", "size: '4GiBs' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=\xc3\xa9" "4G", "size: '\xc3\xa9" "4G' is not a number of bytes (e.g. 4G, 512M, 1048576)" },
	{ "size=1T,sector-size=4096,size=2T", "duplicate key 'size'" },
	{ "size=512,sector-size=4096", "size: 512 is not a multiple of the 4096-byte sector size" },
	{ "size=1G,iops=0", "iops: '0' is not a count from 1 to 1000000000" },
	{ "size=1G,iops=1000000001", "iops: '1000000001' is not a count from 1 to 1000000000" },
	{ "size=1G,iops=2k", "iops: '2k' is not a count from 1 to 1000000000" },
	{ "size=1G,bps=fast", "bps: 'fast' is not a byte rate above 0 (e.g. 200M)" },
	{ "size=1G,bps=0", "bps: '0' is not a byte rate above 0 (e.g. 200M)" },
	{ "size=1G,iops-burst=10", "iops-burst: needs iops= too" },
	{ "size=1G,bps-burst=1M,iops=5", "bps-burst: needs bps= too" },
	{ "size=1G,iops=5,iops=6", "duplicate key 'iops'" },
};

TEST(qos_keys)
{
	struct target t;
	char err[256] = "";

	EXPECT_EQ(target_parse("size=4G,iops=5000,bps=200M", &t, err, sizeof(err)), 0);
	EXPECT_EQ(t.iops, 5000);
	EXPECT_EQ(t.bps, 200ull << 20);
	EXPECT_EQ(t.iops_burst, 0);
	EXPECT_EQ(t.bps_burst, 0);
	EXPECT_EQ(target_parse("size=4G,iops=10,IOPS-Burst=3,bps=1K,bps-burst=1M", &t, err,
			       sizeof(err)), 0);
	EXPECT_EQ(t.iops, 10);
	EXPECT_EQ(t.iops_burst, 3);
	EXPECT_EQ(t.bps, 1024);
	EXPECT_EQ(t.bps_burst, 1 << 20);
	EXPECT_EQ(target_parse("size=4G", &t, err, sizeof(err)), 0);
	EXPECT_EQ(t.iops, 0);
	EXPECT_EQ(t.bps, 0);
}

TEST(good_strings)
{
	char err[256];

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *c = &good[i];
		struct target t;
		if (!c->image)
			continue;
		err[0] = '\0';
		int rc = target_parse(c->in, &t, err, sizeof(err));
		if (rc)
			printf("case \"%s\": %s\n", c->in, err);
		EXPECT_EQ(rc, 0);
		EXPECT_EQ(t.size, c->size);
		EXPECT_STR(t.image, c->image);
		EXPECT_STR(t.save, c->save);
		EXPECT_EQ(t.sector_size, c->sector_size);
	}
}

TEST(bad_strings)
{
	char err[256];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct target t;
		memset(&t, 0x5a, sizeof(t));
		err[0] = '\0';
		int rc = target_parse(bad[i].in, &t, err, sizeof(err));
		if (rc != -EINVAL || strcmp(err, bad[i].err) != 0)
			printf("case \"%s\": rc %d, err \"%s\"\n", bad[i].in, rc, err);
		EXPECT_EQ(rc, -EINVAL);
		EXPECT_STR(err, bad[i].err);
		EXPECT(strchr(err, '\n') == NULL);
		EXPECT_EQ(t.size, 0x5a5a5a5a5a5a5a5aull); /* untouched on error */
	}
}

TEST(long_paths)
{
	static char in[PATH_MAX + 64];
	char err[256];
	struct target t;

	/* PATH_MAX - 1 bytes of path: fits. */
	int n = snprintf(in, sizeof(in), "size=1G,image=/");
	memset(in + n, 'a', PATH_MAX - 2);
	in[n + PATH_MAX - 2] = '\0';
	EXPECT_EQ(target_parse(in, &t, err, sizeof(err)), 0);
	EXPECT_EQ(strlen(t.image), PATH_MAX - 1);
	/* One more: too long. */
	in[n + PATH_MAX - 2] = 'a';
	in[n + PATH_MAX - 1] = '\0';
	EXPECT_EQ(target_parse(in, &t, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "image: path is longer than 4095 bytes");
}

TEST(oversized_input)
{
	static char in[20000];
	char err[256];
	struct target t;

	memset(in, ' ', sizeof(in) - 1);
	memcpy(in, "size=1G", 7);
	EXPECT_EQ(target_parse(in, &t, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "target is longer than 16384 bytes");
}

/* Long junk is quoted cut short, so the message stays one short line. */
TEST(long_junk_is_cut)
{
	static char in[3000];
	char err[256];
	struct target t;

	memset(in, 'x', sizeof(in) - 3);
	memcpy(in + sizeof(in) - 3, "=1", 3);
	EXPECT_EQ(target_parse(in, &t, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "unknown key 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
			"(known: size, image, save, sector-size, iops, bps, "
			"iops-burst, bps-burst)");
	memcpy(in, "size=", 5);
	in[sizeof(in) - 3] = '\n';
	EXPECT_EQ(target_parse(in, &t, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "size: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not "
			"a number of bytes (e.g. 4G, 512M, 1048576)");
}

/* Random strings over the grammar's alphabet: never a crash; a refusal is
 * one printable line; an acceptance obeys every rule in target.h. */
TEST(random_strings)
{
	static const char alpha[] = "sizeimagvtor-=,/ \t0123456789KMGTkmgtiB\n\x01\xff.";
	uint64_t x = 88172645463325252ull;
	char in[64], err[128];
	unsigned accepted = 0;

	for (unsigned i = 0; i < 200000; i++) {
		struct target t;
		size_t n = i % (sizeof(in) - 1);
		for (size_t j = 0; j < n; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			in[j] = alpha[x % (sizeof(alpha) - 1)];
		}
		in[n] = '\0';
		/* Every third string is valid but for a random path, so that
		 * acceptances get checked too. */
		if (i % 3 == 0 && n >= 15) {
			memcpy(in, "size=1M,image=/", 15);
			for (size_t j = 15; j < n; j++)
				in[j] = "ab /.-_\xc3"[(unsigned char)in[j] % 8];
		}
		err[0] = '\0';
		int rc = target_parse(in, &t, err, sizeof(err));
		if (rc) {
			EXPECT_EQ(rc, -EINVAL);
			EXPECT(err[0] != '\0');
			for (const char *c = err; *c; c++)
				EXPECT(!iscntrl((unsigned char)*c));
			continue;
		}
		accepted++;
		EXPECT(t.size > 0 && t.size % t.sector_size == 0);
		EXPECT(t.sector_size == 512 || t.sector_size == 4096);
		EXPECT(t.image[0] == '\0' || t.image[0] == '/');
		EXPECT(t.save[0] == '\0' || t.save[0] == '/');
	}
	EXPECT(accepted > 0);
}

TEST(error_buffer_optional)
{
	struct target t;
	char small[8];

	EXPECT_EQ(target_parse("size=", &t, NULL, 0), -EINVAL);
	EXPECT_EQ(target_parse("size=1000", &t, small, sizeof(small)), -EINVAL);
	EXPECT_STR(small, "size: 1"); /* truncated, still terminated */
}

TEST(parse_size_values)
{
	uint64_t v;

	EXPECT_EQ(parse_size("0", &v), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(parse_size("18446744073709551615", &v), 0);
	EXPECT_EQ(v, UINT64_MAX);
	EXPECT_EQ(parse_size("18446744073709551616", &v), -ERANGE);
	EXPECT_EQ(parse_size("99999999999999999999999", &v), -ERANGE);
	EXPECT_EQ(parse_size("99999999999999999999999X", &v), -EINVAL);
	EXPECT_EQ(parse_size("18446744073709551615K", &v), -ERANGE);
	EXPECT_EQ(parse_size("16777215T", &v), 0);
	EXPECT_EQ(parse_size("16777216T", &v), -ERANGE);
	EXPECT_EQ(parse_size("3m", &v), 0);
	EXPECT_EQ(v, 3ull << 20);
	EXPECT_EQ(parse_size("3MiB", &v), 0);
	EXPECT_EQ(v, 3ull << 20);
	EXPECT_EQ(parse_size("3Mi", &v), -EINVAL);
	EXPECT_EQ(parse_size("3MB", &v), -EINVAL);
	EXPECT_EQ(parse_size("", &v), -EINVAL);
	EXPECT_EQ(parse_size(" 3", &v), -EINVAL);
	EXPECT_EQ(parse_size("3P", &v), -EINVAL);
}

/* The shared helpers of include/parse.h (config, target and memback-ctl). */
TEST(shared_parsers)
{
	char err[100] = "untouched";
	uint64_t v = 7;

	EXPECT_EQ(errorf(NULL, 0, -EIO, "x %d", 1), -EIO);
	EXPECT_EQ(errorf(err, 0, -EIO, "x %d", 1), -EIO);
	EXPECT_STR(err, "untouched");
	EXPECT_EQ(errorf(err, 6, -EINVAL, "%s", "a long reason"), -EINVAL);
	EXPECT_STR(err, "a lon");
	EXPECT_EQ(parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	EXPECT(v == UINT64_MAX);
	EXPECT_EQ(parse_uint("18446744073709551616", UINT64_MAX, &v), -EINVAL);
	EXPECT_EQ(parse_uint("17", 16, &v), -EINVAL);
	EXPECT_EQ(parse_uint("+1", 16, &v), -EINVAL);
	EXPECT_EQ(parse_uint("", 16, &v), -EINVAL);
	EXPECT_EQ(parse_uint_range("queues", "0", 1, 16, &v, err, sizeof(err)), -EINVAL);
	EXPECT_STR(err, "queues wants a number from 1 to 16, not \"0\"");
	EXPECT_EQ(parse_uint_range("queues", "16", 1, 16, &v, err, sizeof(err)), 0);
	EXPECT_EQ(v, 16);
	EXPECT_EQ(parse_size(NULL, &v), -EINVAL);
}

int main(void)
{
	RUN(qos_keys);
	RUN(good_strings);
	RUN(bad_strings);
	RUN(long_paths);
	RUN(oversized_input);
	RUN(long_junk_is_cut);
	RUN(random_strings);
	RUN(error_buffer_optional);
	RUN(parse_size_values);
	RUN(shared_parsers);
	return UNIT_RESULT();
}
