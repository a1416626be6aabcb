/*
 * costs.c - Lab 12: what it costs to start a process or a thread.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in costs.h.
 *
 *   make run LAB=12     prints a table of costs measured by your functions
 *   make grade LAB=12   runs the graded tests
 *
 * Take each time with clock_gettime(CLOCK_MONOTONIC) and turn it into
 * nanoseconds with your ct_elapsed_ns(). Use the checked wrappers from
 * proclab.h (pl_fork, pl_waitpid, pl_malloc) so that you do not have to
 * check every call by hand. End every child with _exit().
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "costs.h"
#include "proclab.h"

long long ct_elapsed_ns(const struct timespec *start,
                        const struct timespec *end)
{
    /* TODO(student): subtract two timespecs, in nanoseconds (Step 1) */
    (void)start;
    (void)end;
    errno = ENOSYS;
    return -1;
}

long long ct_median_ns(long long *samples, int n)
{
    /* TODO(student): sort the samples and return the middle (Step 1) */
    (void)samples;
    (void)n;
    errno = ENOSYS;
    return -1;
}

long long ct_fork_ns(int reps)
{
    /* TODO(student): time fork + _exit(0) + waitpid, reps times (Step 2) */
    (void)reps;
    errno = ENOSYS;
    return -1;
}

long long ct_spawn_ns(const char *path, int reps)
{
    /* TODO(student): time posix_spawn + waitpid, reps times (Step 3) */
    (void)path;
    (void)reps;
    errno = ENOSYS;
    return -1;
}

long long ct_vfork_ns(const char *path, int reps)
{
    /* TODO(student): time vfork + execv + waitpid, reps times (Step 4) */
    (void)path;
    (void)reps;
    errno = ENOSYS;
    return -1;
}

long long ct_thread_ns(int reps, void *(*body)(void *), void *arg)
{
    /* TODO(student): time pthread_create + pthread_join (Step 5) */
    (void)reps;
    (void)body;
    (void)arg;
    errno = ENOSYS;
    return -1;
}
