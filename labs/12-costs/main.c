/*
 * main.c - Lab 12 demo: measures with the functions of costs.c what it
 * costs to start a process or a thread, with a small and a large heap,
 * and prints a table of the costs and their ratios.
 *
 *   make run LAB=12
 *
 * A function that is still the starter stub gets a "not written yet"
 * line in place of its numbers, and the rest still runs. The exit status
 * is 0 when every function worked and 1 otherwise. You do not need to
 * edit this file. README.md describes the expected output.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "costs.h"
#include "proclab.h"

/* Repetitions behind each median in the table. */
#define DEMO_REPS 21

/* The program that posix_spawn and vfork run: it exits 0 at once. */
#define DEMO_PROGRAM "/bin/true"

/* The small heap, and what the large one adds to it: 256 MiB in all. */
#define SMALL_HEAP (1L << 20)
#define EXTRA_HEAP (255L << 20)

enum { FORK, SPAWN, VFORK, THREAD, OPERATIONS };
enum { SMALL, LARGE, HEAPS };

static const struct {
    const char *label;
    const char *function;
    const char *step;
} operations[OPERATIONS] = {
    {"fork + waitpid", "ct_fork_ns", "Step 2"},
    {"posix_spawn + waitpid", "ct_spawn_ns", "Step 3"},
    {"vfork + execv + waitpid", "ct_vfork_ns", "Step 4"},
    {"pthread_create + join", "ct_thread_ns", "Step 5"},
};

/* The median of each operation with each heap, or -1 with its errno. */
static long long cost[OPERATIONS][HEAPS];
static int cost_errno[OPERATIONS][HEAPS];

static pid_t main_pid;

/*
 * End a child of a lab function that returned into main instead of
 * calling _exit(): it would go on to run the rest of the demo.
 */
static void stop_stray_child(int op)
{
    if (getpid() == main_pid)
        return;
    fprintf(stderr,
            "process %d, a child made by %s, returned into main: end every "
            "child with _exit() (%s)\n",
            (int)getpid(), operations[op].function, operations[op].step);
    _exit(1);
}

/*
 * Keep the demo, and every child and thread it starts, on the CPU it runs
 * on now, so that a new process or thread starts on the CPU its parent
 * frees by waiting. Otherwise, when another program keeps the other CPU
 * busy, a child started there may wait a whole time slice (milliseconds)
 * before it runs, and the table shows that wait instead of the cost.
 */
static void stay_on_this_cpu(void)
{
    int cpu = sched_getcpu();
    cpu_set_t one;

    if (cpu < 0)
        pl_die("sched_getcpu()");
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0)
        pl_die("sched_setaffinity(CPU %d)", cpu);
}

static void *empty_thread(void *arg)
{
    return arg;
}

static void measure_all(int heap)
{
    for (int op = 0; op < OPERATIONS; op++) {
        long long ns = -1;

        /* A child made by fork inherits unwritten stdout and would
         * print it a second time. */
        fflush(stdout);
        errno = 0;
        switch (op) {
        case FORK:
            ns = ct_fork_ns(DEMO_REPS);
            break;
        case SPAWN:
            ns = ct_spawn_ns(DEMO_PROGRAM, DEMO_REPS);
            break;
        case VFORK:
            ns = ct_vfork_ns(DEMO_PROGRAM, DEMO_REPS);
            break;
        case THREAD:
            ns = ct_thread_ns(DEMO_REPS, empty_thread, NULL);
            break;
        }
        stop_stray_child(op);
        cost[op][heap] = ns;
        cost_errno[op][heap] = ns < 0 ? errno : 0;
    }
}

/*
 * Map len bytes and write every page, so that each page is resident and
 * has an entry in the page tables that fork copies. Small pages only: a
 * transparent huge page of 2 MiB needs one entry where small pages need
 * 512, which would hide most of what fork copies.
 */
static char *map_touched(size_t len)
{
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED)
        pl_die("mmap(%zu bytes)", len);
    /* EINVAL means a kernel without transparent huge pages. */
    if (madvise(buf, len, MADV_NOHUGEPAGE) != 0 && errno != EINVAL)
        pl_die("madvise(MADV_NOHUGEPAGE)");
    memset(buf, 1, len);
    return buf;
}

static void unmap(char *buf, size_t len)
{
    if (munmap(buf, len) != 0)
        pl_die("munmap(%zu bytes)", len);
}

static int show_median(void)
{
    long long samples[] = {120, 110, 9000, 130, 115, 125, 118};
    int n = (int)(sizeof(samples) / sizeof(samples[0]));
    long long sum = 0;
    long long median;

    printf("Step 1: seven samples (ns), one of them slow:");
    for (int i = 0; i < n; i++) {
        printf(" %lld", samples[i]);
        sum += samples[i];
    }
    printf("\n");
    median = ct_median_ns(samples, n);
    if (median < 0) {
        printf("  ct_median_ns is not written yet (Step 1)\n");
        return 1;
    }
    printf("  median %lld ns, mean %lld ns: the median ignores the slow "
           "one\n",
           median, sum / n);
    return 0;
}

static void print_cell(long long ns)
{
    printf(" %14.1f", (double)ns / 1000.0);
}

static int print_table(void)
{
    int failed = 0;

    printf("\nMedian of %d repetitions, in microseconds; posix_spawn and "
           "vfork run %s\n\n",
           DEMO_REPS, DEMO_PROGRAM);
    printf("%-26s %14s %14s %9s\n", "", "1 MiB heap", "256 MiB heap",
           "256 / 1");
    for (int op = 0; op < OPERATIONS; op++) {
        printf("%-26s", operations[op].label);
        if (cost[op][SMALL] < 0 || cost[op][LARGE] < 0) {
            int err = cost_errno[op][cost[op][SMALL] < 0 ? SMALL : LARGE];

            failed = 1;
            if (err == ENOSYS)
                printf(" %s is not written yet (%s)\n",
                       operations[op].function, operations[op].step);
            else
                printf(" %s failed: %s (%s)\n", operations[op].function,
                       pl_errno_name(err), strerror(err));
            continue;
        }
        print_cell(cost[op][SMALL]);
        print_cell(cost[op][LARGE]);
        printf(" %8.1fx\n", (double)cost[op][LARGE] / (double)cost[op][SMALL]);
    }
    return failed;
}

static void print_process_vs_thread(void)
{
    if (cost[FORK][SMALL] <= 0 || cost[FORK][LARGE] <= 0 ||
        cost[THREAD][SMALL] <= 0 || cost[THREAD][LARGE] <= 0)
        return;
    printf("\nfork + waitpid costs %.1f times pthread_create + join with a "
           "1 MiB heap,\nand %.1f times with a 256 MiB heap.\n",
           (double)cost[FORK][SMALL] / (double)cost[THREAD][SMALL],
           (double)cost[FORK][LARGE] / (double)cost[THREAD][LARGE]);
}

int main(void)
{
    char *small;
    char *extra;
    int failed;

    main_pid = getpid();
    failed = show_median();

    stay_on_this_cpu();
    small = map_touched(SMALL_HEAP);
    measure_all(SMALL);
    extra = map_touched(EXTRA_HEAP);
    measure_all(LARGE);
    unmap(extra, EXTRA_HEAP);
    unmap(small, SMALL_HEAP);

    failed |= print_table();
    print_process_vs_thread();
    return failed;
}
