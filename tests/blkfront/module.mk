# tests/blkfront: unit tests of the blkfront tool's pure parts, and a smoke
# test of the frontend on the simulated host.
BF_UNIT_TESTS := test_bf_segments test_bf_latency test_bf_pattern test_bf_args test_bf_abi
TESTS += $(patsubst %,$(BUILD)/tests/%,$(BF_UNIT_TESTS)) tests/blkfront/smoke_sim.sh

$(BUILD)/tests/test_bf_segments: $(BUILD)/tests/blkfront/test_bf_segments.o $(BUILD)/tools/blkfront/segments.o
$(BUILD)/tests/test_bf_latency: $(BUILD)/tests/blkfront/test_bf_latency.o $(BUILD)/tools/blkfront/latency.o
$(BUILD)/tests/test_bf_pattern: $(BUILD)/tests/blkfront/test_bf_pattern.o $(BUILD)/tools/blkfront/pattern.o
$(BUILD)/tests/test_bf_args: $(BUILD)/tests/blkfront/test_bf_args.o $(BUILD)/tools/blkfront/args.o
$(BUILD)/tests/test_bf_abi: $(BUILD)/tests/blkfront/test_bf_abi.o $(BUILD)/tools/blkfront/abi.o

$(patsubst %,$(BUILD)/tests/%,$(BF_UNIT_TESTS)):
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm
