/*
 * main.c - Lab 06 demo: runs the functions of wait_status.c and prints
 * how each child ended, in the words a shell would use.
 *
 *   make run LAB=06
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proclab.h"
#include "wait_status.h"

static pid_t main_pid;

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

/* --- Steps 1 and 2 ------------------------------------------------------ */

/* Set when a Step 2 function turned out to be a stub, to say so once. */
static int describe_missing;
static int shell_missing;

/* Print one status as "label  sentence  $? = N". */
static void print_status(const char *label, int status)
{
    char sentence[128];
    char shell[32] = "";
    int code;

    if (ws_describe_status(status, sentence, sizeof(sentence)) != 0) {
        if (errno == ENOSYS)
            describe_missing = 1;
        snprintf(sentence, sizeof(sentence), "status 0x%04x", status);
    }
    errno = 0;
    code = ws_shell_status(status);
    if (code >= 0)
        snprintf(shell, sizeof(shell), "$? = %d", code);
    else if (errno == ENOSYS)
        shell_missing = 1;
    if (shell[0])
        printf("  %-16s %-40s %s\n", label, sentence, shell);
    else
        printf("  %-16s %s\n", label, sentence);
}

/*
 * Start a child with ws_start_child(sig, code) and report every change
 * of state until it ends, continuing it with SIGCONT when it stops.
 */
static int show_one_ending(int sig, int code)
{
    char label[32];
    pid_t pid;
    int status;

    fflush(stdout);
    pid = ws_start_child(sig, code);
    stop_stray_child("ws_start_child", "Step 1");
    if (pid == -1)
        return report_failure("ws_start_child", "Step 1");

    if (sig == 0)
        snprintf(label, sizeof(label), "_exit(%d)", code);
    else
        snprintf(label, sizeof(label), "raise(%s)", pl_signal_name(sig));
    for (;;) {
        pl_waitpid(pid, &status, WUNTRACED | WCONTINUED);
        print_status(label, status);
        if (WIFEXITED(status) || WIFSIGNALED(status))
            return 0;
        if (WIFSTOPPED(status)) {
            if (kill(pid, SIGCONT) == -1)
                pl_die("kill(%d, SIGCONT)", (int)pid);
            strcpy(label, "SIGCONT");
        } else {
            snprintf(label, sizeof(label), "then _exit(%d)", code);
        }
    }
}

static int show_endings(void)
{
    static const struct {
        int sig;
        int code;
    } endings[] = {
        {0, 0}, {0, 3}, {SIGKILL, 0}, {SIGTERM, 0}, {SIGABRT, 0}, {SIGSTOP, 5},
    };
    int failed = 0;

    printf("Steps 1 and 2: children that end in different ways\n");
    for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
        failed |= show_one_ending(endings[i].sig, endings[i].code);
        if (failed)
            return failed;
    }
    if (describe_missing)
        failed |= report_failure("ws_describe_status", "Step 2");
    if (shell_missing) {
        errno = ENOSYS;
        failed |= report_failure("ws_shell_status", "Step 2");
    }
    return failed;
}

/* --- Step 3 ------------------------------------------------------------ */

static int usr1_release_fd = -1;

/* Release the child that sent the signal. write() is async-signal-safe,
 * and there is nothing to do if it fails. */
static void on_usr1(int sig)
{
    int saved = errno;
    ssize_t ignored = write(usr1_release_fd, "x", 1);

    (void)sig;
    (void)ignored;
    errno = saved;
}

/*
 * Fork a child that waits until this process sleeps in a system call
 * (state S in /proc), sends it SIGUSR1, and exits once the handler has
 * written to *release_fd. The caller closes *release_fd.
 */
static pid_t start_signalling_child(int *release_fd)
{
    int fds[2];
    pid_t pid;

    pl_pipe(fds);
    fflush(stdout);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: signal the parent while it waits, then wait for the
         * handler's byte. */
        char byte;

        pl_close(fds[1]);
        pl_proc_wait_state(getppid(), 'S', 2000);
        kill(getppid(), SIGUSR1);
        pl_read_full(fds[0], &byte, 1);
        _exit(0);
    }
    /* Parent: the child reads, the handler writes. */
    pl_close(fds[0]);
    *release_fd = fds[1];
    usr1_release_fd = fds[1];
    return pid;
}

