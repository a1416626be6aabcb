/*
 * check_threads.c - graded tests for Lab 10: threads.
 *
 * Each test calls functions from labs/10-threads/threads.c and checks what
 * they report against what threads guarantee. Threads share the globals
 * and the heap, and each has its own stack and thread-local storage. A
 * lock or an atomic operation keeps a shared counter exact. fork() copies
 * only the thread that called it.
 *
 * A watchdog thread (watchdog.c) fails a test whose call does not return
 * in time, with a count of the threads it left blocked. The Step 6 tests
 * cannot use it, because an extra thread would change the thread counts
 * that they check. Their call runs in a child of the test process
 * instead, under a deadline of its own (run_fork_call()).
 *
 * The counters are only graded where they must be exact. How many
 * increments an unlocked counter loses depends on timing, so no test
 * grades it: `make tsan LAB=10` shows its race instead.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"
#include "threads.h"
#include "watchdog.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

#define TIMEOUT_S 5.0

/* How long the threads a call created may take to end after it returned,
 * before the grader's scale factor. */
#define THREAD_END_MS 1000

/* The deadline of the Step 6 call, before the grader's scale factor. */
#define FORK_CALL_MS 2000

/* Threads per Step 2 and Step 3 call: fewer than TH_MAX_THREADS, so that
 * a thread that writes one entry past the last stays inside the test's
 * array, where the test finds the write. */
#define VIEW_THREADS 6
#define JOB_THREADS 8

static int scaled_ms(int ms)
{
    return (int)(ms * pl_test_scale());
}

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here. EINVAL from pthread_join() means that the thread "
               "was detached, or was already joined";
    case EAGAIN:
        return "a thread could not be created: does the function create "
               "more threads than asked?";
    case EDEADLK:
        return "EDEADLK from pthread_join() means a thread tried to join "
               "itself";
    case ESRCH:
        return "ESRCH from pthread_join() means no such thread: was the "
               "pthread_t that pthread_create() filled in kept?";
    default:
        return "a call inside the function failed";
    }
}

/* Fail unless a lab function named name returned 0. */
#define CHECK_RETURNED_ZERO(name, rc, err)                                     \
    PL_CHECK((rc) == 0, "expected %s to return 0, got %ld (errno %s, %s): %s", \
             (name), (long)(rc), pl_errno_name(err), strerror(err),            \
             failure_hint(err))

/* --- threads of the test process ---------------------------------------- */

/* Store the IDs of the threads of the test process other than the
 * calling one in tids, at most max. Returns how many there are. */
static int other_threads(pid_t *tids, int max)
{
    struct dirent *e;
    DIR *d = opendir("/proc/self/task");
    pid_t self = gettid();
    int count = 0;

    if (d == NULL)
        PL_FAIL("test setup: opendir(/proc/self/task) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    while ((e = readdir(d)) != NULL) {
        pid_t tid = (pid_t)atoi(e->d_name);

        if (tid <= 0 || tid == self)
            continue;
        if (count < max)
            tids[count] = tid;
        count++;
    }
    closedir(d);
    return count;
}

/*
 * Wait up to timeout_ms for every other thread of this process to end.
 * A thread that was joined may still be listed for a moment, because the
 * kernel removes it after it has woken up pthread_join(). Returns the
 * number of other threads still there at the deadline.
 */
static int wait_other_threads_ended(int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;
    pid_t tids[TH_MAX_THREADS * 2];
    int n = other_threads(tids, TH_MAX_THREADS * 2);

    for (int i = 0; i < n && i < TH_MAX_THREADS * 2; i++) {
        long long left = deadline - pl_now_ms();

        /* No thread ever reaches state 'X' for long: the call ends when
         * the thread is gone (ENOENT) or at the deadline. */
        pl_proc_wait_state(tids[i], 'X', left > 0 ? (int)left : 0);
    }
    return other_threads(tids, TH_MAX_THREADS * 2);
}

/* Fail unless every thread the lab function fn created has ended. */
static void check_threads_ended(const char *fn)
{
    int ms = scaled_ms(THREAD_END_MS);
    int left = wait_other_threads_ended(ms);

    PL_CHECK(left == 0,
             "expected every thread that %s created to have ended once it "
             "returned, but %d thread%s still running %d ms later: join "
             "each thread before returning, and make sure that each one "
             "can finish (nothing left waiting for a post or an unlock "
             "that never comes)",
             fn, left, left == 1 ? " was" : "s were", ms);
}

/*
 * Run this thread, and every thread it creates from now on, on the one
 * CPU it runs on now, under SCHED_BATCH, whose threads never preempt a
 * running thread when they wake up. Then sleep 1 ms, to wait for no event
 * but to start the call on a fresh time slice. Linux's scheduler (EEVDF)
 * preempts a thread that has used up its slice as soon as another thread
 * on its CPU can run, and the test process has been running since it
 * started.
 *
 * A new thread then starts only when its creator blocks. So a call that
 * forgets to wait for its threads returns before they have done
 * anything, and a thread that reads a loop counter through a pointer
 * reads it after the loop has moved on: mistakes that would otherwise
 * show only now and then. A correct call blocks until its threads are
 * done, and works the same. Start the watchdog first, so that it keeps
 * the default policy and every CPU.
 *
 * Not for the Step 5 counters: lost increments need threads that run at
 * the same time.
 */
