/*
 * check_signals.c - graded tests for Lab 07: signals.
 *
 * Each test calls functions from labs/07-signals/signals.c and makes a
 * signal arrive at a chosen moment, never by timing. The worker reports
 * through a pipe where it is, and the test signals it once /proc shows it
 * asleep. SIGCHLD stays blocked until the children are zombies, so that
 * one signal is delivered for all of them. The Step 3 tests send the
 * signal from inside the check that sg_wait_until() makes before it
 * waits.
 *
 * The harness runs each test in a process of its own and afterwards fails
 * it if a child was left unreaped or a descriptor left open.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"
#include "signals.h"

#define TIMEOUT_S 5.0

/* How long the test waits for a line, a state or an exit that a correct
 * lab function produces within milliseconds. Scaled by pl_test_scale(). */
#define WAIT_MS 2000
/* How long a worker may take to stop after SIGTERM. */
#define STOP_WAIT_MS 1000
/* sg_wait_until returns within milliseconds once the signal came; one
 * that takes longer is polling with sleep(). */
#define WAKE_LIMIT_MS 500

/* The worker's PID file, in the test's own current directory. */
#define PIDFILE "worker.pid"

#define LINE_LEN 256

static int scaled_ms(int ms)
{
    return (int)(ms * pl_test_scale());
}

/* --- detecting calls that are not async-signal-safe ------------------- */

/*
 * This file defines malloc(), calloc(), realloc() and free(). The dynamic
 * linker binds every call in the test program to them, the C library's
 * own calls included (glibc supports replacing its allocator this way).
 * They count calls while a trap is armed and hand each call on to glibc's
 * allocator. Counting calls catches a malloc() that a free() undoes, which
 * a before-and-after mallinfo2() total would miss.
 *
 * NOTE: __libc_malloc() and its siblings are glibc exports (checked on
 * glibc 2.36); another C library would need another way to forward.
 */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

static volatile sig_atomic_t trap_armed;
static volatile long trap_allocations;

void *malloc(size_t size)
{
    if (trap_armed)
        trap_allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    if (trap_armed)
        trap_allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    if (trap_armed)
        trap_allocations++;
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    if (trap_armed && ptr != NULL)
        trap_allocations++;
    __libc_free(ptr);
}

/*
 * What a handler did while a trap was armed. Its standard output and
 * error go to a pipe and are fully buffered, so output through stdio
 * stays in the FILE buffers, where __fpending() counts it, while write(2)
 * goes straight into the pipe.
 */
struct trap {
    int pipe_fds[2];
    int saved_stdout;
    int saved_stderr;
    long allocations;   /* calls of malloc, calloc, realloc and free */
    size_t stdio_bytes; /* bytes the handler left in stdio buffers */
    char output[LINE_LEN]; /* everything it printed, made printable */
};

static char trap_stdout_buffer[4096];
static char trap_stderr_buffer[4096];

static void trap_begin(struct trap *t)
{
    fflush(stdout);
    fflush(stderr);
    pl_pipe(t->pipe_fds);
    t->saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
    t->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    if (t->saved_stdout == -1 || t->saved_stderr == -1 ||
        dup2(t->pipe_fds[1], STDOUT_FILENO) == -1 ||
        dup2(t->pipe_fds[1], STDERR_FILENO) == -1)
        PL_FAIL("test setup: redirecting stdout and stderr failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    setvbuf(stdout, trap_stdout_buffer, _IOFBF, sizeof(trap_stdout_buffer));
    setvbuf(stderr, trap_stderr_buffer, _IOFBF, sizeof(trap_stderr_buffer));
    trap_allocations = 0;
    trap_armed = 1;
}

/* Copy text into out with newlines and tabs shown as \n and \t. */
static void make_printable(const char *text, size_t len, char *out,
                           size_t out_len)
{
    size_t used = 0;

    for (size_t i = 0; i < len && used + 3 < out_len; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == '\n' || c == '\t') {
            out[used++] = '\\';
            out[used++] = c == '\n' ? 'n' : 't';
        } else {
            out[used++] = c >= 32 && c < 127 ? (char)c : '?';
        }
    }
    out[used] = '\0';
}

static void trap_end(struct trap *t)
{
    char raw[LINE_LEN];
    size_t got;

    trap_armed = 0;
    t->allocations = trap_allocations;
    t->stdio_bytes = __fpending(stdout) + __fpending(stderr);
    fflush(stdout);
    fflush(stderr);
    if (dup2(t->saved_stdout, STDOUT_FILENO) == -1 ||
        dup2(t->saved_stderr, STDERR_FILENO) == -1)
        PL_FAIL("test cleanup: restoring stdout and stderr failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    pl_close(t->saved_stdout);
    pl_close(t->saved_stderr);
    setvbuf(stderr, NULL, _IONBF, 0);
    /* The pipe's last write end closes here, so the read ends at end of
     * file after what the handler printed. */
    pl_close(t->pipe_fds[1]);
    got = pl_read_full(t->pipe_fds[0], raw, sizeof(raw));
    pl_close(t->pipe_fds[0]);
    make_printable(raw, got, t->output, sizeof(t->output));
}

/* Fail unless handler name called no allocator and printed no stdio. */
static void check_trap(const char *name, const struct trap *t)
{
    PL_CHECK(t->allocations == 0,
             "%s called malloc(), calloc(), realloc() or free() %ld times "
             "(directly or through a library function such as printf()): "
             "these are not async-signal-safe. The signal may have "
             "interrupted the main code inside malloc(), with the heap "
             "half updated. A handler may call only the functions that "
             "signal-safety(7) lists; set a flag and do the work in the "
             "main code",
             name, t->allocations);
    PL_CHECK(t->stdio_bytes == 0,
             "%s printed %zu bytes through stdio (\"%s\"): printf() and the "
             "other stdio functions are not async-signal-safe, because the "
             "signal may have interrupted the main code inside one of them "
             "while it updated the same buffer. write(2) is "
             "async-signal-safe; better still, set a flag and print in the "
             "main code",
             name, t->stdio_bytes, t->output);
}

/* --- small helpers ----------------------------------------------------- */

static void install_handler(int sig, void (*handler)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    if (sigaction(sig, &sa, NULL) == -1)
        PL_FAIL("test setup: sigaction(%s) failed: %s (%s)",
                pl_signal_name(sig), pl_errno_name(errno), strerror(errno));
}

static void change_mask(int how, int sig)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, sig);
    if (sigprocmask(how, &set, NULL) == -1)
        PL_FAIL("test setup: sigprocmask(%s) failed: %s (%s)",
                pl_signal_name(sig), pl_errno_name(errno), strerror(errno));
}

