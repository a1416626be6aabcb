/*
 * check_inherit_exec.c - graded tests for Lab 02: what a child inherits,
 * and what exec keeps.
 *
 * Each test calls one function from labs/02-inherit-exec/inherit_exec.c
 * and checks what it reports, or what it wrote to a file or to stdout,
 * against what fork() and execve() guarantee. Files go in the test's own
 * directory, which is also its current directory. The Step 3 and Step 4
 * tests exec the helper programs in helpers/.
 *
 * The harness runs each test in a process of its own and afterwards fails
 * it if the lab function left a child unreaped or a descriptor open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inherit_exec.h"
#include "pl_test.h"
#include "proclab.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

#define TIMEOUT_S 5.0
/* Deadline of a Step 2 run under pl_run(), well inside the test's own. */
#define PRINT_TIMEOUT_MS 3000

/* Largest file or output a test reads back. */
#define READ_MAX 8192
/* Room for one text quoted with C escapes in a message. */
#define QUOTED_MAX 160

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EIO:
        return "EIO means a child ended without sending its full report or "
               "with a non-zero exit code: does the child send the whole "
               "report and end with _exit(0)?";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    default:
        return "a call inside the function failed";
    }
}

/* Fail unless a lab function named name returned 0. */
#define CHECK_RETURNED_ZERO(name, rc, err)                                     \
    PL_CHECK((rc) == 0, "expected %s to return 0, got %d (errno %s, %s): %s",  \
             (name), (rc), pl_errno_name(err), strerror(err),                  \
             failure_hint(err))

/*
 * Store text as a C string literal in out, with newlines and other
 * control characters escaped, cut to fit QUOTED_MAX bytes. Returns out.
 */
static const char *quoted(const char *text, size_t len, char *out)
{
    size_t used = 0;

    out[used++] = '"';
    for (size_t i = 0; i < len && used < QUOTED_MAX - 8; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == '\n')
            used += (size_t)sprintf(out + used, "\\n");
        else if (c == '"' || c == '\\')
            used += (size_t)sprintf(out + used, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            used += (size_t)sprintf(out + used, "\\x%02x", c);
        else
            out[used++] = (char)c;
        if (i + 1 < len && used >= QUOTED_MAX - 8) {
            used += (size_t)sprintf(out + used, "...");
            break;
        }
    }
    out[used++] = '"';
    out[used] = '\0';
    return out;
}

/* Read the file at path into buf, NUL-terminated, and return its
 * length. */
static size_t read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len;

    if (fd == -1)
        PL_FAIL("expected the file %s/%s to exist, but open() failed: %s "
                "(%s): the function must create it",
                pl_test_dir(), path, pl_errno_name(errno), strerror(errno));
    len = pl_read_full(fd, buf, size - 1);
    pl_close(fd);
    buf[len] = '\0';
    return len;
}

/* Open path in the test directory, empty, for a program's output. */
static int open_output(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd == -1)
        PL_FAIL("test setup: open(%s) failed: %s (%s)", path,
                pl_errno_name(errno), strerror(errno));
    return fd;
}

/* Count the lines of text that are exactly line. */
static int count_lines(const char *text, const char *line)
{
    size_t len = strlen(line);
    int count = 0;

    for (const char *p = text; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n == len && strncmp(p, line, len) == 0)
            count++;
        p += n + (end ? 1 : 0);
    }
    return count;
}

/* Return the number after "key " on the first line that starts with it,
 * or UNSET when no line does. */
static long find_number(const char *text, const char *key)
{
    size_t len = strlen(key);

    for (const char *p = text; *p != '\0';) {
        const char *end = strchr(p, '\n');

        if (strncmp(p, key, len) == 0 && p[len] == ' ')
            return strtol(p + len + 1, NULL, 10);
        if (end == NULL)
            break;
        p = end + 1;
    }
    return UNSET;
}

/* Return 1 when text has the line "fd N". */
static int lists_fd(const char *text, int fd)
{
    char line[32];

    snprintf(line, sizeof(line), "fd %d", fd);
    return count_lines(text, line) > 0;
}

/* --- Step 1 ------------------------------------------------------------ */

/* Texts of different lengths, so an overwrite leaves a visible tail. */
static const char parent_text[] = "the parent wrote this line\n";
static const char child_text[] = "child: hi\n";

/* Store in out the file's expected contents after the child's text
 * overwrote the start of the parent's, and return their length. */
static size_t overwritten(char *out)
{
    size_t parent_len = strlen(parent_text);
    size_t child_len = strlen(child_text);

    memcpy(out, parent_text, parent_len);
    memcpy(out, child_text, child_len);
    out[parent_len] = '\0';
    return parent_len;
}

