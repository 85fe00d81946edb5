CONFIG_OBJS := $(call objs_of,$(wildcard backend/config*.c))
# Unit tests of the daemon's pure parts: xenbus state machine, frontend
# negotiation, watch paths, command line.
$(BUILD)/tests/test_xenbus_fsm: $(BUILD)/tests/daemon/test_xenbus_fsm.o $(BUILD)/xenstore/xenbus_fsm.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/test_negotiation: $(BUILD)/tests/daemon/test_negotiation.o $(BUILD)/xenstore/frontend.o \
		$(BUILD)/xenstore/xs_util.o $(CONFIG_OBJS) $(TARGET_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS)

# The settings: command line, config file, reload.
$(BUILD)/tests/test_config: $(BUILD)/tests/daemon/test_config.o $(CONFIG_OBJS) \
		$(BUILD)/backend/image_path.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_config

TESTS += $(BUILD)/tests/test_xenbus_fsm $(BUILD)/tests/test_negotiation

# The log module: per-device, per-kind rate limits and the suppressed count.
$(BUILD)/tests/test_log: $(BUILD)/tests/daemon/test_log.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_log

$(BUILD)/tests/test_housekeeping: $(BUILD)/tests/daemon/test_housekeeping.o \
		$(BUILD)/backend/housekeeping.o $(POOL_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_housekeeping

# The daemon-wide queue budget (threads and fds).
$(BUILD)/tests/test_queue_budget: $(BUILD)/tests/daemon/test_queue_budget.o $(BUILD)/backend/queue_budget.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_queue_budget