/* Return 1 when sig is in this process's signal mask. */
static int is_blocked(int sig)
{
    sigset_t set;

    if (sigprocmask(SIG_BLOCK, NULL, &set) == -1)
        PL_FAIL("test: sigprocmask(query) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    return sigismember(&set, sig) == 1;
}

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    return err == ENOSYS ? "is it still the starter stub?"
                         : "a call inside the function failed";
}

/*
 * Read one line from fd into buf, without its newline, waiting at most
 * timeout_ms. Returns 1 for a line, 0 at end of file, -1 at the deadline.
 */
static int read_line(int fd, char *buf, size_t len, int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;
    size_t used = 0;

    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        long long left = deadline - pl_now_ms();
        char c;
        ssize_t n;
        int ready;

        if (left < 0)
            left = 0;
        ready = poll(&p, 1, (int)left);
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready == -1)
            PL_FAIL("test: poll() failed: %s (%s)", pl_errno_name(errno),
                    strerror(errno));
        if (ready == 0) {
            buf[used] = '\0';
            return -1;
        }
        n = read(fd, &c, 1);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0) {
            buf[used] = '\0';
            return used > 0 ? 1 : 0;
        }
        if (c == '\n') {
            buf[used] = '\0';
            return 1;
        }
        if (used + 1 < len)
            buf[used++] = c;
    }
}

/* Find "KEY:\tHEX" in text. Returns 1 and stores the value, or 0. */
static int find_mask(const char *text, const char *key, uint64_t *value)
{
    const char *at = strstr(text, key);
    unsigned long long v;

    if (at == NULL || sscanf(at + strlen(key), "%llx", &v) != 1)
        return 0;
    *value = v;
    return 1;
}

/*
 * Wait until process pid has taken delivery of sig, which it does itself
 * the next time it runs: until sig is in neither the SigPnd nor the
 * ShdPnd set of /proc/PID/status. Returns 0, or -1 at the deadline.
 */
static int wait_until_delivered(pid_t pid, int sig, int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    for (;;) {
        char text[4096];
        uint64_t thread_pending, process_pending;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        size_t got;

        if (fd == -1)
            PL_FAIL("test: open(%s) failed: %s", path, pl_errno_name(errno));
        got = pl_read_full(fd, text, sizeof(text) - 1);
        pl_close(fd);
        text[got] = '\0';
        if (!find_mask(text, "SigPnd:", &thread_pending) ||
            !find_mask(text, "ShdPnd:", &process_pending))
            PL_FAIL("test: %s has no SigPnd or ShdPnd line", path);
        if (!((thread_pending | process_pending) & SG_SIGBIT(sig)))
            return 0;
        if (pl_now_ms() >= deadline)
            return -1;
        /* No event announces the delivery, so poll, giving the CPU to
         * the process that has to run for it. */
        sched_yield();
    }
}

/* Wait until child pid is a zombie; the test's own setup, so a failure
 * here is not the student's. */
static void wait_for_zombie(pid_t pid)
{
    if (pl_proc_wait_state(pid, 'Z', scaled_ms(WAIT_MS)) == -1)
        PL_FAIL("test setup: child %d did not exit within %d ms: %s",
                (int)pid, scaled_ms(WAIT_MS), pl_errno_name(errno));
}

/* --- Step 1: the worker ------------------------------------------------ */

struct worker {
    pid_t pid;
    int jobs_fd; /* write end: the test sends ints */
    int out_fd;  /* read end: the lines the worker writes */
};

/* A worker writing to a closed pipe should fail with EPIPE, not kill. */
static void ignore_sigpipe(void)
{
    install_handler(SIGPIPE, SIG_IGN, 0);
}

static void start_worker(struct worker *w)
{
    int jobs[2];
    int out[2];

    pl_pipe(jobs);
    pl_pipe(out);
    w->pid = pl_fork();
    if (w->pid == 0) {
        /* Child: the worker. It reads jobs and writes its lines; a
         * failure is written as a line too, for the test to show. */
        char line[LINE_LEN];
        int rc, err, len;

        pl_close(jobs[1]);
        pl_close(out[0]);
        rc = sg_worker(jobs[0], out[1], PIDFILE);
        err = errno;
        if (rc != 0) {
            len = snprintf(line, sizeof(line),
                           "sg_worker returned %d (errno %s, %s)\n", rc,
                           pl_errno_name(err), strerror(err));
            if (write(out[1], line, (size_t)len) < 0)
                _exit(2);
        }
        _exit(rc == 0 ? 0 : 1);
    }
    /* Parent: keeps the write end of the jobs and the read end of the
     * lines, so that each pipe reads end of file when the other closes. */
    pl_close(jobs[0]);
    pl_close(out[1]);
    w->jobs_fd = jobs[1];
    w->out_fd = out[0];
}

/* Fail unless the worker's next line is expected. */
static void expect_line(struct worker *w, const char *expected,
                        const char *hint)
{
    char line[LINE_LEN];
    int rc = read_line(w->out_fd, line, sizeof(line), scaled_ms(WAIT_MS));

    PL_CHECK(rc != -1,
             "expected the worker to write \"%s\" within %d ms, but it "
             "wrote no full line: %s",
             expected, scaled_ms(WAIT_MS), hint);
    PL_CHECK(rc != 0,
             "expected the worker to write \"%s\", but it closed its "
             "output first (it exited): %s",
             expected, hint);
    if (strncmp(line, "sg_worker returned", 18) == 0)
        PL_FAIL("expected the worker to write \"%s\", got \"%s\": %s",
                expected, line,
                strstr(line, "ENOSYS") ? "is it still the starter stub?"
                                       : hint);
    PL_CHECK(strcmp(line, expected) == 0,
             "expected the worker to write \"%s\", got \"%s\": %s", expected,
             line, hint);
}

/* Fail unless the worker closes its output with no further line. */
static void expect_end_of_output(struct worker *w)
{
    char line[LINE_LEN];
    int rc = read_line(w->out_fd, line, sizeof(line), scaled_ms(WAIT_MS));

    PL_CHECK(rc != -1,
             "expected the worker to exit after \"done ...\", but its "
             "output was still open %d ms later: return from sg_worker() "
             "once the cleanup line is written",
             scaled_ms(WAIT_MS));
    PL_CHECK(rc == 0,
             "expected no more output after \"done ...\", got \"%s\": the "
             "cleanup line is the worker's last",
             line);
}

static void send_int(struct worker *w, int value)
{
    ssize_t n = write(w->jobs_fd, &value, sizeof(value));

    PL_CHECK(n == (ssize_t)sizeof(value),
             "could not send %d to the worker: %s (%s). The worker closed "
             "its jobs descriptor or exited before reading its jobs",
             value, pl_errno_name(errno), strerror(errno));
}

