# Unit tests of the daemon's pure parts: xenbus state machine, frontend
# negotiation, watch paths, command line.
$(BUILD)/tests/test_xenbus_fsm: $(BUILD)/tests/daemon/test_xenbus_fsm.o $(BUILD)/xenstore/xenbus_fsm.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/test_negotiation: $(BUILD)/tests/daemon/test_negotiation.o $(BUILD)/xenstore/frontend.o \
		$(BUILD)/xenstore/xs_util.o $(BUILD)/backend/config.o $(TARGET_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS)

TESTS += $(BUILD)/tests/test_xenbus_fsm $(BUILD)/tests/test_negotiation

# The log module: per-device, per-kind rate limits and the suppressed count.
$(BUILD)/tests/test_log: $(BUILD)/tests/daemon/test_log.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_log
