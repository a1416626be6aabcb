/*
 * check_zombies.c - graded tests for Lab 09: zombies.
 *
 * The tests watch the children that the lab's functions make through
 * /proc: a child that has ended shows state Z in /proc/PID/stat until it
 * is reaped, and its /proc entry is gone afterwards. Who reaped a child
 * shows in getrusage(RUSAGE_CHILDREN): waitpid() adds the child's page
 * faults to the parent's count, while a child that the kernel removes
 * because SIGCHLD is ignored (or has SA_NOCLDWAIT) adds nothing.
 *
 * No test sleeps to wait for a state. A test waits on a pipe, in
 * waitpid(), or polls /proc with a deadline. A child held on a pipe also
 * ends by itself after hold_ms(), so that a lab function that blocks where
 * it should not returns in time for the test to say so.
 *
 * Each test first records what it observes, then reaps every child it
 * made, and only then checks, so that a failed check leaves no process
 * behind.
 * The harness runs each test in a process of its own, and afterwards
 * fails it if a child was left unreaped or a descriptor open.
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

#include "pl_test.h"
#include "proclab.h"
#include "zombies.h"

#define TIMEOUT_S 5.0

/* A marker stored in output variables before a call, which no correct
 * function stores. */
#define UNSET (-999)

/* The exit code of a held child that was not released in time. */
#define HOLD_EXPIRED 99

/* How many zombies the Step 5 tests make. */
#define MANY 20

/* How long a held child waits for its release before it ends itself. */
static int hold_ms(void)
{
    return (int)(2000 * pl_test_scale());
}

/* How long the test waits for a state that a correct function causes at
 * once, such as a child that has ended becoming a zombie. */
static int state_ms(void)
{
    return (int)(2000 * pl_test_scale());
}

static const char *stub_hint(int err)
{
    return err == ENOSYS ? "is it still the starter stub?"
                         : "a call inside the function failed";
}

/*
 * Minor page faults of the test's children that have ended and been
 * reaped by waitpid(). Every child takes at least one, at its first write
 * to a page it shares with the parent, so the count grows exactly when
 * waitpid() reaped a child. A child that the kernel removes without a
 * wait adds nothing (getrusage(2), since Linux 2.6.9).
 */
static long reaped_child_faults(void)
{
    struct rusage usage;

    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_minflt;
}

/* --- processes and /proc ------------------------------------------------ */

/* What /proc shows of a process: where it went after a wait. */
enum proc_fate { FATE_GONE, FATE_ZOMBIE, FATE_RUNNING };

static const char *fate_name(enum proc_fate fate)
{
    switch (fate) {
    case FATE_GONE:
        return "gone from /proc";
    case FATE_ZOMBIE:
        return "a zombie (state Z)";
    default:
        return "still running";
    }
}

/*
 * Wait until process pid is gone from /proc or is a zombie. A child that
 * the kernel reaps can stay in /proc for a moment after its parent's
 * waitpid() has failed with ECHILD, so one look is not enough.
 */
static enum proc_fate wait_gone(pid_t pid)
{
    if (pl_proc_wait_state(pid, 'Z', state_ms()) == 0)
        return FATE_ZOMBIE;
    return errno == ENOENT ? FATE_GONE : FATE_RUNNING;
}

/* Count the test's children, and those of them that are zombies. */
static int count_children(int *zombies)
{
    pid_t kids[4 * MANY];
    struct pl_proc_stat st;
    int n = pl_proc_children(0, kids, 4 * MANY);

    *zombies = 0;
    for (int i = 0; i < n && i < 4 * MANY; i++)
        if (pl_proc_read_stat(kids[i], &st) == 0 && st.state == 'Z')
            (*zombies)++;
    return n;
}

/*
 * End and reap every child the test still has: the cleanup before a
 * test's checks, so that a failed check leaves nothing behind. Children
 * that a lab function left are killed first, because some of them may
 * never end by themselves. A grandchild adopted while this runs ends by
 * itself within hold_ms(), as every task in these tests does.
 */
static void end_all_children(void)
{
    pid_t kids[4 * MANY];
    int n = pl_proc_children(0, kids, 4 * MANY);

    for (int i = 0; i < n && i < 4 * MANY; i++)
        kill(kids[i], SIGKILL);
    for (;;) {
        if (waitpid(-1, NULL, 0) == -1) {
            if (errno == EINTR)
                continue;
            break;
        }
    }
}

/* Fork a child that ends at once with _exit(code), and wait until it is a
 * zombie. */
static pid_t start_zombie(int code)
{
    pid_t pid = pl_fork();

    if (pid == 0)
        _exit(code);
    if (pl_proc_wait_state(pid, 'Z', state_ms()) != 0)
        PL_FAIL("test setup: child %d did not become a zombie within %d ms",
                (int)pid, state_ms());
    return pid;
}

/*
 * A child that sleeps in poll() until the test writes to release_fd. The
 * test keeps the read end open too, so that releasing a child that has
 * already given up writes into the pipe instead of raising SIGPIPE.
 */
struct held_child {
    pid_t pid;
    int release_fd;
    int read_fd;
};

/*
 * Start a held child, named name when name is not NULL, and return once
 * it has its name and sleeps (state S). It ends with _exit(0) when
 * released, or with _exit(HOLD_EXPIRED) when hold_ms() pass first.
 */