/* Wait until the worker sleeps, which it does only inside read(). */
static void wait_until_asleep(struct worker *w, const char *where)
{
    PL_CHECK(pl_proc_wait_state(w->pid, 'S', scaled_ms(WAIT_MS)) == 0,
             "expected the worker to block in read() %s, but it was not "
             "asleep within %d ms (%s): it should wait in a plain blocking "
             "read(), not poll for data in a loop",
             where, scaled_ms(WAIT_MS), pl_errno_name(errno));
}

/* Reap the worker, which should exit on its own; returns its status. */
static int reap_worker(struct worker *w, const char *after)
{
    int status;

    if (pl_proc_wait_state(w->pid, 'Z', scaled_ms(WAIT_MS)) == -1 &&
        errno == ETIMEDOUT) {
        kill(w->pid, SIGKILL);
        pl_waitpid(w->pid, &status, 0);
        PL_FAIL("the worker was still running %d ms after %s, and the "
                "test killed it: sg_worker() should return after writing "
                "its cleanup line",
                scaled_ms(WAIT_MS), after);
    }
    pl_waitpid(w->pid, &status, 0);
    return status;
}

static void close_worker_pipes(struct worker *w)
{
    pl_close(w->jobs_fd);
    pl_close(w->out_fd);
}

/* Fail unless the PID file exists and contains the worker's PID. */
static void check_pidfile(struct worker *w)
{
    char text[32] = "";
    int fd = open(PIDFILE, O_RDONLY | O_CLOEXEC);
    size_t got;

    PL_CHECK(fd != -1,
             "expected the worker to have created its PID file %s before "
             "writing \"ready\", but opening it failed: %s (%s)",
             PIDFILE, pl_errno_name(errno), strerror(errno));
    got = pl_read_full(fd, text, sizeof(text) - 1);
    pl_close(fd);
    text[got] = '\0';
    PL_CHECK(atoi(text) == (int)w->pid,
             "expected the PID file to contain the worker's PID %d, got "
             "\"%s\": write getpid() and a newline into it",
             (int)w->pid, text);
}

static const char *const ready_hint =
    "sg_worker() should create its PID file, install the SIGTERM handler "
    "and then write \"ready\\n\" to out_fd";
static const char *const unit_hint =
    "for each job, read an int a, write \"start N\\n\", read an int b, and "
    "write \"result N SUM\\n\" with SUM = a + b";

PL_TEST(test_term_handler_installed_without_restart)
{
    struct sigaction sa;
    int rc, err;

    sg_stop_requested = 0;
    rc = sg_install_term_handler();
    err = errno;
    PL_CHECK(rc == 0,
             "expected sg_install_term_handler() to return 0, got %d "
             "(errno %s, %s): %s",
             rc, pl_errno_name(err), strerror(err), failure_hint(err));
    if (sigaction(SIGTERM, NULL, &sa) == -1)
        PL_FAIL("test: sigaction(SIGTERM, NULL) failed: %s",
                pl_errno_name(errno));
    PL_CHECK(!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == sg_on_term,
             "expected SIGTERM's handler to be sg_on_term after "
             "sg_install_term_handler(), but it is %s: set sa_handler to "
             "sg_on_term and pass the struct to sigaction(SIGTERM, ...)",
             sa.sa_handler == SIG_DFL   ? "SIG_DFL"
             : sa.sa_handler == SIG_IGN ? "SIG_IGN"
                                        : "another function");
    PL_CHECK(!(sa.sa_flags & SA_RESTART),
             "expected no SA_RESTART in SIGTERM's sa_flags, but it is set: "
             "with it a read() blocked when SIGTERM comes is restarted, so "
             "a worker waiting for its next job never sees the flag. "
             "signal() sets SA_RESTART on glibc; use sigaction() with "
             "sa_flags = 0");
    PL_CHECK(!(sa.sa_flags & SA_RESETHAND),
             "expected no SA_RESETHAND in SIGTERM's sa_flags, but it is "
             "set: it puts back the default action after the first "
             "signal, so a second SIGTERM would kill the worker before it "
             "cleans up");
    raise(SIGTERM);
    PL_CHECK(sg_stop_requested == 1,
             "expected sg_stop_requested == 1 after raise(SIGTERM), got "
             "%d: sg_on_term must set it to 1",
             (int)sg_stop_requested);
}

PL_TEST(test_sigterm_in_unit_lets_worker_finish)
{
    struct worker w;
    int status;
    char status_text[128];

    ignore_sigpipe();
    start_worker(&w);
    expect_line(&w, "ready", ready_hint);
    check_pidfile(&w);
    send_int(&w, 10);
    send_int(&w, 20);
    expect_line(&w, "start 1", unit_hint);
    expect_line(&w, "result 1 30", unit_hint);

    /* Unit 2 starts; the worker now blocks reading its second int, and
     * SIGTERM comes while it is there. */
    send_int(&w, 5);
    expect_line(&w, "start 2", unit_hint);
    wait_until_asleep(&w, "waiting for the second int of unit 2");
    if (kill(w.pid, SIGTERM) == -1)
        PL_FAIL("test: kill(%d, SIGTERM) failed: %s", (int)w.pid,
                pl_errno_name(errno));
    /* Send b only once the signal has interrupted the read(): were b
     * already in the pipe when the worker next runs, read() would return
     * it instead of failing with EINTR. */
    PL_CHECK(wait_until_delivered(w.pid, SIGTERM, scaled_ms(WAIT_MS)) == 0,
             "expected the worker to take delivery of SIGTERM within %d "
             "ms, but it was still pending: does the worker block "
             "SIGTERM?",
             scaled_ms(WAIT_MS));
    /* A worker that gave up the unit has closed the jobs pipe, so the
     * write fails with EPIPE. The next check then shows its last line. */
    if (write(w.jobs_fd, &(int){7}, sizeof(int)) == -1 && errno != EPIPE)
        PL_FAIL("test: write(jobs) failed: %s", pl_errno_name(errno));
    expect_line(&w, "result 2 12",
                "SIGTERM came while the worker was inside unit 2, and a "
                "graceful stop finishes the unit it started. The read() "
                "that the signal interrupted fails with EINTR: retry it "
                "(pl_read_full() does) instead of giving up the unit");
    expect_line(&w, "done 2 units, cleaned up",
                "after the unit in which SIGTERM came, the worker should "
                "see sg_stop_requested, start no new unit, remove its PID "
                "file and write this line");
    expect_end_of_output(&w);
    status = reap_worker(&w, "its cleanup line");
    close_worker_pipes(&w);
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "expected the worker to exit with code 0 after a graceful "
             "stop, but it %s",
             pl_describe_status(status, status_text, sizeof(status_text)));
    PL_CHECK(access(PIDFILE, F_OK) == -1,
             "expected the PID file %s to be gone after the cleanup, but "
             "it still exists: remove it with unlink() before writing the "
             "\"done\" line",
             PIDFILE);
}

