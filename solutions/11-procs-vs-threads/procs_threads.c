/*
 * procs_threads.c - Lab 11: processes against threads (reference
 * solution).
 *
 * pt_run_other() starts the "other" as a child or as a thread and brings
 * its report back. A child fills its own copy of the report, so it sends
 * it through a pipe. A thread writes the caller's report directly, in the
 * memory they share. Each row function then gives the other one
 * change to make and compares what the caller sees afterwards. The
 * handout is labs/11-procs-vs-threads/README.md.
 *
 * The caller's side uses the pl_ wrappers from common/, which end the
 * process with a message when a call fails. The others' functions never
 * do: pl_die() calls exit(), which in a thread would end the caller too,
 * so they return the errno value of the failed call instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs_threads.h"
#include "proclab.h"

int pt_counter = 1;

/* --- Step 1 ------------------------------------------------------------ */

int pt_get_ids(struct pt_ids *ids)
{
    if (ids == NULL) {
        errno = EINVAL;
        return -1;
    }
    ids->pid = getpid();
    ids->ppid = getppid();
    ids->tid = gettid();
    return 0;
}

/* The start data of a thread: the other's function and its report. */
struct other_start {
    pt_other_fn fn;
    void *arg;
    void *report;
};

/* The start routine of the thread: fn's value becomes the thread's. */
static void *thread_main(void *p)
{
    struct other_start *start = p;

    return (void *)(intptr_t)start->fn(start->arg, start->report);
}

static int run_in_thread(pt_other_fn fn, void *arg, void *report)
{
    struct other_start start = {fn, arg, report};
    pthread_t thread;
    void *value;
    int err;

    /* pthread functions return the error number instead of setting errno. */
    err = pthread_create(&thread, NULL, thread_main, &start);
    if (err != 0) {
        errno = err;
        return -1;
    }
    /* The join is what makes the thread's writes to report safe to read:
     * until it returns, the thread may still be writing. */
    err = pthread_join(thread, &value);
    if (err != 0) {
        errno = err;
        return -1;
    }
    if (value != NULL) {
        errno = (int)(intptr_t)value;
        return -1;
    }
    return 0;
}

static int run_in_child(pt_other_fn fn, void *arg, void *report, size_t len)
{
    int fds[2];
    pid_t pid;
    size_t got;
    int status;

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: fn writes into the child's copy of report, which the
         * parent cannot see, so the child sends it through the pipe. */
        int err;

        pl_close(fds[0]);
        err = fn(arg, report);
        pl_write_all(fds[1], report, len);
        pl_close(fds[1]);
        /* Linux errno values are below 256, so they fit in an exit code. */
        _exit(err);
    }

    /* Parent: it closes the write end, so that a child that dies before
     * writing gives end of file instead of a read that blocks forever. */
    pl_close(fds[1]);
    got = pl_read_full(fds[0], report, len);
    pl_close(fds[0]);
    pl_waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) {
        errno = EIO;
        return -1;
    }
    if (WEXITSTATUS(status) != 0) {
        errno = WEXITSTATUS(status);
        return -1;
    }
    if (got != len) {
        errno = EIO;
        return -1;
    }
    return 0;
}

int pt_run_other(enum pt_mode mode, pt_other_fn fn, void *arg, void *report,
                 size_t len)
{
    if (fn == NULL || report == NULL) {
        errno = EINVAL;
        return -1;
    }
    switch (mode) {
    case PT_PROCESS:
        return run_in_child(fn, arg, report, len);
    case PT_THREAD:
        return run_in_thread(fn, arg, report);
    }
    errno = EINVAL;
    return -1;
}

/* Count the entries of /proc/self/task: one per thread of this process. */
static int count_threads(int *count)
{
    DIR *dir = opendir("/proc/self/task");
    struct dirent *entry;

    if (dir == NULL)
        return errno;
    *count = 0;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.')
            (*count)++;
    if (closedir(dir) != 0)
        return errno;
    return 0;
}

static int ids_other(void *arg, void *report)
{
    struct pt_ids_report *r = report;

    (void)arg;
    if (pt_get_ids(&r->other) != 0)
        return errno;
    return count_threads(&r->other_threads);
}

int pt_compare_ids(enum pt_mode mode, struct pt_ids_report *r)
{
    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (pt_get_ids(&r->caller) != 0)
        return -1;
    return pt_run_other(mode, ids_other, NULL, r, sizeof(*r));
}

