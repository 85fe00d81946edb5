#!/bin/bash
# Boot Xen 4.17 + dom0 under QEMU's software emulation (no usable VT-x here:
# see shared/REAL-XEN.md) and keep the serial console as a log. dom0's init
# runs the scenario and reboots at the end; -no-reboot turns that into QEMU
# exiting. The timeout bounds a hung run.
#   boot.sh CACHE_DIR SERIAL_LOG [SECONDS]
set -eu
CACHE=${1:?usage: boot.sh CACHE_DIR SERIAL_LOG [SECONDS]}
SERIAL=${2:?usage: boot.sh CACHE_DIR SERIAL_LOG [SECONDS]}
LIMIT=${3:-900}
KVER=$(ls "$CACHE/kernel/lib/modules")
# -cpu qemu64: with "max,-smap,-smep" (what shared/REAL-XEN.md booted with)
# Xen and dom0 boot, but dom0's userspace then sees corrupted memory: glibc
# heap corruption aborts (even in bash), and memback's writes land as zeros,
# with grant copy and with grant map alike, while the kernel's blkback
# (kernel memcpy, no AVX) is not hit. With "max,-smap,-smep,-avx,-avx2" the
# whole-disk check passed but dom0's init later stalled: AVX state is
# suspect, not proven. qemu64 (no AVX, no XSAVE) verified every byte in
# every run. (With plain
# "max", dom0 faults at once in create_bounce_frame.) QEMU_CPU overrides.
# -m 6144 (QEMU_MEM overrides): 2 GB for dom0 (its root, brd, the qdisk file
# on tmpfs and memback's pool), the rest for guests: the bench guest takes
# 2.75 GB for blkfront's persistent-grant pages (guest-bench.cfg), and
# gnttab_max_frames lets its grant table hold them.
# dom0's kernel and initramfs are multiboot modules; QEMU separates module
# arguments with commas, so the module list is "kernel ARGS,initrd" (a comma
# inside ARGS is doubled).
# DOM0_ARGS: more dom0 kernel arguments; name=value ones reach dom0-init as
# environment variables (xstrace=1: keep xenstored's trace; mbmode=map|
# persistent: memback's --grant-mode; mbpoll=N: its --poll-us;
# benchmodes=copy,persistent: the grant modes the benchmark measures;
# benchonly=1: the benchmark alone; restartonly=1: the restart scenario
# alone, dom0-restart). QEMU_ACCEL: e.g. tcg,thread=single.
ARGS=${DOM0_ARGS:-}
exec timeout --foreground -k 10 "$LIMIT" qemu-system-x86_64 \
	-accel "${QEMU_ACCEL:-tcg}" -cpu "${QEMU_CPU:-qemu64}" -m "${QEMU_MEM:-6144}" -smp 2 \
	-display none -serial stdio -monitor none -no-reboot \
	-kernel "$CACHE/xen.elf" \
	-append 'console=com1 com1=115200,8n1 dom0_mem=2048M gnttab_max_frames=1280 loglvl=all guest_loglvl=all' \
	-initrd "$CACHE/kernel/boot/vmlinuz-$KVER console=hvc0 earlyprintk=xen panic=-1 ${ARGS//,/,,},$CACHE/dom0.cpio" \
	</dev/null >"$SERIAL" 2>&1
