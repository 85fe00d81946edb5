/*
 * xvfy: the guest-side verifier of `make check-xen`. Runs inside a PV guest
 * on a real Linux blkfront disk (/dev/xvdX), with O_DIRECT so that every
 * byte goes through the ring and the backend, never the guest's page cache.
 * Built static: the guest's initramfs holds only busybox and this.
 *
 *   xvfy DEV fill SEED         write SEED's pattern over the whole disk (1 MiB I/Os)
 *   xvfy DEV check SEED        read the whole disk back and verify it
 *   xvfy DEV mixed SEED OPS    OPS random 4 KiB I/Os, 70% reads, on a disk that
 *                              holds SEED's pattern; every read is verified
 *                              against what the writes so far left there
 *   xvfy DEV zero MIB          the first MIB MiB read as zeros (a new disk)
 *   xvfy DEV bench             the benchmark table (1 MiB and 4 KiB, QD 1)
 *
 * Each 4 KiB block b of generation g holds 64-bit words base(seed,b,g) + i*K:
 * a block written to the wrong place, an old generation, or a torn block
 * all fail the check. Prints one line per run; exits 1 on any mismatch.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BLK 4096u
#define BIG (1024u * 1024u)
#define WORD_STEP 0x9E3779B97F4A7C15ull

static int fd;
static int quiet; /* after a few mismatches, count them without printing */
static uint64_t disk_bytes;
static const char *dev;

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t block_base(uint64_t seed, uint64_t blk, uint64_t gen)
{
	return mix(seed ^ mix(blk ^ (gen << 40)));
}

static void fill_block(uint64_t *w, uint64_t seed, uint64_t blk, uint64_t gen)
{
	uint64_t base = block_base(seed, blk, gen);
	for (unsigned i = 0; i < BLK / 8; i++)
		w[i] = base + i * WORD_STEP;
}