static void run_on_one_cpu(void)
{
    struct sched_param param = {0};
    int cpu = sched_getcpu();
    cpu_set_t set;

    /* Where a sandbox forbids either call, a correct call still passes,
     * and the mistakes above just show less often. */
    CPU_ZERO(&set);
    CPU_SET(cpu >= 0 ? cpu : 0, &set);
    (void)sched_setaffinity(0, sizeof(set), &set);
    (void)sched_setscheduler(0, SCHED_BATCH, &param);
    poll(NULL, 0, 1);
}

/* Start a watchdog for the lab function named call, then run_on_one_cpu(). */
static void begin_call(struct watchdog *w, const char *call, const char *hint)
{
    watchdog_start(w, call, hint);
    run_on_one_cpu();
}

/* --- Step 1 ------------------------------------------------------------ */

static int *alloc_heap_int(int value)
{
    int *heap = malloc(sizeof(*heap));

    if (heap == NULL)
        PL_FAIL("test setup: malloc(%zu) failed: %s (%s)", sizeof(*heap),
                pl_errno_name(errno), strerror(errno));
    *heap = value;
    return heap;
}

/* The likely cause of the caller seeing got instead of value. */
static const char *shared_write_hint(int got, int start)
{
    if (got == 0)
        return "0 is what the function stores before it creates the "
               "thread, so the caller looked before the thread had "
               "written: join the thread with pthread_join() before "
               "returning";
    if (got == start)
        return "the function did not change it at all: set it to 0, then "
               "let the new thread store value";
    return "the new thread must store value there, and nothing else may "
           "change it afterwards";
}

static const char *join_hint =
    "does the function join the thread it created, and does that thread "
    "return from its start function?";

PL_TEST(test_thread_writes_reach_creator)
{
    static const int values[] = {42, -7};
    /* Neither 0 nor a value above, so that skipped stores show. */
    const int start = 5;

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        int value = values[i];
        int *heap = alloc_heap_int(start);
        struct th_write_report r = {UNSET, UNSET};
        struct watchdog w;
        int rc, err, global_after, heap_after;

        th_global = start;
        begin_call(&w, "th_write_in_thread", join_hint);
        rc = PL_CALL(th_write_in_thread(heap, value, &r));
        err = errno;
        global_after = th_global;
        heap_after = *heap;
        watchdog_stop(&w);
        free(heap);

        CHECK_RETURNED_ZERO("th_write_in_thread", rc, err);
        PL_CHECK(global_after == value,
                 "expected th_global == %d in the caller once "
                 "th_write_in_thread(heap, %d, r) returned, got %d: %s",
                 value, value, global_after,
                 shared_write_hint(global_after, start));
        PL_CHECK(heap_after == value,
                 "expected *heap == %d in the caller once "
                 "th_write_in_thread(heap, %d, r) returned, got %d: %s",
                 value, value, heap_after,
                 shared_write_hint(heap_after, start));
        check_threads_ended("th_write_in_thread");
    }
}

PL_TEST(test_thread_has_own_tid)
{
    int *heap = alloc_heap_int(0);
    struct th_write_report r = {UNSET, UNSET};
    struct watchdog w;
    int rc, err;

    begin_call(&w, "th_write_in_thread", join_hint);
    rc = PL_CALL(th_write_in_thread(heap, 1, &r));
    err = errno;
    watchdog_stop(&w);
    free(heap);

    CHECK_RETURNED_ZERO("th_write_in_thread", rc, err);
    PL_CHECK(r.thread_pid != UNSET && r.thread_tid != UNSET,
             "expected the new thread to fill r, but thread_pid is %d and "
             "thread_tid is %d (%d means never stored): pass r to the "
             "thread in its argument, and join the thread before "
             "returning",
             (int)r.thread_pid, (int)r.thread_tid, UNSET);
    PL_CHECK(r.thread_pid == getpid(),
             "expected the new thread to see getpid() == %d, the caller's "
             "PID, got %d: all threads of a process share its PID",
             (int)getpid(), (int)r.thread_pid);
    PL_CHECK(r.thread_tid > 0 && r.thread_tid != gettid(),
             "expected the new thread's gettid() to differ from the "
             "caller's (%d), got %d: each thread has a thread ID of its "
             "own, so call gettid() in the new thread, not in the caller",
             (int)gettid(), (int)r.thread_tid);
    check_threads_ended("th_write_in_thread");
}

/* --- Step 2 ------------------------------------------------------------ */

static const char *barrier_hint =
    "was the barrier made for exactly n threads, does every thread reach "
    "pthread_barrier_wait(), and are all n threads created before the "
    "first is joined?";

/* Run th_thread_views(VIEW_THREADS, views); views has TH_MAX_THREADS
 * entries, all set to UNSET and NULL first. */