/* The likely cause of ie_write_shared() leaving got in the file. */
static const char *shared_content_hint(const char *got)
{
    char overwrite[sizeof(parent_text)];
    char reversed[sizeof(parent_text) + sizeof(child_text)];

    overwritten(overwrite);
    snprintf(reversed, sizeof(reversed), "%s%s", child_text, parent_text);
    if (strcmp(got, overwrite) == 0)
        return "the child's text overwrote the start of the parent's, so "
               "each process had its own offset: it opened the file "
               "itself, after fork. Open the file once, before fork, and "
               "let both processes write through that descriptor";
    if (strcmp(got, reversed) == 0)
        return "the child wrote first: the parent must write, then signal "
               "the child with pl_sync_send(), and the child must "
               "pl_sync_wait() before it writes";
    if (strcmp(got, parent_text) == 0)
        return "the child's text is missing: does the child write it "
               "before _exit()?";
    if (got[0] == '\0')
        return "the file is empty: each process must write its text";
    return "the parent writes parent_text, then the child writes "
           "child_text through the same descriptor";
}

PL_TEST(test_shared_offset_appends)
{
    char expected[sizeof(parent_text) + sizeof(child_text)];
    char got[READ_MAX];
    char quoted_expected[QUOTED_MAX];
    char quoted_got[QUOTED_MAX];
    off_t offset = UNSET;
    size_t len;
    int rc, err;

    rc = PL_CALL(ie_write_shared("shared.txt", parent_text, child_text,
                                 &offset));
    err = errno;
    CHECK_RETURNED_ZERO("ie_write_shared", rc, err);

    len = read_file("shared.txt", got, sizeof(got));
    snprintf(expected, sizeof(expected), "%s%s", parent_text, child_text);
    PL_CHECK(len == strlen(expected) && strcmp(got, expected) == 0,
             "expected shared.txt to hold %s (the parent's text, then the "
             "child's after it), got %s: %s",
             quoted(expected, strlen(expected), quoted_expected),
             quoted(got, len, quoted_got), shared_content_hint(got));
    PL_CHECK(offset == (off_t)strlen(expected),
             "expected the parent's offset to be %zu after the child wrote, "
             "got %lld: the parent wrote only %zu bytes, but parent and "
             "child share one offset, so the child's write moves the "
             "parent's offset too. %s",
             strlen(expected), (long long)offset, strlen(parent_text),
             offset == UNSET ? "Nothing was stored in *parent_offset."
             : offset == (off_t)strlen(parent_text)
                 ? "The parent's offset did not move: its descriptor has "
                   "an open file description of its own."
                 : "Take the offset with lseek(fd, 0, SEEK_CUR) after the "
                   "child ended.");
}

/* The likely cause of ie_write_separate() leaving got in the file. */
static const char *separate_content_hint(const char *got)
{
    char appended[sizeof(parent_text) + sizeof(child_text)];

    snprintf(appended, sizeof(appended), "%s%s", parent_text, child_text);
    if (strcmp(got, appended) == 0)
        return "the child's write landed after the parent's, so the two "
               "processes shared one offset: each must open the file "
               "itself, after fork, without O_APPEND";
    if (strcmp(got, child_text) == 0)
        return "only the child's text is left: was the file emptied "
               "(O_TRUNC) after the parent wrote? Empty it once, before "
               "fork";
    if (strcmp(got, parent_text) == 0)
        return "the parent's text is unchanged: did the child write before "
               "_exit()? The parent must write first and then signal the "
               "child with pl_sync_send()";
    return "after fork each process opens the file with O_WRONLY, the "
           "parent writes, and then the child writes from its own offset 0";
}

PL_TEST(test_separate_offsets_overwrite)
{
    char expected[sizeof(parent_text)];
    char got[READ_MAX];
    char quoted_expected[QUOTED_MAX];
    char quoted_got[QUOTED_MAX];
    off_t offset = UNSET;
    size_t expected_len;
    size_t len;
    int rc, err;

    rc = PL_CALL(ie_write_separate("separate.txt", parent_text, child_text,
                                   &offset));
    err = errno;
    CHECK_RETURNED_ZERO("ie_write_separate", rc, err);

    len = read_file("separate.txt", got, sizeof(got));
    expected_len = overwritten(expected);
    PL_CHECK(len == expected_len && strcmp(got, expected) == 0,
             "expected separate.txt to hold %s (the child's %zu bytes over "
             "the start of the parent's %zu), got %s: %s",
             quoted(expected, expected_len, quoted_expected),
             strlen(child_text), strlen(parent_text),
             quoted(got, len, quoted_got), separate_content_hint(got));
    PL_CHECK(offset == (off_t)strlen(parent_text),
             "expected the parent's offset to be %zu, the bytes it wrote, "
             "got %lld: %s",
             strlen(parent_text), (long long)offset,
             offset == UNSET
                 ? "nothing was stored in *parent_offset"
                 : "a descriptor the parent opened itself after fork has an "
                   "offset that only the parent's own writes move");
}

