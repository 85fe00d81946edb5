#ifndef MEMBACK_VDEV_H
#define MEMBACK_VDEV_H

/*
 * A virtual device name as xl accepts it -> the device id xenstore uses,
 * with libxl's rules: xvd<letters>[<part>] and d<N>p<M> (202<<8 | disk<<4 |
 * part when both fit in 4 bits, else the extended 1<<28 | disk<<8 | part),
 * hd[a-d][<part>] (majors 3 and 22), sd<letter>[<part>] (major 8), or a
 * plain device number. -EINVAL for anything else.
 */
int vdev_to_devid(const char *vdev, unsigned *devid);

#endif
