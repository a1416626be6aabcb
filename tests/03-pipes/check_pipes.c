/*
 * check_pipes.c - graded tests for Lab 03: pipes.
 *
 * Each test calls one function from labs/03-pipes/pipes.c under a
 * watchdog (watchdog.h). A call that hangs, almost always because some
 * process still holds a pipe end, fails after WATCHDOG_MS with a message
 * that names the process and the descriptor, instead of running into the
 * test's own deadline with no explanation.
 *
 * The Step 5 tests run the helper programs built from helpers/: produce
 * writes a pattern, checksum reads until end of file and prints what it
 * read, take reads a few bytes and exits early.
 *
 * The harness runs each test in a process of its own and afterwards fails
 * it if the lab function left a child unreaped or a descriptor open.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipes.h"
#include "pl_test.h"
#include "proclab.h"
#include "watchdog.h"

#define TIMEOUT_S 8.0

/* Size of the big transfers: far more than a pipe holds at once. */
#define BIG_BYTES (8 * 1024 * 1024)

/*
 * Call a lab function under a watchdog and return its value, with errno
 * as the function left it. PL_CALL comes first: a child that returns from
 * the lab function is stopped there, before it reaches a watchdog that
 * only its parent has.
 */
#define WATCHED_CALL(name, call)                                            \
    ({                                                                      \
        struct watchdog watched_dog_;                                       \
        int watched_errno_;                                                 \
        WATCHDOG_START(&watched_dog_, (name));                              \
        __typeof__(call) watched_value_ = PL_CALL(call);                    \
        watched_errno_ = errno;                                             \
        watchdog_stop(&watched_dog_);                                       \
        errno = watched_errno_;                                             \
        watched_value_;                                                     \
    })

/* The test process and the call that catch_sigpipe() is watching. */
static pid_t sigpipe_caller;
static const char *sigpipe_call;

static void fail_on_sigpipe(int sig)
{
    if (getpid() != sigpipe_caller) {
        /* A child of the lab function inherited this handler: end it as
         * the default action would. The signal stays blocked until the
         * handler returns, and then kills. */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    pl_fail(__FILE__, __LINE__,
            "%s got SIGPIPE in the caller: the parent wrote to the pipe "
            "after the child had closed its read end or exited, so the "
            "child stopped reading before end of file. The child must read "
            "until read() returns 0, and only then close its read end and "
            "reply",
            sigpipe_call);
}

/*
 * In Steps 1 and 2 the caller writes to its child. Turn the SIGPIPE that
 * would kill the test process, when that child stops reading too early,
 * into a failure that explains it. Stores the old action in *old.
 */
static void catch_sigpipe(const char *call, struct sigaction *old)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fail_on_sigpipe;
    sigemptyset(&sa.sa_mask);
    sigpipe_caller = getpid();
    sigpipe_call = call;
    if (sigaction(SIGPIPE, &sa, old) == -1)
        PL_FAIL("test setup: sigaction(SIGPIPE) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
}

static void release_sigpipe(const struct sigaction *old)
{
    sigaction(SIGPIPE, old, NULL);
}

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EIO:
        return "EIO means a child did not end with _exit(0), or the reply "
               "came back incomplete: did a child die, for example of "
               "SIGPIPE because the reading process had closed its end?";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    default:
        return "a call inside the function failed";
    }
}

/* Fail unless a lab function named name returned 0. */
#define CHECK_RETURNED_ZERO(name, rc, err)                                  \
    PL_CHECK((rc) == 0, "expected %s to return 0, got %d (errno %s, %s): %s", \
             (name), (int)(rc), pl_errno_name(err), strerror(err),          \
             failure_hint(err))

static void *alloc_or_fail(size_t size)
{
    void *p = malloc(size);

    if (p == NULL)
        PL_FAIL("test setup: malloc(%zu) failed: %s (%s)", size,
                pl_errno_name(errno), strerror(errno));
    return p;
}

/* Return the index of the first byte where a and b differ, or len. */
static size_t first_difference(const char *a, const char *b, size_t len)
{
    size_t i = 0;

    while (i < len && a[i] == b[i])
        i++;
    return i;
}

/* --- Step 1 ------------------------------------------------------------ */