PL_TEST(test_sigterm_wakes_idle_worker)
{
    struct worker w;
    char line[LINE_LEN];
    char status_text[128];
    int rc, status;

    ignore_sigpipe();
    start_worker(&w);
    expect_line(&w, "ready", ready_hint);
    send_int(&w, 1);
    send_int(&w, 2);
    expect_line(&w, "start 1", unit_hint);
    expect_line(&w, "result 1 3", unit_hint);
    send_int(&w, 3);
    send_int(&w, 4);
    expect_line(&w, "start 2", unit_hint);
    expect_line(&w, "result 2 7", unit_hint);

    /* No job is coming: the worker is asleep waiting for one. */
    wait_until_asleep(&w, "waiting for the first int of unit 3");
    if (kill(w.pid, SIGTERM) == -1)
        PL_FAIL("test: kill(%d, SIGTERM) failed: %s", (int)w.pid,
                pl_errno_name(errno));
    rc = read_line(w.out_fd, line, sizeof(line), scaled_ms(STOP_WAIT_MS));
    if (rc == -1) {
        /* End of file on the jobs lets a worker that slept through the
         * signal stop, so that it can be reaped. */
        pl_close(w.jobs_fd);
        while (read_line(w.out_fd, line, sizeof(line), scaled_ms(WAIT_MS)) ==
               1)
            ;
        reap_worker(&w, "the end of its jobs");
        pl_close(w.out_fd);
        PL_FAIL("the worker was blocked in read() waiting for its next job "
                "when SIGTERM came, and %d ms later it had still not "
                "stopped. Either the read() was restarted after the "
                "handler, which SA_RESTART does (and signal() sets it), or "
                "the worker went back to read() without checking "
                "sg_stop_requested. Install the handler with sigaction() "
                "and sa_flags = 0, so that read() fails with EINTR, and "
                "check the flag before each new unit",
                scaled_ms(STOP_WAIT_MS));
    }
    PL_CHECK(rc == 1 && strcmp(line, "done 2 units, cleaned up") == 0,
             "expected \"done 2 units, cleaned up\" after SIGTERM woke the "
             "idle worker, got %s%s%s: a read() that fails with EINTR while "
             "the worker waits for a job means a signal came, so go back to "
             "the check of sg_stop_requested, then clean up",
             rc == 1 ? "\"" : "", rc == 1 ? line : "end of file",
             rc == 1 ? "\"" : "");
    expect_end_of_output(&w);
    status = reap_worker(&w, "its cleanup line");
    close_worker_pipes(&w);
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "expected the worker to exit with code 0 after a graceful "
             "stop, but it %s",
             pl_describe_status(status, status_text, sizeof(status_text)));
    PL_CHECK(access(PIDFILE, F_OK) == -1,
             "expected the PID file %s to be gone after the cleanup, but "
             "it still exists",
             PIDFILE);
}

PL_TEST(test_sigkill_leaves_no_cleanup)
{
    struct worker w;
    char line[LINE_LEN];
    char status_text[128];
    int status;
    int saw_done = 0;

    ignore_sigpipe();
    start_worker(&w);
    expect_line(&w, "ready", ready_hint);
    send_int(&w, 1);
    expect_line(&w, "start 1", unit_hint);
    if (kill(w.pid, SIGKILL) == -1)
        PL_FAIL("test: kill(%d, SIGKILL) failed: %s", (int)w.pid,
                pl_errno_name(errno));
    while (read_line(w.out_fd, line, sizeof(line), scaled_ms(WAIT_MS)) == 1)
        if (strncmp(line, "done", 4) == 0)
            saw_done = 1;
    status = reap_worker(&w, "SIGKILL");
    close_worker_pipes(&w);
    PL_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
             "expected the worker to be killed by SIGKILL, but it %s: "
             "SIGKILL cannot be caught, blocked or ignored",
             pl_describe_status(status, status_text, sizeof(status_text)));
    PL_CHECK(!saw_done,
             "expected no \"done\" line from a worker killed by SIGKILL, "
             "but it wrote one: the kernel ends the process without "
             "running any of its code");
    PL_CHECK(access(PIDFILE, F_OK) == 0,
             "expected the PID file %s to be left behind by a worker killed "
             "with SIGKILL, but it does not exist (%s): sg_worker() should "
             "create it in its current directory before writing \"ready\"",
             PIDFILE, pl_errno_name(errno));
}

/* --- Step 2: reaping from a SIGCHLD handler ----------------------------- */

/* Fork count children that exit at once with codes first_code + i. */
static void fork_exiting_children(pid_t *pids, int count, int first_code)
{
    for (int i = 0; i < count; i++) {
        pids[i] = pl_fork();
        if (pids[i] == 0) {
            /* Child: ends at once, to become a zombie. */
            _exit(first_code + i);
        }
    }
    for (int i = 0; i < count; i++)
        wait_for_zombie(pids[i]);
}

/* Index of pid in sg_reaped, or -1 when the handler did not record it. */
static int find_reaped(pid_t pid)
{
    for (int i = 0; i < sg_reaped_count && i < SG_MAX_REAPED; i++)
        if (sg_reaped[i].pid == pid)
            return i;
    return -1;
}

/*
 * Put SIGCHLD back to its default and reap whichever of pids the handler
 * left, so that a failing test leaves no zombie. Returns how many it
 * reaped.
 */
static int reap_leftovers(const pid_t *pids, int count)
{
    int left = 0;

    install_handler(SIGCHLD, SIG_DFL, 0);
    for (int i = 0; i < count; i++) {
        int status;

        if (waitpid(pids[i], &status, WNOHANG) == pids[i])
            left++;
    }
    return left;
}

