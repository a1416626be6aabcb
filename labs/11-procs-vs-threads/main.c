/*
 * main.c - Lab 11 demo: runs each row function of procs_threads.c once
 * with a child process and once with a thread, and prints what the caller
 * and the other saw in two columns, side by side.
 *
 *   make run LAB=11
 *
 * A function that is still the starter stub gets a "not written yet"
 * line, and the other rows still run. The exit status is 0 when every
 * function worked and 1 otherwise. You do not need to edit this file.
 * README.md describes the expected output.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs_threads.h"
#include "proclab.h"

/* The size of the text buffer of one table cell. */
#define CELL 64

/* Exit codes of the child that runs Step 5 in thread mode when the lab
 * function returned, which it must not. */
#define RETURNED_NOT_WRITTEN 98
#define RETURNED 99

static pid_t main_pid;

/* The folder and file that the Step 3 rows open and change into, made
 * for this run and removed after Step 3. */
static char demo_dir[PATH_MAX];
static char demo_file[PATH_MAX + 16];
static char start_cwd[PATH_MAX];

/* Print one row: a label and what each mode showed. */
static void print_row(const char *label, const char *process,
                      const char *thread)
{
    printf("  %-28s%-24s%s\n", label, process, thread);
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

/*
 * Print why the row function fn failed in either mode, given what it
 * returned (rc) and errno (err) in each. Returns 1 on a failure, for the
 * exit status, else 0.
 */
static int report_failures(const char *fn, const char *step, const int rc[2],
                           const int err[2])
{
    static const char *names[2] = {"PT_PROCESS", "PT_THREAD"};

    if (rc[0] == 0 && rc[1] == 0)
        return 0;
    if (rc[0] != 0 && rc[1] != 0 && err[0] == ENOSYS && err[1] == ENOSYS) {
        printf("  %s is not written yet (%s)\n", fn, step);
        return 1;
    }
    for (int i = 0; i < 2; i++)
        if (rc[i] != 0)
            printf("  %s(%s) failed: %s (%s)\n", fn, names[i],
                   pl_errno_name(err[i]), strerror(err[i]));
    return 1;
}

/* The other's function for the check that pt_run_other() works. */
static int store_seven(void *arg, void *report)
{
    (void)arg;
    *(int *)report = 7;
    return 0;
}

static int show_run_other(void)
{
    int rc[2];
    int err[2];
    int value[2];

    for (int i = 0; i < 2; i++) {
        value[i] = 0;
        fflush(stdout);
        rc[i] = pt_run_other(i == 0 ? PT_PROCESS : PT_THREAD, store_seven,
                             NULL, &value[i], sizeof(value[i]));
        err[i] = errno;
        stop_stray_child("pt_run_other", "Step 1");
    }
    if (report_failures("pt_run_other", "Step 1", rc, err))
        return 1;
    if (value[0] != 7 || value[1] != 7) {
        printf("  pt_run_other: the other stored 7 in the report, but the "
               "caller got %d (child) and %d (thread) (Step 1)\n",
               value[0], value[1]);
        return 1;
    }
    return 0;
}

static int show_ids(void)
{
    struct pt_ids_report r[2];
    int rc[2];
    int err[2];
    char cell[2][CELL];

    printf("Step 1: who the other is\n");
    if (show_run_other() != 0)
        return 1;
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_compare_ids(i == 0 ? PT_PROCESS : PT_THREAD, &r[i]);
        err[i] = errno;
        stop_stray_child("pt_compare_ids", "Step 1");
    }
    if (report_failures("pt_compare_ids", "Step 1", rc, err))
        return 1;

    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%d (%s)", (int)r[i].other.pid,
                 r[i].other.pid == r[i].caller.pid ? "the caller's" : "new");
    print_row("its PID", cell[0], cell[1]);
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%d (%s)", (int)r[i].other.ppid,
                 r[i].other.ppid == r[i].caller.pid    ? "the caller"
                 : r[i].other.ppid == r[i].caller.ppid ? "caller's parent"
                                                       : "?");
    print_row("its parent PID", cell[0], cell[1]);
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%d (%s)", (int)r[i].other.tid,
                 r[i].other.tid == r[i].other.pid ? "= its PID" : "new");
    print_row("its TID", cell[0], cell[1]);
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%d", r[i].other_threads);
    print_row("threads in its process", cell[0], cell[1]);
    return 0;
}

