/*
 * check_costs.c - graded tests for Lab 12: what it costs to start a
 * process or a thread.
 *
 * Two kinds of tests. The first kind checks that each measuring function
 * does what it measures: fork() once per repetition, the program run once
 * per repetition without fork(), the thread body run in a new thread.
 * The second kind compares costs. It checks only what holds on any
 * machine under any load, never a time in nanoseconds. A fork of a large
 * heap costs more than a fork of a small one, posix_spawn() does not, and
 * a thread costs less than a process.
 *
 * Load only ever adds time. So the comparisons call the two functions in
 * turn (A, B, A, B, ...), each call returning the median of a few
 * repetitions, and compare the lowest median each function returned. A
 * burst of load that slows a few calls of one function then cannot
 * decide the result. A comparison that does not hold yet gets more rounds,
 * up to a bound, before the test fails. The comparisons also keep the
 * test on one CPU, for the reason given at stay_on_this_cpu().
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costs.h"
#include "pl_test.h"
#include "proclab.h"

#define TIMEOUT_S 5.0

/* Repetitions per call of a measuring function in the checks of what it
 * does. */
#define COUNT_REPS 5

/*
 * The small heap, and what the large one adds to it: 128 MiB in all for
 * fork and 64 MiB for posix_spawn. Touching the pages takes most of the
 * time of these tests. With four busy loops and a second run beside it,
 * the fork comparison took up to 4.6 s of its 5 s deadline with 256 MiB,
 * and up to 2.8 s with 128 MiB. A fork of 128 MiB still costs several
 * times more than one of 1 MiB, and with 64 MiB a fork and exec costs
 * several times more than posix_spawn().
 */
#define SMALL_HEAP (1L << 20)
#define FORK_EXTRA_HEAP (127L << 20)
#define SPAWN_EXTRA_HEAP (63L << 20)

/*
 * Rounds of a comparison: at least MIN_ROUNDS, then more while it does
 * not hold yet, up to MAX_ROUNDS. A test stops after fewer rounds, but
 * never fewer than one, once BUDGET_MS (times the grader's scale factor)
 * have passed since it started, setup included. On a heavily loaded
 * machine it then decides on what it has measured instead of running
 * into its deadline: the budget leaves 1.5 s of the 5 s for a last round
 * and for unmapping the heap.
 */
#define MIN_ROUNDS 3
#define MAX_ROUNDS 10
#define BUDGET_MS 3500

/*
 * The factor by which a fork of the 128 MiB heap must cost more than a
 * fork of the 1 MiB heap, and the factor that posix_spawn() with the
 * 64 MiB heap must stay below. The same comparisons were run 180 times
 * with the reference solution on Linux 6.18 (a 2-core VM, small pages):
 * 100 times with two busy loops, and 80 times with four busy loops and
 * two runs side by side. Their lowest medians gave a large fork 8.3 to
 * 845 times the small one, posix_spawn() 0.70 to 1.43 times, and fork
 * 3.7 to 36 times a thread. So the closest runs stayed a factor of 4.1,
 * 2.1 and 3.7 away from failing. A fork and exec in place of
 * posix_spawn() cost 3.8 to 5.9 times more with 64 MiB than with 1 MiB.
 * The fork count of test_spawn_runs_program_without_fork catches it
 * whatever the timing.
 */
#define FORK_GROWTH_MIN 2.0
#define SPAWN_GROWTH_MAX 3.0

/* Repetitions per call in the comparisons: a fork of 128 MiB takes
 * milliseconds, the other operations well under one. */
#define LARGE_FORK_REPS 3
#define SPAWN_REPS 7
#define THREAD_VS_FORK_REPS 9

/* --- what a failed measuring function means ------------------------------ */

/* The likely cause of a measuring function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    case EIO:
        return "EIO means a child did not exit with status 0: does the "
               "child end with _exit(0), and does the parent read its "
               "status with WIFEXITED and WEXITSTATUS?";
    case ENOENT:
        return "ENOENT means the program was not found, but the path "
               "given exists: is path passed to the call unchanged?";
    default:
        return "a call inside the function failed";
    }
}

/* Fail when a lab function named name is still the starter stub. */
static void check_written(const char *name, long long value, int err)
{
    PL_CHECK(value != -1 || err != ENOSYS,
             "expected %s to work, but it returned -1 with errno ENOSYS: is "
             "it still the starter stub?",
             name);
}

