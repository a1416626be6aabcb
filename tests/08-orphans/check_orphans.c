/*
 * check_orphans.c - graded tests for Lab 08: orphans, subreapers and
 * parent-death signals.
 *
 * Who adopts an orphan depends on where the tests run. They run on
 * laptops, in containers whose PID 1 is some other program, and in the
 * grader, which may make the test program PID 1 of a PID namespace of
 * its own. So no test expects the new parent to be 1, or any process
 * above the test: Linux shows no other process's subreaper flag, and
 * how the test program arranges its own processes is its own business.
 * Every test that makes an orphan first makes itself a child subreaper,
 * so the test process is the nearest one above the orphan, and expects
 * to adopt it:
 *
 *   - when the test process calls the lab function itself, and
 *   - when a child of the test calls it: a subreaper's child is no
 *     subreaper, so the kernel passes over that caller and goes on up.
 *
 * The test then reaps each orphan itself. No test relies on PID 1 to do
 * that: some inits reap adopted zombies only every few seconds, and an
 * init that never calls wait() reaps nobody.
 *
 * Every wait is for an event: a byte or end of file on a pipe, a child
 * that waitpid() returns, or a state in /proc/PID/stat polled with a
 * deadline. The harness runs each test in a process of its own, and
 * afterwards fails it if a child was left unreaped or a descriptor open.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orphans.h"
#include "pl_test.h"
#include "proclab.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

/* Exit code of a test helper process that found itself running test code
 * after a lab function returned in it, which only a stray child does. */
#define STRAY_EXIT 93

/*
 * Repetitions of a scenario whose wrong versions fail only when the
 * scheduler runs the processes in one of the possible orders. The worst
 * such version lets the orphan look at getppid() as soon as the middle's
 * pipe end closes, before or during _exit(). On a 2-CPU virtual machine
 * with Linux 6.18, 100 adoption rounds caught it in all 50 grades tried
 * on an idle machine. Under load the orphan often runs only after the
 * middle has finished exiting: with two busy loops and a load average
 * near 15, the rounds that fit the budget missed it in 3 to 6 grades of
 * 20. A round takes about 1 ms idle and up to 25 ms under such load, so
 * the adoption test stops early once it has used its time budget, which
 * keeps it well within its deadline.
 */
#define FIRST_PARENT_ROUNDS 30
#define ADOPTION_ROUNDS 200
#define ADOPTION_MIN_ROUNDS 20
#define ADOPTION_BUDGET_MS 1500
#define PLAIN_CALLER_ROUNDS 20
#define SPAWN_ROUNDS 20

/* More ancestors than any process here has. */
#define MAX_CHAIN 64

#define TIMEOUT_S 5.0

/* How long the test waits for an event that a correct function causes
 * at once, such as an orphan ending after it sent its report. */
static int event_ms(void)
{
    return (int)(1000 * pl_test_scale());
}

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EIO:
        return "EIO means a child ended without sending its full report, "
               "or the middle process did not end with _exit(0)";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    case ECHILD:
        return "ECHILD means waitpid() was called for a process that is "
               "not a child of the caller";
    default:
        return "a call inside the function failed";
    }
}

/* Fail unless a lab function named name returned 0. */
#define CHECK_RETURNED_ZERO(name, rc, err)                                     \
    PL_CHECK((rc) == 0, "expected %s to return 0, got %d (errno %s, %s): %s",  \
             (name), (rc), pl_errno_name(err), strerror(err),                  \
             failure_hint(err))

static void set_subreaper(int on)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)on) == -1)
        PL_FAIL("test setup: prctl(PR_SET_CHILD_SUBREAPER, %d) failed: %s "
                "(%s)",
                on, pl_errno_name(errno), strerror(errno));
}