PL_TEST(test_one_sigchld_reaps_every_child)
{
    enum { CHILDREN = 3, FIRST_CODE = 20 };
    pid_t pids[CHILDREN];
    struct sigaction sa;
    int rc, err, reaped, left;

    sg_reaped_count = 0;
    rc = sg_install_child_handler();
    err = errno;
    PL_CHECK(rc == 0,
             "expected sg_install_child_handler() to return 0, got %d "
             "(errno %s, %s): %s",
             rc, pl_errno_name(err), strerror(err), failure_hint(err));
    if (sigaction(SIGCHLD, NULL, &sa) == -1)
        PL_FAIL("test: sigaction(SIGCHLD, NULL) failed: %s",
                pl_errno_name(errno));
    PL_CHECK(!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == sg_on_child,
             "expected SIGCHLD's handler to be sg_on_child after "
             "sg_install_child_handler(), but it is not: set sa_handler to "
             "sg_on_child and pass the struct to sigaction(SIGCHLD, ...)");

    /* While SIGCHLD is blocked the three exits leave one pending SIGCHLD,
     * which is delivered before sigprocmask(SIG_UNBLOCK) returns. */
    change_mask(SIG_BLOCK, SIGCHLD);
    fork_exiting_children(pids, CHILDREN, FIRST_CODE);
    change_mask(SIG_UNBLOCK, SIGCHLD);
    reaped = sg_reaped_count;
    left = reap_leftovers(pids, CHILDREN);

    PL_CHECK(reaped > 0,
             "expected sg_on_child to reap the %d children that had "
             "exited, but it recorded none in sg_reaped (%d left as "
             "zombies): is it still the starter stub? Call waitpid() in the "
             "handler and record each child it returns",
             CHILDREN, left);
    PL_CHECK(reaped >= CHILDREN && left == 0,
             "expected one SIGCHLD to reap all %d children that had "
             "exited, but the handler recorded %d and left %d as zombies: "
             "standard signals do not queue, so one SIGCHLD can stand for "
             "several children. Loop on waitpid(-1, &status, WNOHANG) until "
             "it returns 0 or -1",
             CHILDREN, reaped, left);
    PL_CHECK(reaped == CHILDREN,
             "expected %d entries in sg_reaped for %d children, got %d: "
             "record a child only when waitpid() returns a PID above 0",
             CHILDREN, CHILDREN, reaped);
    for (int i = 0; i < CHILDREN; i++) {
        int at = find_reaped(pids[i]);
        int status;

        PL_CHECK(at >= 0,
                 "expected child %d in sg_reaped, but it is missing: store "
                 "the PID that waitpid() returned",
                 (int)pids[i]);
        status = sg_reaped[at].status;
        PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == FIRST_CODE + i,
                 "expected sg_reaped[%d].status to be the waitpid() status "
                 "of child %d, which exited with code %d, got 0x%x: store "
                 "the status waitpid() filled in",
                 at, (int)pids[i], FIRST_CODE + i, (unsigned)status);
    }
}

PL_TEST(test_sigchld_handler_leaves_running_children)
{
    enum { EXITED = 2 };
    pid_t pids[EXITED + 1];
    pid_t running;
    int hold[2];
    unsigned alarm_s = (unsigned)(pl_test_scale() + 0.999);
    long long start, stuck_ms;
    int reaped, running_reaped, status;

    sg_reaped_count = 0;
    install_handler(SIGCHLD, sg_on_child, SA_RESTART | SA_NOCLDSTOP);
    change_mask(SIG_BLOCK, SIGCHLD);
    fork_exiting_children(pids, EXITED, 0);

    pl_pipe(hold);
    running = pl_fork();
    if (running == 0) {
        /* Child: runs until the test closes the pipe. Its alarm ends it
         * if the test is stuck in a handler that waits for it. */
        char c;

        pl_close(hold[1]);
        alarm(alarm_s > 0 ? alarm_s : 1);
        while (read(hold[0], &c, 1) == -1 && errno == EINTR)
            ;
        _exit(0);
    }
    pl_close(hold[0]);
    pids[EXITED] = running;

    start = pl_now_ms();
    change_mask(SIG_UNBLOCK, SIGCHLD);
    stuck_ms = pl_now_ms() - start;
    reaped = sg_reaped_count;
    running_reaped = find_reaped(running) >= 0;

    install_handler(SIGCHLD, SIG_DFL, 0);
    pl_close(hold[1]);
    if (!running_reaped)
        pl_waitpid(running, &status, 0);
    reap_leftovers(pids, EXITED);

    PL_CHECK(reaped > 0,
             "expected sg_on_child to reap the %d children that had "
             "exited, but it recorded none: is it still the starter stub?",
             EXITED);
    PL_CHECK(!running_reaped,
             "sg_on_child waited for child %d, which was still running, "
             "and the program was stuck in the handler for %lld ms until "
             "that child's own alarm ended it: without WNOHANG, waitpid() "
             "blocks until some child ends. Pass WNOHANG, so that the loop "
             "stops when only running children are left",
             (int)running, stuck_ms);
    PL_CHECK(reaped == EXITED,
             "expected the handler to reap the %d children that had exited "
             "and leave the running one alone, but it recorded %d: loop on "
             "waitpid(-1, &status, WNOHANG) until it returns 0 or -1",
             EXITED, reaped);
}

PL_TEST(test_sigchld_handler_keeps_errno)
{
    enum { CHILDREN = 2 };
    pid_t pids[CHILDREN];
    int seen, reaped;

    sg_reaped_count = 0;
    install_handler(SIGCHLD, sg_on_child, SA_RESTART | SA_NOCLDSTOP);
    change_mask(SIG_BLOCK, SIGCHLD);
    fork_exiting_children(pids, CHILDREN, 0);

    /* The handler runs inside this sigprocmask(), between the store to
     * errno and the read of it. A successful sigprocmask() leaves errno
     * alone. */
    errno = EDOM;
    change_mask(SIG_UNBLOCK, SIGCHLD);
    seen = errno;
    reaped = sg_reaped_count;
    reap_leftovers(pids, CHILDREN);

    PL_CHECK(reaped == CHILDREN,
             "expected sg_on_child to reap the %d children that had "
             "exited, but it recorded %d: %s",
             CHILDREN, reaped,
             reaped == 0 ? "is it still the starter stub?"
                         : "loop on waitpid(-1, &status, WNOHANG)");
    PL_CHECK(seen == EDOM,
             "expected errno to stay EDOM, the value the interrupted code "
             "had set, after sg_on_child ran, but it was %s (%s): the "
             "handler's last waitpid() fails with ECHILD and overwrites "
             "errno under the interrupted code. Save errno on entry and "
             "restore it before returning",
             pl_errno_name(seen), strerror(seen));
}

PL_TEST(test_handlers_call_only_safe_functions)
{
    enum { CHILDREN = 2 };
    pid_t pids[CHILDREN];
    struct trap t;
    int reaped;

    /* The handlers are called directly here, as the kernel would call
     * them, with no signal involved. */
    sg_stop_requested = 0;
    trap_begin(&t);
    sg_on_term(SIGTERM);
    trap_end(&t);
    PL_CHECK(sg_stop_requested == 1,
             "expected sg_on_term(SIGTERM) to set sg_stop_requested to 1, "
             "got %d: is it still the starter stub?",
             (int)sg_stop_requested);
    check_trap("sg_on_term", &t);

    /* SIGCHLD keeps its default action, so nothing reaps the zombies but
     * the direct call below. */
    fork_exiting_children(pids, CHILDREN, 0);
    sg_reaped_count = 0;
    trap_begin(&t);
    sg_on_child(SIGCHLD);
    trap_end(&t);
    reaped = sg_reaped_count;
    reap_leftovers(pids, CHILDREN);
    PL_CHECK(reaped == CHILDREN,
             "expected sg_on_child(SIGCHLD) to reap the %d zombie children, "
             "but it recorded %d: %s",
             CHILDREN, reaped,
             reaped == 0 ? "is it still the starter stub?"
                         : "loop on waitpid(-1, &status, WNOHANG)");
    check_trap("sg_on_child", &t);
}

