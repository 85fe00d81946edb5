# ring/: the blkif ring, request validation, grant handling, queue workers
# (object lists are in the top Makefile).