/* --- Step 2 ------------------------------------------------------------ */

/*
 * ie_print_once() runs under pl_run(), in a child of the test whose stdout
 * is a pipe or a file. PL_CALL and PL_CHECK work only in the test process,
 * so that child returns what the test needs in its exit code and output.
 */

/* That child's exit code is ERRNO_BASE + errno when ie_print_once()
 * returned -1, so that it differs from the code 1 of pl_die() or exit(1).
 * Linux's generic errno table (asm-generic/errno.h), which x86-64 and arm64
 * use, ends at 133, EHWPOISON. */
#define ERRNO_BASE 100
/* Its exit code when ie_print_once() returned -1 but left errno at 0. */
#define ERRNO_ZERO 249
/* Its exit code when a step of the test's own failed: redirecting stdout,
 * registering the handler, or the last fflush(). */
#define SETUP_FAILED 250
/* The exit code of a child of ie_print_once() that returned from it. */
#define STRAY_EXIT 251
/* The line such a child writes before it ends. */
#define STRAY_LINE "a child returned from ie_print_once()"
/* The line the test's atexit() handler writes when it runs. */
#define ATEXIT_LINE "the caller's atexit handler ran"

struct print_run {
    const char *stdout_path; /* file to send stdout to, or NULL: the pipe */
    int with_atexit;         /* register write_atexit_line() first */
};

static void write_atexit_line(void)
{
    static const char line[] = ATEXIT_LINE "\n";

    if (write(STDOUT_FILENO, line, sizeof(line) - 1) < 0)
        _exit(SETUP_FAILED);
}

/*
 * Call ie_print_once() with stdout fully buffered, as the C library sets
 * it up when stdout is a file or a pipe. Returns 0 when the function
 * returned 0, or else ERRNO_BASE + errno (ERRNO_ZERO when errno was 0).
 */
static int print_once_in_child(void *arg)
{
    const struct print_run *run = arg;
    pid_t self = getpid();
    int rc;

    if (run->stdout_path != NULL) {
        int fd = open(run->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        if (fd == -1 || dup2(fd, STDOUT_FILENO) == -1 || close(fd) == -1)
            return SETUP_FAILED;
    }
    /* The test process inherited its stdout stream from the harness, so
     * set the buffering that a new program on a pipe or file would get. */
    if (setvbuf(stdout, NULL, _IOFBF, BUFSIZ) != 0)
        return SETUP_FAILED;
    if (run->with_atexit && atexit(write_atexit_line) != 0)
        return SETUP_FAILED;

    errno = 0;
    rc = ie_print_once();
    if (getpid() != self) {
        static const char line[] = STRAY_LINE "\n";

        if (write(STDOUT_FILENO, line, sizeof(line) - 1) < 0)
            _exit(STRAY_EXIT);
        _exit(STRAY_EXIT);
    }
    if (fflush(stdout) == EOF)
        return SETUP_FAILED;
    if (rc == 0)
        return 0;
    if (errno <= 0 || errno >= ERRNO_ZERO - ERRNO_BASE)
        return ERRNO_ZERO;
    return ERRNO_BASE + errno;
}

/*
 * Run ie_print_once() under pl_run() and store what it printed to stdout
 * in out. Fails the test when the run itself went wrong.
 */
static void run_print_once(const struct print_run *run, char *out,
                           size_t size)
{
    struct pl_run_result r;
    char captured[QUOTED_MAX];
    char how[128];
    int code;
    int err;

    pl_run(print_once_in_child, (void *)run,
           (int)(PRINT_TIMEOUT_MS * pl_test_scale()), &r);
    /* The pipe carries stdout and stderr, or stderr alone with a file. */
    quoted(r.output, r.output_len, captured);
    if (run->stdout_path == NULL)
        snprintf(out, size, "%s", r.output);
    else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) != SETUP_FAILED)
        read_file(run->stdout_path, out, size);
    else
        out[0] = '\0';
    pl_run_free(&r);

    PL_CHECK(!r.timed_out,
             "expected ie_print_once() to return within %.1f s, but it was "
             "still running: does the parent wait for a child that never "
             "ends, or the child for something that never comes?",
             PRINT_TIMEOUT_MS * pl_test_scale() / 1000.0);
    PL_CHECK(count_lines(out, STRAY_LINE) == 0,
             "a child of ie_print_once() returned from it and went on "
             "running the caller's code: end the child with _exit()");
    PL_CHECK(WIFEXITED(r.status),
             "the process that called ie_print_once() %s: a crash in the "
             "function, or a signal it sent to its own process",
             pl_describe_status(r.status, how, sizeof(how)));
    code = WEXITSTATUS(r.status);
    PL_CHECK(code != SETUP_FAILED,
             "test setup: redirecting stdout, registering the atexit "
             "handler or the fflush(stdout) after ie_print_once() failed");
    PL_CHECK(code == 0 || code >= ERRNO_BASE,
             "the process that called ie_print_once() exited with code %d "
             "before the function returned, with the output %s: a pl_ "
             "wrapper whose call failed ends the process with code 1, and "
             "so does exit(1) in code meant for the child",
             code, captured);
    err = code == ERRNO_ZERO ? 0 : code - ERRNO_BASE;
    PL_CHECK(code == 0,
             "expected ie_print_once to return 0, got -1 (errno %s, %s): "
             "%s",
             err == 0 ? "0" : pl_errno_name(err),
             err == 0 ? "errno was not set" : strerror(err),
             failure_hint(err));
}