/* Fail unless a measuring function named name returned a time. */
static void check_measured(const char *name, long long ns, int err)
{
    PL_CHECK(ns >= 0, "expected %s to return a time in nanoseconds, got %lld "
             "(errno %s, %s): %s",
             name, ns, pl_errno_name(err), strerror(err), failure_hint(err));
    PL_CHECK(ns > 0, "expected %s to return more than 0 ns, got 0: starting "
             "and reaping a process or thread always takes time. Does "
             "ct_elapsed_ns count the nanoseconds, and does the function "
             "read the clock before starting and after reaping?",
             name);
}

/* --- counting forks ------------------------------------------------------ */

/*
 * Forks counted by pthread_atfork() handlers, which fork() runs in the
 * parent and in the child, and which vfork(), posix_spawn() and
 * pthread_create() do not run. The child's count lives in a shared page,
 * because a child cannot change the parent's own memory.
 */
static int forks_in_parent;
static int *forks_in_children;

static void count_fork_in_parent(void)
{
    forks_in_parent++;
}

static void count_fork_in_child(void)
{
    __atomic_fetch_add(forks_in_children, 1, __ATOMIC_SEQ_CST);
}

static void start_counting_forks(void)
{
    int err;

    forks_in_children = mmap(NULL, sizeof(*forks_in_children),
                             PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (forks_in_children == MAP_FAILED)
        PL_FAIL("test setup: mmap(MAP_SHARED) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    err = pthread_atfork(NULL, count_fork_in_parent, count_fork_in_child);
    if (err != 0)
        PL_FAIL("test setup: pthread_atfork() failed: %s (%s)",
                pl_errno_name(err), strerror(err));
}

/* --- counting runs of the helper program --------------------------------- */

/* The helper appends one byte to this file, in the test's directory,
 * each time it runs. */
#define RUNS_FILE "runs"

static long count_runs(void)
{
    struct stat st;

    if (stat(RUNS_FILE, &st) == -1) {
        if (errno == ENOENT)
            return 0;
        PL_FAIL("test setup: stat(%s) failed: %s (%s)", RUNS_FILE,
                pl_errno_name(errno), strerror(errno));
    }
    return (long)st.st_size;
}

/* A path in the test's directory that names no file. */
static const char *missing_program(void)
{
    static char path[4096 + 32];

    snprintf(path, sizeof(path), "%s/no-such-program", pl_test_dir());
    return path;
}

/* --- the heaps ----------------------------------------------------------- */

/*
 * The 1 MiB heap and the extra memory that makes it a large heap, both
 * touched. MADV_DONTFORK on the extra part keeps it out of every child
 * that fork() makes, so fork() copies no page table of it. The process
 * then forks like one with the 1 MiB heap alone, and the test need not
 * touch the extra memory again for each round.
 */
static char *small_heap;
static char *extra_heap;
static size_t extra_len;

/*
 * Map len bytes and write every page, so that each has an entry in the
 * page tables. Small pages only: one transparent huge page of 2 MiB needs
 * one entry where small pages need 512.
 */
static char *map_touched(size_t len)
{
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED)
        PL_FAIL("test setup: mmap(%zu bytes) failed: %s (%s)", len,
                pl_errno_name(errno), strerror(errno));
    /* EINVAL means a kernel built without transparent huge pages. */
    if (madvise(buf, len, MADV_NOHUGEPAGE) != 0 && errno != EINVAL)
        PL_FAIL("test setup: madvise(MADV_NOHUGEPAGE) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    memset(buf, 1, len);
    return buf;
}

static void map_heaps(size_t extra)
{
    small_heap = map_touched(SMALL_HEAP);
    extra_heap = map_touched(extra);
    extra_len = extra;
}

static void unmap_heaps(void)
{
    if (munmap(small_heap, SMALL_HEAP) != 0 ||
        munmap(extra_heap, extra_len) != 0)
        PL_FAIL("test cleanup: munmap() failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
}

/* Let children made by fork() have the extra memory (large), or not. */
static void use_heap(int large)
{
    if (madvise(extra_heap, extra_len, large ? MADV_DOFORK : MADV_DONTFORK))
        PL_FAIL("test setup: madvise(%s) failed: %s (%s)",
                large ? "MADV_DOFORK" : "MADV_DONTFORK",
                pl_errno_name(errno), strerror(errno));
}

/* --- comparing two costs ------------------------------------------------- */

/*
 * Keep the test, and every child and thread it starts, on the CPU it runs
 * on now. A new process or thread then starts on its parent's CPU, which
 * is free as soon as the parent waits for it. Without this, with both
 * CPUs busy, every repetition sometimes took milliseconds for stretches
 * of several hundred milliseconds, long enough to make a thread look as
 * costly as a process. The likely cause is a new task that starts on the
 * other CPU and waits there for a busy loop's time slice to end.
 */
static void stay_on_this_cpu(void)
{
    int cpu = sched_getcpu();
    cpu_set_t one;

    if (cpu < 0)
        PL_FAIL("test setup: sched_getcpu() failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0)
        PL_FAIL("test setup: sched_setaffinity(CPU %d) failed: %s (%s)", cpu,
                pl_errno_name(errno), strerror(errno));
}

/* One side of a comparison: a measurement and the lowest median seen. */
struct side {
    long long (*measure)(void); /* calls the lab function, checks it */
    long long lowest;
};

/*
 * Measure a, then b, in rounds, until holds(a->lowest, b->lowest) after
 * MIN_ROUNDS, or MAX_ROUNDS are done, or the budget of a test that
 * started at started_ms has run out. Returns the number of rounds. The
 * caller then checks holds() once more and fails with its own message.
 */
static int compare_in_rounds(struct side *a, struct side *b,
                             int (*holds)(long long a, long long b),
                             long long started_ms)
{
    long long deadline =
        started_ms + (long long)(BUDGET_MS * pl_test_scale());
    int rounds = 0;

    stay_on_this_cpu();
    a->lowest = LLONG_MAX;
    b->lowest = LLONG_MAX;
    while (rounds < MAX_ROUNDS) {
        long long ns = a->measure();

        if (ns < a->lowest)
            a->lowest = ns;
        ns = b->measure();
        if (ns < b->lowest)
            b->lowest = ns;
        rounds++;
        if (rounds >= MIN_ROUNDS && holds(a->lowest, b->lowest))
            break;
        if (pl_now_ms() > deadline)
            break;
    }
    return rounds;
}

static long long fork_with_heap(int large)
{
    long long ns;
    int err;

    use_heap(large);
    ns = PL_CALL(ct_fork_ns(LARGE_FORK_REPS));
    err = errno;
    check_measured("ct_fork_ns", ns, err);
    return ns;
}

static long long fork_small_heap(void)
{
    return fork_with_heap(0);
}

static long long fork_large_heap(void)
{
    return fork_with_heap(1);
}

static long long spawn_with_heap(int large)
{
    long long ns;
    int err;

    use_heap(large);
    ns = PL_CALL(ct_spawn_ns(pl_test_program("count_run"), SPAWN_REPS));
    err = errno;
    check_measured("ct_spawn_ns", ns, err);
    return ns;
}

static long long spawn_small_heap(void)
{
    return spawn_with_heap(0);
}

static long long spawn_large_heap(void)
{
    return spawn_with_heap(1);
}

static void *empty_thread(void *arg)
{
    return arg;
}

static long long thread_only(void)
{
    long long ns = PL_CALL(ct_thread_ns(THREAD_VS_FORK_REPS, empty_thread,
                                        NULL));
    int err = errno;

    check_measured("ct_thread_ns", ns, err);
    return ns;
}

static long long fork_only(void)
{
    long long ns = PL_CALL(ct_fork_ns(THREAD_VS_FORK_REPS));
    int err = errno;

    check_measured("ct_fork_ns", ns, err);
    return ns;
}

static int grew(long long small, long long large)
{
    return (double)large > FORK_GROWTH_MIN * (double)small;
}

static int stayed(long long small, long long large)
{
    return (double)large < SPAWN_GROWTH_MAX * (double)small;
}

static int cheaper(long long thread, long long process)
{
    return thread < process;
}

/* --- Step 1 -------------------------------------------------------------- */

PL_TEST(test_elapsed_across_second_boundary)
{
    struct timespec start = {5, 999999900};
    struct timespec end = {7, 100};
    struct timespec same_second_start = {3, 100};
    struct timespec same_second_end = {3, 600};
    long long across;
    long long within;

    errno = 0;
    across = ct_elapsed_ns(&start, &end);
    check_written("ct_elapsed_ns", across, errno);
    within = ct_elapsed_ns(&same_second_start, &same_second_end);

    PL_CHECK(within == 500,
             "expected ct_elapsed_ns from {3 s, 100 ns} to {3 s, 600 ns} to "
             "be 500, got %lld: subtract tv_nsec from tv_nsec",
             within);
    PL_CHECK(across == 1000000200LL,
             "expected ct_elapsed_ns from {5 s, 999999900 ns} to {7 s, 100 "
             "ns} to be 1000000200, got %lld: multiply the difference in "
             "tv_sec by 1000000000 (in long long, so that it cannot "
             "overflow) and add the difference in tv_nsec, which may be "
             "negative",
             across);
}

PL_TEST(test_median_of_odd_count)
{
    long long samples[] = {30, 10, 50, 20, 40};
    long long median;
    int sorted = 1;

    errno = 0;
    median = ct_median_ns(samples, 5);
    check_written("ct_median_ns", median, errno);

    for (int i = 1; i < 5; i++)
        if (samples[i - 1] > samples[i])
            sorted = 0;
    PL_CHECK(median == 30,
             "expected the median of 30 10 50 20 40 to be 30, got %lld: sort "
             "the samples (qsort with a comparison function), then take the "
             "one in the middle, samples[n / 2]",
             median);
    PL_CHECK(sorted,
             "expected ct_median_ns to leave the samples sorted in "
             "increasing order, got %lld %lld %lld %lld %lld: sort them in "
             "place, as costs.h says",
             samples[0], samples[1], samples[2], samples[3], samples[4]);
}

PL_TEST(test_median_of_even_count)
{
    long long samples[] = {40, 10, 31, 20};
    long long median;

    errno = 0;
    median = ct_median_ns(samples, 4);
    check_written("ct_median_ns", median, errno);
    PL_CHECK(median == 25,
             "expected the median of 40 10 31 20 to be 25, the mean of the "
             "two middle samples 20 and 31 rounded down, got %lld: with an "
             "even count there is no single middle, so sort the samples, "
             "then average samples[n / 2 - 1] and samples[n / 2]",
             median);
}

/* --- Step 2 -------------------------------------------------------------- */

PL_TEST(test_fork_measure_forks_each_time)
{
    long long ns;
    int err;

    start_counting_forks();
    ns = PL_CALL(ct_fork_ns(COUNT_REPS));
    err = errno;
    check_measured("ct_fork_ns", ns, err);
    PL_CHECK(forks_in_parent == COUNT_REPS,
             "expected ct_fork_ns(%d) to call fork() %d times, once per "
             "repetition, but it called it %d times: each repetition forks "
             "one child, and vfork() or posix_spawn() do not measure what "
             "fork costs",
             COUNT_REPS, COUNT_REPS, forks_in_parent);
    PL_CHECK(*forks_in_children == COUNT_REPS,
             "expected %d children to start running, one per repetition, "
             "but %d did",
             COUNT_REPS, *forks_in_children);
}

PL_TEST(test_fork_cost_grows_with_heap)
{
    long long started_ms = pl_now_ms();
    struct side small = {fork_small_heap, 0};
    struct side large = {fork_large_heap, 0};
    int rounds;

    map_heaps(FORK_EXTRA_HEAP);
    rounds = compare_in_rounds(&small, &large, grew, started_ms);
    unmap_heaps();
    PL_CHECK(grew(small.lowest, large.lowest),
             "expected ct_fork_ns to take more than %.1f times as long with "
             "a 128 MiB heap touched as with 1 MiB, but in %d rounds its "
             "lowest medians were %lld ns with 1 MiB and %lld ns with "
             "128 MiB: fork copies the page tables of all the parent's "
             "memory, so it must take longer. Does each repetition fork and "
             "wait for one child, timed from before fork() to after "
             "waitpid()?",
             FORK_GROWTH_MIN, rounds, small.lowest, large.lowest);
}

/* --- Step 3 -------------------------------------------------------------- */

PL_TEST(test_spawn_runs_program_without_fork)
{
    long long ns;
    int err;
    long runs;

    start_counting_forks();
    ns = PL_CALL(ct_spawn_ns(pl_test_program("count_run"), COUNT_REPS));
    err = errno;
    runs = count_runs();
    check_measured("ct_spawn_ns", ns, err);
    PL_CHECK(runs == COUNT_REPS,
             "expected ct_spawn_ns(path, %d) to run the program at path %d "
             "times, but it ran %ld times: each repetition calls "
             "posix_spawn() once with that path and waits for the child",
             COUNT_REPS, COUNT_REPS, runs);
    PL_CHECK(forks_in_parent == 0,
             "expected ct_spawn_ns never to call fork(), but it called it "
             "%d times: call posix_spawn(), which shares the parent's memory "
             "with the child until the exec instead of copying its page "
             "tables",
             forks_in_parent);
}

PL_TEST(test_spawn_cost_stays_with_heap)
{
    long long started_ms = pl_now_ms();
    struct side small = {spawn_small_heap, 0};
    struct side large = {spawn_large_heap, 0};
    int rounds;

    map_heaps(SPAWN_EXTRA_HEAP);
    rounds = compare_in_rounds(&small, &large, stayed, started_ms);
    unmap_heaps();
    PL_CHECK(stayed(small.lowest, large.lowest),
             "expected ct_spawn_ns to take less than %.1f times as long "
             "with a 64 MiB heap touched as with 1 MiB, but in %d rounds "
             "its lowest medians were %lld ns with 1 MiB and %lld ns with "
             "64 MiB: posix_spawn copies no page tables, so the parent's "
             "memory should not matter. Does ct_spawn_ns fork?",
             SPAWN_GROWTH_MAX, rounds, small.lowest, large.lowest);
}

PL_TEST(test_spawn_reports_missing_program)
{
    long long ns;
    int err;

    errno = 0;
    ns = PL_CALL(ct_spawn_ns(missing_program(), COUNT_REPS));
    err = errno;
    check_written("ct_spawn_ns", ns, err);
    PL_CHECK(ns == -1,
             "expected ct_spawn_ns to return -1 for a program that does not "
             "exist, got %lld: posix_spawn() returns an error number, not "
             "-1, so test its return value for != 0",
             ns);
    PL_CHECK(err == ENOENT,
             "expected errno ENOENT after ct_spawn_ns failed on a program "
             "that does not exist, got %s (%s): posix_spawn() does not set "
             "errno, so store the error number it returned in errno",
             pl_errno_name(err), strerror(err));
}

/* --- Step 4 -------------------------------------------------------------- */

PL_TEST(test_vfork_runs_program_without_fork)
{
    long long ns;
    int err;
    long runs;

    start_counting_forks();
    ns = PL_CALL(ct_vfork_ns(pl_test_program("count_run"), COUNT_REPS));
    err = errno;
    runs = count_runs();
    check_measured("ct_vfork_ns", ns, err);
    PL_CHECK(runs == COUNT_REPS,
             "expected ct_vfork_ns(path, %d) to run the program at path %d "
             "times, but it ran %ld times: each repetition calls vfork() "
             "once, the child calls execv() with that path, and the parent "
             "waits for it",
             COUNT_REPS, COUNT_REPS, runs);
    PL_CHECK(forks_in_parent == 0,
             "expected ct_vfork_ns never to call fork(), but it called it "
             "%d times: call vfork(), whose child borrows the parent's "
             "memory until it calls execv()",
             forks_in_parent);
}

PL_TEST(test_vfork_reports_missing_program)
{
    long long ns;
    int err;

    errno = 0;
    ns = PL_CALL(ct_vfork_ns(missing_program(), COUNT_REPS));
    err = errno;
    check_written("ct_vfork_ns", ns, err);
    PL_CHECK(ns == -1,
             "expected ct_vfork_ns to return -1 for a program that does not "
             "exist, got %lld: when execv() fails, the child must tell the "
             "parent before it calls _exit()",
             ns);
    PL_CHECK(err == ENOENT,
             "expected errno ENOENT after ct_vfork_ns failed on a program "
             "that does not exist, got %s (%s): the child of vfork() runs "
             "in the parent's memory until it execs, so it can store "
             "execv()'s errno in a volatile variable of the parent, which "
             "the parent reads after waitpid()",
             pl_errno_name(err), strerror(err));
}

/* --- Step 5 -------------------------------------------------------------- */

/* What the test's thread body saw, shared by all the threads it runs in. */
struct thread_log {
    pid_t caller; /* the thread ID of the test */
    int runs;
    int runs_in_caller;
};

/* How long the body waits for the caller to sleep in pthread_join(). */
#define JOIN_WAIT_MS 1000

/*
 * The body the thread test measures. It counts a run only once the
 * calling thread sleeps, as it does in pthread_join(). A caller that does
 * not join goes on and returns from ct_thread_ns() while its threads are
 * still waiting, so the count falls short however fast threads start.
 */
static void *log_thread(void *arg)
{
    struct thread_log *log = arg;

    if (gettid() == log->caller) {
        __atomic_fetch_add(&log->runs_in_caller, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    /* The caller is the test's main thread, so its TID is the PID that
     * /proc/PID/stat describes. After a timeout the run still counts:
     * the caller then has not slept for a whole second. */
    pl_proc_wait_state(log->caller, 'S',
                       (int)(JOIN_WAIT_MS * pl_test_scale()));
    __atomic_fetch_add(&log->runs, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

PL_TEST(test_thread_measure_runs_body_in_thread)
{
    struct thread_log log = {gettid(), 0, 0};
    long long ns = PL_CALL(ct_thread_ns(COUNT_REPS, log_thread, &log));
    int err = errno;

    check_measured("ct_thread_ns", ns, err);
    PL_CHECK(log.runs_in_caller == 0,
             "expected the body to run in new threads, but it ran %d times "
             "in the calling thread: pass body and arg to pthread_create() "
             "instead of calling body yourself",
             log.runs_in_caller);
    PL_CHECK(log.runs == COUNT_REPS,
             "expected the body to have run %d times when ct_thread_ns(%d, "
             "body, arg) returned, but it had finished %d times: each "
             "repetition creates one thread running body(arg) and waits for "
             "it with pthread_join() before the next. A thread that is not "
             "joined may still be running when the function returns",
             COUNT_REPS, COUNT_REPS, log.runs);
}

PL_TEST(test_thread_cheaper_than_process)
{
    struct side thread = {thread_only, 0};
    struct side process = {fork_only, 0};
    int rounds = compare_in_rounds(&thread, &process, cheaper, pl_now_ms());

    PL_CHECK(cheaper(thread.lowest, process.lowest),
             "expected ct_thread_ns to return less than ct_fork_ns, but in "
             "%d rounds their lowest medians were %lld ns for a thread and "
             "%lld ns for a process: a thread shares the process's memory, "
             "so creating it copies no page tables. Does each repetition "
             "create and join exactly one thread, timed from before "
             "pthread_create() to after pthread_join()?",
             rounds, thread.lowest, process.lowest);
}

static const struct pl_test_case tests[] = {
    {&test_elapsed_across_second_boundary,
     "elapsed time counts across a second boundary", 1, "Step 1", TIMEOUT_S},
    {&test_median_of_odd_count,
     "the median of an odd count is the middle sample", 1, "Step 1",
     TIMEOUT_S},
    {&test_median_of_even_count,
     "the median of an even count averages the middle two", 1, "Step 1",
     TIMEOUT_S},
    {&test_fork_measure_forks_each_time,
     "the fork measurement forks once per repetition", 3, "Step 2",
     TIMEOUT_S},
    {&test_fork_cost_grows_with_heap,
     "fork costs more with a 128 MiB heap than with 1 MiB", 3, "Step 2",
     TIMEOUT_S},
    {&test_spawn_runs_program_without_fork,
     "posix_spawn runs the program each time without fork", 2, "Step 3",
     TIMEOUT_S},
    {&test_spawn_cost_stays_with_heap,
     "posix_spawn costs about the same with a 64 MiB heap", 2, "Step 3",
     TIMEOUT_S},
    {&test_spawn_reports_missing_program,
     "posix_spawn reports a missing program with ENOENT", 1, "Step 3",
     TIMEOUT_S},
    {&test_vfork_runs_program_without_fork,
     "vfork runs the program each time without fork", 2, "Step 4",
     TIMEOUT_S},
    {&test_vfork_reports_missing_program,
     "vfork reports a missing program with ENOENT", 2, "Step 4", TIMEOUT_S},
    {&test_thread_measure_runs_body_in_thread,
     "the thread measurement runs the body in a new thread", 2, "Step 5",
     TIMEOUT_S},
    {&test_thread_cheaper_than_process,
     "a thread costs less than a process", 3, "Step 5", TIMEOUT_S},
};

PL_LAB("12-costs", tests)
