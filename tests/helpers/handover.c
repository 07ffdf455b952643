// SPDX-License-Identifier: GPL-2.0
/*
 * handover: hands a descriptor of a file from one program to another, by
 * each route the kernel offers, for tests/host/handover.sh.
 *
 *   handover exec FILE N PROG ARG...  opens FILE as descriptor N (inherited
 *                                     across exec), says "holding N", execs PROG
 *   handover readfd N                 reads all of descriptor N: prints the count
 *   handover send FILE SOCKET         opens FILE, connects to the unix socket,
 *                                     sends the descriptor (SCM_RIGHTS): "sent N"
 *   handover receive SOCKET           listens on SOCKET ("ready"), receives one
 *                                     descriptor ("got N"), reads it all: the count
 *   handover receive-uring SOCKET     the same, received through io_uring
 *   handover hold FILE                opens FILE, says "holding PID N", waits on stdin
 *   handover getfd PID N              takes descriptor N of PID (pidfd_getfd):
 *                                     "got N", reads it all: the count
 *   handover getfd32 PID N            the same through the 32-bit entry (int 0x80),
 *                                     which a 64-bit x86 process may use too
 *   handover getfd-flood PID N COUNT  the same while COUNT other calls of ours sleep
 *                                     inside pidfd_getfd: says "flooding COUNT" first
 *   handover shared FILE MODE ARG...  MODE ARG... (receive or getfd, say), with a
 *                                     child process sharing our descriptor table
 *                                     (clone(CLONE_FILES), not a thread): it says
 *                                     "sharer PID", waits up to 10 s for a descriptor
 *                                     of FILE to appear in the table, reads it all:
 *                                     "sharer read COUNT" (or "sharer saw nothing"),
 *                                     and holds it 2 s more
 *
 * Each line goes to stdout at once. Exit status: 0 done, 2 a call failed
 * (with the error on stderr), 1 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <linux/kcmp.h>
#include <linux/userfaultfd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int failed(const char *what)
{
	fprintf(stderr, "handover: %s: %s\n", what, strerror(errno));
	return 2;
}

/*
 * The bytes read from fd to its end (from its start: at offsets of our
 * own, where another process reads the same open file); -1 with errno.
 */
static long read_count(int fd, bool from_start)
{
	char buf[1 << 16];
	long total = 0;
	ssize_t n;

	while ((n = from_start ? pread(fd, buf, sizeof(buf), total) : read(fd, buf, sizeof(buf))) > 0)
		total += n;
	return n < 0 ? -1 : total;
}

/* Reads all of fd and prints the count. */
static int read_all(int fd)
{
	long total = read_count(fd, false);

	if (total < 0)
		return failed("read");
	printf("%ld\n", total);
	return 0;
}

static int unix_socket(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int send_fd(const char *file, const char *path)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct sockaddr_un sa;
	int fd = open(file, O_RDONLY | O_CLOEXEC), s = unix_socket(path, &sa);

	if (fd < 0)
		return failed(file);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		return failed(path);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(s, &msg, 0) != 1)
		return failed("sendmsg");
	printf("sent %d\n", fd);
	return 0;
}

/* recvmsg(), or the same through io_uring. */
static ssize_t receive(int s, struct msghdr *msg, bool uring)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	ssize_t n;

	if (!uring)
		return recvmsg(s, msg, 0);
	if (io_uring_queue_init(4, &ring, 0))
		return -1;
	io_uring_prep_recvmsg(io_uring_get_sqe(&ring), s, msg, 0);
	io_uring_submit(&ring);
	n = io_uring_wait_cqe(&ring, &cqe) ? -1 : cqe->res;
	if (n < 0)
		errno = -n;
	io_uring_queue_exit(&ring);
	return n;
}

static int receive_fd(const char *path, bool uring)
{
	char ctl[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct sockaddr_un sa;
	struct cmsghdr *c;
	int l = unix_socket(path, &sa), s, fd;

	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1))
		return failed(path);
	printf("ready\n");
	s = accept(l, NULL, NULL);
	if (s < 0)
		return failed("accept");
	if (receive(s, &msg, uring) != 1)
		return failed("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "handover: no descriptor came\n");
		return 2;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	printf("got %d\n", fd);
	return read_all(fd);
}

