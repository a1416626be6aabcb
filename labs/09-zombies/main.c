/*
 * main.c - Lab 09 demo: runs the functions of zombies.c and prints what
 * /proc shows about each child: a zombie until it is reaped, and gone
 * once it is.
 *
 *   make run LAB=09
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "zombies.h"

/* How long the demo waits for a child to change state, in ms. */
#define STATE_TIMEOUT_MS 2000
/* How many zombies Step 5 makes. */
#define DEMO_ZOMBIES 20

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

/*
 * End a child of fn that returned into main instead of calling _exit():
 * it would go on to run the rest of the demo a second time.
 */
static void stop_stray_child(const char *fn, const char *step)
{
    if (getpid() == main_pid)
        return;
    fprintf(stderr,
            "process %d, a child made by %s, returned into main: end every "
            "child with _exit() (%s)\n",
            (int)getpid(), fn, step);
    _exit(1);
}

/* Describe whether /proc still has an entry for pid, in a few words. */
static const char *proc_entry(pid_t pid)
{
    /* A child the kernel reaps may stay in /proc for a moment after the
     * parent's waitpid() has returned, so wait until it is gone. */
    if (pl_proc_wait_state(pid, 'Z', STATE_TIMEOUT_MS) == 0)
        return "is still there: the child is a zombie";
    if (errno == ENOENT)
        return "is gone: no zombie left";
    return "is still there: the child is still running";
}

/* --- Step 1 ------------------------------------------------------------ */

static int show_zombie(void)
{
    pid_t pid;
    int state;
    int code;
    int failed = 0;

    printf("Step 1: a child that ends before its parent waits\n");
    fflush(stdout);
    pid = zb_make_zombie(7);
    stop_stray_child("zb_make_zombie", "Step 1");
    if (pid == -1)
        return report_failure("zb_make_zombie", "Step 1");

    if (pl_proc_wait_state(pid, 'Z', STATE_TIMEOUT_MS) != 0)
        printf("  child %d ended with _exit(7) but never showed state Z\n",
               (int)pid);
    state = zb_proc_state(pid);
    if (state == -1)
        failed |= report_failure("zb_proc_state", "Step 1");
    else
        printf("  child %d ended with _exit(7); /proc/%d/stat says %c%s\n",
               (int)pid, (int)pid, state,
               state == 'Z' ? " (zombie)" : ", but it should say Z");

    code = zb_reap(pid);
    if (code == -1) {
        failed |= report_failure("zb_reap", "Step 1");
        /* Reap it here, so that it does not stay a zombie. */
        waitpid(pid, NULL, 0);
        return failed;
    }
    printf("  zb_reap(%d) returned %d; /proc/%d %s\n", (int)pid, code,
           (int)pid, proc_entry(pid));
    return failed;
}

/* --- Steps 2 and 3 ----------------------------------------------------- */

/* The task of Steps 2 and 3: send this process's PID, return 42. */
static int send_pid_task(void *arg)
{
    const int *fd = arg;
    pid_t self = getpid();

    pl_write_all(*fd, &self, sizeof(self));
    return 42;
}

/*
 * Run zb_run_and_wait() (how < 0) or zb_run_unreaped(how) with
 * send_pid_task, and return the PID the task sent, or -1 after printing
 * why the function failed. Stores the function's return value in *rc.
 */
static pid_t run_task(const char *fn, const char *step, int how, int *rc)
{
    int fds[2];
    pid_t task_pid;
    size_t got;

    pl_pipe(fds);
    fflush(stdout);
    if (how < 0)
        *rc = zb_run_and_wait(send_pid_task, &fds[1]);
    else
        *rc = zb_run_unreaped(send_pid_task, &fds[1],
                              (enum zb_reap_by_kernel)how);
    stop_stray_child(fn, step);
    pl_close(fds[1]);
    if (*rc == -1) {
        pl_close(fds[0]);
        report_failure(fn, step);
        return -1;
    }
    got = pl_read_full(fds[0], &task_pid, sizeof(task_pid));
    pl_close(fds[0]);
    if (got != sizeof(task_pid)) {
        printf("  %s returned, but the task never ran\n", fn);
        return -1;
    }
    return task_pid;
}