/* Check one round trip through pp_upcase_in_child(). */
static void check_upcase(const char *what, const char *text, size_t len)
{
    char *expected = alloc_or_fail(len + 1);
    char *out = alloc_or_fail(len + 1);
    struct sigaction old;
    ssize_t got;
    int err;
    size_t diff;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        expected[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    memset(out, 0, len + 1);
    catch_sigpipe("pp_upcase_in_child", &old);
    got = WATCHED_CALL("pp_upcase_in_child",
                       pp_upcase_in_child(text, len, out));
    err = errno;
    release_sigpipe(&old);
    diff = first_difference(expected, out, len);
    free(expected);
    free(out);

    PL_CHECK(got != -1,
             "expected pp_upcase_in_child to return %zu for %s, got -1 "
             "(errno %s, %s): %s",
             len, what, pl_errno_name(err), strerror(err),
             err == EIO ? "EIO means the reply was longer than the text, or "
                          "the child did not end with _exit(0). Does the "
                          "child write exactly the n bytes each read() "
                          "returned?"
                        : failure_hint(err));
    PL_CHECK(got == (ssize_t)len,
             "expected pp_upcase_in_child to return %zu for %s, got %zd: "
             "the parent must read the reply until end of file, in a loop "
             "such as pl_read_full(), since one read() may return only part "
             "of it. Does the child send back every byte it read?",
             len, what, got);
    PL_CHECK(diff == len,
             "expected the reply to %s to be the text with a-z turned into "
             "A-Z, but byte %zu differs: the child must change only the "
             "letters a-z, leave every other byte as it is, and send the "
             "bytes in the order it read them",
             what, diff);
}

PL_TEST(test_upcase_round_trip)
{
    static const char greeting[] = "hello, pipes! 123 [abc] xyz";
    char *every_byte = alloc_or_fail(PP_UPCASE_MAX);

    /* Every byte value, so that a child that changes more than a-z (as
     * toupper() in some locales would) shows. */
    for (size_t i = 0; i < PP_UPCASE_MAX; i++)
        every_byte[i] = (char)(i % 256);
    check_upcase("\"hello, pipes! 123 [abc] xyz\"", greeting,
                 sizeof(greeting) - 1);
    check_upcase("an empty text (the child sees end of file at once)", "", 0);
    check_upcase("a text of PP_UPCASE_MAX bytes holding every byte value",
                 every_byte, PP_UPCASE_MAX);
    free(every_byte);
}

/* --- Step 2 ------------------------------------------------------------ */

/* Why the child reported bytes instead of len. */
static const char *count_hint(uint64_t bytes, size_t len)
{
    if (bytes > len)
        return "the child counted more bytes than the parent sent: add "
               "what each read() returned, not the size of the buffer";
    if (bytes == 0 && len > 0)
        return "the child counted nothing: does it read the pipe the "
               "parent writes, after closing the ends it does not use?";
    return "the child stopped before end of file: a pipe holds at most "
           "its capacity (64 KiB by default), so read() returns the data in "
           "pieces. Keep reading until read() returns 0";
}

/* Check one transfer through pp_checksum_in_child(). */
static void check_summary(const char *what, const void *data, size_t len)
{
    struct pp_summary seen = {UINT64_MAX, 0};
    uint64_t expected = pp_checksum_add(PP_CHECKSUM_INIT, data, len);
    struct sigaction old;
    int rc;
    int err;

    catch_sigpipe("pp_checksum_in_child", &old);
    rc = WATCHED_CALL("pp_checksum_in_child",
                      pp_checksum_in_child(data, len, &seen));
    err = errno;
    release_sigpipe(&old);

    CHECK_RETURNED_ZERO("pp_checksum_in_child", rc, err);
    PL_CHECK(seen.bytes == len,
             "for %s, expected the child to count %zu bytes, got %llu: %s",
             what, len, (unsigned long long)seen.bytes,
             count_hint(seen.bytes, len));
    PL_CHECK(seen.checksum == expected,
             "for %s, expected the child's checksum %016llx, got %016llx: "
             "the child counted the right number of bytes but not the "
             "bytes the parent sent. Add exactly the n bytes each read() "
             "returned to the checksum, in order, starting from "
             "PP_CHECKSUM_INIT",
             what, (unsigned long long)expected,
             (unsigned long long)seen.checksum);
}

PL_TEST(test_small_data_reaches_child)
{
    char data[1000];

    pp_pattern_fill(data, 0, sizeof(data));
    check_summary("no data at all (the child sees end of file at once)", "",
                  0);
    check_summary("1000 bytes", data, sizeof(data));
}

PL_TEST(test_8_mib_reach_child_whole)
{
    char *data = alloc_or_fail(BIG_BYTES);

    pp_pattern_fill(data, 0, BIG_BYTES);
    check_summary("8 MiB", data, BIG_BYTES);
    free(data);
}

/* --- Step 3 ------------------------------------------------------------ */

PL_TEST(test_sigpipe_kills_writer)
{
    struct pp_broken_pipe r = {-1, -1, -2, -1};
    int rc = WATCHED_CALL("pp_write_without_reader",
                          pp_write_without_reader(0, &r));
    int err = errno;
    char how[128];

    CHECK_RETURNED_ZERO("pp_write_without_reader", rc, err);
    pl_describe_status(r.status, how, sizeof(how));
    PL_CHECK(!(r.reported == 1 && r.write_result == 1),
             "expected the child's write() to a pipe with no reader to "
             "fail, but it wrote its byte (the child %s): a read end was "
             "still open somewhere. Close the read end before fork, so that "
             "no process, the parent or the child, holds it when the child "
             "writes",
             how);
    PL_CHECK(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGPIPE,
             "expected the child to be killed by SIGPIPE when it wrote to a "
             "pipe with no reader, but it %s: with SIGPIPE at its default "
             "action the write() itself kills the writer. Does the child "
             "ignore SIGPIPE although ignore_sigpipe is 0?",
             how);
    PL_CHECK(r.reported == 0,
             "expected reported == 0, since a child killed by SIGPIPE sends "
             "no report, got %d",
             r.reported);
}

PL_TEST(test_ignored_sigpipe_gives_epipe)
{
    struct pp_broken_pipe r = {-1, -1, -2, -1};
    struct sigaction before;
    struct sigaction after;
    char how[128];
    int rc;
    int err;

    sigaction(SIGPIPE, NULL, &before);
    rc = WATCHED_CALL("pp_write_without_reader",
                      pp_write_without_reader(1, &r));
    err = errno;
    sigaction(SIGPIPE, NULL, &after);

    CHECK_RETURNED_ZERO("pp_write_without_reader", rc, err);
    pl_describe_status(r.status, how, sizeof(how));
    PL_CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
             "expected the child to exit with code 0 when it ignores "
             "SIGPIPE, but it %s: set SIGPIPE to SIG_IGN in the child, "
             "before its write()",
             how);
    PL_CHECK(r.reported == 1,
             "expected reported == 1, since a child that ignores SIGPIPE "
             "survives its write() and sends its report, got %d",
             r.reported);
    PL_CHECK(r.write_result == -1,
             "expected the child's write() to return -1, got %zd: %s",
             r.write_result,
             r.write_result == 1
                 ? "the byte was written, so a read end was still open "
                   "somewhere. Close the read end before fork"
                 : "store what write() returned in the report");
    PL_CHECK(r.write_errno == EPIPE,
             "expected the child's write() to fail with EPIPE, got %s (%s): "
             "store errno right after the failed write(), before any other "
             "call changes it",
             pl_errno_name(r.write_errno), strerror(r.write_errno));
    PL_CHECK(after.sa_handler == before.sa_handler,
             "expected the caller's SIGPIPE action to stay as it was, but "
             "pp_write_without_reader changed it: only the child may "
             "ignore SIGPIPE, after fork");
}