static void collect_views(struct th_thread_view *views)
{
    struct watchdog w;
    int rc, err;

    for (int i = 0; i < TH_MAX_THREADS; i++) {
        views[i].tid = UNSET;
        views[i].local_addr = NULL;
        views[i].tls_addr = NULL;
        views[i].tls_value = UNSET;
    }
    begin_call(&w, "th_thread_views", barrier_hint);
    rc = PL_CALL(th_thread_views(VIEW_THREADS, views));
    err = errno;
    watchdog_stop(&w);
    CHECK_RETURNED_ZERO("th_thread_views", rc, err);
    PL_CHECK(views[VIEW_THREADS].tid == UNSET &&
                 views[VIEW_THREADS].tls_value == UNSET,
             "expected th_thread_views(%d, views) to fill views[0] to "
             "views[%d], but views[%d] was written too: a thread read its "
             "index from the loop counter after the loop had moved on. "
             "Give each thread an argument of its own, such as &args[i]",
             VIEW_THREADS, VIEW_THREADS - 1, VIEW_THREADS);
    for (int i = 0; i < VIEW_THREADS; i++)
        PL_CHECK(views[i].tid != UNSET,
                 "expected views[%d] to be filled by thread %d, but it was "
                 "never written: did each thread get its own index? "
                 "Threads that read a shared loop counter may all see the "
                 "same index and fill the same entry",
                 i, i);
}

/* Distance in bytes between two addresses. */
static uintptr_t distance(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

    return x > y ? x - y : y - x;
}

PL_TEST(test_threads_have_own_stacks)
{
    struct th_thread_view views[TH_MAX_THREADS];
    /* A page: the smallest distance between two stacks, which are at
     * least PTHREAD_STACK_MIN bytes each. */
    const uintptr_t min_apart = 4096;

    collect_views(views);
    for (int i = 0; i < VIEW_THREADS; i++) {
        PL_CHECK(views[i].tid > 0 && views[i].tid != gettid(),
                 "expected views[%d].tid to be the gettid() of a new "
                 "thread, got %d (the caller's is %d): call gettid() in "
                 "the thread itself",
                 i, (int)views[i].tid, (int)gettid());
        PL_CHECK(views[i].local_addr != NULL,
                 "expected views[%d].local_addr to be the address of a "
                 "local variable of thread %d, got NULL",
                 i, i);
    }
    for (int i = 0; i < VIEW_THREADS; i++) {
        for (int j = i + 1; j < VIEW_THREADS; j++) {
            PL_CHECK(views[i].tid != views[j].tid,
                     "expected threads %d and %d to have different thread "
                     "IDs, but both reported %d: create one thread per "
                     "view, and let each one fill only its own entry",
                     i, j, (int)views[i].tid);
            PL_CHECK(distance(views[i].local_addr, views[j].local_addr) >=
                         min_apart,
                     "expected the locals of threads %d and %d to lie on "
                     "different stacks, pages apart, but they are at %p "
                     "and %p, %zu bytes apart: report the address of a "
                     "variable declared inside the thread's start "
                     "function, not of a static variable or of the "
                     "argument the caller passed",
                     i, j, views[i].local_addr, views[j].local_addr,
                     (size_t)distance(views[i].local_addr,
                                      views[j].local_addr));
        }
    }
    check_threads_ended("th_thread_views");
}

/* Whether every thread read the same value from th_tls. */
static int all_read_same(const struct th_thread_view *views)
{
    for (int i = 1; i < VIEW_THREADS; i++)
        if (views[i].tls_value != views[0].tls_value)
            return 0;
    return 1;
}

/* The likely cause of thread i reading got from th_tls. */
static const char *tls_hint(const struct th_thread_view *views, int got)
{
    if (all_read_same(views) && got >= 1 && got <= VIEW_THREADS)
        return "every thread read that same value, the last one stored, "
               "so all of them wrote one shared variable. Store into "
               "th_tls and read it back: it is _Thread_local, so each "
               "thread has a copy of its own";
    if (got == UNSET)
        return "the entry was never written";
    if (got == 0)
        return "th_tls still holds the 0 every new thread starts with: "
               "store i + 1 in th_tls before the barrier";
    if (got == 99)
        return "that is the caller's own copy: read th_tls in the new "
               "thread, after the barrier";
    if (got >= 1 && got <= VIEW_THREADS)
        return "that is another thread's value: does thread i fill "
               "views[i], with i taken from an argument of its own?";
    return "store i + 1 in th_tls, wait at the barrier, then read th_tls";
}

PL_TEST(test_threads_have_own_tls)
{
    struct th_thread_view views[TH_MAX_THREADS];

    /* The caller's own copy, which the threads must not touch. */
    th_tls = 99;
    collect_views(views);
    PL_CHECK(th_tls == 99,
             "expected the caller's th_tls to still hold 99, got %d: each "
             "thread writes its own copy, so the calling thread's copy "
             "changes only if the calling thread stores into it",
             th_tls);
    for (int i = 0; i < VIEW_THREADS; i++) {
        PL_CHECK(views[i].tls_value == i + 1,
                 "expected thread %d to read th_tls == %d after the "
                 "barrier, got %d: %s",
                 i, i + 1, views[i].tls_value,
                 tls_hint(views, views[i].tls_value));
        PL_CHECK(views[i].tls_addr != (const void *)&th_tls,
                 "expected thread %d to report the address of its own "
                 "th_tls, but %p is the caller's copy: take &th_tls in "
                 "the thread itself",
                 i, views[i].tls_addr);
    }
    for (int i = 0; i < VIEW_THREADS; i++)
        for (int j = i + 1; j < VIEW_THREADS; j++)
            PL_CHECK(views[i].tls_addr != views[j].tls_addr,
                     "expected threads %d and %d to report different "
                     "addresses for th_tls, but both reported %p: each "
                     "thread has its own copy of a _Thread_local variable, "
                     "so take &th_tls in each thread",
                     i, j, views[i].tls_addr);
    check_threads_ended("th_thread_views");
}

