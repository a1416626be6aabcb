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
 * backslashes inside fields are escaped as \t, \n and \\.
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
#include "pl_test.h"

#include "proclab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct pl_lab pl_lab;

/* Exit code of a test process that reached the end of its test. */
#define PL_EXIT_PASSED 92
/* Exit code of a stray child stopped by pl_test_check_stray(). */
#define PL_EXIT_STRAY 93

/* Largest output of one test that the harness reads back and shows. */
#define OUTPUT_SHOWN (8 * 1024)
/* A test that prints more than this is killed by SIGXFSZ. */
#define OUTPUT_LIMIT (8L * 1024 * 1024)
/* Processes a test may have at once beyond those its user already has. */
#define PROCESS_ALLOWANCE 256
#define MAX_FDS 256
#define MAX_ALLOWED_FDS 16

/*
 * State shared by the harness, the test process and every process the
 * test starts: one page mapped MAP_SHARED before each test's fork.
 */
struct shared_state {
    pid_t test_pid;  /* the test process */
    pid_t stray_pid; /* first child that came back into test code */
    int finished;    /* the test process reached pl_test_end() */
};

static struct shared_state *shared;
static const struct pl_test_case *current;
static double scale = 1.0;
static int results_fd = -1;
/* Who runs the tests and how many processes they may have: set in main. */
static uid_t test_uid;
static gid_t test_gid;
static int drop_root;
static rlim_t process_limit;
static int saved_stdout = -1;
static int saved_stderr = -1;

/* Set in the test process only. */
static int start_fds[MAX_FDS];
static int start_fd_count;
static int allowed_fds[MAX_ALLOWED_FDS];
static int allowed_fd_count;

/* The test's own directory, made before and removed after each test. */
static char test_dir[4096];
/* The folder of the test program, where helper programs are built. */
static char program_dir[4096];

const char *pl_test_dir(void)
{
    return test_dir;
}

const char *pl_test_program(const char *name)
{
    static char path[4096 + 256];

    snprintf(path, sizeof(path), "%s/%s", program_dir, name);
    return path;
}

double pl_test_scale(void)
{
    return scale;
}

void pl_test_allow_fd(int fd)
{
    if (allowed_fd_count < MAX_ALLOWED_FDS)
        allowed_fds[allowed_fd_count++] = fd;
}

/* --- inside the test process ------------------------------------------ */

/*
 * Keep the right to read and search every file, so that a test run as
 * root still reaches a repository under /root and the programs it
 * execs. The ambient set carries the right across execve().
 */
static void keep_file_access(void)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    unsigned int keep =
        (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);

    memset(data, 0, sizeof(data));
    data[0].effective = data[0].permitted = data[0].inheritable = keep;
    if (syscall(SYS_capset, &head, data) == -1)
        pl_die("capset(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)");
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_OVERRIDE, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0, 0);
}

/*
 * The kernel never applies RLIMIT_NPROC to uid 0, so a test started as
 * root runs as an unprivileged user instead, keeping only file access.
 * The process stays dumpable, so that it can still read its own /proc
 * files.
 */
static void limit_processes(void)
{
    struct rlimit nproc = {process_limit, process_limit};

    if (drop_root) {
        if (prctl(PR_SET_KEEPCAPS, 1) == -1 || setgroups(0, NULL) == -1 ||
            setresgid(test_gid, test_gid, test_gid) == -1 ||
            setresuid(test_uid, test_uid, test_uid) == -1)
            pl_die("dropping root for the test (uid %d)", (int)test_uid);
        keep_file_access();
    }
    prctl(PR_SET_DUMPABLE, 1);
    if (setrlimit(RLIMIT_NPROC, &nproc) == -1)
        pl_die("setrlimit(RLIMIT_NPROC, %lu)", (unsigned long)process_limit);
}

