/* Permission entries: parsing, formatting, who may do what. */
#include <errno.h>

#include "../unit.h"
#include "xs_perms.h"

TEST(parse_one)
{
	struct xs_permissions p;

	EXPECT_EQ(xs_perm_parse("r5", &p), 0);
	EXPECT_EQ(p.id, 5);
	EXPECT_EQ(p.perms, XS_PERM_READ);
	EXPECT_EQ(xs_perm_parse("w0", &p), 0);
	EXPECT_EQ(p.perms, XS_PERM_WRITE);
	EXPECT_EQ(xs_perm_parse("b12", &p), 0);
	EXPECT_EQ(p.perms, XS_PERM_READ | XS_PERM_WRITE);
	EXPECT_EQ(xs_perm_parse("n65535", &p), 0);
	EXPECT_EQ(p.perms, XS_PERM_NONE);
	EXPECT_EQ(p.id, 65535);
}

TEST(parse_rejects)
{
	static const char *const bad[] = {
		"", "r", "x1", "R1", "r-1", "r+1", "r 1", "r1 ", "r0x1", "r65536",
		"r99999999999999999999", "rr1",
	};
	struct xs_permissions p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(xs_perm_parse(bad[i], &p), -EINVAL);
}

TEST(parse_list)
{
	struct xs_permissions p[4];

	EXPECT_EQ(xs_perms_parse_list("n0\0r1\0", 6, p, 4), 2);
	EXPECT_EQ(p[0].id, 0);
	EXPECT_EQ(p[1].id, 1);
	EXPECT_EQ(p[1].perms, XS_PERM_READ);
	EXPECT_EQ(xs_perms_parse_list("n0", 2, p, 4), -EINVAL);     /* no NUL */
	EXPECT_EQ(xs_perms_parse_list("", 0, p, 4), -EINVAL);       /* none */
	EXPECT_EQ(xs_perms_parse_list("n0\0\0", 4, p, 4), -EINVAL); /* empty */
	EXPECT_EQ(xs_perms_parse_list("n0\0r1\0r2\0", 9, p, 2), -EINVAL);
	EXPECT_EQ(xs_perms_parse_list("n0\0q1\0", 6, p, 4), -EINVAL);
}

TEST(format)
{
	struct xs_permissions p = { .id = 7, .perms = XS_PERM_READ };
	char buf[16];

	EXPECT_EQ(xs_perm_format(&p, buf, sizeof(buf)), 2);
	EXPECT_STR(buf, "r7");
	p.perms = XS_PERM_READ | XS_PERM_WRITE;
	xs_perm_format(&p, buf, sizeof(buf));
	EXPECT_STR(buf, "b7");
	p.perms = XS_PERM_WRITE;
	xs_perm_format(&p, buf, sizeof(buf));
	EXPECT_STR(buf, "w7");
	p.perms = XS_PERM_NONE;
	p.id = 12345;
	xs_perm_format(&p, buf, sizeof(buf));
	EXPECT_STR(buf, "n12345");
	EXPECT_EQ(xs_perm_format(&p, buf, 4), -EINVAL);
}

TEST(access_rules)
{
	/* (n0,r1): dom0 owns it, dom1 may read, everyone else nothing. */
	const struct xs_permissions ro[] = { { 0, XS_PERM_NONE }, { 1, XS_PERM_READ } };
	const unsigned all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

	EXPECT_EQ(xs_perm_for(1, false, ro, 2), XS_PERM_READ);
	EXPECT_EQ(xs_perm_for(2, false, ro, 2), XS_PERM_NONE);
	EXPECT_EQ(xs_perm_for(0, true, ro, 2), all);
	/* An unprivileged owner may do everything. */
	const struct xs_permissions own[] = { { 3, XS_PERM_NONE } };
	EXPECT_EQ(xs_perm_for(3, false, own, 1), all);
	EXPECT_EQ(xs_perm_for(4, false, own, 1), XS_PERM_NONE);
	/* The first entry's access is everyone's default. */
	const struct xs_permissions pub[] = { { 0, XS_PERM_READ }, { 5, XS_PERM_NONE } };
	EXPECT_EQ(xs_perm_for(9, false, pub, 2), XS_PERM_READ);
	EXPECT_EQ(xs_perm_for(5, false, pub, 2), XS_PERM_NONE);
	/* Privilege wins over anything, even an empty list. */
	EXPECT_EQ(xs_perm_for(0, true, NULL, 0), all);
	EXPECT_EQ(xs_perm_for(1, false, NULL, 0), XS_PERM_NONE);
}

int main(void)
{
	RUN(parse_one);
	RUN(parse_rejects);
	RUN(parse_list);
	RUN(format);
	RUN(access_rules);
	return UNIT_RESULT();
}