static struct held_child start_held_child(const char *name)
{
    struct held_child h;
    int release[2];
    int ready[2];
    char c;

    pl_pipe(release);
    pl_pipe(ready);
    h.pid = pl_fork();
    if (h.pid == 0) {
        struct pollfd p = {release[0], POLLIN, 0};

        pl_close(release[1]);
        pl_close(ready[0]);
        if (name != NULL && prctl(PR_SET_NAME, name) == -1)
            pl_die("prctl(PR_SET_NAME, \"%s\")", name);
        pl_write_all(ready[1], "r", 1);
        pl_close(ready[1]);
        _exit(poll(&p, 1, hold_ms()) == 1 ? 0 : HOLD_EXPIRED);
    }
    pl_close(ready[1]);
    if (pl_read_full(ready[0], &c, 1) != 1)
        PL_FAIL("test setup: held child %d ended before it was ready",
                (int)h.pid);
    pl_close(ready[0]);
    if (pl_proc_wait_state(h.pid, 'S', state_ms()) != 0)
        PL_FAIL("test setup: held child %d did not sleep within %d ms",
                (int)h.pid, state_ms());
    h.release_fd = release[1];
    h.read_fd = release[0];
    return h;
}

/* Let a held child end, and close the test's ends of its pipe. */
static void release_held_child(struct held_child *h)
{
    pl_write_all(h->release_fd, "g", 1);
    pl_close(h->release_fd);
    pl_close(h->read_fd);
}

/* --- the task that Steps 2 to 4 run in a child ---------------------------- */

/* What the task saw, sent to the test through a pipe. */
struct task_report {
    pid_t pid;                /* the process that ran the task */
    pid_t parent;             /* its parent when the task started */
    int parent_ignores;       /* 1 if that parent ignored SIGCHLD, -1 unknown */
    void (*handler)(int);     /* the task's own SIGCHLD action */
    int flags;                /* and its flags, without SA_RESTORER */
    sigset_t mask;            /* and its mask */
};

/* How the test wants the task to behave. */
struct task_setup {
    int report_fd;         /* where the task sends its report */
    int release_fd;        /* -1, or a pipe the task waits on before it ends */
    int wait_parent_sleep; /* wait until the parent sleeps, e.g. in waitpid */
    int code;              /* what the task returns */
};

/* SA_RESTORER is a flag that the C library adds by itself, so it is not
 * part of the action a program chose. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* Whether process pid ignores SIGCHLD, from the SigIgn mask in
 * /proc/PID/status: 1 or 0, or -1 when it cannot be read. */
static int process_ignores_sigchld(pid_t pid)
{
    char path[64];
    char line[256];
    unsigned long long mask;
    int found = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "SigIgn: %llx", &mask) == 1) {
            found = (mask >> (SIGCHLD - 1)) & 1;
            break;
        }
    }
    fclose(f);
    return found;
}

/* The task. It runs in the child that a lab function made. */
static int reporting_task(void *arg)
{
    const struct task_setup *setup = arg;
    struct task_report r;
    struct sigaction now;

    memset(&r, 0, sizeof(r));
    r.pid = getpid();
    r.parent = getppid();
    r.parent_ignores = process_ignores_sigchld(r.parent);
    if (sigaction(SIGCHLD, NULL, &now) == -1)
        pl_die("sigaction(SIGCHLD)");
    r.handler = now.sa_handler;
    r.flags = now.sa_flags & ~SA_RESTORER;
    r.mask = now.sa_mask;

    /* A parent that sleeps here is blocked in waitpid(), so the task
     * ends only after the parent has set up how it waits. */
    if (setup->wait_parent_sleep)
        pl_proc_wait_state(r.parent, 'S', hold_ms());
    pl_write_all(setup->report_fd, &r, sizeof(r));
    if (setup->release_fd >= 0) {
        struct pollfd p = {setup->release_fd, POLLIN, 0};

        if (poll(&p, 1, hold_ms()) != 1)
            return HOLD_EXPIRED;
    }
    return setup->code;
}

/*
 * Read the task's report from fd and close fd. Returns 1 when a whole
 * report came, and 0 when the task never sent one.
 */
static int read_report(int fd, struct task_report *r)
{
    size_t got = pl_read_full(fd, r, sizeof(*r));

    pl_close(fd);
    return got == sizeof(*r);
}

/* --- Step 1 ------------------------------------------------------------ */


/* Describe what zb_proc_state() returned, for a message. */
static const char *state_text(int got, int err, char *buf, size_t len)
{
    if (got == -1)
        snprintf(buf, len, "-1 with errno %s", pl_errno_name(err));
    else if (got > ' ' && got < 127)
        snprintf(buf, len, "'%c'", got);
    else
        snprintf(buf, len, "%d", got);
    return buf;
}

/* The likely cause of zb_proc_state() returning got instead of a letter
 * that pl_proc_read_stat() read. */
static const char *state_hint(int got, int err)
{
    if (got == -1 && err == ENOSYS)
        return "is it still the starter stub?";
    if (got == -1)
        return "opening or parsing /proc/PID/stat failed for a process "
               "that exists";
    return "the state is the first field after the ')' that closes the "
           "program name";
}

