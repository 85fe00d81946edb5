/* libFuzzer target: `make fuzz-inflight` (clang). See inflight_one.h. */
#include <stddef.h>
#include <stdint.h>

#include "inflight_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	inflight_one(data, len);
	return 0;
}
