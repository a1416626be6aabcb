/*
 * main.c - Lab 10 demo: runs the functions of threads.c and prints what
 * each one shows about threads.
 *
 *   make run LAB=10     all six steps
 *   make tsan LAB=10    the Step 5 counters under ThreadSanitizer
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 *
 * Two arguments run only part of Step 5, for ThreadSanitizer, which
 * reports data races as the program runs:
 *
 *   --tsan-unlocked   only th_count_unlocked(); TSan must report its race
 *   --tsan-locked     only th_count_mutex() and th_count_atomic(); TSan
 *                     must report nothing
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proclab.h"
#include "threads.h"

/* Step 5: threads per counter, and increments per thread. */
#define DEMO_THREADS 4
#define DEMO_ITERATIONS 5000000L
/* Fewer under ThreadSanitizer, which makes each access many times
 * slower. */
#define TSAN_ITERATIONS 100000L

static pid_t main_pid;

/* Print why the lab function fn failed, and return 1 for the exit status. */
static int report_failure(const char *fn, const char *step)
{
    int err = errno;

    if (err == ENOSYS)
        printf("  %s is not written yet (%s)\n", fn, step);
    else
        printf("  %s failed: %s (%s)\n", fn, pl_errno_name(err), strerror(err));
    return 1;
}

static int show_write_in_thread(void)
{
    int *heap = pl_malloc(sizeof(*heap));
    struct th_write_report r = {-1, -1};
    int rc;
    int heap_value;

    printf("Step 1: a new thread stores 42 in th_global and in a heap int\n");
    rc = th_write_in_thread(heap, 42, &r);
    heap_value = *heap;
    free(heap);
    if (rc != 0)
        return report_failure("th_write_in_thread", "Step 1");

    printf("  the thread: pid %d, tid %d; the caller: pid %d, tid %d\n",
           (int)r.thread_pid, (int)r.thread_tid, (int)getpid(), (int)gettid());
    printf("  after pthread_join the caller sees th_global=%d heap=%d (%s)\n",
           th_global, heap_value,
           th_global == 42 && heap_value == 42
               ? "the thread's writes reached it"
               : "but the thread's writes should reach the caller");
    return 0;
}

static int show_thread_views(void)
{
    struct th_thread_view views[DEMO_THREADS];
    int rc;

    printf("Step 2: %d threads each store their index + 1 in th_tls, then "
           "wait at a barrier\n",
           DEMO_THREADS);
    rc = th_thread_views(DEMO_THREADS, views);
    if (rc != 0)
        return report_failure("th_thread_views", "Step 2");

    for (int i = 0; i < DEMO_THREADS; i++)
        printf("  thread %d: tid %d, a local at %p, th_tls at %p = %d\n", i,
               (int)views[i].tid, views[i].local_addr, views[i].tls_addr,
               views[i].tls_value);
    printf("  the caller: th_tls at %p = %d, untouched by the threads\n",
           (void *)&th_tls, th_tls);
    return 0;
}

static int show_jobs(void)
{
    struct th_job jobs[DEMO_THREADS];
    long square = 0;
    int rc;

    printf("Step 3: %d threads each square the input of their own job\n",
           DEMO_THREADS);
    for (int i = 0; i < DEMO_THREADS; i++) {
        jobs[i].input = 3 + i;
        jobs[i].result = -1;
        jobs[i].tid = -1;
    }
    rc = th_run_jobs(jobs, DEMO_THREADS);
    if (rc != 0)
        return report_failure("th_run_jobs", "Step 3");
    printf(" ");
    for (int i = 0; i < DEMO_THREADS; i++)
        printf(" %ld -> %ld (tid %d)", jobs[i].input, jobs[i].result,
               (int)jobs[i].tid);
    printf("\n");

    rc = th_square_in_thread(12, &square);
    if (rc != 0)
        return report_failure("th_square_in_thread", "Step 3");
    printf("  a thread returned 12 * 12 = %ld in a heap block that the "
           "caller freed\n",
           square);
    return 0;
}