/* --- Step 4 ------------------------------------------------------------ */

#define RECORD_WRITERS 4
#define RECORDS_EACH 64

PL_TEST(test_records_arrive_whole)
{
    size_t total = (size_t)RECORD_WRITERS * RECORDS_EACH * PP_RECORD_SIZE;
    /* Room for one record more than the writers send, so that the parent
     * stops only at end of file, not because out is full. */
    size_t room = total + PP_RECORD_SIZE;
    char *out = alloc_or_fail(room);
    int counts[RECORD_WRITERS] = {0};
    size_t torn = total;
    ssize_t got;
    int err;

    memset(out, 0, room);
    got = WATCHED_CALL("pp_gather_records",
                       pp_gather_records(RECORD_WRITERS, RECORDS_EACH, out,
                                         room));
    err = errno;
    for (size_t r = 0; got > 0 && r < (size_t)got / PP_RECORD_SIZE; r++) {
        const char *rec = out + r * PP_RECORD_SIZE;
        int w = rec[0] - 'A';

        /* Whole: one writer's letter, and each byte equal to the next. */
        if (w < 0 || w >= RECORD_WRITERS ||
            first_difference(rec, rec + 1, PP_RECORD_SIZE - 1) !=
                PP_RECORD_SIZE - 1) {
            torn = r;
            break;
        }
        counts[w]++;
    }
    free(out);

    PL_CHECK(got != -1,
             "expected pp_gather_records to return %zu, got -1 (errno %s, "
             "%s): %s",
             total, pl_errno_name(err), strerror(err), failure_hint(err));
    PL_CHECK(got == (ssize_t)total,
             "expected %d writers of %d records of %d bytes to deliver %zu "
             "bytes, got %zd: the parent must read until end of file, and "
             "each child must write all of its records",
             RECORD_WRITERS, RECORDS_EACH, PP_RECORD_SIZE, total, got);
    PL_CHECK(torn == total,
             "expected every record of %d bytes to arrive whole, but record "
             "%zu mixes the bytes of different writers or is not a record: "
             "a write() of up to PIPE_BUF bytes is added to the pipe in one "
             "piece, but only when the whole record goes in one write() "
             "call. Write each record with a single write() of "
             "PP_RECORD_SIZE bytes, and store the bytes in the order they "
             "arrive",
             PP_RECORD_SIZE, torn);
    for (int w = 0; w < RECORD_WRITERS; w++)
        PL_CHECK(counts[w] == RECORDS_EACH,
                 "expected %d records of '%c' from writer %d, got %d: child "
                 "w writes `records` records, all of bytes 'A' + w",
                 RECORDS_EACH, 'A' + w, w, counts[w]);
}

