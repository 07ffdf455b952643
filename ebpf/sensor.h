/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records the process sensor (sensor.bpf.c) puts on the ring buffer.
 * Shared by the BPF side and crmguardd: plain structs and defines only,
 * included after vmlinux.h (BPF) or <linux/types.h> (userland).
 */
#ifndef CRMGUARD_SENSOR_H
#define CRMGUARD_SENSOR_H

#define SENSOR_COMM_LEN 16
#define SENSOR_FILENAME_LEN 256

/* Values of the `tracked` map: why the kernel reports on a process. */
#define SENSOR_TRACKED 1	/* opened a protected file, or a child of one */
/* Values of the `display` map: a tainted process, if it connects to a display server. */
#define SENSOR_DISPLAY_AUDIT 1	/* report the connection */
#define SENSOR_DISPLAY_BLOCK 2	/* and refuse the connect() (the display guard), or kill the
				 * process before it returns from it (the sensor's tracepoint) */
/* In a SENSOR_DISPLAY record only: */
#define SENSOR_DISPLAY_KILLED 3	/* killed at a send to a display server that connect() named
				 * another way (the display guard) */
/* Values of the `injected` map. */
#define SENSOR_INJECTED 1	/* runs LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH code */

enum sensor_event_type {
	SENSOR_EXEC = 1,	/* pid ran execve; filename is what it asked for */
	SENSOR_FORK = 2,	/* pid is a new process, ppid its parent */
	SENSOR_EXIT = 3,	/* the last thread of pid exited */
	SENSOR_DISPLAY = 4,	/* pid in `display` called connect() to a display server
				 * (or, SENSOR_DISPLAY_KILLED, sent to one):
				 * exe_dev is the address family, exe_ino the TCP port,
				 * filename the unix path (abstract: "" then the name),
				 * exit_code the `display` value */
	SENSOR_RMMOD = 5,	/* pid called delete_module(): filename is the module's
				 * name, exit_code its flags (O_TRUNC: forced); the
				 * call may fail (a locked crmguard.ko) */
	SENSOR_RECEIVED = 6,	/* pid received on a unix socket that ppid, in `tracked`,
				 * sent on (the display guard); once a socket */
	SENSOR_FIFO = 7,	/* pid opened the FIFO (or, through /proc/PID/fd, the pipe)
				 * exe_dev, exe_ino: to write, pid in `tracked`; or to read,
				 * one in `fifos`, as ppid's (a writer) that it is, or any
				 * pipe (ppid 0 if not in `fifos`).
				 * exit_code: SENSOR_FIFO_* */
	SENSOR_ATTACHED = 8,	/* pid can read and write the memory of ppid, in `tracked`,
				 * or ppid can pid's: ptrace, process_vm_readv, /proc/PID/mem,
				 * pidfd_getfd (the kernel's ptrace access check, attach mode) */
};

/* SENSOR_FIFO: how the channel was opened, and what it is. */
#define SENSOR_FIFO_WRITES 1	/* opened for writing (else for reading) */
#define SENSOR_FIFO_PIPE 2	/* a pipe (exe_dev 0), not a FIFO */

/* A key of the `fifos` map: a FIFO by its device (as st_dev) and number; a pipe by its number, dev 0. */
struct sensor_fifo {
	__u64 dev;
	__u64 ino;
};

struct sensor_event {
	__u32 type;
	__u32 pid;		/* thread group id */
	__u32 ppid;
	__u32 uid;
	__u32 loginuid;		/* (__u32)-1 where unset or without audit */
	__u32 exit_code;	/* as wait(2) gives it: status << 8, or the signal (| 0x80: core) */
	__u64 exe_dev;		/* userland dev_t encoding, the kernel's device (inode_dev.bpf.h) */
	__u64 exe_ino;
	char comm[SENSOR_COMM_LEN];
	char filename[SENSOR_FILENAME_LEN];
	/*
	 * SENSOR_EXIT: the bytes the process's read and write calls moved in
	 * its life, all threads (/proc/PID/io rchar, wchar); 0 where the
	 * kernel keeps no such count (CONFIG_TASK_XACCT).
	 */
	__u64 rchar, wchar;
};

#endif
