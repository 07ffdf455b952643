/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clipboard refusals held by the BPF LSM (clip_lsm.bpf.c): the maps
 * crmguardd fills, pinned under ENFORCE_PIN_DIR with the file rules', and
 * the records the programs put on their ring buffer. Plain structs and
 * defines only, included after vmlinux.h (BPF) or <linux/types.h>
 * (userland).
 */
#ifndef CRMGUARD_CLIP_LSM_H
#define CRMGUARD_CLIP_LSM_H

#include "caller.h"

#define CLIP_MAX_TAINTED 65536
#define CLIP_MAX_EXES 256	/* clipboard tools, and binaries allowed the display */

/* clip_mode[0]: the policy's `clipboard` */
#define CLIP_OFF 0		/* no policy pushed yet: nothing seen */
#define CLIP_AUDIT 1		/* recorded */
#define CLIP_BLOCK 2		/* refused, EPERM, and recorded */

/* clip_tools and clip_allow: a binary, its device as in inode_dev.bpf.h, and its number */
struct clip_inode {
	__u64 dev;
	__u64 ino;
};

enum clip_what {
	CLIP_CONNECT = 1,	/* connect() to a display server */
	CLIP_EXEC = 2,		/* exec of a clipboard tool */
};

#define CLIP_ADDR_LEN 108	/* sun_path */

struct clip_event {
	__u32 what;		/* enum clip_what */
	__u32 audit;		/* seen, not refused (clipboard audit) */
	__u32 family;		/* CONNECT: AF_UNIX, AF_INET, AF_INET6 */
	__u32 port;		/* CONNECT: TCP */
	struct clip_inode tool;	/* EXEC */
	char addr[CLIP_ADDR_LEN];	/* CONNECT, unix: the path; abstract: "" then the name */
	struct caller who;
};

#endif