/* --- Step 2 ------------------------------------------------------------ */

static int add_other(void *arg, void *report)
{
    struct pt_memory_report *r = report;

    if (pt_get_ids(&r->other) != 0)
        return errno;
    pt_counter += *(const int *)arg;
    r->other_value = pt_counter;
    r->other_addr = &pt_counter;
    return 0;
}

int pt_add_in_other(enum pt_mode mode, int delta, struct pt_memory_report *r)
{
    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }
    pt_counter = 1;
    if (pt_run_other(mode, add_other, &delta, r, sizeof(*r)) != 0)
        return -1;

    /* The other has ended, so any change that reaches the caller is
     * visible now. */
    r->caller_value = pt_counter;
    r->caller_addr = &pt_counter;
    return 0;
}

static int local_other(void *arg, void *report)
{
    struct pt_stack_report *r = report;
    int local = 0;

    (void)arg;
    if (pt_get_ids(&r->other) != 0)
        return errno;
    /* Only the address is kept: the variable is gone once this returns. */
    r->other_local = (uintptr_t)&local;
    return 0;
}

int pt_local_in_other(enum pt_mode mode, struct pt_stack_report *r)
{
    int local = 0;

    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (pt_run_other(mode, local_other, NULL, r, sizeof(*r)) != 0)
        return -1;
    r->caller_local = (uintptr_t)&local;
    return 0;
}

/* --- Step 3 ------------------------------------------------------------ */

static int open_other(void *arg, void *report)
{
    struct pt_fd_report *r = report;

    if (pt_get_ids(&r->other) != 0)
        return errno;
    /* Left open on purpose: the point is who can use it afterwards. A
     * child's copy closes when the child ends. */
    r->other_fd = open(arg, O_RDONLY | O_CLOEXEC);
    if (r->other_fd == -1)
        return errno;
    return 0;
}

int pt_open_in_other(enum pt_mode mode, const char *path,
                     struct pt_fd_report *r)
{
    struct stat want;
    struct stat have;

    if (path == NULL || r == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (pt_run_other(mode, open_other, (void *)path, r, sizeof(*r)) != 0)
        return -1;
    if (stat(path, &want) != 0)
        return -1;

    /* fstat() fails with EBADF when the number is free in the caller. */
    r->caller_has_file = fstat(r->other_fd, &have) == 0 &&
                         have.st_dev == want.st_dev &&
                         have.st_ino == want.st_ino;
    if (r->caller_has_file)
        pl_close(r->other_fd);
    return 0;
}

/* The descriptor and byte count that pt_read_in_other() passes on. */
struct read_request {
    int fd;
    size_t count;
};

static int read_other(void *arg, void *report)
{
    const struct read_request *req = arg;
    struct pt_offset_report *r = report;
    char buf[256];
    size_t done = 0;

    if (pt_get_ids(&r->other) != 0)
        return errno;
    while (done < req->count) {
        size_t want = req->count - done;
        ssize_t n = read(req->fd, buf, want < sizeof(buf) ? want : sizeof(buf));

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return errno;
        if (n == 0)
            return EIO;
        done += (size_t)n;
    }
    r->other_offset = (long)lseek(req->fd, 0, SEEK_CUR);
    if (r->other_offset == -1)
        return errno;
    return 0;
}

int pt_read_in_other(enum pt_mode mode, int fd, size_t count,
                     struct pt_offset_report *r)
{
    struct read_request req = {fd, count};

