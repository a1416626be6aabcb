/*
 * pl_proc.h - readers for /proc (Linux-specific).
 *
 * These functions return -1 with errno set instead of dying, because the
 * process they read may exit at any moment: ENOENT or ESRCH then means
 * "gone", which callers often expect.
 */
#ifndef PL_PROC_H
#define PL_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat that the labs use. */
struct pl_proc_stat {
    pid_t pid;
    char comm[64]; /* program name, without the parentheses */
    char state;    /* R running, S sleeping, Z zombie, T stopped, ... */
    pid_t ppid;
    pid_t pgrp;
    pid_t session;
    long minflt; /* minor page faults: served without disk I/O */
    long majflt; /* major page faults: needed disk I/O */
    int threads; /* number of threads in the process */
};

/* Read /proc/PID/stat (0 means this process). Returns 0, or -1 and errno. */
int pl_proc_read_stat(pid_t pid, struct pl_proc_stat *st);

/*
 * Return the Private_Dirty size in kB of the mapping in /proc/self/smaps
 * that contains addr, or -1 with errno ENOENT when no mapping contains it.
 * Private_Dirty counts the pages of the mapping that this process alone
 * maps and has written: after fork, a page the child wrote is private to
 * it, while a page both processes still share is counted as Shared_Dirty.
 * The kernel may merge neighbouring anonymous memory with the same flags
 * into one mapping, so give a buffer flags of its own (an madvise() such
 * as MADV_NOHUGEPAGE does) to measure it alone.
 */
long pl_proc_private_dirty_kb(const void *addr);

/*
 * Store the open descriptors of process pid (0 means this process) in
 * fds, in increasing order, at most max of them. Returns how many are
 * open (which may exceed max), or -1 with errno.
 */
int pl_proc_list_fds(pid_t pid, int *fds, int max);

/*
 * Store what descriptor fd of process pid refers to ("pipe:[4711]",
 * "/tmp/x", "/dev/pts/0") in buf. Returns 0, or -1 with errno.
 */
int pl_proc_fd_target(pid_t pid, int fd, char *buf, size_t len);

/*
 * Store the PIDs of pid's children (0 means this process) in out, at most
 * max of them. Returns how many there are (which may exceed max), or -1
 * with errno. Reads /proc/PID/task/TID/children, and scans every
 * /proc/N/stat for the parent PID on kernels built without that file.
 */
int pl_proc_children(pid_t pid, pid_t *out, int max);

/*
 * Count the threads of the processes whose /proc entry belongs to uid, as
 * far as this process's /proc shows them; RLIMIT_NPROC counts threads
 * too. Returns the count, or -1 with errno.
 */
int pl_proc_count_user(uid_t uid);

/*
 * Poll /proc/PID/stat until the process is in state (for example 'Z'),
 * every millisecond at first and more slowly later, for at most
 * timeout_ms. Returns 0 once the state is seen, or -1 with errno ETIMEDOUT
 * at the deadline, or ENOENT when the process no longer exists.
 */
int pl_proc_wait_state(pid_t pid, char state, int timeout_ms);

#endif
