/*
 * A minimal unit-test harness. A test file defines cases with TEST(name) and
 * lists them in main with RUN(name). Each case prints "PASS: name" or
 * "FAIL: name: file:line: expr"; main returns non-zero if any failed.
 * Include the .c under test to reach its static functions when needed.
 */
#ifndef MEMBACK_TESTS_UNIT_H
#define MEMBACK_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_total;
static int unit_case_failed;

#define TEST(name) static void test_##name(void)

#define EXPECT(cond)                                                        \
	do {                                                                \
		if (!(cond)) {                                              \
			printf("FAIL: %s: %s:%d: %s\n", unit_case_name,     \
			       __FILE__, __LINE__, #cond);                   \
			unit_case_failed = 1;                               \
			return;                                             \
		}                                                           \
	} while (0)

#define EXPECT_EQ(a, b)                                                     \
	do {                                                                \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b); \
		if (unit_a_ != unit_b_) {                                   \
			printf("FAIL: %s: %s:%d: %s == %s (%lld != %lld)\n",  \
			       unit_case_name, __FILE__, __LINE__, #a, #b,  \
			       unit_a_, unit_b_);                           \
			unit_case_failed = 1;                               \
			return;                                             \
		}                                                           \
	} while (0)

#define EXPECT_STR(a, b)                                                    \
	do {                                                                \
		const char *unit_sa_ = (a), *unit_sb_ = (b);                \
		if (strcmp(unit_sa_, unit_sb_) != 0) {                      \
			printf("FAIL: %s: %s:%d: \"%s\" != \"%s\"\n",         \
			       unit_case_name, __FILE__, __LINE__, unit_sa_, \
			       unit_sb_);                                   \
			unit_case_failed = 1;                               \
			return;                                             \
		}                                                           \
	} while (0)

static const char *unit_case_name = "";

#define RUN(name)                                                           \
	do {                                                                \
		unit_case_name = #name;                                     \
		unit_case_failed = 0;                                       \
		fflush(stdout);                                             \
		test_##name();                                              \
		if (!unit_case_failed)                                      \
			printf("PASS: %s\n", #name);                        \
		unit_failed_total += unit_case_failed;                      \
		fflush(stdout);                                             \
	} while (0)

#define UNIT_RESULT() (unit_failed_total ? 1 : 0)

#endif