static int is_subreaper(void)
{
    int on = 0;

    if (prctl(PR_GET_CHILD_SUBREAPER, &on) == -1)
        PL_FAIL("test: prctl(PR_GET_CHILD_SUBREAPER) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    return on;
}

/* Describe a waitpid() status in words, in a buffer of the caller. */
#define DESCRIBE(status, buf) pl_describe_status((status), (buf), sizeof(buf))

/* --- orphans the test collects ----------------------------------------- */

/* What became of an orphan that should end at once after its report. */
enum orphan_end {
    ORPHAN_REAPED,      /* it was the test's child, now reaped */
    ORPHAN_ENDED,       /* it ended, and is not the test's child */
    ORPHAN_RUNNING,     /* it did not end in time, and was killed */
    ORPHAN_NO_PID,      /* the report named no valid PID */
};

/*
 * Wait at most timeout_ms for process pid to end. Returns 0 once it has
 * ended (a zombie, or gone), or -1 with errno ETIMEDOUT.
 *
 * A pidfd becomes readable when its process ends, also when the test is
 * not its parent, so the test sleeps until that event. Kernels before
 * Linux 5.3 have no pidfd_open(), and there /proc/PID/stat is polled
 * instead.
 */
static int wait_for_end(pid_t pid, int timeout_ms)
{
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
    int pidfd = -1;

    errno = ENOSYS;
#endif
    struct pollfd p = {pidfd, POLLIN, 0};
    int ready;

    if (pidfd == -1 && errno == ESRCH)
        return 0;
    if (pidfd == -1) {
        if (pl_proc_wait_state(pid, 'Z', timeout_ms) == -1 &&
            errno == ETIMEDOUT)
            return -1;
        return 0;
    }
    do
        ready = poll(&p, 1, timeout_ms);
    while (ready == -1 && errno == EINTR);
    pl_close(pidfd);
    if (ready == 1)
        return 0;
    errno = ETIMEDOUT;
    return -1;
}

/*
 * Wait until the orphan has ended, and reap it when it is the test's
 * child. An orphan adopted by the harness stays a zombie until the
 * harness sweeps after the test, which is fine: only a running process
 * left behind fails a test.
 */
static enum orphan_end collect_orphan(pid_t orphan, int *status)
{
    if (orphan <= 0 || orphan == getpid())
        return ORPHAN_NO_PID;
    if (wait_for_end(orphan, event_ms()) == -1) {
        kill(orphan, SIGKILL);
        if (waitpid(orphan, status, 0) == -1)
            wait_for_end(orphan, event_ms());
        return ORPHAN_RUNNING;
    }
    if (waitpid(orphan, status, 0) == orphan)
        return ORPHAN_REAPED;
    return ORPHAN_ENDED;
}

/*
 * The likely cause of an orphan reporting got as its parent after the
 * middle exited, when the test process was right. plain_caller is the
 * process that called orph_watch_adoption without being a subreaper, or
 * -1 when the test process called it.
 */
static const char *ppid_after_hint(const struct orph_adoption *r, pid_t got,
                                   pid_t plain_caller)
{
    if (got == UNSET)
        return "nothing was stored: the caller must read the orphan's "
               "report from the pipe into *r";
    if (got == r->middle)
        return "that is the middle process: the orphan looked before the "
               "kernel had given it a new parent. Let the orphan look "
               "again only after the caller has reaped the middle with "
               "waitpid(); the end of file that the middle's exit causes "
               "comes too early";
    if (got == plain_caller)
        return "that is the caller, which is not a child subreaper in this "
               "test: does orph_watch_adoption make its caller a "
               "subreaper? That is the job of orph_adopt_and_reap (Step 2)";
    if (got == 1)
        return "1 is the init of the PID namespace, which adopts an orphan "
               "only when no subreaper is above it";
    return "the orphan must call getppid() after the middle was reaped";
}

/* --- Step 1 ------------------------------------------------------------ */

PL_TEST(test_orphan_first_parent_is_middle)
{
    set_subreaper(1);
    for (int round = 0; round < FIRST_PARENT_ROUNDS; round++) {
        struct orph_adoption r = {UNSET, UNSET, UNSET, UNSET, UNSET, UNSET};
        int rc = PL_CALL(orph_watch_adoption(&r));
        int err = errno;
        int status;

        collect_orphan(r.orphan, &status);
        CHECK_RETURNED_ZERO("orph_watch_adoption", rc, err);
        PL_CHECK(r.middle > 0 && r.middle != getpid(),
                 "expected r->middle to be the PID of the middle process, "
                 "which fork() returned to the caller, got %d",
                 (int)r.middle);
        PL_CHECK(r.orphan > 0 && r.orphan != r.middle &&
                     r.orphan != getpid(),
                 "expected r->orphan to be the orphan's own PID, from "
                 "getpid() in the orphan, got %d (middle %d, caller %d)",
                 (int)r.orphan, (int)r.middle, (int)getpid());
        PL_CHECK(r.ppid_before == r.middle,
                 "in round %d, expected the orphan's getppid() before the "
                 "middle exited to return the middle's PID %d, got %d: %s",
                 round + 1, (int)r.middle, (int)r.ppid_before,
                 r.ppid_before == getpid()
                     ? "the middle had already exited when the orphan "
                       "looked. The middle must wait until the orphan "
                       "has read getppid() (a pl_sync handshake) before "
                       "it calls _exit()"
                     : "the orphan must call getppid() first thing, and "
                       "send what it returned");
        PL_CHECK(r.stat_ppid_before == r.middle,
                 "in round %d, expected the parent PID in the orphan's "
                 "/proc/self/stat before the middle exited to be %d, got "
                 "%d: read it with pl_proc_read_stat(0, &st) in the "
                 "orphan, right after getppid()",
                 round + 1, (int)r.middle, (int)r.stat_ppid_before);
    }
}

/* Whether the adoption test runs another round, within its budget. */
static int another_adoption_round(int round, long long start_ms)
{
    long long used = pl_now_ms() - start_ms;

    if (round >= ADOPTION_ROUNDS)
        return 0;
    return round < ADOPTION_MIN_ROUNDS ||
           used < (long long)(ADOPTION_BUDGET_MS * pl_test_scale());
}

PL_TEST(test_subreaper_adopts_orphan)
{
    long long start_ms = pl_now_ms();
    char how[128];

    set_subreaper(1);
    for (int round = 0; another_adoption_round(round, start_ms); round++) {
        struct orph_adoption r = {UNSET, UNSET, UNSET, UNSET, UNSET, UNSET};
        int rc = PL_CALL(orph_watch_adoption(&r));
        int err = errno;
        int status = 0;
        enum orphan_end end = collect_orphan(r.orphan, &status);

        CHECK_RETURNED_ZERO("orph_watch_adoption", rc, err);
        PL_CHECK(r.ppid_after == getpid(),
                 "in round %d, expected the orphan's getppid() after the "
                 "middle exited to return %d, the test process: it made "
                 "itself a child subreaper, so it is the nearest one above "
                 "the orphan. Got %d: %s",
                 round + 1, (int)getpid(), (int)r.ppid_after,
                 ppid_after_hint(&r, r.ppid_after, -1));
        PL_CHECK(r.stat_ppid_after == getpid(),
                 "in round %d, expected the parent PID in the orphan's "
                 "/proc/self/stat after the middle exited to be %d, the "
                 "test process, got %d: %s",
                 round + 1, (int)getpid(), (int)r.stat_ppid_after,
                 ppid_after_hint(&r, r.stat_ppid_after, -1));
        PL_CHECK(end != ORPHAN_RUNNING,
                 "expected the orphan %d to end right after it sent its "
                 "report, but it was still running %d ms later: the "
                 "orphan must end with _exit(0)",
                 (int)r.orphan, event_ms());
        PL_CHECK(end == ORPHAN_REAPED,
                 "expected the orphan %d to become the test's child, so "
                 "that the test could reap it, but waitpid() failed: %s",
                 (int)r.orphan,
                 end == ORPHAN_NO_PID
                     ? "r->orphan is not a valid PID"
                     : "orph_watch_adoption must not wait for the orphan, "
                       "which is not its child in general; the caller "
                       "reaps it when it is a subreaper");
        PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                 "expected the orphan to end with _exit(0), but it %s",
                 DESCRIBE(status, how));
    }
}

/* What a caller process of the test sends back after Step 1 returned. */
struct caller_report {
    int rc;
    int err;
    int subreaper_after; /* its subreaper flag after the call */
    struct orph_adoption r;
};

/*
 * Run orph_watch_adoption in a child of the test, which is no subreaper,
 * and store what it returned in *out. Returns the child's wait status.
 */
