/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clipboard-adjacent channels of tainted data: clipboard tools (xclip,
 * xsel, wl-copy, wl-paste, copyq) run by a tainted process or with tainted
 * input, and connections of tainted processes to the display server (X11:
 * /tmp/.X11-unix/X*, its abstract twin, TCP 6000+N; Wayland:
 * $XDG_RUNTIME_DIR/wayland-*). `clipboard audit` records each
 * (event=clipboard); `clipboard block` refuses the tool's exec with EPERM
 * (fanotify FAN_OPEN_PERM on the tools' binaries: every open of one), and ends a tainted
 * process that reaches the display server before the data reaches it:
 * the taint is found before the source's read is answered.
 *
 * Where the BPF LSM enforces the file rules, it holds the clipboard too
 * (clip_lsm.h): a tainted process's connect() to a display server is
 * refused with EPERM instead of killed, and that and the tools' exec stay
 * refused while crmguardd is stopped. Where crmguard.ko does, it holds
 * the tools' exec so (kmod/clip.c), each tainted process named to it.
 */
#ifndef CRMGUARD_CLIPBOARD_H
#define CRMGUARD_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct daemon;

/*
 * Marks the clipboard tools found on this system, and loads the BPF LSM's
 * programs where it enforces; -errno and why in err if a tool could not be
 * marked (the others are). Before the policy: it hands them theirs.
 */
int clipboard_open(struct daemon *d, char *err, size_t errlen);
void clipboard_close(void);
/* The descriptor to poll; -1 if there is none. */
int clipboard_fd(void);
/* What holds the clipboard refusals, for ctlx status. */
void clipboard_mechanism(const struct daemon *d, char *buf, size_t len);
/* Answers the execs of clipboard tools that are waiting, and logs the kernel's refusals. */
void clipboard_read_events(struct daemon *d);
/* pid was just tainted: the kernel is told, where it holds the refusals. */
void clipboard_taint(struct daemon *d, pid_t pid);
/* The policy was loaded: the kernel gets its clipboard mode and allowed binaries. */
void clipboard_policy(struct daemon *d);
/* pid was just tainted: is it a clipboard tool at work? true if it was recorded. */
bool clipboard_on_tainted(struct daemon *d, pid_t pid, const char *source);
/*
 * How the sensor meets a connect() of tainted pid to a display server:
 * SENSOR_DISPLAY_BLOCK, _AUDIT, or 0 for a binary `clipboard allow exe` names
 * and where the BPF LSM sees connect() itself.
 */
unsigned int clipboard_display_how(const struct daemon *d, pid_t pid);
/* The sensor saw a tainted process call connect() to a display server. */
void clipboard_on_connect(struct daemon *d, const struct sensor_event *e);
/* A child of a flow let through in mode audit is one too (xclip serves the selection so). */
void clipboard_on_fork(pid_t parent, pid_t child);
/* A tracked process exited: a flow of it let through in mode audit gets its byte counts. */
void clipboard_on_exit(struct daemon *d, const struct sensor_event *e);
/*
 * crmguard.ko refused (or, audit, saw) a tainted process's tool exec
 * (CRMGUARD_OP_CLIP_EXEC), or refused or ended (saw) its display
 * connection (CRMGUARD_OP_CLIP_CONNECT).
 */
struct kernel_verdict;
void clipboard_on_kmod(struct daemon *d, const struct kernel_verdict *v);
/* Tainted pid holds a connection to a display server ("x11", "wayland"). */
bool clipboard_on_display(struct daemon *d, pid_t pid, const char *display, const char *source);

#endif
