/*
 * zombies.c - Lab 09: zombies (reference solution).
 *
 * Step 1 makes a zombie, reads its state from /proc and reaps it. Steps
 * 2 to 4 run a task in a child in the three ways that leave no zombie:
 * waiting for it, letting the kernel reap it, and the double fork. Step 5
 * makes many zombies and reaps them all. The handout is
 * labs/09-zombies/README.md.
 *
 * Every system call goes through the pl_ wrappers from common/, except
 * where its failure is a result to report: opening /proc/PID/stat, the
 * waitpid() calls that may fail with ECHILD, and the forks of Step 5.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "zombies.h"

pid_t zb_make_zombie(int code)
{
    pid_t pid;

    if (code < 0 || code > 255) {
        errno = EINVAL;
        return -1;
    }
    pid = pl_fork();
    if (pid == 0) {
        /* Child: end at once. Until the parent waits, the kernel keeps
         * this exit code, and with it the zombie. */
        _exit(code);
    }
    /* Parent: return without waiting, which is what leaves the zombie. */
    return pid;
}

int zb_proc_state(pid_t pid)
{
    char path[64];
    char line[512];
    const char *close;
    FILE *f;
    int got_line;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    got_line = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    if (!got_line) {
        /* The process was removed between fopen() and the read. */
        errno = ENOENT;
        return -1;
    }

    /* "PID (NAME) S ...": NAME may hold ") Z (" itself, so only the last
     * ')' of the line ends it. */
    close = strrchr(line, ')');
    if (close == NULL || close[1] != ' ' || close[2] == '\0') {
        errno = EPROTO;
        return -1;
    }
    return (unsigned char)close[2];
}

int zb_reap(pid_t pid)
{
    int status;

    /* Not pl_waitpid(): ECHILD is a result for the caller here, not a
     * broken program. */
    while (waitpid(pid, &status, 0) == -1) {
        if (errno != EINTR)
            return -1;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int zb_run_and_wait(zb_task_fn task, void *arg)
{
    pid_t pid;

    if (task == NULL) {
        errno = EINVAL;
        return -1;
    }
    pid = pl_fork();
    if (pid == 0) {
        /* Child: run the task; its return value is the exit code. */
        _exit(task(arg));
    }
    /* Parent: waiting removes the child as soon as it has ended. */
    return zb_reap(pid);
}

/* Install act as SIGCHLD's action, storing the one it replaces in old. */
static void set_sigchld(const struct sigaction *act, struct sigaction *old)
{
    if (sigaction(SIGCHLD, act, old) == -1)
        pl_die("sigaction(SIGCHLD)");
}

int zb_run_unreaped(zb_task_fn task, void *arg, enum zb_reap_by_kernel how)
{
    struct sigaction unreaped;
    struct sigaction caller;
    pid_t pid;
    int err;

    if (task == NULL || (how != ZB_IGNORE_SIGCHLD && how != ZB_NOCLDWAIT)) {
        errno = EINVAL;
        return -1;
    }
    memset(&unreaped, 0, sizeof(unreaped));
    sigemptyset(&unreaped.sa_mask);
    if (how == ZB_IGNORE_SIGCHLD) {
        unreaped.sa_handler = SIG_IGN;
    } else {
        /* SIGCHLD keeps its default action, which ignores it, and with
         * the flag the kernel keeps no ended child as a zombie. */
        unreaped.sa_handler = SIG_DFL;
        unreaped.sa_flags = SA_NOCLDWAIT;
    }
    /* Before fork: a child that ends before the parent has changed the
     * action would already be a zombie. */
    set_sigchld(&unreaped, &caller);

    pid = pl_fork();
    if (pid == 0) {
        /* Child: an ignored SIGCHLD survives fork() and execve(), so give
         * the task the action its caller expects. */
        set_sigchld(&caller, NULL);
        _exit(task(arg));
    }

    /* Parent: waitpid() returns only once the child has ended, and then
     * with ECHILD, because the kernel has already removed it. Only after
     * that may SIGCHLD go back to an action that makes zombies. Should
     * waitpid() return the PID, it reaped the child itself, and the next
     * call fails with ECHILD. */
    for (;;) {
        if (waitpid(pid, NULL, 0) == -1 && errno != EINTR)
            break;
    }
    err = errno;
    set_sigchld(&caller, NULL);
    if (err != ECHILD) {
        errno = err;
        return -1;
    }
    return 0;
}

pid_t zb_run_double_fork(zb_task_fn task, void *arg)
{
    int fds[2];
    pid_t middle;
    pid_t grandchild;
    size_t got;
    int status;

    if (task == NULL) {
        errno = EINVAL;
        return -1;
    }
    pl_pipe(fds);
    middle = pl_fork();
    if (middle == 0) {
        /* Middle child: it only writes the grandchild's PID. */
        pid_t pid;

        pl_close(fds[0]);
        pid = pl_fork();
        if (pid == 0) {
            /* Grandchild: it sends nothing, so it closes the write end
             * too, and then runs the task. Once the middle child has
             * ended, its parent is the nearest subreaper or init. */
            pl_close(fds[1]);
            _exit(task(arg));
        }
        pl_write_all(fds[1], &pid, sizeof(pid));
        pl_close(fds[1]);
        /* End at once, and so orphan the grandchild. */
        _exit(0);
    }

    /* Parent: close the write end, so that the read below ends at end of
     * file if the middle child dies before it sends the PID. */
    pl_close(fds[1]);
    got = pl_read_full(fds[0], &grandchild, sizeof(grandchild));
    pl_close(fds[0]);
    /* The middle child ends at once, so this wait is short. When it
     * returns, the kernel has already given the grandchild its new
     * parent. */
    pl_waitpid(middle, &status, 0);
    if (got != sizeof(grandchild) || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        errno = EIO;
        return -1;
    }
    return grandchild;
}

int zb_make_zombies(int n, pid_t *pids)
{
    int started;

    if (n < 0 || (n > 0 && pids == NULL)) {
        errno = EINVAL;
        return -1;
    }
    for (started = 0; started < n; started++) {
        /* fork() itself: pl_fork() would end the caller on EAGAIN, and
         * the PIDs of the children started so far would be lost with
         * it. */
        pid_t pid = fork();

        if (pid == -1)
            return started; /* errno is fork()'s */
        if (pid == 0) {
            /* Child i: end at once, with its index as the exit code. */
            _exit(started % 256);
        }
        pids[started] = pid;
    }
    return started;
}

int zb_reap_zombies(void)
{
    int reaped = 0;

    for (;;) {
        pid_t pid = waitpid(-1, NULL, WNOHANG);

        if (pid > 0) {
            reaped++;
            continue;
        }
        if (pid == 0)
            return reaped; /* the children left are still running */
        if (errno == ECHILD)
            return reaped; /* no child is left */
        if (errno != EINTR)
            return -1;
    }
}
