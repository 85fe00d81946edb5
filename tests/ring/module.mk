# tests/ring/: unit tests of ring/ and its worker against stub Xen libraries.
RING_PURE_OBJS := $(BUILD)/ring/blkif_abi.o $(BUILD)/ring/validate.o

$(BUILD)/tests/test_ring_abi: $(BUILD)/tests/ring/test_ring_abi.o $(RING_PURE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# The worker links the stubs in place of -lxengnttab -lxenevtchn.
$(BUILD)/tests/test_ring_queue: $(BUILD)/tests/ring/test_ring_queue.o \
		$(BUILD)/tests/ring/xen_stub.o $(RING_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/test_ring_abi $(BUILD)/tests/test_ring_queue

# The persistent grant cache's bookkeeping, alone.
$(BUILD)/tests/test_pgrant: $(BUILD)/tests/ring/test_pgrant.o $(BUILD)/ring/pgrant.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/test_pgrant

# The frontend's slot layouts against the backend's copy-in, every ABI.
$(BUILD)/tests/test_ring_front_back: $(BUILD)/tests/ring/test_ring_front_back.o \
		$(BUILD)/tools/blkfront/abi.o $(RING_PURE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/test_ring_front_back

# gio's persistent mode against the stub grant table.
$(BUILD)/tests/test_gio_persistent: $(BUILD)/tests/ring/test_gio_persistent.o \
		$(BUILD)/tests/ring/xen_stub.o $(BUILD)/ring/gio.o $(BUILD)/ring/pgrant.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/test_gio_persistent

# Seeded random ring slots through validation (make check), and the same
# harness under libFuzzer on request (clang).
$(BUILD)/tests/test_validate_random: $(BUILD)/tests/ring/test_validate_random.o \
		$(BUILD)/tests/ring/validate_one.o $(RING_PURE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_validate_random

.PHONY: fuzz-validate
fuzz-validate: build-fuzz/fuzz_validate ## libFuzzer on request validation (clang)
	build-fuzz/fuzz_validate -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096
build-fuzz/fuzz_validate: tests/ring/fuzz_validate.c tests/ring/validate_one.c \
		ring/validate.c ring/blkif_abi.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) \
	  -o $@ $^

# Latency histograms and first-seen stamps, alone.
$(BUILD)/tests/test_latency: $(BUILD)/tests/ring/test_latency.o $(BUILD)/ring/latency.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_latency

# QoS token buckets on a synthetic clock, and the "qos" request syntax.
$(BUILD)/tests/test_qos: $(BUILD)/tests/ring/test_qos.o $(BUILD)/ring/qos.o \
		$(BUILD)/backend/qos_parse.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -pthread
TESTS += $(BUILD)/tests/test_qos

# The worker's poll window and kick throttle, as pure functions.
$(BUILD)/tests/test_adapt: $(BUILD)/tests/ring/test_adapt.o $(BUILD)/ring/adapt.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_adapt

# The in-flight table's record and resume plan, pure; its random share of
# the fuzz harness (inflight_one.c) runs here too.
$(BUILD)/tests/test_inflight: $(BUILD)/tests/ring/test_inflight.o \
		$(BUILD)/tests/ring/inflight_one.o $(BUILD)/ring/inflight.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_inflight

# libFuzzer on the resume planner (clang); `make fuzz` runs it with the rest.
.PHONY: fuzz-inflight
fuzz-inflight: build-fuzz/fuzz_inflight ## libFuzzer on the in-flight table's resume plan (clang)
	build-fuzz/fuzz_inflight -max_total_time=$${FUZZ_SECONDS:-60} -max_len=16384
build-fuzz/fuzz_inflight: tests/ring/fuzz_inflight.c tests/ring/inflight_one.c ring/inflight.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^
FUZZ_TARGETS += fuzz_inflight
fuzz fuzz-merge: build-fuzz/fuzz_inflight

# A queue process killed at each instant of a pass (a forked child on the
# same guest memory, disk and in-flight table), and the next one resuming.
$(BUILD)/tests/test_ring_resume: $(BUILD)/tests/ring/test_ring_resume.o \
		$(BUILD)/tests/ring/xen_stub.o $(BUILD)/tools/blkfront/abi.o \
		$(RING_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_ring_resume
