/*
 * wait_status.c - Lab 06: waitpid and exit status (reference solution).
 *
 * The contract of each function is in labs/06-waitpid/wait_status.h, and
 * the handout is labs/06-waitpid/README.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "wait_status.h"

pid_t ws_start_child(int sig, int code)
{
    pid_t pid;

    /* Check before forking: a child that cannot do what was asked would
     * end some other way, and the caller would decode a lie. */
    if (code < 0 || code > 255 || sig < 0 || sig >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    pid = pl_fork();
    if (pid == 0) {
        /* Child: a signal whose action is to terminate ends it inside
         * raise(). After a stop signal, raise() returns once SIGCONT
         * arrives, and after an ignored one it returns at once. Either
         * way the child then exits. */
        if (sig != 0 && raise(sig) != 0)
            pl_die("raise(%s)", pl_signal_name(sig));
        /* _exit(), not exit(): the child must not flush stdio buffers it
         * copied from the parent, nor run the parent's atexit handlers. */
        _exit(code);
    }
    /* Parent: the caller waits for the child. */
    return pid;
}

int ws_describe_status(int status, char *buf, size_t len)
{
    /* Each field macro reads bits whose meaning depends on the kind of
     * status: WEXITSTATUS() of a killed child's status is 0, and of a
     * stopped child's status is the stop signal. So find the kind
     * first. */
    if (WIFEXITED(status)) {
        snprintf(buf, len, WS_EXITED, WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);

        snprintf(buf, len, WS_KILLED "%s", sig, pl_signal_name(sig),
                 WCOREDUMP(status) ? WS_CORE_DUMPED : "");
    } else if (WIFSTOPPED(status)) {
        int sig = WSTOPSIG(status);

        snprintf(buf, len, WS_STOPPED, sig, pl_signal_name(sig));
    } else if (WIFCONTINUED(status)) {
        snprintf(buf, len, WS_CONTINUED);
    } else {
        if (len > 0)
            buf[0] = '\0';
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int ws_shell_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    /* Programs seldom exit with codes above 128, so 128 + N marks a
     * signal. A program that calls exit(137) looks the same in $?. */
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    if (WIFSTOPPED(status))
        return 128 + WSTOPSIG(status);
    errno = EINVAL;
    return -1;
}

pid_t ws_waitpid(pid_t pid, int *status, int options)
{
    pid_t got;

    /* A handler installed without SA_RESTART makes a blocked waitpid()
     * fail with EINTR even though the child is fine: wait again. Any
     * other error, ECHILD above all, would fail the same way forever. */
    do
        got = waitpid(pid, status, options);
    while (got == -1 && errno == EINTR);
    return got;
}

/* Return the index of pid in pids, or -1 when it is not there. */
static int find_pid(const pid_t *pids, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (pids[i] == pid)
            return i;
    return -1;
}

int ws_reap_in_finish_order(const pid_t *pids, int n, struct ws_reaped *out)
{
    for (int done = 0; done < n; done++) {
        int status;
        /* -1: whichever child ends next. waitpid(pids[done]) would block
         * on one child while others that already ended stay zombies. */
        pid_t pid = ws_waitpid(-1, &status, 0);

        if (pid == -1)
            return -1;
        if (find_pid(pids, n, pid) == -1) {
            errno = ESRCH;
            return -1;
        }
        out[done].pid = pid;
        out[done].status = status;
    }
    return n;
}

int ws_reap_finished(struct ws_reaped *out, int max, int *running)
{
    int count = 0;

    for (;;) {
        int status;
        pid_t pid = ws_waitpid(-1, &status, WNOHANG);

        if (pid == 0) {
            /* Children are left, and none of them has ended yet. */
            *running = 1;
            return count;
        }
        if (pid == -1) {
            if (errno != ECHILD)
                return -1;
            /* Not an error here: it means every child has been reaped. */
            *running = 0;
            return count;
        }
        if (count < max) {
            out[count].pid = pid;
            out[count].status = status;
        }
        count++;
    }
}
