/*
 * inherit_exec.c - Lab 02: what a child inherits, and what exec keeps.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in inherit_exec.h.
 *
 *   make run LAB=02     runs the demo in main.c against your functions
 *   make grade LAB=02   runs the graded tests
 *
 * Use the checked wrappers from proclab.h (pl_fork, pl_pipe, pl_close,
 * pl_waitpid, pl_write_all, pl_read_full, pl_sync_*), so that you do not
 * have to check those calls by hand. Check open(), fcntl() and the other
 * calls yourself. End every child with _exit().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inherit_exec.h"
#include "proclab.h"

int ie_write_shared(const char *path, const char *parent_text,
                    const char *child_text, off_t *parent_offset)
{
    /* TODO(student): open once before fork, write in turn (Step 1) */
    (void)path;
    (void)parent_text;
    (void)child_text;
    (void)parent_offset;
    errno = ENOSYS;
    return -1;
}

int ie_write_separate(const char *path, const char *parent_text,
                      const char *child_text, off_t *parent_offset)
{
    /* TODO(student): open in each process after fork, write (Step 1) */
    (void)path;
    (void)parent_text;
    (void)child_text;
    (void)parent_offset;
    errno = ENOSYS;
    return -1;
}

int ie_print_once(void)
{
    /* TODO(student): print each line once: flush before fork (Step 2) */
    errno = ENOSYS;
    return -1;
}

int ie_setenv_in_child(const char *name, const char *value,
                       struct ie_env_report *r)
{
    /* TODO(student): setenv in a child, compare with the parent (Step 3) */
    (void)name;
    (void)value;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int ie_spawn(const char *path, char *const argv[], char *const envp[],
             int out_fd, pid_t *child_pid)
{
    /* TODO(student): fork, dup2 out_fd to stdout, execve (Step 3) */
    (void)path;
    (void)argv;
    (void)envp;
    (void)out_fd;
    (void)child_pid;
    errno = ENOSYS;
    return -1;
}

int ie_exec_with_fds(const char *path, char *const argv[], int out_fd,
                     struct ie_exec_report *r)
{
    /* TODO(student): open three fds, two close-on-exec, spawn (Step 4) */
    (void)path;
    (void)argv;
    (void)out_fd;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int ie_pending_in_child(int sig, struct ie_signal_report *r)
{
    /* TODO(student): leave sig pending, check it in a child (Step 5) */
    (void)sig;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int ie_threads_in_child(int extra, struct ie_thread_report *r)
{
    /* TODO(student): count threads in parent and child (Step 5) */
    (void)extra;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int ie_lock_in_child(const char *path, struct ie_lock_report *r)
{
    /* TODO(student): lock in the parent, test it in the child (Step 5) */
    (void)path;
    (void)r;
    errno = ENOSYS;
    return -1;
}