static int call_in_plain_caller(pid_t *caller, struct caller_report *out)
{
    int fds[2];
    int status;
    size_t got;

    pl_pipe(fds);
    fflush(NULL);
    *caller = pl_fork();
    if (*caller == 0) {
        /* Caller: a subreaper's child is no subreaper, so the kernel
         * passes over this process to find the orphan's new parent. */
        pid_t self = getpid();
        struct caller_report sent = {
            0, 0, 0, {UNSET, UNSET, UNSET, UNSET, UNSET, UNSET}};

        pl_close(fds[0]);
        sent.rc = orph_watch_adoption(&sent.r);
        sent.err = errno;
        if (getpid() != self)
            _exit(STRAY_EXIT);
        if (prctl(PR_GET_CHILD_SUBREAPER, &sent.subreaper_after) == -1)
            sent.subreaper_after = -1;
        pl_write_all(fds[1], &sent, sizeof(sent));
        _exit(0);
    }
    pl_close(fds[1]);
    got = pl_read_full(fds[0], out, sizeof(*out));
    pl_close(fds[0]);
    pl_waitpid(*caller, &status, 0);
    if (got != sizeof(*out))
        out->rc = UNSET;
    return status;
}

PL_TEST(test_orphan_passes_over_plain_caller)
{
    char how[128];

    /* The test is the nearest subreaper above the caller, whatever runs
     * the test: the kernel takes the first one it finds going up. */
    set_subreaper(1);
    for (int round = 0; round < PLAIN_CALLER_ROUNDS; round++) {
        struct caller_report rep;
        struct orph_adoption *r = &rep.r;
        pid_t caller;
        int caller_status = call_in_plain_caller(&caller, &rep);
        int status = 0;
        enum orphan_end end = ORPHAN_NO_PID;

        if (rep.rc != UNSET)
            end = collect_orphan(r->orphan, &status);
        PL_CHECK(rep.rc != UNSET,
                 "the process that called orph_watch_adoption %s before "
                 "the call returned: %s",
                 DESCRIBE(caller_status, how),
                 WIFEXITED(caller_status) &&
                         WEXITSTATUS(caller_status) == STRAY_EXIT
                     ? "a child of the function returned from it, but every "
                       "child must end with _exit()"
                     : "see the function's other failures");
        CHECK_RETURNED_ZERO("orph_watch_adoption", rep.rc, rep.err);
        PL_CHECK(r->ppid_after == getpid(),
                 "in round %d, expected the orphan's getppid() after the "
                 "middle exited to return %d, the test process: the caller "
                 "%d of orph_watch_adoption is no subreaper, so the kernel "
                 "passes over it to the nearest subreaper above, the test. "
                 "Got %d: %s",
                 round + 1, (int)getpid(), (int)caller, (int)r->ppid_after,
                 ppid_after_hint(r, r->ppid_after, caller));
        PL_CHECK(r->stat_ppid_after == getpid(),
                 "in round %d, expected the parent PID in the orphan's "
                 "/proc/self/stat after the middle exited to be %d, the "
                 "test process, got %d: %s",
                 round + 1, (int)getpid(), (int)r->stat_ppid_after,
                 ppid_after_hint(r, r->stat_ppid_after, caller));
        PL_CHECK(end != ORPHAN_RUNNING,
                 "expected the orphan %d to end right after it sent its "
                 "report, but it was still running %d ms later: the "
                 "orphan must end with _exit(0)",
                 (int)r->orphan, event_ms());
        PL_CHECK(end == ORPHAN_REAPED,
                 "expected the orphan %d to become the test's child, so "
                 "that the test could reap it, but waitpid() failed",
                 (int)r->orphan);
        PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                 "expected the orphan to end with _exit(0), but it %s%s",
                 DESCRIBE(status, how),
                 WIFEXITED(status) && WEXITSTATUS(status) == STRAY_EXIT
                     ? ": it returned from orph_watch_adoption into the "
                       "caller's code instead"
                     : "");
        PL_CHECK(rep.subreaper_after == 0,
                 "orph_watch_adoption left its caller a child subreaper: "
                 "only orph_adopt_and_reap (Step 2) may change that flag, "
                 "and it must set it back");
    }
}

/* --- Step 2 ------------------------------------------------------------ */

PL_TEST(test_adopt_and_reap_reaps_orphan)
{
    struct orph_adoption r = {UNSET, UNSET, UNSET, UNSET, UNSET, UNSET};
    int status = UNSET;
    int rc = PL_CALL(orph_adopt_and_reap(&r, &status));
    int err = errno;
    struct pl_proc_stat st;
    int orphan_left = 0;
    char how[128];

    /* A reaped orphan has no /proc entry any more. One that is still
     * there gets the time to end that it needs after its report. */
    if (r.orphan > 0 && r.orphan != getpid()) {
        int ended = wait_for_end(r.orphan, event_ms()) == 0;

        if (pl_proc_read_stat(r.orphan, &st) == 0) {
            orphan_left = ended ? 'Z' : 'R';
            if (!ended)
                kill(r.orphan, SIGKILL);
            if (st.ppid == getpid())
                waitpid(r.orphan, NULL, 0);
        }
    }
    CHECK_RETURNED_ZERO("orph_adopt_and_reap", rc, err);
    PL_CHECK(r.ppid_after == getpid(),
             "expected the orphan's getppid() after the middle exited to "
             "return %d, the caller, got %d: orph_adopt_and_reap must make "
             "its caller a child subreaper with "
             "prctl(PR_SET_CHILD_SUBREAPER, 1) before the middle exits. %s",
             (int)getpid(), (int)r.ppid_after,
             r.ppid_after == getppid()
                 ? "This is the harness above the test, the subreaper that "
                   "adopts an orphan when the caller is not one"
                 : "");
    PL_CHECK(orphan_left != 'Z',
             "the orphan %d is still a zombie after orph_adopt_and_reap "
             "returned: a subreaper must wait for every orphan it adopts, "
             "or they pile up as zombies",
             (int)r.orphan);
    PL_CHECK(orphan_left != 'R',
             "the orphan %d was still running %d ms after "
             "orph_adopt_and_reap returned: it must end with _exit(0) "
             "after its report, and the caller must reap it with "
             "waitpid()",
             (int)r.orphan, event_ms());
    PL_CHECK(status != UNSET,
             "expected *status to hold the orphan's wait status, but "
             "nothing was stored: pass status to waitpid(r->orphan, "
             "status, 0)");
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "expected *status to show that the orphan exited with code 0, "
             "but it %s",
             DESCRIBE(status, how));
}

