# ring/: the blkif ring, request validation, grant handling, queue workers.
RING_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard ring/*.c))
