/*
 * main.c - Lab 07 demo: runs the functions of signals.c and prints what
 * each one shows about signals.
 *
 *   make run LAB=07
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 *
 * Step 4 runs this program a second time through exec, with the option
 * --show-signals, to print the signal state a fresh program starts with.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "signals.h"

/* How long the demo waits for a line or a process before giving up. */
#define DEMO_WAIT_MS 2000

static pid_t main_pid;

/* Print why the lab function fn failed, and return 1 for the exit status. */
static int report_failure(const char *fn, const char *step, int err)
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
 * Read one line from fd without its newline, waiting at most
 * DEMO_WAIT_MS. Returns 1 for a line, 0 at end of file or the deadline.
 */
static int read_line(int fd, char *buf, size_t len)
{
    size_t used = 0;

    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int ready = poll(&p, 1, DEMO_WAIT_MS);
        char c;
        ssize_t n;

        if (ready == -1 && errno == EINTR)
            continue;
        n = ready > 0 ? read(fd, &c, 1) : -1;
        if (n == -1 && errno == EINTR)
            continue;
        if (n != 1) {
            buf[used] = '\0';
            return used > 0;
        }
        if (c == '\n') {
            buf[used] = '\0';
            return 1;
        }
        if (used + 1 < len)
            buf[used++] = c;
    }
}

/* Print every signal whose bit is set in mask, or "none". */
static void print_signal_names(const char *label, uint64_t mask)
{
    int any = 0;

    printf("%s", label);
    for (int sig = 1; sig <= 64; sig++) {
        if (mask & SG_SIGBIT(sig)) {
            if (sig >= SIGRTMIN && sig <= SIGRTMAX)
                printf("%sSIGRTMIN+%d", any ? " " : "", sig - SIGRTMIN);
            else if (strcmp(pl_signal_name(sig), "SIG?") == 0)
                printf("%s%d", any ? " " : "", sig); /* glibc's own */
            else
                printf("%s%s", any ? " " : "", pl_signal_name(sig));
            any = 1;
        }
    }
    printf("%s", any ? "" : "none");
}

static void print_masks(const char *process, const struct sg_masks *m)
{
    printf("  %s:", process);
    print_signal_names(" blocked ", m->blocked);
    print_signal_names("; ignored ", m->ignored);
    print_signal_names("; caught ", m->caught);
    printf("\n");
}

/* --- Step 1 ------------------------------------------------------------ */

struct demo_worker {
    pid_t pid;
    int jobs_fd;
    int out_fd;
};

static void start_worker(struct demo_worker *w, const char *pidfile)
{
    int jobs[2];
    int out[2];

    pl_pipe(jobs);
    pl_pipe(out);
    fflush(stdout);
    w->pid = pl_fork();
    if (w->pid == 0) {
        /* Child: the worker. A failure becomes an "error" line. */
        pid_t self = getpid();
        int rc;

        pl_close(jobs[1]);
        pl_close(out[0]);
        rc = sg_worker(jobs[0], out[1], pidfile);
        if (getpid() != self) {
            fprintf(stderr, "process %d, a child made by sg_worker, "
                    "returned into main: end every child with _exit() "
                    "(Step 1)\n", (int)getpid());
            _exit(1);
        }
        if (rc != 0)
            dprintf(out[1], "error %d\n", errno);
        _exit(rc == 0 ? 0 : 1);
    }
    /* Parent: sends jobs, reads lines. */
    pl_close(jobs[0]);
    pl_close(out[1]);
    w->jobs_fd = jobs[1];
    w->out_fd = out[0];
}

/*
 * Print the worker's lines until one equal to until (or any line when
 * until is NULL), end of file or an "error" line. Returns 1 when until
 * was seen, 0 otherwise.
 */
static int show_lines(struct demo_worker *w, const char *until, int *err)
{
    char line[128];

    while (read_line(w->out_fd, line, sizeof(line))) {
        if (sscanf(line, "error %d", err) == 1)
            return 0;
        printf("  worker: %s\n", line);
        if (until == NULL || strcmp(line, until) == 0)
            return 1;
    }
    return 0;
}

/*
 * Send a, then b unless it is 0. Returns 1, or 0 when the worker has
 * already exited, which makes write() fail with EPIPE.
 */
