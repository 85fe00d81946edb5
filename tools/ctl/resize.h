/* memback-ctl resize and save: requests to the daemon about one disk. */
#ifndef MEMBACK_CTL_RESIZE_H
#define MEMBACK_CTL_RESIZE_H

/* argv: "resize" <domid> <vdev> <size> [--control PATH]; an exit status. */
int ctl_resize(int argc, char **argv, const char *default_control);

/* argv: "save" <domid> <vdev> [PATH] [--control PATH]; an exit status. */
int ctl_save(int argc, char **argv, const char *default_control);

#endif