static int show_wait(void)
{
    pid_t pid;
    int rc;

    printf("Step 2: run a task in a child and wait for it\n");
    pid = run_task("zb_run_and_wait", "Step 2", -1, &rc);
    if (pid == -1)
        return 1;
    printf("  the task ran in process %d and returned 42; zb_run_and_wait "
           "returned %d\n",
           (int)pid, rc);
    printf("  /proc/%d %s\n", (int)pid, proc_entry(pid));
    return 0;
}

/* Name SIGCHLD's current action, for the line that checks it is back. */
static const char *sigchld_action(void)
{
    struct sigaction now;

    if (sigaction(SIGCHLD, NULL, &now) == -1)
        pl_die("sigaction(SIGCHLD)");
    if (now.sa_flags & SA_NOCLDWAIT)
        return "SA_NOCLDWAIT, but it should be back to SIG_DFL";
    if (now.sa_handler == SIG_IGN)
        return "SIG_IGN, but it should be back to SIG_DFL";
    if (now.sa_handler == SIG_DFL)
        return "SIG_DFL, as before";
    return "a handler, but it should be back to SIG_DFL";
}

static int show_kernel_reaps(void)
{
    static const struct {
        enum zb_reap_by_kernel how;
        const char *label;
    } ways[] = {
        {ZB_IGNORE_SIGCHLD, "SIG_IGN:     "},
        {ZB_NOCLDWAIT, "SA_NOCLDWAIT:"},
    };

    printf("Step 3: let the kernel reap the child\n");
    for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
        pid_t pid;
        int rc;

        pid = run_task("zb_run_unreaped", "Step 3", (int)ways[i].how, &rc);
        if (pid == -1)
            return 1;
        printf("  %s task in process %d; /proc/%d %s\n",
               ways[i].label, (int)pid, (int)pid, proc_entry(pid));
    }
    printf("  SIGCHLD's action now: %s\n", sigchld_action());
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

/* The pipes between the demo and the Step 4 grandchild. */
struct adoption {
    int report[2]; /* the grandchild sends its new parent's PID */
    int go[2];     /* the demo writes once it has reaped the middle child */
};

/*
 * The Step 4 task: wait until the demo has reaped the middle child, then
 * send the PID of the parent that adopted this process. It gives up after
 * STATE_TIMEOUT_MS, so that a zb_run_double_fork() that waits for the
 * grandchild returns late instead of never.
 */
static int report_parent_task(void *arg)
{
    struct adoption *a = arg;
    struct pollfd go = {a->go[0], POLLIN, 0};
    pid_t parent;

    /* Only the demo writes to go and reads report. */
    pl_close(a->go[1]);
    pl_close(a->report[0]);
    if (poll(&go, 1, STATE_TIMEOUT_MS) != 1)
        return 1;
    parent = getppid();
    pl_write_all(a->report[1], &parent, sizeof(parent));
    return 9;
}

