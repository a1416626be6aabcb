/*
 * test_process.c - the harness code that runs inside the test process.
 *
 * pl_test_begin() applies the limits and closes what lab code must not
 * reach; pl_test_end() checks what every test must leave behind: no
 * child running or unreaped, no descriptor open that was not open at the
 * start. pl_fail() and pl_test_check_stray() stop a child of the lab
 * code that came back into the test.
 */
#include "harness.h"

#include "proclab.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_FDS 256
#define MAX_ALLOWED_FDS 16

/* Set in the test process only. */
static int start_fds[MAX_FDS];
static int start_fd_count;
static int allowed_fds[MAX_ALLOWED_FDS];
static int allowed_fd_count;

const char *pl_test_dir(void)
{
    return plh_test_dir;
}

const char *pl_test_program(const char *name)
{
    static char path[4096 + 256];

    snprintf(path, sizeof(path), "%s/%s", plh_program_dir, name);
    return path;
}

const char *pl_test_ipc_name(const char *base)
{
    struct shared_state *s = plh_shared;
    char *name;

    if (s->ipc_count >= MAX_IPC_NAMES)
        pl_fatal("pl_test_ipc_name: more than %d names in one test",
                 MAX_IPC_NAMES);
    name = s->ipc_names[s->ipc_count++];
    snprintf(name, IPC_NAME_MAX, "/proclab.%s.%s", plh_run_id, base);
    return name;
}

double pl_test_scale(void)
{
    return plh_scale;
}

void pl_test_allow_fd(int fd)
{
    if (allowed_fd_count < MAX_ALLOWED_FDS)
        allowed_fds[allowed_fd_count++] = fd;
}

void pl_test_allow_child_exit(void)
{
    plh_shared->child_exit_allowed = 1;
}

/* Runs in every process of the test that calls exit(), children too. */
static void note_exit(void)
{
    if (getpid() != plh_shared->test_pid)
        __sync_bool_compare_and_swap(&plh_shared->exit_pid, 0, getpid());
}

void pl_test_begin(void)
{
    plh_shared->test_pid = getpid();
    allowed_fd_count = 0;
    plh_contain_test();
    atexit(note_exit);

    /* If the harness dies, the test must not run on without its
     * deadline. Set after the change of user, which clears it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir(plh_test_dir) == -1)
        pl_die("chdir(%s)", plh_test_dir);

    /* Lab code must not reach the grader: not its results, not its
     * terminal. */
    close(plh_results_fd);
    close(plh_saved_stdout);
    close(plh_saved_stderr);
    start_fd_count = pl_proc_list_fds(0, start_fds, MAX_FDS);
}

void pl_test_check_stray(void)
{
    if (getpid() == plh_shared->test_pid)
        return;
    __sync_bool_compare_and_swap(&plh_shared->stray_pid, 0, getpid());
    _exit(PL_EXIT_STRAY);
}

void pl_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    size_t len;

    pl_test_check_stray();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    /* A message that ends in program output, with its line break, would
     * push the place of the check onto a line of its own. */
    len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = '\0';
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
    if (plh_shared->exit_pid && !plh_shared->child_exit_allowed)
        fail_here("child %d ended with exit() instead of _exit(): exit() "
                  "flushes the stdio buffers the child copied from its "
                  "parent, so their output appears twice, and runs the "
                  "parent's atexit handlers",
                  (int)plh_shared->exit_pid);
    check_fds();
    plh_shared->finished = 1;
    _exit(PL_EXIT_PASSED);
}

