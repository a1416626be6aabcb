/*
 * check_procs_threads.c - graded tests for Lab 11: processes against
 * threads, side by side.
 *
 * There is one test per row of the handout's table of what a child
 * process and a thread share with their caller. Each test calls the
 * row's function once with PT_PROCESS and once with PT_THREAD. It then
 * compares what the function reports with what the test observes itself
 * after the call: its own PID and TID, its globals, descriptors, current
 * directory, signal dispositions and signal mask.
 *
 * Every report carries the other's ids, and each test first checks that
 * the other really was a child (another PID whose parent is the test) or
 * a thread (the same PID, another TID). A function that runs the other's
 * work in the caller fails there with that cause.
 *
 * The test for exit() runs the lab function in a child made by pl_run(),
 * because exit() in a thread ends the process it runs in, and that must
 * not be the test process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"
#include "procs_threads.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

#define TIMEOUT_S 3.0

/* The code that the Step 5 test passes to pt_exit_in_other(). */
#define EXIT_CODE 42

/* How far below the main stack's mapping a child's local may lie. The
 * child runs a few frames deeper than the test, on a copy of its stack,
 * and the kernel may not have grown the test's mapping that far yet. */
#define STACK_SLACK (1024 * 1024)

static const enum pt_mode modes[] = {PT_PROCESS, PT_THREAD};
#define MODE_COUNT (sizeof(modes) / sizeof(modes[0]))

static const char *mode_name(enum pt_mode mode)
{
    return mode == PT_PROCESS ? "PT_PROCESS" : "PT_THREAD";
}

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EIO:
        return "EIO means the caller got less than a full report, or the "
               "child was killed: does the child write the whole report, "
               "and does the parent read all of it?";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    default:
        return "a call inside the function or in the other failed";
    }
}

/* Fail unless a lab function named name returned 0 in mode. */
#define CHECK_RETURNED_ZERO(name, mode, rc, err)                              \
    PL_CHECK((rc) == 0,                                                       \
             "expected %s(%s) to return 0, got %d (errno %s, %s): %s",        \
             (name), mode_name(mode), (rc), pl_errno_name(err),               \
             strerror(err), failure_hint(err))

/*
 * Fail unless other contains the ids of a real child of the test (in
 * PT_PROCESS mode) or of another thread of the test process (PT_THREAD).
 */
static void check_other_ran(const char *name, enum pt_mode mode,
                            const struct pt_ids *other)
{
    PL_CHECK(other->pid != UNSET,
             "%s(%s) stored nothing in r->other: the other's function must "
             "start with pt_get_ids(&r->other), and the report must come "
             "back to the caller",
             name, mode_name(mode));
    if (mode == PT_PROCESS) {
        PL_CHECK(other->pid != getpid(),
                 "%s(PT_PROCESS): the other reported PID %d, the caller's "
                 "own: the other must run in a child made by fork()",
                 name, (int)other->pid);
        PL_CHECK(other->ppid == getpid(),
                 "%s(PT_PROCESS): the other reported parent PID %d, "
                 "expected the caller's PID %d: the other must be a child "
                 "of the caller",
                 name, (int)other->ppid, (int)getpid());
        PL_CHECK(other->tid == other->pid,
                 "%s(PT_PROCESS): the other reported TID %d and PID %d: the "
                 "only thread of a new process has a TID equal to its PID. "
                 "Does pt_get_ids() store gettid() in tid?",
                 name, (int)other->tid, (int)other->pid);
    } else {
        PL_CHECK(other->pid == getpid(),
                 "%s(PT_THREAD): the other reported PID %d, expected the "
                 "caller's PID %d: a thread runs in the caller's process, so "
                 "start it with pthread_create(), not fork()",
                 name, (int)other->pid, (int)getpid());
        PL_CHECK(other->tid != gettid(),
                 "%s(PT_THREAD): the other reported TID %d, the caller's "
                 "own: either the other's function ran in the calling "
                 "thread, because pt_run_other() called fn directly "
                 "instead of in a thread made by pthread_create(), or "
                 "pt_get_ids() stores getpid() as the TID instead of "
                 "gettid()",
                 name, (int)other->tid);
    }
}

/* Count the threads of the test process in /proc/self/task. */
static int count_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    struct dirent *entry;
    int count = 0;

    if (dir == NULL)
        PL_FAIL("test setup: opendir(/proc/self/task) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.')
            count++;
    closedir(dir);
    return count;
}

