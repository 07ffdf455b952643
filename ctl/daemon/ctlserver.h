/* SPDX-License-Identifier: GPL-2.0 */
/* The control socket: root-only requests from ctlx, and `events` followers. */
#ifndef CRMGUARD_CTLSERVER_H
#define CRMGUARD_CTLSERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

/*
 * Runs one request. Writes what ctlx prints to out and err, returns the
 * exit code; sets *follow to keep the client for live records.
 */
typedef int (*ctl_handler)(void *ctx, int argc, char **argv, FILE *out, FILE *err, bool *follow);

struct ctlserver;

int ctlserver_open(struct ctlserver **out, const char *path, ctl_handler h, void *ctx,
		   char *err, size_t errlen);
void ctlserver_close(struct ctlserver *s);
int ctlserver_fd(const struct ctlserver *s);
/* Accepts and answers the clients waiting on the socket. */
void ctlserver_accept(struct ctlserver *s);
/* Sends one record to every follower; a follower that cannot keep up is dropped. */
void ctlserver_broadcast(struct ctlserver *s, const char *line);
size_t ctlserver_followers(const struct ctlserver *s);

#endif
