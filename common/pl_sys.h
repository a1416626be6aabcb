/*
 * pl_sys.h - checked wrappers around the system calls the labs use.
 *
 * Each wrapper calls pl_die() when the call fails, so the caller never
 * sees an error return. Use them where a failure means a broken program,
 * not a case to handle: in demos, solutions and tests.
 *
 * The I/O helpers are different: pl_write_all() and pl_read_full() loop
 * over short transfers and retry EINTR, and report end of file to the
 * caller instead of treating it as an error. pl_write_text() returns its
 * errors, for files whose writes may be refused.
 */
#ifndef PL_SYS_H
#define PL_SYS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Fork. Returns the child's PID in the parent and 0 in the child. In the
 * child it also calls pl_mark_child(), so pl_die() there uses _exit().
 */
pid_t pl_fork(void);

/* Create a pipe with both ends close-on-exec; fds[0] reads, fds[1] writes. */
void pl_pipe(int fds[2]);

/* Close fd; a failure other than EINTR is fatal. */
void pl_close(int fd);

/*
 * Wait for pid with waitpid(), retrying on EINTR, and return what waitpid
 * returned: the PID, or 0 under WNOHANG when the child is still running.
 */
pid_t pl_waitpid(pid_t pid, int *status, int options);

/* Allocate size bytes; running out of memory is fatal. */
void *pl_malloc(size_t size);

/* Write all len bytes to fd, looping over short writes and EINTR. */
void pl_write_all(int fd, const void *buf, size_t len);

/*
 * Write text to the existing file at path in one write(), as /proc and
 * cgroup files expect. Returns 0, or -1 with errno when the file cannot
 * be opened or takes less than all of it.
 */
int pl_write_text(const char *path, const char *text);

/*
 * Read exactly len bytes from fd unless end of file comes first. Returns
 * the number of bytes read: len, or less when the writer closed early.
 */
size_t pl_read_full(int fd, void *buf, size_t len);

/* Return the monotonic clock in milliseconds. */
long long pl_now_ms(void);

#endif
