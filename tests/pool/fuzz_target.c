/* libFuzzer entry for target_parse (`make fuzz-target`): any bytes must
 * give 0 with a target that obeys target.h, or -EINVAL with one printable
 * line; anything else aborts so the fuzzer keeps the input. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err)
{
	if (!err[0])
		abort();
	for (const char *c = err; *c; c++)
		if (iscntrl((unsigned char)*c))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct target t;
	char *s = malloc(size + 1);
	char err[256] = "";

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int rc = target_parse(s, &t, err, sizeof(err));
	if (rc == 0) {
		if (!t.size || t.size % t.sector_size ||
		    (t.sector_size != 512 && t.sector_size != 4096) ||
		    (t.image[0] && t.image[0] != '/') || (t.save[0] && t.save[0] != '/'))
			abort();
	} else if (rc == -EINVAL) {
		check_err(err);
	} else {
		abort();
	}
	free(s);
	return 0;
}
