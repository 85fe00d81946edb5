# backend/: the daemon (object lists are in the top Makefile).
$(BUILD)/memback: $(BACKEND_OBJS) $(XENSTORE_OBJS) $(TARGET_OBJS) $(RING_OBJS) $(POOL_OBJS) $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS)
BINS += $(BUILD)/memback
