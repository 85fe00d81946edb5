# memback-ctl: attach/detach as libxl does.
CTL_OBJS := $(BUILD)/tools/ctl/ctl.o $(BUILD)/tools/ctl/attach.o $(BUILD)/tools/ctl/vdev.o \
	$(BUILD)/tools/ctl/resize.o $(BUILD)/tools/ctl/query.o $(BUILD)/tools/ctl/top.o $(BUILD)/tools/ctl/qos.o \
	$(BUILD)/tools/ctl/top_view.o $(BUILD)/ring/latency.o \
	$(BUILD)/tools/ctl/save.o $(BUILD)/tools/ctl/shutdown.o \
	$(TARGET_OBJS) \
	$(BUILD)/xenstore/xs_util.o

$(BUILD)/memback-ctl: $(CTL_OBJS) $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS)
BINS += $(BUILD)/memback-ctl

$(BUILD)/tests/test_vdev: $(BUILD)/tests/ctl/test_vdev.o $(BUILD)/tools/ctl/vdev.o $(BUILD)/xenstore/xs_util.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS)
TESTS += $(BUILD)/tests/test_vdev
TESTS += tests/ctl/test_attach_nodes.sh tests/ctl/test_shutdown_client.sh \
	tests/ctl/test_shutdown_daemon.sh

$(BUILD)/tests/test_top_view: $(BUILD)/tests/ctl/test_top_view.o $(BUILD)/tools/ctl/top_view.o \
		$(BUILD)/ring/latency.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_top_view
