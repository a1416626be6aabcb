/*
 * main.c - Lab 02 demo: runs the functions of inherit_exec.c and prints
 * what each one shows about what a child inherits and what exec keeps.
 *
 *   make run LAB=02
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 *
 * For Steps 2, 3 and 4 the demo execs itself with a mode as its first
 * argument (--print-naive, --print-once, --show-env, --show-process), and
 * the new program prints what it received or what the step shows. The
 * files of Steps 1 and 5 go in a temporary folder under /tmp, which the
 * demo removes before it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inherit_exec.h"
#include "proclab.h"

/* Step 1: texts of different lengths, so an overwrite leaves a tail. */
#define PARENT_TEXT "parent: first line\n"
#define CHILD_TEXT "child: hi\n"

/* Step 4: a value the demo stores before exec, to show that the new
 * program starts with its own fresh memory. */
#define MARKER_BEFORE_EXEC 42

#define RUN_TIMEOUT_MS 5000
#define MAX_FDS 64

static pid_t main_pid;
static char demo_dir[] = "/tmp/proclab-demo-XXXXXX";
static char self_path[4096];
static int demo_marker;

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

/* Print text on one line, with newlines shown as \n, between quotes. */
static void print_escaped(const char *text, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            fputs("\\n", stdout);
        else
            putchar(text[i]);
    }
    putchar('"');
}

/* Print the contents of the demo file name, escaped. */
static void print_file(const char *name)
{
    char path[sizeof(demo_dir) + 64];
    char buf[256];
    size_t len;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", demo_dir, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        printf("(no file: %s)", strerror(errno));
        return;
    }
    len = pl_read_full(fd, buf, sizeof(buf));
    pl_close(fd);
    print_escaped(buf, len);
}

static void demo_path(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", demo_dir, name);
}

/* Remove the demo folder and the files the steps may have left in it. */
static void remove_demo_dir(void)
{
    static const char *const names[] = {"shared.txt", "separate.txt",
                                        "locked.txt"};
    char path[sizeof(demo_dir) + 64];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        demo_path(path, sizeof(path), names[i]);
        if (unlink(path) == -1 && errno != ENOENT)
            pl_warn("unlink(%s)", path);
    }
    if (rmdir(demo_dir) == -1)
        pl_warn("rmdir(%s)", demo_dir);
}

/* --- Step 1 ------------------------------------------------------------ */

static int show_offsets(void)
{
    char path[sizeof(demo_dir) + 64];
    off_t offset;
    int rc;

    printf("Step 1: the parent writes \"parent: first line\\n\" (%zu "
           "bytes), then the child \"child: hi\\n\" (%zu)\n",
           strlen(PARENT_TEXT), strlen(CHILD_TEXT));
    fflush(stdout);
    demo_path(path, sizeof(path), "shared.txt");
    rc = ie_write_shared(path, PARENT_TEXT, CHILD_TEXT, &offset);
    stop_stray_child("ie_write_shared", "Step 1");
    if (rc != 0)
        return report_failure("ie_write_shared", "Step 1");
    printf("  opened before fork: ");
    print_file("shared.txt");
    printf("\n    one shared offset: the parent's is now %lld\n",
           (long long)offset);

    fflush(stdout);
    demo_path(path, sizeof(path), "separate.txt");
    rc = ie_write_separate(path, PARENT_TEXT, CHILD_TEXT, &offset);
    stop_stray_child("ie_write_separate", "Step 1");
    if (rc != 0)
        return report_failure("ie_write_separate", "Step 1");
    printf("  opened after fork:  ");
    print_file("separate.txt");
    printf("\n    two offsets: the child wrote at 0, the parent's is %lld\n",
           (long long)offset);
    return 0;
}

/* --- Step 2 ------------------------------------------------------------ */

/*
 * The mistake that Step 2 is about, made on purpose: no fflush() before
 * fork, and exit() instead of _exit() in the child. Runs as a new program
 * (--print-naive), so that stdio sets stdout up for what it really is: a
 * terminal or a pipe. Each line starts with prefix.
 */
static int print_naive(const char *prefix)
{
    pid_t pid;

    printf("%s%s\n", prefix, IE_LINE_BEFORE);
    pid = pl_fork();
    if (pid == 0) {
        printf("%s%s\n", prefix, IE_LINE_CHILD);
        exit(0);
    }
    pl_waitpid(pid, NULL, 0);
    printf("%s%s\n", prefix, IE_LINE_PARENT);
    return 0;
}

/* Run ie_print_once() as a new program (--print-once). */
static int print_once(void)
{
    pid_t self = getpid();
    int rc = ie_print_once();

    if (getpid() != self) {
        fprintf(stderr,
                "process %d, a child made by ie_print_once, returned into "
                "the demo: end every child with _exit() (Step 2)\n",
                (int)getpid());
        _exit(1);
    }
    return rc == 0 ? 0 : errno;
}

