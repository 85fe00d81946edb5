# The simulated host's shared state and the drop-in Xen libraries.
#
# SIMHOST_OBJS: what the xensim CLI (and tests) link to drive the host
# (simhost.h). The two libraries carry their own copy of the shared-state
# code, hidden behind their version scripts.
XSL := tools/xensim/lib
XSL_B := $(BUILD)/$(XSL)

# grant.o, gntjournal.o, reclaim.o: the host (simhost.c) also undoes what
# dead processes held.
SIMCORE_OBJS := $(XSL_B)/simshm.o $(XSL_B)/pagealloc.o $(XSL_B)/grant.o \
	$(XSL_B)/gntjournal.o $(XSL_B)/reclaim.o
SIMHOST_OBJS := $(SIMCORE_OBJS) $(XSL_B)/simhost.o

XSL_GNTTAB_OBJS := $(SIMCORE_OBJS) $(XSL_B)/gntdev.o \
	$(XSL_B)/gnttab.o $(XSL_B)/gntcopy.o $(XSL_B)/gntshr.o $(XSL_B)/evtsend.o
XSL_EVTCHN_OBJS := $(SIMCORE_OBJS) $(XSL_B)/evtchn.o $(XSL_B)/evtsend.o

$(BUILD)/lib/libxengnttab.so.1: $(XSL_GNTTAB_OBJS) $(XSL)/libxengnttab.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libxengnttab.so.1 -Wl,-z,defs \
	  -Wl,--version-script,$(XSL)/libxengnttab.map $(LDFLAGS) \
	  -o $@ $(XSL_GNTTAB_OBJS)

$(BUILD)/lib/libxenevtchn.so.1: $(XSL_EVTCHN_OBJS) $(XSL)/libxenevtchn.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libxenevtchn.so.1 -Wl,-z,defs \
	  -Wl,--version-script,$(XSL)/libxenevtchn.map $(LDFLAGS) \
	  -o $@ $(XSL_EVTCHN_OBJS)

LIBS += $(BUILD)/lib/libxengnttab.so.1 $(BUILD)/lib/libxenevtchn.so.1