PL_TEST(test_adopt_and_reap_restores_flag)
{
    for (int was = 0; was <= 1; was++) {
        struct orph_adoption r = {UNSET, UNSET, UNSET, UNSET, UNSET, UNSET};
        int status = UNSET;
        int rc, err, now;

        set_subreaper(was);
        rc = PL_CALL(orph_adopt_and_reap(&r, &status));
        err = errno;
        now = is_subreaper();
        CHECK_RETURNED_ZERO("orph_adopt_and_reap", rc, err);
        PL_CHECK(now == was,
                 "expected the caller's subreaper flag to be %d after "
                 "orph_adopt_and_reap, as it was before the call, got %d: "
                 "read it with prctl(PR_GET_CHILD_SUBREAPER, &was) first "
                 "and set that value back at the end. %s",
                 was, now,
                 was ? "A program that is a subreaper on purpose must "
                       "stay one"
                     : "A caller left a subreaper adopts every orphan "
                       "below it from then on, and must reap them all");
    }
}

/* --- Step 3 ------------------------------------------------------------ */

/* One case for orph_parse_nspid: a status text and what it must give. */
struct nspid_case {
    const char *description;
    const char *text;
    int count;
    pid_t pids[3];
};

/*
 * A thread of a process two namespaces down: NStgid (its process) and
 * NSpid (the thread itself) differ, and NSpgid and NSsid follow NSpid.
 */
static const char thread_status[] =
    "Name:\tworker\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4711\n"
    "Ngid:\t0\nPid:\t4712\nPPid:\t4700\nTracerPid:\t0\n"
    "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"
    "FDSize:\t64\nGroups:\t1000 \nNStgid:\t4711\t23\t1\n"
    "NSpid:\t4712\t24\t2\nNSpgid:\t4711\t23\t1\nNSsid:\t4600\t0\t0\n"
    "VmPeak:\t    2680 kB\nThreads:\t2\n";

static const struct nspid_case nspid_cases[] = {
    {"a thread two namespaces down", thread_status, 3, {4712, 24, 2}},
    {"a process in one namespace",
     "Name:\tsh\nPid:\t42\nPPid:\t1\nNStgid:\t42\nNSpid:\t42\n"
     "NSpgid:\t42\nNSsid:\t42\n",
     1, {42, 0, 0}},
    {"a program named \"NSpid: 7\", whose Name line comes first",
     "Name:\tNSpid: 7\nPid:\t99\nNStgid:\t99\nNSpid:\t99\n", 1, {99, 0, 0}},
    {"a text that ends without a newline", "Pid:\t5\nNSpid:\t5\t1", 2,
     {5, 1, 0}},
};

PL_TEST(test_parse_nspid_reads_levels)
{
    size_t ncases = sizeof(nspid_cases) / sizeof(nspid_cases[0]);
    pid_t pids[4];
    int got, err;

    for (size_t i = 0; i < ncases; i++) {
        const struct nspid_case *c = &nspid_cases[i];

        for (int k = 0; k < 4; k++)
            pids[k] = UNSET;
        got = orph_parse_nspid(c->text, pids, 4);
        err = errno;
        PL_CHECK(got == c->count,
                 "for %s, expected orph_parse_nspid to return %d, got %d "
                 "(errno %s): %s",
                 c->description, c->count, got, pl_errno_name(err),
                 got == -1 && err == ENOSYS
                     ? "is it still the starter stub?"
                     : "count the PIDs on the line that starts with "
                       "\"NSpid:\", and only that line");
        for (int k = 0; k < c->count; k++)
            PL_CHECK(pids[k] == c->pids[k],
                     "for %s, expected PID %d of the NSpid line to be %d, "
                     "got %d: store them in the order of the line, from "
                     "the namespace of /proc down to the process's own%s",
                     c->description, k + 1, (int)c->pids[k], (int)pids[k],
                     i == 2 ? ". Match \"NSpid:\" only at the start of a "
                              "line: a program may give itself any name"
                            : "");
        PL_CHECK(pids[c->count] == UNSET,
                 "for %s, orph_parse_nspid stored %d after the %d PIDs of "
                 "the line: store only what the line lists",
                 c->description, (int)pids[c->count], c->count);
    }

    /* A short array: the count of the line, but only max PIDs stored. */
    for (int k = 0; k < 4; k++)
        pids[k] = UNSET;
    got = orph_parse_nspid(thread_status, pids, 2);
    PL_CHECK(got == 3,
             "with max 2 and three PIDs on the NSpid line, expected "
             "orph_parse_nspid to return 3, the count on the line, got %d",
             got);
    PL_CHECK(pids[0] == 4712 && pids[1] == 24,
             "with max 2, expected the first two PIDs 4712 and 24 to be "
             "stored, got %d and %d",
             (int)pids[0], (int)pids[1]);
    PL_CHECK(pids[2] == UNSET,
             "with max 2, orph_parse_nspid wrote %d past the end of the "
             "array: store at most max PIDs",
             (int)pids[2]);

    /* Kernels before Linux 4.1 have no NSpid line at all. */
    errno = 0;
    got = orph_parse_nspid("Name:\told\nPid:\t7\nPPid:\t1\n", pids, 4);
    err = errno;
    PL_CHECK(got == -1,
             "expected orph_parse_nspid to return -1 for a text with no "
             "NSpid line, got %d",
             got);
    PL_CHECK(err == ENOENT,
             "expected errno ENOENT for a text with no NSpid line, got %s "
             "(%s)",
             pl_errno_name(err), strerror(err));
}

/*
 * The test's own reading of the PID that process pid has in its own
 * namespace: the last number on the NSpid line of /proc/PID/status.
 */
static pid_t own_ns_pid(pid_t pid)
{
    char path[64];
    char line[512];
    pid_t last = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        PL_FAIL("test setup: fopen(%s) failed: %s (%s)", path,
                pl_errno_name(errno), strerror(errno));
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line + strlen("NSpid:");
        char *end;

        if (strncmp(line, "NSpid:", strlen("NSpid:")) != 0)
            continue;
        for (;;) {
            long value = strtol(p, &end, 10);

            if (end == p)
                break;
            last = (pid_t)value;
            p = end;
        }
        break;
    }
    fclose(f);
    if (last <= 0)
        PL_FAIL("test setup: no NSpid line in %s; this kernel is older "
                "than Linux 4.1",
                path);
    return last;
}