/* --- Step 3 ------------------------------------------------------------ */

/* Which job's input has the square got, or -1 when none has. */
static int job_squared(const struct th_job *jobs, int n, long got)
{
    for (int i = 0; i < n; i++)
        if (jobs[i].input * jobs[i].input == got)
            return i;
    return -1;
}

PL_TEST(test_job_results_arrive_intact)
{
    static const long inputs[JOB_THREADS] = {5,  -3,       11, 0,
                                             46, 1000003L, 7,  -250};
    struct th_job jobs[TH_MAX_THREADS];
    struct watchdog w;
    int rc, err;

    for (int i = 0; i < TH_MAX_THREADS; i++) {
        jobs[i].input = i < JOB_THREADS ? inputs[i] : 1;
        jobs[i].result = UNSET;
        jobs[i].tid = UNSET;
    }
    begin_call(&w, "th_run_jobs", join_hint);
    rc = PL_CALL(th_run_jobs(jobs, JOB_THREADS));
    err = errno;
    watchdog_stop(&w);

    CHECK_RETURNED_ZERO("th_run_jobs", rc, err);
    PL_CHECK(jobs[JOB_THREADS].result == UNSET,
             "expected th_run_jobs(jobs, %d) to leave jobs[%d] alone, but "
             "a thread wrote there: a thread read its index from the loop "
             "counter after the loop had moved on. Pass each thread "
             "&jobs[i] itself",
             JOB_THREADS, JOB_THREADS);
    for (int i = 0; i < JOB_THREADS; i++) {
        long want = jobs[i].input * jobs[i].input;
        int other = job_squared(jobs, JOB_THREADS, jobs[i].result);

        PL_CHECK(jobs[i].result == want,
                 "expected jobs[%d].result == %ld (%ld squared), got %ld: "
                 "%s",
                 i, want, jobs[i].input, jobs[i].result,
                 jobs[i].result == UNSET
                     ? "no thread did this job. Pass thread i the address "
                       "of jobs[i], and join every thread before returning"
                 : other >= 0
                     ? "that is the square of another job's input: each "
                       "thread must get the address of its own job, not of "
                       "a variable that the loop changes"
                     : "thread i must store jobs[i].input * jobs[i].input "
                       "in jobs[i].result");
        PL_CHECK(jobs[i].tid > 0 && jobs[i].tid != gettid(),
                 "expected jobs[%d].tid to be the gettid() of the thread "
                 "that did the job, got %d (the caller's is %d): do every "
                 "job in a new thread, and call gettid() there",
                 i, (int)jobs[i].tid, (int)gettid());
    }
    for (int i = 0; i < JOB_THREADS; i++)
        for (int j = i + 1; j < JOB_THREADS; j++)
            PL_CHECK(jobs[i].tid != jobs[j].tid,
                     "expected jobs %d and %d to be done by different "
                     "threads, but both report thread %d: create one "
                     "thread per job",
                     i, j, (int)jobs[i].tid);
    check_threads_ended("th_run_jobs");
}

/*
 * What a crash in th_square_in_thread() most likely means. Both come from
 * a thread that returns the address of its own local variable: reading
 * through it, or through the NULL the compiler may put in its place,
 * raises SIGSEGV, and free() aborts on a pointer malloc() never returned.
 */
/* Each line stays shorter than what the grader shows of an output line. */
static const char segv_message[] =
    "SIGSEGV in th_square_in_thread: it read through a NULL or dangling\n"
    "pointer. A thread that returns the address of one of its own local\n"
    "variables returns memory that is gone once the thread ends, and the\n"
    "compiler may even turn that address into NULL (see its warning\n"
    "\"returns address of local variable\"). Return a block from malloc().\n";
static const char abort_message[] =
    "SIGABRT in th_square_in_thread: free() was given a pointer that\n"
    "malloc() did not return. Did the thread return the address of one of\n"
    "its own local variables? That memory is on the thread's stack, which\n"
    "is gone once the thread ends. Return a block from malloc() instead,\n"
    "and free that block once its value is copied.\n";

static void explain_crash(int sig)
{
    const char *msg = sig == SIGSEGV ? segv_message : abort_message;

    /* write() is safe in a signal handler, where stdio is not. Returning
     * runs the faulting access again, or abort() raises the signal again,
     * which SA_RESETHAND has made fatal, so the harness still reports
     * the test as killed by the signal. */
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
        return;
}

/* Print why the process dies if the lab code reads or frees a bad
 * pointer. Undo it with signal(sig, SIG_DFL) once the call returned. */
