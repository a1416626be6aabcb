/*
 * check_wait_status.c - graded tests for Lab 06: waitpid and exit status.
 *
 * The tests make real children end in each way a child can: exit with a
 * code, killed by a signal, stopped and continued. The decoder tests feed
 * the statuses of those children to the lab's functions, never made-up
 * integers. Where the order of events matters, a child blocks on a pipe
 * until the test writes a byte to it, so the test, not the scheduler,
 * decides which child ends when.
 *
 * A child held on a pipe also ends by itself after hold_ms(), so that a
 * lab function that blocks where it should not returns in time for the
 * test to say so, instead of hanging until the test's deadline.
 *
 * The harness runs each test in a process of its own, and afterwards
 * fails it if a child was left unreaped or a descriptor open.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"
#include "wait_status.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

/* The exit code of a held child that was not released in time. */
#define HOLD_EXPIRED 99

#define TIMEOUT_S 5.0

/* How long a held child waits for its release before it ends itself. */
static int hold_ms(void)
{
    return (int)(2000 * pl_test_scale());
}

/* How long the test waits for an event that a correct function causes
 * at once, such as a released child being reaped. */
static int event_ms(void)
{
    return (int)(1000 * pl_test_scale());
}

static const char *stub_hint(int err)
{
    return err == ENOSYS ? "is it still the starter stub?"
                         : "a call inside the function failed";
}

/* --- children the test controls ---------------------------------------- */

/*
 * A child that blocks until the test writes to release_fd. The test keeps
 * the read end open too, so that releasing a child that has already given
 * up writes into the pipe instead of raising SIGPIPE in the test.
 */
struct held_child {
    pid_t pid;
    int release_fd;
    int read_fd;
};

/*
 * Start a child that ends with _exit(code) once the test releases it,
 * or with _exit(HOLD_EXPIRED) when hold_ms() pass first.
 */
static void start_held(struct held_child *h, int code)
{
    int fds[2];
    int timeout = hold_ms();

    pl_pipe(fds);
    fflush(NULL);
    h->pid = pl_fork();
    if (h->pid == 0) {
        /* Child: wait for one byte, or give up at the deadline. */
        struct pollfd p = {fds[0], POLLIN, 0};
        int ready;

        pl_close(fds[1]);
        do
            ready = poll(&p, 1, timeout);
        while (ready == -1 && errno == EINTR);
        _exit(ready == 1 ? code : HOLD_EXPIRED);
    }
    h->read_fd = fds[0];
    h->release_fd = fds[1];
}

static void release(struct held_child *h)
{
    pl_write_all(h->release_fd, "x", 1);
    pl_close(h->release_fd);
    pl_close(h->read_fd);
    h->release_fd = -1;
    h->read_fd = -1;
}

/* Wait until pid has ended but is not reaped yet, so that it is certain
 * to be the child that waitpid() reports next. */
static void wait_zombie(pid_t pid)
{
    if (pl_proc_wait_state(pid, 'Z', event_ms()) == -1)
        PL_FAIL("test setup: child %d did not end within %d ms of its "
                "release: %s (%s)",
                (int)pid, event_ms(), pl_errno_name(errno), strerror(errno));
}

static void pause_1ms(void)
{
    struct timespec ts = {0, 1000000};

    nanosleep(&ts, NULL);
}

/*
 * waitpid(pid, status, options) with a deadline: poll with WNOHANG until
 * the child reports or timeout_ms pass. Returns the PID, 0 at the
 * deadline, or -1 with errno. The tests use it on children that the lab
 * started, whose status a wrong function may already have taken.
 */
static pid_t wait_within(pid_t pid, int *status, int options, int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;

    for (;;) {
        pid_t got = waitpid(pid, status, options | WNOHANG);

        if (got != 0 || pl_now_ms() >= deadline)
            return got;
        pause_1ms();
    }
}

/*
 * Reap a child that the lab started, which should end at once. Fails the
 * test when waitpid() cannot find it or it does not end in time.
 */
static int reap_started(pid_t pid, int options, const char *child)
{
    int status = 0;
    pid_t got = wait_within(pid, &status, options, event_ms());

    if (got == -1)
        PL_FAIL("waitpid(%d) for %s failed with %s (%s): ws_start_child "
                "must return the child's PID and leave the waiting to its "
                "caller. Did it reap the child itself, or return some "
                "other PID?",
                (int)pid, child, pl_errno_name(errno), strerror(errno));
    if (got == 0) {
        struct pl_proc_stat st;
        int stopped = pl_proc_read_stat(pid, &st) == 0 && st.state == 'T';

        kill(pid, SIGKILL);
        if (stopped && (options & WUNTRACED))
            PL_FAIL("%s is stopped, but waitpid(WUNTRACED) got no report "
                    "of it within %d ms: a stop is reported only once. Did "
                    "ws_start_child wait for the child itself?",
                    child, event_ms());
        PL_FAIL("%s did not end within %d ms: the child must raise the "
                "signal or call _exit(code) at once",
                child, event_ms());
    }
    return status;
}

