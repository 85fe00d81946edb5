/* libFuzzer target: `make fuzz-validate` (clang). See validate_one.h. */
#include <stddef.h>
#include <stdint.h>

#include "validate_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	validate_one(data, len);
	return 0;
}
