/*
 * threads.c - Lab 10: threads.
 *
 * This is the file you write. Each function below but one is a stub that
 * returns -1 with errno ENOSYS. Replace its body as the handout (README.md
 * in this folder) describes, one step at a time. The contract of each
 * function is in threads.h.
 *
 *   make run LAB=10     runs the demo in main.c against your functions
 *   make grade LAB=10   runs the graded tests
 *   make tsan LAB=10    runs the Step 5 counters under ThreadSanitizer
 *
 * th_count_unlocked() and run_threads() are already written: the first is
 * the bug that Step 5 is about, and you may use the second in Step 5.
 *
 * The pthread functions return an error number instead of setting errno.
 * fail_with() below stores it in errno for your caller. Use the checked
 * wrappers from proclab.h (pl_fork, pl_pipe, pl_close, pl_waitpid,
 * pl_read_full) in Step 6, and end the child with _exit().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "threads.h"

int th_global;
_Thread_local int th_tls;

/* Store err, a pthread error number, in errno and return -1. */
static int fail_with(int err)
{
    errno = err;
    return -1;
}

int th_write_in_thread(int *heap, int value, struct th_write_report *r)
{
    /* TODO(student): write value in a new thread, then join it (Step 1) */
    (void)heap;
    (void)value;
    (void)r;
    return fail_with(ENOSYS);
}

int th_thread_views(int n, struct th_thread_view *views)
{
    /* TODO(student): n threads report their stack and th_tls (Step 2) */
    (void)n;
    (void)views;
    return fail_with(ENOSYS);
}

int th_run_jobs(struct th_job *jobs, int n)
{
    /* TODO(student): one thread per job, each gets &jobs[i] (Step 3) */
    (void)jobs;
    (void)n;
    return fail_with(ENOSYS);
}

int th_square_in_thread(long x, long *square)
{
    /* TODO(student): a thread returns x * x in a malloc'd block (Step 3) */
    (void)x;
    (void)square;
    return fail_with(ENOSYS);
}

int th_run_detached(struct th_job *job)
{
    /* TODO(student): run job in a detached thread, wait on a semaphore
     * (Step 4) */
    (void)job;
    return fail_with(ENOSYS);
}

/*
 * Start nthreads threads (1..TH_MAX_THREADS) that each run fn(arg), then
 * join them all. Returns 0, or -1 with errno after joining the threads
 * that started.
 */
static int run_threads(int nthreads, void *(*fn)(void *), void *arg)
{
    pthread_t threads[TH_MAX_THREADS];
    int rc;

    if (nthreads < 1 || nthreads > TH_MAX_THREADS)
        return fail_with(EINVAL);
    for (int i = 0; i < nthreads; i++) {
        rc = pthread_create(&threads[i], NULL, fn, arg);
        if (rc != 0) {
            for (int j = 0; j < i; j++)
                pthread_join(threads[j], NULL);
            return fail_with(rc);
        }
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    return 0;
}

/*
 * The counter of th_count_unlocked(). volatile makes the compiler load and
 * store value on every increment, as it must for memory that another
 * thread may change. Without it the optimizer could keep the count in a
 * register and store it once, which would hide the race, not fix it.
 */
struct unlocked_counter {
    long iterations;
    volatile long value;
};

static void *add_unlocked(void *arg)
{
    struct unlocked_counter *c = arg;

    /* value++ is a load, an add and a store: another thread can store
     * between the load and the store, and its increment is then lost. */
    for (long i = 0; i < c->iterations; i++)
        c->value++;
    return NULL;
}

/* Already written, and wrong on purpose: Step 5 shows why. */
long th_count_unlocked(int nthreads, long iterations)
{
    struct unlocked_counter c = {iterations, 0};

    if (iterations < 0)
        return fail_with(EINVAL);
    if (run_threads(nthreads, add_unlocked, &c) != 0)
        return -1;
    return c.value;
}

long th_count_mutex(int nthreads, long iterations)
{
    /* TODO(student): guard each increment with a mutex (Step 5) */
    (void)nthreads;
    (void)iterations;
    return fail_with(ENOSYS);
}

long th_count_atomic(int nthreads, long iterations)
{
    /* TODO(student): count with atomic_fetch_add() (Step 5) */
    (void)nthreads;
    (void)iterations;
    return fail_with(ENOSYS);
}

int th_count_threads(void)
{
    /* TODO(student): count /proc/self/task with getdents64() (Step 6) */
    return fail_with(ENOSYS);
}

int th_fork_with_held_mutex(struct th_fork_report *r)
{
    /* TODO(student): fork while another thread holds a mutex (Step 6) */
    (void)r;
    return fail_with(ENOSYS);
}
