/*
 * harness.c - main() for every lab's test program.
 *
 * The grader runs a lab's test program once. The program runs the lab's
 * tests one at a time, each in a process of its own (Check's fork mode),
 * and after each one writes one result line to the descriptor given by
 * --results-fd:
 *
 *   result TAB index TAB verdict TAB earned TAB elapsed_ms TAB message
 *          TAB output_bytes TAB output NEWLINE
 *
 * verdict is passed, failed, timeout or crashed. Tabs, newlines and
 * backslashes inside fields are escaped as \t, \n and \\. Two more kinds
 * of line tell the grader what it must know to report and clean up:
 *
 *   containment TAB the limits in force, in words     (once, first)
 *   testdir TAB the folder of the test about to run   (before each test)
 *
 * Whatever a test prints goes to a memory file of its own, never to the
 * grader's output, so a student's program cannot print lines that pass
 * for the grader's. The test process closes the results descriptor
 * before it runs any lab code.
 *
 * Each test runs in a directory of its own under $TMPDIR or /tmp, its
 * current directory, which the harness removes after the test.
 *
 * The harness is a child subreaper: processes a test leaves behind are
 * adopted by it, and after each test it kills and reaps all of them.
 */
#include "harness.h"

#include "proclab.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Largest output of one test that the harness reads back and shows. */
#define OUTPUT_SHOWN (8 * 1024)

struct shared_state *plh_shared;
const struct pl_test_case *plh_current;
double plh_scale = 1.0;
int plh_results_fd = -1;
int plh_saved_stdout = -1;
int plh_saved_stderr = -1;

static void write_escaped(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\\')
            fputs("\\\\", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c == '\0')
            fputs("\\0", out);
        else
            fputc(c, out);
    }
}

struct outcome {
    const char *verdict;
    char message[2048];
    long long elapsed_ms;
    char output[OUTPUT_SHOWN + 1];
    size_t output_len;
    long output_bytes;
};

static const char *signal_hint(int sig)
{
    switch (sig) {
    case SIGSEGV:
    case SIGBUS:
        return "a pointer that does not point to valid memory";
    case SIGABRT:
        return "abort(), a failed assert() or a corrupted heap";
    case SIGPIPE:
        return "a write to a pipe that no process reads any more";
    case SIGXFSZ:
        return "more than 8 MiB of output";
    case SIGXCPU:
        return "more CPU time than the test's deadline allows";
    case SIGFPE:
        return "a division by zero";
    case SIGKILL:
        return "a SIGKILL from outside, or the machine running out of "
               "memory";
    default:
        return "a signal that nobody handled";
    }
}

/*
 * The checked wrappers of common/ print "proclab: CALL failed: ..." and
 * exit with code 1, so an early exit with that line in the output is a
 * failed system call, not a stray exit().
 */
static void describe_early_exit(int code, struct outcome *o)
{
    const char *line = strstr(o->output, "proclab: ");
    size_t len;

    if (code == PL_EXIT_FAILURE && line) {
        len = strcspn(line, "\n");
        snprintf(o->message, sizeof(o->message),
                 "the test process stopped because a system call failed: "
                 "%.*s",
                 (int)(len < 900 ? len : 900), line);
        return;
    }
    snprintf(o->message, sizeof(o->message),
             "the test process ended with exit code %d before the test "
             "finished: the code under test called exit() in the process "
             "that called it. Only a child ends itself, with _exit(), once "
             "its work is done",
             code);
}