PL_TEST(test_zombie_stays_until_reaped)
{
    pid_t pid = PL_CALL(zb_make_zombie(7));
    int err = errno;
    struct pl_proc_stat st;
    pid_t parent = -1;
    int zombie_err = 0;
    char second_look = '?';
    pid_t waited = -1;
    int status = 0;
    int gone_err = 0;

    PL_CHECK(pid > 0,
             "expected zb_make_zombie(7) to return the child's PID, got %d "
             "(errno %s): %s",
             (int)pid, pl_errno_name(err), stub_hint(err));
    if (pl_proc_read_stat(pid, &st) == 0)
        parent = st.ppid;
    if (pl_proc_wait_state(pid, 'Z', state_ms()) == -1)
        zombie_err = errno;
    if (pl_proc_read_stat(pid, &st) == 0)
        second_look = st.state;
    if (parent == getpid()) {
        /* A child that never ends would block the wait below. */
        if (zombie_err == ETIMEDOUT)
            kill(pid, SIGKILL);
        waited = waitpid(pid, &status, 0);
        if (pl_proc_read_stat(pid, &st) == -1)
            gone_err = errno;
    }
    end_all_children();

    PL_CHECK(parent != -1,
             "expected child %d to be a zombie when zb_make_zombie(7) "
             "returned, but it was already gone from /proc: return without "
             "waiting for the child, since the wait is what removes it",
             (int)pid);
    PL_CHECK(parent == getpid(),
             "expected PID %d to be a child of the test process %d, but its "
             "parent is %d: return the PID that fork() gave the parent",
             (int)pid, (int)getpid(), (int)parent);
    PL_CHECK(zombie_err == 0,
             "expected child %d to become a zombie (state Z in "
             "/proc/%d/stat) within %d ms, but %s",
             (int)pid, (int)pid, state_ms(),
             zombie_err == ETIMEDOUT
                 ? "it was still running: the child must end at once with "
                   "_exit(code)"
                 : "it was gone before the test looked: zb_make_zombie "
                   "must return without waiting for the child");
    PL_CHECK(second_look == 'Z',
             "expected child %d to stay a zombie until the test reaped it, "
             "but a second look showed state %c",
             (int)pid, second_look);
    PL_CHECK(waited == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7,
             "expected the test's waitpid(%d) to reap the zombie with exit "
             "code 7, but it returned %d with status 0x%04x: the child must "
             "end with _exit(code)",
             (int)pid, (int)waited, status);
    PL_CHECK(gone_err == ENOENT,
             "expected /proc/%d to be gone once the test had reaped the "
             "zombie, but reading it gave %s",
             (int)pid, gone_err ? pl_errno_name(gone_err) : "a process");
}

PL_TEST(test_make_zombie_rejects_bad_code)
{
    static const int invalid[] = {256, -1, 1000};

    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        int code = invalid[i];
        pid_t got;
        int err;
        int kids, zombies;

        errno = 0;
        got = PL_CALL(zb_make_zombie(code));
        err = errno;
        kids = count_children(&zombies);
        end_all_children();
        PL_CHECK(got == -1,
                 "expected zb_make_zombie(%d) to return -1, got %d: an exit "
                 "code is 0..255, so reject %d before forking",
                 code, (int)got, code);
        PL_CHECK(err == EINVAL,
                 "expected zb_make_zombie(%d) to set errno to EINVAL, got "
                 "%s: %s",
                 code, pl_errno_name(err),
                 err == ENOSYS ? "is it still the starter stub?"
                               : "set errno = EINVAL before returning -1");
        PL_CHECK(kids == 0,
                 "expected no child after zb_make_zombie(%d), found %d: "
                 "check the argument before fork()",
                 code, kids);
    }
}

PL_TEST(test_state_reader_sees_each_state)
{
    char buf[64];
    struct held_child h;
    int self, sleeping, stopped, zombie, gone;
    int self_err, sleeping_err, stopped_err, zombie_err, gone_err;

    errno = 0;
    self = zb_proc_state(getpid());
    self_err = errno;

    h = start_held_child(NULL);
    errno = 0;
    sleeping = zb_proc_state(h.pid);
    sleeping_err = errno;

    kill(h.pid, SIGSTOP);
    if (pl_proc_wait_state(h.pid, 'T', state_ms()) != 0)
        PL_FAIL("test setup: child %d did not stop within %d ms",
                (int)h.pid, state_ms());
    errno = 0;
    stopped = zb_proc_state(h.pid);
    stopped_err = errno;
    kill(h.pid, SIGCONT);

    release_held_child(&h);
    if (pl_proc_wait_state(h.pid, 'Z', state_ms()) != 0)
        PL_FAIL("test setup: child %d did not end within %d ms", (int)h.pid,
                state_ms());
    errno = 0;
    zombie = zb_proc_state(h.pid);
    zombie_err = errno;

    pl_waitpid(h.pid, NULL, 0);
    errno = 0;
    gone = zb_proc_state(h.pid);
    gone_err = errno;
    end_all_children();

    PL_CHECK(self == 'R',
             "expected zb_proc_state(getpid()) to return 'R', since a "
             "process that reads its own stat file is running, got %s: %s",
             state_text(self, self_err, buf, sizeof(buf)),
             state_hint(self, self_err));
    PL_CHECK(sleeping == 'S',
             "expected 'S' for a child that sleeps in poll(), got %s: %s",
             state_text(sleeping, sleeping_err, buf, sizeof(buf)),
             state_hint(sleeping, sleeping_err));
    PL_CHECK(stopped == 'T',
             "expected 'T' for a child that SIGSTOP stopped, got %s: %s",
             state_text(stopped, stopped_err, buf, sizeof(buf)),
             state_hint(stopped, stopped_err));
    PL_CHECK(zombie == 'Z',
             "expected 'Z' for a child that has ended but is not yet "
             "reaped, got %s: %s",
             state_text(zombie, zombie_err, buf, sizeof(buf)),
             state_hint(zombie, zombie_err));
    PL_CHECK(gone == -1 && gone_err == ENOENT,
             "expected -1 with errno ENOENT for a child that has been "
             "reaped, got %s: return -1 and keep the errno that opening "
             "/proc/PID/stat set",
             state_text(gone, gone_err, buf, sizeof(buf)));
}

