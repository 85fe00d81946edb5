# End-to-end tests: the real memback binary on the simulated host.
$(BUILD)/tests/guest_io: $(BUILD)/tests/e2e/guest_io.o $$(BLKFRONT_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm
$(BUILD)/tests/e2e/guest_io.o: CFLAGS += -D__XEN_TOOLS__=1 -Itools/blkfront
BINS += $(BUILD)/tests/guest_io
# The scripts run the shipped binaries: memback, memback-ctl, xensim, the
# simulated Xen libraries and guest_io.
E2E_TESTS := tests/e2e/test_io.sh tests/e2e/test_lifecycle.sh tests/e2e/test_guests.sh
TESTS += $(E2E_TESTS)
TESTS += tests/e2e/test_grants.sh

# The guest side of test_resize.sh.
$(BUILD)/tests/guest_resize: $(BUILD)/tests/e2e/guest_resize.o $$(BLKFRONT_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm
$(BUILD)/tests/e2e/guest_resize.o: CFLAGS += -D__XEN_TOOLS__=1 -Itools/blkfront
BINS += $(BUILD)/tests/guest_resize
TESTS += tests/e2e/test_resize.sh
# Protocol features (multi-page rings, queues, indirect, ABIs): guest_proto.
$(BUILD)/tests/guest_proto: $(BUILD)/tests/e2e/guest_proto.o $$(BLKFRONT_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm -pthread
$(BUILD)/tests/e2e/guest_proto.o: CFLAGS += -D__XEN_TOOLS__=1 -Itools/blkfront
BINS += $(BUILD)/tests/guest_proto
TESTS += tests/e2e/test_protocol.sh

# The guest side of test_grants.sh's edge cases.
$(BUILD)/tests/guest_grants: $(BUILD)/tests/e2e/guest_grants.o $$(BLKFRONT_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm
$(BUILD)/tests/e2e/guest_grants.o: CFLAGS += -D__XEN_TOOLS__=1 -Itools/blkfront
BINS += $(BUILD)/tests/guest_grants