/* Fail unless out contains each line of ie_print_once() once, in order. */
static void check_each_line_once(const char *out, const char *where)
{
    static const char expected[] =
        IE_LINE_BEFORE "\n" IE_LINE_CHILD "\n" IE_LINE_PARENT "\n";
    char quoted_expected[QUOTED_MAX];
    char quoted_got[QUOTED_MAX];
    int before = count_lines(out, IE_LINE_BEFORE);
    int child = count_lines(out, IE_LINE_CHILD);
    int parent = count_lines(out, IE_LINE_PARENT);

    PL_CHECK(before == 1,
             "with stdout on %s, expected the line \"%s\" once, got it %d "
             "times in %s: %s",
             where, IE_LINE_BEFORE, before,
             quoted(out, strlen(out), quoted_got),
             before > 1
                 ? "the line was still in the stdio buffer at fork, so the "
                   "child got a copy and wrote it out too. Call "
                   "fflush(stdout) just before fork()"
                 : "print it with printf() before fork()");
    PL_CHECK(child == 1,
             "with stdout on %s, expected the line \"%s\" once, got it %d "
             "times in %s: %s",
             where, IE_LINE_CHILD, child,
             quoted(out, strlen(out), quoted_got),
             child == 0
                 ? "_exit() discards the stdio buffer, so the child must "
                   "call fflush(stdout) after its printf() and before "
                   "_exit()"
                 : "the child prints it once and then ends");
    PL_CHECK(parent == 1,
             "with stdout on %s, expected the line \"%s\" once, got it %d "
             "times in %s: the parent prints it once, after waitpid()",
             where, IE_LINE_PARENT, parent,
             quoted(out, strlen(out), quoted_got));
    PL_CHECK(strcmp(out, expected) == 0,
             "with stdout on %s, expected exactly %s, got %s: the parent "
             "prints its line only after waitpid() returned, so the "
             "child's line comes first",
             where, quoted(expected, strlen(expected), quoted_expected),
             quoted(out, strlen(out), quoted_got));
}

PL_TEST(test_print_once_to_pipe)
{
    struct print_run run = {NULL, 0};
    char out[READ_MAX];

    run_print_once(&run, out, sizeof(out));
    check_each_line_once(out, "a pipe");
}

PL_TEST(test_print_once_to_file)
{
    struct print_run run = {"stdout.txt", 0};
    char out[READ_MAX];

    run_print_once(&run, out, sizeof(out));
    check_each_line_once(out, "a file");
}

PL_TEST(test_child_skips_atexit_handlers)
{
    struct print_run run = {NULL, 1};
    char out[READ_MAX];
    char quoted_got[QUOTED_MAX];

    run_print_once(&run, out, sizeof(out));
    PL_CHECK(count_lines(out, ATEXIT_LINE) == 0,
             "the caller registered an atexit() handler, and it ran in the "
             "child of ie_print_once() (output %s): the child called "
             "exit(), which runs every handler the parent registered and "
             "flushes every stdio buffer it copied. End the child with "
             "_exit()",
             quoted(out, strlen(out), quoted_got));
}

/* --- Step 3 ------------------------------------------------------------ */