PL_TEST(test_pipe_fills_to_capacity)
{
    struct pp_capacity c = {-1, -1};
    int rc = WATCHED_CALL("pp_fill_pipe", pp_fill_pipe(&c));
    int err = errno;

    CHECK_RETURNED_ZERO("pp_fill_pipe", rc, err);
    PL_CHECK(c.reported >= 4096,
             "expected fcntl(F_GETPIPE_SZ) to report at least one page, "
             "4096 bytes, got %ld: store what fcntl(fd, F_GETPIPE_SZ) "
             "returns in c->reported",
             c.reported);
    PL_CHECK(c.filled == c.reported,
             "expected the pipe to take exactly its capacity of %ld bytes "
             "before write() failed with EAGAIN, got %ld: %s",
             c.reported, c.filled,
             c.filled < c.reported
                 ? "stop only when write() fails with EAGAIN, and add what "
                   "each write() returned"
                 : "add what each write() returned, not the size asked for, "
                   "and do not count the write() that failed");
}

/* --- Step 5 ------------------------------------------------------------ */

/* Where the filter's standard output goes while a test runs a pipeline. */
#define FILTER_OUTPUT "filter.out"

struct pipeline_run {
    int rc;
    int err;
    int producer_status;
    int filter_status;
    char output[256];  /* what the filter printed, first line */
    int stdio_changed; /* 1 when the caller's stdin or stdout moved */
};

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Run pp_pipeline() with the filter's standard output sent to a file, as
 * the test process's own stdout, and read back what the filter printed.
 */
static void run_pipeline(char *const producer[], char *const filter[],
                         struct pipeline_run *run)
{
    int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    int out = open(FILTER_OUTPUT, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
                   0600);
    struct stat in_before;
    struct stat in_after;
    struct stat out_after;
    struct stat file;
    ssize_t n;

    if (saved == -1 || out == -1 || dup2(out, STDOUT_FILENO) == -1)
        PL_FAIL("test setup: redirecting stdout to %s failed: %s (%s)",
                FILTER_OUTPUT, pl_errno_name(errno), strerror(errno));
    fstat(STDIN_FILENO, &in_before);
    fstat(out, &file);