/*
 * A guard for lab calls that must return at once. A SIGALRM after the
 * deadline jumps out of a call stuck in a loop, for example one that
 * calls waitpid() again after ECHILD, and the test reports it.
 */
static sigjmp_buf overrun_jump;

static void on_overrun(int sig)
{
    (void)sig;
    siglongjmp(overrun_jump, 1);
}

static void arm_overrun(int timeout_ms)
{
    struct sigaction sa;
    struct itimerval timer = {{0, 0},
                              {timeout_ms / 1000, timeout_ms % 1000 * 1000}};

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_overrun;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) == -1 ||
        setitimer(ITIMER_REAL, &timer, NULL) == -1)
        PL_FAIL("test setup: arming a SIGALRM deadline failed: %s",
                strerror(errno));
}

static void disarm_overrun(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};

    setitimer(ITIMER_REAL, &off, NULL);
}

/*
 * Evaluate call, a lab call that must return at once, and fail the test
 * with a message that names it when it has not returned after hold_ms().
 * sigsetjmp() must be called here, in the frame that the jump returns to.
 */
#define WITHIN_DEADLINE(call, name)                                            \
    ({                                                                         \
        if (sigsetjmp(overrun_jump, 1) != 0)                                   \
            PL_FAIL("%s did not return within %d ms, although every child "    \
                    "it could wait for had ended: does it call waitpid() "     \
                    "again after ECHILD? Only EINTR is worth a retry",         \
                    (name), hold_ms());                                        \
        arm_overrun(hold_ms());                                                \
        __typeof__(call) within_value_ = (call);                               \
        disarm_overrun();                                                      \
        within_value_;                                                         \
    })

/* Fork a child that raises sig (unless it is 0) and then calls
 * _exit(code), and return the status it ends with. */
static int status_of_child(int sig, int code)
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = pl_fork();
    if (pid == 0) {
        if (sig != 0)
            raise(sig);
        _exit(code);
    }
    pl_waitpid(pid, &status, 0);
    return status;
}

/* The three statuses of one child: stopped by SIGSTOP, then continued,
 * then exited with code 7. */
struct stop_statuses {
    int stopped;
    int continued;
    int exited;
};

static void statuses_of_stopped_child(struct stop_statuses *s)
{
    struct held_child h;

    start_held(&h, 7);
    /* SIGSTOP from outside: the child may not have reached poll() yet,
     * which does not matter, because SIGSTOP stops it wherever it is. */
    if (kill(h.pid, SIGSTOP) == -1)
        PL_FAIL("test setup: kill(%d, SIGSTOP) failed: %s", (int)h.pid,
                strerror(errno));
    pl_waitpid(h.pid, &s->stopped, WUNTRACED);
    if (kill(h.pid, SIGCONT) == -1)
        PL_FAIL("test setup: kill(%d, SIGCONT) failed: %s", (int)h.pid,
                strerror(errno));
    /* The child is still held, so it cannot exit first and hide the
     * continued status behind its exit status. */
    pl_waitpid(h.pid, &s->continued, WCONTINUED);
    release(&h);
    pl_waitpid(h.pid, &s->exited, 0);
}

/* --- Step 1 ------------------------------------------------------------ */

/* Set in shared memory by the atexit() handler of a process other than
 * the test process: a child that called exit() instead of _exit(). */
static volatile int *exit_called;
static pid_t test_pid;

static void note_exit(void)
{
    if (getpid() != test_pid && exit_called)
        *exit_called = 1;
}

PL_TEST(test_child_ends_as_asked)
{
    static const struct {
        int sig;
        int code;
    } cases[] = {
        {0, 0},       {0, 3},       {0, 255},     {SIGKILL, 0},
        {SIGTERM, 9}, {SIGABRT, 0}, {SIGUSR1, 2}, {SIGCHLD, 4},
    };

    exit_called = mmap(NULL, sizeof(*exit_called), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (exit_called == MAP_FAILED)
        PL_FAIL("test setup: mmap() failed: %s", strerror(errno));
    test_pid = getpid();
    atexit(note_exit);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int sig = cases[i].sig;
        int code = cases[i].code;
        /* SIGCHLD is ignored by default, so that child lives to exit. */
        int exits = sig == 0 || sig == SIGCHLD;
        char child[64];
        char seen[128];
        pid_t pid;
        int status, err;

        snprintf(child, sizeof(child), "the child of ws_start_child(%d, %d)",
                 sig, code);
        *exit_called = 0;
        pid = PL_CALL(ws_start_child(sig, code));
        err = errno;
        PL_CHECK(pid > 0,
                 "expected ws_start_child(%d, %d) to return a child's PID, "
                 "got %d (errno %s): %s",
                 sig, code, (int)pid, pl_errno_name(err), stub_hint(err));
        status = reap_started(pid, 0, child);
        pl_describe_status(status, seen, sizeof(seen));
        if (exits) {
            PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == code,
                     "expected %s to exit with code %d%s, but it %s: the "
                     "child must end with _exit(code)%s",
                     child, code, sig ? " after ignoring SIGCHLD" : "", seen,
                     sig ? " when it survives raise(sig)" : "");
            PL_CHECK(!*exit_called,
                     "%s ran the caller's atexit() handlers: it called "
                     "exit(), which also flushes stdio buffers copied from "
                     "the parent. End a child with _exit()",
                     child);
        } else {
            PL_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig,
                     "expected %s to be killed by %s (signal %d), but it "
                     "%s: the child must send itself sig with raise(sig)",
                     child, pl_signal_name(sig), sig, seen);
        }
    }
    munmap((void *)exit_called, sizeof(*exit_called));
    exit_called = NULL;
}

