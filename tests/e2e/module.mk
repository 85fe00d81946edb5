# End-to-end tests: the real memback binary on the simulated host. The
# guest programs run inside simulated guests on the userspace blkfront.
GUESTS := guest_io guest_resize guest_proto guest_grants guest_stats guest_storm
GUEST_COMMON_OBJ := $(BUILD)/tests/e2e/guest_common.o

$(foreach g,$(GUESTS),$(BUILD)/tests/$(g)): $(BUILD)/tests/%: $(BUILD)/tests/e2e/%.o \
		$(GUEST_COMMON_OBJ) $$(BLKFRONT_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm -pthread
$(BUILD)/tests/e2e/%.o: CFLAGS += -D__XEN_TOOLS__=1 -Itools/blkfront
BINS += $(foreach g,$(GUESTS),$(BUILD)/tests/$(g))

# The scripts run the shipped binaries: memback, memback-ctl, xensim, the
# simulated Xen libraries and the guest programs.
TESTS += tests/e2e/test_io.sh tests/e2e/test_lifecycle.sh tests/e2e/test_guests.sh \
	 tests/e2e/test_grants.sh tests/e2e/test_resize.sh tests/e2e/test_protocol.sh \
	 tests/e2e/test_stats.sh tests/e2e/test_top.sh tests/e2e/test_qos.sh
# memback.conf and SIGHUP.
TESTS += tests/e2e/test_config.sh
# A case per XSA class (issue 13).
TESTS += tests/e2e/test_xsa.sh
# Frontend states 7 and 8, reconnect after Closed.
TESTS += tests/e2e/test_states.sh
# The daemon-wide queue budget (threads, fds: issue 13 item 4).
TESTS += tests/e2e/test_budget.sh
# Guests come and go in every grant mode; everything back at baseline.
TESTS += tests/e2e/test_soak.sh
.PHONY: soak
soak: all ## the soak test long: SOAK_ROUNDS (40) guests per grant mode
	@SOAK_ROUNDS=$${SOAK_ROUNDS:-40} BUILD=$(BUILD) tests/run-tests.sh tests/e2e/test_soak.sh
# A guest writing its own nodes in a loop (the watch-storm cases).
$(BUILD)/tests/guest_xs_storm: $(BUILD)/tests/e2e/guest_xs_storm.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lxenstore
BINS += $(BUILD)/tests/guest_xs_storm
# Memory goes back to dom0 after detach and discard (issue 12).
TESTS += tests/e2e/test_memory.sh
# Memory hygiene and the kernel backend check.
TESTS += tests/e2e/test_hygiene.sh
# XSA-332: an event-channel storm (issue 13, with the worker of issue 12).
TESTS += tests/e2e/test_kick_storm.sh
# The daemon-wide grant-mapping budget (issue 13 item 4).
TESTS += tests/e2e/test_grant_budget.sh
# Image files: locks, saves off the main loop, memback-ctl save.
TESTS += tests/e2e/test_images.sh
# Every shape across chunk and page boundaries, every mode and sector size.
TESTS += tests/e2e/test_boundaries.sh
# A frontend in the backend's own domain (the bootloader's disk).
TESTS += tests/e2e/test_bootloader.sh
# The restart tests' verifier: a guest that keeps a shadow of its disk
# (issue 14). Its shadow logic has a unit test of its own.
$(BUILD)/tests/guest_verify: $(BUILD)/tests/e2e/guest_verify.o $(BUILD)/tests/e2e/verify_io.o \
		$(BUILD)/tests/e2e/verify_shadow.o \
		$(GUEST_COMMON_OBJ) $$(BLKFRONT_OBJS) $(BUILD)/xenstore/xs_util.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm -pthread
BINS += $(BUILD)/tests/guest_verify
$(BUILD)/tests/test_verify_shadow: $(BUILD)/tests/e2e/test_verify_shadow.o \
		$(BUILD)/tests/e2e/verify_shadow.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
TESTS += $(BUILD)/tests/test_verify_shadow
# Verifier guests ride out memback frozen under I/O (SIGSTOP/SIGCONT).
TESTS += tests/e2e/test_verify_pause.sh
# kill -9 memback under verified I/O from three guests, once and 20 times;
# SIGTERM invisible, SIGUSR2 closes for good (issue 14).
TESTS += tests/e2e/test_restart.sh
# Restart, the daemon's side: what the state directory keeps, refusals,
# devices gone or closed meanwhile (the kill loops under I/O: test_restart.sh).
TESTS += tests/e2e/test_adopt.sh
# kill -9 memback during attach, detach, resize, discards and a save;
# damaged state refused, a second memback refused (issue 14).
TESTS += tests/e2e/test_restart_ops.sh