static int send_job(struct demo_worker *w, int a, int b)
{
    if (write(w->jobs_fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
        return 0;
    return b == 0 || write(w->jobs_fd, &b, sizeof(b)) == (ssize_t)sizeof(b);
}

static int finish_worker(struct demo_worker *w)
{
    int status;

    pl_close(w->jobs_fd);
    pl_close(w->out_fd);
    pl_waitpid(w->pid, &status, 0);
    return status;
}

static int show_graceful_worker(const char *pidfile)
{
    struct demo_worker w;
    char status_text[128];
    int err = 0;
    int ok;

    printf("Step 1: a worker gets SIGTERM in the middle of its third job\n");
    start_worker(&w, pidfile);
    ok = show_lines(&w, "ready", &err) && send_job(&w, 1, 2) &&
         show_lines(&w, NULL, &err) && show_lines(&w, NULL, &err) &&
         send_job(&w, 10, 20) && show_lines(&w, NULL, &err) &&
         show_lines(&w, NULL, &err);
    /* Only the first half of job 3: the worker is now inside the unit. */
    ok = ok && send_job(&w, 100, 0) && show_lines(&w, "start 3", &err);
    if (ok) {
        printf("  demo: kill(worker, SIGTERM), then the second number\n");
        kill(w.pid, SIGTERM);
        send_job(&w, 200, 0);
        while (show_lines(&w, NULL, &err))
            ;
    }
    pl_describe_status(finish_worker(&w), status_text,
                       sizeof(status_text));
    if (err != 0)
        return report_failure("sg_worker", "Step 1", err);
    printf("  the worker %s; PID file left behind: %s\n", status_text,
           access(pidfile, F_OK) == 0 ? "yes" : "no");
    unlink(pidfile);
    return ok ? 0 : 1;
}

static int show_killed_worker(const char *pidfile)
{
    struct demo_worker w;
    char status_text[128];
    int err = 0;
    int ok;

    printf("Step 1: the same worker gets SIGKILL in its first job\n");
    start_worker(&w, pidfile);
    ok = show_lines(&w, "ready", &err) && send_job(&w, 1, 0) &&
         show_lines(&w, "start 1", &err);
    if (ok) {
        printf("  demo: kill(worker, SIGKILL)\n");
        kill(w.pid, SIGKILL);
        while (show_lines(&w, NULL, &err))
            ;
    }
    pl_describe_status(finish_worker(&w), status_text,
                       sizeof(status_text));
    if (err != 0)
        return report_failure("sg_worker", "Step 1", err);
    printf("  the worker %s; PID file left behind: %s\n", status_text,
           access(pidfile, F_OK) == 0 ? "yes (the demo removes it)" : "no");
    unlink(pidfile);
    return ok ? 0 : 1;
}

/* --- Step 2 ------------------------------------------------------------ */

static void set_sigchld_mask(int how)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(how, &set, NULL) == -1)
        pl_die("sigprocmask(SIGCHLD)");
}

static int show_reaping(void)
{
    enum { CHILDREN = 3 };
    pid_t pids[CHILDREN];
    int reaped;

    printf("Step 2: three children exit while SIGCHLD is blocked\n");
    sg_reaped_count = 0;
    if (sg_install_child_handler() == -1)
        return report_failure("sg_install_child_handler", "Step 2", errno);
    set_sigchld_mask(SIG_BLOCK);
    fflush(stdout);
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = pl_fork();
        if (pids[i] == 0)
            _exit(i + 1); /* Child: exits at once with code 1, 2 or 3. */
    }
    for (int i = 0; i < CHILDREN; i++)
        if (pl_proc_wait_state(pids[i], 'Z', DEMO_WAIT_MS) == -1)
            pl_die("waiting for child %d to exit", (int)pids[i]);
    printf("  all %d are zombies now, and one SIGCHLD is pending\n",
           CHILDREN);
    set_sigchld_mask(SIG_UNBLOCK);
    reaped = sg_reaped_count;
    printf("  after unblocking, the handler reaped %d of them:\n", reaped);
    for (int i = 0; i < reaped && i < SG_MAX_REAPED; i++) {
        char status_text[128];

        pl_describe_status(sg_reaped[i].status, status_text,
                           sizeof(status_text));
        printf("    child %d %s\n", (int)sg_reaped[i].pid, status_text);
    }

    /* Back to the default, and reap what the handler left. */
    signal(SIGCHLD, SIG_DFL);
    for (int i = 0; i < CHILDREN; i++)
        waitpid(pids[i], NULL, WNOHANG);
    if (reaped != CHILDREN) {
        printf("  sg_on_child should reap all %d in one call (Step 2)\n",
               CHILDREN);
        return 1;
    }
    return 0;
}

/* --- Step 3 ------------------------------------------------------------ */

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen = 1;
}

/* done() for Step 3: the first check is followed at once by SIGUSR1. */
static int check_then_signal(void *arg)
{
    int *sent = arg;
    int seen = usr1_seen;

    if (!*sent) {
        *sent = 1;
        printf("  done() found no signal yet, then SIGUSR1 arrived\n");
        kill(getpid(), SIGUSR1);
    }
    return seen;
}

