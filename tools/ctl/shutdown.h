/* memback-ctl shutdown: ask the daemon to close every device for good. */
#ifndef MEMBACK_CTL_SHUTDOWN_H
#define MEMBACK_CTL_SHUTDOWN_H

/* argv: "shutdown" [--timeout SECS] [--control PATH]; an exit status. */
int ctl_shutdown(int argc, char **argv, const char *default_control);

#endif
