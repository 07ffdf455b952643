// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "ctl/logsink.h"
#include "ctl/record.h"

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

static int send_line(struct logsink *ls, enum log_level level, const char *line)
{
	char msg[RECORD_MAX + 128], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(msg, sizeof(msg), "<%d>%s crmguard[%d]: %s",
		     FACILITY_AUTHPRIV * 8 + level, stamp, (int)getpid(), line);
	if (connect_log(ls))
		return -1;
	if (send(ls->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
		return 0;
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		/* syslog restarted or went away: reconnect next time */
		close(ls->fd);
		ls->fd = -1;
	}
	return -1;
}

int logsink_send(struct logsink *ls, enum log_level level, const char *line)
{
	struct record r;

	if (ls->echo) {
		fputs(line, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (ls->unsent) {
		record_init(&r, "lost");
		record_str(&r, "source", "syslog");
		record_u64(&r, "count", ls->unsent);
		record_u64(&r, "total", ls->unsent_total);
		if (send_line(ls, LOG_LVL_WARNING, record_line(&r)))
			goto unsent;
		ls->unsent = 0;
	}
	if (!send_line(ls, level, line))
		return 0;
unsent:
	ls->unsent++;
	ls->unsent_total++;
	return -1;
}

void logsink_close(struct logsink *ls)
{
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
}