/* Write a file of the test's own, for the Step 3 tests. */
static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd == -1)
        PL_FAIL("test setup: open(%s) failed: %s (%s)", path,
                pl_errno_name(errno), strerror(errno));
    pl_write_all(fd, text, strlen(text));
    pl_close(fd);
}

/* --- Step 1 ------------------------------------------------------------ */

static void check_ids(enum pt_mode mode)
{
    struct pt_ids_report r;
    int before = count_threads();
    int rc, err;

    r.caller.pid = r.caller.ppid = r.caller.tid = UNSET;
    r.other.pid = r.other.ppid = r.other.tid = UNSET;
    r.other_threads = UNSET;
    rc = PL_CALL(pt_compare_ids(mode, &r));
    err = errno;
    CHECK_RETURNED_ZERO("pt_compare_ids", mode, rc, err);
    PL_CHECK(r.caller.pid == getpid(),
             "pt_compare_ids(%s): expected r->caller.pid == %d, got %d: "
             "store the caller's own getpid()",
             mode_name(mode), (int)getpid(), (int)r.caller.pid);
    PL_CHECK(r.caller.ppid == getppid(),
             "pt_compare_ids(%s): expected r->caller.ppid == %d, got %d: "
             "store the caller's own getppid()",
             mode_name(mode), (int)getppid(), (int)r.caller.ppid);
    PL_CHECK(r.caller.tid == gettid(),
             "pt_compare_ids(%s): expected r->caller.tid == %d, got %d: "
             "store the caller's own gettid(), not getpid() or "
             "pthread_self()",
             mode_name(mode), (int)gettid(), (int)r.caller.tid);
    check_other_ran("pt_compare_ids", mode, &r.other);
    if (mode == PT_PROCESS) {
        PL_CHECK(r.other_threads == 1,
                 "pt_compare_ids(PT_PROCESS): expected the child to count 1 "
                 "thread in /proc/self/task, got %d: fork() copies only the "
                 "thread that called it, so a new child has one. Does the "
                 "other count the entries of /proc/self/task, skipping . "
                 "and ..?",
                 r.other_threads);
    } else {
        PL_CHECK(r.other.ppid == getppid(),
                 "pt_compare_ids(PT_THREAD): expected the thread's parent "
                 "PID to be the caller's parent %d, got %d: all threads of "
                 "a process have the same parent",
                 (int)getppid(), (int)r.other.ppid);
        PL_CHECK(r.other_threads == before + 1,
                 "pt_compare_ids(PT_THREAD): expected the thread to count "
                 "%d threads in /proc/self/task (the caller's %d and "
                 "itself), got %d: count the entries while the thread runs, "
                 "in the thread, skipping . and ..",
                 before + 1, before, r.other_threads);
    }
}

PL_TEST(test_pid_shared_by_thread_only)
{
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_ids(modes[i]);
}

/* --- Step 2 ------------------------------------------------------------ */

static void check_global(enum pt_mode mode)
{
    const int delta = 10;
    struct pt_memory_report r;
    int rc, err;

    r.other.pid = UNSET;
    r.other_value = r.caller_value = UNSET;
    r.other_addr = r.caller_addr = NULL;
    /* Not 1, so that a function that skips setting it to 1 shows. */
    pt_counter = 5;
    rc = PL_CALL(pt_add_in_other(mode, delta, &r));
    err = errno;
    CHECK_RETURNED_ZERO("pt_add_in_other", mode, rc, err);
    check_other_ran("pt_add_in_other", mode, &r.other);
    PL_CHECK(r.other_value == 1 + delta,
             "pt_add_in_other(%s): expected the other to see pt_counter == "
             "%d after adding %d to 1, got %d: %s",
             mode_name(mode), 1 + delta, delta, r.other_value,
             r.other_value == UNSET ? "nothing was stored in other_value"
             : r.other_value == 5 + delta
                 ? "set pt_counter to 1 before starting the other"
                 : "the other must add delta once and store what it reads");
    PL_CHECK(r.other_addr == &pt_counter,
             "pt_add_in_other(%s): expected the other to report the address "
             "%p of pt_counter, got %p: store &pt_counter as the other sees "
             "it, which is the same virtual address in a child",
             mode_name(mode), (const void *)&pt_counter,
             (const void *)r.other_addr);
    PL_CHECK(r.caller_addr == &pt_counter,
             "pt_add_in_other(%s): expected the caller to report the "
             "address %p of pt_counter, got %p",
             mode_name(mode), (const void *)&pt_counter,
             (const void *)r.caller_addr);
    if (mode == PT_PROCESS) {
        PL_CHECK(r.caller_value == 1,
                 "pt_add_in_other(PT_PROCESS): expected the caller to see "
                 "pt_counter == 1 after the child added %d, got %d: a child "
                 "changes only its own copy of the caller's memory. Does "
                 "the caller store its own pt_counter after the child "
                 "ended?",
                 delta, r.caller_value);
        PL_CHECK(pt_counter == 1,
                 "expected pt_counter == 1 in the test after "
                 "pt_add_in_other(PT_PROCESS) returned, got %d: only the "
                 "child adds delta, to its own copy",
                 pt_counter);
    } else {
        PL_CHECK(r.caller_value == 1 + delta,
                 "pt_add_in_other(PT_THREAD): expected the caller to see "
                 "pt_counter == %d after the thread added %d, got %d: "
                 "threads share all memory, so the caller sees the change "
                 "once it has joined the thread. Does it read pt_counter "
                 "before pthread_join() returned?",
                 1 + delta, delta, r.caller_value);
        PL_CHECK(pt_counter == 1 + delta,
                 "expected pt_counter == %d in the test after "
                 "pt_add_in_other(PT_THREAD) returned, got %d: the thread "
                 "must add delta to the one pt_counter of the process",
                 1 + delta, pt_counter);
    }
}

