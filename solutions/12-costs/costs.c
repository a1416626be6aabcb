/*
 * costs.c - Lab 12: what it costs to start a process or a thread
 * (reference solution).
 *
 * Each measuring function times reps repetitions one at a time with
 * CLOCK_MONOTONIC, which no clock change moves, and returns their median.
 * The handout is labs/12-costs/README.md.
 *
 * Every system call that must not fail goes through the pl_ wrappers
 * from common/, which end the process with a message when a call fails.
 * The calls whose failure is reported to the caller (posix_spawn and the
 * child's execv) are checked here.
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "costs.h"
#include "proclab.h"

extern char **environ;

long long ct_elapsed_ns(const struct timespec *start,
                        const struct timespec *end)
{
    if (start == NULL || end == NULL) {
        errno = EINVAL;
        return -1;
    }
    /* tv_nsec of end may be smaller than that of start, when a second
     * boundary lies between them: the seconds then make up for it. */
    return (long long)(end->tv_sec - start->tv_sec) * 1000000000LL +
           (end->tv_nsec - start->tv_nsec);
}

static int compare_samples(const void *a, const void *b)
{
    long long x = *(const long long *)a;
    long long y = *(const long long *)b;

    /* Not x - y, which can overflow int. */
    return (x > y) - (x < y);
}

long long ct_median_ns(long long *samples, int n)
{
    if (samples == NULL || n < 1) {
        errno = EINVAL;
        return -1;
    }
    qsort(samples, (size_t)n, sizeof(*samples), compare_samples);
    if (n % 2 == 1)
        return samples[n / 2];
    return (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

static struct timespec now(void)
{
    struct timespec t;

    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
        pl_die("clock_gettime(CLOCK_MONOTONIC)");
    return t;
}

/* Allocate room for reps samples, or fail with EINVAL. */
static long long *alloc_samples(int reps)
{
    if (reps < 1 || reps > CT_MAX_REPS) {
        errno = EINVAL;
        return NULL;
    }
    return pl_malloc((size_t)reps * sizeof(long long));
}

/* Free the samples and return their median. */
static long long finish_samples(long long *samples, int reps)
{
    long long median = ct_median_ns(samples, reps);

    free(samples);
    return median;
}

/* Free the samples and fail with errno err. */
static long long fail_samples(long long *samples, int err)
{
    free(samples);
    errno = err;
    return -1;
}

/* True when a waitpid() status means the child called _exit(0). */
static int exited_zero(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

long long ct_fork_ns(int reps)
{
    long long *samples = alloc_samples(reps);

    if (samples == NULL)
        return -1;
    for (int i = 0; i < reps; i++) {
        struct timespec start = now();
        struct timespec end;
        int status;
        pid_t pid = pl_fork();

        /* Child: the copy of the parent is all that is measured, so it
         * ends at once, with _exit() so that it flushes no stdio buffer
         * it copied from the parent. */
        if (pid == 0)
            _exit(0);

        /* Parent: the time runs until the child has ended and been
         * reaped, which includes the kernel freeing its copied page
         * tables. */
        pl_waitpid(pid, &status, 0);
        end = now();
        if (!exited_zero(status))
            return fail_samples(samples, EIO);
        samples[i] = ct_elapsed_ns(&start, &end);
    }
    return finish_samples(samples, reps);
}

long long ct_spawn_ns(const char *path, int reps)
{
    long long *samples;

    if (path == NULL) {
        errno = EINVAL;
        return -1;
    }
    samples = alloc_samples(reps);
    if (samples == NULL)
        return -1;
    for (int i = 0; i < reps; i++) {
        char *argv[] = {(char *)path, NULL};
        struct timespec start = now();
        struct timespec end;
        int status;
        pid_t pid;
        /* posix_spawn() returns an error number and leaves errno alone.
         * glibc reports a failed exec here too, because its child shares
         * the parent's memory until the exec (clone with CLONE_VM and
         * CLONE_VFORK). */
        int err = posix_spawn(&pid, path, NULL, NULL, argv, environ);

        if (err != 0)
            return fail_samples(samples, err);
        pl_waitpid(pid, &status, 0);
        end = now();
        if (!exited_zero(status))
            return fail_samples(samples, EIO);
        samples[i] = ct_elapsed_ns(&start, &end);
    }
    return finish_samples(samples, reps);
}

/*
 * Start path with vfork() and execv(), and return the child's PID. When
 * execv() fails, the child stores its errno in *exec_errno before it
 * ends. The child runs in the parent's memory, so the store lands in the
 * parent's variable, and vfork() suspends the parent until the child has
 * ended or exec'd.
 * Kept apart from the timing loop, so that no variable of the loop is
 * live across vfork().
 */
static pid_t start_with_vfork(const char *path, volatile int *exec_errno)
{
    char *argv[] = {(char *)path, NULL};
    pid_t pid;

    *exec_errno = 0;
    pid = vfork();
    if (pid == -1)
        pl_die("vfork()");
    if (pid == 0) {
        /* Child: only execv(), a store and _exit() are safe here. exit()
         * would run the parent's atexit handlers and flush its stdio
         * buffers, and returning would pop the stack frame that the
         * parent still needs. */
        execv(path, argv);
        *exec_errno = errno;
        _exit(127);
    }
    /* Parent: it resumes only once the child has exec'd or ended. */
    return pid;
}

long long ct_vfork_ns(const char *path, int reps)
{
    long long *samples;

    if (path == NULL) {
        errno = EINVAL;
        return -1;
    }
    samples = alloc_samples(reps);
    if (samples == NULL)
        return -1;
    for (int i = 0; i < reps; i++) {
        volatile int exec_errno;
        struct timespec start = now();
        struct timespec end;
        int status;
        pid_t pid = start_with_vfork(path, &exec_errno);

        pl_waitpid(pid, &status, 0);
        end = now();
        if (exec_errno != 0)
            return fail_samples(samples, exec_errno);
        if (!exited_zero(status))
            return fail_samples(samples, EIO);
        samples[i] = ct_elapsed_ns(&start, &end);
    }
    return finish_samples(samples, reps);
}

long long ct_thread_ns(int reps, void *(*body)(void *), void *arg)
{
    long long *samples;

    if (body == NULL) {
        errno = EINVAL;
        return -1;
    }
    samples = alloc_samples(reps);
    if (samples == NULL)
        return -1;
    for (int i = 0; i < reps; i++) {
        struct timespec start = now();
        struct timespec end;
        pthread_t thread;
        /* Like posix_spawn(), the pthread functions return an error
         * number instead of setting errno. */
        int err = pthread_create(&thread, NULL, body, arg);

        if (err != 0) {
            errno = err;
            pl_die("pthread_create()");
        }
        /* Joining frees the thread's stack and descriptor. A thread
         * that is never joined keeps them until the process ends. */
        err = pthread_join(thread, NULL);
        if (err != 0) {
            errno = err;
            pl_die("pthread_join()");
        }
        end = now();
        samples[i] = ct_elapsed_ns(&start, &end);
    }
    return finish_samples(samples, reps);
}
