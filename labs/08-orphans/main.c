/*
 * main.c - Lab 08 demo: runs the functions of orphans.c and prints who
 * adopts an orphan on this machine, who reaps it, and how a child learns
 * that its parent died.
 *
 *   make run LAB=08
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
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "orphans.h"
#include "proclab.h"

/* How long Step 1 watches the orphan for its new parent to reap it. */
#define REAP_WATCH_MS 1000
/* How long Step 4 waits for a watcher's report. */
#define REPORT_WAIT_MS 2000
#define MAX_ANCESTORS 64

static pid_t main_pid;

/* Print why the lab function fn failed, and return 1 for the exit status. */
static int report_failure(const char *fn, int err, const char *step)
{
    if (err == ENOSYS)
        printf("  %s is not written yet (%s)\n", fn, step);
    else
        printf("  %s failed: %s (%s)\n", fn, pl_errno_name(err),
               strerror(err));
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

/*
 * Store the program name of process pid in comm, or "?" if it is gone.
 * An init's parent is outside its PID namespace, and getppid() returns 0
 * there.
 */
static const char *name_of(pid_t pid, char *comm, size_t len)
{
    struct pl_proc_stat st;

    if (pid <= 0)
        snprintf(comm, len, "outside this PID namespace");
    else
        snprintf(comm, len, "%s",
                 pl_proc_read_stat(pid, &st) == 0 ? st.comm : "?");
    return comm;
}

/*
 * Watch an orphan that is not this program's child until it is gone from
 * /proc, which means that its new parent reaped it. Returns the time that
 * took in ms, or -1 when it was still there after REAP_WATCH_MS.
 */
static long long watch_reaping(pid_t orphan)
{
    struct pl_proc_stat st;
    long long start = pl_now_ms();
    struct timespec pause = {0, 1000000};

    while (pl_proc_read_stat(orphan, &st) == 0) {
        if (pl_now_ms() - start >= REAP_WATCH_MS)
            return -1;
        nanosleep(&pause, NULL);
    }
    return pl_now_ms() - start;
}

static int show_orphan(void)
{
    struct orph_adoption r;
    struct pl_proc_stat adopter;
    char comm[64];
    long long reaped_ms;
    int rc;

    printf("Step 1: a middle process forks an orphan and exits; no "
           "subreaper here\n");
    /* Flush before every fork, so that a child cannot inherit unwritten
     * output and print it a second time. */
    fflush(stdout);
    rc = orph_watch_adoption(&r);
    stop_stray_child("orph_watch_adoption", "Step 1");
    if (rc != 0)
        return report_failure("orph_watch_adoption", errno, "Step 1");

    printf("  orphan %d: getppid() = %d before (the middle process), %d "
           "after\n",
           (int)r.orphan, (int)r.ppid_before, (int)r.ppid_after);
    printf("  /proc/%d/stat said %d before and %d after\n", (int)r.orphan,
           (int)r.stat_ppid_before, (int)r.stat_ppid_after);

    if (r.ppid_after == getpid()) {
        /* Only the init of a PID namespace adopts orphans without being a
         * subreaper, and then it has to reap them itself. */
        pl_waitpid(r.orphan, NULL, 0);
        printf("  adopted by this program, the init of its PID namespace, "
               "which reaped it\n");
        return 0;
    }
    if (pl_proc_read_stat(r.ppid_after, &adopter) == -1)
        adopter.ppid = -1;
    printf("  adopted by PID %d (%s), %s\n", (int)r.ppid_after,
           name_of(r.ppid_after, comm, sizeof(comm)),
           adopter.ppid == 0 ? "the init of this PID namespace"
                             : "the nearest child subreaper above this "
                               "program");
    fflush(stdout);
    reaped_ms = watch_reaping(r.orphan);
    if (reaped_ms >= 0)
        printf("  its new parent reaped it within %lld ms\n", reaped_ms);
    else
        printf("  %d ms later it was still in /proc: its new parent had "
               "not reaped it\n",
               REAP_WATCH_MS);
    return 0;
}

static int show_subreaper(void)
{
    struct orph_adoption r;
    char how[128];
    int status;
    int rc;

    printf("Step 2: the same, with this program (PID %d) as a child "
           "subreaper\n",
           (int)getpid());
    fflush(stdout);
    rc = orph_adopt_and_reap(&r, &status);
    stop_stray_child("orph_adopt_and_reap", "Step 2");
    if (rc != 0)
        return report_failure("orph_adopt_and_reap", errno, "Step 2");

    printf("  orphan %d: getppid() = %d before, %d after%s\n",
           (int)r.orphan, (int)r.ppid_before, (int)r.ppid_after,
           r.ppid_after == getpid() ? " (this program)" : "");
    printf("  this program reaped it: the orphan %s\n",
           pl_describe_status(status, how, sizeof(how)));
    return 0;
}

static int show_ancestors(void)
{
    struct orph_ancestor up[MAX_ANCESTORS];
    int n;

    printf("Step 3: the processes above this one, nearest first\n");
    n = orph_list_ancestors(0, up, MAX_ANCESTORS);
    if (n < 0)
        return report_failure("orph_list_ancestors", errno, "Step 3");
    if (n == 0)
        printf("  none: this program is the init of its PID namespace\n");
    else
        printf("  %-8s %-14s %s\n", "PID", "PID in own ns", "program");
    for (int i = 0; i < n && i < MAX_ANCESTORS; i++)
        printf("  %-8d %-14d %s%s\n", (int)up[i].pid, (int)up[i].ns_pid,
               up[i].comm, i == n - 1 ? " (init of this PID namespace)" : "");
    if (n > 0)
        printf("  an orphan of this program goes to the nearest child "
               "subreaper in this list,\n  or else to its last entry\n");
    return 0;
}

/*
 * Wait at most REPORT_WAIT_MS for a report on fd. Returns 1 when a full
 * report arrived, 0 otherwise.
 */
static int read_report(int fd, struct orph_death_report *report)
{
    struct pollfd p = {fd, POLLIN, 0};
    int ready;

    do
        ready = poll(&p, 1, REPORT_WAIT_MS);
    while (ready == -1 && errno == EINTR);
    if (ready != 1)
        return 0;
    return pl_read_full(fd, report, sizeof(*report)) == sizeof(*report);
}

/*
 * Reap a watcher that this program adopted. One that sent no report may
 * still be waiting for a signal that will not come, so it is killed.
 * Returns its wait status.
 */
static int reap_watcher(pid_t watcher, int reported)
{
    int status;

    if (!reported)
        kill(watcher, SIGKILL);
    pl_waitpid(watcher, &status, 0);
    return status;
}

/* The message a middle process of Step 4 sends to main. */
struct spawned {
    pid_t watcher;
    int err;
};

/* Step 4, first half: a watcher learns that its parent was killed. */
static int show_killed_parent(void)
{
    struct orph_death_report report;
    struct spawned info = {-1, 0};
    int report_pipe[2];
    int info_pipe[2];
    int hold[2];
    pid_t middle;
    char comm[64];
    int reported;

    pl_pipe(report_pipe);
    pl_pipe(info_pipe);
    pl_pipe(hold);
    fflush(stdout);
    middle = pl_fork();
    if (middle == 0) {
        /* Middle: start a watcher, send its PID, and wait to be killed.
         * End of file on hold means that main died first. */
        pid_t self = getpid();
        char byte;

        pl_close(report_pipe[0]);
        pl_close(info_pipe[0]);
        pl_close(hold[1]);
        info.watcher = orph_spawn_watcher(SIGUSR1, report_pipe[1]);
        info.err = errno;
        if (getpid() != self) {
            fprintf(stderr, "process %d, the watcher, returned from "
                    "orph_spawn_watcher: end it with _exit() (Step 4)\n",
                    (int)getpid());
            _exit(1);
        }
        pl_close(report_pipe[1]);
        pl_write_all(info_pipe[1], &info, sizeof(info));
        pl_close(info_pipe[1]);
        pl_read_full(hold[0], &byte, 1);
        _exit(0);
    }

    /* Main: it reads the report, which only the watcher writes. */
    pl_close(report_pipe[1]);
    pl_close(info_pipe[1]);
    pl_close(hold[0]);
    pl_read_full(info_pipe[0], &info, sizeof(info));
    pl_close(info_pipe[0]);
    kill(middle, SIGKILL);
    pl_waitpid(middle, NULL, 0);
    pl_close(hold[1]);
    if (info.watcher <= 0) {
        pl_close(report_pipe[0]);
        return report_failure("orph_spawn_watcher", info.err, "Step 4");
    }

    reported = read_report(report_pipe[0], &report);
    pl_close(report_pipe[0]);
    reap_watcher(info.watcher, reported);
    printf("  watcher %d armed SIGUSR1; then its parent %d was killed "
           "with SIGKILL\n",
           (int)info.watcher, (int)middle);
    if (!reported) {
        printf("  no report came within %d ms\n", REPORT_WAIT_MS);
        return 1;
    }
    printf("  the watcher got %s and now has parent %d (%s)\n",
           report.signal > 0 ? pl_signal_name(report.signal) : "no signal",
           (int)report.new_parent,
           report.new_parent == getpid()
               ? "this program"
               : name_of(report.new_parent, comm, sizeof(comm)));
    return 0;
}

/* In the watcher of Step 4's second half: wait for go, then watch. */
static void run_late_watcher(pid_t parent, int go_fd, int report_fd)
{
    pid_t self = getpid();
    char byte;
    int rc;

    /* End of file comes once main has reaped the middle. */
    pl_read_full(go_fd, &byte, 1);
    pl_close(go_fd);
    rc = orph_watch_parent(parent, SIGUSR1, -1, report_fd);
    if (getpid() != self) {
        fprintf(stderr, "process %d, a child made by orph_watch_parent, "
                "returned from it: end it with _exit() (Step 4)\n",
                (int)getpid());
        _exit(1);
    }
    if (rc != 0) {
        report_failure("orph_watch_parent", errno, "Step 4");
        fflush(stdout);
        _exit(1);
    }
    _exit(0);
}

/* Step 4, second half: the parent dies before the watcher arms. */
static int show_parent_already_gone(void)
{
    struct orph_death_report report;
    pid_t watcher = -1;
    int report_pipe[2];
    int info_pipe[2];
    int go[2];
    pid_t middle;
    int reported;
    int status;

    pl_pipe(report_pipe);
    pl_pipe(info_pipe);
    pl_pipe(go);
    fflush(stdout);
    middle = pl_fork();
    if (middle == 0) {
        /* Middle: fork the watcher, send its PID, and exit at once. */
        pid_t self = getpid();

        pl_close(report_pipe[0]);
        pl_close(info_pipe[0]);
        pl_close(go[1]);
        watcher = pl_fork();
        if (watcher == 0) {
            pl_close(info_pipe[1]);
            run_late_watcher(self, go[0], report_pipe[1]);
        }
        pl_write_all(info_pipe[1], &watcher, sizeof(watcher));
        _exit(0);
    }

    /* Main: once the middle is reaped, closing go lets the watcher run
     * orph_watch_parent, too late for any death signal. */
    pl_close(report_pipe[1]);
    pl_close(info_pipe[1]);
    pl_close(go[0]);
    pl_read_full(info_pipe[0], &watcher, sizeof(watcher));
    pl_close(info_pipe[0]);
    pl_waitpid(middle, NULL, 0);
    pl_close(go[1]);

    reported = read_report(report_pipe[0], &report);
    pl_close(report_pipe[0]);
    status = reap_watcher(watcher, reported);
    if (!reported) {
        /* A watcher that failed printed why before it exited. */
        if (!WIFEXITED(status))
            printf("  a watcher started after its parent %d died sent no "
                   "report within %d ms\n",
                   (int)middle, REPORT_WAIT_MS);
        return 1;
    }
    printf("  a watcher started after its parent %d died: signal %d, at "
           "once;\n  its new parent is %d%s\n",
           (int)middle, report.signal, (int)report.new_parent,
           report.new_parent == getpid() ? " (this program)" : "");
    return 0;
}

static int show_death_signal(void)
{
    int failed;

    printf("Step 4: a watcher asks for SIGUSR1 when its parent dies\n");
    /* As a subreaper, this program adopts the watchers when their
     * parents die, and can reap them. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1UL) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER, 1)");
    failed = show_killed_parent();
    failed |= show_parent_already_gone();
    if (prctl(PR_SET_CHILD_SUBREAPER, 0UL) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER, 0)");
    return failed;
}

int main(void)
{
    char comm[64];
    int failed = 0;

    main_pid = getpid();
    printf("This program is PID %d; its parent is PID %d (%s).\n",
           (int)getpid(), (int)getppid(),
           name_of(getppid(), comm, sizeof(comm)));
    failed |= show_orphan();
    failed |= show_subreaper();
    failed |= show_ancestors();
    failed |= show_death_signal();
    return failed;
}