PL_TEST(test_global_shared_by_thread_only)
{
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_global(modes[i]);
}

/* The main thread's stack: the [stack] line of /proc/self/maps. */
struct stack_range {
    uintptr_t start;
    uintptr_t end;
};

static struct stack_range main_stack(void)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    struct stack_range range = {0, 0};
    char line[512];

    if (maps == NULL)
        PL_FAIL("test setup: fopen(/proc/self/maps) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    while (fgets(line, sizeof(line), maps) != NULL) {
        unsigned long start, end;

        if (strstr(line, "[stack]") != NULL &&
            sscanf(line, "%lx-%lx", &start, &end) == 2) {
            range.start = start;
            range.end = end;
        }
    }
    fclose(maps);
    if (range.end == 0)
        PL_FAIL("test setup: no [stack] line in /proc/self/maps");
    return range;
}

/* Whether addr lies in the main stack or in the slack below it. */
static int on_main_stack(struct stack_range range, uintptr_t addr)
{
    return addr < range.end && addr + STACK_SLACK >= range.start;
}

static void check_stack(enum pt_mode mode)
{
    struct pt_stack_report r;
    struct stack_range range;
    int rc, err;

    r.other.pid = UNSET;
    r.other_local = r.caller_local = 0;
    rc = PL_CALL(pt_local_in_other(mode, &r));
    err = errno;
    CHECK_RETURNED_ZERO("pt_local_in_other", mode, rc, err);
    check_other_ran("pt_local_in_other", mode, &r.other);
    range = main_stack();
    PL_CHECK(r.caller_local != 0,
             "pt_local_in_other(%s): r->caller_local is 0: store the "
             "address of a local variable of pt_local_in_other()",
             mode_name(mode));
    PL_CHECK(on_main_stack(range, r.caller_local),
             "pt_local_in_other(%s): expected the caller's local at %#lx to "
             "lie in the main stack (%#lx-%#lx in /proc/self/maps): store "
             "the address of a local variable of the caller, not of a "
             "global, a static or the heap",
             mode_name(mode), (unsigned long)r.caller_local,
             (unsigned long)range.start,
             (unsigned long)range.end);
    PL_CHECK(r.other_local != 0,
             "pt_local_in_other(%s): r->other_local is 0: the other must "
             "store the address of one of its own local variables",
             mode_name(mode));
    if (mode == PT_PROCESS) {
        PL_CHECK(on_main_stack(range, r.other_local),
                 "pt_local_in_other(PT_PROCESS): expected the child's local "
                 "at %#lx to lie in the main stack (%#lx-%#lx): a child runs "
                 "on its copy of the caller's stack, at the same addresses. "
                 "Store the address of a local variable of the other's "
                 "function",
                 (unsigned long)r.other_local, (unsigned long)range.start,
                 (unsigned long)range.end);
    } else {
        PL_CHECK(!on_main_stack(range, r.other_local),
                 "pt_local_in_other(PT_THREAD): expected the thread's local "
                 "at %#lx to lie outside the main stack (%#lx-%#lx): "
                 "pthread_create() maps a new stack for each thread. Store "
                 "the address of a local variable of the other's function, "
                 "not one of the caller's",
                 (unsigned long)r.other_local, (unsigned long)range.start,
                 (unsigned long)range.end);
    }
}

