/*
 * One hostile ring slot through translation and validation, with the
 * invariants every accepted request must keep. Shared by the libFuzzer
 * target (fuzz_validate.c) and the seeded random test in make check
 * (test_validate_random.c). Returns the status; a broken invariant aborts.
 */
#ifndef MEMBACK_TESTS_VALIDATE_ONE_H
#define MEMBACK_TESTS_VALIDATE_ONE_H

#include <stddef.h>
#include <stdint.h>

int validate_one(const uint8_t *data, size_t len);

#endif