    run->producer_status = -1;
    run->filter_status = -1;
    run->rc = WATCHED_CALL("pp_pipeline",
                           pp_pipeline(producer, filter,
                                       &run->producer_status,
                                       &run->filter_status));
    run->err = errno;

    run->stdio_changed = fstat(STDIN_FILENO, &in_after) != 0 ||
                         !same_file(&in_before, &in_after) ||
                         fstat(STDOUT_FILENO, &out_after) != 0 ||
                         !same_file(&file, &out_after);
    if (dup2(saved, STDOUT_FILENO) == -1)
        PL_FAIL("test cleanup: dup2(saved stdout) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    close(saved);
    n = pread(out, run->output, sizeof(run->output) - 1, 0);
    run->output[n > 0 ? n : 0] = '\0';
    run->output[strcspn(run->output, "\n")] = '\0';
    close(out);
}

/* Return a copy of the path of helper program name, for an argv. */
static char *helper(const char *name)
{
    char *path = strdup(pl_test_program(name));

    if (path == NULL)
        PL_FAIL("test setup: strdup() failed");
    return path;
}

/* Fail unless pp_pipeline() returned 0 and left stdin and stdout alone. */
static void check_pipeline_ran(const struct pipeline_run *run)
{
    CHECK_RETURNED_ZERO("pp_pipeline", run->rc, run->err);
    PL_CHECK(!run->stdio_changed,
             "expected the caller's standard input and output to be the "
             "same files after pp_pipeline returned, but one of them "
             "changed: call dup2() only in the children, never in the "
             "parent");
}

PL_TEST(test_pipeline_carries_8_mib)
{
    char bytes[32];
    char expected[128];
    char *produce = helper("produce");
    char *checksum = helper("checksum");
    char *producer[] = {produce, bytes, NULL};
    char *filter[] = {checksum, NULL};
    char *pattern = alloc_or_fail(BIG_BYTES);
    struct pipeline_run run;
    char how_producer[128];
    char how_filter[128];

    snprintf(bytes, sizeof(bytes), "%d", BIG_BYTES);
    pp_pattern_fill(pattern, 0, BIG_BYTES);
    snprintf(expected, sizeof(expected), "bytes %d checksum %016llx",
             BIG_BYTES,
             (unsigned long long)pp_checksum_add(PP_CHECKSUM_INIT, pattern,
                                                 BIG_BYTES));
    free(pattern);
    run_pipeline(producer, filter, &run);
    free(produce);
    free(checksum);

    check_pipeline_ran(&run);
    pl_describe_status(run.producer_status, how_producer,
                       sizeof(how_producer));
    pl_describe_status(run.filter_status, how_filter, sizeof(how_filter));
    PL_CHECK(WIFEXITED(run.producer_status) &&
                 WEXITSTATUS(run.producer_status) == 0,
             "expected the producer (produce %s) to exit with code 0, but "
             "it %s: *producer_status must be the status waitpid() stored "
             "for the producer's child. 127 means execvp() failed",
             bytes, how_producer);
    PL_CHECK(WIFEXITED(run.filter_status) &&
                 WEXITSTATUS(run.filter_status) == 0,
             "expected the filter (checksum) to exit with code 0, but it %s: "
             "*filter_status must be the status waitpid() stored for the "
             "filter's child",
             how_filter);
    PL_CHECK(strcmp(run.output, expected) == 0,
             "expected the filter to print \"%s\", got \"%s\": the filter "
             "prints what it read on its standard input. Its standard input "
             "must be the pipe's read end (dup2() in the filter's child), "
             "the producer's standard output its write end, and the "
             "filter's standard output the caller's",
             expected, run.output);
}

PL_TEST(test_pipeline_producer_gets_sigpipe)
{
    char bytes[32];
    char *produce = helper("produce");
    char *take = helper("take");
    char *producer[] = {produce, bytes, NULL};
    char *filter[] = {take, "100", NULL};
    struct pipeline_run run;
    char how_producer[128];
    char how_filter[128];

    snprintf(bytes, sizeof(bytes), "%d", BIG_BYTES);
    run_pipeline(producer, filter, &run);
    free(produce);
    free(take);

    check_pipeline_ran(&run);
    pl_describe_status(run.producer_status, how_producer,
                       sizeof(how_producer));
    pl_describe_status(run.filter_status, how_filter, sizeof(how_filter));
    PL_CHECK(WIFEXITED(run.filter_status) &&
                 WEXITSTATUS(run.filter_status) == 0,
             "expected the filter (take 100) to exit with code 0, but it %s",
             how_filter);
    PL_CHECK(strcmp(run.output, "took 100") == 0,
             "expected the filter to print \"took 100\", got \"%s\": it "
             "reads 100 bytes from its standard input, which must be the "
             "pipe's read end",
             run.output);
    PL_CHECK(WIFSIGNALED(run.producer_status) &&
                 WTERMSIG(run.producer_status) == SIGPIPE,
             "expected the producer (produce %s) to be killed by SIGPIPE "
             "once the filter had exited, but it %s: as in \"yes | head\", "
             "a producer gets SIGPIPE when no process holds the pipe's read "
             "end any more, so the parent and the producer must close "
             "theirs",
             bytes, how_producer);
}

PL_TEST(test_pipeline_exec_failure_is_127)
{
    char *checksum = helper("checksum");
    char *missing[] = {"./no-such-program", NULL};
    char *filter[] = {checksum, NULL};
    struct pipeline_run run;
    char how_producer[128];
    char how_filter[128];

    run_pipeline(missing, filter, &run);
    free(checksum);

    check_pipeline_ran(&run);
    pl_describe_status(run.producer_status, how_producer,
                       sizeof(how_producer));
    pl_describe_status(run.filter_status, how_filter, sizeof(how_filter));
    PL_CHECK(WIFEXITED(run.producer_status) &&
                 WEXITSTATUS(run.producer_status) == 127,
             "expected a producer that cannot be run (./no-such-program) to "
             "exit with code 127, as in a shell, but it %s: after a failed "
             "execvp(), print why and call _exit(127)",
             how_producer);
    PL_CHECK(WIFEXITED(run.filter_status) &&
                 WEXITSTATUS(run.filter_status) == 0,
             "expected the filter (checksum) to exit with code 0 after an "
             "empty input, but it %s",
             how_filter);
    PL_CHECK(strcmp(run.output, "bytes 0 checksum cbf29ce484222325") == 0,
             "expected the filter to see end of file at once and print "
             "\"bytes 0 checksum cbf29ce484222325\", got \"%s\"",
             run.output);
}

static const struct pl_test_case tests[] = {
    {&test_upcase_round_trip,
     "the child sends the text back upper-cased through a second pipe", 3,
     "Step 1", TIMEOUT_S},
    {&test_small_data_reaches_child,
     "an empty and a small message reach the child whole", 1, "Step 2",
     TIMEOUT_S},
    {&test_8_mib_reach_child_whole,
     "8 MiB reach the child byte for byte", 3, "Step 2", TIMEOUT_S},
    {&test_sigpipe_kills_writer,
     "a write to a pipe with no reader kills the writer with SIGPIPE", 2,
     "Step 3", TIMEOUT_S},
    {&test_ignored_sigpipe_gives_epipe,
     "with SIGPIPE ignored the write fails with EPIPE", 2, "Step 3",
     TIMEOUT_S},
    {&test_records_arrive_whole,
     "records of PIPE_BUF bytes from several writers arrive whole", 3,
     "Step 4", TIMEOUT_S},
    {&test_pipe_fills_to_capacity,
     "a pipe takes F_GETPIPE_SZ bytes before a write would block", 2,
     "Step 4", TIMEOUT_S},
    {&test_pipeline_carries_8_mib,
     "the pipeline carries 8 MiB byte for byte", 4, "Step 5", TIMEOUT_S},
    {&test_pipeline_producer_gets_sigpipe,
     "a producer whose filter exits early gets SIGPIPE", 2, "Step 5",
     TIMEOUT_S},
    {&test_pipeline_exec_failure_is_127,
     "a program that cannot be run exits with code 127", 1, "Step 5",
     TIMEOUT_S},
};

PL_LAB("03-pipes", tests)
