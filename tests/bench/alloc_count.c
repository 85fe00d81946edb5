/*
 * LD_PRELOAD heap-allocation counter for the bench: how many times a
 * process called malloc, calloc, realloc and the aligned allocators.
 * The counts live in a shared file (ALLOC_COUNT_FILE, little-endian
 * uint64: malloc, calloc, realloc, aligned, then "apart": how many of them
 * were called from an object whose path contains ALLOC_COUNT_APART, so the
 * simulated Xen libraries' own allocations can be told from the daemon's)
 * that the bench reads while the process runs; only the program named by ALLOC_COUNT_EXE (its short name)
 * counts into it, so helpers the daemon's starter runs with the same
 * environment do not; comparing runs of N and 2N requests gives the allocations
 * per request without what a connection costs once.
 * glibc's __libc_* entry points do the real work, so no dlsym (which may
 * itself allocate) is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { AC_MALLOC, AC_CALLOC, AC_REALLOC, AC_ALIGNED, AC_APART, AC_NR };
#define MAX_RANGES 16

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void *memalign(size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);

/* Before the constructor has mapped the file, counts go here. */
static uint64_t early[AC_NR];
static uint64_t *counts = early;
/* The code of the objects counted apart, found once at start. */
static struct { uintptr_t lo, hi; } ranges[MAX_RANGES];
static int nr_ranges;

static bool apart(const void *caller)
{
	uintptr_t a = (uintptr_t)caller;

	for (int i = 0; i < nr_ranges; i++)
		if (a >= ranges[i].lo && a < ranges[i].hi)
			return true;
	return false;
}

static void count(int kind, const void *caller)
{
	__atomic_add_fetch(&counts[kind], 1, __ATOMIC_RELAXED);
	if (nr_ranges && apart(caller))
		__atomic_add_fetch(&counts[AC_APART], 1, __ATOMIC_RELAXED);
}

static int note_object(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *want = data;

	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, want))
		return 0;
	for (int i = 0; i < info->dlpi_phnum && nr_ranges < MAX_RANGES; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		ranges[nr_ranges].lo = info->dlpi_addr + ph->p_vaddr;
		ranges[nr_ranges].hi = ranges[nr_ranges].lo + ph->p_memsz;
		nr_ranges++;
	}
	return 0;
}

__attribute__((constructor)) static void ac_init(void)
{
	const char *path = getenv("ALLOC_COUNT_FILE");
	const char *exe = getenv("ALLOC_COUNT_EXE");
	uint64_t *map;
	int fd;

	if (!path || !exe || strcmp(exe, program_invocation_short_name))
		return;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (ftruncate(fd, 4096) == 0) {
		map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map != MAP_FAILED) {
			for (int i = 0; i < AC_NR; i++)
				__atomic_add_fetch(&map[i], early[i], __ATOMIC_RELAXED);
			counts = map;
		}
	}
	close(fd);
	/* Every object the program starts with is mapped by now. */
	if (getenv("ALLOC_COUNT_APART") && *getenv("ALLOC_COUNT_APART"))
		dl_iterate_phdr(note_object, getenv("ALLOC_COUNT_APART"));
}

void *malloc(size_t n)
{
	count(AC_MALLOC, __builtin_return_address(0));
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	count(AC_CALLOC, __builtin_return_address(0));
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	count(AC_REALLOC, __builtin_return_address(0));
	return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	count(AC_ALIGNED, __builtin_return_address(0));
	return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	count(AC_ALIGNED, __builtin_return_address(0));
	return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	count(AC_ALIGNED, __builtin_return_address(0));
	p = __libc_memalign(align, n);
	if (!p && n)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	count(AC_ALIGNED, __builtin_return_address(0));
	return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	count(AC_ALIGNED, __builtin_return_address(0));
	return __libc_memalign(pg, (n + pg - 1) & ~(pg - 1));
}
