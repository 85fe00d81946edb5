# tests/xenstored: the simulated xenstored. Unit tests of its pure parts,
# a libxenstore client against a started host, a raw-socket fuzz of bad
# messages, and Debian's xenstore-* tools.
XSTD_B := $(BUILD)/tests/xenstored
XSTD_UNIT := test_xs_path test_xs_perms test_xs_msg test_xs_store
$(XSTD_B)/%.o: CFLAGS += -Itools/xensim

$(BUILD)/tests/test_xs_path: $(XSTD_B)/test_xs_path.o $(BUILD)/tools/xensim/xs_path.o
$(BUILD)/tests/test_xs_perms: $(XSTD_B)/test_xs_perms.o $(BUILD)/tools/xensim/xs_perms.o
$(BUILD)/tests/test_xs_msg: $(XSTD_B)/test_xs_msg.o $(BUILD)/tools/xensim/xs_msg.o
$(BUILD)/tests/test_xs_store: $(XSTD_B)/test_xs_store.o $(patsubst %,$(BUILD)/tools/xensim/xs_%.o,\
	store tree txn path perms)
$(patsubst %,$(BUILD)/tests/%,$(XSTD_UNIT)):
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

TESTS += $(patsubst %,$(BUILD)/tests/%,$(XSTD_UNIT))

# Against a started host: libxenstore as dom0 and as guests.
XSTD_CLIENTS := test_xs_client test_xs_domains test_xs_malformed test_xs_backpressure
$(BUILD)/tests/test_xs_client: $(XSTD_B)/test_xs_client.o $(XSTD_B)/xst_host.o
$(BUILD)/tests/test_xs_domains: $(XSTD_B)/test_xs_domains.o $(XSTD_B)/xst_host.o
$(BUILD)/tests/test_xs_malformed: $(XSTD_B)/test_xs_malformed.o $(XSTD_B)/xst_host.o
$(BUILD)/tests/test_xs_backpressure: $(XSTD_B)/test_xs_backpressure.o $(XSTD_B)/xst_host.o
$(patsubst %,$(BUILD)/tests/%,$(XSTD_CLIENTS)): | $(BUILD)/xensim
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lxenstore
TESTS += $(patsubst %,$(BUILD)/tests/%,$(XSTD_CLIENTS))

# Shell tests: Debian's xenstore-* tools, and the xensim command itself.
TESTS += tests/xenstored/test_xenstore_tools.sh tests/xenstored/test_xensim_cli.sh