PL_TEST(test_stopped_child_exits_when_continued)
{
    char seen[128];
    pid_t pid = PL_CALL(ws_start_child(SIGSTOP, 5));
    int err = errno;
    int status;

    PL_CHECK(pid > 0,
             "expected ws_start_child(SIGSTOP, 5) to return a child's PID, "
             "got %d (errno %s): %s",
             (int)pid, pl_errno_name(err), stub_hint(err));
    status =
        reap_started(pid, WUNTRACED, "the child of ws_start_child(SIGSTOP, 5)");
    pl_describe_status(status, seen, sizeof(seen));
    PL_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
             "expected waitpid(WUNTRACED) to report the child of "
             "ws_start_child(SIGSTOP, 5) stopped by SIGSTOP, but it %s: "
             "the child must raise(SIGSTOP) before anything else",
             seen);
    if (kill(pid, SIGCONT) == -1)
        PL_FAIL("test setup: kill(%d, SIGCONT) failed: %s", (int)pid,
                strerror(errno));
    status = reap_started(pid, 0, "the continued child");
    pl_describe_status(status, seen, sizeof(seen));
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5,
             "expected the child of ws_start_child(SIGSTOP, 5) to exit with "
             "code 5 after SIGCONT, but it %s: raise() returns once the "
             "child is continued, and the child must then call _exit(code)",
             seen);
}

PL_TEST(test_start_child_rejects_invalid)
{
    static const struct {
        int sig;
        int code;
    } cases[] = {{0, 256}, {0, -1}, {-1, 0}, {NSIG, 0}, {SIGKILL, 300}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int sig = cases[i].sig;
        int code = cases[i].code;
        pid_t pid;
        int err;

        errno = 0;
        pid = PL_CALL(ws_start_child(sig, code));
        err = errno;
        if (pid > 0)
            reap_started(pid, 0, "a child started with invalid arguments");
        PL_CHECK(pid == -1,
                 "expected ws_start_child(%d, %d) to return -1, got %d: an "
                 "exit code has 8 bits (0..255) and signals are 1..%d, so "
                 "check both before fork()",
                 sig, code, (int)pid, NSIG - 1);
        PL_CHECK(err == EINVAL,
                 "expected ws_start_child(%d, %d) to set errno to EINVAL, "
                 "got %s (%s): %s",
                 sig, code, pl_errno_name(err), strerror(err),
                 err == ENOSYS ? "is it still the starter stub?"
                               : "set errno = EINVAL before returning -1");
    }
}

/* --- Step 2 ------------------------------------------------------------ */

/* The sentence wait_status.h defines for a status. */
static void expected_sentence(int status, char *buf, size_t len)
{
    if (WIFEXITED(status)) {
        snprintf(buf, len, WS_EXITED, WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        int used = snprintf(buf, len, WS_KILLED, sig, pl_signal_name(sig));

        if (WCOREDUMP(status) && used >= 0 && (size_t)used < len)
            snprintf(buf + used, len - (size_t)used, WS_CORE_DUMPED);
    } else if (WIFSTOPPED(status)) {
        snprintf(buf, len, WS_STOPPED, WSTOPSIG(status),
                 pl_signal_name(WSTOPSIG(status)));
    } else {
        snprintf(buf, len, WS_CONTINUED);
    }
}

/* The likely cause of the decoder writing got for status. */
static const char *describe_hint(int status, const char *got)
{
    if (!WIFEXITED(status) && strncmp(got, "exited", 6) == 0)
        return "this child did not exit, so the status holds no exit "
               "code: WEXITSTATUS() means something only after "
               "WIFEXITED() is true. Test WIFEXITED(), WIFSIGNALED(), "
               "WIFSTOPPED() and WIFCONTINUED() first";
    if (WIFSIGNALED(status) && !WCOREDUMP(status) && strstr(got, "core dumped"))
        return "WCOREDUMP() is false for this status (the grader turns "
               "core files off), so the sentence must not say that core "
               "was dumped, whatever the signal";
    if (WIFSIGNALED(status) && WCOREDUMP(status) && !strstr(got, "core dumped"))
        return "WCOREDUMP() is true for this status: append "
               "WS_CORE_DUMPED";
    if (WIFCONTINUED(status))
        return "a WCONTINUED status passes WIFCONTINUED() alone; test it "
               "and write WS_CONTINUED";
    return "use the formats of wait_status.h exactly, with the number "
           "and the name that pl_signal_name() returns";
}

/* Check the decoder on one real status. ending describes how the child
 * ended. */
static void check_describe(int status, const char *ending)
{
    char want[128];
    char got[128];
    int rc, err;

    expected_sentence(status, want, sizeof(want));
    strcpy(got, "(nothing written)");
    errno = 0;
    rc = ws_describe_status(status, got, sizeof(got));
    err = errno;
    PL_CHECK(rc == 0,
             "expected ws_describe_status(0x%x) for a child that %s to "
             "return 0, got %d (errno %s): %s",
             (unsigned)status, ending, rc, pl_errno_name(err),
             err == ENOSYS ? "is it still the starter stub?"
                           : "EINVAL is only for a status that none of "
                             "the four WIF macros accepts");
    PL_CHECK(strcmp(got, want) == 0,
             "expected ws_describe_status(0x%x) for a child that %s to "
             "write \"%s\", got \"%s\": %s",
             (unsigned)status, ending, want, got, describe_hint(status, got));
}

PL_TEST(test_describe_exits_and_kills)
{
    static const int codes[] = {0, 3, 255};
    static const int sigs[] = {SIGKILL, SIGTERM, SIGSEGV, SIGABRT, SIGQUIT};
    char ending[64];

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        snprintf(ending, sizeof(ending), "called _exit(%d)", codes[i]);
        check_describe(status_of_child(0, codes[i]), ending);
    }
    /* SIGABRT and SIGQUIT dump core by default. The grader sets
     * RLIMIT_CORE to 0, and WCOREDUMP() reports whether a core was
     * written all the same. */
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        snprintf(ending, sizeof(ending), "raised %s", pl_signal_name(sigs[i]));
        check_describe(status_of_child(sigs[i], 1), ending);
    }
}