static void explain_crash_in_call(void)
{
    static const int signals[] = {SIGSEGV, SIGABRT};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = explain_crash;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
        if (sigaction(signals[i], &sa, NULL) != 0)
            PL_FAIL("test setup: sigaction(%s) failed: %s (%s)",
                    pl_signal_name(signals[i]), pl_errno_name(errno),
                    strerror(errno));
}

PL_TEST(test_heap_result_arrives_intact)
{
    /* 3037000499 is the largest long whose square fits in a long. */
    static const long inputs[] = {12, -5, 0, 3037000499L};

    run_on_one_cpu();
    explain_crash_in_call();
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        long x = inputs[i];
        long square = UNSET;
        struct watchdog w;
        int rc, err;

        watchdog_start(&w, "th_square_in_thread", join_hint);
        rc = PL_CALL(th_square_in_thread(x, &square));
        err = errno;
        watchdog_stop(&w);

        PL_CHECK(rc == 0,
                 "expected th_square_in_thread(%ld) to return 0, got %d "
                 "(errno %s, %s): %s",
                 x, rc, pl_errno_name(err), strerror(err),
                 err == EIO ? "EIO means the thread returned NULL: did it "
                              "return the address of a local variable, "
                              "which the compiler may replace with NULL? "
                              "Return a block from malloc()"
                            : failure_hint(err));
        PL_CHECK(square == x * x,
                 "expected th_square_in_thread(%ld) to store %ld, got %ld: "
                 "%s",
                 x, x * x, square,
                 square == UNSET
                     ? "nothing was stored in *square"
                     : "the thread must store x * x in a block from "
                       "malloc() and return its address; a local variable "
                       "of the thread is overwritten once the thread ends");
    }
    signal(SIGSEGV, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
    check_threads_ended("th_square_in_thread");
}

/* --- Step 4 ------------------------------------------------------------ */

PL_TEST(test_detached_result_arrives)
{
    struct th_job job = {9, UNSET, UNSET};
    struct watchdog w;
    long result;
    pid_t tid;
    int rc, err;

    begin_call(&w, "th_run_detached",
               "does the thread post the semaphore after it has done the "
               "job, and does the caller wait on that same semaphore, "
               "initialized with sem_init(&sem, 0, 0)?");
    rc = PL_CALL(th_run_detached(&job));
    err = errno;
    /* Read at once: a function that returns without waiting for the
     * thread leaves the job undone at this point. */
    result = job.result;
    tid = job.tid;
    watchdog_stop(&w);

    CHECK_RETURNED_ZERO("th_run_detached", rc, err);
    PL_CHECK(result == 81,
             "expected job.result == 81 (9 squared) when th_run_detached "
             "returned, got %ld: %s",
             result,
             result == UNSET
                 ? "the function returned before the thread had done the "
                   "job. Wait on a semaphore that the thread posts once it "
                   "has stored the result"
                 : "the thread must store job->input * job->input in "
                   "job->result");
    PL_CHECK(tid > 0 && tid != gettid(),
             "expected job.tid to be the gettid() of the detached thread, "
             "got %d (the caller's is %d): do the job in the new thread, "
             "and call gettid() there",
             (int)tid, (int)gettid());
    check_threads_ended("th_run_detached");
}

/* --- Step 5 ------------------------------------------------------------ */

/*
 * Thread and increment counts for the counter tests, the first one as the
 * handout names it. Lost increments need two threads that run at the same
 * time, but the threads of one call may start too far apart to overlap.
 * So the large cases come several times, and a counter that can lose
 * increments rarely gets through all of them exact.
 */
static const struct {
    int threads;
    long iterations;
} count_cases[] = {{4, 1000000}, {4, 1000000}, {4, 1000000}, {4, 1000000},
                   {4, 1000000}, {8, 500000},  {8, 500000},  {1, 1000},
                   {3, 0}};

static const char *lock_hint =
    "does every thread unlock the mutex after each increment? A thread "
    "that locks a mutex it already holds, or one that nobody unlocks, "
    "waits forever";

/* Check one counter function, th_count_mutex or th_count_atomic. */
static void check_counter(long (*count)(int, long), const char *name,
                          const char *how)
{
    for (size_t i = 0; i < sizeof(count_cases) / sizeof(count_cases[0]);
         i++) {
        int threads = count_cases[i].threads;
        long iterations = count_cases[i].iterations;
        long want = threads * iterations;
        struct watchdog w;
        long got;
        int err;

        watchdog_start(&w, name, lock_hint);
        got = PL_CALL(count(threads, iterations));
        err = errno;
        watchdog_stop(&w);

        if (got == -1)
            PL_FAIL("expected %s(%d, %ld) to return %ld, got -1 (errno "
                    "%s, %s): %s",
                    name, threads, iterations, want, pl_errno_name(err),
                    strerror(err), failure_hint(err));
        PL_CHECK(got <= want,
                 "expected %s(%d, %ld) to return %ld, got %ld, more than "
                 "the threads added: each thread must add 1 exactly "
                 "iterations times, and the counter must start at 0",
                 name, threads, iterations, want, got);
        PL_CHECK(got == want,
                 "expected %s(%d, %ld) to return %ld, got %ld: %ld "
                 "increments were lost, so two threads still did their "
                 "read, add and write at the same time. %s",
                 name, threads, iterations, want, got, want - got, how);
        check_threads_ended(name);
    }
}

