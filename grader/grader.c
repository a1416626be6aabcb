/*
 * grader.c - grade the labs and print a score table.
 *
 *   grader [--results FILE] [--scale FACTOR] [--source DIR] BUILD_DIR LAB...
 *
 * For each LAB folder name (such as 01-fork-memory) the grader expects the
 * Makefile to have left in BUILD_DIR/LAB:
 *
 *   list       the lab's test program linked without student code, which
 *              prints the tests, their points and handout steps (--list)
 *   check      the test program linked with the student code; missing
 *              when the student code did not compile
 *   build.log  the compiler's messages
 *
 * It runs each lab's test program with a deadline for the whole lab,
 * reads one result line per test (see tests/harness/harness.c), prints a
 * line per test, a subtotal per lab and "Score: X/Y", and writes a JSON
 * file in the shape Gradescope's autograder reads.
 *
 * --run-limit bounds the whole run; like every deadline it is multiplied
 * by --scale. Tests cut short by it, or by SIGINT or SIGTERM, score 0 and
 * are marked as timed out, and the results so far are still written.
 *
 * Exit status: 0 when every test passed, 1 when some failed, 2 when a
 * lab could not be graded at all (its tests could not be listed; the
 * other labs are still graded and written), 128+N after signal N.
 *
 * The grader is a child subreaper: anything the test programs leave
 * behind is adopted by it and killed when the lab ends.
 */
#include "proclab.h"

#include "cgroup.h"
#include "namespace.h"
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Time a test program may take beyond the sum of its tests' deadlines. */
#define LAB_SLACK_S 10.0

/* Tasks a lab's test program may have in its pids cgroup: well above the
 * tests' own allowance of 128 processes, which RLIMIT_NPROC enforces, so
 * the cgroup binds only where that limit does not. */
#define CGROUP_TASKS 256

struct options {
    const char *results_path;
    const char *source; /* what is graded, for the heading */
    double scale;
    const char *build_dir;
    double run_limit_s;          /* for the whole run; 0 means none */
    const char *format;          /* table, tap or junit */
    long long run_deadline_ms;   /* on the monotonic clock */
};

/* Set by SIGINT or SIGTERM: stop, clean up and report what is done. */
static volatile sig_atomic_t stop_signal;

static void note_stop(int sig)
{
    stop_signal = sig;
}

static void path_in(char *buf, size_t len, const char *dir, const char *lab,
                    const char *file)
{
    snprintf(buf, len, "%s/%s/%s", dir, lab, file);
}

static int exec_list(void *arg)
{
    char *const argv[] = {arg, "--list", NULL};

    execv(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    return 127;
}

/* Fill lab->tests from "test TAB index TAB points TAB timeout TAB step TAB
 * public-or-hidden TAB name" lines. Returns 0, or -1 with a reason in
 * lab->problem. */
static int parse_list(char *text, struct lab_report *lab)
{
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        struct test_report *t;
        char *fields[7];
        int n = 0;

        if (strncmp(line, "test\t", 5) != 0)
            continue;
        for (char *f = strtok_r(line, "\t", &line); f && n < 7;
             f = strtok_r(NULL, "\t", &line))
            fields[n++] = f;
        if (n != 7 || lab->count >= MAX_TESTS)
            return -1;
        t = &lab->tests[lab->count++];
        t->points = atoi(fields[2]);
        t->timeout_s = atof(fields[3]);
        snprintf(t->step, sizeof(t->step), "%s", fields[4]);
        t->hidden = strcmp(fields[5], "hidden") == 0;
        snprintf(t->name, sizeof(t->name), "%s", fields[6]);
        snprintf(t->verdict, sizeof(t->verdict), "not run");
        lab->max_points += t->points;
    }
    return lab->count > 0 ? 0 : -1;
}

static int list_tests(const struct options *opt, struct lab_report *lab)
{
    struct pl_run_result r;
    char path[512];
    int ok;

    path_in(path, sizeof(path), opt->build_dir, lab->folder, "list");
    pl_run(exec_list, path, 10000, &r);
    ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 &&
         parse_list(r.output, lab) == 0;
    if (!ok) {
        char folder[sizeof(lab->folder)];

        memcpy(folder, lab->folder, sizeof(folder));
        snprintf(lab->problem, sizeof(lab->problem),
                 "grader: cannot list the tests of %s (%s), so they were not "
                 "run: %s",
                 folder, path, r.output);
    }
    pl_run_free(&r);
    return ok ? 0 : -1;
}

