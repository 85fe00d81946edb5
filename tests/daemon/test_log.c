/* The log module: token buckets, per-device and per-kind rate limits, the
 * suppressed count, the device prefix. Output is caught by pointing stderr
 * at a temporary file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "../unit.h"

#define SEC 1000000000ull

static FILE *captured;
static int saved_stderr = -1;

static void capture_start(void)
{
	fflush(stderr);
	captured = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(captured), 2);
}

/* Stop capturing; the text caught, malloc'd. */
static char *capture_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	long n = ftell(captured);
	char *s = calloc(1, (size_t)n + 1);
	rewind(captured);
	if (fread(s, 1, (size_t)n, captured) != (size_t)n)
		s[0] = 0;
	fclose(captured);
	return s;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

TEST(bucket_burst_then_refill_reports_suppressed)
{
	struct log_bucket b = { .last_ns = 100 * SEC, .tokens = LOG_BURST };
	unsigned dropped = 99;

	for (unsigned i = 0; i < LOG_BURST; i++)
		EXPECT(log_bucket_take(&b, 100 * SEC, &dropped));
	EXPECT_EQ(dropped, 0);
	for (unsigned i = 0; i < 5; i++)
		EXPECT(!log_bucket_take(&b, 100 * SEC + SEC / 2, &dropped));
	EXPECT_EQ(b.suppressed, 5);
	/* One second later one token: the line prints, and says 5 were lost. */
	EXPECT(log_bucket_take(&b, 101 * SEC, &dropped));
	EXPECT_EQ(dropped, 5);
	EXPECT_EQ(b.suppressed, 0);
	EXPECT(!log_bucket_take(&b, 101 * SEC, &dropped));
	/* A long quiet time refills to the burst, not beyond. */
	unsigned ok = 0;
	for (unsigned i = 0; i < 3 * LOG_BURST; i++)
		ok += log_bucket_take(&b, 1000 * SEC, NULL);
	EXPECT_EQ(ok, LOG_BURST);
}

TEST(bucket_clock_going_back_is_harmless)
{
	struct log_bucket b = { .last_ns = 50 * SEC, .tokens = 0 };

	EXPECT(!log_bucket_take(&b, 10 * SEC, NULL));
	EXPECT_EQ(b.tokens, 0);
	EXPECT(log_bucket_take(&b, 51 * SEC, NULL));
}

TEST(prefix_is_set_once)
{
	struct log_dev ld;

	log_dev_init(&ld, "vbd %u/%u", 3u, 51712u);
	EXPECT_STR(ld.prefix, "vbd 3/51712");
	capture_start();
	log_dev(&ld, LOG_INFO, "InitWait (frontend %s)", "/x");
	log_dev(NULL, LOG_INFO, "no device");
	char *out = capture_end();
	EXPECT(strstr(out, "info: vbd 3/51712: InitWait (frontend /x)\n") != NULL);
	EXPECT(strstr(out, "info: no device\n") != NULL);
	free(out);
}

/* A flood from one device leaves another device's bucket and another
 * kind's bucket of the same device untouched. */
TEST(per_device_and_per_kind)
{
	struct log_dev noisy, quiet;

	log_dev_init(&noisy, "vbd 1/51712");
	log_dev_init(&quiet, "vbd 2/51712");
	capture_start();
	for (unsigned i = 0; i < 1000; i++)
		log_dev_rl(&noisy, LOG_KIND_REQUEST, LOG_WARN, "bad request %u", i);
	log_dev_rl(&noisy, LOG_KIND_GRANT, LOG_WARN, "grant failed");
	log_dev_rl(&quiet, LOG_KIND_REQUEST, LOG_WARN, "quiet bad request");
	char *out = capture_end();
	EXPECT_EQ(count(out, "vbd 1/51712: bad request"), LOG_BURST);
	EXPECT_EQ(count(out, "vbd 1/51712: grant failed"), 1);
	EXPECT_EQ(count(out, "vbd 2/51712: quiet bad request"), 1);
	free(out);

	capture_start();
	log_dev_flush(&noisy);
	log_dev_flush(&noisy); /* printed once */
	out = capture_end();
	EXPECT_EQ(count(out, "vbd 1/51712: 990 request messages suppressed"), 1);
	EXPECT_EQ(count(out, "suppressed"), 1);
	free(out);
}

/* The count comes out with the first line after the bucket refills, and the
 * periodic tick prints it even when no line follows. */
TEST(suppressed_count_on_refill)
{
	struct log_dev ld;

	log_dev_init(&ld, "vbd 4/768");
	for (unsigned k = 0; k < LOG_KIND_COUNT; k++)
		ld.bucket[k].last_ns -= 5 * SEC; /* as if five seconds old */
	ld.bucket[LOG_KIND_IO].tokens = 0;
	ld.bucket[LOG_KIND_IO].suppressed = 7;
	ld.bucket[LOG_KIND_RING].tokens = 0;
	ld.bucket[LOG_KIND_RING].suppressed = 3;
	capture_start();
	log_dev_rl(&ld, LOG_KIND_IO, LOG_WARN, "out of pool memory");
	log_dev_tick(&ld);
	char *out = capture_end();
	const char *sup = strstr(out, "vbd 4/768: 7 I/O messages suppressed");
	const char *line = strstr(out, "vbd 4/768: out of pool memory");
	EXPECT(sup && line && sup < line);
	EXPECT(strstr(out, "vbd 4/768: 3 ring messages suppressed") != NULL);
	free(out);
}

TEST(level_filters_rate_limited_lines_too)
{
	struct log_dev ld;

	log_dev_init(&ld, "vbd 5/768");
	log_set_level(LOG_WARN);
	capture_start();
	for (unsigned i = 0; i < 100; i++)
		log_dev_rl(&ld, LOG_KIND_REQUEST, LOG_DEBUG, "debug %u", i);
	char *out = capture_end();
	log_set_level(LOG_INFO);
	EXPECT_EQ(out[0], 0);
	EXPECT_EQ(ld.bucket[LOG_KIND_REQUEST].tokens, LOG_BURST);
	free(out);
	EXPECT_STR(log_kind_name(LOG_KIND_XENSTORE), "xenstore");
	EXPECT_STR(log_kind_name(LOG_KIND_COUNT), "?");
}

int main(void)
{
	RUN(bucket_burst_then_refill_reports_suppressed);
	RUN(bucket_clock_going_back_is_harmless);
	RUN(prefix_is_set_once);
	RUN(per_device_and_per_kind);
	RUN(suppressed_count_on_refill);
	RUN(level_filters_rate_limited_lines_too);
	return UNIT_RESULT();
}