PL_TEST(test_mutex_counter_is_exact)
{
    check_counter(th_count_mutex, "th_count_mutex",
                  "Hold the mutex around every increment, and let all "
                  "threads share one mutex: a mutex of each thread's own "
                  "excludes nobody");
}

PL_TEST(test_atomic_counter_is_exact)
{
    check_counter(th_count_atomic, "th_count_atomic",
                  "Make each increment one atomic_fetch_add() on an "
                  "_Atomic long that all threads share. An atomic load "
                  "followed by an atomic store is still two steps, "
                  "between which another thread can store");
}

/* --- Step 6 ------------------------------------------------------------ */

/* A test thread that waits on a semaphore, so that it is alive while
 * th_count_threads() runs. */
static void *wait_for_release(void *arg)
{
    while (sem_wait(arg) != 0 && errno == EINTR)
        ;
    return NULL;
}

PL_TEST(test_count_threads_counts_tasks)
{
    enum { EXTRA = 3 };
    pthread_t extra[EXTRA];
    sem_t release;
    int alone, with_extra, err;

    alone = PL_CALL(th_count_threads());
    err = errno;
    PL_CHECK(alone == 1,
             "expected th_count_threads() to return 1 in a process with "
             "one thread, got %d%s%s: %s",
             alone, alone == -1 ? " with errno " : "",
             alone == -1 ? pl_errno_name(err) : "",
             alone == -1 ? failure_hint(err)
             : alone == 3 ? "are \".\" and \"..\" counted as threads?"
                          : "count the entries of /proc/self/task other "
                            "than \".\" and \"..\"");

    if (sem_init(&release, 0, 0) != 0)
        PL_FAIL("test setup: sem_init failed: %s (%s)", pl_errno_name(errno),
                strerror(errno));
    for (int i = 0; i < EXTRA; i++) {
        int rc = pthread_create(&extra[i], NULL, wait_for_release, &release);

        if (rc != 0)
            PL_FAIL("test setup: pthread_create failed: %s (%s)",
                    pl_errno_name(rc), strerror(rc));
    }
    with_extra = PL_CALL(th_count_threads());
    for (int i = 0; i < EXTRA; i++)
        sem_post(&release);
    for (int i = 0; i < EXTRA; i++)
        pthread_join(extra[i], NULL);
    sem_destroy(&release);

    PL_CHECK(with_extra == 1 + EXTRA,
             "expected th_count_threads() to return %d while the test ran "
             "%d extra threads, got %d: count every entry of "
             "/proc/self/task other than \".\" and \"..\", reading the "
             "directory until getdents64() returns 0",
             1 + EXTRA, EXTRA, with_extra);
}

/* What the call of th_fork_with_held_mutex() in run_fork_call() left,
 * in memory that the child of the test process shares with it. */
struct fork_outcome {
    int returned; /* the call came back in the process that made it */
    int rc;
    int err;
    struct th_fork_report report;
    int threads_left;  /* other threads still there after the call */
    pid_t child_left;  /* a child of the caller left running or unreaped */
    char child_state;  /* its state, 'Z' for a zombie */
    int fd_left;       /* a descriptor opened by the call and left open */
    char fd_target[128];
    pid_t stray;       /* a child that returned from the call */
};

#define MAX_FDS 64

static int contains_fd(const int *fds, int n, int fd)
{
    for (int i = 0; i < n && i < MAX_FDS; i++)
        if (fds[i] == fd)
            return 1;
    return 0;
}

/*
 * Runs in a child of the test process, which has only one thread since
 * fork() copies only the thread that calls it. Calls the lab function
 * and records in o what the harness would otherwise check: leftover
 * threads, children and descriptors.
 */
static void fork_call_child(struct fork_outcome *o)
{
    struct th_fork_report report = {UNSET, UNSET, UNSET};
    int before[MAX_FDS], after[MAX_FDS];
    int nbefore = pl_proc_list_fds(0, before, MAX_FDS);
    pid_t me = getpid();
    pid_t kids[4];
    int nafter, nkids, rc, err;

    run_on_one_cpu();
    /* report is a local, not o->report: o is shared, and a write by the
     * lab's child into shared memory would reach this process, where a
     * write into its own memory must not. */
    rc = th_fork_with_held_mutex(&report);
    err = errno;
    if (getpid() != me) {
        __sync_bool_compare_and_swap(&o->stray, 0, getpid());
        _exit(PL_EXIT_FAILURE);
    }
    o->rc = rc;
    o->err = err;
    o->report = report;
    o->threads_left = wait_other_threads_ended(scaled_ms(THREAD_END_MS));

    nkids = pl_proc_children(0, kids, 4);
    if (nkids > 0) {
        struct pl_proc_stat st;

        o->child_left = kids[0];
        o->child_state = pl_proc_read_stat(kids[0], &st) == 0 ? st.state : '?';
    }
    nafter = pl_proc_list_fds(0, after, MAX_FDS);
    for (int i = 0; i < nafter && i < MAX_FDS; i++) {
        if (contains_fd(before, nbefore, after[i]))
            continue;
        o->fd_left = after[i];
        if (pl_proc_fd_target(0, after[i], o->fd_target,
                              sizeof(o->fd_target)) != 0)
            strcpy(o->fd_target, "unknown");
        break;
    }
    o->returned = 1;
}