PL_TEST(test_state_reader_skips_odd_names)
{
    /* A program may name itself anything, and the kernel prints the name
     * as it is: "PID (a) Z (b) S ...". */
    static const char *const names[] = {"a) Z (b", ") T )"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char buf[64];
        struct held_child h = start_held_child(names[i]);
        int got, err;

        errno = 0;
        got = zb_proc_state(h.pid);
        err = errno;
        release_held_child(&h);
        pl_waitpid(h.pid, NULL, 0);
        end_all_children();

        PL_CHECK(got == 'S',
                 "expected 'S' for a sleeping child named \"%s\", got %s: "
                 "%s",
                 names[i], state_text(got, err, buf, sizeof(buf)),
                 got == -1 ? state_hint(got, err)
                           : "the name itself holds ')' and a letter: look "
                             "for the state after the last ')' of the "
                             "line (strrchr), not the first");
    }
}

PL_TEST(test_reap_removes_zombie)
{
    pid_t pid = start_zombie(3);
    struct held_child h;
    struct pl_proc_stat st;
    int code, code_err;
    int gone_err = 0;
    int again, again_err;
    int killed, killed_err;

    errno = 0;
    code = zb_reap(pid);
    code_err = errno;
    if (pl_proc_read_stat(pid, &st) == -1)
        gone_err = errno;
    errno = 0;
    again = zb_reap(pid);
    again_err = errno;

    h = start_held_child(NULL);
    kill(h.pid, SIGKILL);
    if (pl_proc_wait_state(h.pid, 'Z', state_ms()) != 0)
        PL_FAIL("test setup: child %d did not die within %d ms", (int)h.pid,
                state_ms());
    errno = 0;
    killed = zb_reap(h.pid);
    killed_err = errno;
    pl_close(h.release_fd);
    pl_close(h.read_fd);
    end_all_children();

    PL_CHECK(code == 3,
             "expected zb_reap() of a zombie that ended with _exit(3) to "
             "return 3, got %d (errno %s): %s",
             code, pl_errno_name(code_err),
             code == 3 << 8 ? "that is the raw status: decode it with "
                              "WEXITSTATUS()"
             : code == -1 ? stub_hint(code_err)
                          : "return WEXITSTATUS() of the status");
    PL_CHECK(gone_err == ENOENT,
             "expected /proc/%d to be gone after zb_reap(%d), but reading "
             "it gave %s: zb_reap must call waitpid() for that PID",
             (int)pid, (int)pid,
             gone_err ? pl_errno_name(gone_err) : "a process");
    PL_CHECK(again == -1 && again_err == ECHILD,
             "expected a second zb_reap(%d) to return -1 with errno ECHILD, "
             "got %d with errno %s: a reaped child is no longer a child, so "
             "waitpid() fails, and only EINTR is worth a retry",
             (int)pid, again, pl_errno_name(again_err));
    PL_CHECK(killed == 128 + SIGKILL,
             "expected zb_reap() of a child that SIGKILL killed to return "
             "%d (128 + %d), got %d (errno %s): %s",
             128 + SIGKILL, SIGKILL, killed, pl_errno_name(killed_err),
             killed == 0 ? "WEXITSTATUS() means nothing for a killed child: "
                           "check WIFSIGNALED() and return 128 + WTERMSIG()"
                         : "return 128 + WTERMSIG() when WIFSIGNALED()");
}

/* --- Step 2 ------------------------------------------------------------ */

PL_TEST(test_wait_leaves_no_zombie)
{
    int report[2];
    struct task_setup setup;
    struct task_report r;
    long mark = reaped_child_faults();
    int rc, err, sent;
    long faults;
    enum proc_fate fate = FATE_GONE;

    pl_pipe(report);
    setup = (struct task_setup){report[1], -1, 0, 42};
    rc = PL_CALL(zb_run_and_wait(reporting_task, &setup));
    err = errno;
    faults = reaped_child_faults();
    pl_close(report[1]);
    sent = read_report(report[0], &r);
    if (sent)
        fate = wait_gone(r.pid);
    end_all_children();

    PL_CHECK(rc == 42,
             "expected zb_run_and_wait() to return 42, what the task "
             "returned, got %d (errno %s): %s",
             rc, pl_errno_name(err),
             rc == 42 << 8 ? "that is the raw status: decode it with "
                             "WEXITSTATUS(), or return what zb_reap() returns"
             : rc == -1 ? stub_hint(err)
                        : "the child must end with _exit(task(arg))");
    PL_CHECK(sent,
             "expected the task to run and send its report, but none came: "
             "the child must call task(arg)");
    PL_CHECK(r.pid != getpid() && r.parent == getpid(),
             "expected the task to run in a child of the test process %d, "
             "but it ran in process %d whose parent is %d: call the task "
             "in the child that fork() made, not in the parent",
             (int)getpid(), (int)r.pid, (int)r.parent);
    PL_CHECK(fate == FATE_GONE,
             "expected the task's process %d to be gone once "
             "zb_run_and_wait() returned, but it is %s: wait for the child "
             "before returning",
             (int)r.pid, fate_name(fate));
    PL_CHECK(faults > mark,
             "expected the test's RUSAGE_CHILDREN to count the child after "
             "zb_run_and_wait(), but it did not grow: the child must be "
             "reaped with waitpid(), not by the kernel");
}