/* Exec this program with the mode in arg; runs in a child of pl_run(). */
static int exec_self(void *arg)
{
    char *argv[] = {"inherit_exec_demo", arg, "", NULL};

    execv(self_path, argv);
    pl_warn("execv(%s)", self_path);
    return 127;
}

/* Print the output of a pl_run() child, one indented line at a time. */
static void print_run_output(const struct pl_run_result *r)
{
    const char *line = r->output;

    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);

        printf("    %.*s\n", len, line);
        line += len + (end ? 1 : 0);
    }
}

static int show_print_once(void)
{
    char *argv[] = {"inherit_exec_demo", "--print-naive", "    ", NULL};
    struct pl_run_result r;
    int status;
    int code;
    pid_t pid;

    printf("Step 2: print \"%s\", fork, the child prints \"%s\", the "
           "parent \"%s\"\n",
           IE_LINE_BEFORE, IE_LINE_CHILD, IE_LINE_PARENT);
    printf("  no fflush, exit() in the child, stdout %s:\n",
           isatty(STDOUT_FILENO) ? "a terminal (line buffered)"
                                 : "not a terminal here (fully buffered)");
    fflush(stdout);
    pid = pl_fork();
    if (pid == 0) {
        execv(self_path, argv);
        pl_die("execv(%s)", self_path);
    }
    pl_waitpid(pid, &status, 0);

    printf("  the same code, stdout a pipe (fully buffered):\n");
    fflush(stdout);
    pl_run(exec_self, "--print-naive", RUN_TIMEOUT_MS, &r);
    print_run_output(&r);
    pl_run_free(&r);

    printf("  your ie_print_once, stdout a pipe:\n");
    fflush(stdout);
    pl_run(exec_self, "--print-once", RUN_TIMEOUT_MS, &r);
    code = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : EIO;
    print_run_output(&r);
    pl_run_free(&r);
    if (code != 0) {
        errno = code;
        return report_failure("ie_print_once", "Step 2");
    }
    return 0;
}

/* --- Step 3 ------------------------------------------------------------ */

static int show_setenv(void)
{
    struct ie_env_report r;
    int rc;

    printf("Step 3: the child calls setenv(\"PROCLAB_COLOR\", \"blue\"); "
           "the parent has no PROCLAB_COLOR\n");
    if (unsetenv("PROCLAB_COLOR") != 0)
        pl_die("unsetenv(PROCLAB_COLOR)");
    fflush(stdout);
    rc = ie_setenv_in_child("PROCLAB_COLOR", "blue", &r);
    stop_stray_child("ie_setenv_in_child", "Step 3");
    if (rc != 0)
        return report_failure("ie_setenv_in_child", "Step 3");
    printf("  child:  PROCLAB_COLOR=%s\n", r.child_value);
    if (r.parent_has)
        printf("  parent: PROCLAB_COLOR=%s\n", r.parent_value);
    else
        printf("  parent: PROCLAB_COLOR is not set\n");
    return 0;
}

static int show_spawn(void)
{
    char *argv[] = {"inherit_exec_demo", "--show-env", NULL};
    char *envp[] = {"LAB=02", "GREETING=hello world", NULL};
    int code;

    printf("Step 3: execve() with argv {\"%s\", \"%s\"} and an environment "
           "of two strings\n",
           argv[0], argv[1]);
    fflush(stdout);
    code = ie_spawn(self_path, argv, envp, STDOUT_FILENO, NULL);
    stop_stray_child("ie_spawn", "Step 3");
    if (code == -1)
        return report_failure("ie_spawn", "Step 3");
    printf("  exit code %d\n", code);
    return 0;
}

