# Benchmarks: figures, never pass/fail. `make bench` runs them (it may
# install gnuplot and perf); `make check` runs only a quick smoke of the
# script (tests/bench/smoke_bench.sh) that needs neither.
$(BUILD)/tests/memcpy_bw: $(BUILD)/tests/bench/memcpy_bw.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
BINS += $(BUILD)/tests/memcpy_bw

# LD_PRELOAD heap-allocation counter for the daemon under the bench.
$(BUILD)/tests/liballoc_count.so: $(BUILD)/tests/bench/alloc_count.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^
LIBS += $(BUILD)/tests/liballoc_count.so

TESTS += tests/bench/smoke_bench.sh

.PHONY: bench
bench: all ## print end-to-end and pool benchmark figures
	@BUILD=$(BUILD) tests/bench/bench_e2e.sh