static void describe_check_result(TestResult *tr, struct outcome *o)
{
    const char *msg = tr_msg(tr) ? tr_msg(tr) : "";
    int sig, code;
    double limit = plh_current->timeout_s * plh_scale;

    if (tr_rtype(tr) == CK_PASS && plh_shared->finished) {
        o->verdict = "passed";
        o->message[0] = '\0';
    } else if (tr_rtype(tr) == CK_PASS) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message),
                 "the test process ended with the code that only the end "
                 "of a test may use, before the test finished");
    } else if (strcmp(msg, "Test timeout expired") == 0) {
        o->verdict = "timeout";
        snprintf(o->message, sizeof(o->message),
                 "did not finish in %.1f s and was stopped. Common causes: "
                 "read() on a pipe whose write end is still open in some "
                 "process, so end of file never comes; waitpid() for a "
                 "child that never exits; an endless loop; a loop that "
                 "forks until the process limit stops it",
                 limit);
    } else if (sscanf(msg, "Received signal %d", &sig) == 1) {
        o->verdict = "crashed";
        snprintf(o->message, sizeof(o->message),
                 "the test process was killed by %s (signal %d, %s), which "
                 "usually means %s",
                 pl_signal_name(sig), sig, strsignal(sig), signal_hint(sig));
    } else if (sscanf(msg, "Early exit with return value %d", &code) == 1) {
        o->verdict = "failed";
        describe_early_exit(code, o);
    } else if (tr_lno(tr) > 0) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message), "%s (checked at %s:%d)",
                 msg, tr_lfile(tr), tr_lno(tr));
    } else {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message), "%s", msg);
    }
}

static void read_output(int fd, struct outcome *o)
{
    off_t size = lseek(fd, 0, SEEK_END);
    ssize_t n;

    o->output_bytes = size > 0 ? (long)size : 0;
    n = pread(fd, o->output, OUTPUT_SHOWN, 0);
    o->output_len = n > 0 ? (size_t)n : 0;
}

static TestResult *run_check(const struct pl_test_case *t, SRunner **out)
{
    Suite *suite = suite_create(pl_lab.folder);
    TCase *tc = tcase_create(t->name);
    SRunner *sr;

    tcase_add_exit_test(tc, *t->test, PL_EXIT_PASSED);
    tcase_set_timeout(tc, t->timeout_s * plh_scale);
    suite_add_tcase(suite, tc);
    sr = srunner_create(suite);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run(sr, pl_lab.folder, t->name, CK_SILENT);
    *out = sr;
    return srunner_ntests_run(sr) == 1 ? srunner_results(sr)[0] : NULL;
}

/*
 * Report something the test left behind: as the failure of a test that
 * otherwise passed, or after the message of one that failed anyway.
 */
static void add_problem(struct outcome *o, const char *problem)
{
    size_t used = strlen(o->message);

    if (strcmp(o->verdict, "passed") == 0) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message), "%s", problem);
    } else if (used + 8 < sizeof(o->message)) {
        snprintf(o->message + used, sizeof(o->message) - used, "\nAlso: %s",
                 problem);
    }
}

static void restore_stdio(void)
{
    if (dup2(plh_saved_stdout, STDOUT_FILENO) == -1 ||
        dup2(plh_saved_stderr, STDERR_FILENO) == -1)
        pl_die("dup2(saved stdio)");
}

/*
 * Wait for the runner's report until shortly before the test's deadline.
 * If none came by then, note where the test's processes are waiting:
 * Check kills them at the deadline, and /proc then shows nothing.
 */
static void sample_before_deadline(int channel, char *stuck, size_t len)
{
    double limit_ms = plh_current->timeout_s * plh_scale * 1000.0;
    double early_ms = limit_ms / 5 < 250 ? limit_ms / 5 : 250;
    struct pollfd ready = {channel, POLLIN, 0};
    long long until = pl_now_ms() + (long long)(limit_ms - early_ms);
    int n;

    do {
        long long left = until - pl_now_ms();

        n = poll(&ready, 1, left > 0 ? (int)left : 0);
    } while (n == -1 && errno == EINTR);
    if (n == 0 && plh_shared->test_pid > 0)
        plh_describe_stuck(plh_shared->test_pid, stuck, len);
}

/* Add to a timed-out test's message where its processes were waiting. */
static void add_where_stuck(struct outcome *o, const char *stuck)
{
    size_t used = strlen(o->message);

    if (strcmp(o->verdict, "timeout") != 0 || !*stuck)
        return;
    snprintf(o->message + used, sizeof(o->message) - used,
             ". Shortly before the deadline %s", stuck);
}

