/*
 * pl_run.c - run a function in a child with a deadline and capture.
 */
#include "pl_run.h"

#include "pl_error.h"
#include "pl_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void run_child(int out_fd, pl_child_fn fn, void *arg)
{
    int code;

    /* A group of its own, so that the deadline can end the child and
     * everything it started with one killpg(). */
    setpgid(0, 0);
    if (dup2(out_fd, STDOUT_FILENO) == -1 ||
        dup2(out_fd, STDERR_FILENO) == -1)
        pl_die("dup2(fd=%d)", out_fd);
    code = fn(arg);
    fflush(NULL);
    _exit(code & 0xff);
}

/*
 * Read what is available, keep up to PL_RUN_OUTPUT_MAX bytes in all and
 * count the rest. Returns what read() returned.
 */
static ssize_t drain(int fd, struct pl_run_result *r)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n <= 0)
        return n;

    size_t room = PL_RUN_OUTPUT_MAX - r->output_len;
    size_t keep = (size_t)n < room ? (size_t)n : room;

    memcpy(r->output + r->output_len, chunk, keep);
    r->output_len += keep;
    r->output_dropped += (size_t)n - keep;
    return n;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/*
 * Wait until the child exits (its pidfd becomes readable) or the deadline
 * passes, reading its output meanwhile. A grandchild may keep the pipe
 * open long after the child exits, so end of file alone ends nothing.
 *
 * NOTE: kernels older than 5.3 have no pidfd_open(); there the wait ends
 * at end of file, and a child that closes its output early and goes on
 * working is killed then.
 */
static void collect(int out_fd, pid_t pid, long long deadline,
                    struct pl_run_result *r)
{
    int pidfd = open_pidfd(pid);
    int pipe_open = 1;

    while (pipe_open || pidfd != -1) {
        struct pollfd fds[2] = {{pipe_open ? out_fd : -1, POLLIN, 0},
                                {pidfd, POLLIN, 0}};
        long long left = deadline - pl_now_ms();

        if (left <= 0) {
            r->timed_out = 1;
            break;
        }
        if (poll(fds, 2, (int)left) == -1) {
            if (errno == EINTR)
                continue;
            pl_die("poll(output of child %d)", (int)pid);
        }
        if (fds[0].revents) {
            ssize_t n = drain(out_fd, r);

            if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
                pipe_open = 0;
        }
        if (fds[1].revents)
            break;
    }
    if (pidfd != -1)
        close(pidfd);
}

int pl_run(pl_child_fn fn, void *arg, int timeout_ms,
           struct pl_run_result *r)
{
    int fds[2];
    pid_t pid;

    memset(r, 0, sizeof(*r));
    r->output = pl_malloc(PL_RUN_OUTPUT_MAX + 1);
    pl_pipe(fds);
    fflush(NULL);
    r->elapsed_ms = pl_now_ms();
    pid = pl_fork();
    if (pid == 0) {
        pl_close(fds[0]);
        run_child(fds[1], fn, arg);
    }
    /* Parent: without closing its write end, read() would never see end
     * of file. */
    pl_close(fds[1]);
    setpgid(pid, pid);
    collect(fds[0], pid, r->elapsed_ms + timeout_ms, r);

    /* Whatever is still in the group, the child included when it timed
     * out, ends now. */
    kill(-pid, SIGKILL);
    if (r->timed_out)
        kill(pid, SIGKILL);
    pl_waitpid(pid, &r->status, 0);
    /* Take what the group wrote before it died, without blocking on a
     * write end that an escaped process may still hold. */
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    while (drain(fds[0], r) > 0)
        ;
    pl_close(fds[0]);
    r->elapsed_ms = pl_now_ms() - r->elapsed_ms;
    r->output[r->output_len] = '\0';
    return 0;
}

void pl_run_free(struct pl_run_result *r)
{
    free(r->output);
    r->output = NULL;
}

char *pl_describe_status(int status, char *buf, size_t len)
{
    if (WIFEXITED(status)) {
        snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);

        snprintf(buf, len, "was killed by %s (signal %d, %s)%s",
                 pl_signal_name(sig), sig, strsignal(sig),
                 WCOREDUMP(status) ? " and dumped core" : "");
    } else if (WIFSTOPPED(status)) {
        int sig = WSTOPSIG(status);

        snprintf(buf, len, "was stopped by %s (signal %d, %s)",
                 pl_signal_name(sig), sig, strsignal(sig));
    } else if (WIFCONTINUED(status)) {
        snprintf(buf, len, "was continued by SIGCONT");
    } else {
        snprintf(buf, len, "ended with unknown status 0x%x", status);
    }
    return buf;
}