/* Return the system call that process pid is blocked in, or -1. */
static long process_syscall(pid_t pid)
{
    char path[64], line[256];
    FILE *f;
    long nr = -1;

    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof(line), f) != NULL && line[0] >= '0' &&
        line[0] <= '9')
        nr = strtol(line, NULL, 10);
    fclose(f);
    return nr;
}

/*
 * Describe in msg where the call hung, at the deadline. pid is the test's
 * child that made the call, and its own child is the lab's child of
 * fork().
 */
static void describe_hang(pid_t pid, char *msg, size_t len)
{
    pid_t kids[4];
    int n = pl_proc_children(pid, kids, 4);
    struct pl_proc_stat st;

    if (n > 0 && pl_proc_read_stat(kids[0], &st) == 0 && st.state != 'Z' &&
        process_syscall(kids[0]) == SYS_futex) {
        snprintf(msg, len,
                 "its child of fork() was blocked in a futex wait, where "
                 "pthread_mutex_lock() sleeps. In the child nobody will ever "
                 "unlock the mutex, because the thread that held it was not "
                 "copied: use pthread_mutex_trylock(), which returns EBUSY "
                 "at once");
    } else if (n > 0 && pl_proc_read_stat(kids[0], &st) == 0 &&
               st.state != 'Z') {
        snprintf(msg, len,
                 "its child of fork() was still %s: the child must report "
                 "and end with _exit() without waiting for anything",
                 st.state == 'R' ? "running" : "blocked");
    } else {
        snprintf(msg, len,
                 "the parent side was blocked, with %s: does the parent "
                 "tell the thread that holds the mutex to unlock before it "
                 "joins that thread, and does the thread wait for the "
                 "parent's word only after it has locked the mutex?",
                 n > 0 ? "its child already ended" : "no child running");
    }
}

struct fork_run {
    int timed_out;
    int status;
    char hang[400];
};

/*
 * Call th_fork_with_held_mutex() in a child of the test process, with a
 * deadline. A child of fork() that waits for a mutex that no thread will
 * unlock never ends, so the call may never return. At the deadline the
 * child and all it started are described and killed, and the test fails
 * with a message instead of running into its own timeout.
 */
static void run_fork_call(struct fork_outcome *o, struct fork_run *run)
{
    long long deadline = pl_now_ms() + scaled_ms(FORK_CALL_MS);
    struct pollfd pfd;
    pid_t pid;

    memset(o, 0, sizeof(*o));
    memset(run, 0, sizeof(*run));
    fflush(NULL);
    pid = pl_fork();
    if (pid == 0) {
        /* A group of its own, so that one kill() ends the lab's child
         * too. */
        setpgid(0, 0);
        fork_call_child(o);
        _exit(0);
    }
    setpgid(pid, pid);

    pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
    pfd.events = POLLIN;
    if (pfd.fd == -1)
        PL_FAIL("test setup: pidfd_open(%d) failed: %s (%s)", (int)pid,
                pl_errno_name(errno), strerror(errno));
    for (;;) {
        long long left = deadline - pl_now_ms();
        int ready;

        if (left <= 0) {
            run->timed_out = 1;
            break;
        }
        ready = poll(&pfd, 1, (int)left);
        if (ready == 1)
            break;
        if (ready == -1 && errno != EINTR)
            PL_FAIL("test setup: poll(pidfd) failed: %s (%s)",
                    pl_errno_name(errno), strerror(errno));
    }
    pl_close(pfd.fd);
    if (run->timed_out)
        describe_hang(pid, run->hang, sizeof(run->hang));
    /* Every process left in the group ends now. The harness, a
     * subreaper, reaps the lab's child once its parent is gone. */
    kill(-pid, SIGKILL);
    pl_waitpid(pid, &run->status, 0);
}

/* Fail unless the Step 6 call returned 0 and left nothing behind. */
static void check_fork_call(const struct fork_outcome *o,
                            const struct fork_run *run)
{
    char ending[160];

    PL_CHECK(!run->timed_out,
             "th_fork_with_held_mutex did not return within %d ms: %s",
             scaled_ms(FORK_CALL_MS), run->hang);
    PL_CHECK(o->stray == 0,
             "process %d, a child made by th_fork_with_held_mutex, returned "
             "from it instead of ending: end the child with _exit()",
             (int)o->stray);
    PL_CHECK(o->returned,
             "the process that called th_fork_with_held_mutex %s before the "
             "call returned",
             pl_describe_status(run->status, ending, sizeof(ending)));
    CHECK_RETURNED_ZERO("th_fork_with_held_mutex", o->rc, o->err);
    PL_CHECK(o->child_left == 0,
             "expected th_fork_with_held_mutex to reap its child, but child "
             "%d %s: %s",
             (int)o->child_left,
             o->child_state == 'Z' ? "is a zombie" : "is still running",
             o->child_state == 'Z' ? "call waitpid() for it"
                                   : "the child must end with _exit(), "
                                     "and the parent must wait for it");
    PL_CHECK(o->fd_left == 0,
             "expected th_fork_with_held_mutex to close every descriptor it "
             "opened, but descriptor %d (%s) is still open: %s",
             o->fd_left, o->fd_target,
             strncmp(o->fd_target, "pipe:", 5) == 0
                 ? "close each pipe end in every process once it is no "
                   "longer needed"
                 : "th_count_threads() must close the directory it opens");
    PL_CHECK(o->threads_left == 0,
             "expected the thread that held the mutex to have ended once "
             "th_fork_with_held_mutex returned, but %d other thread%s still "
             "running: tell it to unlock, then join it",
             o->threads_left, o->threads_left == 1 ? " was" : "s were");
}

