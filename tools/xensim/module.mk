# tools/xensim: the simulated Xen host's command (xensim) and its xenstored.
XS_SRV_OBJS := $(call objs_of,$(wildcard tools/xensim/xs_*.c))
XENSIM_OBJS := $(call objs_of,$(wildcard tools/xensim/xensim*.c))

$(BUILD)/xensim: $(XENSIM_OBJS) $(XS_SRV_OBJS) $$(SIMHOST_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ -lxenstore
BINS += $(BUILD)/xensim
