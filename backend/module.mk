# backend/: the daemon. Objects by file name, so new files need no edit here.
POOL_OBJS    := $(patsubst %.c,$(BUILD)/%.o,$(wildcard backend/pool*.c))
BACKEND_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out backend/log.c backend/pool%.c,$(wildcard backend/*.c)))