static int show_double_fork(void)
{
    struct adoption a;
    pid_t grandchild;
    pid_t parent;
    size_t got;
    int code;

    printf("Step 4: a double fork hands the grandchild to a subreaper\n");
    /* Without this, the grandchild would go to init or to a subreaper
     * above the demo, which would reap it out of the demo's sight. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER)");
    pl_pipe(a.report);
    pl_pipe(a.go);
    fflush(stdout);
    grandchild = zb_run_double_fork(report_parent_task, &a);
    stop_stray_child("zb_run_double_fork", "Step 4");
    pl_close(a.report[1]);
    if (grandchild == -1) {
        pl_close(a.report[0]);
        pl_close(a.go[0]);
        pl_close(a.go[1]);
        return report_failure("zb_run_double_fork", "Step 4");
    }

    /* The demo keeps the read end of go open, so this write cannot raise
     * SIGPIPE when the grandchild has already given up. */
    pl_write_all(a.go[1], "g", 1);
    pl_close(a.go[1]);
    pl_close(a.go[0]);
    got = pl_read_full(a.report[0], &parent, sizeof(parent));
    pl_close(a.report[0]);
    code = zb_reap(grandchild);
    if (got != sizeof(parent)) {
        printf("  grandchild %d ended before zb_run_double_fork returned: "
               "the middle child must end at once, without waiting for "
               "it\n",
               (int)grandchild);
        return 1;
    }
    printf("  grandchild %d was adopted by process %d%s\n", (int)grandchild,
           (int)parent,
           parent == main_pid ? " (this demo, a subreaper)"
                              : ", but this demo is the nearest subreaper");
    if (code == -1)
        printf("  the demo could not reap it: %s\n", pl_errno_name(errno));
    else
        printf("  the demo reaped it: zb_reap returned %d\n", code);
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

/* Count this process's children that are zombies. */
static int count_zombies(void)
{
    pid_t kids[DEMO_ZOMBIES * 2];
    struct pl_proc_stat st;
    int n = pl_proc_children(0, kids, DEMO_ZOMBIES * 2);
    int zombies = 0;

    for (int i = 0; i < n && i < DEMO_ZOMBIES * 2; i++)
        if (pl_proc_read_stat(kids[i], &st) == 0 && st.state == 'Z')
            zombies++;
    return zombies;
}

/* Print one number from a file such as /proc/sys/kernel/pid_max. */
static void print_sysctl(const char *label, const char *path,
                         const char *unit)
{
    FILE *f = fopen(path, "re");
    long value;

    if (f != NULL && fscanf(f, "%ld", &value) == 1)
        printf("    %-13s %ld %s (%s)\n", label, value, unit, path);
    else
        printf("    %-13s unknown (%s cannot be read)\n", label, path);
    if (f != NULL)
        fclose(f);
}

static void print_limits(void)
{
    struct rlimit nproc;

    printf("  fork() in a parent that never reaps fails at the first of "
           "these:\n");
    if (getrlimit(RLIMIT_NPROC, &nproc) == -1)
        pl_die("getrlimit(RLIMIT_NPROC)");
    if (nproc.rlim_cur == RLIM_INFINITY)
        printf("    %-13s unlimited\n", "RLIMIT_NPROC");
    else
        printf("    %-13s %llu processes of this user (ulimit -u)\n",
               "RLIMIT_NPROC", (unsigned long long)nproc.rlim_cur);
    print_sysctl("pid_max", "/proc/sys/kernel/pid_max", "PIDs");
    print_sysctl("threads-max", "/proc/sys/kernel/threads-max", "threads");
}

static int show_many_zombies(void)
{
    pid_t pids[DEMO_ZOMBIES];
    int started;
    int reaped;

    printf("Step 5: a parent that does not reap piles up zombies\n");
    fflush(stdout);
    started = zb_make_zombies(DEMO_ZOMBIES, pids);
    stop_stray_child("zb_make_zombies", "Step 5");
    if (started == -1)
        return report_failure("zb_make_zombies", "Step 5");
    for (int i = 0; i < started; i++)
        pl_proc_wait_state(pids[i], 'Z', STATE_TIMEOUT_MS);
    printf("  zb_make_zombies started %d children; %d zombies now\n", started,
           count_zombies());

    reaped = zb_reap_zombies();
    if (reaped == -1) {
        report_failure("zb_reap_zombies", "Step 5");
        /* Reap them here, so that the limits below are not reached. */
        while (waitpid(-1, NULL, 0) > 0)
            continue;
        return 1;
    }
    printf("  zb_reap_zombies reaped %d; %d zombies left\n", reaped,
           count_zombies());
    print_limits();
    return 0;
}

int main(void)
{
    int failed = 0;

    main_pid = getpid();
    failed |= show_zombie();
    failed |= show_wait();
    failed |= show_kernel_reaps();
    failed |= show_double_fork();
    failed |= show_many_zombies();
    return failed;
}