/* Copy the first lines of the compiler's messages into lab->problem. */
static void read_build_log(const struct options *opt, struct lab_report *lab)
{
    char path[512], line[512];
    size_t used = 0;
    int lines = 0;
    FILE *f;

    path_in(path, sizeof(path), opt->build_dir, lab->folder, "build.log");
    f = fopen(path, "re");
    lab->problem[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof(line), f) && lines < 20) {
        size_t n = strlen(line);

        if (used + n + 1 >= sizeof(lab->problem))
            break;
        memcpy(lab->problem + used, line, n + 1);
        used += n;
        lines++;
    }
    fclose(f);
}

/* The character that a backslash and c stand for in the harness's lines. */
static char unescaped(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case '0':
        return ' ';
    default:
        return c;
    }
}

/* Undo the harness's escaping in place. */
static void unescape(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (*s != '\\' || !s[1]) {
            *out++ = *s;
            continue;
        }
        s++;
        *out++ = unescaped(*s);
    }
    *out = '\0';
}

/* Apply one "result" line from the harness to its test. */
static void apply_result(char *line, struct lab_report *lab)
{
    char *fields[8];
    int n = 0;
    char *rest = line;

    for (char *f = strsep(&rest, "\t"); f && n < 8; f = strsep(&rest, "\t"))
        fields[n++] = f;
    if (n == 2 && strcmp(fields[0], "testdir") == 0) {
        snprintf(lab->test_dir, sizeof(lab->test_dir), "%s", fields[1]);
        return;
    }
    if (n == 2 && strcmp(fields[0], "containment") == 0) {
        if (cg_active())
            snprintf(lab->containment, sizeof(lab->containment),
                     "%s, in a pids cgroup of %d tasks", fields[1],
                     CGROUP_TASKS);
        else
            snprintf(lab->containment, sizeof(lab->containment),
                     "%s, and no pids cgroup (%s)", fields[1], cg_reason());
        return;
    }
    if (n != 8 || strcmp(fields[0], "result") != 0)
        return;

    int index = atoi(fields[1]);
    struct test_report *t;

    if (index < 0 || index >= lab->count)
        return;
    t = &lab->tests[index];
    snprintf(t->verdict, sizeof(t->verdict), "%s", fields[2]);
    t->earned = atoi(fields[3]);
    if (t->earned > t->points)
        t->earned = t->points;
    t->elapsed_ms = atoll(fields[4]);
    unescape(fields[5]);
    unescape(fields[7]);
    free(t->message);
    free(t->output);
    t->message = strdup(fields[5]);
    t->output_bytes = atol(fields[6]);
    t->output = strdup(fields[7]);
}

struct line_reader {
    char *buf;
    size_t len, cap;
};

static void feed(struct line_reader *lr, const char *data, size_t n,
                 struct lab_report *lab)
{
    if (lr->len + n + 1 > lr->cap) {
        lr->cap = (lr->len + n + 1) * 2;
        lr->buf = realloc(lr->buf, lr->cap);
        if (!lr->buf)
            pl_die("realloc(%zu)", lr->cap);
    }
    memcpy(lr->buf + lr->len, data, n);
    lr->len += n;
    lr->buf[lr->len] = '\0';

    char *start = lr->buf, *nl;

    while ((nl = memchr(start, '\n', lr->len - (size_t)(start - lr->buf)))) {
        *nl = '\0';
        apply_result(start, lab);
        start = nl + 1;
    }
    lr->len -= (size_t)(start - lr->buf);
    memmove(lr->buf, start, lr->len);
}

/*
 * The user the harness runs tests as. Root picks a user of the run's own,
 * 100000 plus the grader's PID, which no other grade running now can
 * have: RLIMIT_NPROC counts processes per user, so another grade's fork
 * bomb cannot use up this one's allowance. Others run tests as
 * themselves.
 *
 * NOTE: these uids can fall in the ranges /etc/subuid hands to rootless
 * containers (100000 up, by default). Tests run as such a uid could write
 * files that a container owns under that uid, if they can reach them.
 */