PL_TEST(test_child_setenv_stays_in_child)
{
    struct ie_env_report r;
    const char *own;
    int rc, err;

    /* A variable the parent has: the child changes only its copy. */
    if (setenv("PROCLAB_COLOR", "red", 1) != 0)
        PL_FAIL("test setup: setenv(PROCLAB_COLOR) failed: %s",
                strerror(errno));
    memset(&r, 'x', sizeof(r));
    rc = PL_CALL(ie_setenv_in_child("PROCLAB_COLOR", "blue", &r));
    err = errno;
    CHECK_RETURNED_ZERO("ie_setenv_in_child", rc, err);
    PL_CHECK(strncmp(r.child_value, "blue", IE_VALUE_MAX) == 0,
             "expected the child to read PROCLAB_COLOR=blue after its "
             "setenv(), got \"%.*s\": the child calls setenv(name, value, "
             "1), then getenv(name), and sends that string",
             IE_VALUE_MAX - 1, r.child_value);
    own = getenv("PROCLAB_COLOR");
    PL_CHECK(own != NULL && strcmp(own, "red") == 0,
             "expected PROCLAB_COLOR=red in the caller after the call, got "
             "%s%s: only the child may call setenv(), and it changes only "
             "the child's copy of the environment",
             own ? "PROCLAB_COLOR=" : "", own ? own : "it unset");
    PL_CHECK(r.parent_has == 1,
             "expected parent_has == 1, since the parent has PROCLAB_COLOR, "
             "got %d: after the child ended, call getenv() in the parent",
             r.parent_has);
    PL_CHECK(strncmp(r.parent_value, "red", IE_VALUE_MAX) == 0,
             "expected parent_value \"red\", got \"%.*s\": the child's "
             "setenv() does not reach the parent, which still has its own "
             "value",
             IE_VALUE_MAX - 1, r.parent_value);

    /* A variable the parent lacks: it must still lack it afterwards. */
    if (unsetenv("PROCLAB_SHAPE") != 0)
        PL_FAIL("test setup: unsetenv(PROCLAB_SHAPE) failed: %s",
                strerror(errno));
    memset(&r, 'x', sizeof(r));
    rc = PL_CALL(ie_setenv_in_child("PROCLAB_SHAPE", "circle", &r));
    err = errno;
    CHECK_RETURNED_ZERO("ie_setenv_in_child", rc, err);
    PL_CHECK(strncmp(r.child_value, "circle", IE_VALUE_MAX) == 0,
             "expected the child to read PROCLAB_SHAPE=circle after its "
             "setenv(), got \"%.*s\"",
             IE_VALUE_MAX - 1, r.child_value);
    PL_CHECK(getenv("PROCLAB_SHAPE") == NULL,
             "expected PROCLAB_SHAPE to be unset in the caller after the "
             "call, got PROCLAB_SHAPE=%s: only the child may call setenv()",
             getenv("PROCLAB_SHAPE"));
    PL_CHECK(r.parent_has == 0,
             "expected parent_has == 0, since the parent never set "
             "PROCLAB_SHAPE, got %d: the child's environment is a copy, and "
             "its changes stay in the child",
             r.parent_has);
    PL_CHECK(r.parent_value[0] == '\0',
             "expected parent_value \"\" for a variable the parent does not "
             "have, got \"%.*s\"",
             IE_VALUE_MAX - 1, r.parent_value);
}

/* The likely cause of ie_spawn() returning code instead of 0. */
static const char *spawn_hint(int code, int err)
{
    if (code == -1 && err == ENOSYS)
        return "is it still the starter stub?";
    if (code == 127)
        return "127 means execve() failed in the child: pass path, argv "
               "and envp to execve() unchanged";
    if (code == -1)
        return "the function reported an error: it returns the child's "
               "exit code, from WEXITSTATUS()";
    return "the helper program ends with 0 when it could print everything";
}

PL_TEST(test_execve_sees_exact_environment)
{
    char *argv[] = {"print_args_env", "two words", "", NULL};
    char *envp[] = {"PROCLAB_LAB=02", "EMPTY=", "GREETING=hello world",
                    NULL};
    static const char expected_args[] =
        "arg print_args_env\narg two words\narg \n";
    static const char expected_env[] =
        "env PROCLAB_LAB=02\nenv EMPTY=\nenv GREETING=hello world\n";
    char out[READ_MAX];
    char quoted_expected[QUOTED_MAX];
    char quoted_got[QUOTED_MAX];
    const char *env_start;
    pid_t pid = UNSET;
    int fd, code, err;
    size_t len;

    /* Set in the caller only, so a child that passes the caller's
     * environment instead of envp shows it. */
    if (setenv("PROCLAB_PARENT_ONLY", "1", 1) != 0)
        PL_FAIL("test setup: setenv(PROCLAB_PARENT_ONLY) failed: %s",
                strerror(errno));
    fd = open_output("exec-output.txt");
    code = PL_CALL(ie_spawn(pl_test_program("print_args_env"), argv, envp,
                            fd, &pid));
    err = errno;
    pl_close(fd);
    PL_CHECK(code == 0,
             "expected ie_spawn to return 0, the exit code of the helper "
             "print_args_env, got %d (errno %s): %s",
             code, pl_errno_name(err), spawn_hint(code, err));
    PL_CHECK(pid > 0, "expected *child_pid to hold the child's PID, got %d",
             (int)pid);

    len = read_file("exec-output.txt", out, sizeof(out));
    PL_CHECK(len > 0,
             "expected the new program's output in the file given as "
             "out_fd, but the file is empty: in the child, call "
             "dup2(out_fd, STDOUT_FILENO) before execve()");
    PL_CHECK(count_lines(out, "env PROCLAB_PARENT_ONLY=1") == 0,
             "the new program saw PROCLAB_PARENT_ONLY, a variable only the "
             "caller has: it got the caller's environment instead of envp. "
             "Call execve(path, argv, envp); execv() and execvp() pass "
             "environ instead");
    env_start = strstr(out, "env ");
    PL_CHECK(env_start != NULL && strcmp(env_start, expected_env) == 0,
             "expected the new program to see exactly the environment %s, "
             "got %s: pass envp to execve() as it is",
             quoted(expected_env, strlen(expected_env), quoted_expected),
             env_start ? quoted(env_start, strlen(env_start), quoted_got)
                       : "no environment at all");
    PL_CHECK(strncmp(out, expected_args, strlen(expected_args)) == 0 &&
                 out + strlen(expected_args) == env_start,
             "expected the new program to see exactly the arguments %s, "
             "got %s: pass argv to execve() as it is, with argv[0] first",
             quoted(expected_args, strlen(expected_args), quoted_expected),
             quoted(out, env_start ? (size_t)(env_start - out) : len,
                    quoted_got));
}

