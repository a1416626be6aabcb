/*
 * fork_memory.c - Lab 01: fork memory isolation.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in fork_memory.h.
 *
 *   make run LAB=01     runs the demo in main.c against your functions
 *   make grade LAB=01   runs the graded tests
 *
 * Use the checked wrappers from proclab.h (pl_fork, pl_pipe, pl_close,
 * pl_waitpid, pl_write_all, pl_read_full, pl_sync_*) so that you do not
 * have to check every call by hand. End every child with _exit().
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

int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    /* TODO(student): add delta in a child, pipe its values back (Step 1) */
    (void)heap;
    (void)delta;
    (void)parent_seen;
    (void)child_seen;
    errno = ENOSYS;
    return -1;
}

int fm_square_in_child(int n)
{
    /* TODO(student): exit a child with n * n, decode its status (Step 1) */
    (void)n;
    errno = ENOSYS;
    return -1;
}

int fm_same_address(struct fm_address_report *r)
{
    /* TODO(student): compare one heap int's address and value (Step 2) */
    (void)r;
    errno = ENOSYS;
    return -1;
}

int fm_touch_in_child(char *buf, size_t len, size_t pages, int write,
                      struct fm_cow_report *r)
{
    /* TODO(student): measure the faults of a child touching pages (Step 3) */
    (void)buf;
    (void)len;
    (void)pages;
    (void)write;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int fm_change_after_fork(int *heap, struct fm_values *child_seen)
{
    /* TODO(student): change values after fork, report the child's (Step 4) */
    (void)heap;
    (void)child_seen;
    errno = ENOSYS;
    return -1;
}