PL_TEST(test_describe_stopped_and_continued)
{
    struct stop_statuses s;

    statuses_of_stopped_child(&s);
    check_describe(s.stopped, "was stopped by SIGSTOP");
    check_describe(s.continued, "was continued by SIGCONT");
    check_describe(s.exited, "called _exit(7) after SIGCONT");
}

/* The likely cause of ws_shell_status() returning got for status. */
static const char *shell_hint(int status, int got, int err)
{
    if (got == -1 && err == ENOSYS)
        return "is it still the starter stub?";
    if (!WIFEXITED(status) && got == WEXITSTATUS(status))
        return "that is WEXITSTATUS() of a status that holds no exit "
               "code: test WIFEXITED() first";
    if (WIFSIGNALED(status) && got == WTERMSIG(status))
        return "that is the signal number: the shell adds 128 to it";
    if (WIFSTOPPED(status) && got == WSTOPSIG(status))
        return "that is the signal number: the shell adds 128 to it";
    return "the shell's $? is WEXITSTATUS() after an exit and 128 + N "
           "after signal N";
}

static void check_shell_status(int status, int want, const char *ending)
{
    int got, err;

    errno = 0;
    got = ws_shell_status(status);
    err = errno;
    PL_CHECK(got == want,
             "expected ws_shell_status(0x%x) for a child that %s to return "
             "%d, as $? in a shell, got %d: %s",
             (unsigned)status, ending, want, got, shell_hint(status, got, err));
}

PL_TEST(test_shell_status_adds_128)
{
    static const int codes[] = {0, 3, 255};
    static const int sigs[] = {SIGKILL, SIGTERM, SIGINT, SIGSEGV};
    struct stop_statuses s;
    char ending[64];
    int got, err;

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        snprintf(ending, sizeof(ending), "called _exit(%d)", codes[i]);
        check_shell_status(status_of_child(0, codes[i]), codes[i], ending);
    }
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        snprintf(ending, sizeof(ending), "was killed by %s",
                 pl_signal_name(sigs[i]));
        check_shell_status(status_of_child(sigs[i], 1), 128 + sigs[i], ending);
    }
    statuses_of_stopped_child(&s);
    check_shell_status(s.stopped, 128 + SIGSTOP, "was stopped by SIGSTOP");

    errno = 0;
    got = ws_shell_status(s.continued);
    err = errno;
    PL_CHECK(got == -1 && err == EINVAL,
             "expected ws_shell_status(0x%x) for a continued child to "
             "return -1 with errno EINVAL, got %d (errno %s): a child that "
             "continued has not ended, so there is no $? for it. %s",
             (unsigned)s.continued, got, pl_errno_name(err),
             got == 255 ? "255 is WEXITSTATUS() of a WCONTINUED status, "
                          "which is not an exit"
                        : "");
}

/* --- Step 3 ------------------------------------------------------------ */

