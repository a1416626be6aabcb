/*
 * check_shared_memory.c - graded tests for Lab 05: shared memory.
 *
 * Each test calls functions from labs/05-shared-memory/shared_memory.c
 * and checks what another process reads: the test's own children, and
 * shm_peer (tests/05-shared-memory/helpers/shm_peer.c), a program the
 * test execs, which reaches a named object only through its name.
 *
 * No test of correct code depends on a race being won or lost. The lock
 * in sm_counter_add is graded by a child that must block while the test
 * holds the lock, and wake when the test releases it. The Step 4 counts
 * must be exact, which correct code always achieves. The unlocked count
 * is left to the demo, because how many updates it loses depends on
 * timing.
 *
 * NOTE: when sm_count_in_children passes 0 instead of locked to its
 * children, the exact count fails only if the children happen to
 * overlap: 7 runs in 20 on a 2-CPU virtual machine. The Step 3 test
 * checks the lock deterministically, but only in sm_counter_add.
 *
 * The harness runs each test in a process of its own and afterwards
 * fails it if the lab code left a child unreaped, a descriptor open or a
 * shared memory object behind. These tests add the check the harness
 * cannot make: that every mapping a function makes is gone when it
 * returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"
#include "shared_memory.h"

/* A marker stored in output values before a call, which no correct
 * function stores. */
#define UNSET (-999)

#define TIMEOUT_S 5.0

/* How long a test waits for another process, before the scale factor. */
#define WAIT_MS 2000

/* Largest /proc/self/maps the tests read; the test process has about
 * 30 mappings of under 150 bytes each. */
#define MAPS_MAX (64 * 1024)

/* The likely cause of a lab function failing with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EIO:
        return "EIO means a child did not end with _exit(0)";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    default:
        return "a call inside the function failed with this errno";
    }
}

/* Fail unless a lab function named name returned 0. */
#define CHECK_RETURNED_ZERO(name, rc, err)                                     \
    PL_CHECK((rc) == 0, "expected %s to return 0, got %d (errno %s, %s): %s",  \
             (name), (rc), pl_errno_name(err), strerror(err),                  \
             failure_hint(err))

static int scaled_ms(int ms)
{
    return (int)(ms * pl_test_scale());
}

/* --- mappings ------------------------------------------------------------ */

/* The text of /proc/self/maps at one moment. */
struct maps {
    char text[MAPS_MAX];
};

/* Static: two snapshots would take a large part of the stack. */
static struct maps maps_before;
static struct maps maps_after;

static void read_maps(struct maps *m)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    size_t n;

    if (fd == -1)
        PL_FAIL("test setup: open(/proc/self/maps) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    n = pl_read_full(fd, m->text, sizeof(m->text) - 1);
    pl_close(fd);
    if (n == sizeof(m->text) - 1)
        PL_FAIL("test setup: /proc/self/maps is longer than %zu bytes",
                sizeof(m->text) - 1);
    m->text[n] = '\0';
}