/* --- Step 3 ------------------------------------------------------------ */

/* What a run of zb_run_unreaped() showed. */
struct unreaped_run {
    int rc;
    int err;
    int sent;
    struct task_report r;
    enum proc_fate fate;
    long faults_added; /* reaped_child_faults() grew by this */
    struct sigaction after; /* the test's SIGCHLD action afterwards */
};

/* Run zb_run_unreaped() with the reporting task, and reap what is left. */
static struct unreaped_run run_unreaped(enum zb_reap_by_kernel how)
{
    struct unreaped_run run;
    struct task_setup setup;
    int report[2];
    long mark;

    memset(&run, 0, sizeof(run));
    pl_pipe(report);
    /* The task ends only once the test sleeps in waitpid(), so it ends
     * after the caller's action would have been put back too early. */
    setup = (struct task_setup){report[1], -1, 1, 5};
    mark = reaped_child_faults();
    run.rc = PL_CALL(zb_run_unreaped(reporting_task, &setup, how));
    run.err = errno;
    run.faults_added = reaped_child_faults() - mark;
    if (sigaction(SIGCHLD, NULL, &run.after) == -1)
        pl_die("sigaction(SIGCHLD)");
    pl_close(report[1]);
    run.sent = read_report(report[0], &run.r);
    run.fate = run.sent ? wait_gone(run.r.pid) : FATE_GONE;
    end_all_children();
    return run;
}

/* The checks that both ways of Step 3 share. */
static void check_kernel_reaped(const struct unreaped_run *run,
                                const char *how)
{
    PL_CHECK(run->rc == 0,
             "expected zb_run_unreaped(%s) to return 0, got %d (errno %s): "
             "%s",
             how, run->rc, pl_errno_name(run->err),
             run->err == ECHILD ? "ECHILD from waitpid() is the expected "
                                  "end here, not an error"
                                : stub_hint(run->err));
    PL_CHECK(run->sent,
             "expected the task to run and send its report, but none came: "
             "the child must call task(arg)");
    PL_CHECK(run->r.parent == getpid(),
             "expected the task to run in a child of the test process %d, "
             "but its parent was %d",
             (int)getpid(), (int)run->r.parent);
    PL_CHECK(run->fate == FATE_GONE,
             "expected the task's process %d to be gone once "
             "zb_run_unreaped(%s) returned, but it is %s: the parent must "
             "call waitpid() and return only when it fails with ECHILD, "
             "and SIGCHLD must still be set that way when the child ends",
             (int)run->r.pid, how, fate_name(run->fate));
    PL_CHECK(run->faults_added == 0,
             "expected the kernel to remove the child, but waitpid() reaped "
             "it (RUSAGE_CHILDREN grew by %ld faults): SIGCHLD was back to "
             "its usual action when the child ended, so it became a zombie "
             "first. Put the caller's action back only after waitpid() has "
             "failed with ECHILD",
             run->faults_added);
}

PL_TEST(test_ignored_sigchld_kernel_reaps)
{
    struct unreaped_run run = run_unreaped(ZB_IGNORE_SIGCHLD);

    check_kernel_reaped(&run, "ZB_IGNORE_SIGCHLD");
    PL_CHECK(run.r.parent_ignores == 1,
             "expected the parent to ignore SIGCHLD while the task ran "
             "(SigIgn in /proc/%d/status), but it did not: set SIGCHLD to "
             "SIG_IGN with sigaction() before fork()",
             (int)run.r.parent);
}

PL_TEST(test_nocldwait_kernel_reaps)
{
    struct unreaped_run run = run_unreaped(ZB_NOCLDWAIT);

    check_kernel_reaped(&run, "ZB_NOCLDWAIT");
    PL_CHECK(run.r.parent_ignores == 0,
             "expected the parent not to ignore SIGCHLD while the task ran, "
             "but SigIgn in /proc/%d/status had it: ZB_NOCLDWAIT keeps "
             "SIG_DFL and sets the flag SA_NOCLDWAIT instead",
             (int)run.r.parent);
}

/* The test's own SIGCHLD handler, which a lab function must put back. */
static void test_sigchld_handler(int sig)
{
    (void)sig;
}

/* Name a SIGCHLD handler for a message. */
static const char *handler_name(void (*handler)(int))
{
    if (handler == SIG_DFL)
        return "SIG_DFL";
    if (handler == SIG_IGN)
        return "SIG_IGN";
    if (handler == test_sigchld_handler)
        return "the test's handler";
    return "another handler";
}

