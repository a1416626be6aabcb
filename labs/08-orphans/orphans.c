/*
 * orphans.c - Lab 08: orphans, subreapers and parent-death signals.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in orphans.h.
 *
 *   make run LAB=08     runs the demo in main.c against your functions
 *   make grade LAB=08   runs the graded tests
 *
 * Use the checked wrappers from proclab.h (pl_fork, pl_pipe, pl_close,
 * pl_waitpid, pl_write_all, pl_read_full, pl_sync_*, pl_proc_read_stat)
 * so that you do not have to check every call by hand. End every child
 * with _exit().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orphans.h"
#include "proclab.h"

int orph_watch_adoption(struct orph_adoption *r)
{
    /* TODO(student): fork a middle that forks an orphan and exits (Step 1) */
    (void)r;
    errno = ENOSYS;
    return -1;
}

int orph_adopt_and_reap(struct orph_adoption *r, int *status)
{
    /* TODO(student): become a subreaper, adopt and reap the orphan (Step 2) */
    (void)r;
    (void)status;
    errno = ENOSYS;
    return -1;
}

int orph_parse_nspid(const char *status, pid_t *pids, int max)
{
    /* TODO(student): read the PIDs on the line "NSpid:" (Step 3) */
    (void)status;
    (void)pids;
    (void)max;
    errno = ENOSYS;
    return -1;
}

int orph_list_ancestors(pid_t pid, struct orph_ancestor *out, int max)
{
    /* TODO(student): follow the parent PIDs in /proc up to 0 (Step 3) */
    (void)pid;
    (void)out;
    (void)max;
    errno = ENOSYS;
    return -1;
}

int orph_watch_parent(pid_t parent, int sig, int ready_fd, int report_fd)
{
    /* TODO(student): block sig, arm PR_SET_PDEATHSIG, check, wait (Step 4) */
    (void)parent;
    (void)sig;
    (void)ready_fd;
    (void)report_fd;
    errno = ENOSYS;
    return -1;
}

pid_t orph_spawn_watcher(int sig, int report_fd)
{
    /* TODO(student): fork a watcher, return once it is armed (Step 4) */
    (void)sig;
    (void)report_fd;
    errno = ENOSYS;
    return -1;
}
