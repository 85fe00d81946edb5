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
