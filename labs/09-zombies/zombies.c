/*
 * zombies.c - Lab 09: zombies.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in zombies.h.
 *
 *   make run LAB=09     runs the demo in main.c against your functions
 *   make grade LAB=09   runs the graded tests
 *
 * Use the checked wrappers from proclab.h (pl_fork, pl_pipe, pl_close,
 * pl_waitpid, pl_write_all, pl_read_full) where a failure means a broken
 * program. Call waitpid() and fork() yourself where the header says that
 * a failure is a result to report. End every child with _exit().
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
    /* TODO(student): fork a child that ends with _exit(code) (Step 1) */
    (void)code;
    errno = ENOSYS;
    return -1;
}

int zb_proc_state(pid_t pid)
{
    /* TODO(student): read the state after the last ')' of stat (Step 1) */
    (void)pid;
    errno = ENOSYS;
    return -1;
}

int zb_reap(pid_t pid)
{
    /* TODO(student): waitpid() for pid, retrying on EINTR (Step 1) */
    (void)pid;
    errno = ENOSYS;
    return -1;
}

int zb_run_and_wait(zb_task_fn task, void *arg)
{
    /* TODO(student): run task in a child and reap it (Step 2) */
    (void)task;
    (void)arg;
    errno = ENOSYS;
    return -1;
}

int zb_run_unreaped(zb_task_fn task, void *arg, enum zb_reap_by_kernel how)
{
    /* TODO(student): let the kernel reap the task's child (Step 3) */
    (void)task;
    (void)arg;
    (void)how;
    errno = ENOSYS;
    return -1;
}

pid_t zb_run_double_fork(zb_task_fn task, void *arg)
{
    /* TODO(student): run task in an orphaned grandchild (Step 4) */
    (void)task;
    (void)arg;
    errno = ENOSYS;
    return -1;
}

int zb_make_zombies(int n, pid_t *pids)
{
    /* TODO(student): fork n children that end at once (Step 5) */
    (void)n;
    (void)pids;
    errno = ENOSYS;
    return -1;
}

int zb_reap_zombies(void)
{
    /* TODO(student): reap every ended child with WNOHANG (Step 5) */
    errno = ENOSYS;
    return -1;
}
