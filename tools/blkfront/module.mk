# tools/blkfront: a userspace blkfront library, and the blkfront CLI (load
# generator and verifier) built on it.
BLKFRONT_PURE_OBJS := $(BUILD)/tools/blkfront/segments.o \
                      $(BUILD)/tools/blkfront/abi.o \
                      $(BUILD)/tools/blkfront/pattern.o \
                      $(BUILD)/tools/blkfront/latency.o \
                      $(BUILD)/tools/blkfront/args.o
BLKFRONT_LIB_OBJS  := $(BUILD)/tools/blkfront/blkfront.o \
                      $(BUILD)/tools/blkfront/blkfront_xs.o \
                      $(BUILD)/tools/blkfront/blkfront_queue.o \
                      $(BUILD)/tools/blkfront/blkfront_raw.o \
                      $(BUILD)/tools/blkfront/nodes.o \
                      $(BUILD)/tools/blkfront/abi.o \
                      $(BUILD)/tools/blkfront/segments.o
BLKFRONT_CLI_OBJS  := $(BUILD)/tools/blkfront/main.o \
                      $(BUILD)/tools/blkfront/load.o \
                      $(BUILD)/tools/blkfront/report.o
# Tests and tools that drive the library link these and $(XEN_LIBS).
BLKFRONT_OBJS      := $(sort $(BLKFRONT_LIB_OBJS) $(BLKFRONT_PURE_OBJS))

BINS += $(BUILD)/blkfront

$(BUILD)/blkfront: $(BLKFRONT_CLI_OBJS) $(BLKFRONT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) -lm

# Xen's tool headers (xenctrl.h, for the ring barriers) need __XEN_TOOLS__
# before any Xen header, whatever the include order.
$(BUILD)/tools/blkfront/%.o: CFLAGS += -D__XEN_TOOLS__=1