/* Walk up from pid the test's own way, and return the count. */
static int own_ancestors(pid_t pid, struct orph_ancestor *out, int max)
{
    struct pl_proc_stat st;
    int count = 0;

    if (pl_proc_read_stat(pid, &st) == -1)
        PL_FAIL("test setup: pl_proc_read_stat(%d) failed: %s (%s)",
                (int)pid, pl_errno_name(errno), strerror(errno));
    while (st.ppid != 0 && count < max) {
        pid_t parent = st.ppid;

        if (pl_proc_read_stat(parent, &st) == -1)
            PL_FAIL("test setup: pl_proc_read_stat(%d) failed: %s (%s)",
                    (int)parent, pl_errno_name(errno), strerror(errno));
        out[count].pid = parent;
        snprintf(out[count].comm, sizeof(out[count].comm), "%s", st.comm);
        out[count].ns_pid = own_ns_pid(parent);
        count++;
    }
    return count;
}

/* Write "PID (comm), ..." for the chain into buf, for messages. */
static const char *chain_text(const struct orph_ancestor *a, int n,
                              char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; i < n && used + 80 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d (%s)",
                                 i ? ", " : "", (int)a[i].pid, a[i].comm);
    return buf;
}

/* Compare a chain from orph_list_ancestors with the test's own. */
static void check_chain(const char *whose, const struct orph_ancestor *got,
                        const struct orph_ancestor *expected, int n)
{
    for (int i = 0; i < n; i++) {
        PL_CHECK(got[i].pid == expected[i].pid,
                 "ancestor %d of %s: expected PID %d (%s), got %d: start "
                 "with the parent in field 4 of /proc/PID/stat, then "
                 "follow each ancestor's own parent field",
                 i + 1, whose, (int)expected[i].pid, expected[i].comm,
                 (int)got[i].pid);
        PL_CHECK(strcmp(got[i].comm, expected[i].comm) == 0,
                 "ancestor %d of %s (PID %d): expected comm \"%s\", got "
                 "\"%s\": copy the program name from that ancestor's "
                 "/proc/PID/stat",
                 i + 1, whose, (int)expected[i].pid, expected[i].comm,
                 got[i].comm);
        PL_CHECK(got[i].ns_pid == expected[i].ns_pid,
                 "ancestor %d of %s (PID %d): expected ns_pid %d, the last "
                 "PID on the NSpid line of its /proc/PID/status, got %d",
                 i + 1, whose, (int)expected[i].pid, (int)expected[i].ns_pid,
                 (int)got[i].ns_pid);
    }
}

/*
 * NOTE: /proc here belongs to the test's own namespace, so every NSpid
 * line the tests read lists one PID and ns_pid equals pid. Taking the
 * first NSpid value instead of the last passes here. The parse test
 * covers the order of nested values.
 */
PL_TEST(test_ancestors_reach_namespace_init)
{
    struct orph_ancestor expected[MAX_CHAIN];
    struct orph_ancestor got[MAX_CHAIN];
    int n = own_ancestors(0, expected, MAX_CHAIN);
    char want[1024];
    int count;
    int err;

    memset(got, 0, sizeof(got));
    count = orph_list_ancestors(0, got, MAX_CHAIN);
    err = errno;
    PL_CHECK(count != -1,
             "expected orph_list_ancestors(0, ...) to return %d, got -1 "
             "(errno %s, %s): %s",
             n, pl_errno_name(err), strerror(err), failure_hint(err));
    PL_CHECK(count == n,
             "expected orph_list_ancestors(0, ...) to return %d, got %d. "
             "The processes above the test, up to the init of its PID "
             "namespace, are: %s. Follow the parent PIDs and stop after "
             "the process whose own parent PID reads 0, counting that one",
             n, count, chain_text(expected, n, want, sizeof(want)));
    check_chain("the test process", got, expected, n);
}

PL_TEST(test_ancestors_of_another_process)
{
    struct orph_ancestor expected[MAX_CHAIN];
    struct orph_ancestor got[MAX_CHAIN];
    struct orph_ancestor first[2];
    int n = own_ancestors(0, expected + 1, MAX_CHAIN - 1);
    int fds[2];
    pid_t child;
    int count, count_short, err;
    struct pl_proc_stat self;

    /* The child's ancestors are the test process and the test's own. */
    if (pl_proc_read_stat(0, &self) == -1)
        PL_FAIL("test setup: pl_proc_read_stat(0) failed: %s",
                pl_errno_name(errno));
    expected[0].pid = getpid();
    snprintf(expected[0].comm, sizeof(expected[0].comm), "%s", self.comm);
    expected[0].ns_pid = own_ns_pid(getpid());
    n++;

    /* A child that waits, so that its chain stays as it is. */
    pl_pipe(fds);
    child = pl_fork();
    if (child == 0) {
        char byte;

        pl_close(fds[1]);
        pl_read_full(fds[0], &byte, 1);
        _exit(0);
    }
    pl_close(fds[0]);

    memset(got, 0, sizeof(got));
    count = orph_list_ancestors(child, got, MAX_CHAIN);
    err = errno;
    memset(first, 0, sizeof(first));
    first[1].pid = UNSET;
    count_short = orph_list_ancestors(child, first, 1);

    /* Closing the write end lets the child read end of file and exit. */
    pl_close(fds[1]);
    pl_waitpid(child, NULL, 0);

    PL_CHECK(count != -1,
             "expected orph_list_ancestors(%d, ...) for a child of the "
             "test to return %d, got -1 (errno %s, %s): %s",
             (int)child, n, pl_errno_name(err), strerror(err),
             failure_hint(err));
    PL_CHECK(count == n,
             "expected orph_list_ancestors(%d, ...) for a child of the "
             "test to return %d, the test process and the %d above it, "
             "got %d: %s",
             (int)child, n, n - 1, count,
             count > 0 && got[0].pid == getppid()
                 ? "the first ancestor is the test's parent, so the walk "
                   "started at the caller instead of at the pid argument"
                 : "start at the parent of pid, and stop after the process "
                   "whose own parent PID reads 0, counting that one");
    check_chain("a child of the test", got, expected, n);
    PL_CHECK(count_short == n,
             "with max 1, expected orph_list_ancestors to return %d, the "
             "number of ancestors, got %d: count every ancestor but store "
             "only max of them",
             n, count_short);
    PL_CHECK(first[0].pid == getpid(),
             "with max 1, expected the one stored ancestor to be the test "
             "process %d, got %d",
             (int)getpid(), (int)first[0].pid);
    PL_CHECK(first[1].pid == UNSET,
             "with max 1, orph_list_ancestors wrote past the end of out: "
             "store at most max ancestors");
}

