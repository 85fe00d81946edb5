# Benchmarks: figures, never pass/fail. `make bench` runs them.
$(BUILD)/tests/memcpy_bw: $(BUILD)/tests/bench/memcpy_bw.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
BINS += $(BUILD)/tests/memcpy_bw

.PHONY: bench
bench: all ## print end-to-end and pool benchmark figures
	@BUILD=$(BUILD) tests/bench/bench_e2e.sh
