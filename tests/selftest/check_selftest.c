/*
 * check_selftest.c - tests of the harness and grader themselves.
 *
 * Each test stands for a kind of student code: correct, wrong, or hostile.
 * Its name starts with the verdict the grader must reach ("passes:",
 * "fails:", "times out:", "crashes:"), and tests/run-tests.sh checks every
 * line of the grader's table against it.
 */
#include "pl_test.h"

#include "proclab.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

PL_TEST(test_trivial)
{
    PL_CHECK(1 + 1 == 2, "arithmetic is broken");
}

PL_TEST(test_false_check)
{
    int seen = 2;

    PL_CHECK(seen == 1, "expected 1, got %d", seen);
}

PL_TEST(test_early_exit)
{
    exit(0);
}

PL_TEST(test_exit_with_pass_code)
{
    _exit(92);
}

PL_TEST(test_endless_loop)
{
    for (;;)
        ;
}

PL_TEST(test_segfault)
{
    /* Not NULL: the compiler may assume a NULL store never runs. */
    volatile int *p = (volatile int *)16;

    *p = 1;
}

PL_TEST(test_abort)
{
    abort();
}

PL_TEST(test_child_left_running)
{
    if (pl_fork() == 0) {
        for (;;)
            pause();
    }
}

PL_TEST(test_child_not_reaped)
{
    pid_t pid = pl_fork();

    if (pid == 0)
        _exit(0);
    pl_proc_wait_state(pid, 'Z', 5000);
}

PL_TEST(test_pipe_left_open)
{
    int fds[2];

    pl_pipe(fds);
    pl_close(fds[0]);
}

/* A lab function whose child returns instead of ending with _exit(). */
static int forgetful_fork(void)
{
    pid_t pid = fork();

    if (pid > 0)
        waitpid(pid, NULL, 0);
    return 0;
}

PL_TEST(test_child_returns_into_test)
{
    for (int i = 0; i < 16; i++)
        PL_CALL(forgetful_fork());
}

PL_TEST(test_setsid_escapee)
{
    struct pl_sync s;
    pid_t pid;

    /* The handshake makes sure the escape happens before the test ends;
     * otherwise Check's kill of the test's process group could win. */
    pl_sync_init(&s);
    pid = pl_fork();
    if (pid == 0) {
        if (pl_fork() == 0) {
            pl_sync_child(&s);
            setsid();
            signal(SIGTERM, SIG_IGN);
            pl_sync_send(&s);
            for (;;)
                pause();
        }
        _exit(0);
    }
    pl_sync_parent(&s);
    pl_sync_wait(&s);
    pl_sync_close(&s);
    pl_waitpid(pid, NULL, 0);
}

PL_TEST(test_fork_bomb)
{
    for (;;)
        fork();
}

PL_TEST(test_leaves_files)
{
    FILE *f = fopen("left-behind.txt", "w");

    PL_CHECK(f != NULL, "cannot create a file in the test's directory %s",
             pl_test_dir());
    fputs("the harness removes this\n", f);
    fclose(f);
    PL_CHECK(mkdir("subdir", 0700) == 0, "cannot create a subdirectory");
}

static int exec_list(void *path)
{
    execl(path, path, "--list", (char *)NULL);
    return 127;
}

/* Run as nobody when the grader is root, in a folder that may be 0700. */
PL_TEST(test_reaches_own_program)
{
    struct pl_run_result r;
    const char *self = pl_test_program("check");

    pl_run(exec_list, (void *)self, 5000, &r);
    PL_CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
             "cannot run %s: %s", self, r.output);
    pl_run_free(&r);
}

/* A test starts with every signal at its default and none blocked. */
PL_TEST(test_default_signals)
{
    struct sigaction sa;
    sigset_t mask;

    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa))
            continue;
        PL_CHECK(sa.sa_handler == SIG_DFL, "%s is not at its default",
                 pl_signal_name(sig));
    }
    sigprocmask(SIG_SETMASK, NULL, &mask);
    PL_CHECK(sigisemptyset(&mask), "some signals are blocked");
}

PL_TEST(test_leaks_shared_memory)
{
    int fd = shm_open(pl_test_ipc_name("leak"), O_CREAT | O_RDWR, 0600);

    PL_CHECK(fd != -1, "shm_open failed: %s", pl_errno_name(errno));
    close(fd);
}

PL_TEST(test_leaks_queue)
{
    mqd_t q = mq_open(pl_test_ipc_name("leak"), O_CREAT | O_RDWR, 0600,
                      NULL);

    PL_CHECK(q != (mqd_t)-1, "mq_open failed: %s", pl_errno_name(errno));
    mq_close(q);
}

/* A name the harness never handed out: only a listing can find it. */
PL_TEST(test_leaks_unnamed_shared_memory)
{
    char name[64];
    int fd;

    snprintf(name, sizeof(name), "/proclab-selftest-%d", (int)getpid());
    fd = shm_open(name, O_CREAT | O_RDWR, 0600);
    PL_CHECK(fd != -1, "shm_open failed: %s", pl_errno_name(errno));
    close(fd);
}