/* --- Step 4: a watcher that the test starts ----------------------------- */

/* What orph_watch_parent returned in the watcher, sent to the test. */
struct call_result {
    int rc;
    int err;
};

/*
 * A middle process and its child, the watcher, which calls
 * orph_watch_parent() on the middle once the test sends it a byte. The test
 * is a subreaper, so it adopts the watcher when the middle dies.
 */
struct family {
    pid_t middle;
    pid_t watcher;
    int hold_fd;   /* write end: the middle waits on it until killed */
    int go_fd;     /* write end: one byte starts the watcher's call */
    int ready_fd;  /* read end: the watcher's ready byte */
    int report_fd; /* read end: its struct orph_death_report */
    int result_fd; /* read end: its struct call_result */
};

/* In the watcher: wait for the test, call the lab, send the result. */
static void run_watcher(pid_t parent, int sig, int go_fd, int ready_fd,
                        int report_fd, int result_fd)
{
    pid_t self = getpid();
    struct call_result res;
    char byte;

    if (pl_read_full(go_fd, &byte, 1) != 1)
        _exit(1);
    pl_close(go_fd);
    res.rc = orph_watch_parent(parent, sig, ready_fd, report_fd);
    res.err = errno;
    if (getpid() != self)
        _exit(STRAY_EXIT);
    pl_write_all(result_fd, &res, sizeof(res));
    _exit(0);
}

static void start_family(struct family *f, int sig)
{
    int hold[2], go[2], ready[2], report[2], result[2], info[2];

    pl_pipe(hold);
    pl_pipe(go);
    pl_pipe(ready);
    pl_pipe(report);
    pl_pipe(result);
    pl_pipe(info);
    fflush(NULL);
    f->middle = pl_fork();
    if (f->middle == 0) {
        /* Middle: it keeps only hold's read end and info's write end;
         * the watcher inherits the ends it needs before they close. */
        pid_t self = getpid();
        pid_t watcher;
        char byte;

        pl_close(hold[1]);
        pl_close(info[0]);
        pl_close(go[1]);
        pl_close(ready[0]);
        pl_close(report[0]);
        pl_close(result[0]);
        watcher = pl_fork();
        if (watcher == 0) {
            pl_close(hold[0]);
            pl_close(info[1]);
            run_watcher(self, sig, go[0], ready[1], report[1], result[1]);
        }
        pl_close(go[0]);
        pl_close(ready[1]);
        pl_close(report[1]);
        pl_close(result[1]);
        pl_write_all(info[1], &watcher, sizeof(watcher));
        pl_close(info[1]);
        /* Live until the test kills this process, or ends. */
        pl_read_full(hold[0], &byte, 1);
        _exit(0);
    }

    /* Test: keep the ends that talk to the watcher and hold the middle. */
    pl_close(hold[0]);
    pl_close(info[1]);
    pl_close(go[0]);
    pl_close(ready[1]);
    pl_close(report[1]);
    pl_close(result[1]);
    f->hold_fd = hold[1];
    f->go_fd = go[1];
    f->ready_fd = ready[0];
    f->report_fd = report[0];
    f->result_fd = result[0];
    if (pl_read_full(info[0], &f->watcher, sizeof(f->watcher)) !=
        sizeof(f->watcher))
        PL_FAIL("test setup: the middle process ended before it sent "
                "the watcher's PID");
    pl_close(info[0]);
}

/* Start the watcher's call of orph_watch_parent(). */
static void release_watcher(struct family *f)
{
    pl_write_all(f->go_fd, "g", 1);
    pl_close(f->go_fd);
    f->go_fd = -1;
}

static void kill_middle(struct family *f)
{
    kill(f->middle, SIGKILL);
    pl_waitpid(f->middle, NULL, 0);
    pl_close(f->hold_fd);
    f->hold_fd = -1;
}

/*
 * Wait at most timeout_ms for fd to become readable: data, or end of
 * file. Returns 1 when it is, 0 at the deadline.
 */
static int readable_within(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    long long deadline = pl_now_ms() + timeout_ms;
    int ready;

    for (;;) {
        long long left = deadline - pl_now_ms();

        ready = poll(&p, 1, left > 0 ? (int)left : 0);
        if (ready != -1 || errno != EINTR)
            break;
    }
    if (ready == -1)
        PL_FAIL("test: poll(fd=%d) failed: %s (%s)", fd,
                pl_errno_name(errno), strerror(errno));
    return ready;
}

/* How the watcher's report came, or did not. */
enum report_state { REPORT_FULL, REPORT_NONE, REPORT_LATE };

/* What the test learned from one watcher. */
struct watch_outcome {
    enum report_state state;
    struct orph_death_report report;
    int has_result;          /* orph_watch_parent returned in the watcher */
    struct call_result result;
    int status;              /* the watcher's wait status */
    int killed_by_test;      /* the test killed it after the deadline */
    int reaped;              /* the test could reap it */
};

/*
 * Wait for a report on report_fd, then for the watcher to end, and reap
 * it. A watcher that sent no report within event_ms() is killed.
 */
static void collect_watcher(pid_t watcher, int report_fd,
                            struct watch_outcome *o)
{
    size_t got = 0;

    memset(o, 0, sizeof(o[0]));
    o->report.signal = UNSET;
    o->report.new_parent = UNSET;
    if (!readable_within(report_fd, event_ms()))
        o->state = REPORT_LATE;
    else {
        got = pl_read_full(report_fd, &o->report, sizeof(o->report));
        o->state = got == sizeof(o->report) ? REPORT_FULL : REPORT_NONE;
    }
    if (watcher <= 0)
        return;
    if (o->state == REPORT_LATE ||
        (pl_proc_wait_state(watcher, 'Z', event_ms()) == -1 &&
         errno == ETIMEDOUT)) {
        kill(watcher, SIGKILL);
        o->killed_by_test = 1;
    }
    o->reaped = waitpid(watcher, &o->status, 0) == watcher;
}