/*
 * A test process inherits Check's handlers for SIGALRM, SIGINT and
 * SIGTERM (which kill the whole test) and the grader's ignored SIGPIPE.
 * Lab code must start from the defaults a shell gives a new program.
 */
static void reset_signals(void)
{
    struct sigaction dfl;
    sigset_t none;

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void pl_test_begin(void)
{
    struct rlimit fsize = {OUTPUT_LIMIT, OUTPUT_LIMIT};
    struct rlimit core = {0, 0};

    shared->test_pid = getpid();
    reset_signals();
    limit_processes();
    if (chdir(test_dir) == -1)
        pl_die("chdir(%s)", test_dir);

    /* Lab code must not reach the grader: not its results, not its
     * terminal. */
    close(results_fd);
    close(saved_stdout);
    close(saved_stderr);
    setrlimit(RLIMIT_FSIZE, &fsize);
    setrlimit(RLIMIT_CORE, &core);
    start_fd_count = pl_proc_list_fds(0, start_fds, MAX_FDS);
}

void pl_test_check_stray(void)
{
    if (getpid() == shared->test_pid)
        return;
    __sync_bool_compare_and_swap(&shared->stray_pid, 0, getpid());
    _exit(PL_EXIT_STRAY);
}

void pl_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    pl_test_check_stray();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fflush(NULL);
    _ck_assert_failed(file, line, "check failed", "%s", msg);
}

static void fail_here(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* Fail with no file:line, for checks that belong to the harness. */
static void fail_here(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    _ck_assert_failed("", 0, "check failed", "%s", msg);
}

static void check_children(void)
{
    struct pl_proc_stat st;
    pid_t kids[8];
    int n = pl_proc_children(0, kids, 8);

    if (n <= 0)
        return;
    if (pl_proc_read_stat(kids[0], &st) == -1)
        return;
    if (st.state == 'Z')
        fail_here("child %d exited but was never waited for, so it is "
                  "still a zombie: the parent must call waitpid() for "
                  "every child it creates",
                  (int)kids[0]);
    fail_here("child %d (%s) was still running when the test ended: the "
              "function returned without waiting for its child with "
              "waitpid()",
              (int)kids[0], st.comm);
}

static int contains(const int *set, int count, int fd)
{
    for (int i = 0; i < count; i++)
        if (set[i] == fd)
            return 1;
    return 0;
}

static void check_fds(void)
{
    int now[MAX_FDS];
    int n = pl_proc_list_fds(0, now, MAX_FDS);
    char target[256];

    for (int i = 0; i < n && i < MAX_FDS; i++) {
        int fd = now[i];

        if (contains(start_fds, start_fd_count, fd) ||
            contains(allowed_fds, allowed_fd_count, fd))
            continue;
        if (pl_proc_fd_target(0, fd, target, sizeof(target)) == -1)
            strcpy(target, "unknown");
        fail_here("descriptor %d (%s) is still open after the test: close "
                  "every descriptor you open, and every pipe end in every "
                  "process, once it is no longer needed",
                  fd, target);
    }
}

void pl_test_end(void)
{
    pl_test_check_stray();
    fflush(NULL);
    check_children();
    check_fds();
    shared->finished = 1;
    _exit(PL_EXIT_PASSED);
}

/* --- in the harness ------------------------------------------------------ */

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
    case SIGFPE:
        return "a division by zero";
    case SIGKILL:
        return "a SIGKILL from outside, or the machine running out of "
               "memory";
    default:
        return "a signal that nobody handled";
    }
}