PL_TEST(test_stack_private_to_each)
{
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_stack(modes[i]);
}

/* --- Step 3 ------------------------------------------------------------ */

static void check_descriptor(enum pt_mode mode, const char *path)
{
    struct pt_fd_report r;
    int rc, err;

    r.other.pid = UNSET;
    r.other_fd = r.caller_has_file = UNSET;
    rc = PL_CALL(pt_open_in_other(mode, path, &r));
    err = errno;
    CHECK_RETURNED_ZERO("pt_open_in_other", mode, rc, err);
    check_other_ran("pt_open_in_other", mode, &r.other);
    PL_CHECK(r.other_fd >= 0,
             "pt_open_in_other(%s): expected r->other_fd to be the "
             "descriptor open() returned in the other, got %d",
             mode_name(mode), r.other_fd);
    if (mode == PT_PROCESS) {
        PL_CHECK(r.caller_has_file == 0,
                 "pt_open_in_other(PT_PROCESS): expected caller_has_file == "
                 "0, got %d: a descriptor that a child opens after fork is in "
                 "the child's table only. Does the caller compare st_dev and "
                 "st_ino, and store 0 when fstat() fails?",
                 r.caller_has_file);
    } else {
        PL_CHECK(r.caller_has_file == 1,
                 "pt_open_in_other(PT_THREAD): expected caller_has_file == "
                 "1, got %d: all threads share one descriptor table, so the "
                 "caller's descriptor %d is the file the thread opened. "
                 "Does the caller check only after pthread_join(), and "
                 "compare st_dev and st_ino?",
                 r.caller_has_file, r.other_fd);
        PL_CHECK(r.other_fd < 0 || fcntl(r.other_fd, F_GETFD) == -1,
                 "pt_open_in_other(PT_THREAD): descriptor %d, which the "
                 "thread opened, is still open in the test: it belongs to "
                 "the whole process once the thread has ended, so the "
                 "caller must close it",
                 r.other_fd);
    }
}

PL_TEST(test_descriptor_shared_by_thread_only)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/opened.txt", pl_test_dir());
    write_file(path, "a file for the other to open\n");
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_descriptor(modes[i], path);
}

static void check_offset(enum pt_mode mode, int fd)
{
    const long start = 3;
    const size_t count = 4;
    struct pt_offset_report r;
    long seen;
    int rc, err;

    if (lseek(fd, start, SEEK_SET) != start)
        PL_FAIL("test setup: lseek(%d, %ld) failed: %s (%s)", fd, start,
                pl_errno_name(errno), strerror(errno));
    r.other.pid = UNSET;
    r.other_offset = r.caller_offset = UNSET;
    rc = PL_CALL(pt_read_in_other(mode, fd, count, &r));
    err = errno;
    seen = (long)lseek(fd, 0, SEEK_CUR);
    CHECK_RETURNED_ZERO("pt_read_in_other", mode, rc, err);
    check_other_ran("pt_read_in_other", mode, &r.other);
    PL_CHECK(r.other_offset == start + (long)count,
             "pt_read_in_other(%s): expected the other's offset %ld after "
             "reading %zu bytes from offset %ld, got %ld: read with read() "
             "from fd itself (pread() does not move the offset) and store "
             "lseek(fd, 0, SEEK_CUR)",
             mode_name(mode), start + (long)count, count, start,
             r.other_offset);
    PL_CHECK(r.caller_offset == start + (long)count,
             "pt_read_in_other(%s): expected the caller's offset %ld after "
             "the other read %zu bytes from offset %ld, got %ld: %s",
             mode_name(mode), start + (long)count, count, start,
             r.caller_offset,
             mode == PT_PROCESS
                 ? "a descriptor inherited through fork() shares its open "
                   "file description, offset included, with the parent's. "
                   "Store lseek(fd, 0, SEEK_CUR) in the caller after the "
                   "child ended"
                 : "threads use the same descriptor. Store lseek(fd, 0, "
                   "SEEK_CUR) in the caller after pthread_join()");
    PL_CHECK(seen == start + (long)count,
             "pt_read_in_other(%s): expected the test's own offset of fd "
             "to be %ld afterwards, got %ld: the other must read %zu bytes "
             "from fd and nobody may move the offset back",
             mode_name(mode), start + (long)count, seen, count);
}