PL_TEST(test_waitpid_waits_for_given_child)
{
    struct held_child a, b;
    int status = UNSET;
    char seen[128];
    long long start, blocked_ms;
    pid_t got;
    int err;

    start_held(&a, 3);
    start_held(&b, 4);
    release(&a);
    wait_zombie(a.pid);

    /* a has ended, b is held: waiting for b must not report a. */
    start = pl_now_ms();
    got = ws_waitpid(b.pid, &status, WNOHANG);
    err = errno;
    blocked_ms = pl_now_ms() - start;
    PL_CHECK(got != -1,
             "expected ws_waitpid(%d, WNOHANG) to return 0, got "
             "-1 (errno %s): %s",
             (int)b.pid, pl_errno_name(err), stub_hint(err));
    PL_CHECK(got != a.pid,
             "expected ws_waitpid(%d, WNOHANG) to return 0 while that child "
             "runs, got %d, another child that had ended: pass pid on to "
             "waitpid() instead of waiting for any child",
             (int)b.pid, (int)a.pid);
    PL_CHECK(got == 0,
             "expected ws_waitpid(%d, WNOHANG) to return 0 while that child "
             "runs, got %d after %lld ms: with WNOHANG waitpid() returns at "
             "once, so pass options on to it unchanged",
             (int)b.pid, (int)got, blocked_ms);

    /* Any child: a is the only one that has ended. */
    status = UNSET;
    got = ws_waitpid(-1, &status, WNOHANG);
    PL_CHECK(got == a.pid,
             "expected ws_waitpid(-1, WNOHANG) to return %d, the child that "
             "had ended, got %d: -1 means any child",
             (int)a.pid, (int)got);
    pl_describe_status(status, seen, sizeof(seen));
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3,
             "expected ws_waitpid() to store the status of a child that "
             "exited with code 3, but the stored status (0x%x) says it %s: "
             "pass the status pointer on to waitpid()",
             (unsigned)status, seen);

    /* Blocking: b ends once released, and ws_waitpid() waits for it. */
    release(&b);
    status = UNSET;
    got = ws_waitpid(b.pid, &status, 0);
    PL_CHECK(got == b.pid, "expected ws_waitpid(%d, 0) to return %d, got %d",
             (int)b.pid, (int)b.pid, (int)got);
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4,
             "expected the status of a child that exited with code 4, got "
             "0x%x",
             (unsigned)status);
}

/* Exit codes of waitpid_without_children(). */
#define NO_CHILDREN_OK 0
#define NO_CHILDREN_STUB 1
#define NO_CHILDREN_WRONG 2

/* Run in a child with no children of its own: ws_waitpid() must fail
 * with ECHILD, blocking or not. Prints what it got when it did not. */
static int waitpid_without_children(void *arg)
{
    static const int options[] = {0, WNOHANG};

    (void)arg;
    for (size_t i = 0; i < 2; i++) {
        int status;
        pid_t got;
        int err;

        errno = 0;
        got = ws_waitpid(-1, &status, options[i]);
        err = errno;
        if (got != -1 || err != ECHILD) {
            printf("ws_waitpid(-1, %s) returned %d with errno %s",
                   options[i] ? "WNOHANG" : "0", (int)got, pl_errno_name(err));
            return err == ENOSYS ? NO_CHILDREN_STUB : NO_CHILDREN_WRONG;
        }
    }
    return NO_CHILDREN_OK;
}

PL_TEST(test_waitpid_fails_without_children)
{
    struct pl_run_result r;
    int limit = event_ms();

    pl_run(waitpid_without_children, NULL, limit, &r);
    if (r.timed_out) {
        pl_run_free(&r);
        PL_FAIL("expected ws_waitpid(-1) in a process without children to "
                "fail with ECHILD, but it was still running after %d ms: "
                "retry waitpid() on EINTR only, because ECHILD comes back "
                "every time",
                limit);
    }
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != NO_CHILDREN_OK) {
        int stub =
            WIFEXITED(r.status) && WEXITSTATUS(r.status) == NO_CHILDREN_STUB;
        char seen[1024];

        snprintf(seen, sizeof(seen), "%s",
                 r.output_len ? r.output : "the process running it crashed");
        pl_run_free(&r);
        PL_FAIL("expected ws_waitpid(-1) in a process without children to "
                "return -1 with errno ECHILD, but %s: %s",
                seen,
                stub ? "is it still the starter stub?"
                     : "return what waitpid() returns when it fails with "
                       "anything but EINTR");
    }
    pl_run_free(&r);
}

static volatile sig_atomic_t usr1_count;
static int usr1_release_fd = -1;

/* Count the signal and release the child that sent it. write() is
 * async-signal-safe; errno is saved for the code the signal
 * interrupted. */
static void on_usr1(int sig)
{
    int saved = errno;

    (void)sig;
    usr1_count++;
    if (write(usr1_release_fd, "x", 1) == -1)
        usr1_count += 100;
    errno = saved;
}