PL_TEST(test_failed_exec_exits_127)
{
    char *argv[] = {"missing", NULL};
    char *envp[] = {NULL};
    static const char *const paths[] = {"./no-such-program",
                                        "./not-executable.txt"};
    char out[READ_MAX];
    int fd;

    /* A file that exists but has no execute permission: EACCES. */
    pl_close(open_output("not-executable.txt"));
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int code, err;
        size_t len;

        fd = open_output("exec-output.txt");
        code = PL_CALL(ie_spawn(paths[i], argv, envp, fd, NULL));
        err = errno;
        pl_close(fd);
        PL_CHECK(code == 127,
                 "expected ie_spawn(\"%s\") to return 127, got %d (errno "
                 "%s): %s",
                 paths[i], code, pl_errno_name(err),
                 code == -1 && err == ENOSYS
                     ? "is it still the starter stub?"
                     : "execve() fails for this path, and it returns only "
                       "when it fails, so the next line of the child must "
                       "be _exit(127); the parent returns WEXITSTATUS()");
        len = read_file("exec-output.txt", out, sizeof(out));
        PL_CHECK(len == 0,
                 "expected no output from a child whose execve(\"%s\") "
                 "failed, got %zu bytes on its stdout: the child ends with "
                 "_exit(127) and prints nothing there",
                 paths[i], len);
    }
}

/* --- Step 4 ------------------------------------------------------------ */

/* Run ie_exec_with_fds() on the show_process helper and store the
 * helper's output in out. */
static void exec_show_process(struct ie_exec_report *r, char *out,
                              size_t size)
{
    char *argv[] = {"show_process", NULL};
    int fd = open_output("process.txt");
    int rc, err;

    r->child_pid = UNSET;
    r->exit_code = UNSET;
    r->plain_fd = UNSET;
    r->ocloexec_fd = UNSET;
    r->fdcloexec_fd = UNSET;
    rc = PL_CALL(ie_exec_with_fds(pl_test_program("show_process"), argv, fd,
                                  r));
    err = errno;
    pl_close(fd);
    CHECK_RETURNED_ZERO("ie_exec_with_fds", rc, err);
    PL_CHECK(r->exit_code == 0,
             "expected the helper show_process to exit with 0, got %d: %s",
             r->exit_code,
             r->exit_code == 127 ? "127 means execve() failed in the child"
                                 : "store the code ie_spawn() returned");
    read_file("process.txt", out, size);
}

PL_TEST(test_exec_keeps_pid_and_parent)
{
    struct ie_exec_report r;
    char out[READ_MAX];
    long pid, ppid;

    exec_show_process(&r, out, sizeof(out));
    pid = find_number(out, "pid");
    ppid = find_number(out, "ppid");
    PL_CHECK(pid != UNSET,
             "expected a line \"pid N\" from the helper show_process, got "
             "none: its stdout must be out_fd");
    PL_CHECK(r.child_pid > 0 && r.child_pid != getpid(),
             "expected child_pid to be the PID fork() returned in the "
             "parent, got %d",
             (int)r.child_pid);
    PL_CHECK(pid == (long)r.child_pid,
             "expected the new program to run as PID %d, the child that "
             "fork() made, got PID %ld: exec replaces the program in the "
             "same process, so the child calls execve() itself and does "
             "not fork again",
             (int)r.child_pid, pid);
    PL_CHECK(ppid == (long)getpid(),
             "expected the new program's parent to be the caller, PID %d, "
             "got %ld: exec keeps the parent too",
             (int)getpid(), ppid);
}

