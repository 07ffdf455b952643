// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "ctl/daemon/logsink.h"
#include "ctl/lib/record.h"

#define FACILITY_AUTHPRIV 10

void logsink_init(struct logsink *ls, const char *socket_path, bool echo)
{
	memset(ls, 0, sizeof(*ls));
	ls->socket_path = socket_path;
	ls->fd = -1;
	ls->echo = echo;
}

static int connect_log(struct logsink *ls)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (ls->fd >= 0)
		return 0;
	ls->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls->fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ls->socket_path);
	if (connect(ls->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(ls->fd);
		ls->fd = -1;
		return -errno;
	}
	return 0;
}

#define QUEUE_MAX_BYTES (64u << 20)

static int format(char *msg, size_t len, enum log_level level, const char *line)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	return snprintf(msg, len, "<%d>%s crmguard[%d]: %s",
			FACILITY_AUTHPRIV * 8 + level, stamp, (int)getpid(), line);
}

/* 0 sent, -EAGAIN syslog is busy, other: syslog is not there. */
static int send_msg(struct logsink *ls, const char *msg)
{
	size_t n = strlen(msg);

	if (connect_log(ls))
		return -ENOTCONN;
	if (send(ls->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -EAGAIN;
	/* syslog restarted or went away: reconnect next time */
	close(ls->fd);
	ls->fd = -1;
	return -ENOTCONN;
}

static int enqueue(struct logsink *ls, const char *msg)
{
	size_t n = strlen(msg) + 1;
	char **grown;

	if (ls->queued_bytes + n > QUEUE_MAX_BYTES)
		return -1;
	if (ls->count == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 256, i;

		grown = malloc(cap * sizeof(*grown));
		if (!grown)
			return -1;
		for (i = 0; i < ls->count; i++)
			grown[i] = ls->queue[(ls->head + i) % ls->cap];
		free(ls->queue);
		ls->queue = grown;
		ls->cap = cap;
		ls->head = 0;
	}
	ls->queue[(ls->head + ls->count) % ls->cap] = strdup(msg);
	if (!ls->queue[(ls->head + ls->count) % ls->cap])
		return -1;
	ls->count++;
	ls->queued_bytes += n;
	return 0;
}

bool logsink_flush(struct logsink *ls)
{
	char *head;

	while (ls->count) {
		head = ls->queue[ls->head];
		if (send_msg(ls, head))
			return true;
		ls->queued_bytes -= strlen(head) + 1;
		free(head);
		ls->head = (ls->head + 1) % ls->cap;
		ls->count--;
	}
	return false;
}

int logsink_send(struct logsink *ls, enum log_level level, const char *line)
{
	char msg[RECORD_MAX + 128];

	if (ls->echo) {
		fputs(line, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	format(msg, sizeof(msg), level, line);
	/* Behind a queue, wait in line so that records stay in order. */
	if (!ls->count && !ls->unsent && !send_msg(ls, msg))
		return 0;
	if (!enqueue(ls, msg)) {
		logsink_flush(ls);
		return 0;
	}
	ls->unsent++;
	ls->unsent_total++;
	return -1;
}

void logsink_close(struct logsink *ls)
{
	logsink_flush(ls);
	while (ls->count) {
		free(ls->queue[ls->head]);
		ls->head = (ls->head + 1) % ls->cap;
		ls->count--;
	}
	free(ls->queue);
	ls->queue = NULL;
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
}
