/* memback-ctl qos: show or change a disk's QoS limits through the daemon. */
#ifndef MEMBACK_CTL_QOS_H
#define MEMBACK_CTL_QOS_H

/* argv: "qos" <domid> <vdev> [iops=N] [bps=B] [iops-burst=N] [bps-burst=B]
 * [none] [--control PATH]; an exit status. */
int ctl_qos(int argc, char **argv, const char *default_control);

#endif