PL_TEST(test_cloexec_fds_do_not_cross_exec)
{
    struct ie_exec_report r;
    char out[READ_MAX];

    exec_show_process(&r, out, sizeof(out));
    PL_CHECK(r.plain_fd >= 0 && r.ocloexec_fd >= 0 && r.fdcloexec_fd >= 0,
             "expected three open descriptors in the report, got plain_fd "
             "%d, ocloexec_fd %d, fdcloexec_fd %d: store what open() "
             "returned",
             r.plain_fd, r.ocloexec_fd, r.fdcloexec_fd);
    PL_CHECK(r.plain_fd != r.ocloexec_fd && r.plain_fd != r.fdcloexec_fd &&
                 r.ocloexec_fd != r.fdcloexec_fd,
             "expected three different descriptors, got %d, %d and %d: "
             "open /dev/null three times and close them only after the "
             "child ended",
             r.plain_fd, r.ocloexec_fd, r.fdcloexec_fd);
    PL_CHECK(lists_fd(out, r.plain_fd),
             "expected plain_fd %d to be open in the new program, but it "
             "was not: a descriptor without close-on-exec stays open across "
             "execve(). Open it in the parent before fork, without "
             "O_CLOEXEC",
             r.plain_fd);
    PL_CHECK(!lists_fd(out, r.ocloexec_fd),
             "expected ocloexec_fd %d to be closed in the new program, but "
             "it was open: open it with O_CLOEXEC in the flags of open()",
             r.ocloexec_fd);
    PL_CHECK(!lists_fd(out, r.fdcloexec_fd),
             "expected fdcloexec_fd %d to be closed in the new program, but "
             "it was open: set the flag with fcntl(fd, F_SETFD, flags | "
             "FD_CLOEXEC). O_CLOEXEC is a flag for open() and does nothing "
             "in F_SETFD, and F_SETFL sets other flags",
             r.fdcloexec_fd);
}

/* --- Step 5 ------------------------------------------------------------ */

static volatile sig_atomic_t usr1_delivered;

static void count_usr1(int sig)
{
    (void)sig;
    usr1_delivered++;
}

PL_TEST(test_pending_signal_not_inherited)
{
    struct ie_signal_report r = {UNSET, UNSET, UNSET};
    struct sigaction action;
    sigset_t mask;
    sigset_t pending;
    int rc, err;

    /* Count deliveries instead of dying of one. */
    memset(&action, 0, sizeof(action));
    action.sa_handler = count_usr1;
    sigemptyset(&action.sa_mask);
    sigemptyset(&mask);
    if (sigaction(SIGUSR1, &action, NULL) == -1 ||
        sigprocmask(SIG_SETMASK, &mask, NULL) == -1)
        PL_FAIL("test setup: sigaction(SIGUSR1) failed: %s",
                strerror(errno));

    rc = PL_CALL(ie_pending_in_child(SIGUSR1, &r));
    err = errno;
    CHECK_RETURNED_ZERO("ie_pending_in_child", rc, err);
    PL_CHECK(r.parent_pending == 1,
             "expected parent_pending == 1, got %d: block SIGUSR1 with "
             "sigprocmask(), then raise(SIGUSR1); a blocked signal stays "
             "pending, which sigpending() shows",
             r.parent_pending);
    PL_CHECK(r.child_pending == 0,
             "expected child_pending == 0, got %d: a child starts with an "
             "empty set of pending signals, so sigpending() in the child "
             "must not show SIGUSR1. Was it checked in the parent, or "
             "raised again in the child?",
             r.child_pending);
    PL_CHECK(r.child_blocked == 1,
             "expected child_blocked == 1, got %d: the child inherits the "
             "parent's signal mask, so SIGUSR1 is still blocked there. Ask "
             "with sigprocmask(SIG_BLOCK, NULL, &mask) in the child",
             r.child_blocked);
    PL_CHECK(usr1_delivered == 0,
             "SIGUSR1 was delivered to the caller %d time(s): the parent "
             "must accept the pending signal with sigtimedwait() while it "
             "is still blocked, and only then restore the old mask",
             (int)usr1_delivered);
    if (sigprocmask(SIG_BLOCK, NULL, &mask) == -1 || sigpending(&pending))
        PL_FAIL("test: sigprocmask() or sigpending() failed: %s",
                strerror(errno));
    PL_CHECK(!sigismember(&mask, SIGUSR1),
             "expected SIGUSR1 to be unblocked again after the call, as it "
             "was before: save the old mask from sigprocmask(SIG_BLOCK, "
             "&set, &old) and restore it with SIG_SETMASK");
    PL_CHECK(!sigismember(&pending, SIGUSR1),
             "expected SIGUSR1 to be no longer pending in the caller: "
             "accept it with sigtimedwait() before restoring the mask");
}

/* Return how many threads the test process has: the entries of
 * /proc/self/task, one per thread. */
static int count_own_threads(void)
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

