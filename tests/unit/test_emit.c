// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/daemon/emit.c: every record the sink hands on ends in
 * seq=N, from 1, one number a record; a record syslog drops (its queue of
 * 64 MiB is full) keeps its number, so the numbers that come have a gap of
 * just those, and the lost source=syslog record after them counts them.
 * Syslog here is a unix datagram socket of the test's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "ctl/daemon/emit.h"
#include "assert.h"

#define SENT 11500	/* records of about 6 KiB: more than the queue holds */

static unsigned long long seq_of(const char *msg)
{
	const char *p = strrchr(msg, ' ');

	return p && !strncmp(p, " seq=", 5) ? strtoull(p + 5, NULL, 10) : 0;
}

static void emit_numbers_and_drops_leave_a_gap(void)
{
	static char big[6001], buf[RECORD_MAX + 256];
	static unsigned long long got[SENT + 8];
	char dir[] = "/tmp/test_emit.XXXXXX", lost[RECORD_MAX];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned long long dropped, i, n = 0;
	struct sink s = { 0 };
	struct record r;
	bool more = true;
	int fd = -1, spins;
	ssize_t len;

	memset(big, 'a', sizeof(big) - 1);
	lost[0] = 0;
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log", dir);
	logsink_init(&s.log, sa.sun_path, false);
	/* syslog is not there yet: everything waits, until the queue is full */
	for (i = 0; i < SENT; i++) {
		record_init(&r, "open");
		record_str(&r, "path", big);
		sink_emit(&s, LOG_LVL_INFO, &r);
	}
	dropped = s.log.unsent_total;
	ASSERT_EQ(s.seq, SENT);
	ASSERT_TRUE(dropped > 0 && dropped < SENT / 2);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ASSERT_TRUE(fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	for (spins = 0; spins < 100000 && (more || n < SENT - dropped + 1); spins++) {
		more = sink_flush(&s);
		while ((len = recv(fd, buf, sizeof(buf) - 1, 0)) > 0 && n < SENT + 8) {
			buf[len] = 0;
			got[n++] = seq_of(buf);
			if (strstr(buf, "event=lost source=syslog "))
				snprintf(lost, sizeof(lost), "%s", strstr(buf, "event="));
		}
	}
	/* the records before the drops, in order, then the lost record after the last number */
	ASSERT_EQ(n, SENT - dropped + 1);
	for (i = 0; i < SENT - dropped; i++)
		ASSERT_EQ(got[i], i + 1);
	ASSERT_EQ(got[n - 1], SENT + 1);
	snprintf(buf, sizeof(buf), "event=lost source=syslog count=%llu total=%llu seq=%d", dropped, dropped,
		 SENT + 1);
	ASSERT_STREQ(lost, buf);

	/* and the next record goes on from there */
	record_init(&r, "close");
	sink_emit(&s, LOG_LVL_INFO, &r);
	for (spins = 0; spins < 1000 && (len = recv(fd, buf, sizeof(buf) - 1, 0)) < 0 && errno == EAGAIN; spins++)
		usleep(1000);
	ASSERT_TRUE(len > 0);
	buf[len] = 0;
	ASSERT_EQ(seq_of(buf), SENT + 2);
	logsink_close(&s.log);
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}

int main(void)
{
	RUN(emit_numbers_and_drops_leave_a_gap);
	return test_failed ? 1 : 0;
}