/* --- Step 3: waiting without a race ------------------------------------- */

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen = 1;
}

/* Install on_usr1 in a child of pl_run(), where PL_FAIL cannot be used. */
static int child_install_usr1(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) == -1) {
        printf("test setup: sigaction(SIGUSR1) failed: %s\n",
               pl_errno_name(errno));
        return -1;
    }
    usr1_seen = 0;
    return 0;
}

struct window {
    int sent; /* the signal was sent, from the first check */
};

/*
 * The done() of the window test: it reads the flag, and the first time it
 * then sends SIGUSR1 to its own process. The signal thus arrives after
 * the check and before whatever wait comes next, every time.
 */
static int check_then_signal(void *arg)
{
    struct window *w = arg;
    int seen = usr1_seen;

    if (!w->sent) {
        w->sent = 1;
        kill(getpid(), SIGUSR1);
    }
    return seen;
}

static int flag_is_set(void *arg)
{
    (void)arg;
    return usr1_seen;
}

/* Report a failed sg_wait_until() from a child; returns its exit code. */
static int child_report_failure(int err)
{
    printf("sg_wait_until returned -1 with errno %s (%s)%s\n",
           pl_errno_name(err), strerror(err),
           err == ENOSYS ? ": is it still the starter stub?" : "");
    return 1;
}

/* Child of the window test: wait with the signal sent inside done(). */
static int run_wait_in_window(void *arg)
{
    struct window w = {0};

    (void)arg;
    if (child_install_usr1() == -1)
        return 3;
    if (sg_wait_until(SIGUSR1, check_then_signal, &w) != 0)
        return child_report_failure(errno);
    if (!usr1_seen) {
        printf("sg_wait_until returned before the handler ran: it must "
               "wait until done() returns non-zero\n");
        return 2;
    }
    return 0;
}

/* Child: the caller blocks SIGINT, which must stay blocked, alone. */
static int run_wait_keeps_mask(void *arg)
{
    struct window w = {0};
    sigset_t set;

    (void)arg;
    if (child_install_usr1() == -1)
        return 3;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (sg_wait_until(SIGUSR1, check_then_signal, &w) != 0)
        return child_report_failure(errno);
    sigprocmask(SIG_BLOCK, NULL, &set);
    if (sigismember(&set, SIGUSR1)) {
        printf("SIGUSR1 was still blocked after sg_wait_until returned, "
               "but the caller had not blocked it: restore the mask that "
               "sigprocmask() returned as the old one\n");
        return 2;
    }
    if (!sigismember(&set, SIGINT)) {
        printf("SIGINT was no longer blocked after sg_wait_until "
               "returned, but the caller had blocked it: restore the "
               "caller's whole mask, not an empty one\n");
        return 2;
    }
    return 0;
}

/* Child: the caller has SIGUSR1 blocked and pending before the call. */
static int run_wait_pending(void *arg)
{
    sigset_t set;

    (void)arg;
    if (child_install_usr1() == -1)
        return 3;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    if (sg_wait_until(SIGUSR1, flag_is_set, NULL) != 0)
        return child_report_failure(errno);
    sigprocmask(SIG_BLOCK, NULL, &set);
    if (!sigismember(&set, SIGUSR1)) {
        printf("SIGUSR1 was unblocked after sg_wait_until returned, but "
               "the caller had blocked it: restore the caller's mask\n");
        return 2;
    }
    return 0;
}

/* Fail unless the child of pl_run() returned in time with exit code 0. */
static void check_wait_child(struct pl_run_result *r, int deadline_ms,
                             const char *hang_hint)
{
    char status_text[128];
    char printed[LINE_LEN];
    size_t len = r->output_len;

    /* Drop the last newline, which would show as \n at the end. */
    if (len > 0 && r->output[len - 1] == '\n')
        len--;
    make_printable(r->output, len, printed, sizeof(printed));
    PL_CHECK(!r->timed_out,
             "sg_wait_until did not return within %d ms: %s", deadline_ms,
             hang_hint);
    PL_CHECK(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
             "the process that called sg_wait_until %s: %s",
             pl_describe_status(r->status, status_text, sizeof(status_text)),
             printed[0] ? printed : "it printed nothing");
}

PL_TEST(test_signal_between_check_and_wait)
{
    struct pl_run_result r;
    int deadline = scaled_ms(WAIT_MS);
    long long elapsed;

    pl_run(run_wait_in_window, NULL, deadline, &r);
    elapsed = r.elapsed_ms;
    check_wait_child(&r, deadline,
                     "SIGUSR1 came after the check of done() and before the "
                     "wait (the test sends it from inside done()). A "
                     "signal handled there is gone before pause() starts, "
                     "and pause() then sleeps forever. Block sig first, so "
                     "that it stays pending, and wait with sigsuspend(), "
                     "which unblocks it and sleeps in one step");
    pl_run_free(&r);
    PL_CHECK(elapsed < scaled_ms(WAKE_LIMIT_MS),
             "sg_wait_until took %lld ms to return after the signal came: "
             "sigsuspend() returns as soon as the handler has run, while "
             "a loop with sleep() waits a full second each turn",
             elapsed);
}

PL_TEST(test_wait_restores_caller_mask)
{
    struct pl_run_result r;
    int deadline = scaled_ms(WAIT_MS);

    pl_run(run_wait_keeps_mask, NULL, deadline, &r);
    check_wait_child(&r, deadline,
                     "the signal came after the check and before the "
                     "wait: block sig first and wait with sigsuspend()");
    pl_run_free(&r);

    pl_run(run_wait_pending, NULL, deadline, &r);
    check_wait_child(&r, deadline,
                     "the caller had SIGUSR1 blocked, and it was pending "
                     "before the call. sigsuspend() with the caller's "
                     "mask keeps it blocked, so the sleep never ends: "
                     "pass the caller's mask with sig removed "
                     "(sigdelset())");
    pl_run_free(&r);
}

/* --- Step 4: fork and exec ------------------------------------------- */