static int show_detached(void)
{
    struct th_job job = {7, -1, -1};

    printf("Step 4: a detached thread squares 7 and posts a semaphore when "
           "done\n");
    if (th_run_detached(&job) != 0)
        return report_failure("th_run_detached", "Step 4");
    printf("  7 -> %ld (tid %d), and nobody joined the thread\n", job.result,
           (int)job.tid);
    return 0;
}

/*
 * Run one counter function and print its count. Returns 0 when it worked
 * and, if must_be_exact, counted every increment; 1 otherwise.
 */
static int show_counter(const char *label, const char *fn, long count,
                        long iterations, int must_be_exact)
{
    long expected = DEMO_THREADS * iterations;

    if (count < 0) {
        printf("  %-14s", label);
        return report_failure(fn, "Step 5");
    }
    if (count == expected)
        printf("  %-14s %ld\n", label, count);
    else
        printf("  %-14s %ld (%ld increments lost)\n", label, count,
               expected - count);
    return must_be_exact && count != expected;
}

static int show_counters(long iterations, int unlocked, int locked)
{
    int failed = 0;

    printf("Step 5: %d threads each add 1 to a shared counter %ld times "
           "(expected %ld)\n",
           DEMO_THREADS, iterations, DEMO_THREADS * iterations);
    if (unlocked)
        failed |= show_counter("no lock:", "th_count_unlocked",
                               th_count_unlocked(DEMO_THREADS, iterations),
                               iterations, 0);
    if (locked) {
        failed |= show_counter("with a mutex:", "th_count_mutex",
                               th_count_mutex(DEMO_THREADS, iterations),
                               iterations, 1);
        failed |= show_counter("with atomics:", "th_count_atomic",
                               th_count_atomic(DEMO_THREADS, iterations),
                               iterations, 1);
    }
    return failed;
}

static int show_fork_with_held_mutex(void)
{
    struct th_fork_report r = {-1, -1, -1};
    int rc;

    printf("Step 6: fork() while another thread holds a mutex\n");
    if (th_count_threads() < 0)
        return report_failure("th_count_threads", "Step 6");
    /* Flush before the fork, so that the child cannot inherit unwritten
     * output and print it a second time. */
    fflush(stdout);
    rc = th_fork_with_held_mutex(&r);
    if (getpid() != main_pid) {
        fprintf(stderr,
                "process %d, a child made by th_fork_with_held_mutex, "
                "returned into main: end the child with _exit() (Step 6)\n",
                (int)getpid());
        _exit(1);
    }
    if (rc != 0)
        return report_failure("th_fork_with_held_mutex", "Step 6");

    printf("  parent before fork: %d threads\n", r.threads_before_fork);
    printf("  child: %d thread%s; pthread_mutex_trylock() returned %s\n",
           r.child_threads, r.child_threads == 1 ? "" : "s",
           r.child_trylock == 0 ? "0" : pl_errno_name(r.child_trylock));
    if (r.child_trylock == EBUSY)
        printf("  the mutex stays locked in the child: the thread that "
               "would unlock it was not copied\n");
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0;

    main_pid = getpid();
    if (argc == 2 && strcmp(argv[1], "--tsan-unlocked") == 0)
        return show_counters(TSAN_ITERATIONS, 1, 0);
    if (argc == 2 && strcmp(argv[1], "--tsan-locked") == 0)
        return show_counters(TSAN_ITERATIONS, 0, 1);
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--tsan-unlocked | --tsan-locked]\n",
                argv[0]);
        return 2;
    }

    failed |= show_write_in_thread();
    failed |= show_thread_views();
    failed |= show_jobs();
    failed |= show_detached();
    failed |= show_counters(DEMO_ITERATIONS, 1, 1);
    failed |= show_fork_with_held_mutex();
    return failed;
}