/* As root the grader runs tests as nobody: they cannot touch its files. */
PL_TEST(test_cannot_write_results)
{
    char dir[4200], path[4300];
    struct stat st;
    int fd;

    snprintf(dir, sizeof(dir), "%s", pl_test_program(""));
    PL_CHECK(stat(dir, &st) == 0, "cannot stat %s", dir);
    if (st.st_uid == getuid())
        return; /* the grader's own user runs the tests: nothing to show */

    snprintf(path, sizeof(path), "%s/results-written-by-a-test", dir);
    fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (fd != -1) {
        close(fd);
        unlink(path);
    }
    PL_CHECK(fd == -1, "a test could create %s in a tree it does not own",
             path);
}

PL_TEST(test_child_calls_exit)
{
    pid_t pid = fork();

    if (pid == 0)
        exit(0);
    pl_waitpid(pid, NULL, 0);
}

PL_TEST(test_child_exit_allowed)
{
    pid_t pid;

    pl_test_allow_child_exit();
    pid = fork();
    if (pid == 0)
        exit(0);
    pl_waitpid(pid, NULL, 0);
}

PL_TEST(test_checked_call_fails)
{
    pl_close(4000);
}

/* More memory than a test may have: malloc() must fail, not the machine. */
PL_TEST(test_memory_bound)
{
    void *huge = malloc((size_t)4 << 30);

    PL_CHECK(huge == NULL, "a 4 GiB allocation succeeded in a test");
    free(huge);
}

PL_TEST(test_fake_score)
{
    printf("Score: 100/100\n");
    printf("  ok    1/1  fails: everything\n");
    fflush(stdout);
}

PL_TEST(test_output_flood)
{
    static char line[4096];

    memset(line, 'y', sizeof(line) - 1);
    for (int i = 0; i < 100 * 256; i++)
        puts(line);
}

PL_TEST(test_closed_stdout)
{
    close(STDOUT_FILENO);
    close(STDERR_FILENO);
    printf("lost\n");
}

static const struct pl_test_case tests[] = {
    {&test_trivial, "passes: a trivial test", 1, "Step 1", 5},
    {&test_false_check, "fails: a check that does not hold", 1, "Step 1",
     5},
    {&test_early_exit, "fails: exit(0) in the test process", 1, "Step 1",
     5},
    {&test_exit_with_pass_code, "fails: the harness's pass code", 1,
     "Step 1", 5},
    {&test_endless_loop, "times out: an endless loop", 1, "Step 1", 0.5},
    {&test_segfault, "crashes: a segmentation fault", 1, "Step 1", 5},
    {&test_abort, "crashes: abort()", 1, "Step 1", 5},
    {&test_child_left_running, "fails: a child left running", 1, "Step 1",
     5},
    {&test_child_not_reaped, "fails: a child never waited for", 1,
     "Step 1", 5},
    {&test_pipe_left_open, "fails: a pipe end left open", 1, "Step 1", 5},
    {&test_child_returns_into_test, "fails: a child returns into the test",
     1, "Step 1", 5},
    {&test_setsid_escapee, "fails: a setsid escapee ignoring SIGTERM", 1,
     "Step 1", 5},
    {&test_fork_bomb, "times out: a fork bomb", 1, "Step 1", 1},
    {&test_leaves_files, "passes: files left in the test's directory", 1,
     "Step 1", 5},
    {&test_reaches_own_program, "passes: the test program is reachable", 1,
     "Step 1", 5},
    {&test_default_signals, "passes: signals start at their defaults", 1,
     "Step 1", 5},
    {&test_leaks_shared_memory, "fails: a shared memory object left", 1,
     "Step 1", 5},
    {&test_leaks_queue, "fails: a message queue left", 1, "Step 1", 5},
    {&test_leaks_unnamed_shared_memory,
     "fails: an object under a name of its own left", 1, "Step 1", 5},
    {&test_cannot_write_results, "passes: the grader's files are closed",
     1, "Step 1", 5},
    {&test_child_calls_exit, "fails: a child that calls exit()", 1,
     "Step 1", 5},
    {&test_child_exit_allowed, "passes: a child allowed to call exit()", 1,
     "Step 1", 5},
    {&test_checked_call_fails, "fails: a checked call fails", 1, "Step 1",
     5},
    {&test_memory_bound, "passes: 4 GiB cannot be allocated", 1, "Step 1",
     5},
    {&test_fake_score, "passes: printing a fake score", 1, "Step 1", 5},
    {&test_output_flood, "crashes: 100 MB of output", 1, "Step 1", 10},
    {&test_closed_stdout, "passes: a closed stdout", 1, "Step 1", 5},
};

PL_LAB("selftest", tests)