/* Collect the watcher of a family, and close the test's ends. */
static void finish_family(struct family *f, struct watch_outcome *o)
{
    if (f->hold_fd != -1)
        kill_middle(f);
    if (f->go_fd != -1) {
        pl_close(f->go_fd);
        f->go_fd = -1;
    }
    collect_watcher(f->watcher, f->report_fd, o);
    /* The watcher has ended, so end of file comes if no result does. */
    o->has_result = pl_read_full(f->result_fd, &o->result,
                                 sizeof(o->result)) == sizeof(o->result);
    pl_close(f->report_fd);
    pl_close(f->result_fd);
    pl_close(f->ready_fd);
}

/* Fail when the watcher's call returned -1 or the watcher died early. */
static void check_watcher_ran(const struct watch_outcome *o, int sig)
{
    char how[128];

    PL_CHECK(!o->has_result || o->result.rc == 0,
             "expected orph_watch_parent to return 0 in the watcher, got "
             "%d (errno %s, %s): %s",
             o->result.rc, pl_errno_name(o->result.err),
             strerror(o->result.err), failure_hint(o->result.err));
    PL_CHECK(!(o->reaped && WIFSIGNALED(o->status) &&
               WTERMSIG(o->status) == sig),
             "the watcher was killed by %s, its own death signal, before "
             "it could report: block %s with sigprocmask() before "
             "prctl(PR_SET_PDEATHSIG), so that the signal stays pending "
             "for sigwaitinfo() instead of taking its default action",
             pl_signal_name(sig), pl_signal_name(sig));
    PL_CHECK(!(o->reaped && WIFSIGNALED(o->status) && !o->killed_by_test),
             "the watcher was killed by %s before it reported%s",
             pl_signal_name(WTERMSIG(o->status)),
             WTERMSIG(o->status) == SIGPIPE
                 ? ": it wrote to a pipe that nobody reads any more"
                 : "");
    PL_CHECK(!(o->reaped && WIFEXITED(o->status) &&
               WEXITSTATUS(o->status) == STRAY_EXIT),
             "a child forked inside orph_watch_parent returned from it and "
             "ran the test's code: end every child with _exit()");
    PL_CHECK(o->state != REPORT_NONE || o->killed_by_test,
             "the watcher %s without writing a full struct "
             "orph_death_report to report_fd",
             o->reaped ? DESCRIBE(o->status, how) : "ended");
}

PL_TEST(test_watcher_reports_parent_death)
{
    struct family f;
    struct watch_outcome o;
    int sig = SIGUSR1;
    int armed;

    set_subreaper(1);
    start_family(&f, sig);
    release_watcher(&f);

    /* Kill the middle only after the ready byte: the signal is armed. */
    armed = readable_within(f.ready_fd, event_ms());
    if (armed) {
        char byte;

        armed = pl_read_full(f.ready_fd, &byte, 1) == 1;
    }
    kill_middle(&f);
    finish_family(&f, &o);

    check_watcher_ran(&o, sig);
    PL_CHECK(armed,
             "expected the watcher to write one byte to ready_fd once its "
             "death signal was armed, but none came within %d ms",
             event_ms());
    PL_CHECK(o.state != REPORT_LATE,
             "expected a report within %d ms after the test killed the "
             "watcher's parent, but none came: arm the signal with "
             "prctl(PR_SET_PDEATHSIG, sig) in the watcher itself, and wait "
             "for that signal with sigwaitinfo()",
             event_ms());
    PL_CHECK(o.report.signal == sig,
             "expected the report's signal to be %d (%s), the death signal "
             "asked for, got %d: %s",
             sig, pl_signal_name(sig), o.report.signal,
             o.report.signal == 0
                 ? "0 means the watcher found its parent gone, but the "
                   "parent was alive until the ready byte came. Write "
                   "that byte only after comparing getppid() with the "
                   "parent argument, and compare with nothing else"
                 : "store the number that sigwaitinfo() returned");
    PL_CHECK(o.report.new_parent == getpid(),
             "expected the report's new_parent to be %d, the test process, "
             "a subreaper that adopts the watcher, got %d: call getppid() "
             "after the signal arrived",
             (int)getpid(), (int)o.report.new_parent);
    PL_CHECK(o.reaped && WIFEXITED(o.status),
             "expected the watcher to end after its report, but the test "
             "had to kill it: orph_watch_parent must return once the "
             "report is written");
}

PL_TEST(test_watcher_sees_parent_already_gone)
{
    struct family f;
    struct watch_outcome o;
    int sig = SIGUSR1;

    /* The middle dies before the watcher calls orph_watch_parent, so no
     * death signal can ever come: the watcher was adopted by the test
     * before it armed one. */
    set_subreaper(1);
    start_family(&f, sig);
    kill_middle(&f);
    release_watcher(&f);
    finish_family(&f, &o);

    check_watcher_ran(&o, sig);
    PL_CHECK(o.state != REPORT_LATE,
             "expected a report at once, because the watcher's parent "
             "%d had died before orph_watch_parent was called, but none "
             "came within %d ms. A parent that died before "
             "prctl(PR_SET_PDEATHSIG) sends no signal, so after prctl() "
             "compare getppid() with the parent argument and report at "
             "once when they differ. Comparing with 1 does not do: the "
             "watcher's new parent is the test process %d, a subreaper",
             (int)f.middle, event_ms(), (int)getpid());
    PL_CHECK(o.report.signal == 0,
             "expected the report's signal to be 0, because the parent was "
             "gone before the signal was armed, got %d",
             o.report.signal);
    PL_CHECK(o.report.new_parent == getpid(),
             "expected the report's new_parent to be %d, the test process "
             "that adopted the watcher, got %d",
             (int)getpid(), (int)o.report.new_parent);
}

/* --- Step 4: a watcher that the lab starts ------------------------------ */

/* What the middle process sends the test after orph_spawn_watcher. */
struct spawn_info {
    pid_t watcher;
    int err;
};

/*
 * One round: a middle process calls orph_spawn_watcher and exits as soon
 * as it returns. Fails the test with a message unless the watcher reports
 * sig and the test as its new parent.
 */