PL_TEST(test_waitpid_retries_after_eintr)
{
    struct sigaction sa;
    char seen[128];
    int fds[2];
    int status = UNSET;
    pid_t child, got;
    int err;
    int timeout = hold_ms();

    /* No SA_RESTART: a waitpid() that the handler interrupts fails with
     * EINTR instead of going on by itself. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    if (sigaction(SIGUSR1, &sa, NULL) == -1)
        PL_FAIL("test setup: sigaction(SIGUSR1) failed: %s", strerror(errno));

    pl_pipe(fds);
    usr1_release_fd = fds[1];
    fflush(NULL);
    child = pl_fork();
    if (child == 0) {
        /* Child: once the parent sleeps in waitpid() (state S), signal it,
         * then wait until its handler releases this child. */
        struct pollfd p = {fds[0], POLLIN, 0};
        pid_t parent = getppid();
        int ready;

        pl_close(fds[1]);
        pl_proc_wait_state(parent, 'S', timeout);
        kill(parent, SIGUSR1);
        do
            ready = poll(&p, 1, timeout);
        while (ready == -1 && errno == EINTR);
        _exit(ready == 1 ? 42 : HOLD_EXPIRED);
    }
    /* Parent: nothing sleeps between fork() and waitpid(), so the child's
     * signal arrives while waitpid() blocks. The parent keeps the read
     * end open until then, so that the handler's write() cannot raise
     * SIGPIPE even if the child has given up. */
    got = ws_waitpid(child, &status, 0);
    err = errno;
    pl_close(fds[0]);
    pl_close(fds[1]);
    usr1_release_fd = -1;

    if (got == -1 && err == EINTR) {
        pl_waitpid(child, &status, 0);
        PL_FAIL("expected ws_waitpid(%d, 0) to return the child's PID, got "
                "-1 with errno EINTR: a SIGUSR1 handler installed without "
                "SA_RESTART ran while waitpid() waited, so waitpid() "
                "returned early. The child is still there: call waitpid() "
                "again when it fails with EINTR",
                (int)child);
    }
    PL_CHECK(got == child,
             "expected ws_waitpid(%d, 0) to return the child's PID, got %d "
             "(errno %s): %s",
             (int)child, (int)got, pl_errno_name(err), stub_hint(err));
    PL_CHECK(usr1_count == 1,
             "test setup: expected the SIGUSR1 handler to run once, it ran "
             "%d times",
             (int)usr1_count);
    pl_describe_status(status, seen, sizeof(seen));
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42,
             "expected the status of a child that exited with code 42, but "
             "the stored status (0x%x) says it %s: store the status of the "
             "waitpid() call that succeeded",
             (unsigned)status, seen);
}

/* --- Step 4 ------------------------------------------------------------ */

#define WORKERS 4

/*
 * The work of a second thread that releases the workers in a chosen
 * order while the test thread is blocked in the lab's reaper. Each worker is
 * released only after the previous one has been reaped, so that at most one
 * child has ended and not been reaped at any time, and waitpid(-1) has only one
 * child to report.
 */
struct releaser {
    struct held_child *workers;
    const int *order;
    int timeout_ms;
    int reaper_returned; /* set by the test thread, read with __atomic */
    int stuck; /* order position of a worker that was never reaped, or -1 */
};

static int reaper_returned(struct releaser *r)
{
    return __atomic_load_n(&r->reaper_returned, __ATOMIC_ACQUIRE);
}

/*
 * Wait until the test thread has reaped pid: waitid() with WNOWAIT peeks
 * without reaping, and fails with ECHILD once the child is gone. Returns
 * 0 then, or -1 at the deadline or once the reaper has returned.
 */
static int wait_reaped(struct releaser *r, pid_t pid)
{
    long long deadline = pl_now_ms() + r->timeout_ms;

    for (;;) {
        siginfo_t info;
        int rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);

        if (rc == -1 && errno == ECHILD)
            return 0;
        if (reaper_returned(r) || pl_now_ms() >= deadline)
            return -1;
        pause_1ms();
    }
}

static void *release_in_order(void *arg)
{
    struct releaser *r = arg;

    for (int k = 0; k < WORKERS; k++) {
        struct held_child *w = &r->workers[r->order[k]];

        release(w);
        /* After one worker was not reaped in time, release the others
         * at once, so that the reaper returns and the test can report. */
        if (r->stuck == -1 && wait_reaped(r, w->pid) == -1 &&
            !reaper_returned(r))
            r->stuck = k;
    }
    return NULL;
}

