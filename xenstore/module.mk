# xenstore/: xenstore glue, the xenbus state machine, params parsing
# (object lists are in the top Makefile).