static int check_block(const uint64_t *w, uint64_t seed, uint64_t blk, uint64_t gen)
{
	uint64_t base = block_base(seed, blk, gen);
	for (unsigned i = 0; i < BLK / 8; i++) {
		if (w[i] != base + i * WORD_STEP) {
			if (quiet)
				return -1;
			fprintf(stderr, "xvfy: %s: MISMATCH at byte %" PRIu64
				" (block %" PRIu64 " gen %" PRIu64 "): got %016" PRIx64
				" want %016" PRIx64 "\n", dev, blk * BLK + i * 8, blk, gen,
				w[i], (uint64_t)(base + i * WORD_STEP));
			return -1;
		}
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xalloc(size_t n)
{
	void *p;
	if (posix_memalign(&p, BLK, n)) {
		fprintf(stderr, "xvfy: out of memory\n");
		exit(1);
	}
	return p;
}

/* Whole transfers or exit: a short or failed I/O is a failure of the disk. */
static void xio(int write, void *buf, size_t n, uint64_t off)
{
	ssize_t r = write ? pwrite(fd, buf, n, (off_t)off) : pread(fd, buf, n, (off_t)off);
	if (r != (ssize_t)n) {
		fprintf(stderr, "xvfy: %s: %s of %zu at %" PRIu64 ": %s\n", dev,
			write ? "write" : "read", n, off, r < 0 ? strerror(errno) : "short");
		exit(1);
	}
}

static int whole(uint64_t seed, int write)
{
	uint8_t *buf = xalloc(BIG);
	uint64_t bad = 0, zeros = 0;
	double t0 = now();
	for (uint64_t off = 0; off < disk_bytes; off += BIG) {
		size_t n = disk_bytes - off < BIG ? (size_t)(disk_bytes - off) : BIG;
		if (write) {
			for (size_t b = 0; b < n; b += BLK)
				fill_block((uint64_t *)(buf + b), seed, (off + b) / BLK, 0);
			xio(1, buf, n, off);
		} else {
			xio(0, buf, n, off);
			for (size_t b = 0; b < n; b += BLK) {
				const uint64_t *w = (const uint64_t *)(buf + b);
				quiet = bad >= 4;
				if (check_block(w, seed, (off + b) / BLK, 0)) {
					bad++;
					zeros += !w[0] && !w[BLK / 8 - 1];
				}
			}
		}
	}
	double dt = now() - t0;
	if (bad) {
		fprintf(stderr, "xvfy: %s: %" PRIu64 " of %" PRIu64 " blocks of 4 KiB wrong"
			" (%" PRIu64 " of them zeros)\n", dev, bad, disk_bytes / BLK, zeros);
		return 1;
	}
	printf("xvfy: %s: %s %" PRIu64 " MiB in %.2f s (%.1f MB/s)%s\n", dev,
	       write ? "wrote" : "read and verified", disk_bytes >> 20, dt,
	       disk_bytes / dt / 1e6, write ? "" : ": all bytes match");
	return 0;
}

static int mixed(uint64_t seed, unsigned long ops)
{
	uint64_t nblk = disk_bytes / BLK;
	uint16_t *gen = calloc(nblk, sizeof *gen);
	uint64_t *buf = xalloc(BLK);
	uint64_t rng = seed * 31 + 7, reads = 0, writes = 0;
	double t0 = now();
	if (!gen)
		return 1;
	for (unsigned long k = 0; k < ops; k++) {
		rng = mix(rng);
		uint64_t b = (rng >> 8) % nblk;
		if (rng % 10 < 7) {
			xio(0, buf, BLK, b * BLK);
			if (check_block(buf, seed, b, gen[b]))
				return 1;
			reads++;
		} else {
			gen[b]++;
			fill_block(buf, seed, b, gen[b]);
			xio(1, buf, BLK, b * BLK);
			writes++;
		}
	}
	double dt = now() - t0;
	printf("xvfy: %s: mixed %" PRIu64 " reads + %" PRIu64 " writes of 4 KiB at random"
	       " in %.2f s (%.0f IOPS): every read matched\n", dev, reads, writes, dt,
	       ops / dt);
	return 0;
}

static int zero(uint64_t mib)
{
	uint8_t *buf = xalloc(BIG);
	for (uint64_t m = 0; m < mib && m * BIG < disk_bytes; m++) {
		xio(0, buf, BIG, m * BIG);
		for (size_t i = 0; i < BIG; i++)
			if (buf[i]) {
				fprintf(stderr, "xvfy: %s: byte %" PRIu64 " is %u, want 0\n",
					dev, m * BIG + i, buf[i]);
				return 1;
			}
	}
	printf("xvfy: %s: first %" PRIu64 " MiB read as zeros\n", dev, mib);
	return 0;
}

/* One line per test, "FIG <dev> <test> <MB/s> <IOPS>", for the host's table. */
static void bench_one(const char *name, int write, size_t bs, unsigned count)
{
	uint8_t *buf = xalloc(bs);
	memset(buf, 0x5a, bs);
	double t0 = now();
	for (unsigned i = 0; i < count; i++)
		xio(write, buf, bs, (uint64_t)i * bs % disk_bytes);
	double dt = now() - t0;
	printf("FIG %s %s %.1f %.0f\n", dev, name, (double)bs * count / dt / 1e6, count / dt);
	free(buf);
}

static int bench(void)
{
	bench_one("write-1MiBx128", 1, BIG, 128);
	bench_one("read-1MiBx128", 0, BIG, 128);
	bench_one("write-4KiBx2048-qd1", 1, BLK, 2048);
	bench_one("read-4KiBx2048-qd1", 0, BLK, 2048);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: xvfy DEV fill|check|mixed|zero|bench [SEED|MIB] [OPS]\n");
		return 2;
	}
	dev = argv[1];
	const char *cmd = argv[2];
	uint64_t arg = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	fd = open(dev, (strcmp(cmd, "fill") && strcmp(cmd, "mixed") && strcmp(cmd, "bench")
			? O_RDONLY : O_RDWR) | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &disk_bytes) < 0) {
		fprintf(stderr, "xvfy: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (!strcmp(cmd, "fill"))
		return whole(arg, 1);
	if (!strcmp(cmd, "check"))
		return whole(arg, 0);
	if (!strcmp(cmd, "mixed"))
		return mixed(arg, argc > 4 ? strtoul(argv[4], NULL, 0) : 4096);
	if (!strcmp(cmd, "zero"))
		return zero(arg);
	if (!strcmp(cmd, "bench"))
		return bench();
	fprintf(stderr, "xvfy: unknown command %s\n", cmd);
	return 2;
}