PL_TEST(test_reaper_follows_finish_order)
{
    static const int order[WORKERS] = {2, 0, 3, 1};
    struct held_child workers[WORKERS];
    pid_t pids[WORKERS];
    struct ws_reaped out[WORKERS];
    struct releaser r;
    char stuck_hint[512];
    pthread_t thread;
    int got, err, rc;

    for (int i = 0; i < WORKERS; i++) {
        start_held(&workers[i], 10 + i);
        pids[i] = workers[i].pid;
        out[i].pid = UNSET;
        out[i].status = UNSET;
    }
    r.workers = workers;
    r.order = order;
    r.timeout_ms = event_ms();
    r.reaper_returned = 0;
    r.stuck = -1;
    rc = pthread_create(&thread, NULL, release_in_order, &r);
    if (rc != 0)
        PL_FAIL("test setup: pthread_create() failed: %s", strerror(rc));

    got = ws_reap_in_finish_order(pids, WORKERS, out);
    err = errno;
    __atomic_store_n(&r.reaper_returned, 1, __ATOMIC_RELEASE);
    pthread_join(thread, NULL);

    PL_CHECK(got == WORKERS,
             "expected ws_reap_in_finish_order() to return %d, got %d "
             "(errno %s): %s",
             WORKERS, got, pl_errno_name(err), stub_hint(err));
    if (r.stuck != -1)
        snprintf(stuck_hint, sizeof(stuck_hint),
                 "But worker %d was not reaped within %d ms of its release, so "
                 "the test released the rest at once. waitpid(pids[i]) "
                 "blocks on one child while another has ended: wait with "
                 "waitpid(-1) and store whichever child it returns",
                 order[r.stuck], r.timeout_ms);
    else
        snprintf(stuck_hint, sizeof(stuck_hint),
                 "Store each child in out as waitpid(-1) returns it");
    for (int k = 0; k < WORKERS; k++) {
        int i = order[k];

        PL_CHECK(out[k].pid == pids[i],
                 "expected out[%d].pid to be %d (worker %d), the child that "
                 "ended %s, got %d%s. The test released the workers, "
                 "created in the order %d %d %d %d, in the order "
                 "%d %d %d %d, each after the one before it had been "
                 "reaped. %s",
                 k, (int)pids[i], i, k == 0 ? "first" : "next", (int)out[k].pid,
                 out[k].pid == pids[k] ? ", which is creation order" : "",
                 (int)pids[0], (int)pids[1], (int)pids[2], (int)pids[3],
                 (int)pids[order[0]], (int)pids[order[1]], (int)pids[order[2]],
                 (int)pids[order[3]], stuck_hint);
        PL_CHECK(WIFEXITED(out[k].status) &&
                     WEXITSTATUS(out[k].status) == 10 + i,
                 "expected out[%d].status to say that worker %d exited "
                 "with code %d, got 0x%x: store the status waitpid() "
                 "returned with that PID",
                 k, i, 10 + i, (unsigned)out[k].status);
    }
}

PL_TEST(test_reaper_stops_at_echild_and_strangers)
{
    struct held_child a, b, stranger;
    struct ws_reaped out[3];
    pid_t pids[3];
    int got, err, status;

    /* Three PIDs listed, two children: the third waitpid(-1) fails. */
    start_held(&a, 1);
    start_held(&b, 2);
    pids[0] = a.pid;
    pids[1] = b.pid;
    pids[2] = getpid(); /* not a child of the test process */
    release(&a);
    release(&b);
    errno = 0;
    got = WITHIN_DEADLINE(ws_reap_in_finish_order(pids, 3, out),
                          "ws_reap_in_finish_order()");
    err = errno;
    PL_CHECK(got == -1 && err == ECHILD,
             "expected ws_reap_in_finish_order() for 3 PIDs, of which only "
             "2 are children, to return -1 with errno ECHILD, got %d "
             "(errno %s): %s",
             got, pl_errno_name(err),
             err == ENOSYS ? "is it still the starter stub?"
                           : "when waitpid() fails, return -1 and keep "
                             "its errno");

    /* A child that is not in pids ends first: waitpid(-1) reaps it. */
    start_held(&stranger, 3);
    start_held(&a, 1);
    release(&stranger);
    wait_zombie(stranger.pid);
    pids[0] = a.pid;
    errno = 0;
    got = ws_reap_in_finish_order(pids, 1, out);
    err = errno;
    release(&a);
    if (wait_within(a.pid, &status, 0, event_ms()) == 0)
        PL_FAIL("test setup: child %d did not end after its release",
                (int)a.pid);
    PL_CHECK(got == -1 && err == ESRCH,
             "expected ws_reap_in_finish_order() to return -1 with errno "
             "ESRCH when waitpid(-1) returns %d, a child that is not in "
             "pids, got %d (errno %s): check each PID that waitpid() "
             "returns against pids",
             (int)stranger.pid, got, pl_errno_name(err));
}

/* --- Step 5 ------------------------------------------------------------ */

PL_TEST(test_reap_finished_leaves_running)
{
    struct held_child a, b, c;
    struct ws_reaped out[4];
    int running = UNSET;
    int got, err, status;
    long long start, blocked_ms;
    int a_seen = 0, b_seen = 0;

    start_held(&a, 5);
    start_held(&b, 6);
    start_held(&c, 7);
    release(&a);
    release(&b);
    wait_zombie(a.pid);
    wait_zombie(b.pid);

    start = pl_now_ms();
    got = ws_reap_finished(out, 4, &running);
    err = errno;
    blocked_ms = pl_now_ms() - start;
    PL_CHECK(got != -1,
             "expected ws_reap_finished() to return 2, got -1 (errno %s): "
             "%s",
             pl_errno_name(err), stub_hint(err));
    PL_CHECK(got == 2,
             "expected ws_reap_finished() to reap the 2 children that had "
             "ended and leave the one still running, got %d after %lld ms: "
             "%s",
             got, blocked_ms,
             got > 2 ? "it waited for the running child; pass WNOHANG so "
                       "that waitpid() returns 0 instead of blocking"
                     : "call waitpid(-1, &status, WNOHANG) again until it "
                       "returns 0");
    for (int i = 0; i < got && i < 4; i++) {
        if (out[i].pid == a.pid)
            a_seen =
                WIFEXITED(out[i].status) && WEXITSTATUS(out[i].status) == 5;
        if (out[i].pid == b.pid)
            b_seen =
                WIFEXITED(out[i].status) && WEXITSTATUS(out[i].status) == 6;
    }
    PL_CHECK(a_seen && b_seen,
             "expected out to hold children %d (exit code 5) and %d (exit "
             "code 6) with their statuses, got %d (0x%x) and %d (0x%x)",
             (int)a.pid, (int)b.pid, (int)out[0].pid, (unsigned)out[0].status,
             (int)out[1].pid, (unsigned)out[1].status);
    PL_CHECK(running == 1,
             "expected *running == 1 while child %d still runs, got %d: "
             "waitpid() with WNOHANG returns 0 when children are left that "
             "have not ended",
             (int)c.pid, running);
    PL_CHECK(wait_within(c.pid, &status, 0, 0) == 0,
             "expected the held child %d to be still running and not "
             "reaped, but it was gone",
             (int)c.pid);

    release(&c);
    if (wait_within(c.pid, &status, 0, event_ms()) == 0)
        PL_FAIL("test setup: child %d did not end after its release",
                (int)c.pid);
}