PL_TEST(test_offset_shared_by_both)
{
    char path[PATH_MAX];
    int fd;

    snprintf(path, sizeof(path), "%s/offset.txt", pl_test_dir());
    write_file(path, "0123456789abcdef");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        PL_FAIL("test setup: open(%s) failed: %s (%s)", path,
                pl_errno_name(errno), strerror(errno));
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_offset(modes[i], fd);
    pl_close(fd);
}

static void check_cwd(enum pt_mode mode, const char *home, const char *sub)
{
    struct pt_cwd_report r;
    char seen[PATH_MAX];
    int rc, err;

    if (chdir(home) != 0)
        PL_FAIL("test setup: chdir(%s) failed: %s (%s)", home,
                pl_errno_name(errno), strerror(errno));
    memset(&r, 0, sizeof(r));
    r.other.pid = UNSET;
    rc = PL_CALL(pt_chdir_in_other(mode, sub, &r));
    err = errno;
    if (getcwd(seen, sizeof(seen)) == NULL)
        PL_FAIL("test: getcwd() failed: %s (%s)", pl_errno_name(errno),
                strerror(errno));
    CHECK_RETURNED_ZERO("pt_chdir_in_other", mode, rc, err);
    check_other_ran("pt_chdir_in_other", mode, &r.other);
    PL_CHECK(strcmp(r.other_cwd, sub) == 0,
             "pt_chdir_in_other(%s): expected the other's cwd \"%s\", got "
             "\"%s\": the other must chdir() to dir and then store getcwd()",
             mode_name(mode), sub, r.other_cwd);
    if (mode == PT_PROCESS) {
        PL_CHECK(strcmp(r.caller_cwd, home) == 0,
                 "pt_chdir_in_other(PT_PROCESS): expected the caller's cwd "
                 "to stay \"%s\", got \"%s\": a child has its own current "
                 "directory. Does the caller store getcwd() after the child "
                 "ended?",
                 home, r.caller_cwd);
        PL_CHECK(strcmp(seen, home) == 0,
                 "pt_chdir_in_other(PT_PROCESS): expected the test's cwd to "
                 "stay \"%s\", got \"%s\": only the child may chdir()",
                 home, seen);
    } else {
        PL_CHECK(strcmp(r.caller_cwd, sub) == 0,
                 "pt_chdir_in_other(PT_THREAD): expected the caller's cwd "
                 "\"%s\", the thread's new one, got \"%s\": threads share "
                 "one current directory. Does the caller store getcwd() "
                 "after pthread_join(), without changing back?",
                 sub, r.caller_cwd);
        PL_CHECK(strcmp(seen, sub) == 0,
                 "pt_chdir_in_other(PT_THREAD): expected the test's cwd to "
                 "be \"%s\" afterwards, got \"%s\": the thread's chdir() "
                 "moves the whole process, and the function must not "
                 "change it back",
                 sub, seen);
    }
}

PL_TEST(test_cwd_shared_by_thread_only)
{
    char home[PATH_MAX];
    char sub[PATH_MAX];
    char path[PATH_MAX + 8];

    /* getcwd() returns the path without symbolic links, so compare with
     * that form. */
    if (realpath(pl_test_dir(), home) == NULL)
        PL_FAIL("test setup: realpath(%s) failed: %s (%s)", pl_test_dir(),
                pl_errno_name(errno), strerror(errno));
    snprintf(path, sizeof(path), "%s/sub", home);
    if (mkdir(path, 0700) != 0 || realpath(path, sub) == NULL)
        PL_FAIL("test setup: mkdir or realpath(%s) failed: %s (%s)", path,
                pl_errno_name(errno), strerror(errno));
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_cwd(modes[i], home, sub);
    if (chdir(home) != 0)
        PL_FAIL("test cleanup: chdir(%s) failed: %s (%s)", home,
                pl_errno_name(errno), strerror(errno));
}

/* --- Step 4 ------------------------------------------------------------ */

static const char *disposition_name(enum pt_disposition disp)
{
    switch (disp) {
    case PT_DISP_DEFAULT:
        return "PT_DISP_DEFAULT";
    case PT_DISP_IGNORE:
        return "PT_DISP_IGNORE";
    case PT_DISP_HANDLER:
        return "PT_DISP_HANDLER";
    }
    return "nothing stored";
}