/*
 * Say whether the other's local lies near the caller's, on the same
 * stack, or far away on a stack of its own.
 */
static void describe_distance(char *cell, size_t len, uintptr_t other,
                              uintptr_t caller)
{
    uintptr_t distance = other > caller ? other - caller : caller - other;

    snprintf(cell, len, "%s",
             distance < 1024 * 1024 ? "near: the main stack"
                                    : "far: a stack of its own");
}

static int show_memory(void)
{
    struct pt_memory_report r[2];
    struct pt_stack_report s[2];
    int rc[2];
    int err[2];
    char cell[2][CELL];
    int failed;

    printf("Step 2: the other adds 10 to pt_counter, which starts at 1\n");
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_add_in_other(i == 0 ? PT_PROCESS : PT_THREAD, 10, &r[i]);
        err[i] = errno;
        stop_stray_child("pt_add_in_other", "Step 2");
    }
    failed = report_failures("pt_add_in_other", "Step 2", rc, err);
    if (!failed) {
        for (int i = 0; i < 2; i++)
            snprintf(cell[i], CELL, "%d at %p", r[i].other_value,
                     (const void *)r[i].other_addr);
        print_row("the other sees", cell[0], cell[1]);
        for (int i = 0; i < 2; i++)
            snprintf(cell[i], CELL, "%d at %p", r[i].caller_value,
                     (const void *)r[i].caller_addr);
        print_row("the caller then sees", cell[0], cell[1]);
    }

    printf("Step 2: where a local variable of each side lives\n");
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_local_in_other(i == 0 ? PT_PROCESS : PT_THREAD, &s[i]);
        err[i] = errno;
        stop_stray_child("pt_local_in_other", "Step 2");
    }
    if (report_failures("pt_local_in_other", "Step 2", rc, err))
        return 1;
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%#lx", (unsigned long)s[i].other_local);
    print_row("the other's local", cell[0], cell[1]);
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%#lx", (unsigned long)s[i].caller_local);
    print_row("the caller's local", cell[0], cell[1]);
    for (int i = 0; i < 2; i++)
        describe_distance(cell[i], CELL, s[i].other_local, s[i].caller_local);
    print_row("so the other's local is", cell[0], cell[1]);
    return failed;
}

static int show_descriptors(void)
{
    struct pt_fd_report f[2];
    struct pt_offset_report o[2];
    int rc[2];
    int err[2];
    char cell[2][CELL];
    int failed;
    int fd;

    printf("Step 3: the other opens %s and leaves it open\n", demo_file);
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_open_in_other(i == 0 ? PT_PROCESS : PT_THREAD, demo_file,
                                 &f[i]);
        err[i] = errno;
        stop_stray_child("pt_open_in_other", "Step 3");
    }
    failed = report_failures("pt_open_in_other", "Step 3", rc, err);
    if (!failed) {
        for (int i = 0; i < 2; i++)
            snprintf(cell[i], CELL, "fd %d", f[i].other_fd);
        print_row("open() in the other gave", cell[0], cell[1]);
        for (int i = 0; i < 2; i++)
            snprintf(cell[i], CELL, "%s",
                     f[i].caller_has_file ? "yes (and closes it)" : "no");
        print_row("the caller has that file", cell[0], cell[1]);
    }

    fd = open(demo_file, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        pl_die("open(%s)", demo_file);
    printf("Step 3: the caller opens it as fd %d; the other reads 4 bytes "
           "from offset 0\n",
           fd);
    for (int i = 0; i < 2; i++) {
        if (lseek(fd, 0, SEEK_SET) != 0)
            pl_die("lseek(fd=%d, 0)", fd);
        fflush(stdout);
        rc[i] = pt_read_in_other(i == 0 ? PT_PROCESS : PT_THREAD, fd, 4,
                                 &o[i]);
        err[i] = errno;
        stop_stray_child("pt_read_in_other", "Step 3");
    }
    pl_close(fd);
    if (report_failures("pt_read_in_other", "Step 3", rc, err))
        return 1;
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%ld", o[i].other_offset);
    print_row("the offset in the other", cell[0], cell[1]);
    for (int i = 0; i < 2; i++)
        snprintf(cell[i], CELL, "%ld", o[i].caller_offset);
    print_row("the offset in the caller", cell[0], cell[1]);
    return failed;
}