/*
 * Read this process's masks with the test's own parser. A test starts
 * with every signal at its default action, except those the C library
 * keeps for itself (32 and 33 with glibc), which it cannot change and which
 * may be ignored when the grader was started that way. So the tests
 * expect this baseline plus their own changes.
 */
static void read_baseline(struct sg_masks *m)
{
    char text[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    size_t got;

    if (fd == -1)
        PL_FAIL("test setup: open(/proc/self/status) failed: %s",
                pl_errno_name(errno));
    got = pl_read_full(fd, text, sizeof(text) - 1);
    pl_close(fd);
    text[got] = '\0';
    if (!find_mask(text, "SigBlk:", &m->blocked) ||
        !find_mask(text, "SigIgn:", &m->ignored) ||
        !find_mask(text, "SigCgt:", &m->caught))
        PL_FAIL("test setup: /proc/self/status has no SigBlk, SigIgn or "
                "SigCgt line");
}

/* A mask as 16 hex digits, as /proc shows it, for messages. */
static const char *hex_mask(uint64_t mask, char *buf, size_t len)
{
    snprintf(buf, len, "%016llx", (unsigned long long)mask);
    return buf;
}

/* The likely cause of sg_read_masks() storing got instead of expected. */
static const char *mask_hint(uint64_t got, uint64_t expected)
{
    if (got == (expected & 0xffffffffu))
        return "only the low 32 bits arrived: keep all 64 bits, with "
               "strtoull(text, &end, 16) into a uint64_t";
    if (got == 0x7fffffffffffffffu)
        return "that is LONG_MAX, what strtol() returns when the number "
               "is too large: use strtoull()";
    return "parse the 16 hex digits after the \"SigBlk:\", \"SigIgn:\" or "
           "\"SigCgt:\" key with strtoull(text, &end, 16)";
}

static void check_mask(const char *field, const char *line, uint64_t got,
                       uint64_t expected, const char *hint)
{
    char got_hex[20], expected_hex[20];

    PL_CHECK(got == expected,
             "expected %s (the %s line) to be %s, got %s: %s", field, line,
             hex_mask(expected, expected_hex, sizeof(expected_hex)),
             hex_mask(got, got_hex, sizeof(got_hex)), hint);
}

PL_TEST(test_read_masks_of_own_process)
{
    struct sg_masks m = {0xdead, 0xdead, 0xdead};
    struct sg_masks want;
    int rc, err;

    read_baseline(&want);
    install_handler(SIGUSR1, on_usr1, 0);
    install_handler(SIGRTMIN + 4, on_usr1, 0);
    install_handler(SIGUSR2, SIG_IGN, 0);
    install_handler(SIGRTMIN + 3, SIG_IGN, 0);
    change_mask(SIG_BLOCK, SIGINT);
    change_mask(SIG_BLOCK, SIGRTMAX);
    want.blocked |= SG_SIGBIT(SIGINT) | SG_SIGBIT(SIGRTMAX);
    want.ignored |= SG_SIGBIT(SIGUSR2) | SG_SIGBIT(SIGRTMIN + 3);
    want.caught |= SG_SIGBIT(SIGUSR1) | SG_SIGBIT(SIGRTMIN + 4);

    rc = sg_read_masks(0, &m);
    err = errno;
    PL_CHECK(rc == 0,
             "expected sg_read_masks(0, &m) to return 0, got %d (errno %s, "
             "%s): %s",
             rc, pl_errno_name(err), strerror(err),
             err == ENOSYS ? "is it still the starter stub?"
             : err == EIO
                 ? "EIO means a line was missing or not a number. SigBlk "
                   "has bit 63 set here (SIGRTMAX), which is more than "
                   "strtol() returns: use strtoull(text, &end, 16)"
                 : "pid 0 means /proc/self/status");
    check_mask("m.blocked", "SigBlk", m.blocked, want.blocked,
               mask_hint(m.blocked, want.blocked));
    check_mask("m.ignored", "SigIgn", m.ignored, want.ignored,
               mask_hint(m.ignored, want.ignored));
    check_mask("m.caught", "SigCgt", m.caught, want.caught,
               mask_hint(m.caught, want.caught));
}

PL_TEST(test_forked_child_keeps_handlers_and_mask)
{
    struct sg_masks m = {0xdead, 0xdead, 0xdead};
    struct sg_masks want;
    int hold[2];
    pid_t child;
    int rc, err, status;

    read_baseline(&want);
    want.caught |= SG_SIGBIT(SIGUSR1);
    want.ignored |= SG_SIGBIT(SIGUSR2);
    want.blocked |= SG_SIGBIT(SIGINT);
    install_handler(SIGUSR1, on_usr1, 0);
    install_handler(SIGUSR2, SIG_IGN, 0);
    change_mask(SIG_BLOCK, SIGINT);
    pl_pipe(hold);
    child = pl_fork();
    if (child == 0) {
        /* Child: waits, unchanged since fork, until the test closes the
         * pipe. */
        char c;

        pl_close(hold[1]);
        while (read(hold[0], &c, 1) == -1 && errno == EINTR)
            ;
        _exit(0);
    }
    pl_close(hold[0]);
    /* After fork each process has a mask of its own: blocking SIGHUP
     * here leaves the child's mask as it was. */
    change_mask(SIG_BLOCK, SIGHUP);

    rc = sg_read_masks(child, &m);
    err = errno;
    pl_close(hold[1]);
    pl_waitpid(child, &status, 0);
    PL_CHECK(rc == 0,
             "expected sg_read_masks(%d, &m) for a running child to return "
             "0, got %d (errno %s, %s): %s",
             (int)child, rc, pl_errno_name(err), strerror(err),
             err == ENOSYS ? "is it still the starter stub?"
                           : "open /proc/PID/status with the pid given");
    check_mask("the child's blocked", "SigBlk", m.blocked, want.blocked,
               m.blocked & SG_SIGBIT(SIGHUP)
                   ? "SIGHUP is in it, but only the test process blocked "
                     "SIGHUP, after fork: read /proc/PID/status of the pid "
                     "given, not /proc/self/status"
                   : "a child starts with its parent's mask");
    check_mask("the child's caught", "SigCgt", m.caught, want.caught,
               "a child starts with its parent's handlers, because fork "
               "copies the handler code along with the rest of memory");
    check_mask("the child's ignored", "SigIgn", m.ignored, want.ignored,
               "a child starts with the signals its parent ignores");
}

/*
 * Read everything from fd until end of file, at most len - 1 bytes, for
 * at most timeout_ms. Returns the bytes read, or -1 at the deadline.
 */
static ssize_t read_all(int fd, char *buf, size_t len, int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;
    size_t used = 0;

    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        long long left = deadline - pl_now_ms();
        ssize_t n;
        int ready;

        ready = poll(&p, 1, left > 0 ? (int)left : 0);
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready <= 0)
            return -1;
        n = read(fd, buf + used, len - 1 - used);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0 || used + (size_t)n == len - 1) {
            used += n > 0 ? (size_t)n : 0;
            buf[used] = '\0';
            return (ssize_t)used;
        }
        used += (size_t)n;
    }
}