/* The program that ie_spawn() runs in Step 3: print what it received. */
static int describe_env(int argc, char **argv)
{
    printf("  the new program's argv:");
    for (int i = 0; i < argc; i++)
        printf(" \"%s\"", argv[i]);
    printf("\n  its environment:\n");
    for (char **entry = environ; *entry != NULL; entry++)
        printf("    %s\n", *entry);
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

static int show_exec(void)
{
    char *argv[] = {"inherit_exec_demo", "--show-process", NULL};
    struct ie_exec_report r;
    int rc;

    printf("Step 4: exec keeps the process and replaces the program (the "
           "parent is PID %d)\n",
           (int)getpid());
    /* The child gets a copy of this value, and exec throws it away. */
    demo_marker = MARKER_BEFORE_EXEC;
    fflush(stdout);
    rc = ie_exec_with_fds(self_path, argv, STDOUT_FILENO, &r);
    stop_stray_child("ie_exec_with_fds", "Step 4");
    demo_marker = 0;
    if (rc != 0)
        return report_failure("ie_exec_with_fds", "Step 4");
    printf("  fork() returned PID %d; exit code %d\n", (int)r.child_pid,
           r.exit_code);
    printf("  of fd %d (plain), fd %d (O_CLOEXEC) and fd %d (FD_CLOEXEC), "
           "only fd %d should be in that list\n",
           r.plain_fd, r.ocloexec_fd, r.fdcloexec_fd, r.plain_fd);
    return 0;
}

/* The program that ie_exec_with_fds() runs in Step 4. */
static int describe_process(void)
{
    int fds[MAX_FDS];
    int count = pl_proc_list_fds(0, fds, MAX_FDS);

    if (count == -1)
        pl_die("pl_proc_list_fds(/proc/self/fd)");
    printf("  the new program: PID %d, parent %d, demo_marker %d (it was "
           "%d before exec)\n",
           (int)getpid(), (int)getppid(), demo_marker, MARKER_BEFORE_EXEC);
    printf("  its open descriptors:\n");
    for (int i = 0; i < count && i < MAX_FDS; i++) {
        char target[256];

        if (pl_proc_fd_target(0, fds[i], target, sizeof(target)) == -1)
            snprintf(target, sizeof(target), "?");
        printf("    fd %d -> %s\n", fds[i], target);
    }
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

static int show_pending(void)
{
    struct ie_signal_report r;
    int rc;

    printf("Step 5: SIGUSR1 is blocked and pending in the parent at fork\n");
    fflush(stdout);
    rc = ie_pending_in_child(SIGUSR1, &r);
    stop_stray_child("ie_pending_in_child", "Step 5");
    if (rc != 0)
        return report_failure("ie_pending_in_child", "Step 5");
    printf("  parent: pending %s; child: pending %s, blocked %s\n",
           r.parent_pending ? "yes" : "no", r.child_pending ? "yes" : "no",
           r.child_blocked ? "yes" : "no");
    return 0;
}

static int show_threads(void)
{
    struct ie_thread_report r;
    int rc;

    printf("Step 5: the parent starts 3 threads and forks\n");
    fflush(stdout);
    rc = ie_threads_in_child(3, &r);
    stop_stray_child("ie_threads_in_child", "Step 5");
    if (rc != 0)
        return report_failure("ie_threads_in_child", "Step 5");
    printf("  threads in the parent: %d; in the child: %d\n",
           r.parent_threads, r.child_threads);
    return 0;
}

static int show_lock(void)
{
    char path[sizeof(demo_dir) + 64];
    struct ie_lock_report r;
    int rc;

    printf("Step 5: the parent (PID %d) write-locks a file and forks\n",
           (int)getpid());
    demo_path(path, sizeof(path), "locked.txt");
    fflush(stdout);
    rc = ie_lock_in_child(path, &r);
    stop_stray_child("ie_lock_in_child", "Step 5");
    if (rc != 0)
        return report_failure("ie_lock_in_child", "Step 5");
    printf("  child (PID %d): F_SETLK %s; F_GETLK: %s held by PID %d\n",
           (int)r.child_pid,
           r.child_errno ? pl_errno_name(r.child_errno) : "succeeded",
           r.holder_type == F_WRLCK   ? "write lock"
           : r.holder_type == F_RDLCK ? "read lock"
                                      : "no lock",
           (int)r.holder_pid);
    printf("  parent: F_GETLK: %s\n",
           r.parent_type == F_UNLCK ? "F_UNLCK (its own lock is no conflict)"
                                    : "a lock in the way");
    return 0;
}

int main(int argc, char **argv)
{
    ssize_t len;
    int failed = 0;

    if (argc > 1 && strcmp(argv[1], "--show-env") == 0)
        return describe_env(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--show-process") == 0)
        return describe_process();
    if (argc > 2 && strcmp(argv[1], "--print-naive") == 0)
        return print_naive(argv[2]);
    if (argc > 1 && strcmp(argv[1], "--print-once") == 0)
        return print_once();

    main_pid = getpid();
    len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
    if (len == -1)
        pl_die("readlink(/proc/self/exe)");
    self_path[len] = '\0';
    if (mkdtemp(demo_dir) == NULL)
        pl_die("mkdtemp(%s)", demo_dir);

    failed |= show_offsets();
    failed |= show_print_once();
    failed |= show_setenv();
    failed |= show_spawn();
    failed |= show_exec();
    failed |= show_pending();
    failed |= show_threads();
    failed |= show_lock();
    remove_demo_dir();
    return failed;
}