PL_TEST(test_sigchld_action_restored)
{
    static const struct {
        enum zb_reap_by_kernel how;
        const char *name;
    } ways[] = {
        {ZB_IGNORE_SIGCHLD, "ZB_IGNORE_SIGCHLD"},
        {ZB_NOCLDWAIT, "ZB_NOCLDWAIT"},
    };
    struct sigaction mine;

    memset(&mine, 0, sizeof(mine));
    mine.sa_handler = test_sigchld_handler;
    mine.sa_flags = SA_RESTART;
    sigemptyset(&mine.sa_mask);
    sigaddset(&mine.sa_mask, SIGUSR1);
    if (sigaction(SIGCHLD, &mine, NULL) == -1)
        pl_die("sigaction(SIGCHLD)");

    for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
        struct unreaped_run run = run_unreaped(ways[i].how);
        int flags = run.after.sa_flags & ~SA_RESTORER;

        PL_CHECK(run.rc == 0,
                 "expected zb_run_unreaped(%s) to return 0, got %d (errno "
                 "%s): %s",
                 ways[i].name, run.rc, pl_errno_name(run.err),
                 stub_hint(run.err));
        PL_CHECK(run.after.sa_handler == test_sigchld_handler,
                 "expected the test's SIGCHLD handler back after "
                 "zb_run_unreaped(%s), but the action is %s: save the "
                 "caller's action with sigaction() and put it back before "
                 "returning",
                 ways[i].name, handler_name(run.after.sa_handler));
        PL_CHECK(flags == SA_RESTART &&
                     sigismember(&run.after.sa_mask, SIGUSR1) == 1,
                 "expected the caller's flags (SA_RESTART, 0x%x) and mask "
                 "(SIGUSR1) back after zb_run_unreaped(%s), got flags 0x%x "
                 "and a mask %s SIGUSR1: put back the whole struct "
                 "sigaction that sigaction() saved, not only the handler",
                 SA_RESTART, ways[i].name, flags,
                 sigismember(&run.after.sa_mask, SIGUSR1) == 1 ? "with"
                                                                : "without");
        PL_CHECK(run.sent && run.r.handler == test_sigchld_handler &&
                     run.r.flags == SA_RESTART,
                 "expected the task to run with the caller's SIGCHLD action "
                 "(the test's handler, flags 0x%x), but it ran with %s, "
                 "flags 0x%x: the child must put the caller's action back "
                 "before it runs the task, because an ignored SIGCHLD "
                 "survives fork() and execve() and would break the task's "
                 "own waitpid()",
                 SA_RESTART, run.sent ? handler_name(run.r.handler) : "none",
                 run.r.flags);
    }
}

PL_TEST(test_unreaped_rejects_unknown_how)
{
    struct task_setup setup = {-1, -1, 0, 0};
    struct sigaction after;
    int kids, zombies;
    int rc, err;

    errno = 0;
    rc = PL_CALL(zb_run_unreaped(reporting_task, &setup,
                                 (enum zb_reap_by_kernel)7));
    err = errno;
    if (sigaction(SIGCHLD, NULL, &after) == -1)
        pl_die("sigaction(SIGCHLD)");
    kids = count_children(&zombies);
    end_all_children();
    PL_CHECK(rc == -1 && err == EINVAL,
             "expected zb_run_unreaped() with an unknown how (7) to return "
             "-1 with errno EINVAL, got %d with errno %s: %s",
             rc, pl_errno_name(err), stub_hint(err));
    PL_CHECK(kids == 0,
             "expected no child after an unknown how, found %d: check how "
             "before fork()",
             kids);
    PL_CHECK(after.sa_handler == SIG_DFL && !(after.sa_flags & SA_NOCLDWAIT),
             "expected SIGCHLD's action to stay SIG_DFL after an unknown "
             "how, but it is %s%s: check how before sigaction()",
             handler_name(after.sa_handler),
             after.sa_flags & SA_NOCLDWAIT ? " with SA_NOCLDWAIT" : "");
}

/* --- Step 4 ------------------------------------------------------------ */

