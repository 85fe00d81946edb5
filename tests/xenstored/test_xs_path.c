/* xenstore node names: validity, canonical form, parents, relative watches. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "../unit.h"
#include "xs_path.h"

/* "/" followed by `n` bytes of 'a' (into a static buffer). */
static const char *long_path(const char *prefix, size_t n)
{
	static char buf[8192];
	size_t pl = strlen(prefix);

	memcpy(buf, prefix, pl);
	memset(buf + pl, 'a', n);
	buf[pl + n] = '\0';
	return buf;
}

TEST(valid_plain)
{
	EXPECT(xs_path_valid("/", false, false));
	EXPECT(xs_path_valid("/local/domain/1/name", false, false));
	EXPECT(xs_path_valid("/a-b_c/@x/09", false, false));
}

TEST(invalid_shapes)
{
	EXPECT(!xs_path_valid("", false, true));
	EXPECT(!xs_path_valid("local/domain", false, true));
	EXPECT(!xs_path_valid("/a/", false, true));
	EXPECT(!xs_path_valid("/a//b", false, true));
	EXPECT(!xs_path_valid("//", false, true));
}

TEST(invalid_chars)
{
	EXPECT(!xs_path_valid("/a b", false, true));
	EXPECT(!xs_path_valid("/a.b", false, true));
	EXPECT(!xs_path_valid("/a\nb", false, true));
	EXPECT(!xs_path_valid("/a\xc3\xa9", false, true));
	EXPECT(!xs_path_valid("/a*", false, true));
}

TEST(special_names)
{
	EXPECT(xs_path_valid("@introduceDomain", true, false));
	EXPECT(xs_path_valid("@releaseDomain", true, false));
	EXPECT(!xs_path_valid("@introduceDomain", false, true));
	EXPECT(!xs_path_valid("@", true, true));
	EXPECT(!xs_path_valid("@a/b", true, true));
	EXPECT(!xs_path_valid("@a b", true, true));
}

TEST(absolute_length_limit)
{
	EXPECT(xs_path_valid(long_path("/", XENSTORE_ABS_PATH_MAX - 1), false, true));
	EXPECT(!xs_path_valid(long_path("/", XENSTORE_ABS_PATH_MAX), false, true));
}

TEST(relative_length_limit_for_guests)
{
	const char *home = "/local/domain/7/";

	EXPECT(xs_path_valid(long_path(home, XENSTORE_REL_PATH_MAX), false, false));
	EXPECT(!xs_path_valid(long_path(home, XENSTORE_REL_PATH_MAX + 1), false, false));
	/* dom0 is held to the absolute limit only. */
	EXPECT(xs_path_valid(long_path(home, XENSTORE_REL_PATH_MAX + 1), false, true));
	/* Outside any home, the whole name counts. */
	EXPECT(!xs_path_valid(long_path("/x", XENSTORE_REL_PATH_MAX), false, false));
}

TEST(canonical_relative)
{
	char out[XS_PATH_BUF];
	bool rel = false;

	EXPECT_EQ(xs_path_canonical(3, false, "data/x", false, out, &rel), 0);
	EXPECT_STR(out, "/local/domain/3/data/x");
	EXPECT(rel);
	EXPECT_EQ(xs_path_canonical(3, false, "/local/x", false, out, &rel), 0);
	EXPECT_STR(out, "/local/x");
	EXPECT(!rel);
}

TEST(canonical_rejects)
{
	char out[XS_PATH_BUF];
	bool rel;

	EXPECT_EQ(xs_path_canonical(3, false, "", false, out, &rel), -EINVAL);
	EXPECT_EQ(xs_path_canonical(3, false, "a/", false, out, &rel), -EINVAL);
	EXPECT_EQ(xs_path_canonical(3, false, "@releaseDomain", false, out, &rel),
		  -EINVAL);
	EXPECT_EQ(xs_path_canonical(3, false, "@releaseDomain", true, out, &rel), 0);
	EXPECT_EQ(xs_path_canonical(0, true, long_path("/", 5000), false, out, &rel),
		  -EINVAL);
	EXPECT_EQ(xs_path_canonical(0, true, long_path("", 3070), false, out, &rel),
		  -EINVAL);
}

TEST(is_child)
{
	EXPECT(xs_path_is_child("/a/b", "/a"));
	EXPECT(xs_path_is_child("/a", "/a"));
	EXPECT(!xs_path_is_child("/ab", "/a"));
	EXPECT(!xs_path_is_child("/a", "/a/b"));
	EXPECT(xs_path_is_child("/x/y", "/"));
	EXPECT(!xs_path_is_child("@releaseDomain", "/"));
}

TEST(parent_and_base)
{
	EXPECT_EQ(xs_path_parent_len("/a/b/c"), 4);
	EXPECT_EQ(xs_path_parent_len("/a"), 1);
	EXPECT_EQ(xs_path_parent_len("/"), 0);
	EXPECT_STR(xs_path_base("/a/b"), "b");
	EXPECT_STR(xs_path_base("/"), "");
}

TEST(strip_home)
{
	const char *home = "/local/domain/3";

	EXPECT_STR(xs_path_strip_home("/local/domain/3/data/x", strlen(home)), "data/x");
	EXPECT_STR(xs_path_strip_home("/local/domain/3/data", 0), "/local/domain/3/data");
	EXPECT_STR(xs_path_strip_home("/x", strlen(home)), "/x");
}

int main(void)
{
	RUN(valid_plain);
	RUN(invalid_shapes);
	RUN(invalid_chars);
	RUN(special_names);
	RUN(absolute_length_limit);
	RUN(relative_length_limit_for_guests);
	RUN(canonical_relative);
	RUN(canonical_rejects);
	RUN(is_child);
	RUN(parent_and_base);
	RUN(strip_home);
	return UNIT_RESULT();
}
