/*
 * shared_memory.c - Lab 05: shared memory.
 *
 * This is the file you write. Each function below is a stub that fails
 * with errno ENOSYS. Replace its body as the handout (README.md in this
 * folder) describes, one step at a time. The contract of each function
 * is in shared_memory.h.
 *
 *   make run LAB=05     runs the demo in main.c against your functions
 *   make grade LAB=05   runs the graded tests
 *
 * Use the checked wrappers from proclab.h (pl_fork, pl_pipe, pl_close,
 * pl_waitpid, pl_read_full) for processes and pipes. Check mmap,
 * shm_open, ftruncate and the pthread calls yourself, and return -1 with
 * errno when one fails. End every child with _exit().
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "shared_memory.h"

int sm_child_writes(int flags, int value, int *parent_seen)
{
    /* TODO(student): let a child write to a page mapped before fork (Step 1) */
    (void)flags;
    (void)value;
    (void)parent_seen;
    errno = ENOSYS;
    return -1;
}

int sm_named_create(const char *name, const char *text)
{
    /* TODO(student): create, size, map and fill a named object (Step 2) */
    (void)name;
    (void)text;
    errno = ENOSYS;
    return -1;
}

int sm_named_read(const char *name, char *buf, size_t len)
{
    /* TODO(student): open a named object and copy its text out (Step 2) */
    (void)name;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

int sm_named_remove(const char *name)
{
    /* TODO(student): remove the object's name with shm_unlink (Step 2) */
    (void)name;
    errno = ENOSYS;
    return -1;
}

struct sm_counter *sm_counter_create(void)
{
    /* TODO(student): map a counter with a process-shared mutex (Step 3) */
    errno = ENOSYS;
    return NULL;
}

int sm_counter_add(struct sm_counter *c, long n, int locked)
{
    /* TODO(student): add 1 n times, under c->lock when locked (Step 3) */
    (void)c;
    (void)n;
    (void)locked;
    errno = ENOSYS;
    return -1;
}

int sm_counter_destroy(struct sm_counter *c)
{
    /* TODO(student): destroy the mutex and unmap the counter (Step 3) */
    (void)c;
    errno = ENOSYS;
    return -1;
}

int sm_count_in_children(struct sm_counter *c, int procs, long n, int locked)
{
    /* TODO(student): fork procs children that add to c, reap them (Step 4) */
    (void)c;
    (void)procs;
    (void)n;
    (void)locked;
    errno = ENOSYS;
    return -1;
}