static uid_t test_user(void)
{
    return geteuid() == 0 ? (uid_t)(100000 + getpid()) : getuid();
}

/*
 * Say once, on stderr, when the tests cannot get a PID namespace: then
 * a grader killed with SIGKILL leaves behind what the tests left running.
 */
static void warn_without_namespace(void)
{
    const char *why;

    if (ns_available(&why) != NS_NONE)
        return;
    fprintf(stderr,
            "grader: note: this system gives the tests no namespaces of "
            "their own (%s). The grade is still valid: what each test "
            "leaves is removed after it. But a grader killed with SIGKILL "
            "leaves the tests' processes running, and grades by the same "
            "user take turns.\n",
            *why ? why : "not permitted here");
}

/*
 * The processes RLIMIT_NPROC already counts for the test user, which the
 * harness cannot see from inside a PID namespace. In a user namespace of
 * its own the kernel counts only the processes in it, which the harness
 * can see: -1 lets it count them.
 */
static int process_base(void)
{
    if (ns_available(NULL) == NS_USER)
        return -1;
    return pl_proc_count_user(test_user());
}

static pid_t start_harness(const char *path, const struct options *opt,
                           int results_w, int log_w)
{
    char scale[32], base[32], uid[32];
    int own_ipc = ns_available(NULL) == NS_USER;
    pid_t pid;

    snprintf(scale, sizeof(scale), "%g", opt->scale);
    snprintf(base, sizeof(base), "%d", process_base());
    snprintf(uid, sizeof(uid), "%d", (int)test_user());
    pid = ns_fork();
    if (pid == 0) {
        int null_fd;

        cg_enter();
        null_fd = open("/dev/null", O_RDONLY);
        char *const argv[] = {(char *)path, "--results-fd", "3", "--scale",
                              scale, "--process-base", base, "--test-uid",
                              uid, own_ipc ? "--own-ipc" : NULL, NULL};

        setpgid(0, 0);
        if (null_fd == -1 || dup2(null_fd, STDIN_FILENO) == -1 ||
            dup2(log_w, STDOUT_FILENO) == -1 ||
            dup2(log_w, STDERR_FILENO) == -1 || dup2(results_w, 3) == -1)
            pl_die("dup2(test program stdio)");
        execv(path, argv);
        pl_die("execv(%s)", path);
    }
    setpgid(pid, pid);
    return pid;
}

/*
 * Read result lines and the test program's own messages until both pipes
 * close or the deadline passes. Returns 1 when the deadline passed.
 */
static int read_results(int results_r, int log_r, long long deadline,
                        struct lab_report *lab)
{
    struct line_reader lr = {0};
    char chunk[8192];
    size_t log_used = strlen(lab->problem);
    int open_fds = 2, timed_out = 0;
    struct pollfd fds[2] = {{results_r, POLLIN, 0}, {log_r, POLLIN, 0}};

    while (open_fds > 0) {
        long long left = deadline - pl_now_ms();

        if (left <= 0) {
            timed_out = 1;
            break;
        }
        if (poll(fds, 2, (int)left) == -1) {
            if (errno != EINTR)
                pl_die("poll(test program pipes)");
            if (stop_signal) {
                timed_out = 1;
                break;
            }
            continue;
        }
        for (int i = 0; i < 2; i++) {
            if (!fds[i].revents)
                continue;

            ssize_t n = read(fds[i].fd, chunk, sizeof(chunk));

            if (n <= 0) {
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                feed(&lr, chunk, (size_t)n, lab);
            } else if (log_used + (size_t)n < sizeof(lab->problem)) {
                memcpy(lab->problem + log_used, chunk, (size_t)n);
                log_used += (size_t)n;
                lab->problem[log_used] = '\0';
            }
        }
    }
    free(lr.buf);
    return timed_out;
}

/*
 * Kill and reap what the grader adopted. Killed processes hand their own
 * children to the grader before they become zombies, so the loop ends
 * only when no child is left.
 */