PL_TEST(test_reap_finished_reports_none_left)
{
    struct held_child a, b;
    struct ws_reaped out[1];
    int running = UNSET;
    int got, err;

    /* Two children have ended and out has room for one: both must go. */
    start_held(&a, 1);
    start_held(&b, 2);
    release(&a);
    release(&b);
    wait_zombie(a.pid);
    wait_zombie(b.pid);
    out[0].pid = UNSET;
    errno = 0;
    got = WITHIN_DEADLINE(ws_reap_finished(out, 1, &running),
                          "ws_reap_finished()");
    err = errno;
    PL_CHECK(got == 2,
             "expected ws_reap_finished(out, 1, ...) to reap both children "
             "that had ended and return 2, got %d (errno %s): %s",
             got, pl_errno_name(err),
             got == -1 && err == ENOSYS ? "is it still the starter stub?"
             : got == -1 && err == ECHILD
                 ? "ECHILD from waitpid() means that no child is left, "
                   "which ends the loop: return the count, not -1"
                 : "store the first max children, but reap and count "
                   "every one");
    PL_CHECK(out[0].pid == a.pid || out[0].pid == b.pid,
             "expected out[0].pid to be %d or %d, got %d", (int)a.pid,
             (int)b.pid, (int)out[0].pid);
    PL_CHECK(running == 0,
             "expected *running == 0 once no child is left, got %d: "
             "waitpid() fails with ECHILD when the caller has no children, "
             "which here means the work is done, not an error",
             running);

    running = UNSET;
    errno = 0;
    got = WITHIN_DEADLINE(ws_reap_finished(out, 1, &running),
                          "ws_reap_finished()");
    err = errno;
    PL_CHECK(got == 0 && running == 0,
             "expected ws_reap_finished() without children to return 0 and "
             "set *running to 0, got %d and %d (errno %s): ECHILD from the "
             "first waitpid() is not an error here",
             got, running, pl_errno_name(err));
}

static const struct pl_test_case tests[] = {
    {&test_child_ends_as_asked, "child ends with the code or signal asked", 2,
     "Step 1", TIMEOUT_S},
    {&test_stopped_child_exits_when_continued,
     "stopped child exits once continued", 2, "Step 1", TIMEOUT_S},
    {&test_start_child_rejects_invalid,
     "ws_start_child rejects invalid arguments", 1, "Step 1", TIMEOUT_S},
    {&test_describe_exits_and_kills, "decoder describes exits and kills", 3,
     "Step 2", TIMEOUT_S},
    {&test_describe_stopped_and_continued,
     "decoder describes stopped and continued children", 2, "Step 2",
     TIMEOUT_S},
    {&test_shell_status_adds_128, "shell status is 128 plus the signal", 2,
     "Step 2", TIMEOUT_S},
    {&test_waitpid_waits_for_given_child,
     "ws_waitpid waits for the child it is given", 2, "Step 3", TIMEOUT_S},
    {&test_waitpid_fails_without_children,
     "ws_waitpid fails with ECHILD without children", 1, "Step 3", TIMEOUT_S},
    {&test_waitpid_retries_after_eintr, "ws_waitpid retries after EINTR", 3,
     "Step 3", TIMEOUT_S},
    {&test_reaper_follows_finish_order,
     "reaper returns children in the order they end", 3, "Step 4", TIMEOUT_S},
    {&test_reaper_stops_at_echild_and_strangers,
     "reaper stops at ECHILD and at unknown children", 1, "Step 4", TIMEOUT_S},
    {&test_reap_finished_leaves_running,
     "ws_reap_finished leaves running children alone", 2, "Step 5", TIMEOUT_S},
    {&test_reap_finished_reports_none_left,
     "ws_reap_finished reports when no child is left", 1, "Step 5", TIMEOUT_S},
};

PL_LAB("06-waitpid", tests)
