# tests/pool/: the memory pool and the target-string parser.
POOL_TEST_LINK = @mkdir -p $(dir $@) && $(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/test_pool_map: $(BUILD)/tests/pool/test_pool_map.o $(BUILD)/backend/pool_map.o
	$(POOL_TEST_LINK)
$(BUILD)/tests/test_pool: $(BUILD)/tests/pool/test_pool.o $(POOL_OBJS) $(COMMON_OBJS)
	$(POOL_TEST_LINK)
$(BUILD)/tests/test_pool_threads: $(BUILD)/tests/pool/test_pool_threads.o $(POOL_OBJS) $(COMMON_OBJS)
	$(POOL_TEST_LINK)
$(BUILD)/tests/test_pool_adopt: $(BUILD)/tests/pool/test_pool_adopt.o $(POOL_OBJS) $(COMMON_OBJS)
	$(POOL_TEST_LINK)
$(BUILD)/tests/test_target: $(BUILD)/tests/pool/test_target.o $(TARGET_OBJS) $(COMMON_OBJS)
	$(POOL_TEST_LINK)
# A benchmark, built by `all` but not run by `check`.
$(BUILD)/tests/bench_pool: $(BUILD)/tests/pool/bench_pool.o $(POOL_OBJS) $(COMMON_OBJS)
	$(POOL_TEST_LINK)

TESTS += $(BUILD)/tests/test_pool_map $(BUILD)/tests/test_pool \
	 $(BUILD)/tests/test_pool_threads $(BUILD)/tests/test_target \
	 $(BUILD)/tests/test_pool_adopt
BINS  += $(BUILD)/tests/bench_pool

# libFuzzer target for target_parse: only on request, with clang.
.PHONY: fuzz-target
fuzz-target: build-fuzz/fuzz_target ## libFuzzer on the target-string parser (clang)
build-fuzz/fuzz_target: tests/pool/fuzz_target.c xenstore/target.c include/target.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) \
	  -o $@ tests/pool/fuzz_target.c xenstore/target.c