/* Describe where the caller's directory ended up after the other's chdir. */
static const char *describe_cwd(const struct pt_cwd_report *r)
{
    if (strcmp(r->caller_cwd, start_cwd) == 0)
        return "unchanged";
    if (strcmp(r->caller_cwd, r->other_cwd) == 0)
        return "the other's new one";
    return "somewhere else";
}

static int show_cwd(void)
{
    static struct pt_cwd_report r[2];
    int rc[2];
    int err[2];

    printf("Step 3: the other changes directory to %s\n", demo_dir);
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_chdir_in_other(i == 0 ? PT_PROCESS : PT_THREAD, demo_dir,
                                  &r[i]);
        err[i] = errno;
        stop_stray_child("pt_chdir_in_other", "Step 3");
        /* Go back, so that the next mode starts where the first did. */
        if (chdir(start_cwd) != 0)
            pl_die("chdir(%s)", start_cwd);
    }
    if (report_failures("pt_chdir_in_other", "Step 3", rc, err))
        return 1;
    print_row("the caller's cwd is then", describe_cwd(&r[0]),
              describe_cwd(&r[1]));
    return 0;
}

static const char *disposition_word(enum pt_disposition disp)
{
    switch (disp) {
    case PT_DISP_DEFAULT:
        return "default";
    case PT_DISP_IGNORE:
        return "ignored";
    case PT_DISP_HANDLER:
        return "handler";
    }
    return "?";
}

static int show_signals(void)
{
    struct pt_handler_report h[2];
    struct pt_mask_report m[2];
    int rc[2];
    int err[2];
    char cell[2][CELL];
    int failed;

    printf("Step 4: the caller ignores SIGUSR1; the other installs a "
           "handler\n");
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_sigaction_in_other(i == 0 ? PT_PROCESS : PT_THREAD, &h[i]);
        err[i] = errno;
        stop_stray_child("pt_sigaction_in_other", "Step 4");
    }
    failed = report_failures("pt_sigaction_in_other", "Step 4", rc, err);
    if (!failed) {
        for (int i = 0; i < 2; i++)
            snprintf(cell[i], CELL, "%s, then %s",
                     disposition_word(h[i].other_before),
                     disposition_word(h[i].other_after));
        print_row("SIGUSR1 in the other", cell[0], cell[1]);
        print_row("SIGUSR1 in the caller", disposition_word(h[0].caller_after),
                  disposition_word(h[1].caller_after));
    }

    printf("Step 4: the caller blocks SIGUSR1; the other blocks SIGUSR2\n");
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        rc[i] = pt_block_in_other(i == 0 ? PT_PROCESS : PT_THREAD, &m[i]);
        err[i] = errno;
        stop_stray_child("pt_block_in_other", "Step 4");
    }
    if (report_failures("pt_block_in_other", "Step 4", rc, err))
        return 1;
    print_row("SIGUSR1 in the other",
              m[0].other_inherited ? "blocked (inherited)" : "not blocked",
              m[1].other_inherited ? "blocked (inherited)" : "not blocked");
    print_row("SIGUSR2 in the other",
              m[0].other_blocked ? "blocked" : "not blocked",
              m[1].other_blocked ? "blocked" : "not blocked");
    print_row("SIGUSR2 in the caller",
              m[0].caller_blocked ? "blocked" : "not blocked",
              m[1].caller_blocked ? "blocked" : "not blocked");
    return failed;
}

