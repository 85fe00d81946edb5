# memback: one top-level Makefile. Each module adds its own rules in its
# module.mk (included below) and appends to BINS, LIBS and TESTS.
#
#   make              build everything into build/
#   make help         list every target (each rule line's "## text")

CC      ?= cc
SAN     ?=
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wcast-qual -Wsign-compare -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
CFLAGS  += $(WARN) -std=gnu11 -D_GNU_SOURCE -fPIC -pthread -MMD -MP -Iinclude
LDFLAGS += -pthread

ifeq ($(SAN),1)
BUILD   := build-asan
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
endif

BINS  :=
LIBS  :=
TESTS :=
# Code every program may link: logging.
COMMON_OBJS := $(BUILD)/backend/log.o $(BUILD)/backend/log_syslog.o
# Each module's objects, by file name (defined here so that every module.mk
# can use them in prerequisites, whatever order they are included in).
objs_of = $(patsubst %.c,$(BUILD)/%.o,$(1))
POOL_OBJS     := $(call objs_of,$(wildcard backend/pool*.c))
BACKEND_OBJS  := $(call objs_of,$(filter-out backend/log.c backend/log_syslog.c backend/pool%.c,$(wildcard backend/*.c)))
RING_OBJS     := $(call objs_of,$(wildcard ring/*.c))
TARGET_OBJS   := $(BUILD)/xenstore/target.o
XENSTORE_OBJS := $(call objs_of,$(filter-out xenstore/target.c,$(wildcard xenstore/*.c)))
# Programs link Debian's real Xen libraries; on the simulated host the
# drop-in libxengnttab/libxenevtchn in $(BUILD)/lib are found first through
# LD_LIBRARY_PATH, with no relink.
XEN_LIBS := -lxenstore -lxengnttab -lxenevtchn

.PHONY: all check check-asan demo deps clean install help
all:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Prerequisites may name another module's variables as $$(VAR), whatever the
# include order.
.SECONDEXPANSION:
include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))

all: $(BINS) $(LIBS) $(TESTS) ## build every program and test into build/

deps: ## install missing build dependencies (Debian 12, as root)
	@tools/install-deps.sh

check: deps ## build and run the test suite (ends with "N passed, N failed")
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run-tests.sh $(TESTS)

check-asan: deps ## the suite under AddressSanitizer + UBSan (into build-asan/)
	@$(MAKE) --no-print-directory SAN=1 all
	@BUILD=build-asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run-tests.sh $(patsubst build/%,build-asan/%,$(TESTS))

demo: deps ## run memback on the simulated Xen host
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tools/demo.sh

# The daemon, memback-ctl, the hotplug script where xl looks for it, man
# pages, the systemd units.
PREFIX  ?= /usr/local
DESTDIR ?=
install: $(BUILD)/memback $(BUILD)/memback-ctl ## install (PREFIX=/usr/local, DESTDIR= for staging)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)/etc/xen/scripts $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/memback $(BUILD)/memback-ctl $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 tools/hotplug/memback $(DESTDIR)/etc/xen/scripts/memback
	install -m 0644 backend/memback.8 tools/ctl/memback-ctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)/etc/memback
	install -m 0644 backend/memback.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)/etc/modprobe.d
	install -m 0644 tools/modprobe/memback.conf $(DESTDIR)/etc/modprobe.d/memback.conf
	[ -e $(DESTDIR)/etc/memback/memback.conf ] || \
	  install -m 0644 backend/memback.conf $(DESTDIR)/etc/memback/memback.conf
	install -d $(DESTDIR)/lib/systemd/system
	for u in memback memback-shutdown; do \
	  sed 's|@SBINDIR@|$(PREFIX)/sbin|' tools/systemd/$$u.service.in \
	    >$(DESTDIR)/lib/systemd/system/$$u.service; done

clean: ## remove build/ and build-asan/
	rm -rf build build-asan

# Every target that has "## what it does" on its rule line, from every
# makefile read (tests/pkg/test_make_help.sh checks none is missing).
help: ## list the targets
	@awk -F':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  make %-16s %s\n", $$1, $$2 }' \
	  $(MAKEFILE_LIST)

-include $(shell find $(BUILD) \( -path $(BUILD)/realxen -o -path $(BUILD)/deb \) -prune -o -name '*.d' -type f -print 2>/dev/null)
