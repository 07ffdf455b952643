// SPDX-License-Identifier: GPL-2.0
/*
 * readvia ROUTE FILE [GATE]: reads all of FILE through one route, the way
 * a program trying to get around crmguard would, and prints the byte count.
 * ROUTE: read pread readv preadv2 mmap sendfile splice copy_file_range
 *        openat2 io_uring procfd mapped open
 * With GATE (a FIFO), it opens FILE, then waits for a line on GATE before
 * reading: to read through a descriptor opened before a rule changed.
 * mapped: like mmap, but the mapping is made before the gate too, and only
 * its pages are read after. open: like read, but it waits on GATE before
 * it opens FILE: a program that was running before a rule, opening after.
 * Exit status: 0 read, 2 refused (open or read), 1 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static char buf[1 << 16];

/* Waits for a line on the FIFO gate. */
static int wait_gate(const char *gate)
{
	char line[16];
	FILE *f = fopen(gate, "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		perror(gate);
		return -1;
	}
	fclose(f);
	return 0;
}

static long by_read(int fd, const char *how)
{
	struct iovec iov = { buf, sizeof(buf) };
	long total = 0, n;

	for (;;) {
		if (!strcmp(how, "pread"))
			n = pread(fd, buf, sizeof(buf), total);
		else if (!strcmp(how, "readv"))
			n = readv(fd, &iov, 1);
		else if (!strcmp(how, "preadv2"))
			n = preadv2(fd, &iov, 1, total, 0);
		else
			n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return n < 0 ? -1 : total;
		total += n;
	}
}

static long read_pages(volatile char *p, long size)
{
	long i;
	char sum = 0;

	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < size; i += 4096)
		sum ^= p[i];
	(void)sum;
	munmap((void *)p, size);
	return size;
}

static long by_pipe(int fd, long size, bool use_splice)
{
	int out = open("/dev/null", O_WRONLY), p[2];
	long total = 0, n;

	if (out < 0 || pipe(p))
		return -1;
	while (total < size) {
		if (use_splice) {
			n = splice(fd, NULL, p[1], NULL, 65536, 0);
			if (n > 0 && splice(p[0], NULL, out, NULL, n, 0) != n)
				return -1;
		} else {
			n = sendfile(out, fd, NULL, size - total);
		}
		if (n <= 0)
			return n < 0 ? -1 : total;
		total += n;
	}
	return total;
}

static long by_copy_file_range(int fd, long size)
{
	char tmpl[] = "/tmp/readvia.XXXXXX";
	int out = mkstemp(tmpl);
	long total = 0, n;

	if (out < 0)
		return -1;
	unlink(tmpl);
	while (total < size && (n = copy_file_range(fd, NULL, out, NULL, size - total, 0)) > 0)
		total += n;
	close(out);
	return n < 0 ? -1 : total;
}

static long by_io_uring(int fd, long size)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	long total = 0;

	if (io_uring_queue_init(4, &ring, 0))
		return -1;
	while (total < size) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_read(sqe, fd, buf, sizeof(buf), total);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe))
			return -1;
		if (cqe->res < 0) {
			errno = -cqe->res;
			return -1;
		}
		if (!cqe->res)
			break;
		total += cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return total;
}

int main(int argc, char **argv)
{
	struct open_how how = { .flags = O_RDONLY };
	const char *route;
	char procfd[64];
	volatile char *map = NULL;
	struct stat st;
	long n;
	int fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: readvia ROUTE FILE [GATE]\n");
		return 1;
	}
	route = argv[1];
	if (argc == 4 && !strcmp(route, "open") && wait_gate(argv[3]))
		return 1;
	if (!strcmp(route, "openat2"))
		fd = syscall(SYS_openat2, AT_FDCWD, argv[2], &how, sizeof(how));
	else
		fd = open(argv[2], O_RDONLY);
	if (fd >= 0 && !strcmp(route, "procfd")) {
		/* another way in: reopen through /proc/self/fd */
		snprintf(procfd, sizeof(procfd), "/proc/self/fd/%d", fd);
		fd = open(procfd, O_RDONLY);
	}
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[2]);
		return 2;
	}
	if (!strcmp(route, "mapped"))
		map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (argc == 4 && strcmp(route, "open") && wait_gate(argv[3]))
		return 1;
	if (!strcmp(route, "mmap"))
		map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map)
		n = read_pages(map, st.st_size);
	else if (!strcmp(route, "sendfile") || !strcmp(route, "splice"))
		n = by_pipe(fd, st.st_size, route[1] == 'p');
	else if (!strcmp(route, "copy_file_range"))
		n = by_copy_file_range(fd, st.st_size);
	else if (!strcmp(route, "io_uring"))
		n = by_io_uring(fd, st.st_size);
	else
		n = by_read(fd, route);
	if (n < 0) {
		perror(route);
		return 2;
	}
	printf("%ld\n", n);
	return 0;
}