/* Whether text contains the whole line of len bytes at line. */
static int has_line(const char *text, const char *line, size_t len)
{
    for (const char *p = text; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t line_len = end ? (size_t)(end - p) : strlen(p);

        if (line_len == len && memcmp(p, line, len) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Whether a line of /proc/self/maps ends with suffix. */
static int line_ends_with(const char *line, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);

    return len >= n && memcmp(line + len - n, suffix, n) == 0;
}

/*
 * Find a mapping in after that before does not have, and copy its line
 * to out. The heap and the stack grow by themselves, so they are not
 * compared. Returns 1 when there is one, 0 when there is none.
 */
static int find_new_mapping(const struct maps *before,
                            const struct maps *after, char *out, size_t len)
{
    for (const char *p = after->text; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t line_len = end ? (size_t)(end - p) : strlen(p);

        if (line_len > 0 && !line_ends_with(p, line_len, "[heap]") &&
            !line_ends_with(p, line_len, "[stack]") &&
            !has_line(before->text, p, line_len)) {
            snprintf(out, len, "%.*s", (int)line_len, p);
            return 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/*
 * Copy the line of /proc/self/maps whose range contains addr to out.
 * Returns 1 when addr is mapped, 0 when it is not.
 */
static int find_mapping(const void *addr, char *out, size_t len)
{
    uintptr_t a = (uintptr_t)addr;

    read_maps(&maps_after);
    for (const char *p = maps_after.text; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t line_len = end ? (size_t)(end - p) : strlen(p);
        unsigned long long start, stop;

        if (sscanf(p, "%llx-%llx", &start, &stop) == 2 && a >= start &&
            a < stop) {
            snprintf(out, len, "%.*s", (int)line_len, p);
            return 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Whether a line of /proc/self/maps is a shared mapping ("rw-s"). */
static int is_shared_mapping(const char *line)
{
    const char *perms = strchr(line, ' ');

    return perms && strlen(perms) > 4 && perms[4] == 's';
}

/* --- Step 1 ------------------------------------------------------------ */

/* The likely cause of the parent seeing got after a MAP_SHARED write. */
static const char *shared_hint(int got)
{
    if (got == UNSET)
        return "nothing was stored: the parent must store what it reads "
               "from the page in *parent_seen";
    if (got == 0)
        return "the parent saw the 0 it stored before fork. Either the "
               "page was not mapped with MAP_SHARED (pass flags | "
               "MAP_ANONYMOUS to mmap()), so the child wrote to its own "
               "copy, or the parent read it before waitpid() returned, "
               "when the child may not have written yet";
    return "the child must store value in the first int of the page, and "
           "the parent must read that same int";
}

PL_TEST(test_shared_write_reaches_parent)
{
    static const int values[] = {42, -7};
    char leftover[256];

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        int seen = UNSET;
        int rc, err;

        read_maps(&maps_before);
        rc = PL_CALL(sm_child_writes(MAP_SHARED, values[i], &seen));
        err = errno;
        read_maps(&maps_after);
        CHECK_RETURNED_ZERO("sm_child_writes", rc, err);
        PL_CHECK(seen == values[i],
                 "with MAP_SHARED and value %d, expected *parent_seen == %d, "
                 "got %d: %s",
                 values[i], values[i], seen, shared_hint(seen));
        PL_CHECK(!find_new_mapping(&maps_before, &maps_after, leftover,
                                   sizeof(leftover)),
                 "expected sm_child_writes to unmap its page before it "
                 "returns, but this mapping appeared during the call: %s. "
                 "Call munmap() in the parent once it has read the page",
                 leftover);
    }
}

PL_TEST(test_private_write_stays_in_child)
{
    int seen = UNSET;
    char leftover[256];
    int rc, err;

    read_maps(&maps_before);
    rc = PL_CALL(sm_child_writes(MAP_PRIVATE, 42, &seen));
    err = errno;
    read_maps(&maps_after);
    CHECK_RETURNED_ZERO("sm_child_writes", rc, err);
    PL_CHECK(seen != UNSET,
             "expected *parent_seen to hold what the parent read from the "
             "page, but nothing was stored there");
    PL_CHECK(seen == 0,
             "with MAP_PRIVATE, expected *parent_seen == 0, got %d: %s", seen,
             seen == 42 ? "the child's store reached the parent, so the page "
                          "was shared. Pass flags | MAP_ANONYMOUS to mmap() "
                          "instead of a fixed MAP_SHARED: with MAP_PRIVATE, "
                          "fork() gives the child a copy, as in lab 01"
                        : "the parent must store 0 in the page before fork "
                          "and read the page after the child ended");
    PL_CHECK(!find_new_mapping(&maps_before, &maps_after, leftover,
                               sizeof(leftover)),
             "expected sm_child_writes to unmap its page before it returns, "
             "but this mapping appeared during the call: %s. Call munmap() "
             "in the parent once it has read the page",
             leftover);
}

/* --- Step 2 ------------------------------------------------------------ */

/* Run by pl_run() in a child: become shm_peer with the given arguments. */
static int exec_peer(void *arg)
{
    char **argv = arg;

    execv(argv[0], argv);
    printf("execv(%s) failed: %s (%s)\n", argv[0], pl_errno_name(errno),
           strerror(errno));
    return 127;
}

/*
 * Run "shm_peer VERB NAME [TEXT]" and collect its output in r, which the
 * caller frees with pl_run_free(). text may be NULL.
 */
static void run_peer(struct pl_run_result *r, const char *verb,
                     const char *name, const char *text)
{
    const char *argv[] = {pl_test_program("shm_peer"), verb, name, text,
                          NULL};

    pl_run(exec_peer, (void *)argv, scaled_ms(WAIT_MS), r);
}

/* Whether shm_peer exited with code 0. */
static int peer_succeeded(const struct pl_run_result *r)
{
    return !r->timed_out && WIFEXITED(r->status) &&
           WEXITSTATUS(r->status) == 0;
}

/* Describe how shm_peer ended, for a message. */
static const char *peer_ending(const struct pl_run_result *r, char *buf,
                               size_t len)
{
    if (r->timed_out)
        snprintf(buf, len, "did not finish within %d ms", scaled_ms(WAIT_MS));
    else
        pl_describe_status(r->status, buf, len);
    return buf;
}

/*
 * Copy the rest of the line of shm_peer's output that starts with key
 * ("size ") to out. Returns 1 when there is such a line.
 */
static int peer_value(const char *output, const char *key, char *out,
                      size_t len)
{
    size_t key_len = strlen(key);

    for (const char *p = output; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t line_len = end ? (size_t)(end - p) : strlen(p);

        if (line_len >= key_len && memcmp(p, key, key_len) == 0) {
            snprintf(out, len, "%.*s", (int)(line_len - key_len), p + key_len);
            return 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Create the object name holding text, the way shm_peer does. */
static void create_test_object(const char *name, const char *text)
{
    char *object;
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);

    if (fd == -1)
        PL_FAIL("test setup: shm_open(%s) failed: %s (%s)", name,
                pl_errno_name(errno), strerror(errno));
    if (ftruncate(fd, SM_OBJECT_SIZE) != 0)
        PL_FAIL("test setup: ftruncate(%s) failed: %s (%s)", name,
                pl_errno_name(errno), strerror(errno));
    object = mmap(NULL, SM_OBJECT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                  fd, 0);
    if (object == MAP_FAILED)
        PL_FAIL("test setup: mmap(%s) failed: %s (%s)", name,
                pl_errno_name(errno), strerror(errno));
    memcpy(object, text, strlen(text) + 1);
    munmap(object, SM_OBJECT_SIZE);
    pl_close(fd);
}

/*
 * Copy the text at the start of the object name to buf, or "(cannot
 * open: ENAME)" when it cannot be opened.
 */
static void read_test_object(const char *name, char *buf, size_t len)
{
    struct stat st;
    const char *object;
    int fd = shm_open(name, O_RDONLY, 0);

    if (fd == -1) {
        snprintf(buf, len, "(cannot open: %s)", pl_errno_name(errno));
        return;
    }
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        snprintf(buf, len, "(an empty object)");
        pl_close(fd);
        return;
    }
    object = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    pl_close(fd);
    if (object == MAP_FAILED)
        PL_FAIL("test setup: mmap(%s) failed: %s (%s)", name,
                pl_errno_name(errno), strerror(errno));
    snprintf(buf, len, "%.*s", (int)strnlen(object, (size_t)st.st_size),
             object);
    munmap((void *)object, (size_t)st.st_size);
}

/* What explain_sigbus() prints; set before the call it explains. */
static char sigbus_message[256];

static void explain_sigbus(int sig)
{
    (void)sig;
    /* write() is safe in a signal handler, where stdio is not. Returning
     * runs the faulting access again, which SA_RESETHAND has made fatal,
     * so the harness still reports the test as killed by SIGBUS. */
    if (write(STDERR_FILENO, sigbus_message, strlen(sigbus_message)) < 0)
        return;
}

/*
 * Print why the process dies if fn touches a shared mapping past the end
 * of its object, the usual result of a missing ftruncate(). Undo it with
 * signal(SIGBUS, SIG_DFL) once fn has returned.
 */
static void explain_sigbus_in(const char *fn)
{
    struct sigaction sa;

    snprintf(sigbus_message, sizeof(sigbus_message),
             "SIGBUS in %s: it touched a shared mapping past the end of "
             "its object.\nA new object is 0 bytes long until "
             "ftruncate(fd, SM_OBJECT_SIZE) gives it its size.\n",
             fn);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = explain_sigbus;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) != 0)
        PL_FAIL("test setup: sigaction(SIGBUS) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
}

/* The likely reason shm_peer could not open an object. */
static const char *open_failure_hint(const char *output)
{
    if (strstr(output, "error ENOENT"))
        return "no object has that name: sm_named_create must leave the "
               "object and its name in place, so do not call shm_unlink() "
               "there";
    if (strstr(output, "error EACCES"))
        return "the object's mode forbids reading: pass 0600 as the mode "
               "argument of shm_open()";
    return "see what it printed";
}

PL_TEST(test_program_reads_object_by_name)
{
    const char *name = pl_test_ipc_name("note");
    const char *text = "written by the test process before the exec";
    struct pl_run_result r = {0};
    char leftover[256], ending[160], value[SM_OBJECT_SIZE + 64];
    long long size = -1;
    unsigned int mode = 0;
    int ran = 0, rc, err;

    explain_sigbus_in("sm_named_create");
    read_maps(&maps_before);
    rc = PL_CALL(sm_named_create(name, text));
    err = errno;
    signal(SIGBUS, SIG_DFL);
    read_maps(&maps_after);
    if (rc == 0) {
        run_peer(&r, "read", name, NULL);
        ran = 1;
    }
    /* Remove the name before any check can end the test. */
    shm_unlink(name);

    CHECK_RETURNED_ZERO("sm_named_create", rc, err);
    PL_CHECK(!find_new_mapping(&maps_before, &maps_after, leftover,
                               sizeof(leftover)),
             "expected sm_named_create to unmap the object before it "
             "returns, but this mapping appeared during the call: %s. Call "
             "munmap() once the text is copied",
             leftover);
    PL_CHECK(ran && peer_succeeded(&r),
             "expected shm_peer, a program the test exec'd, to open %s by "
             "name and exit with 0, but it %s: %s. It printed: %s",
             name, peer_ending(&r, ending, sizeof(ending)),
             open_failure_hint(r.output), r.output);
    if (peer_value(r.output, "size ", value, sizeof(value)))
        size = atoll(value);
    if (peer_value(r.output, "mode ", value, sizeof(value)))
        mode = (unsigned int)strtoul(value, NULL, 8);
    PL_CHECK(size == SM_OBJECT_SIZE,
             "expected the object to be %d bytes long, got %lld: a new "
             "object is 0 bytes long until ftruncate(fd, SM_OBJECT_SIZE) "
             "sets its size",
             SM_OBJECT_SIZE, size);
    PL_CHECK((mode & 0600) == 0600,
             "expected the object's mode to let its owner read and write "
             "(0600), got %o: pass 0600 as the mode argument of shm_open()",
             mode);
    PL_CHECK(peer_value(r.output, "text ", value, sizeof(value)) &&
                 strcmp(value, text) == 0,
             "expected shm_peer to read \"%s\" at the start of the object, "
             "but it printed: %s. Copy the text and its NUL to the start of "
             "the mapping before you unmap it",
             text, r.output);
    pl_run_free(&r);
}

PL_TEST(test_reply_read_back_by_name)
{
    const char *name = pl_test_ipc_name("reply");
    const char *text = "written by shm_peer, which shares no memory with the "
                       "test";
    size_t text_len = strlen(text);
    struct pl_run_result r;
    char ending[160], leftover[256];
    char buf[SM_OBJECT_SIZE];
    char small[8];
    int got, got_small, err, err_small;

    run_peer(&r, "create", name, text);
    if (!peer_succeeded(&r)) {
        shm_unlink(name);
        PL_FAIL("test setup: shm_peer create %s %s; it printed: %s", name,
                peer_ending(&r, ending, sizeof(ending)), r.output);
    }
    pl_run_free(&r);

    memset(buf, 'Z', sizeof(buf));
    memset(small, 'Z', sizeof(small));
    read_maps(&maps_before);
    got = PL_CALL(sm_named_read(name, buf, sizeof(buf)));
    err = errno;
    got_small = PL_CALL(sm_named_read(name, small, sizeof(small)));
    err_small = errno;
    read_maps(&maps_after);
    shm_unlink(name);

    PL_CHECK(got >= 0,
             "expected sm_named_read to return the length of the text, got "
             "%d (errno %s, %s): %s",
             got, pl_errno_name(err), strerror(err), failure_hint(err));
    PL_CHECK(memchr(buf, '\0', sizeof(buf)) != NULL,
             "expected buf to end with a NUL after sm_named_read, but it "
             "holds none: add the NUL after the bytes you copy");
    PL_CHECK(strcmp(buf, text) == 0,
             "expected sm_named_read to copy \"%s\", which shm_peer wrote "
             "into the object, got \"%.100s\": copy the bytes at the start "
             "of the mapping up to the first NUL",
             text, buf);
    PL_CHECK((size_t)got == text_len,
             "expected sm_named_read to return %zu, the length of the text "
             "without its NUL, got %d",
             text_len, got);
    PL_CHECK(got_small == (int)sizeof(small) - 1,
             "with a buffer of %zu bytes, expected sm_named_read to copy %zu "
             "bytes and return %zu, got %d (errno %s): copy at most len - 1 "
             "bytes, so that the NUL still fits",
             sizeof(small), sizeof(small) - 1, sizeof(small) - 1, got_small,
             pl_errno_name(err_small));
    PL_CHECK(memcmp(small, text, sizeof(small) - 1) == 0 &&
                 small[sizeof(small) - 1] == '\0',
             "with a buffer of %zu bytes, expected \"%.*s\" and a NUL, got "
             "\"%.*s\": copy the first len - 1 bytes, then the NUL",
             sizeof(small), (int)sizeof(small) - 1, text,
             (int)sizeof(small), small);
    PL_CHECK(!find_new_mapping(&maps_before, &maps_after, leftover,
                               sizeof(leftover)),
             "expected sm_named_read to unmap the object before it returns, "
             "but this mapping appeared during the call: %s. Call munmap() "
             "once the text is copied",
             leftover);
}

PL_TEST(test_create_rejects_taken_or_long)
{
    static char long_text[SM_OBJECT_SIZE + 1];
    const char *taken_name = pl_test_ipc_name("taken");
    const char *long_name = pl_test_ipc_name("long");
    const char *first = "made by the test";
    char now[SM_OBJECT_SIZE + 64];
    int rc, err, rc_long, err_long, long_fd;

    create_test_object(taken_name, first);
    explain_sigbus_in("sm_named_create");
    rc = PL_CALL(sm_named_create(taken_name, "made by sm_named_create"));
    err = errno;
    signal(SIGBUS, SIG_DFL);
    read_test_object(taken_name, now, sizeof(now));

    memset(long_text, 'a', SM_OBJECT_SIZE);
    rc_long = PL_CALL(sm_named_create(long_name, long_text));
    err_long = errno;
    long_fd = shm_open(long_name, O_RDONLY, 0);
    if (long_fd != -1)
        pl_close(long_fd);
    shm_unlink(taken_name);
    shm_unlink(long_name);

    PL_CHECK(rc == -1,
             "expected sm_named_create to return -1 for %s, which the test "
             "had created, got %d: pass O_CREAT | O_EXCL to shm_open(), so "
             "that it fails with EEXIST instead of opening an object that "
             "another program owns",
             taken_name, rc);
    PL_CHECK(err == EEXIST,
             "expected errno EEXIST for a name that exists, got %s (%s): %s",
             pl_errno_name(err), strerror(err),
             err == ENOSYS ? "is it still the starter stub?"
                           : "return shm_open()'s failure as it is");
    PL_CHECK(strcmp(now, first) == 0,
             "expected the existing object to still hold \"%s\", got "
             "\"%.100s\": sm_named_create must never write into an object "
             "that it did not create",
             first, now);
    PL_CHECK(rc_long == -1 && err_long == EINVAL,
             "expected sm_named_create to fail with EINVAL for a text of %d "
             "bytes, which leaves no room for its NUL, got %d (errno %s)",
             SM_OBJECT_SIZE, rc_long, pl_errno_name(err_long));
    PL_CHECK(long_fd == -1,
             "expected no object under %s after sm_named_create rejected "
             "its text, but one was created: check the length before you "
             "call shm_open()",
             long_name);
}

PL_TEST(test_remove_unlinks_name)
{
    const char *name = pl_test_ipc_name("doomed");
    int rc, err, fd, open_err, rc_again, err_again;

    create_test_object(name, "soon without a name");
    rc = PL_CALL(sm_named_remove(name));
    err = errno;
    fd = shm_open(name, O_RDONLY, 0);
    open_err = errno;
    if (fd != -1) {
        pl_close(fd);
        shm_unlink(name);
    }
    rc_again = PL_CALL(sm_named_remove(name));
    err_again = errno;

    CHECK_RETURNED_ZERO("sm_named_remove", rc, err);
    PL_CHECK(fd == -1,
             "expected shm_open(%s) to fail after sm_named_remove returned, "
             "but the name still opens: remove it with shm_unlink(name)",
             name);
    PL_CHECK(open_err == ENOENT,
             "expected shm_open(%s) to fail with ENOENT after the name was "
             "removed, got %s (%s)",
             name, pl_errno_name(open_err), strerror(open_err));
    PL_CHECK(rc_again == -1 && err_again == ENOENT,
             "expected a second sm_named_remove(%s) to fail with ENOENT, "
             "got %d (errno %s): return what shm_unlink() returned, with "
             "its errno",
             name, rc_again, pl_errno_name(err_again));
}

/* --- Step 3 ------------------------------------------------------------ */

PL_TEST(test_counter_in_one_process)
{
    struct sm_counter *c = sm_counter_create();
    int err = errno;
    char line[256];
    int rc, busy;

    PL_CHECK(c != NULL,
             "expected sm_counter_create to return a counter, got NULL "
             "(errno %s, %s): %s",
             pl_errno_name(err), strerror(err), failure_hint(err));
    PL_CHECK(find_mapping(c, line, sizeof(line)),
             "expected the counter at %p to be mapped, but no line of "
             "/proc/self/maps contains that address: return the address "
             "that mmap() returned",
             (void *)c);
    PL_CHECK(is_shared_mapping(line),
             "expected the counter to be in a shared mapping, whose "
             "permissions in /proc/self/maps end in \"s\", got: %s. Map it "
             "with MAP_SHARED | MAP_ANONYMOUS, or each child of Step 4 adds "
             "to a copy of its own",
             line);
    PL_CHECK(c->value == 0, "expected a new counter to hold 0, got %ld",
             c->value);

    rc = sm_counter_add(c, 1000, 0);
    err = errno;
    CHECK_RETURNED_ZERO("sm_counter_add(c, 1000, locked=0)", rc, err);
    PL_CHECK(c->value == 1000,
             "expected c->value == 1000 after sm_counter_add(c, 1000, "
             "locked=0), got %ld: add 1 to c->value n times",
             c->value);

    rc = sm_counter_add(c, 1, 1);
    err = errno;
    CHECK_RETURNED_ZERO("sm_counter_add(c, 1, locked=1)", rc, err);
    PL_CHECK(c->value == 1001,
             "expected c->value == 1001 after sm_counter_add(c, 1, "
             "locked=1), got %ld",
             c->value);
    /* A lock left held would make the next locked call wait for itself
     * forever, so look before making it. */
    busy = pthread_mutex_trylock(&c->lock);
    if (busy == 0)
        pthread_mutex_unlock(&c->lock);
    PL_CHECK(busy == 0,
             "expected c->lock to be free after sm_counter_add(c, 1, "
             "locked=1) returned, but pthread_mutex_trylock() returned %s: "
             "call pthread_mutex_unlock() after each addition",
             pl_errno_name(busy));
    rc = sm_counter_add(c, 500, 1);
    err = errno;
    CHECK_RETURNED_ZERO("sm_counter_add(c, 500, locked=1)", rc, err);
    PL_CHECK(c->value == 1501,
             "expected c->value == 1501 after sm_counter_add(c, 500, "
             "locked=1), got %ld",
             c->value);

    rc = sm_counter_destroy(c);
    err = errno;
    CHECK_RETURNED_ZERO("sm_counter_destroy", rc, err);
    PL_CHECK(!find_mapping(c, line, sizeof(line)),
             "expected sm_counter_destroy to unmap the counter, but its "
             "address is still mapped: %s. Call munmap() on it",
             line);
}

/*
 * Wait until process pid sleeps (state S in /proc/PID/stat) or writes to
 * or closes done_fd. Returns 'S' when it sleeps, 'E' when it wrote or
 * ended, and 'T' when neither happened within timeout_ms.
 */
static char wait_blocked_or_done(pid_t pid, int done_fd, int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;

    for (;;) {
        struct pollfd p = {done_fd, POLLIN, 0};
        struct pl_proc_stat st;
        long long left;
        int ready;

        if (pl_proc_read_stat(pid, &st) == 0 && st.state == 'S' &&
            poll(&p, 1, 0) == 0)
            return 'S';
        left = deadline - pl_now_ms();
        if (left <= 0)
            return 'T';
        /* No event reports that a process went to sleep, so look again
         * after a millisecond, or at once when done_fd is ready. */
        ready = poll(&p, 1, 1);
        if (ready > 0)
            return 'E';
        if (ready == -1 && errno != EINTR)
            PL_FAIL("test setup: poll() failed: %s (%s)",
                    pl_errno_name(errno), strerror(errno));
    }
}

/* Whether done_fd becomes readable within timeout_ms. */
static int wait_readable(int fd, int timeout_ms)
{
    long long deadline = pl_now_ms() + timeout_ms;

    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        long long left = deadline - pl_now_ms();
        int ready;

        if (left <= 0)
            return 0;
        ready = poll(&p, 1, (int)left);
        if (ready > 0)
            return 1;
        if (ready == -1 && errno != EINTR)
            PL_FAIL("test setup: poll() failed: %s (%s)",
                    pl_errno_name(errno), strerror(errno));
    }
}

PL_TEST(test_blocked_process_wakes_on_unlock)
{
    struct sm_counter *c = sm_counter_create();
    int err = errno;
    int wait_ms = scaled_ms(WAIT_MS);
    long value_while_held, value_after;
    char ending[160];
    char state;
    int done[2];
    int locked, woke, status;
    pid_t pid;

    PL_CHECK(c != NULL,
             "expected sm_counter_create to return a counter, got NULL "
             "(errno %s, %s): %s",
             pl_errno_name(err), strerror(err), failure_hint(err));
    locked = pthread_mutex_lock(&c->lock);
    if (locked != 0)
        PL_FAIL("expected the test to lock c->lock, but pthread_mutex_lock() "
                "failed with %s: initialize it with pthread_mutex_init() in "
                "sm_counter_create",
                pl_errno_name(locked));

    pl_pipe(done);
    pid = pl_fork();
    if (pid == 0) {
        /* The test's own child: one locked addition, then a byte on the
         * pipe to say that it returned. */
        int rc;

        pl_close(done[0]);
        rc = sm_counter_add(c, 1, 1);
        pl_write_all(done[1], "x", 1);
        _exit(rc == 0 ? 0 : 1);
    }
    pl_close(done[1]);

    state = wait_blocked_or_done(pid, done[0], wait_ms);
    value_while_held = c->value;
    pthread_mutex_unlock(&c->lock);
    woke = wait_readable(done[0], wait_ms);
    if (!woke)
        kill(pid, SIGKILL);
    pl_waitpid(pid, &status, 0);
    pl_close(done[0]);
    value_after = c->value;
    /* Only a test that passes needs the counter back, and then the lock
     * is free. */
    if (woke)
        sm_counter_destroy(c);

    PL_CHECK(state != 'E',
             "expected the child's sm_counter_add(c, 1, locked=1) to wait "
             "while the test held c->lock, but the child went on and %s: "
             "with locked set, each addition must first take c->lock, the "
             "mutex inside the shared counter, with pthread_mutex_lock()",
             pl_describe_status(status, ending, sizeof(ending)));
    PL_CHECK(state != 'T',
             "expected the child's sm_counter_add(c, 1, locked=1) to block "
             "within %d ms while the test held c->lock, but it neither "
             "blocked nor returned",
             wait_ms);
    PL_CHECK(value_while_held == 0,
             "expected c->value to stay 0 while the test held c->lock, got "
             "%ld: the child must add only after it has taken the lock",
             value_while_held);
    PL_CHECK(woke,
             "expected the child blocked on c->lock to wake and return "
             "within %d ms after the test unlocked it, but it slept on: "
             "initialize the mutex with a pthread_mutexattr_t set to "
             "PTHREAD_PROCESS_SHARED (pthread_mutexattr_setpshared), or "
             "pthread_mutex_unlock() wakes only waiters in its own "
             "process. The counter must also be mapped MAP_SHARED, or the "
             "child waits on a copy of the lock that nobody unlocks",
             wait_ms);
    PL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "expected the child to return 0 from sm_counter_add and exit "
             "with 0, but it %s",
             pl_describe_status(status, ending, sizeof(ending)));
    PL_CHECK(value_after == 1,
             "expected c->value == 1 after the child's one locked addition, "
             "got %ld",
             value_after);
}

/* --- Step 4 ------------------------------------------------------------ */

/*
 * Make a counter as Step 3 describes, so that the Step 4 tests do not
 * depend on sm_counter_create. Undo it with release_test_counter().
 */
static struct sm_counter *make_test_counter(void)
{
    struct sm_counter *c;
    pthread_mutexattr_t attr;

    c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        PL_FAIL("test setup: mmap(counter) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    c->value = 0;
    if (pthread_mutexattr_init(&attr) != 0 ||
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
        pthread_mutex_init(&c->lock, &attr) != 0)
        PL_FAIL("test setup: a process-shared mutex could not be made");
    pthread_mutexattr_destroy(&attr);
    return c;
}

static void release_test_counter(struct sm_counter *c)
{
    pthread_mutex_destroy(&c->lock);
    munmap(c, sizeof(*c));
}

/* The likely cause of procs * n locked additions giving got. */
static const char *locked_count_hint(long got, long expected)
{
    if (got == 0)
        return "no addition reached the counter: do the children call "
               "sm_counter_add(c, n, locked) on the counter they were "
               "given?";
    if (got < expected)
        return "additions were lost or never made. Do all children call "
               "sm_counter_add() with locked set, so that each addition "
               "holds c->lock, and does the parent reap every child before "
               "it returns?";
    return "more additions than procs * n: does the parent add too, or "
           "does a child fork children of its own?";
}

PL_TEST(test_locked_children_count_exactly)
{
    static const struct {
        int procs;
        long n;
    } runs[] = {{2, 200000}, {4, 50000}};
    struct sm_counter *c = make_test_counter();

    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        long expected = runs[i].procs * runs[i].n;
        long got;
        int rc, err;

        c->value = 0;
        rc = PL_CALL(sm_count_in_children(c, runs[i].procs, runs[i].n, 1));
        err = errno;
        got = c->value;
        CHECK_RETURNED_ZERO("sm_count_in_children", rc, err);
        PL_CHECK(got == expected,
                 "expected %d children adding %ld each under the lock to "
                 "count exactly %ld, got %ld (%ld off): %s",
                 runs[i].procs, runs[i].n, expected, got, expected - got,
                 locked_count_hint(got, expected));
    }
    release_test_counter(c);
}

PL_TEST(test_count_rejects_invalid_arguments)
{
    static const struct {
        int use_counter;
        int procs;
        long n;
    } cases[] = {{1, 0, 10}, {1, -3, 10}, {1, 2, -1}, {0, 2, 10}};
    struct sm_counter *c = make_test_counter();

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sm_counter *arg = cases[i].use_counter ? c : NULL;
        int rc, err;

        errno = 0;
        rc = PL_CALL(sm_count_in_children(arg, cases[i].procs, cases[i].n,
                                          1));
        err = errno;
        PL_CHECK(rc == -1 && err == EINVAL,
                 "expected sm_count_in_children(%s, procs=%d, n=%ld) to "
                 "return -1 with errno EINVAL before it forks, got %d "
                 "(errno %s)%s",
                 arg ? "c" : "NULL", cases[i].procs, cases[i].n, rc,
                 pl_errno_name(err),
                 err == ENOSYS ? ": is it still the starter stub?" : "");
    }
    PL_CHECK(c->value == 0,
             "expected no addition after calls with invalid arguments, but "
             "c->value is %ld",
             c->value);
    release_test_counter(c);
}

static const struct pl_test_case tests[] = {
    {&test_shared_write_reaches_parent,
     "a child's write to a MAP_SHARED page reaches the parent", 3, "Step 1",
     TIMEOUT_S},
    {&test_private_write_stays_in_child,
     "a child's write to a MAP_PRIVATE page stays in the child", 2, "Step 1",
     TIMEOUT_S},
    {&test_program_reads_object_by_name,
     "an unrelated program reads the text by the object's name", 3,
     "Step 2", TIMEOUT_S},
    {&test_reply_read_back_by_name,
     "sm_named_read reads what another program wrote", 2, "Step 2",
     TIMEOUT_S},
    {&test_create_rejects_taken_or_long,
     "sm_named_create rejects a taken name and a long text", 1, "Step 2",
     TIMEOUT_S},
    {&test_remove_unlinks_name, "sm_named_remove removes the name", 2,
     "Step 2", TIMEOUT_S},
    {&test_counter_in_one_process,
     "one process creates, adds to and destroys a shared counter", 3,
     "Step 3", TIMEOUT_S},
    {&test_blocked_process_wakes_on_unlock,
     "a process waiting for the lock wakes when another unlocks it", 3,
     "Step 3", TIMEOUT_S},
    {&test_locked_children_count_exactly,
     "children that add under the lock count exactly", 4, "Step 4",
     TIMEOUT_S},
    {&test_count_rejects_invalid_arguments,
     "sm_count_in_children rejects invalid arguments", 1, "Step 4",
     TIMEOUT_S},
};

PL_LAB("05-shared-memory", tests)