static void sweep(void)
{
    pid_t kids[256];
    int status;

    for (;;) {
        int n = pl_proc_children(0, kids, 256);

        for (int i = 0; i < n && i < 256; i++)
            kill(kids[i], SIGKILL);
        if (waitpid(-1, &status, 0) == -1 && errno == ECHILD)
            return;
    }
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/*
 * The test program cleans up after each test, unless it was killed: then
 * remove the folder of the test it was running and the shared memory
 * objects named for it (/dev/shm/proclab.PID-*, PID in hexadecimal). In a
 * PID namespace /dev/shm was the namespace's own and is gone already.
 */
static void clean_after_kill(const struct lab_report *lab, pid_t harness)
{
    char prefix[64];
    struct dirent *e;
    DIR *d;

    if (*lab->test_dir && strncmp(lab->test_dir, "/", 1) == 0)
        nftw(lab->test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    snprintf(prefix, sizeof(prefix), "proclab.%x-", (unsigned)harness);
    d = opendir("/dev/shm");
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[300];

        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof(path), "/dev/shm/%s", e->d_name);
        unlink(path);
    }
    closedir(d);
}

static void mark_unfinished(struct lab_report *lab, const char *why)
{
    for (int i = 0; i < lab->count; i++) {
        struct test_report *t = &lab->tests[i];

        if (strcmp(t->verdict, "not run") != 0)
            continue;
        snprintf(t->verdict, sizeof(t->verdict), "%s",
                 why ? "timeout" : "failed");
        t->message = strdup(why ? why
                                : "not run: the test program stopped before "
                                  "this test; its own messages are shown "
                                  "above");
        lab->program_failed = 1;
    }
}

/* Say why tests were cut short, or return NULL when none were. */
static const char *cut_short_reason(const struct options *opt,
                                    int timed_out, double limit_s,
                                    char *buf, size_t len)
{
    if (stop_signal)
        snprintf(buf, len, "not finished: the grade was interrupted by %s",
                 pl_signal_name(stop_signal));
    else if (timed_out && opt->run_deadline_ms &&
             pl_now_ms() >= opt->run_deadline_ms)
        snprintf(buf, len,
                 "not finished: the whole grade passed its limit of %g s",
                 opt->run_limit_s);
    else if (timed_out)
        snprintf(buf, len,
                 "not finished: the lab's tests together passed their "
                 "deadline of %.0f s and were stopped",
                 limit_s);
    else
        return NULL;
    return buf;
}

static void run_lab(const struct options *opt, struct lab_report *lab)
{
    char path[512];
    int results[2], log[2], status;
    double limit_s = LAB_SLACK_S;
    char why[256];
    long long deadline;
    pid_t pid;
    int timed_out;

    for (int i = 0; i < lab->count; i++)
        limit_s += lab->tests[i].timeout_s;
    limit_s *= opt->scale;

    path_in(path, sizeof(path), opt->build_dir, lab->folder, "check");
    lab->problem[0] = '\0';
    pl_pipe(results);
    pl_pipe(log);
    pid = start_harness(path, opt, results[1], log[1]);
    pl_close(results[1]);
    pl_close(log[1]);

    deadline = pl_now_ms() + (long long)(limit_s * 1000);
    if (opt->run_deadline_ms && opt->run_deadline_ms < deadline)
        deadline = opt->run_deadline_ms;
    timed_out = read_results(results[0], log[0], deadline, lab);
    kill(-pid, SIGKILL);
    if (timed_out)
        kill(pid, SIGKILL);
    pl_waitpid(pid, &status, 0);
    sweep();
    cg_kill_all();
    clean_after_kill(lab, pid);
    pl_close(results[0]);
    pl_close(log[0]);
    mark_unfinished(lab, cut_short_reason(opt, timed_out, limit_s, why,
                                          sizeof(why)));
}

/*
 * Without namespaces the tests of every grade by one ordinary user share
 * /dev/shm and /dev/mqueue, and the harness removes by owner what a test
 * left there. So such grades take turns, one lab at a time, through a
 * lock of the user's. Root needs none: each of its grades runs tests as
 * a user of its own. Returns the lock's descriptor, or -1 for none.
 */