PL_TEST(test_exec_resets_handlers_keeps_ignored_and_blocked)
{
    struct sg_exec_setup setup = {SIGUSR2, SIGINT};
    char usr1[8], usr2[8], sigint[8];
    char *argv[] = {(char *)pl_test_program("show_signals"), usr1, usr2,
                    sigint, NULL};
    char output[2048];
    char printed[LINE_LEN];
    char status_text[128];
    struct sigaction sa;
    struct sg_masks m;
    struct sg_masks want;
    int out[2];
    pid_t pid;
    ssize_t got;
    int err, status, found;

    read_baseline(&want);
    snprintf(usr1, sizeof(usr1), "%d", SIGUSR1);
    snprintf(usr2, sizeof(usr2), "%d", SIGUSR2);
    snprintf(sigint, sizeof(sigint), "%d", SIGINT);
    /* The child inherits this handler through fork; exec must reset it. */
    install_handler(SIGUSR1, on_usr1, 0);

    pl_pipe(out);
    pid = PL_CALL(sg_exec_with_signals(&setup, argv, out[1]));
    err = errno;
    pl_close(out[1]);
    if (pid == -1) {
        pl_close(out[0]);
        PL_FAIL("expected sg_exec_with_signals() to return the child's "
                "PID, got -1 (errno %s, %s): %s",
                pl_errno_name(err), strerror(err), failure_hint(err));
    }
    got = read_all(out[0], output, sizeof(output), scaled_ms(WAIT_MS));
    pl_close(out[0]);
    if (got == -1 ||
        pl_proc_wait_state(pid, 'Z', scaled_ms(WAIT_MS)) == -1) {
        kill(pid, SIGKILL);
        pl_waitpid(pid, &status, 0);
        PL_FAIL("the child of sg_exec_with_signals() did not finish "
                "within %d ms: it should exec the program in argv[0] "
                "right after its setup",
                scaled_ms(WAIT_MS));
    }
    pl_waitpid(pid, &status, 0);
    make_printable(output, (size_t)got, printed, sizeof(printed));

    if (sigaction(SIGUSR2, NULL, &sa) == -1)
        PL_FAIL("test: sigaction(SIGUSR2, NULL) failed: %s",
                pl_errno_name(errno));
    PL_CHECK(sa.sa_handler == SIG_DFL,
             "expected the caller's SIGUSR2 to keep its default action, "
             "but sg_exec_with_signals() changed it: ignore it in the child "
             "only, after fork");
    PL_CHECK(!is_blocked(SIGINT),
             "expected SIGINT to stay unblocked in the caller, but "
             "sg_exec_with_signals() blocked it: block it in the child "
             "only, after fork");
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "expected the program the child execs (%s) to exit with code "
             "0, but the child %s%s. It printed: %s",
             argv[0],
             pl_describe_status(status, status_text, sizeof(status_text)),
             WIFEXITED(status) && WEXITSTATUS(status) == 127
                 ? " (127: the exec failed; pass argv[0] and argv to "
                   "execv())"
                 : "",
             printed[0] ? printed : "nothing");

    found = find_mask(output, "SigBlk:", &m.blocked) &&
            find_mask(output, "SigIgn:", &m.ignored) &&
            find_mask(output, "SigCgt:", &m.caught);
    PL_CHECK(found,
             "expected the program to print its SigBlk, SigIgn and SigCgt "
             "lines on out_fd, got \"%s\": make out_fd the child's standard "
             "output with dup2(out_fd, 1) before execv()",
             printed);
    check_mask("the caught signals after exec", "SigCgt", m.caught, 0,
               "exec replaces the program and its handlers with it, so "
               "every caught signal goes back to its default action");
    check_mask("the ignored signals after exec", "SigIgn", m.ignored,
               want.ignored | SG_SIGBIT(SIGUSR2),
               "an ignored signal stays ignored across exec: the child "
               "should set setup->ignore_sig to SIG_IGN with sigaction() "
               "before execv()");
    check_mask("the blocked signals after exec", "SigBlk", m.blocked,
               want.blocked | SG_SIGBIT(SIGINT),
               "the signal mask survives exec: the child should add "
               "setup->block_sig to its mask with sigprocmask() before "
               "execv()");
}

static const struct pl_test_case tests[] = {
    {&test_term_handler_installed_without_restart,
     "the SIGTERM handler is installed without SA_RESTART", 1, "Step 1",
     TIMEOUT_S},
    {&test_sigterm_in_unit_lets_worker_finish,
     "SIGTERM inside a unit lets the worker finish it and clean up", 3,
     "Step 1", TIMEOUT_S},
    {&test_sigterm_wakes_idle_worker,
     "SIGTERM wakes a worker waiting for its next job", 2, "Step 1",
     TIMEOUT_S},
    {&test_sigkill_leaves_no_cleanup,
     "SIGKILL ends the worker with no cleanup", 1, "Step 1", TIMEOUT_S},
    {&test_one_sigchld_reaps_every_child,
     "one SIGCHLD reaps every child that has exited", 3, "Step 2",
     TIMEOUT_S},
    {&test_sigchld_handler_leaves_running_children,
     "the SIGCHLD handler does not wait for running children", 2, "Step 2",
     TIMEOUT_S},
    {&test_sigchld_handler_keeps_errno,
     "the SIGCHLD handler keeps errno", 2, "Step 2", TIMEOUT_S},
    {&test_handlers_call_only_safe_functions,
     "the handlers call no printf() and no malloc()", 2, "Step 2",
     TIMEOUT_S},
    {&test_signal_between_check_and_wait,
     "a signal between the check and the wait does not hang", 3, "Step 3",
     TIMEOUT_S},
    {&test_wait_restores_caller_mask,
     "sg_wait_until restores the caller's signal mask", 1, "Step 3",
     TIMEOUT_S},
    {&test_read_masks_of_own_process,
     "sg_read_masks reads blocked, ignored and caught signals", 2, "Step 4",
     TIMEOUT_S},
    {&test_forked_child_keeps_handlers_and_mask,
     "a forked child has its parent's handlers and mask", 1, "Step 4",
     TIMEOUT_S},
    {&test_exec_resets_handlers_keeps_ignored_and_blocked,
     "exec resets handlers but keeps ignored and blocked signals", 2,
     "Step 4", TIMEOUT_S},
};

PL_LAB("07-signals", tests)