/* pidfd_getfd through int 0x80 (its number is 438 there too); -1 with errno. */
static int getfd32(int pidfd, int n)
{
#if defined(__x86_64__)
	long ret = 438;

	__asm__ volatile("int $0x80" : "+a"(ret) : "b"(pidfd), "c"(n), "d"(0) : "memory");
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
#else
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * getfd-flood: a kretprobe has a bounded pool of instances (the kernel's
 * default: max(10, 2 * possible CPUs)), and a call made while calls asleep
 * inside pidfd_getfd hold them all returns unprobed. Ours sleep on the
 * exec_update_lock of a child of ours whose exec waits to take it for
 * writing, while a thread of ours holds it for reading: in
 * kcmp(KCMP_EPOLL_TFD), which reads its argument from user memory under
 * that lock, from a page a userfaultfd keeps missing until the end.
 */
struct flood {
	pid_t child;
	int child_pidfd;
	void *page;
	bool released;		/* the lock is let go: the fillers' calls end */
};

struct filler {
	struct flood *f;
	pid_t tid;
};

static void *hold_exec_lock(void *arg)
{
	struct flood *f = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	syscall(SYS_kcmp, getpid(), f->child, KCMP_EPOLL_TFD, ep, f->page);
	close(ep);
	return NULL;
}

/* Until a call sleeps: before the child's exec waits for the lock, calls go through. */
static void *fill(void *arg)
{
	struct filler *me = arg;
	int fd;

	__atomic_store_n(&me->tid, gettid(), __ATOMIC_RELEASE);
	while ((fd = syscall(SYS_pidfd_getfd, me->f->child_pidfd, 0, 0)) >= 0 &&
	       !__atomic_load_n(&me->f->released, __ATOMIC_ACQUIRE))
		close(fd);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* /proc/ID/WHAT's first line; "" if there is none. */
static void proc_line(pid_t id, const char *what, char *line, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", id, what);
	line[0] = 0;
	f = fopen(path, "re");
	if (f && !fgets(line, len, f))
		line[0] = 0;
	if (f)
		fclose(f);
}

/*
 * Is our thread tid asleep (state D) in system call nr ("438 ")? (Only
 * ours: what /proc says of a task whose exec waits for its
 * exec_update_lock, even its state, waits for that lock too.)
 */
static bool asleep_in(pid_t tid, const char *nr)
{
	char line[512], *end;

	proc_line(tid, "stat", line, sizeof(line));
	end = strrchr(line, ')');
	if (!end || strncmp(end, ") D ", 4))
		return false;
	proc_line(tid, "syscall", line, sizeof(line));
	return !strncmp(line, nr, strlen(nr));
}

static int getfd_flood(pid_t holder, int n, int count)
{
	long pagesize = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { 0 };
	struct filler *fillers = calloc(count, sizeof(*fillers));
	pthread_t locker, *threads = calloc(count, sizeof(*threads));
	struct uffd_msg msg;
	struct pollfd pfd;
	struct flood f = { 0 };
	int uffd, go[2], pidfd, fd, ret;
	char nr[16];
	pid_t tid;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (!fillers || !threads || uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return failed("userfaultfd");
	f.page = mmap(NULL, pagesize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)f.page;
	reg.range.len = pagesize;
	if (f.page == MAP_FAILED || ioctl(uffd, UFFDIO_REGISTER, &reg))
		return failed("UFFDIO_REGISTER");
	if (pipe2(go, O_CLOEXEC))
		return failed("pipe");
	f.child = fork();
	if (f.child == 0) {
		if (read(go[0], nr, 1) == 1)
			execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	f.child_pidfd = f.child < 0 ? -1 : syscall(SYS_pidfd_open, f.child, 0);
	if (f.child_pidfd < 0)
		return failed("fork");
	/* the child's exec_update_lock, held for reading from the fault on */
	if (pthread_create(&locker, NULL, hold_exec_lock, &f))
		return failed("pthread_create");
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	if (poll(&pfd, 1, 5000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT) {
		fprintf(stderr, "handover: kcmp did not stop on the missing page\n");
		return 2;
	}
	/* its exec, waiting for that lock; every filler, behind it */
	if (write(go[1], "x", 1) != 1)
		return failed("write");
	snprintf(nr, sizeof(nr), "%d ", SYS_pidfd_getfd);
	for (int i = 0; i < count; i++) {
		fillers[i].f = &f;
		if (pthread_create(&threads[i], NULL, fill, &fillers[i]))
			return failed("pthread_create");
	}
	for (int i = 0; i < count; i++) {
		while (!(tid = __atomic_load_n(&fillers[i].tid, __ATOMIC_ACQUIRE)))
			usleep(1000);
		for (int tries = 0; !asleep_in(tid, nr); tries++) {
			if (tries == 500) {
				fprintf(stderr, "handover: thread %d is not asleep in pidfd_getfd\n", tid);
				return 2;
			}
			usleep(10000);
		}
	}
	printf("flooding %d\n", count);
	pidfd = syscall(SYS_pidfd_open, holder, 0);
	if (pidfd < 0)
		return failed("pidfd_open");
	fd = syscall(SYS_pidfd_getfd, pidfd, n, 0);
	if (fd < 0)
		return failed("pidfd_getfd");
	printf("got %d\n", fd);
	ret = read_all(fd);
	close(fd);
	/* let them all go: the page, then the lock, then the exec, then the fillers */
	zero.range = reg.range;
	__atomic_store_n(&f.released, true, __ATOMIC_RELEASE);
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zero))
		return failed("UFFDIO_ZEROPAGE");
	pthread_join(locker, NULL);
	for (int i = 0; i < count; i++)
		pthread_join(threads[i], NULL);
	waitpid(f.child, NULL, 0);
	return ret;
}

/*
 * The sharer: a process of its own (its own thread group) on our
 * descriptor table, watching it for a descriptor of file, which it reads.
 * Returns its pid to the caller, or -1.
 */
static pid_t start_sharer(const char *file)
{
	struct stat want, st;
	pid_t pid;
	long n;

	if (stat(file, &want)) {
		failed(file);
		return -1;
	}
	pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		failed("clone");
		return -1;
	}
	if (pid) {
		printf("sharer %d\n", pid);	/* (it may be killed before it could say it) */
		return pid;
	}
	for (int tries = 0; tries < 10000; tries++) {
		for (int fd = 3; fd < 256; fd++) {
			if (fstat(fd, &st) || st.st_dev != want.st_dev || st.st_ino != want.st_ino)
				continue;
			n = read_count(fd, true);
			printf("sharer read %ld\n", n);
			sleep(2);	/* still holding it: one to be found and ended */
			_exit(n < 0 ? 2 : 0);
		}
		usleep(1000);
	}
	printf("sharer saw nothing\n");
	_exit(3);
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	pid_t sharer;
	int ret;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 4 || strcmp(argv[1], "shared"))
		return run(argc, argv);
	sharer = start_sharer(argv[2]);
	if (sharer < 0)
		return 2;
	ret = run(argc - 2, argv + 2);
	waitpid(sharer, NULL, 0);
	return ret;
}

static int run(int argc, char **argv)
{
	int fd, pidfd;
	char line[16];

	if (argc >= 5 && !strcmp(argv[1], "exec")) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return failed(argv[2]);
		if (dup2(fd, atoi(argv[3])) < 0)
			return failed("dup2");
		printf("holding %d\n", atoi(argv[3]));
		execv(argv[4], argv + 4);
		return failed(argv[4]);
	}
	if (argc == 3 && !strcmp(argv[1], "readfd"))
		return read_all(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "send"))
		return send_fd(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "receive"))
		return receive_fd(argv[2], false);
	if (argc == 3 && !strcmp(argv[1], "receive-uring"))
		return receive_fd(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "hold")) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return failed(argv[2]);
		printf("holding %d %d\n", getpid(), fd);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
		return 0;
	}
	if (argc == 4 && (!strcmp(argv[1], "getfd") || !strcmp(argv[1], "getfd32"))) {
		pidfd = syscall(SYS_pidfd_open, atoi(argv[2]), 0);
		if (pidfd < 0)
			return failed("pidfd_open");
		if (!strcmp(argv[1], "getfd32"))
			fd = getfd32(pidfd, atoi(argv[3]));
		else
			fd = syscall(SYS_pidfd_getfd, pidfd, atoi(argv[3]), 0);
		if (fd < 0)
			return failed("pidfd_getfd");
		printf("got %d\n", fd);
		return read_all(fd);
	}
	if (argc == 5 && !strcmp(argv[1], "getfd-flood") && atoi(argv[4]) > 0)
		return getfd_flood(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: handover exec FILE N PROG ARG... | readfd N | send FILE SOCKET |\n"
		"       receive SOCKET | receive-uring SOCKET | hold FILE | getfd PID N | getfd32 PID N |\n"
		"       getfd-flood PID N COUNT | shared FILE MODE ARG...\n");
	return 1;
}