static void spawn_round(int round, int sig)
{
    struct spawn_info info = {UNSET, 0};
    struct watch_outcome o;
    int report[2];
    int info_pipe[2];
    pid_t middle;
    int middle_status;
    size_t got;
    char how[128];

    pl_pipe(report);
    pl_pipe(info_pipe);
    fflush(NULL);
    middle = pl_fork();
    if (middle == 0) {
        /* Middle: it dies right after the call, the moment at which a
         * watcher that is not armed yet would miss its signal. */
        pid_t self = getpid();
        struct spawn_info sent;

        pl_close(report[0]);
        pl_close(info_pipe[0]);
        sent.watcher = orph_spawn_watcher(sig, report[1]);
        sent.err = errno;
        if (getpid() != self)
            _exit(STRAY_EXIT);
        pl_write_all(info_pipe[1], &sent, sizeof(sent));
        _exit(0);
    }
    pl_close(report[1]);
    pl_close(info_pipe[1]);
    got = pl_read_full(info_pipe[0], &info, sizeof(info));
    pl_close(info_pipe[0]);
    pl_waitpid(middle, &middle_status, 0);

    if (got != sizeof(info) || info.watcher <= 0) {
        /* There is no watcher to wait for. A stray one ends by itself. */
        collect_watcher(-1, report[0], &o);
        pl_close(report[0]);
        PL_CHECK(got == sizeof(info),
                 "the middle process that called orph_spawn_watcher %s "
                 "before the call returned",
                 DESCRIBE(middle_status, how));
        PL_FAIL("expected orph_spawn_watcher to return the watcher's PID, "
                "got %d (errno %s, %s): %s",
                (int)info.watcher, pl_errno_name(info.err),
                strerror(info.err), failure_hint(info.err));
    }
    collect_watcher(info.watcher, report[0], &o);
    pl_close(report[0]);

    PL_CHECK(o.reaped,
             "expected the watcher %d to become the test's child when its "
             "parent died, but waitpid() failed: orph_spawn_watcher must "
             "return the PID of the child it forked",
             (int)info.watcher);
    PL_CHECK(!(WIFEXITED(o.status) && WEXITSTATUS(o.status) == STRAY_EXIT),
             "the watcher returned from orph_spawn_watcher into the "
             "caller's code: it must end with _exit() after "
             "orph_watch_parent");
    PL_CHECK(!(WIFSIGNALED(o.status) && WTERMSIG(o.status) == sig),
             "the watcher was killed by %s, its own death signal: it must "
             "block the signal before arming it",
             pl_signal_name(sig));
    PL_CHECK(!(WIFSIGNALED(o.status) && !o.killed_by_test),
             "in round %d, the watcher was killed by %s before it "
             "reported%s",
             round + 1, pl_signal_name(WTERMSIG(o.status)),
             WTERMSIG(o.status) == SIGPIPE
                 ? ": it wrote its ready byte into a pipe whose read end "
                   "was closed. orph_spawn_watcher must read that byte "
                   "before it closes the pipe and returns"
                 : "");
    PL_CHECK(o.state != REPORT_LATE,
             "in round %d, no report came within %d ms after the "
             "watcher's parent exited: the watcher must run "
             "orph_watch_parent with the PID its parent had before fork",
             round + 1, event_ms());
    PL_CHECK(o.report.signal == sig,
             "in round %d, expected the watcher to report %s (%d), got %d: "
             "%s",
             round + 1, pl_signal_name(sig), sig, o.report.signal,
             o.report.signal == 0
                 ? "0 means that the watcher found its parent gone, yet "
                   "the parent exited only after orph_spawn_watcher "
                   "returned. It must not return before the watcher's "
                   "ready byte has arrived, and the watcher must send "
                   "that byte only after it compared getppid() with its "
                   "parent"
                 : "the watcher must report the signal it received");
    PL_CHECK(o.report.new_parent == getpid(),
             "in round %d, expected the watcher's new parent to be %d, the "
             "test process, a subreaper, got %d",
             round + 1, (int)getpid(), (int)o.report.new_parent);
    PL_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0,
             "expected the watcher to end with _exit(0) after its report, "
             "but it %s",
             DESCRIBE(o.status, how));
}

PL_TEST(test_spawn_watcher_returns_armed)
{
    set_subreaper(1);
    for (int round = 0; round < SPAWN_ROUNDS; round++)
        spawn_round(round, SIGTERM);
}

static const struct pl_test_case tests[] = {
    {&test_orphan_first_parent_is_middle,
     "the orphan's first parent is the middle process", 2, "Step 1",
     TIMEOUT_S},
    {&test_subreaper_adopts_orphan,
     "a subreaper adopts the orphan of its child", 3, "Step 1", TIMEOUT_S},
    {&test_orphan_passes_over_plain_caller,
     "an orphan passes over a caller that is no subreaper", 3, "Step 1",
     TIMEOUT_S},
    {&test_adopt_and_reap_reaps_orphan,
     "orph_adopt_and_reap adopts the orphan and reaps it", 3, "Step 2",
     TIMEOUT_S},
    {&test_adopt_and_reap_restores_flag,
     "orph_adopt_and_reap restores the subreaper flag", 1, "Step 2",
     TIMEOUT_S},
    {&test_parse_nspid_reads_levels,
     "orph_parse_nspid reads every PID on the NSpid line", 2, "Step 3",
     TIMEOUT_S},
    {&test_ancestors_reach_namespace_init,
     "orph_list_ancestors walks up to the namespace init", 2, "Step 3",
     TIMEOUT_S},
    {&test_ancestors_of_another_process,
     "orph_list_ancestors starts at the parent of the given process", 1,
     "Step 3", TIMEOUT_S},
    {&test_watcher_reports_parent_death,
     "a watcher gets its death signal when its parent is killed", 3,
     "Step 4", TIMEOUT_S},
    {&test_watcher_sees_parent_already_gone,
     "a watcher notices a parent that died before it armed the signal", 2,
     "Step 4", TIMEOUT_S},
    {&test_spawn_watcher_returns_armed,
     "orph_spawn_watcher returns only once its watcher is armed", 3,
     "Step 4", TIMEOUT_S},
};

PL_LAB("08-orphans", tests)
