/*
 * One hostile in-flight table and shared rsp_prod through the resume
 * planner, with the invariants every plan must keep (bounded redo, entries
 * that match their ring indexes, resume at rsp_prod). Shared by the
 * libFuzzer target (fuzz_inflight.c) and the seeded random test in make
 * check (test_inflight.c). A broken invariant aborts.
 */
#ifndef MEMBACK_TESTS_INFLIGHT_ONE_H
#define MEMBACK_TESTS_INFLIGHT_ONE_H

#include <stddef.h>
#include <stdint.h>

/* Returns the plan's verdict. */
int inflight_one(const uint8_t *data, size_t len);

#endif
