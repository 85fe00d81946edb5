/* memback-ctl resize: grow or shrink a connected disk through the daemon. */
#ifndef MEMBACK_CTL_RESIZE_H
#define MEMBACK_CTL_RESIZE_H

/* argv: "resize" <domid> <vdev> <size> [--control PATH]; an exit status. */
int ctl_resize(int argc, char **argv, const char *default_control);

#endif
