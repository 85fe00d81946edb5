# tests/fuzz/: `make fuzz` runs every libFuzzer target (clang) for
# FUZZ_SECONDS each (default 60), starting from the corpus kept in
# tests/fuzz/corpus/<target>/ (new inputs go to build-fuzz/corpus/, so the
# tree stays clean; `make fuzz-merge` minimises them into the tree).
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -fsanitize=fuzzer,address,undefined \
	       -fno-sanitize-recover=undefined
FUZZ_TARGETS := fuzz_validate fuzz_target fuzz_frontend fuzz_xs_msg fuzz_xs_watchconn

build-fuzz/fuzz_frontend: tests/daemon/fuzz_frontend.c xenstore/frontend.c xenstore/xenbus_fsm.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -D__XEN_TOOLS__=1 -o $@ $^
build-fuzz/fuzz_xs_msg: tests/xenstored/fuzz_xs_msg.c tools/xensim/xs_msg.c tools/xensim/xs_path.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -Itools/xensim -o $@ $^

build-fuzz/fuzz_xs_watchconn: tests/daemon/fuzz_xs_watchconn.c xenstore/xs_watchconn.c backend/log.c \
		backend/log_syslog.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^

.PHONY: fuzz fuzz-merge
fuzz: $(addprefix build-fuzz/,$(FUZZ_TARGETS)) ## every libFuzzer target for FUZZ_SECONDS (60) each, under nice
	@tests/fuzz/run.sh $(FUZZ_TARGETS)
fuzz-merge: $(addprefix build-fuzz/,$(FUZZ_TARGETS)) ## minimise build-fuzz/corpus into tests/fuzz/corpus
	@tests/fuzz/run.sh --merge $(FUZZ_TARGETS)
