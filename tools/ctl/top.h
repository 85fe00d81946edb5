/* memback-ctl top: a live per-device view, refreshed each second. */
#ifndef MEMBACK_CTL_TOP_H
#define MEMBACK_CTL_TOP_H

/* argv: "top" [--delay SECS] [--iterations N] [--batch] [--control PATH];
 * an exit status. */
int ctl_top(int argc, char **argv, const char *default_control);

#endif