PL_TEST(test_child_has_one_thread)
{
    struct ie_thread_report r = {UNSET, UNSET};
    int before = count_own_threads();
    int rc, err;

    rc = PL_CALL(ie_threads_in_child(3, &r));
    err = errno;
    CHECK_RETURNED_ZERO("ie_threads_in_child", rc, err);
    PL_CHECK(r.parent_threads == before + 3,
             "expected parent_threads == %d (the caller's %d thread(s) and "
             "the 3 started), got %d: count the entries of /proc/self/task "
             "in the parent after starting the threads, leaving out \".\" "
             "and \"..\"",
             before + 3, before, r.parent_threads);
    PL_CHECK(r.child_threads == 1,
             "expected child_threads == 1, got %d: fork() copies only the "
             "thread that called it, so the child has exactly one. Count "
             "/proc/self/task in the child, not in the parent",
             r.child_threads);
}

PL_TEST(test_child_does_not_hold_parent_lock)
{
    struct ie_lock_report r = {UNSET, UNSET, UNSET, UNSET, UNSET};
    int rc, err;

    rc = PL_CALL(ie_lock_in_child("locked.txt", &r));
    err = errno;
    CHECK_RETURNED_ZERO("ie_lock_in_child", rc, err);
    PL_CHECK(r.child_pid > 0 && r.child_pid != getpid(),
             "expected child_pid to be the child's own PID, got %d (the "
             "caller is %d): call getpid() in the child",
             (int)r.child_pid, (int)getpid());
    PL_CHECK(r.child_errno == EAGAIN || r.child_errno == EACCES,
             "expected the child's F_SETLK to fail with EAGAIN or EACCES, "
             "got %s: %s",
             r.child_errno == 0 ? "success" : pl_errno_name(r.child_errno),
             r.child_errno == 0
                 ? "the child could take the lock, so nobody held it. The "
                   "parent must lock the file with F_SETLK before fork"
                 : "try F_SETLK with a write lock on the whole file, "
                   "through the descriptor the child inherited");
    PL_CHECK(r.holder_type == F_WRLCK,
             "expected the child's F_GETLK to report a write lock "
             "(F_WRLCK = %d) in the way, got l_type %d: the parent holds "
             "one, and the child did not inherit it",
             F_WRLCK, r.holder_type);
    PL_CHECK(r.holder_pid == getpid(),
             "expected F_GETLK in the child to name the parent, PID %d, as "
             "the holder, got l_pid %d: a record lock belongs to the "
             "process that took it, so even through the same descriptor "
             "the child sees it as someone else's",
             (int)getpid(), (int)r.holder_pid);
    PL_CHECK(r.parent_type == F_UNLCK,
             "expected F_GETLK in the parent to report no lock in the way "
             "(F_UNLCK = %d), got l_type %d: a process's own locks never "
             "conflict with its requests",
             F_UNLCK, r.parent_type);
}

static const struct pl_test_case tests[] = {
    {&test_shared_offset_appends,
     "a descriptor opened before fork shares one offset", 3, "Step 1",
     TIMEOUT_S},
    {&test_separate_offsets_overwrite,
     "files opened after fork have their own offsets", 2, "Step 1",
     TIMEOUT_S},
    {&test_print_once_to_pipe,
     "each line is printed once when stdout is a pipe", 3, "Step 2",
     TIMEOUT_S},
    {&test_print_once_to_file,
     "each line is printed once when stdout is a file", 1, "Step 2",
     TIMEOUT_S},
    {&test_child_skips_atexit_handlers,
     "the child ends without running the caller's atexit handlers", 2,
     "Step 2", TIMEOUT_S},
    {&test_child_setenv_stays_in_child,
     "a child's setenv does not reach the parent", 2, "Step 3", TIMEOUT_S},
    {&test_execve_sees_exact_environment,
     "the new program sees exactly the argv and envp given to execve", 2,
     "Step 3", TIMEOUT_S},
    {&test_failed_exec_exits_127,
     "a child whose execve fails exits with 127", 1, "Step 3", TIMEOUT_S},
    {&test_exec_keeps_pid_and_parent,
     "exec keeps the PID and the parent", 1, "Step 4", TIMEOUT_S},
    {&test_cloexec_fds_do_not_cross_exec,
     "only descriptors without close-on-exec cross exec", 3, "Step 4",
     TIMEOUT_S},
    {&test_pending_signal_not_inherited,
     "a signal pending in the parent is not pending in the child", 2,
     "Step 5", TIMEOUT_S},
    {&test_child_has_one_thread,
     "the child has one thread however many the parent has", 1, "Step 5",
     TIMEOUT_S},
    {&test_child_does_not_hold_parent_lock,
     "the child does not hold the parent's record lock", 2, "Step 5",
     TIMEOUT_S},
};

PL_LAB("02-inherit-exec", tests)
