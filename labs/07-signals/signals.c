/*
 * signals.c - Lab 07: signals.
 *
 * This is the file you write. Each function below is a stub: those that
 * return a value return -1 with errno ENOSYS, and the handlers do nothing.
 * Replace each body as the handout (README.md in this folder) describes,
 * one step at a time. The contract of each function is in signals.h.
 *
 *   make run LAB=07     runs the demo in main.c against your functions
 *   make grade LAB=07   runs the graded tests
 *
 * A handler may call only async-signal-safe functions (signal-safety(7)):
 * no printf(), no malloc(). Outside the handlers, use the checked wrappers
 * from proclab.h (pl_fork, pl_close, pl_write_all, pl_read_full, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "signals.h"

volatile sig_atomic_t sg_stop_requested;
volatile struct sg_reaped sg_reaped[SG_MAX_REAPED];
volatile sig_atomic_t sg_reaped_count;

void sg_on_term(int sig)
{
    /* TODO(student): set sg_stop_requested, and nothing else (Step 1) */
    (void)sig;
}

int sg_install_term_handler(void)
{
    /* TODO(student): install sg_on_term with sigaction, no flags (Step 1) */
    errno = ENOSYS;
    return -1;
}

int sg_worker(int jobs_fd, int out_fd, const char *pidfile_path)
{
    /* TODO(student): work until SIGTERM, finish the unit, clean up (Step 1) */
    (void)jobs_fd;
    (void)out_fd;
    (void)pidfile_path;
    errno = ENOSYS;
    return -1;
}

void sg_on_child(int sig)
{
    /* TODO(student): reap all ended children (WNOHANG), keep errno (Step 2) */
    (void)sig;
}

int sg_install_child_handler(void)
{
    /* TODO(student): install sg_on_child for SIGCHLD with sigaction (Step 2) */
    errno = ENOSYS;
    return -1;
}

int sg_wait_until(int sig, int (*done)(void *arg), void *arg)
{
    /* TODO(student): block sig, check done(), sleep in sigsuspend (Step 3) */
    (void)sig;
    (void)done;
    (void)arg;
    errno = ENOSYS;
    return -1;
}

int sg_read_masks(pid_t pid, struct sg_masks *m)
{
    /* TODO(student): parse SigBlk, SigIgn, SigCgt from /proc (Step 4) */
    (void)pid;
    (void)m;
    errno = ENOSYS;
    return -1;
}

pid_t sg_exec_with_signals(const struct sg_exec_setup *setup,
                           char *const argv[], int out_fd)
{
    /* TODO(student): fork; child ignores, blocks, redirects, execs (Step 4) */
    (void)setup;
    (void)argv;
    (void)out_fd;
    errno = ENOSYS;
    return -1;
}