PL_TEST(test_double_fork_subreaper_adopts)
{
    int report[2];
    int release[2];
    struct task_setup setup;
    struct task_report r;
    struct pl_proc_stat st;
    pid_t kids[8];
    pid_t grandchild;
    pid_t adopter = -1;
    pid_t waited = -1;
    int status = 0;
    int err, sent, nkids, zombies = 0;

    /* The grandchild goes to the nearest subreaper when the middle child
     * ends. Without this line that would be the harness, whatever its
     * PID is, and the test could not reap it. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER)");
    pl_pipe(report);
    pl_pipe(release);
    setup = (struct task_setup){report[1], release[0], 0, 9};
    grandchild = PL_CALL(zb_run_double_fork(reporting_task, &setup));
    err = errno;
    pl_close(report[1]);
    sent = read_report(report[0], &r);

    /* Look while the task still waits for its release. */
    nkids = pl_proc_children(0, kids, 8);
    for (int i = 0; i < nkids && i < 8; i++)
        if (pl_proc_read_stat(kids[i], &st) == 0 && st.state == 'Z')
            zombies++;
    if (sent && pl_proc_read_stat(r.pid, &st) == 0)
        adopter = st.ppid;

    pl_write_all(release[1], "g", 1);
    pl_close(release[1]);
    pl_close(release[0]);
    if (adopter == getpid())
        waited = pl_waitpid(r.pid, &status, 0);
    end_all_children();

    PL_CHECK(grandchild > 0,
             "expected zb_run_double_fork() to return the grandchild's PID, "
             "got %d (errno %s): %s",
             (int)grandchild, pl_errno_name(err),
             err == EIO ? "the middle child did not send a PID through the "
                          "pipe, or did not end with _exit(0)"
                        : stub_hint(err));
    PL_CHECK(sent,
             "expected the task to run and send its report, but none came: "
             "the grandchild must call task(arg)");
    PL_CHECK(grandchild == r.pid,
             "expected zb_run_double_fork() to return %d, the PID of the "
             "process that ran the task, got %d: the middle child must send "
             "the PID that its fork() returned",
             (int)r.pid, (int)grandchild);
    PL_CHECK(zombies == 0,
             "expected no zombie among the test's children after "
             "zb_run_double_fork() returned, found %d: the parent must reap "
             "the middle child with waitpid()",
             zombies);
    PL_CHECK(adopter != -1,
             "expected the grandchild %d to be still running when "
             "zb_run_double_fork() returned, but it was gone: the task "
             "waits for the test, so something waited for the grandchild. "
             "The middle child must end at once after its fork()",
             (int)r.pid);
    PL_CHECK(adopter == getpid(),
             "expected the grandchild %d to have the test process %d, the "
             "nearest subreaper, as its parent once zb_run_double_fork() "
             "returned, but its parent is %d: the middle child must end at "
             "once, and the parent must reap it before returning",
             (int)r.pid, (int)getpid(), (int)adopter);
    PL_CHECK(nkids == 1,
             "expected the grandchild to be the test's only child, found "
             "%d children: the middle child must be gone, reaped by the "
             "parent",
             nkids);
    PL_CHECK(waited == r.pid && WIFEXITED(status) && WEXITSTATUS(status) == 9,
             "expected the test, as subreaper, to reap the grandchild with "
             "exit code 9, what the task returned, but got status 0x%04x: "
             "the grandchild must end with _exit(task(arg))",
             status);
}

/* --- Step 5 ------------------------------------------------------------ */

PL_TEST(test_make_zombies_leaves_n)
{
    pid_t pids[MANY];
    int started, err, kids, zombies;
    int not_zombie = -1;
    int wrong_code = -1;
    int wrong_status = 0;
    int zero, negative, negative_err;

    for (int i = 0; i < MANY; i++)
        pids[i] = UNSET;
    started = PL_CALL(zb_make_zombies(MANY, pids));
    err = errno;
    for (int i = 0; i < started && i < MANY; i++) {
        if (pids[i] <= 0 || pl_proc_wait_state(pids[i], 'Z', state_ms())) {
            not_zombie = i;
            break;
        }
    }
    kids = count_children(&zombies);
    for (int i = 0; i < started && i < MANY && not_zombie < 0; i++) {
        int status;

        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != i) {
            wrong_code = i;
            wrong_status = status;
            break;
        }
    }
    end_all_children();

    PL_CHECK(started == MANY,
             "expected zb_make_zombies(%d) to return %d, got %d (errno %s): "
             "%s",
             MANY, MANY, started, pl_errno_name(err), stub_hint(err));
    PL_CHECK(not_zombie < 0,
             "expected pids[%d] = %d to be a child that became a zombie "
             "within %d ms, but it did not: store each PID that fork() "
             "returns, and end each child at once with _exit()",
             not_zombie, not_zombie >= 0 ? (int)pids[not_zombie] : 0,
             state_ms());
    PL_CHECK(zombies == MANY && kids == MANY,
             "expected the test process to have %d children, all zombies, "
             "found %d children of which %d are zombies: fork exactly n "
             "children and wait for none",
             MANY, kids, zombies);
    PL_CHECK(wrong_code < 0,
             "expected child %d to end with exit code %d, but its status "
             "was 0x%04x: child i ends with _exit(i %% 256)",
             wrong_code, wrong_code, wrong_status);

    errno = 0;
    zero = PL_CALL(zb_make_zombies(0, pids));
    errno = 0;
    negative = PL_CALL(zb_make_zombies(-1, pids));
    negative_err = errno;
    end_all_children();
    PL_CHECK(zero == 0,
             "expected zb_make_zombies(0) to return 0, got %d", zero);
    PL_CHECK(negative == -1 && negative_err == EINVAL,
             "expected zb_make_zombies(-1) to return -1 with errno EINVAL, "
             "got %d with errno %s",
             negative, pl_errno_name(negative_err));
}

PL_TEST(test_reap_zombies_spares_running)
{
    struct held_child h;
    struct pl_proc_stat st;
    int reaped, err, kids, zombies;
    int held_alive;
    int none, none_err;

    for (int i = 0; i < MANY; i++)
        start_zombie(i);
    h = start_held_child(NULL);

    errno = 0;
    reaped = PL_CALL(zb_reap_zombies());
    err = errno;
    kids = count_children(&zombies);
    held_alive = pl_proc_read_stat(h.pid, &st) == 0 && st.state != 'Z';
    release_held_child(&h);
    end_all_children();

    errno = 0;
    none = PL_CALL(zb_reap_zombies());
    none_err = errno;

    PL_CHECK(reaped == MANY,
             "expected zb_reap_zombies() to reap the %d zombies of the test "
             "and return %d, got %d (errno %s): %s",
             MANY, MANY, reaped, pl_errno_name(err),
             reaped == MANY + 1 ? "it also reaped a child that was still "
                                  "running, so waitpid() blocked: pass "
                                  "WNOHANG"
             : reaped == 1      ? "call waitpid() in a loop until it returns "
                                  "0 or fails with ECHILD"
             : reaped == -1     ? stub_hint(err)
                                : "count each PID that waitpid() returns");
    PL_CHECK(zombies == 0,
             "expected no zombie left after zb_reap_zombies(), found %d: "
             "loop until waitpid() returns 0",
             zombies);
    PL_CHECK(held_alive,
             "expected zb_reap_zombies() to leave a running child alone, "
             "but the child had ended: with WNOHANG waitpid() returns 0 "
             "instead of waiting for it");
    PL_CHECK(kids == 1,
             "expected the running child to be the test's only child after "
             "zb_reap_zombies(), found %d children",
             kids);
    PL_CHECK(none == 0,
             "expected zb_reap_zombies() with no child left to return 0, "
             "got %d (errno %s): ECHILD means that no child is left, which "
             "is not an error here",
             none, pl_errno_name(none_err));
}