/*
 * Run the current test under Check in a process of its own, the runner,
 * and copy its outcome back. The test process inherits Check's message
 * channel, so lab code can write garbage into it; Check then ends the
 * process that reads the channel. That is the runner, never the harness,
 * which reports the test as failed and goes on with the next one.
 */
static void run_in_runner(int capture, struct outcome *o)
{
    char stuck[512] = "";
    int channel[2], status;
    ssize_t got;
    pid_t runner;

    pl_pipe(channel);
    runner = pl_fork();
    if (runner == 0) {
        SRunner *sr;
        TestResult *tr;

        pl_close(channel[0]);
        tr = run_check(plh_current, &sr);
        if (!tr)
            pl_fatal("Check ran no test for \"%s\"", plh_current->name);
        read_output(capture, o);
        describe_check_result(tr, o);
        pl_write_all(channel[1], o, sizeof(*o));
        _exit(0);
    }
    pl_close(channel[1]);
    sample_before_deadline(channel[0], stuck, sizeof(stuck));
    got = (ssize_t)pl_read_full(channel[0], o, sizeof(*o));
    pl_close(channel[0]);
    pl_waitpid(runner, &status, 0);
    if (got == (ssize_t)sizeof(*o)) {
        add_where_stuck(o, stuck);
        return;
    }

    char how[128];

    read_output(capture, o);
    o->verdict = "failed";
    snprintf(o->message, sizeof(o->message),
             "the code under test wrote into the test framework's own "
             "channel and broke it (the runner %s). Write only to "
             "descriptors you opened, or to stdout and stderr",
             pl_describe_status(status, how, sizeof(how)));
}

/* Public tests come first, then the hidden ones, if the lab has any. */
static int test_count(void)
{
    return pl_lab.count + (&pl_hidden_tests ? pl_hidden_tests.count : 0);
}

static int is_hidden(int index)
{
    return index >= pl_lab.count;
}

static const struct pl_test_case *test_case(int index)
{
    if (is_hidden(index))
        return &pl_hidden_tests.tests[index - pl_lab.count];
    return &pl_lab.tests[index];
}

static void run_one(int index, FILE *results)
{
    struct outcome *o = calloc(1, sizeof(*o));
    int capture = memfd_create("proclab-test-output", MFD_CLOEXEC);
    char left[256];
    long long start;

    if (!o || capture == -1)
        pl_die("memfd_create(test output)");
    plh_current = test_case(index);
    memset(plh_shared, 0, sizeof(*plh_shared));
    plh_make_test_dir();

    /* If the grader has to kill the harness, it removes the folder. */
    fprintf(results, "testdir\t%s\n", plh_test_dir);
    fflush(results);
    plh_snapshot_ipc();

    /* The test process inherits these as its stdout and stderr. */
    fflush(NULL);
    if (dup2(capture, STDOUT_FILENO) == -1 ||
        dup2(capture, STDERR_FILENO) == -1)
        pl_die("dup2(capture fd=%d)", capture);

    start = pl_now_ms();
    run_in_runner(capture, o);
    o->elapsed_ms = pl_now_ms() - start;
    restore_stdio();

    char problem[1024];
    int running = plh_sweep_descendants(left, sizeof(left));

    if (running > 0) {
        snprintf(problem, sizeof(problem),
                 "%d process%s still running after the test and %s "
                 "killed: %s. A process that leaves its session or process "
                 "group still has to be ended and waited for",
                 running, running == 1 ? " was" : "es were",
                 running == 1 ? "was" : "were", left);
        add_problem(o, problem);
    }
    if (plh_shared->stray_pid && strcmp(o->verdict, "timeout") != 0) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message),
                 "process %d, a child created by the lab function, returned "
                 "from it and went on running the test's own code: a child "
                 "must end with _exit() once its work is done",
                 (int)plh_shared->stray_pid);
    }

    int leaks = plh_remove_ipc_objects(left, sizeof(left));

    if (leaks > 0) {
        snprintf(problem, sizeof(problem),
                 "the test left %d IPC object%s in the system, which the "
                 "harness removed: %s. Such objects outlive every process "
                 "that uses them until shm_unlink() or mq_unlink() removes "
                 "their name",
                 leaks, leaks == 1 ? "" : "s", left);
        add_problem(o, problem);
    }
    plh_remove_test_dir();
    close(capture);

    fprintf(results, "result\t%d\t%s\t%d\t%lld\t", index, o->verdict,
            strcmp(o->verdict, "passed") == 0 ? plh_current->points : 0,
            o->elapsed_ms);
    write_escaped(results, o->message, strlen(o->message));
    fprintf(results, "\t%ld\t", o->output_bytes);
    write_escaped(results, o->output, o->output_len);
    fputc('\n', results);
    fflush(results);
    free(o);
}