/* Runs in a child of pl_run(), so that a wait that hangs can be ended. */
static int wait_in_window(void *arg)
{
    int sent = 0;

    (void)arg;
    if (signal(SIGUSR1, on_usr1) == SIG_ERR)
        pl_die("signal(SIGUSR1)");
    if (sg_wait_until(SIGUSR1, check_then_signal, &sent) != 0) {
        report_failure("sg_wait_until", "Step 3", errno);
        return 1;
    }
    printf("  sg_wait_until returned: the signal waited, pending, for "
           "sigsuspend()\n");
    return 0;
}

static int show_wait(void)
{
    struct pl_run_result r;
    int failed;

    printf("Step 3: a signal arrives between the check and the wait\n");
    fflush(stdout);
    pl_run(wait_in_window, NULL, DEMO_WAIT_MS, &r);
    fwrite(r.output, 1, r.output_len, stdout);
    if (r.timed_out)
        printf("  sg_wait_until did not return within %d ms: the signal "
               "was handled before the wait began, and the wait never "
               "ended (Step 3)\n",
               DEMO_WAIT_MS);
    failed = r.timed_out || !WIFEXITED(r.status) || WEXITSTATUS(r.status);
    pl_run_free(&r);
    return failed;
}

/* --- Step 4 ------------------------------------------------------------ */

/* With --show-signals: print the state exec left, from /proc/self/status.
 * It reads the file itself, so that it works before Step 4 is done. */
static int show_own_signals(void)
{
    struct sg_masks m = {0, 0, 0};
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned long long v;

    if (f == NULL)
        pl_die("fopen(/proc/self/status)");
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "SigBlk: %llx", &v) == 1)
            m.blocked = v;
        else if (sscanf(line, "SigIgn: %llx", &v) == 1)
            m.ignored = v;
        else if (sscanf(line, "SigCgt: %llx", &v) == 1)
            m.caught = v;
    }
    fclose(f);
    print_masks("after exec", &m);
    return 0;
}

static int show_fork_child(void)
{
    struct sg_masks m;
    int hold[2];
    pid_t child;
    int rc, err;

    pl_pipe(hold);
    fflush(stdout);
    child = pl_fork();
    if (child == 0) {
        /* Child: waits until the parent closes the pipe. */
        char c;

        pl_close(hold[1]);
        while (read(hold[0], &c, 1) == -1 && errno == EINTR)
            ;
        _exit(0);
    }
    pl_close(hold[0]);
    rc = sg_read_masks(child, &m);
    err = errno;
    pl_close(hold[1]);
    pl_waitpid(child, NULL, 0);
    if (rc != 0)
        return report_failure("sg_read_masks", "Step 4", err);
    print_masks("after fork", &m);
    return 0;
}

static int show_exec_child(void)
{
    struct sg_exec_setup setup = {SIGUSR2, SIGINT};
    char *argv[] = {"/proc/self/exe", "--show-signals", NULL};
    char line[256];
    int out[2];
    pid_t pid;
    int err;

    printf("  the child ignores SIGUSR2 and blocks SIGINT, then execs\n");
    pl_pipe(out);
    fflush(stdout);
    pid = sg_exec_with_signals(&setup, argv, out[1]);
    err = errno;
    stop_stray_child("sg_exec_with_signals", "Step 4");
    pl_close(out[1]);
    if (pid == -1) {
        pl_close(out[0]);
        return report_failure("sg_exec_with_signals", "Step 4", err);
    }
    while (read_line(out[0], line, sizeof(line)))
        printf("%s\n", line);
    pl_close(out[0]);
    pl_waitpid(pid, NULL, 0);
    return 0;
}

static int show_masks(void)
{
    struct sg_masks m;
    int failed = 0;

    printf("Step 4: this process catches SIGUSR1; what fork and exec "
           "keep\n");
    /* Steps 1 to 3 are over, so SIGPIPE can kill again, as by default. */
    signal(SIGPIPE, SIG_DFL);
    if (signal(SIGUSR1, on_usr1) == SIG_ERR)
        pl_die("signal(SIGUSR1)");
    if (sg_read_masks(0, &m) != 0)
        failed |= report_failure("sg_read_masks", "Step 4", errno);
    else
        print_masks("this process", &m);
    if (!failed)
        failed |= show_fork_child();
    failed |= show_exec_child();
    signal(SIGUSR1, SIG_DFL);
    return failed;
}

int main(int argc, char **argv)
{
    char pidfile[256];
    const char *tmp = getenv("TMPDIR");
    int failed = 0;

    if (argc == 2 && strcmp(argv[1], "--show-signals") == 0)
        return show_own_signals();

    main_pid = getpid();
    snprintf(pidfile, sizeof(pidfile), "%s/proclab-07-worker-%d.pid",
             tmp && *tmp ? tmp : "/tmp", (int)main_pid);
    /* A worker that exits early must not kill the demo with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    failed |= show_graceful_worker(pidfile);
    failed |= show_killed_worker(pidfile);
    failed |= show_reaping();
    failed |= show_wait();
    failed |= show_masks();
    return failed;
}