    if (fd < 0 || r == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (pt_run_other(mode, read_other, &req, r, sizeof(*r)) != 0)
        return -1;
    r->caller_offset = (long)lseek(fd, 0, SEEK_CUR);
    if (r->caller_offset == -1)
        return -1;
    return 0;
}

static int chdir_other(void *arg, void *report)
{
    struct pt_cwd_report *r = report;

    if (pt_get_ids(&r->other) != 0)
        return errno;
    if (chdir(arg) != 0)
        return errno;
    if (getcwd(r->other_cwd, sizeof(r->other_cwd)) == NULL)
        return errno;
    return 0;
}

int pt_chdir_in_other(enum pt_mode mode, const char *dir,
                      struct pt_cwd_report *r)
{
    if (dir == NULL || r == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (pt_run_other(mode, chdir_other, (void *)dir, r, sizeof(*r)) != 0)
        return -1;
    if (getcwd(r->caller_cwd, sizeof(r->caller_cwd)) == NULL)
        return -1;
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

/* The handler that the other installs; the lab never sends the signal. */
static void on_signal(int sig)
{
    (void)sig;
}

/* Store what happens when sig arrives in *disp. Returns 0 or errno. */
static int read_disposition(int sig, enum pt_disposition *disp)
{
    struct sigaction sa;

    if (sigaction(sig, NULL, &sa) != 0)
        return errno;
    if (sa.sa_handler == SIG_DFL)
        *disp = PT_DISP_DEFAULT;
    else if (sa.sa_handler == SIG_IGN)
        *disp = PT_DISP_IGNORE;
    else
        *disp = PT_DISP_HANDLER;
    return 0;
}

static int sigaction_other(void *arg, void *report)
{
    struct pt_handler_report *r = report;
    struct sigaction sa;
    int err;

    (void)arg;
    if (pt_get_ids(&r->other) != 0)
        return errno;
    err = read_disposition(SIGUSR1, &r->other_before);
    if (err != 0)
        return err;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return errno;
    return read_disposition(SIGUSR1, &r->other_after);
}

int pt_sigaction_in_other(enum pt_mode mode, struct pt_handler_report *r)
{
    int err;

    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (signal(SIGUSR1, SIG_IGN) == SIG_ERR)
        return -1;
    if (pt_run_other(mode, sigaction_other, NULL, r, sizeof(*r)) != 0)
        return -1;
    err = read_disposition(SIGUSR1, &r->caller_after);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

/* Store 1 in *blocked when sig is in the calling thread's mask, else 0. */
static int read_blocked(int sig, int *blocked)
{
    sigset_t mask;
    int err = pthread_sigmask(SIG_BLOCK, NULL, &mask);

    if (err != 0)
        return err;
    *blocked = sigismember(&mask, sig);
    return 0;
}

/* Add sig to the calling thread's mask (how is SIG_BLOCK), or remove it
 * (SIG_UNBLOCK). Returns 0 or an errno value. */
static int change_mask(int how, int sig)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, sig);
    return pthread_sigmask(how, &set, NULL);
}

static int block_other(void *arg, void *report)
{
    struct pt_mask_report *r = report;
    int err;

    (void)arg;
    if (pt_get_ids(&r->other) != 0)
        return errno;
    err = read_blocked(SIGUSR1, &r->other_inherited);
    if (err == 0)
        err = change_mask(SIG_BLOCK, SIGUSR2);
    if (err == 0)
        err = read_blocked(SIGUSR2, &r->other_blocked);
    return err;
}

int pt_block_in_other(enum pt_mode mode, struct pt_mask_report *r)
{
    int err;

    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }
    err = change_mask(SIG_BLOCK, SIGUSR1);
    if (err == 0)
        err = change_mask(SIG_UNBLOCK, SIGUSR2);
    if (err != 0) {
        errno = err;
        return -1;
    }
    if (pt_run_other(mode, block_other, NULL, r, sizeof(*r)) != 0)
        return -1;
    err = read_blocked(SIGUSR2, &r->caller_blocked);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

static void *exit_thread(void *arg)
{
    exit(*(const int *)arg);
}

int pt_exit_in_other(enum pt_mode mode, int code, int *status)
{
    pthread_t thread;
    pid_t pid;
    int err;

    if (code < 0 || code > 255 || (mode == PT_PROCESS && status == NULL) ||
        (mode != PT_PROCESS && mode != PT_THREAD)) {
        errno = EINVAL;
        return -1;
    }
    /* exit() flushes stdio buffers, and a child would flush its copy of
     * whatever the parent had not written yet: the text would come out
     * twice. */
    if (fflush(NULL) == EOF)
        return -1;

    if (mode == PT_PROCESS) {
        pid = pl_fork();
        if (pid == 0) {
            /* Child: exit() on purpose, to show what it ends. */
            exit(code);
        }
        /* Parent: it goes on, and learns the child's code from waitpid(). */
        pl_waitpid(pid, status, 0);
        return 0;
    }

    err = pthread_create(&thread, NULL, exit_thread, &code);
    if (err != 0) {
        errno = err;
        return -1;
    }
    /* exit() in the thread ends every thread of the process, this one
     * while it waits here, so the join never returns. */
    err = pthread_join(thread, NULL);
    errno = err != 0 ? err : EIO;
    return -1;
}
