# xenstore/: xenstore glue, the xenbus state machine, params parsing.
TARGET_OBJS   := $(BUILD)/xenstore/target.o
XENSTORE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out xenstore/target.c,$(wildcard xenstore/*.c)))
