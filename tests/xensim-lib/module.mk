# tests/xensim-lib: the drop-in libxengnttab / libxenevtchn on a temp host.
# The unit tests link the library objects directly (they also peek at the
# shared state); test_xensim_dropin links Debian's real libraries and runs
# itself again with LD_LIBRARY_PATH=$(BUILD)/lib, as the daemon would.
XSLT_B := $(BUILD)/tests/xensim-lib
XSL_ALL_OBJS = $(sort $(SIMHOST_OBJS) $(XSL_GNTTAB_OBJS) $(XSL_EVTCHN_OBJS))

$(XSLT_B)/%.o: CFLAGS += -Itools/xensim/lib

$(BUILD)/tests/test_xensim_gnttab: $(XSLT_B)/test_xensim_gnttab.o $$(XSL_ALL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/test_xensim_evtchn: $(XSLT_B)/test_xensim_evtchn.o $$(XSL_ALL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# Order-only on the drop-in libraries: the test loads them at run time.
$(BUILD)/tests/test_xensim_dropin: $(XSLT_B)/test_xensim_dropin.o $$(SIMHOST_OBJS) \
		| $(BUILD)/lib/libxengnttab.so.1 $(BUILD)/lib/libxenevtchn.so.1
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lxengnttab -lxenevtchn

TESTS += $(BUILD)/tests/test_xensim_gnttab $(BUILD)/tests/test_xensim_evtchn \
	$(BUILD)/tests/test_xensim_dropin