/*
 * Run pt_exit_in_other(PT_THREAD) in a child of the demo, because it ends
 * the process it runs in, and store that child's status from waitpid()
 * in *status. Returns 0, or 1 when the function returned.
 */
static int exit_from_thread(int *status)
{
    pid_t pid;

    fflush(stdout);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: only a function that returns gets past this call. */
        int unused;
        int rc = pt_exit_in_other(PT_THREAD, 42, &unused);

        _exit(rc == -1 && errno == ENOSYS ? RETURNED_NOT_WRITTEN : RETURNED);
    }
    pl_waitpid(pid, status, 0);
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == RETURNED_NOT_WRITTEN) {
        printf("  pt_exit_in_other(PT_THREAD) is not written yet (Step 5)\n");
        return 1;
    }
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == RETURNED) {
        printf("  pt_exit_in_other(PT_THREAD) returned, but exit() in the "
               "thread should end the process (Step 5)\n");
        return 1;
    }
    return 0;
}

static int show_exit(void)
{
    int status[2] = {0, 0};
    char ending[2][CELL];
    int rc;
    int err;
    int failed;

    printf("Step 5: the other calls exit(42)\n");
    fflush(stdout);
    rc = pt_exit_in_other(PT_PROCESS, 42, &status[0]);
    err = errno;
    stop_stray_child("pt_exit_in_other", "Step 5");
    if (rc != 0) {
        if (err == ENOSYS)
            printf("  pt_exit_in_other(PT_PROCESS) is not written yet "
                   "(Step 5)\n");
        else
            printf("  pt_exit_in_other(PT_PROCESS) failed: %s (%s)\n",
                   pl_errno_name(err), strerror(err));
    }
    failed = exit_from_thread(&status[1]);
    if (rc != 0 || failed)
        return 1;

    print_row("the caller", "goes on", "never returns");
    print_row("exit(42) ends", "the child only", "the whole process");
    for (int i = 0; i < 2; i++)
        pl_describe_status(status[i], ending[i], CELL);
    print_row("waitpid() then reports", ending[0], ending[1]);
    return 0;
}

/* Make the folder and the file the Step 3 rows use. */
static void make_demo_files(void)
{
    const char *tmp = getenv("TMPDIR");
    char made[PATH_MAX];
    int fd;

    if (getcwd(start_cwd, sizeof(start_cwd)) == NULL)
        pl_die("getcwd");
    snprintf(made, sizeof(made), "%s/proclab-lab11.XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(made) == NULL)
        pl_die("mkdtemp(%s)", made);
    /* getcwd() in the other returns the path without symbolic links. */
    if (realpath(made, demo_dir) == NULL)
        pl_die("realpath(%s)", made);
    snprintf(demo_file, sizeof(demo_file), "%s/file", demo_dir);
    fd = open(demo_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd == -1)
        pl_die("open(%s)", demo_file);
    pl_write_all(fd, "0123456789\n", 11);
    pl_close(fd);
}

static void remove_demo_files(void)
{
    if (chdir(start_cwd) != 0)
        pl_die("chdir(%s)", start_cwd);
    if (unlink(demo_file) != 0)
        pl_warn("unlink(%s)", demo_file);
    if (rmdir(demo_dir) != 0)
        pl_warn("rmdir(%s)", demo_dir);
}

int main(void)
{
    int failed = 0;

    main_pid = getpid();
    printf("The caller is PID %d (TID %d, parent %d). Each row starts an "
           "\"other\",\n"
           "first as a child process (fork), then as a thread "
           "(pthread_create).\n\n",
           (int)getpid(), (int)gettid(), (int)getppid());
    print_row("", "child process", "thread");
    failed |= show_ids();
    failed |= show_memory();
    /* The files exist only while the Step 3 rows run. */
    make_demo_files();
    failed |= show_descriptors();
    failed |= show_cwd();
    remove_demo_files();
    failed |= show_signals();
    failed |= show_exit();
    return failed;
}