static int take_turn(void)
{
    char path[64];
    int fd;

    if (ns_available(NULL) != NS_NONE || geteuid() == 0)
        return -1;
    snprintf(path, sizeof(path), "/tmp/proclab-%u.lock", (unsigned)getuid());
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd == -1) {
        pl_warn("open(%s); grades of this user may disturb each other", path);
        return -1;
    }
    while (flock(fd, LOCK_EX) == -1) {
        if (errno != EINTR || stop_signal) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static void grade_lab(const struct options *opt, struct lab_report *lab)
{
    char path[512];

    char why[256];

    if (stop_signal || (opt->run_deadline_ms &&
                        pl_now_ms() >= opt->run_deadline_ms)) {
        mark_unfinished(lab, cut_short_reason(opt, 1, 0, why, sizeof(why)));
        return;
    }
    path_in(path, sizeof(path), opt->build_dir, lab->folder, "check");
    if (access(path, X_OK) == 0) {
        int turn = take_turn();

        run_lab(opt, lab);
        if (turn != -1)
            close(turn);
        return;
    }
    lab->build_failed = 1;
    read_build_log(opt, lab);
    for (int i = 0; i < lab->count; i++) {
        snprintf(lab->tests[i].verdict, sizeof(lab->tests[i].verdict),
                 "failed");
        lab->tests[i].message = strdup("not run: the lab did not build");
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: grader [--results FILE] [--scale FACTOR] "
                    "[--run-limit SECONDS] [--source DIR]\n"
                    "              [--format table|tap|junit] BUILD_DIR "
                    "LAB...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct options opt = {NULL, "labs", 1.0, NULL, 0, "table", 0};
    struct sigaction stop;
    static struct grade_report report;
    int unlisted = 0, table;
    int i = 1;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--results") == 0)
            opt.results_path = argv[i + 1];
        else if (strcmp(argv[i], "--scale") == 0)
            opt.scale = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--source") == 0)
            opt.source = argv[i + 1];
        else if (strcmp(argv[i], "--run-limit") == 0)
            opt.run_limit_s = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--format") == 0)
            opt.format = argv[i + 1];
        else
            usage();
    }
    if (i + 2 > argc || opt.scale <= 0)
        usage();
    table = strcmp(opt.format, "table") == 0;
    if (!table && strcmp(opt.format, "tap") != 0 &&
        strcmp(opt.format, "junit") != 0) {
        fprintf(stderr, "grader: unknown --format %s; use table, tap or "
                        "junit\n",
                opt.format);
        return 2;
    }
    opt.build_dir = argv[i++];
    if (argc - i > MAX_LABS) {
        fprintf(stderr, "grader: at most %d labs at once\n", MAX_LABS);
        return 2;
    }

    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER)");
    prctl(PR_SET_DUMPABLE, 0);
    signal(SIGPIPE, SIG_IGN);

    /* No SA_RESTART: the signal must interrupt the poll() on the test
     * program's pipes, so that the grader cleans up and reports. */
    memset(&stop, 0, sizeof(stop));
    stop.sa_handler = note_stop;
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGTERM, &stop, NULL);

    report.source = opt.source;
    report.scale = opt.scale;
    report.start_ms = pl_now_ms();
    opt.run_limit_s *= opt.scale;
    if (opt.run_limit_s > 0)
        opt.run_deadline_ms =
            report.start_ms + (long long)(opt.run_limit_s * 1000);
    if (table)
        print_heading(&report);
    warn_without_namespace();
    cg_setup(CGROUP_TASKS);

    for (; i < argc; i++) {
        struct lab_report *lab = &report.labs[report.count++];

        snprintf(lab->folder, sizeof(lab->folder), "%s", argv[i]);

        /* A lab whose tests cannot be listed is the project's fault, not
         * the student's: print why, grade the others, and exit 2. */
        if (list_tests(&opt, lab) == -1) {
            fprintf(stderr, "%s\n", lab->problem);
            unlisted++;
            report.count--;
            continue;
        }
        grade_lab(&opt, lab);
        add_lab(&report, lab);
        if (table)
            print_lab(&report, lab);
    }
    cg_remove();
    report.elapsed_ms = pl_now_ms() - report.start_ms;
    if (table)
        print_total(&report);
    else if (strcmp(opt.format, "tap") == 0)
        print_tap(&report);
    else
        print_junit(&report);
    if (opt.results_path && write_json(&report, opt.results_path) == -1)
        return 2;
    if (stop_signal)
        return 128 + stop_signal;
    if (unlisted)
        return 2;
    return report.earned == report.max_points ? 0 : 1;
}
