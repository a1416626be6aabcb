/*
 * wait_status.c - Lab 06: waitpid and exit status.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in wait_status.h.
 *
 *   make run LAB=06     runs the demo in main.c against your functions
 *   make grade LAB=06   runs the graded tests
 *
 * pl_fork() and pl_signal_name() from proclab.h save some work. Call
 * waitpid() itself, not pl_waitpid(), where the lab asks you to handle
 * its errors: pl_waitpid() ends the program on ECHILD. End every child
 * with _exit().
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
    /* TODO(student): fork a child that raises sig or exits (Step 1) */
    (void)sig;
    (void)code;
    errno = ENOSYS;
    return -1;
}

int ws_describe_status(int status, char *buf, size_t len)
{
    /* TODO(student): test WIFEXITED and friends, then print (Step 2) */
    (void)status;
    if (len > 0)
        buf[0] = '\0';
    errno = ENOSYS;
    return -1;
}

int ws_shell_status(int status)
{
    /* TODO(student): exit code, or 128 + the signal number (Step 2) */
    (void)status;
    errno = ENOSYS;
    return -1;
}

pid_t ws_waitpid(pid_t pid, int *status, int options)
{
    /* TODO(student): call waitpid again while it fails with EINTR (Step 3) */
    (void)pid;
    (void)status;
    (void)options;
    errno = ENOSYS;
    return -1;
}

int ws_reap_in_finish_order(const pid_t *pids, int n, struct ws_reaped *out)
{
    /* TODO(student): waitpid(-1) n times, check each PID (Step 4) */
    (void)pids;
    (void)n;
    (void)out;
    errno = ENOSYS;
    return -1;
}

int ws_reap_finished(struct ws_reaped *out, int max, int *running)
{
    /* TODO(student): waitpid(-1, WNOHANG) until 0 or ECHILD (Step 5) */
    (void)out;
    (void)max;
    (void)running;
    errno = ENOSYS;
    return -1;
}