static void list_tests(void)
{
    printf("lab\t%s\n", pl_lab.folder);
    for (int i = 0; i < test_count(); i++) {
        const struct pl_test_case *t = test_case(i);

        printf("test\t%d\t%d\t%.1f\t%s\t%s\t%s\n", i, t->points,
               t->timeout_s, t->step, is_hidden(i) ? "hidden" : "public",
               t->name);
    }
}

/* Check reads these; none of them may change how a lab is graded. */
static void clear_check_environment(void)
{
    static const char *names[] = {
        "CK_FORK",          "CK_RUN_SUITE",         "CK_RUN_CASE",
        "CK_INCLUDE_TAGS",  "CK_EXCLUDE_TAGS",      "CK_DEFAULT_TIMEOUT",
        "CK_TIMEOUT_MULTIPLIER", "CK_VERBOSITY",    "CK_LOG_FILE_NAME",
        "CK_XML_LOG_FILE_NAME",  "CK_TAP_LOG_FILE_NAME",
        "CK_MAX_MSG_SIZE",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        unsetenv(names[i]);
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s --list\n"
            "       %s --results-fd N [--scale FACTOR] [--only INDEX]\n"
            "          [--process-base N] [--test-uid UID] [--own-ipc]\n",
            prog, prog);
    exit(2);
}

int main(int argc, char **argv)
{
    int only = -1, list = 0;
    FILE *results;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0)
            list = 1;
        else if (strcmp(argv[i], "--results-fd") == 0 && i + 1 < argc)
            plh_results_fd = atoi(argv[++i]);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
            plh_scale = atof(argv[++i]);
        else if (strcmp(argv[i], "--process-base") == 0 && i + 1 < argc)
            plh_process_base = atoi(argv[++i]);
        else if (strcmp(argv[i], "--test-uid") == 0 && i + 1 < argc)
            plh_test_uid = atoi(argv[++i]);
        else if (strcmp(argv[i], "--own-ipc") == 0)
            plh_limits.own_ipc = 1;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = atoi(argv[++i]);
        else
            usage(argv[0]);
    }
    if (list) {
        list_tests();
        return 0;
    }
    if (plh_results_fd < 0 || plh_scale <= 0)
        usage(argv[0]);

    clear_check_environment();

    /* A process that is not dumpable keeps other processes of its user,
     * such as the tests, out of its /proc/PID/fd, where they could reopen
     * the results pipe. Each test process makes itself dumpable again. */
    prctl(PR_SET_DUMPABLE, 0);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER)");
    plh_shared = mmap(NULL, sizeof(*plh_shared), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (plh_shared == MAP_FAILED)
        pl_die("mmap(shared state)");
    plh_saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 10);
    plh_saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
    if (plh_saved_stdout == -1 || plh_saved_stderr == -1)
        pl_die("fcntl(F_DUPFD_CLOEXEC, stdio)");
    results = fdopen(plh_results_fd, "w");
    if (!results)
        pl_die("fdopen(results fd=%d)", plh_results_fd);

    plh_find_program_dir();
    plh_choose_containment(results);
    for (int i = 0; i < test_count(); i++)
        if (only < 0 || only == i)
            run_one(i, results);
    fclose(results);
    return 0;
}
