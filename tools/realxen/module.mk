# make check-xen: memback under real Xen 4.17 nested in QEMU (tools/realxen/).
# Not part of make check: it needs root, network for the first run (about
# 100 MB of Debian packages, cached in build/realxen/) and several minutes.
$(BUILD)/realxen/xvfy: tools/realxen/xvfy.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 $(WARN) -std=gnu11 -o $@ $<

.PHONY: check-xen
check-xen: deps ## memback under real Xen 4.17 nested in QEMU (root)
	@$(MAKE) --no-print-directory all $(BUILD)/realxen/xvfy
	@tools/realxen/check-xen.sh $(BUILD)
