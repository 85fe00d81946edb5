/* Wire framing: header limits, argument splitting, error names. */
#include <errno.h>

#include "../unit.h"
#include "xs_msg.h"

TEST(header_limit)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX };

	EXPECT_EQ(xs_msg_check_header(&h), 0);
	h.len = XENSTORE_PAYLOAD_MAX + 1;
	EXPECT_EQ(xs_msg_check_header(&h), -E2BIG);
	h.len = 0xffffffffu;
	EXPECT_EQ(xs_msg_check_header(&h), -E2BIG);
}

TEST(args_exact)
{
	const char *v[2];

	EXPECT_EQ(xs_msg_args("/a\0tok\0", 7, v, 2), 0);
	EXPECT_STR(v[0], "/a");
	EXPECT_STR(v[1], "tok");
	EXPECT_EQ(xs_msg_args("/a\0", 3, v, 1), 0);
	EXPECT_STR(v[0], "/a");
}

TEST(args_rejects)
{
	const char *v[2];

	EXPECT_EQ(xs_msg_args("", 0, v, 1), -EINVAL);           /* nothing */
	EXPECT_EQ(xs_msg_args("/a", 2, v, 1), -EINVAL);         /* no NUL */
	EXPECT_EQ(xs_msg_args("/a\0tok", 6, v, 2), -EINVAL);    /* last unterminated */
	EXPECT_EQ(xs_msg_args("/a\0b\0c\0", 7, v, 2), -EINVAL); /* one too many */
	EXPECT_EQ(xs_msg_args("/a\0\0", 4, v, 1), -EINVAL);     /* trailing bytes */
	EXPECT_EQ(xs_msg_args("/a", 2, v, 2), -EINVAL);         /* one short */
}

TEST(args_rest)
{
	const char *v[2];
	size_t rest = 99;

	EXPECT_EQ(xs_msg_args_rest("/p\0va\0lue", 9, v, 2, &rest), 0);
	EXPECT_STR(v[0], "/p");
	EXPECT_EQ(rest, 6);
	EXPECT(memcmp(v[1], "va\0lue", 6) == 0);
	EXPECT_EQ(xs_msg_args_rest("/p\0", 3, v, 2, &rest), 0);
	EXPECT_EQ(rest, 0);
	EXPECT_EQ(xs_msg_args_rest("/p", 2, v, 2, &rest), -EINVAL);
}

TEST(error_names)
{
	EXPECT_STR(xs_msg_errname(EACCES), "EACCES");
	EXPECT_STR(xs_msg_errname(ENOENT), "ENOENT");
	EXPECT_STR(xs_msg_errname(EAGAIN), "EAGAIN");
	EXPECT_STR(xs_msg_errname(E2BIG), "E2BIG");
	EXPECT_STR(xs_msg_errname(123456), "EINVAL");
}

TEST(type_names)
{
	EXPECT_STR(xs_msg_typename(XS_READ), "READ");
	EXPECT_STR(xs_msg_typename(XS_DIRECTORY_PART), "DIRECTORY_PART");
	EXPECT_STR(xs_msg_typename(XS_TYPE_COUNT + 5), "?");
	EXPECT_STR(xs_msg_typename(0xffffffffu), "?");
}

TEST(parse_uint)
{
	unsigned v = 0;

	EXPECT_EQ(xs_msg_parse_uint("0", 10, &v), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(xs_msg_parse_uint("32752", 0x7ff0, &v), 0);
	EXPECT_EQ(v, 32752);
	EXPECT_EQ(xs_msg_parse_uint("32753", 0x7ff0, &v), -EINVAL);
	EXPECT_EQ(xs_msg_parse_uint("", 10, &v), -EINVAL);
	EXPECT_EQ(xs_msg_parse_uint("-1", 10, &v), -EINVAL);
	EXPECT_EQ(xs_msg_parse_uint(" 1", 10, &v), -EINVAL);
	EXPECT_EQ(xs_msg_parse_uint("1a", 10, &v), -EINVAL);
	EXPECT_EQ(xs_msg_parse_uint("99999999999999999999999", 0xffffffffu, &v), -EINVAL);
}

int main(void)
{
	RUN(header_limit);
	RUN(args_exact);
	RUN(args_rejects);
	RUN(args_rest);
	RUN(error_names);
	RUN(type_names);
	RUN(parse_uint);
	return UNIT_RESULT();
}