static int show_eintr(void)
{
    struct sigaction sa;
    int release_fd, status;
    pid_t pid, got;

    printf("Step 3: a SIGUSR1 handler runs while the parent waits\n");
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART, so that the handler interrupts waitpid(). */
    if (sigaction(SIGUSR1, &sa, NULL) == -1)
        pl_die("sigaction(SIGUSR1)");

    pid = start_signalling_child(&release_fd);
    got = waitpid(pid, &status, 0);
    if (got == -1)
        printf("  %-16s returned -1 with errno %s, the child still runs\n",
               "waitpid()", pl_errno_name(errno));
    else
        printf("  %-16s returned %d\n", "waitpid()", (int)got);
    if (got != pid)
        pl_waitpid(pid, &status, 0);
    pl_close(release_fd);

    pid = start_signalling_child(&release_fd);
    got = ws_waitpid(pid, &status, 0);
    if (got != pid) {
        int err = errno;

        pl_waitpid(pid, &status, 0);
        pl_close(release_fd);
        errno = err;
        return report_failure("ws_waitpid", "Step 3");
    }
    pl_close(release_fd);
    print_status("ws_waitpid()", status);
    sa.sa_handler = SIG_DFL;
    if (sigaction(SIGUSR1, &sa, NULL) == -1)
        pl_die("sigaction(SIGUSR1, SIG_DFL)");
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

#define REAP_CHILDREN 3

static int show_finish_order(void)
{
    pid_t pids[REAP_CHILDREN];
    struct ws_reaped out[REAP_CHILDREN];
    int got;

    printf("Step 4: children created first end last\n");
    fflush(stdout);
    for (int i = 0; i < REAP_CHILDREN; i++) {
        pids[i] = pl_fork();
        if (pids[i] == 0) {
            /* Child i ends after (REAP_CHILDREN - 1 - i) * 150 ms. A demo
             * may rely on timing; the graded tests use pipes instead. */
            struct timespec ts = {0, (REAP_CHILDREN - 1 - i) * 150000000L};

            nanosleep(&ts, NULL);
            _exit(i);
        }
    }
    printf("  created: %d %d %d\n", (int)pids[0], (int)pids[1], (int)pids[2]);
    got = ws_reap_in_finish_order(pids, REAP_CHILDREN, out);
    if (got != REAP_CHILDREN) {
        int err = errno;
        int status;

        /* Reap whatever the function left, so that no zombie stays. */
        while (waitpid(-1, &status, 0) > 0)
            ;
        errno = err;
        return report_failure("ws_reap_in_finish_order", "Step 4");
    }
    printf("  reaped:  %d %d %d\n", (int)out[0].pid, (int)out[1].pid,
           (int)out[2].pid);
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

/* Fork a child that exits once a byte arrives on the returned fd. */
static pid_t start_held_child(int *release_fd)
{
    int fds[2];
    pid_t pid;

    pl_pipe(fds);
    fflush(stdout);
    pid = pl_fork();
    if (pid == 0) {
        char byte;

        pl_close(fds[1]);
        pl_read_full(fds[0], &byte, 1);
        _exit(0);
    }
    pl_close(fds[0]);
    *release_fd = fds[1];
    return pid;
}

/* Release the child and wait until it is a zombie, ended but unreaped. */
static void end_held_child(pid_t pid, int release_fd)
{
    pl_write_all(release_fd, "x", 1);
    pl_close(release_fd);
    if (pl_proc_wait_state(pid, 'Z', 2000) == -1)
        pl_die("waiting for child %d to end", (int)pid);
}

static void print_reaped(const struct ws_reaped *out, int count, int running)
{
    printf("  reaped %d:", count);
    for (int i = 0; i < count; i++)
        printf(" %d", (int)out[i].pid);
    printf("; %s\n",
           running ? "children are still running" : "no child is left");
}

static int show_reap_finished(void)
{
    struct ws_reaped out[REAP_CHILDREN];
    pid_t pids[REAP_CHILDREN];
    int fds[REAP_CHILDREN];
    int running, got, status;

    printf("Step 5: reap the children that have ended, without blocking\n");
    for (int i = 0; i < REAP_CHILDREN; i++)
        pids[i] = start_held_child(&fds[i]);
    end_held_child(pids[0], fds[0]);
    end_held_child(pids[1], fds[1]);
    printf("  %d and %d have ended, %d still runs\n", (int)pids[0],
           (int)pids[1], (int)pids[2]);

    got = ws_reap_finished(out, REAP_CHILDREN, &running);
    if (got == -1) {
        int err = errno;

        pl_write_all(fds[2], "x", 1);
        pl_close(fds[2]);
        while (waitpid(-1, &status, 0) > 0)
            ;
        errno = err;
        return report_failure("ws_reap_finished", "Step 5");
    }
    print_reaped(out, got, running);

    end_held_child(pids[2], fds[2]);
    got = ws_reap_finished(out, REAP_CHILDREN, &running);
    if (got == -1)
        return report_failure("ws_reap_finished", "Step 5");
    print_reaped(out, got, running);
    return 0;
}

int main(void)
{
    /* No core files: a child killed by SIGABRT would otherwise leave one
     * in the current folder. */
    struct rlimit core;
    int failed = 0;

    main_pid = getpid();
    if (getrlimit(RLIMIT_CORE, &core) == -1)
        pl_die("getrlimit(RLIMIT_CORE)");
    core.rlim_cur = 0;
    if (setrlimit(RLIMIT_CORE, &core) == -1)
        pl_die("setrlimit(RLIMIT_CORE)");

    failed |= show_endings();
    failed |= show_eintr();
    failed |= show_finish_order();
    failed |= show_reap_finished();
    return failed;
}
