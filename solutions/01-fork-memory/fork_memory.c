/*
 * fork_memory.c - Lab 01: fork memory isolation (reference solution).
 *
 * Each function forks one child, lets it change or read memory, and has
 * it send what it saw to the parent through a pipe. The parent compares
 * that with its own copy. The handout is labs/01-fork-memory/README.md.
 *
 * Every system call goes through the pl_ wrappers from common/, which end
 * the process with a message when a call fails. In a child made by
 * pl_fork() that end is _exit(), as on every other path here, so no child
 * flushes stdio buffers it shares with the parent or returns to the caller.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork_memory.h"
#include "proclab.h"

int fm_global = 1;

/*
 * Read one report of len bytes from fd, close fd and reap pid. Returns 0,
 * or -1 with errno EIO when the child closed its end before sending the
 * full report or ended other than with exit code 0.
 */
static int finish_child(pid_t pid, int fd, void *report, size_t len)
{
    size_t got = pl_read_full(fd, report, len);
    int status;

    pl_close(fd);
    pl_waitpid(pid, &status, 0);
    if (got != len || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* Send one report to the parent, close the write end, and end the child. */
static void send_and_exit(int fd, const void *report, size_t len)
{
    pl_write_all(fd, report, len);
    pl_close(fd);
    _exit(0);
}

int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    int stack = 1;
    int fds[2];
    pid_t pid;

    if (heap == NULL || parent_seen == NULL || child_seen == NULL) {
        errno = EINVAL;
        return -1;
    }
    fm_global = 1;
    *heap = 1;

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it only writes, so it closes the read end. */
        struct fm_values seen;

        pl_close(fds[0]);
        fm_global += delta;
        *heap += delta;
        stack += delta;
        seen.global = fm_global;
        seen.heap = *heap;
        seen.stack = stack;
        send_and_exit(fds[1], &seen, sizeof(seen));
    }

    /* Parent: it closes the write end, or its read would never see end of
     * file if the child ended without writing. */
    pl_close(fds[1]);
    if (finish_child(pid, fds[0], child_seen, sizeof(*child_seen)) != 0)
        return -1;

    /* The child has ended, so any change it made would be visible now. */
    parent_seen->global = fm_global;
    parent_seen->heap = *heap;
    parent_seen->stack = stack;
    return 0;
}

int fm_square_in_child(int n)
{
    pid_t pid;
    int status;

    /* An exit status keeps only the low 8 bits, and 16 * 16 is 256. */
    if (n < 0 || n > 15) {
        errno = EINVAL;
        return -1;
    }

    pid = pl_fork();
    if (pid == 0) {
        /* Child: the square travels to the parent as the exit status. */
        _exit(n * n);
    }

    /* Parent: the status also encodes how the child ended, so decode it. */
    pl_waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) {
        errno = EIO;
        return -1;
    }
    return WEXITSTATUS(status);
}

/* The message the child sends in fm_same_address(). */
struct address_message {
    const void *addr;
    int value;
};

int fm_same_address(struct fm_address_report *r)
{
    int *value;
    int fds[2];
    pid_t pid;
    struct address_message child;

    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }
    value = pl_malloc(sizeof(*value));
    *value = 1;

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it only writes, so it closes the read end. Its copy of
         * the heap goes away with _exit(), so it does not free value. */
        struct address_message msg;

        pl_close(fds[0]);
        *value = 2;
        msg.addr = value;
        msg.value = *value;
        send_and_exit(fds[1], &msg, sizeof(msg));
    }

    /* Parent: it closes the write end so that a child that dies early
     * gives end of file instead of a read that blocks forever. */
    pl_close(fds[1]);
    if (finish_child(pid, fds[0], &child, sizeof(child)) != 0) {
        free(value);
        return -1;
    }

    r->parent_addr = value;
    r->parent_value = *value;
    r->child_addr = child.addr;
    r->child_value = child.value;
    free(value);
    return 0;
}

/*
 * Touch one byte in each of the first `pages` pages of buf and return the
 * minor faults that took. Runs in the child of fm_touch_in_child().
 */
static long touch_pages(char *buf, size_t pages, size_t page_size, int write)
{
    /* Through a volatile pointer the compiler emits every access. It would
     * otherwise drop a read whose value is unused, and the child would
     * touch nothing. */
    volatile char *bytes = buf;
    struct rusage before;
    struct rusage after;
    size_t i;

    if (getrusage(RUSAGE_SELF, &before) != 0)
        pl_die("getrusage(RUSAGE_SELF)");
    for (i = 0; i < pages; i++) {
        if (write)
            bytes[i * page_size] = (char)(bytes[i * page_size] + 1);
        else
            (void)bytes[i * page_size];
    }
    if (getrusage(RUSAGE_SELF, &after) != 0)
        pl_die("getrusage(RUSAGE_SELF)");
    return after.ru_minflt - before.ru_minflt;
}

int fm_touch_in_child(char *buf, size_t len, size_t pages, int write,
                      struct fm_cow_report *r)
{
    long page_size = sysconf(_SC_PAGESIZE);
    int fds[2];
    pid_t pid;

    if (page_size <= 0)
        pl_die("sysconf(_SC_PAGESIZE)");
    if (buf == NULL || r == NULL || (uintptr_t)buf % (size_t)page_size != 0 ||
        pages > len / (size_t)page_size) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it only writes the report, so it closes the read end. */
        struct fm_cow_report report;

        pl_close(fds[0]);
        report.minor_faults = touch_pages(buf, pages, (size_t)page_size, write);
        report.private_dirty_kb = pl_proc_private_dirty_kb(buf);
        if (report.private_dirty_kb < 0)
            pl_die("pl_proc_private_dirty_kb(%p)", (void *)buf);
        send_and_exit(fds[1], &report, sizeof(report));
    }

    /* Parent: it closes the write end so that its read ends at end of
     * file if the child dies before sending the report. */
    pl_close(fds[1]);
    return finish_child(pid, fds[0], r, sizeof(*r));
}

int fm_change_after_fork(int *heap, struct fm_values *child_seen)
{
    struct pl_sync sync;
    int fds[2];
    pid_t pid;

    if (heap == NULL || child_seen == NULL) {
        errno = EINVAL;
        return -1;
    }
    fm_global = 1;
    *heap = 1;

    pl_sync_init(&sync);
    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it only writes its report, so it closes the read end. */
        struct fm_values seen;

        pl_sync_child(&sync);
        pl_close(fds[0]);
        /* Read only after the parent has made its changes. A parent that
         * died first closes the handshake pipe, and nothing is sent. */
        if (pl_sync_wait(&sync) != 0)
            _exit(PL_EXIT_FAILURE);
        seen.global = fm_global;
        seen.heap = *heap;
        seen.stack = 0;
        pl_sync_close(&sync);
        send_and_exit(fds[1], &seen, sizeof(seen));
    }

    /* Parent: it closes the write end so that its read ends at end of
     * file if the child dies before sending its values. */
    pl_sync_parent(&sync);
    pl_close(fds[1]);
    fm_global = 2;
    *heap = 2;
    pl_sync_send(&sync);
    pl_sync_close(&sync);
    return finish_child(pid, fds[0], child_seen, sizeof(*child_seen));
}
