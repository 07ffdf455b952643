/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clipboard-adjacent channels of tainted data: clipboard tools (xclip,
 * xsel, wl-copy, wl-paste, copyq) run by a tainted process or with tainted
 * input, and connections of tainted processes to the display server (X11:
 * /tmp/.X11-unix/X*, its abstract twin, TCP 6000+N; Wayland:
 * $XDG_RUNTIME_DIR/wayland-*). `clipboard audit` records each
 * (event=clipboard); `clipboard block` refuses the tool's exec with EPERM
 * (fanotify FAN_OPEN_EXEC_PERM on the tools' binaries), and ends a tainted
 * process that reaches the display server before the data reaches it:
 * the taint is found before the source's read is answered.
 */
#ifndef CRMGUARD_CLIPBOARD_H
#define CRMGUARD_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct daemon;

/*
 * Marks the clipboard tools found on this system; -errno and why in err if
 * one could not be marked (the others are).
 */
int clipboard_open(char *err, size_t errlen);
void clipboard_close(void);
/* The fanotify descriptor to poll; -1 if there is none. */
int clipboard_fd(void);
/* Answers the execs of clipboard tools that are waiting. */
void clipboard_read_events(struct daemon *d);
/* pid was just tainted: is it a clipboard tool at work? true if it was recorded. */
bool clipboard_on_tainted(struct daemon *d, pid_t pid, const char *source);
/*
 * How the sensor meets a connect() of tainted pid to a display server:
 * SENSOR_DISPLAY_BLOCK, _AUDIT, or 0 for a binary `clipboard allow exe` names.
 */
unsigned int clipboard_display_how(const struct daemon *d, pid_t pid);
/* The sensor saw a tainted process call connect() to a display server. */
void clipboard_on_connect(struct daemon *d, const struct sensor_event *e);
/* Tainted pid holds a connection to a display server ("x11", "wayland"). */
bool clipboard_on_display(struct daemon *d, pid_t pid, const char *display, const char *source);

#endif