PL_TEST(test_zombies_count_against_nproc)
{
    pid_t pids[4 * MANY];
    struct rlimit saved, low;
    int users = pl_proc_count_user(getuid());
    int started, err;
    int not_zombie = -1;

    if (users < 0)
        pl_die("counting the processes of uid %d in /proc", (int)getuid());
    if (getrlimit(RLIMIT_NPROC, &saved) == -1)
        pl_die("getrlimit(RLIMIT_NPROC)");
    /* Room for a few children only. The limit counts every process of
     * this user, so it is a few more than the user has now. */
    low = saved;
    if (low.rlim_cur == RLIM_INFINITY || low.rlim_cur > (rlim_t)users + 5)
        low.rlim_cur = (rlim_t)users + 5;
    if (setrlimit(RLIMIT_NPROC, &low) == -1)
        pl_die("setrlimit(RLIMIT_NPROC, %d)", users + 5);

    errno = 0;
    started = PL_CALL(zb_make_zombies(4 * MANY, pids));
    err = errno;
    if (setrlimit(RLIMIT_NPROC, &saved) == -1)
        pl_die("setrlimit(RLIMIT_NPROC)");
    for (int i = 0; i < started && i < 4 * MANY; i++) {
        if (pl_proc_wait_state(pids[i], 'Z', state_ms()) != 0) {
            not_zombie = i;
            break;
        }
    }
    end_all_children();

    PL_CHECK(started >= 0 && started < 4 * MANY,
             "expected zb_make_zombies(%d) under RLIMIT_NPROC = %llu to "
             "start fewer than %d children and return how many, got %d "
             "(errno %s): %s",
             4 * MANY, (unsigned long long)low.rlim_cur, 4 * MANY, started,
             pl_errno_name(err),
             started == -1 && err == ENOSYS
                 ? "is it still the starter stub?"
             : started == -1 ? "when fork() fails, return the number of "
                            "children started so far, so that the caller "
                            "can still reap them"
                          : "fork() should have failed with EAGAIN");
    PL_CHECK(err == EAGAIN,
             "expected errno EAGAIN, fork()'s error at the process limit, "
             "got %s: leave fork()'s errno as it is when you return",
             pl_errno_name(err));
    PL_CHECK(not_zombie < 0,
             "expected each of the %d children started to be a zombie, but "
             "pids[%d] did not become one",
             started, not_zombie);
}

static const struct pl_test_case tests[] = {
    {&test_zombie_stays_until_reaped,
     "exited child stays a zombie until reaped", 2, "Step 1", TIMEOUT_S},
    {&test_make_zombie_rejects_bad_code,
     "zb_make_zombie rejects codes outside 0..255", 1, "Step 1", TIMEOUT_S},
    {&test_state_reader_sees_each_state,
     "zb_proc_state reads R, S, T and Z", 2, "Step 1", TIMEOUT_S},
    {&test_state_reader_skips_odd_names,
     "zb_proc_state reads past ')' in a name", 2, "Step 1", TIMEOUT_S},
    {&test_reap_removes_zombie,
     "zb_reap returns the code and removes the zombie", 2, "Step 1",
     TIMEOUT_S},
    {&test_wait_leaves_no_zombie, "waiting for the task leaves no zombie", 2,
     "Step 2", TIMEOUT_S},
    {&test_ignored_sigchld_kernel_reaps,
     "with SIGCHLD ignored the kernel reaps the child", 2, "Step 3",
     TIMEOUT_S},
    {&test_nocldwait_kernel_reaps,
     "with SA_NOCLDWAIT the kernel reaps the child", 2, "Step 3", TIMEOUT_S},
    {&test_sigchld_action_restored,
     "the caller's SIGCHLD action comes back", 2, "Step 3", TIMEOUT_S},
    {&test_unreaped_rejects_unknown_how,
     "zb_run_unreaped rejects an unknown how", 1, "Step 3", TIMEOUT_S},
    {&test_double_fork_subreaper_adopts,
     "the subreaper adopts the double-forked grandchild", 3, "Step 4",
     TIMEOUT_S},
    {&test_make_zombies_leaves_n, "zb_make_zombies leaves n zombies", 1,
     "Step 5", TIMEOUT_S},
    {&test_reap_zombies_spares_running,
     "zb_reap_zombies reaps only ended children", 2, "Step 5", TIMEOUT_S},
    {&test_zombies_count_against_nproc, "zombies count against RLIMIT_NPROC",
     1, "Step 5", TIMEOUT_S},
};

PL_LAB("09-zombies", tests)