/* Map memory that the test process and its children share. */
static struct fork_outcome *map_outcome(void)
{
    struct fork_outcome *o = mmap(NULL, sizeof(*o), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (o == MAP_FAILED)
        PL_FAIL("test setup: mmap(%zu bytes) failed: %s (%s)", sizeof(*o),
                pl_errno_name(errno), strerror(errno));
    return o;
}

PL_TEST(test_child_finds_mutex_locked)
{
    struct fork_outcome *o = map_outcome();
    struct fork_outcome seen;
    struct fork_run run;

    run_fork_call(o, &run);
    seen = *o;
    munmap(o, sizeof(*o));
    check_fork_call(&seen, &run);

    PL_CHECK(seen.report.child_trylock == EBUSY,
             "expected pthread_mutex_trylock() in the child to return EBUSY "
             "(%d), got %d (%s): %s",
             EBUSY, seen.report.child_trylock,
             seen.report.child_trylock == UNSET
                 ? "never stored"
                 : pl_errno_name(seen.report.child_trylock),
             seen.report.child_trylock == 0
                 ? "the child found the mutex free. Either the fork came "
                   "before the other thread had locked it, so wait until "
                   "that thread signals that it holds the mutex, or the "
                   "child tried another mutex than the one the thread "
                   "holds"
             : seen.report.child_trylock == UNSET
                 ? "the parent must store the number the child sent in "
                   "r->child_trylock"
                 : "call pthread_mutex_trylock() in the child on the mutex "
                   "that the other thread holds, and send its return "
                   "value");
}

PL_TEST(test_child_has_one_thread)
{
    struct fork_outcome *o = map_outcome();
    struct fork_outcome seen;
    struct fork_run run;

    run_fork_call(o, &run);
    seen = *o;
    munmap(o, sizeof(*o));
    check_fork_call(&seen, &run);

    PL_CHECK(seen.report.threads_before_fork == 2,
             "expected 2 threads in the parent just before fork(), the "
             "caller and the thread that holds the mutex, got %d: %s",
             seen.report.threads_before_fork,
             seen.report.threads_before_fork == 1
                 ? "the other thread had already ended. It must hold the "
                   "mutex until the parent tells it to unlock, after the "
                   "fork"
                 : "count with th_count_threads() in the parent, after the "
                   "other thread holds the mutex and before fork()");
    PL_CHECK(seen.report.child_threads == 1,
             "expected 1 thread in the child, got %d: %s",
             seen.report.child_threads,
             seen.report.child_threads == 2
                 ? "2 is the parent's count. fork() copies only the thread "
                   "that calls it, so count with th_count_threads() in the "
                   "child and send the number through the pipe"
                 : "count with th_count_threads() in the child and send "
                   "the number through the pipe");
}

static const struct pl_test_case tests[] = {
    {&test_thread_writes_reach_creator,
     "a thread's writes to a global and the heap reach its creator", 2,
     "Step 1", TIMEOUT_S},
    {&test_thread_has_own_tid,
     "the new thread has the caller's PID and a thread ID of its own", 1,
     "Step 1", TIMEOUT_S},
    {&test_threads_have_own_stacks,
     "each thread's local variable lies on a stack of its own", 2, "Step 2",
     TIMEOUT_S},
    {&test_threads_have_own_tls,
     "each thread has its own copy of a _Thread_local variable", 2, "Step 2",
     TIMEOUT_S},
    {&test_job_results_arrive_intact,
     "the results of several threads arrive intact in their jobs", 2,
     "Step 3", TIMEOUT_S},
    {&test_heap_result_arrives_intact,
     "a result returned on the heap through pthread_join arrives intact", 2,
     "Step 3", TIMEOUT_S},
    {&test_detached_result_arrives,
     "a detached thread's result is there once the caller has waited", 2,
     "Step 4", TIMEOUT_S},
    {&test_mutex_counter_is_exact,
     "the mutex counter counts every increment", 3, "Step 5", TIMEOUT_S},
    {&test_atomic_counter_is_exact,
     "the atomic counter counts every increment", 2, "Step 5", TIMEOUT_S},
    {&test_count_threads_counts_tasks,
     "th_count_threads counts the threads of the process", 1, "Step 6",
     TIMEOUT_S},
    {&test_child_finds_mutex_locked,
     "in the child, a mutex another thread held at fork stays locked", 3,
     "Step 6", TIMEOUT_S},
    {&test_child_has_one_thread,
     "the child of a two-thread process has only one thread", 2, "Step 6",
     TIMEOUT_S},
};

PL_LAB("10-threads", tests)