static void describe_check_result(TestResult *tr, struct outcome *o)
{
    const char *msg = tr_msg(tr) ? tr_msg(tr) : "";
    int sig, code;
    double limit = current->timeout_s * scale;

    if (tr_rtype(tr) == CK_PASS && shared->finished) {
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
                 "child that never exits; an endless loop",
                 limit);
    } else if (sscanf(msg, "Received signal %d", &sig) == 1) {
        o->verdict = "crashed";
        snprintf(o->message, sizeof(o->message),
                 "the test process was killed by %s (signal %d, %s), which "
                 "usually means %s",
                 pl_signal_name(sig), sig, strsignal(sig), signal_hint(sig));
    } else if (sscanf(msg, "Early exit with return value %d", &code) == 1) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message),
                 "the test process ended with exit code %d before the test "
                 "finished: the code under test called exit() in the "
                 "process that called it. Only a child ends itself, with "
                 "_exit(), once its work is done",
                 code);
    } else if (tr_lno(tr) > 0) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message), "%s (checked at %s:%d)",
                 msg, tr_lfile(tr), tr_lno(tr));
    } else {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message), "%s", msg);
    }
}

/*
 * Kill and reap every process the harness adopted. A killed process's own
 * children are handed to the harness before it becomes a zombie, so the
 * next round finds them. Returns how many were still running.
 */