/* The disposition of sig in the test process, seen by the test. */
static enum pt_disposition test_disposition(int sig)
{
    struct sigaction sa;

    if (sigaction(sig, NULL, &sa) != 0)
        PL_FAIL("test: sigaction(%s) failed: %s (%s)", pl_signal_name(sig),
                pl_errno_name(errno), strerror(errno));
    if (sa.sa_handler == SIG_DFL)
        return PT_DISP_DEFAULT;
    if (sa.sa_handler == SIG_IGN)
        return PT_DISP_IGNORE;
    return PT_DISP_HANDLER;
}

static void check_handler(enum pt_mode mode)
{
    struct pt_handler_report r;
    enum pt_disposition want =
        mode == PT_PROCESS ? PT_DISP_IGNORE : PT_DISP_HANDLER;
    enum pt_disposition seen;
    int rc, err;

    /* Start from the default, so that the function's SIG_IGN shows. */
    if (signal(SIGUSR1, SIG_DFL) == SIG_ERR)
        PL_FAIL("test setup: signal(SIGUSR1, SIG_DFL) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    r.other.pid = UNSET;
    r.other_before = r.other_after = r.caller_after = (enum pt_disposition)0;
    rc = PL_CALL(pt_sigaction_in_other(mode, &r));
    err = errno;
    seen = test_disposition(SIGUSR1);
    CHECK_RETURNED_ZERO("pt_sigaction_in_other", mode, rc, err);
    check_other_ran("pt_sigaction_in_other", mode, &r.other);
    PL_CHECK(r.other_before == PT_DISP_IGNORE,
             "pt_sigaction_in_other(%s): expected the other to find SIGUSR1 "
             "ignored when it starts (PT_DISP_IGNORE), got %s: the caller "
             "sets SIG_IGN before it starts the other, and %s",
             mode_name(mode), disposition_name(r.other_before),
             mode == PT_PROCESS ? "a child inherits the dispositions"
                                : "a thread shares them");
    PL_CHECK(r.other_after == PT_DISP_HANDLER,
             "pt_sigaction_in_other(%s): expected the other to find its "
             "handler installed (PT_DISP_HANDLER) after sigaction(), got "
             "%s: install a function as sa_handler, and read the "
             "disposition back with sigaction(SIGUSR1, NULL, &old)",
             mode_name(mode), disposition_name(r.other_after));
    PL_CHECK(r.caller_after == want,
             "pt_sigaction_in_other(%s): expected the caller to find %s "
             "after the other ended, got %s: %s",
             mode_name(mode), disposition_name(want),
             disposition_name(r.caller_after),
             mode == PT_PROCESS
                 ? "a child's sigaction() changes only the child's copy of "
                   "the dispositions"
                 : "all threads share one table of dispositions, so the "
                   "thread's handler is the caller's too. Does the caller "
                   "read it after pthread_join()?");
    PL_CHECK(seen == want,
             "pt_sigaction_in_other(%s): expected the test to find %s for "
             "SIGUSR1 afterwards, got %s: %s",
             mode_name(mode), disposition_name(want), disposition_name(seen),
             mode == PT_PROCESS
                 ? "only the child may install the handler"
                 : "the thread's sigaction() changes the handler of the "
                   "whole process, and the function must not restore it");
}

PL_TEST(test_handler_shared_by_thread_only)
{
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_handler(modes[i]);
}

/* Whether sig is in the test thread's own signal mask. */
static int test_blocks(int sig)
{
    sigset_t mask;

    if (pthread_sigmask(SIG_BLOCK, NULL, &mask) != 0)
        PL_FAIL("test: pthread_sigmask() failed");
    return sigismember(&mask, sig);
}

/* Set the test thread's mask to exactly sig, or to nothing for 0. */
static void set_test_mask(int sig)
{
    sigset_t mask;

    sigemptyset(&mask);
    if (sig != 0)
        sigaddset(&mask, sig);
    if (pthread_sigmask(SIG_SETMASK, &mask, NULL) != 0)
        PL_FAIL("test setup: pthread_sigmask(SIG_SETMASK) failed");
}

static void check_mask(enum pt_mode mode)
{
    struct pt_mask_report r;
    int usr1, usr2;
    int rc, err;

    /* SIGUSR2 blocked, so that the caller's job of unblocking it shows. */
    set_test_mask(SIGUSR2);
    r.other.pid = UNSET;
    r.other_inherited = r.other_blocked = r.caller_blocked = UNSET;
    rc = PL_CALL(pt_block_in_other(mode, &r));
    err = errno;
    usr1 = test_blocks(SIGUSR1);
    usr2 = test_blocks(SIGUSR2);
    set_test_mask(0);
    CHECK_RETURNED_ZERO("pt_block_in_other", mode, rc, err);
    check_other_ran("pt_block_in_other", mode, &r.other);
    PL_CHECK(r.other_inherited == 1,
             "pt_block_in_other(%s): expected the other to find SIGUSR1 "
             "blocked when it starts, got %d: the caller blocks it first, "
             "and %s starts with a copy of the calling thread's mask",
             mode_name(mode), r.other_inherited,
             mode == PT_PROCESS ? "a child made by fork()"
                                : "a thread made by pthread_create()");
    PL_CHECK(r.other_blocked == 1,
             "pt_block_in_other(%s): expected the other to find SIGUSR2 "
             "blocked after blocking it, got %d: block it with "
             "pthread_sigmask(SIG_BLOCK) in the other, and read the mask "
             "back",
             mode_name(mode), r.other_blocked);
    PL_CHECK(r.caller_blocked == 0,
             "pt_block_in_other(%s): expected the caller to find SIGUSR2 "
             "not blocked after the other blocked it, got %d: %s",
             mode_name(mode), r.caller_blocked,
             mode == PT_PROCESS
                 ? "a child's mask is its own copy"
                 : "each thread has its own signal mask. Does the caller "
                   "unblock SIGUSR2 before starting the thread, and not "
                   "block it itself?");
    PL_CHECK(usr1 == 1,
             "pt_block_in_other(%s): expected SIGUSR1 to stay blocked in "
             "the test's thread afterwards: the caller blocks it with "
             "pthread_sigmask() before starting the other",
             mode_name(mode));
    PL_CHECK(usr2 == 0,
             "pt_block_in_other(%s): expected SIGUSR2 not blocked in the "
             "test's thread afterwards, which blocked it before the call: "
             "the caller unblocks it before starting the other, and the "
             "other's change stays in the other",
             mode_name(mode));
}

PL_TEST(test_mask_private_to_each)
{
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_mask(modes[i]);
}

/* --- Step 5 ------------------------------------------------------------ */

/* Exit code of the process running exit_caller() when a child of the lab
 * function came back into it. */
#define EXIT_STRAY 97

/* The line exit_caller() prints before the call, left in the buffer. */
#define BEFORE_LINE "before the call\n"

/*
 * Run in a child made by pl_run(): call pt_exit_in_other() and print what
 * it returned. exit() in a thread must end this process before the print.
 */
static int exit_caller(void *arg)
{
    enum pt_mode mode = *(const enum pt_mode *)arg;
    pid_t me = getpid();
    int status = UNSET;
    int rc;

    /* stdout is a pipe here, so this stays in the buffer until a flush. */
    printf(BEFORE_LINE);
    rc = pt_exit_in_other(mode, EXIT_CODE, &status);
    if (getpid() != me) {
        printf("stray\n");
        fflush(stdout);
        _exit(EXIT_STRAY);
    }
    printf("returned %d errno %d status %d\n", rc, errno, status);
    return 0;
}

/* Count the lines of text that are exactly line. */
static int count_lines(const char *text, const char *line)
{
    size_t len = strlen(line);
    int count = 0;

    for (const char *p = text; (p = strstr(p, line)) != NULL; p += len)
        if (p == text || p[-1] == '\n')
            count++;
    return count;
}

static void check_exit(enum pt_mode mode)
{
    int limit = (int)(2000 * pl_test_scale());
    struct pl_run_result r;
    char output[512];
    char ending[128];
    const char *returned;
    int rc = UNSET, err = 0, status = UNSET;
    int befores;
    int stray;
    int timed_out;
    int run_status;

    pl_run(exit_caller, (void *)&mode, limit, &r);
    snprintf(output, sizeof(output), "%s", r.output);
    timed_out = r.timed_out;
    run_status = r.status;
    pl_run_free(&r);
    pl_describe_status(run_status, ending, sizeof(ending));
    returned = strstr(output, "returned ");
    if (returned != NULL)
        sscanf(returned, "returned %d errno %d status %d", &rc, &err, &status);
    befores = count_lines(output, BEFORE_LINE);
    stray = count_lines(output, "stray\n");

    PL_CHECK(!timed_out,
             "pt_exit_in_other(%s) was still running after %d ms: the other "
             "must call exit(code) at once, and the caller wait for it",
             mode_name(mode), limit);
    PL_CHECK(stray == 0,
             "pt_exit_in_other(%s): a child came back from the function "
             "into the caller's code: the child must call exit(code) and "
             "never return",
             mode_name(mode));
    PL_CHECK(befores == 1,
             "pt_exit_in_other(%s): the caller's line \"before the call\", "
             "still in its stdout buffer at the call, came out %d times, "
             "expected once: %s",
             mode_name(mode), befores,
             befores > 1 ? "exit() in the child flushed its copy of the "
                           "buffer too. Call fflush(NULL) before fork()"
                         : "exit() flushes stdio buffers, so it must come "
                           "out once");
    if (mode == PT_PROCESS) {
        PL_CHECK(returned != NULL,
                 "pt_exit_in_other(PT_PROCESS): expected the caller to go "
                 "on after its child called exit(%d), but the process "
                 "running it %s without returning from the function: "
                 "exit() in a child ends only the child. Is the other a "
                 "thread instead?",
                 EXIT_CODE, ending);
        PL_CHECK(rc == 0,
                 "pt_exit_in_other(PT_PROCESS): expected 0, got %d (errno "
                 "%s, %s): %s",
                 rc, pl_errno_name(err), strerror(err), failure_hint(err));
        PL_CHECK(status != UNSET && WIFEXITED(status) &&
                     WEXITSTATUS(status) == EXIT_CODE,
                 "pt_exit_in_other(PT_PROCESS): expected *status to say "
                 "that the child exited with code %d, got 0x%x: the child "
                 "calls exit(code), and the parent stores the status from "
                 "waitpid()",
                 EXIT_CODE, (unsigned)status);
    } else {
        PL_CHECK(returned == NULL,
                 "pt_exit_in_other(PT_THREAD) returned %d (errno %s): "
                 "expected it never to return, because exit() in a thread "
                 "ends the whole process. Does the thread call exit(code), "
                 "not pthread_exit() or return, and the caller join it?",
                 rc, pl_errno_name(err));
        PL_CHECK(WIFEXITED(run_status) &&
                     WEXITSTATUS(run_status) == EXIT_CODE,
                 "pt_exit_in_other(PT_THREAD): expected the process running "
                 "it to exit with code %d, the thread's exit(%d), but it "
                 "%s: exit() in any thread ends the process with that code",
                 EXIT_CODE, EXIT_CODE, ending);
    }
}

PL_TEST(test_exit_ends_process_from_thread)
{
    /* The row is about exit(): the lab's child calls it on purpose. */
    pl_test_allow_child_exit();
    for (size_t i = 0; i < MODE_COUNT; i++)
        check_exit(modes[i]);
}

static const struct pl_test_case tests[] = {
    {&test_pid_shared_by_thread_only,
     "a child gets a new PID, a thread only a new TID", 3, "Step 1",
     TIMEOUT_S},
    {&test_global_shared_by_thread_only,
     "a global changed by a thread is changed for the caller, by a child "
     "not",
     3, "Step 2", TIMEOUT_S},
    {&test_stack_private_to_each,
     "a thread runs on a stack of its own, a child on a copy of the "
     "caller's",
     2, "Step 2", TIMEOUT_S},
    {&test_descriptor_shared_by_thread_only,
     "a descriptor opened by a thread is the caller's too, by a child not",
     3, "Step 3", TIMEOUT_S},
    {&test_offset_shared_by_both,
     "the file offset moves for the caller when a child or a thread reads",
     2, "Step 3", TIMEOUT_S},
    {&test_cwd_shared_by_thread_only,
     "chdir in a thread moves the whole process, in a child only the child",
     3, "Step 3", TIMEOUT_S},
    {&test_handler_shared_by_thread_only,
     "a handler installed by a thread is the caller's too, by a child not",
     3, "Step 4", TIMEOUT_S},
    {&test_mask_private_to_each,
     "a signal mask change stays in the child or thread that made it", 3,
     "Step 4", TIMEOUT_S},
    {&test_exit_ends_process_from_thread,
     "exit() in a thread ends the whole process, in a child only the child",
     3, "Step 5", TIMEOUT_S},
};

PL_LAB("11-procs-vs-threads", tests)