static int sweep_descendants(char *names, size_t len)
{
    pid_t kids[256];
    int running = 0;

    names[0] = '\0';
    for (;;) {
        int n = pl_proc_children(0, kids, 256);
        int status;

        for (int i = 0; i < n && i < 256; i++) {
            struct pl_proc_stat st;

            if (pl_proc_read_stat(kids[i], &st) == 0 && st.state != 'Z') {
                size_t used = strlen(names);

                if (running < 3 && used + 40 < len)
                    snprintf(names + used, len - used, "%s%d (%s)",
                             running ? ", " : "", (int)kids[i], st.comm);
                running++;
            }
            kill(kids[i], SIGKILL);
        }
        if (waitpid(-1, &status, 0) == -1 && errno == ECHILD)
            return running;
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
    tcase_set_timeout(tc, t->timeout_s * scale);
    suite_add_tcase(suite, tc);
    sr = srunner_create(suite);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run(sr, pl_lab.folder, t->name, CK_SILENT);
    *out = sr;
    return srunner_ntests_run(sr) == 1 ? srunner_results(sr)[0] : NULL;
}

static void make_test_dir(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(test_dir, sizeof(test_dir), "%s/proclab-test-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(test_dir))
        pl_die("mkdtemp(%s)", test_dir);
    if (drop_root && chown(test_dir, test_uid, test_gid) == -1)
        pl_die("chown(%s, uid %d)", test_dir, (int)test_uid);
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((type == FTW_DP ? rmdir(path) : unlink(path)) == -1)
        pl_warn("removing %s", path);
    return 0;
}

/* Runs after the sweep, so no process of the test can still add files. */
static void remove_test_dir(void)
{
    nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void find_program_dir(void)
{
    ssize_t n = readlink("/proc/self/exe", program_dir,
                         sizeof(program_dir) - 1);
    char *slash;

    if (n == -1)
        pl_die("readlink(/proc/self/exe)");
    program_dir[n] = '\0';
    slash = strrchr(program_dir, '/');
    if (slash)
        *slash = '\0';
}

static void restore_stdio(void)
{
    if (dup2(saved_stdout, STDOUT_FILENO) == -1 ||
        dup2(saved_stderr, STDERR_FILENO) == -1)
        pl_die("dup2(saved stdio)");
}

static void run_one(int index, FILE *results)
{
    struct outcome *o = calloc(1, sizeof(*o));
    int capture = memfd_create("proclab-test-output", MFD_CLOEXEC);
    char left[256];
    SRunner *sr;
    TestResult *tr;
    long long start;

    if (!o || capture == -1)
        pl_die("memfd_create(test output)");
    current = &pl_lab.tests[index];
    memset(shared, 0, sizeof(*shared));
    allowed_fd_count = 0;
    make_test_dir();

    /* The test process inherits these as its stdout and stderr. */
    fflush(NULL);
    if (dup2(capture, STDOUT_FILENO) == -1 ||
        dup2(capture, STDERR_FILENO) == -1)
        pl_die("dup2(capture fd=%d)", capture);

    start = pl_now_ms();
    tr = run_check(current, &sr);
    o->elapsed_ms = pl_now_ms() - start;
    restore_stdio();
    if (!tr)
        pl_fatal("Check ran no test for \"%s\"", current->name);
    describe_check_result(tr, o);
    srunner_free(sr);

    int running = sweep_descendants(left, sizeof(left));

    if (running > 0 && strcmp(o->verdict, "passed") == 0) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message),
                 "%d process%s still running after the test and %s "
                 "killed: %s. A process that leaves its session or process "
                 "group still has to be ended and waited for",
                 running, running == 1 ? " was" : "es were",
                 running == 1 ? "was" : "were", left);
    }
    if (shared->stray_pid && strcmp(o->verdict, "timeout") != 0) {
        o->verdict = "failed";
        snprintf(o->message, sizeof(o->message),
                 "process %d, a child created by the lab function, returned "
                 "from it and went on running the test's own code: a child "
                 "must end with _exit() once its work is done",
                 (int)shared->stray_pid);
    }
    remove_test_dir();
    read_output(capture, o);
    close(capture);

    fprintf(results, "result\t%d\t%s\t%d\t%lld\t", index, o->verdict,
            strcmp(o->verdict, "passed") == 0 ? current->points : 0,
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
    for (int i = 0; i < pl_lab.count; i++) {
        const struct pl_test_case *t = &pl_lab.tests[i];

        printf("test\t%d\t%d\t%.1f\t%s\t%s\n", i, t->points, t->timeout_s,
               t->step, t->name);
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

/* Count the processes whose /proc entry belongs to uid. */
static int count_processes_of(uid_t uid)
{
    struct dirent *e;
    DIR *d = opendir("/proc");
    int count = 0;

    if (!d)
        pl_die("opendir(/proc)");
    while ((e = readdir(d)) != NULL) {
        char path[300];
        struct stat st;

        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s", e->d_name);
        if (stat(path, &st) == 0 && st.st_uid == uid)
            count++;
    }
    closedir(d);
    return count;
}

/*
 * Choose who runs the tests and how many processes they may create, and
 * tell the grader, which prints it.
 */
static void choose_containment(FILE *results)
{
    struct passwd *pw;

    test_uid = getuid();
    test_gid = getgid();
    if (geteuid() == 0) {
        pw = getpwnam("nobody");
        test_uid = pw ? pw->pw_uid : 65534;
        test_gid = pw ? pw->pw_gid : 65534;
        drop_root = 1;
    }
    process_limit =
        (rlim_t)count_processes_of(test_uid) + PROCESS_ALLOWANCE;
    fprintf(results,
            "containment\ttests run as uid %d%s, limited to %d processes "
            "beyond that user's own (RLIMIT_NPROC)\n",
            (int)test_uid, drop_root ? " instead of root" : "",
            PROCESS_ALLOWANCE);
    fflush(results);
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s --list\n"
            "       %s --results-fd N [--scale FACTOR] [--only INDEX]\n",
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
            results_fd = atoi(argv[++i]);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
            scale = atof(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = atoi(argv[++i]);
        else
            usage(argv[0]);
    }
    if (list) {
        list_tests();
        return 0;
    }
    if (results_fd < 0 || scale <= 0)
        usage(argv[0]);

    clear_check_environment();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER)");
    shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        pl_die("mmap(shared state)");
    saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 10);
    saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
    if (saved_stdout == -1 || saved_stderr == -1)
        pl_die("fcntl(F_DUPFD_CLOEXEC, stdio)");
    results = fdopen(results_fd, "w");
    if (!results)
        pl_die("fdopen(results fd=%d)", results_fd);

    find_program_dir();
    choose_containment(results);
    for (int i = 0; i < pl_lab.count; i++)
        if (only < 0 || only == i)
            run_one(i, results);
    fclose(results);
    return 0;
}
