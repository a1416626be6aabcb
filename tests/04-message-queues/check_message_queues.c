/*
 * check_message_queues.c - graded tests for Lab 04: POSIX message queues.
 *
 * Each test calls functions from labs/04-message-queues/message_queues.c
 * on queues named by pl_test_ipc_name(), and checks them against what
 * POSIX and Linux guarantee: the attributes a queue gets, the order of
 * priorities, EAGAIN on a non-blocking descriptor, and the limits in
 * /proc/sys/fs/mqueue. The tests read those limits first and request
 * less, except where a test requests one more on purpose.
 *
 * A queue the tests create for themselves is unlinked as soon as it
 * exists, so only its descriptor keeps it alive. The harness removes any
 * queue still under a test's names afterwards and fails the test that
 * left it, and it fails a test that leaves a descriptor open or a child
 * unreaped.
 *
 * A lab function that blocks where it should not would hang until the
 * test's deadline. The watchdog below fails such a test earlier, with a
 * message that names the call that blocked and the likely cause.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "message_queues.h"
#include "pl_test.h"
#include "proclab.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

#define TIMEOUT_S 5.0
/* How long a lab function may take before the watchdog fails the test;
 * the reference solution takes a few milliseconds. */
#define WATCHDOG_S 3.0

/*
 * The smallest limits the tests need. Linux allows msg_max as low as 1,
 * and its default is 10; msgsize_max is at least 128.
 */
#define NEEDED_MSG_MAX 4
#define NEEDED_MSGSIZE_MAX 128

/* The caller's buffer for mql_receive(), smaller than every queue's
 * mq_msgsize in these tests. */
#define TEXT_SIZE 32
/* mq_msgsize of the Step 2 and Step 3 queues, unless the limit is lower. */
#define TEXT_MSGSIZE 256

/* Room for captured stderr, and for one line of it in a message. */
#define CAPTURE_MAX 2048
#define QUOTED_MAX 300

/* A job input that makes a Step 4 test's work function act. */
#define SPECIAL_INPUT 666

/* --- system limits --------------------------------------------------- */

static long read_proc_number(const char *path)
{
    FILE *f = fopen(path, "r");
    long value;
    int fields;

    if (f == NULL)
        PL_FAIL("test setup: cannot open %s: %s (%s)", path,
                pl_errno_name(errno), strerror(errno));
    fields = fscanf(f, "%ld", &value);
    fclose(f);
    if (fields != 1)
        PL_FAIL("test setup: %s does not contain a number", path);
    return value;
}

/*
 * Read the limits the kernel applies to this test, and fail with a clear
 * message when they are too low for the tests to mean anything.
 */
static struct mql_limits system_limits(void)
{
    struct mql_limits limits;

    limits.msg_max = read_proc_number("/proc/sys/fs/mqueue/msg_max");
    limits.msgsize_max = read_proc_number("/proc/sys/fs/mqueue/msgsize_max");
    if (limits.msg_max < NEEDED_MSG_MAX)
        PL_FAIL("test setup: this system's /proc/sys/fs/mqueue/msg_max is "
                "%ld, below the %d messages per queue the tests need. Raise "
                "it (sysctl fs.mqueue.msg_max=10 restores the default) or "
                "grade as root, which gives the tests an IPC namespace with "
                "the default limits",
                limits.msg_max, NEEDED_MSG_MAX);
    if (limits.msgsize_max < NEEDED_MSGSIZE_MAX)
        PL_FAIL("test setup: this system's /proc/sys/fs/mqueue/msgsize_max "
                "is %ld, below the %d bytes the tests need",
                limits.msgsize_max, NEEDED_MSGSIZE_MAX);
    return limits;
}

static long at_most(long requested, long limit)
{
    return requested < limit ? requested : limit;
}

/* Whether this process may go above msg_max (CAP_SYS_RESOURCE). */
static int has_sys_resource(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "CapEff: %llx", &caps) == 1)
            break;
    fclose(f);
    return (caps >> CAP_SYS_RESOURCE) & 1;
}

/* --- watchdog -------------------------------------------------------- */

static char watchdog_message[1024];

static void watchdog_fired(int sig)
{
    (void)sig;
    PL_FAIL("%s", watchdog_message);
}

/*
 * Fail the test unless disarm_watchdog() runs within WATCHDOG_S seconds
 * (times the grader's scale). The message is what to print then.
 */
static void arm_watchdog(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void arm_watchdog(const char *fmt, ...)
{
    double seconds = WATCHDOG_S * pl_test_scale();
    struct itimerval timer;
    struct sigaction sa;
    int used;
    va_list ap;

    used = snprintf(watchdog_message, sizeof(watchdog_message),
                    "stopped after %.1f s: ", seconds);
    va_start(ap, fmt);
    vsnprintf(watchdog_message + used, sizeof(watchdog_message) - used, fmt,
              ap);
    va_end(ap);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = watchdog_fired;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) == -1)
        PL_FAIL("test setup: sigaction(SIGALRM) failed: %s",
                pl_errno_name(errno));
    memset(&timer, 0, sizeof(timer));
    timer.it_value.tv_sec = (time_t)seconds;
    timer.it_value.tv_usec =
        (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
    if (setitimer(ITIMER_REAL, &timer, NULL) == -1)
        PL_FAIL("test setup: setitimer() failed: %s", pl_errno_name(errno));
}

static void disarm_watchdog(void)
{
    struct itimerval off;

    memset(&off, 0, sizeof(off));
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
}

/* --- queues the tests make themselves ---------------------------------- */

/* Create a queue and unlink its name at once. */
static mqd_t open_test_queue(const char *name, long maxmsg, long msgsize,
                             int flags)
{
    struct mq_attr attr;
    mqd_t q;

    memset(&attr, 0, sizeof(attr));
    attr.mq_maxmsg = maxmsg;
    attr.mq_msgsize = msgsize;
    q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | flags, 0600, &attr);
    if (q == (mqd_t)-1)
        PL_FAIL("test setup: mq_open(%s, mq_maxmsg %ld, mq_msgsize %ld) "
                "failed: %s (%s)",
                name, maxmsg, msgsize, pl_errno_name(errno), strerror(errno));
    if (mq_unlink(name) == -1)
        PL_FAIL("test setup: mq_unlink(%s) failed: %s", name,
                pl_errno_name(errno));
    return q;
}

static void close_test_queue(mqd_t q)
{
    if (mq_close(q) == -1)
        PL_FAIL("test cleanup: mq_close(%d) failed: %s", (int)q,
                pl_errno_name(errno));
}

static struct mq_attr queue_attr(mqd_t q)
{
    struct mq_attr attr;

    if (mq_getattr(q, &attr) == -1)
        PL_FAIL("mq_getattr() on the descriptor failed: %s (%s); was it "
                "closed by the lab function?",
                pl_errno_name(errno), strerror(errno));
    return attr;
}

/* Return 1 when a queue called name exists, 0 when none does. */
static int queue_exists(const char *name)
{
    mqd_t q = mq_open(name, O_RDONLY);

    if (q != (mqd_t)-1) {
        close_test_queue(q);
        return 1;
    }
    if (errno != ENOENT)
        PL_FAIL("mq_open(%s, O_RDONLY) failed: %s (%s)", name,
                pl_errno_name(errno), strerror(errno));
    return 0;
}

/* Unlink name if it exists; a test that created it removes it. */
static void remove_queue(const char *name)
{
    if (mq_unlink(name) == -1 && errno != ENOENT)
        PL_FAIL("test cleanup: mq_unlink(%s) failed: %s", name,
                pl_errno_name(errno));
}

/* --- what a lab function prints on stderr ------------------------------ */

struct capture {
    int saved_stderr;
    int fd;
};

/* Send stderr to a file in the test's directory until capture_end(). */
static void capture_begin(struct capture *c)
{
    fflush(stderr);
    c->saved_stderr = dup(STDERR_FILENO);
    c->fd = open("stderr.txt", O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
    if (c->saved_stderr == -1 || c->fd == -1 ||
        dup2(c->fd, STDERR_FILENO) == -1)
        PL_FAIL("test setup: cannot capture stderr: %s", pl_errno_name(errno));
}

/* Restore stderr and store the first line printed, NUL-terminated. */
static void capture_end(struct capture *c, char *text, size_t size)
{
    ssize_t len;
    char *newline;

    fflush(stderr);
    if (dup2(c->saved_stderr, STDERR_FILENO) == -1)
        PL_FAIL("test cleanup: cannot restore stderr: %s",
                pl_errno_name(errno));
    len = pread(c->fd, text, size - 1, 0);
    text[len > 0 ? len : 0] = '\0';
    newline = strchr(text, '\n');
    if (newline)
        *newline = '\0';
    if (strlen(text) > QUOTED_MAX)
        strcpy(text + QUOTED_MAX - 3, "...");
    close(c->fd);
    close(c->saved_stderr);
}

/* Whether text contains number as a whole decimal number. */
static int contains_number(const char *text, long number)
{
    char digits[32];
    size_t len = (size_t)snprintf(digits, sizeof(digits), "%ld", number);

    for (const char *p = strstr(text, digits); p; p = strstr(p + 1, digits)) {
        int before = p > text && p[-1] >= '0' && p[-1] <= '9';
        int after = p[len] >= '0' && p[len] <= '9';

        if (!before && !after)
            return 1;
    }
    return 0;
}

/* --- hints ------------------------------------------------------------- */

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EMSGSIZE:
        return "mq_receive() rejects a buffer shorter than the queue's "
               "mq_msgsize, however short the message: read mq_msgsize "
               "with mq_getattr() and receive into a buffer that large";
    case EAGAIN:
        return "a queue was full or empty on a non-blocking descriptor, "
               "which it should not be here";
    case EBADF:
        return "the descriptor was not open for that direction or was "
               "already closed: open queues with O_RDWR, and close each "
               "descriptor once";
    case EEXIST:
        return "a queue with that name already existed: did the function "
               "create the same queue twice?";
    case EINVAL:
        return "the arguments are valid and inside the system's limits "
               "here: does the function pass them to mq_open() unchanged?";
    default:
        return "a call inside the function failed";
    }
}

/* --- Step 2 messages ----------------------------------------------------- */

/* Priorities in sending order: repeats check the FIFO order within one. */
static const struct {
    const char *text;
    unsigned int priority;
} mix[] = {
    {"alpha", 2}, {"bravo", 7},    {"charlie", 2}, {"delta", 0},
    {"echo", 7},  {"foxtrot", 31}, {"golf", 0},    {"hotel", 2},
};
#define MIX_COUNT (int)(sizeof(mix) / sizeof(mix[0]))

/*
 * Store in order[] the indexes of the first count entries of priorities
 * in the order a queue hands them out: highest priority first, and in
 * sending order within one priority.
 */
static void expected_order(const unsigned int *priorities, int count,
                           int *order)
{
    for (int i = 0; i < count; i++) {
        int j = i;

        /* Insertion sort is stable: equal priorities keep their order. */
        while (j > 0 && priorities[order[j - 1]] < priorities[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

static void mix_order(int count, int *order)
{
    unsigned int priorities[MIX_COUNT];

    for (int i = 0; i < count; i++)
        priorities[i] = mix[i].priority;
    expected_order(priorities, count, order);
}

/* --- Step 1 -------------------------------------------------------------- */

PL_TEST(test_read_limits_match_proc)
{
    struct mql_limits want = system_limits();
    struct mql_limits got = {UNSET, UNSET};
    int rc = mql_read_limits(&got);
    int err = errno;

    PL_CHECK(rc == 0,
             "expected mql_read_limits to return 0, got %d (errno %s, %s): "
             "%s",
             rc, pl_errno_name(err), strerror(err), failure_hint(err));
    PL_CHECK(got.msg_max == want.msg_max,
             "expected limits->msg_max == %ld, the number in "
             "/proc/sys/fs/mqueue/msg_max, got %ld: read the number from "
             "that file",
             want.msg_max, got.msg_max);
    PL_CHECK(got.msgsize_max == want.msgsize_max,
             "expected limits->msgsize_max == %ld, the number in "
             "/proc/sys/fs/mqueue/msgsize_max, got %ld: read the number "
             "from that file",
             want.msgsize_max, got.msgsize_max);
}

PL_TEST(test_create_sets_attributes)
{
    struct mql_limits limits = system_limits();
    long maxmsg = at_most(3, limits.msg_max);
    long msgsize = at_most(200, limits.msgsize_max);
    const char *name = pl_test_ipc_name("created");
    const char *nonblocking_name = pl_test_ipc_name("nonblocking");
    struct mq_attr attr, nonblocking_attr;
    struct capture capture;
    char printed[CAPTURE_MAX];
    mqd_t q, nonblocking, again;
    int err, exists, again_err;

    q = mql_create(name, maxmsg, msgsize, 0);
    err = errno;
    PL_CHECK(q != (mqd_t)-1,
             "expected mql_create(\"%s\", %ld, %ld, 0) to return a "
             "descriptor, got -1 (errno %s, %s): %s",
             name, maxmsg, msgsize, pl_errno_name(err), strerror(err),
             failure_hint(err));
    attr = queue_attr(q);
    exists = queue_exists(name);
    capture_begin(&capture);
    again = mql_create(name, maxmsg, msgsize, 0);
    again_err = errno;
    capture_end(&capture, printed, sizeof(printed));
    if (again != (mqd_t)-1)
        close_test_queue(again);
    close_test_queue(q);
    remove_queue(name);

    PL_CHECK(attr.mq_maxmsg == maxmsg,
             "expected mq_maxmsg %ld, got %ld: pass a struct mq_attr with "
             "mq_maxmsg and mq_msgsize to mq_open(). Without one a queue "
             "gets the defaults from /proc/sys/fs/mqueue/msg_default and "
             "msgsize_default",
             maxmsg, attr.mq_maxmsg);
    PL_CHECK(attr.mq_msgsize == msgsize,
             "expected mq_msgsize %ld, got %ld: pass a struct mq_attr with "
             "mq_maxmsg and mq_msgsize to mq_open()",
             msgsize, attr.mq_msgsize);
    PL_CHECK((attr.mq_flags & O_NONBLOCK) == 0,
             "expected a blocking descriptor for nonblock == 0, but "
             "O_NONBLOCK is set: add O_NONBLOCK to the open flags only when "
             "nonblock is not 0");
    PL_CHECK(attr.mq_curmsgs == 0,
             "expected a new queue to hold no message, got mq_curmsgs %ld: "
             "was an older queue opened instead of a new one?",
             attr.mq_curmsgs);
    PL_CHECK(exists,
             "expected the queue to exist under the name %s after "
             "mql_create returned, but mq_open(name, O_RDONLY) failed with "
             "ENOENT: mql_create must leave the name for the caller to "
             "unlink",
             name);
    PL_CHECK(again == (mqd_t)-1,
             "expected a second mql_create(\"%s\") to fail while the queue "
             "exists, but it returned a descriptor: add O_EXCL to O_CREAT "
             "so that an older queue, with other sizes and old messages, is "
             "never reused",
             name);
    PL_CHECK(again_err == EEXIST,
             "expected a second mql_create(\"%s\") to fail with EEXIST, got "
             "%s (%s): %s",
             name, pl_errno_name(again_err), strerror(again_err),
             again_err == ENOSYS ? "is it still the starter stub?"
                                 : "leave errno as mq_open() set it");
    PL_CHECK(strstr(printed, name) != NULL,
             "expected mql_create to print a line on stderr naming the queue "
             "%s when mq_open() fails, got \"%s\"",
             name, printed);
    PL_CHECK(strstr(printed, "EEXIST") != NULL ||
                 strstr(printed, strerror(EEXIST)) != NULL,
             "expected the line mql_create printed to name the error, "
             "EEXIST or \"%s\", got \"%s\": print pl_errno_name(errno) or "
             "strerror(errno)",
             strerror(EEXIST), printed);

    nonblocking = mql_create(nonblocking_name, maxmsg, msgsize, 1);
    err = errno;
    PL_CHECK(nonblocking != (mqd_t)-1,
             "expected mql_create(\"%s\", %ld, %ld, 1) to return a "
             "descriptor, got -1 (errno %s, %s): %s",
             nonblocking_name, maxmsg, msgsize, pl_errno_name(err),
             strerror(err), failure_hint(err));
    nonblocking_attr = queue_attr(nonblocking);
    close_test_queue(nonblocking);
    remove_queue(nonblocking_name);
    PL_CHECK(nonblocking_attr.mq_flags & O_NONBLOCK,
             "expected O_NONBLOCK in mq_flags for nonblock == 1, got "
             "mq_flags %ld: add O_NONBLOCK to the flags of mq_open()",
             nonblocking_attr.mq_flags);
}

/*
 * Ask mql_create for a queue with one more than a limit allows, and check
 * that it fails with EINVAL, creates nothing, and names the limit on
 * stderr.
 */
static void check_limit_reported(const char *name, long maxmsg, long msgsize,
                                 const char *limit_name, long limit)
{
    struct capture capture;
    char printed[CAPTURE_MAX];
    mqd_t q;
    int err;

    capture_begin(&capture);
    q = mql_create(name, maxmsg, msgsize, 0);
    err = errno;
    capture_end(&capture, printed, sizeof(printed));
    if (q != (mqd_t)-1) {
        close_test_queue(q);
        remove_queue(name);
        PL_FAIL("expected mql_create(\"%s\", %ld, %ld, 0) to fail with "
                "EINVAL, one above %s %ld, but it created the queue: %s",
                name, maxmsg, msgsize, limit_name, limit,
                has_sys_resource()
                    ? "this test process has CAP_SYS_RESOURCE, which lifts "
                      "the limit. Grade as an ordinary user, or as root, "
                      "which runs the tests without that capability"
                    : "does the function change the sizes it was given?");
    }
    PL_CHECK(err == EINVAL,
             "expected mql_create(\"%s\", %ld, %ld, 0) to fail with EINVAL, "
             "one above %s %ld, got %s (%s): %s",
             name, maxmsg, msgsize, limit_name, limit, pl_errno_name(err),
             strerror(err),
             err == ENOSYS ? "is it still the starter stub?"
                           : "keep the errno of mq_open(): save it before "
                             "printing, because stdio calls may change it");
    PL_CHECK(strstr(printed, limit_name) != NULL,
             "expected mql_create to print a line on stderr naming the "
             "limit %s, got \"%s\": when mq_open() fails with EINVAL, read "
             "the limits with mql_read_limits() and say which one the "
             "request exceeded",
             limit_name, printed);
    PL_CHECK(contains_number(printed, limit),
             "expected the line mql_create printed to give the value of %s, "
             "%ld, got \"%s\"",
             limit_name, limit, printed);
    PL_CHECK(!queue_exists(name),
             "expected no queue called %s after mql_create failed, but one "
             "exists: did the function create the queue another way after "
             "mq_open() failed?",
             name);
}

PL_TEST(test_create_reports_limit)
{
    struct mql_limits limits = system_limits();

    check_limit_reported(pl_test_ipc_name("too-many"), limits.msg_max + 1,
                         NEEDED_MSGSIZE_MAX, "msg_max", limits.msg_max);
    check_limit_reported(pl_test_ipc_name("too-large"), 1,
                         limits.msgsize_max + 1, "msgsize_max",
                         limits.msgsize_max);
}

/* --- Step 2 -------------------------------------------------------------- */

PL_TEST(test_receive_highest_priority_first)
{
    struct mql_limits limits = system_limits();
    int count = (int)at_most(MIX_COUNT, limits.msg_max);
    long msgsize = at_most(TEXT_MSGSIZE, limits.msgsize_max);
    mqd_t q =
        open_test_queue(pl_test_ipc_name("priorities"), count, msgsize, 0);
    int order[MIX_COUNT];
    char long_text[100];
    char text[TEXT_SIZE];
    unsigned int priority;
    ssize_t len;
    int err;

    for (int i = 0; i < count; i++)
        if (mq_send(q, mix[i].text, strlen(mix[i].text), mix[i].priority) == -1)
            PL_FAIL("test setup: mq_send() failed: %s", pl_errno_name(errno));
    mix_order(count, order);

    arm_watchdog("mql_receive had not returned, although messages were "
                 "waiting. Does it receive more than one message per call?");
    for (int i = 0; i < count; i++) {
        const char *want = mix[order[i]].text;

        memset(text, '#', sizeof(text));
        priority = UNSET;
        len = mql_receive(q, text, sizeof(text), &priority);
        err = errno;
        PL_CHECK(len >= 0,
                 "expected mql_receive to return the length of message %d, "
                 "got -1 (errno %s, %s): %s",
                 i + 1, pl_errno_name(err), strerror(err), failure_hint(err));
        PL_CHECK(memchr(text, '\0', sizeof(text)) != NULL,
                 "expected mql_receive to end the text with a NUL, but "
                 "none of the %zu bytes of the buffer is one: the message "
                 "itself carries no NUL",
                 sizeof(text));
        PL_CHECK(strcmp(text, want) == 0,
                 "expected message %d to be \"%s\" (priority %u), got "
                 "\"%s\": the test sent %d messages with priorities 2 7 2 0 "
                 "7 31 0 2, and a queue hands out the highest priority "
                 "first, in sending order within one priority",
                 i + 1, want, mix[order[i]].priority, text, count);
        PL_CHECK(len == (ssize_t)strlen(want),
                 "expected mql_receive to return %zu, the length of \"%s\", "
                 "got %zd: return what mq_receive() returned",
                 strlen(want), want, len);
        PL_CHECK(priority == mix[order[i]].priority,
                 "expected *priority == %u for \"%s\", got %u: pass priority "
                 "to mq_receive(), which stores the message's priority there",
                 mix[order[i]].priority, want, priority);
    }

    memset(long_text, 'x', sizeof(long_text));
    if (mq_send(q, long_text, sizeof(long_text), 0) == -1)
        PL_FAIL("test setup: mq_send() failed: %s", pl_errno_name(errno));
    len = mql_receive(q, text, sizeof(text), NULL);
    err = errno;
    disarm_watchdog();
    close_test_queue(q);
    PL_CHECK(len == -1,
             "expected mql_receive to return -1 for a message of %zu bytes "
             "and a buffer of %d, got %zd: check that the message and its "
             "NUL fit before copying",
             sizeof(long_text), TEXT_SIZE, len);
    PL_CHECK(err == EMSGSIZE,
             "expected errno EMSGSIZE for a message of %zu bytes and a "
             "buffer of %d, got %s (%s)",
             sizeof(long_text), TEXT_SIZE, pl_errno_name(err), strerror(err));
}

PL_TEST(test_send_keeps_text_and_priority)
{
    struct mql_limits limits = system_limits();
    int count = (int)at_most(MIX_COUNT, limits.msg_max);
    long msgsize = at_most(TEXT_MSGSIZE, limits.msgsize_max);
    mqd_t q =
        open_test_queue(pl_test_ipc_name("sent"), count, msgsize, O_NONBLOCK);
    char *buf = malloc((size_t)msgsize);
    int order[MIX_COUNT];
    long queued;

    if (buf == NULL)
        PL_FAIL("test setup: malloc(%ld) failed", msgsize);
    arm_watchdog("mql_send had not returned, although the queue has room "
                 "for every message the test sends. Does it send more than "
                 "one message per call?");
    for (int i = 0; i < count; i++) {
        int rc = mql_send(q, mix[i].text, mix[i].priority);
        int err = errno;

        PL_CHECK(rc == 0,
                 "expected mql_send(\"%s\", %u) to return 0, got %d (errno "
                 "%s, %s): %s",
                 mix[i].text, mix[i].priority, rc, pl_errno_name(err),
                 strerror(err), failure_hint(err));
    }
    disarm_watchdog();
    queued = queue_attr(q).mq_curmsgs;
    PL_CHECK(queued == count,
             "expected %d messages in the queue after %d calls of mql_send, "
             "got %ld: each call sends exactly one message",
             count, count, queued);

    mix_order(count, order);
    for (int i = 0; i < count; i++) {
        const char *want = mix[order[i]].text;
        unsigned int priority;
        ssize_t len = mq_receive(q, buf, (size_t)msgsize, &priority);

        PL_CHECK(len >= 0, "test: mq_receive() failed: %s",
                 pl_errno_name(errno));
        PL_CHECK(len == (ssize_t)strlen(want),
                 "expected a message of %zu bytes for \"%s\", got %zd bytes: "
                 "send strlen(text) bytes, without the NUL",
                 strlen(want), want, len);
        PL_CHECK(memcmp(buf, want, strlen(want)) == 0,
                 "expected message %d to be \"%s\", got \"%.*s\": the queue "
                 "hands out the highest priority first, so a wrong text here "
                 "usually means a wrong priority was sent",
                 i + 1, want, (int)len, buf);
        PL_CHECK(priority == mix[order[i]].priority,
                 "expected \"%s\" to arrive with priority %u, got %u: pass "
                 "the priority to mq_send()",
                 want, mix[order[i]].priority, priority);
    }
    free(buf);
    close_test_queue(q);
}

/* --- Step 3 -------------------------------------------------------------- */

PL_TEST(test_nonblocking_returns_eagain)
{
    struct mql_limits limits = system_limits();
    long maxmsg = at_most(3, limits.msg_max);
    long msgsize = at_most(TEXT_MSGSIZE, limits.msgsize_max);
    mqd_t q = open_test_queue(pl_test_ipc_name("nonblocking"), maxmsg, msgsize,
                              O_NONBLOCK);
    char text[TEXT_SIZE];
    ssize_t len;
    long queued;
    int rc, receive_err, send_err;

    arm_watchdog("a call on a non-blocking descriptor had not returned. "
                 "Does the function retry after EAGAIN? Return -1 and leave "
                 "errno EAGAIN for the caller");
    errno = 0;
    len = mql_receive(q, text, sizeof(text), NULL);
    receive_err = errno;
    for (long i = 0; i < maxmsg; i++)
        if (mq_send(q, "full", 4, 1) == -1)
            PL_FAIL("test setup: mq_send() failed: %s", pl_errno_name(errno));
    errno = 0;
    rc = mql_send(q, "one too many", 1);
    send_err = errno;
    disarm_watchdog();
    queued = queue_attr(q).mq_curmsgs;
    close_test_queue(q);

    PL_CHECK(len == -1,
             "expected mql_receive on an empty non-blocking queue to return "
             "-1, got %zd",
             len);
    PL_CHECK(receive_err == EAGAIN,
             "expected mql_receive on an empty non-blocking queue to fail "
             "with EAGAIN, got %s (%s): %s",
             pl_errno_name(receive_err), strerror(receive_err),
             receive_err == ENOSYS || receive_err == EMSGSIZE
                 ? failure_hint(receive_err)
                 : "leave errno as mq_receive() set it, and keep later "
                   "calls (free, printf) from changing it");
    PL_CHECK(rc == -1,
             "expected mql_send on a full non-blocking queue to return -1, "
             "got %d",
             rc);
    PL_CHECK(send_err == EAGAIN,
             "expected mql_send on a full non-blocking queue to fail with "
             "EAGAIN, got %s (%s): %s",
             pl_errno_name(send_err), strerror(send_err),
             send_err == ENOSYS ? "is it still the starter stub?"
                                : "leave errno as mq_send() set it");
    PL_CHECK(queued == maxmsg,
             "expected the full queue to still hold %ld messages, got %ld: "
             "a failed send must not remove messages",
             maxmsg, queued);
}

/* Check that mql_fill and mql_drain leave q's flags as they found them. */
static void check_fill_and_drain(mqd_t q, long maxmsg, long flags)
{
    const char *mode = flags & O_NONBLOCK ? "non-blocking" : "blocking";
    long before = flags & O_NONBLOCK ? 0 : 1;
    struct mq_attr filled, drained;
    int sent, received, fill_err, drain_err;

    for (long i = 0; i < before; i++)
        if (mq_send(q, "early", 5, 3) == -1)
            PL_FAIL("test setup: mq_send() failed: %s", pl_errno_name(errno));

    arm_watchdog("mql_fill had not returned on a %s queue with room for %ld "
                 "messages. %s",
                 mode, maxmsg,
                 flags & O_NONBLOCK
                     ? "Does it retry after EAGAIN instead of stopping?"
                     : "On a full blocking queue mq_send() waits for a "
                       "receiver that never comes: turn O_NONBLOCK on with "
                       "mq_setattr() first, and stop at EAGAIN");
    sent = mql_fill(q, "fill");
    fill_err = errno;
    disarm_watchdog();
    filled = queue_attr(q);
    PL_CHECK(sent == maxmsg - before,
             "expected mql_fill on a %s queue of %ld slots holding %ld "
             "message%s to return %ld, got %d (errno %s): %s",
             mode, maxmsg, before, before == 1 ? "" : "s", maxmsg - before,
             sent, pl_errno_name(fill_err),
             sent < 0 ? failure_hint(fill_err)
                      : "count each successful mq_send(), and stop at the "
                        "first EAGAIN");
    PL_CHECK(filled.mq_curmsgs == maxmsg,
             "expected the queue to be full (%ld messages) after mql_fill, "
             "got %ld",
             maxmsg, filled.mq_curmsgs);
    PL_CHECK((filled.mq_flags & O_NONBLOCK) == flags,
             "expected the descriptor to be %s again after mql_fill, as it "
             "was before, but O_NONBLOCK is %s: keep the old attributes "
             "that mq_setattr() stores, and set them back before returning",
             mode, filled.mq_flags & O_NONBLOCK ? "set" : "clear");

    arm_watchdog("mql_drain had not returned on a %s queue holding %ld "
                 "messages. %s",
                 mode, maxmsg,
                 flags & O_NONBLOCK
                     ? "Does it retry after EAGAIN instead of stopping?"
                     : "On an empty blocking queue mq_receive() waits for a "
                       "sender that never comes: turn O_NONBLOCK on with "
                       "mq_setattr() first, and stop at EAGAIN");
    received = mql_drain(q);
    drain_err = errno;
    disarm_watchdog();
    drained = queue_attr(q);
    PL_CHECK(received == maxmsg,
             "expected mql_drain on a %s queue holding %ld messages to "
             "return %ld, got %d (errno %s): %s",
             mode, maxmsg, maxmsg, received, pl_errno_name(drain_err),
             received < 0 ? failure_hint(drain_err)
                          : "count each successful mq_receive(), and stop "
                            "at the first EAGAIN");
    PL_CHECK(drained.mq_curmsgs == 0,
             "expected the queue to be empty after mql_drain, got %ld "
             "messages",
             drained.mq_curmsgs);
    PL_CHECK((drained.mq_flags & O_NONBLOCK) == flags,
             "expected the descriptor to be %s again after mql_drain, as it "
             "was before, but O_NONBLOCK is %s: keep the old attributes "
             "that mq_setattr() stores, and set them back before returning",
             mode, drained.mq_flags & O_NONBLOCK ? "set" : "clear");
}

PL_TEST(test_fill_drain_restore_mode)
{
    struct mql_limits limits = system_limits();
    long maxmsg = at_most(5, limits.msg_max);
    long msgsize = at_most(TEXT_MSGSIZE, limits.msgsize_max);
    mqd_t blocking =
        open_test_queue(pl_test_ipc_name("blocking"), maxmsg, msgsize, 0);
    mqd_t nonblocking = open_test_queue(pl_test_ipc_name("nonblocking"), maxmsg,
                                        msgsize, O_NONBLOCK);

    check_fill_and_drain(blocking, maxmsg, 0);
    check_fill_and_drain(nonblocking, maxmsg, O_NONBLOCK);
    close_test_queue(blocking);
    close_test_queue(nonblocking);
}

/* --- Step 4 -------------------------------------------------------------- */

/* Job priorities in sending order; the last is the only lowest one. */
static const unsigned int job_priorities[] = {5, 9, 5, 1, 9, 20, 1, 5, 0};
#define JOB_COUNT (int)(sizeof(job_priorities) / sizeof(job_priorities[0]))

static long times_three_plus_one(long input)
{
    return 3 * input + 1;
}

/* The process that calls mql_run_pool, for the work functions below. */
static pid_t pool_pid;

/*
 * Work that kills its own worker on SPECIAL_INPUT, as a crash would. Work
 * done by the caller itself is never killed, because that would end the
 * test, and check_each_job_once() reports it instead.
 */
static long crash_on_special(long input)
{
    if (input == SPECIAL_INPUT && getpid() != pool_pid)
        kill(getpid(), SIGKILL);
    return times_three_plus_one(input);
}

/* Work that kills the process running mql_run_pool on SPECIAL_INPUT. */
static long kill_pool_on_special(long input)
{
    if (input == SPECIAL_INPUT)
        kill(pool_pid, SIGKILL);
    return times_three_plus_one(input);
}

/*
 * Fill jobs with the first count priorities of job_priorities, ids from
 * 100 and inputs from 3, and store the ids in the order a queue hands
 * them out in order_ids.
 */
static void make_jobs(struct mql_job *jobs, int count, int *order_ids)
{
    int order[JOB_COUNT];

    for (int i = 0; i < count; i++) {
        jobs[i].id = 100 + i;
        jobs[i].priority = job_priorities[i];
        jobs[i].input = 3 + i;
    }
    expected_order(job_priorities, count, order);
    for (int i = 0; i < count && order_ids; i++)
        order_ids[i] = jobs[order[i]].id;
}

static void clear_results(struct mql_result *results, int count)
{
    for (int i = 0; i < count; i++) {
        results[i].job_id = UNSET;
        results[i].seq = UNSET;
        results[i].worker = UNSET;
        results[i].output = UNSET;
    }
}

/* Return the job with that id, or NULL. */
static const struct mql_job *find_job(const struct mql_job *jobs, int count,
                                      int id)
{
    for (int i = 0; i < count; i++)
        if (jobs[i].id == id)
            return &jobs[i];
    return NULL;
}

/* The hint for a pool that returned rc with errno err. */
static const char *pool_hint(int rc, int count, int err)
{
    if (rc < 0)
        return failure_hint(err);
    if (rc == 0)
        return "no job got a result. Did the workers find the jobs queue "
               "empty? A worker ends at the first EAGAIN, so send every job "
               "before forking. Did a worker fail? Its status is in the "
               "output below, if the function prints it";
    if (rc < count)
        return "some jobs got no result. Does the parent wait for every "
               "worker before it receives, and receive until EAGAIN?";
    return "return the number of results received";
}

#define POOL_WATCHDOG_HINT                                                     \
    "A worker that blocks in mq_receive() on the empty jobs queue never "      \
    "ends, and the parent waits for it forever. Create the jobs queue with "   \
    "O_NONBLOCK, so that a worker sees EAGAIN, and ends, once every job is "   \
    "taken"

/*
 * Check that every job but skip_id (UNSET for none) has exactly one
 * correct result made by a child, and that each worker numbered its
 * results 0, 1, 2, ...
 */
static void check_each_job_once(const struct mql_job *jobs, int count,
                                const struct mql_result *results, int got,
                                int skip_id)
{
    if (got > count)
        got = count;
    for (int i = 0; i < count; i++) {
        int seen = 0;

        for (int r = 0; r < got; r++)
            seen += results[r].job_id == jobs[i].id;
        if (jobs[i].id == skip_id)
            PL_CHECK(seen == 0,
                     "expected no result for job %d, whose worker was "
                     "killed while working on it, got %d",
                     jobs[i].id, seen);
        else
            PL_CHECK(seen == 1,
                     "expected exactly one result for job %d, got %d: each "
                     "job is received by one worker, and each worker sends "
                     "one result per job it received",
                     jobs[i].id, seen);
    }
    for (int r = 0; r < got; r++) {
        const struct mql_job *job = find_job(jobs, count, results[r].job_id);
        int same_worker = 0, same_seq = 0;

        PL_CHECK(job != NULL,
                 "result %d names job %d, which the test never sent: does "
                 "the worker copy job.id into result.job_id?",
                 r + 1, results[r].job_id);
        PL_CHECK(results[r].output == times_three_plus_one(job->input),
                 "expected the result of job %d to be work(%ld) = %ld, got "
                 "%ld: the worker must call work(job.input)",
                 job->id, job->input, times_three_plus_one(job->input),
                 results[r].output);
        PL_CHECK(results[r].worker > 0 && results[r].worker != getpid(),
                 "expected job %d to be done by a worker process, got worker "
                 "PID %d (the caller is %d): a worker stores its own "
                 "getpid()",
                 job->id, (int)results[r].worker, (int)getpid());
        for (int o = 0; o < got; o++) {
            same_worker += results[o].worker == results[r].worker;
            same_seq += results[o].worker == results[r].worker &&
                        results[o].seq == results[r].seq;
        }
        PL_CHECK(results[r].seq >= 0 && results[r].seq < same_worker &&
                     same_seq == 1,
                 "worker %d sent %d results, so their seq values should be "
                 "0 to %d, once each, but job %d has seq %d: count the "
                 "worker's jobs from 0",
                 (int)results[r].worker, same_worker, same_worker - 1, job->id,
                 results[r].seq);
    }
}

PL_TEST(test_pool_takes_jobs_by_priority)
{
    struct mql_limits limits = system_limits();
    int count = (int)at_most(JOB_COUNT, limits.msg_max);
    struct mql_job jobs[JOB_COUNT];
    struct mql_result results[JOB_COUNT];
    int order_ids[JOB_COUNT];
    int rc, err;

    make_jobs(jobs, count, order_ids);
    clear_results(results, count);
    arm_watchdog("mql_run_pool, with one worker and %d jobs, had not "
                 "returned. %s",
                 count, POOL_WATCHDOG_HINT);
    rc = PL_CALL(mql_run_pool(pl_test_ipc_name("jobs"),
                              pl_test_ipc_name("results"), jobs, count, 1,
                              times_three_plus_one, results));
    err = errno;
    disarm_watchdog();

    PL_CHECK(rc == count,
             "expected mql_run_pool with one worker and %d jobs to return "
             "%d, got %d (errno %s): %s",
             count, count, rc, pl_errno_name(err), pool_hint(rc, count, err));
    for (int i = 0; i < count; i++) {
        const struct mql_job *job = find_job(jobs, count, order_ids[i]);

        PL_CHECK(results[i].job_id == order_ids[i],
                 "expected result %d to be for job %d (priority %u), got job "
                 "%d: the test sent priorities 5 9 5 1 9 20 1 5 0, and one "
                 "worker must take them highest first, in sending order "
                 "within one priority. Send every job at its priority "
                 "before forking, and send results at priority 0 so that "
                 "they keep the worker's order",
                 i + 1, order_ids[i], job->priority, results[i].job_id);
        PL_CHECK(results[i].seq == i,
                 "expected result %d to have seq %d, got %d: seq counts the "
                 "jobs the worker took, from 0, so with one worker it is "
                 "the position of the job in priority order",
                 i + 1, i, results[i].seq);
        PL_CHECK(results[i].output == times_three_plus_one(job->input),
                 "expected the result of job %d to be work(%ld) = %ld, got "
                 "%ld: the worker must call work(job.input)",
                 job->id, job->input, times_three_plus_one(job->input),
                 results[i].output);
        PL_CHECK(results[i].worker > 0 && results[i].worker != getpid() &&
                     results[i].worker == results[0].worker,
                 "expected every result to name the same worker, a child "
                 "process, got PID %d for result %d and %d for result 1 "
                 "(the caller is %d): a worker stores its own getpid()",
                 (int)results[i].worker, i + 1, (int)results[0].worker,
                 (int)getpid());
    }
}

PL_TEST(test_pool_answers_each_job_once)
{
    struct mql_limits limits = system_limits();
    int count = (int)at_most(JOB_COUNT, limits.msg_max);
    struct mql_job jobs[JOB_COUNT];
    struct mql_result results[JOB_COUNT];
    int rc, err;

    make_jobs(jobs, count, NULL);
    clear_results(results, count);
    arm_watchdog("mql_run_pool, with three workers and %d jobs, had not "
                 "returned. %s",
                 count, POOL_WATCHDOG_HINT);
    rc = PL_CALL(mql_run_pool(pl_test_ipc_name("jobs"),
                              pl_test_ipc_name("results"), jobs, count, 3,
                              times_three_plus_one, results));
    err = errno;
    disarm_watchdog();

    PL_CHECK(rc == count,
             "expected mql_run_pool with three workers and %d jobs to "
             "return %d, got %d (errno %s): %s",
             count, count, rc, pl_errno_name(err), pool_hint(rc, count, err));
    check_each_job_once(jobs, count, results, rc, UNSET);
}

/* The hint for a pool that returned rc with errno err after a crash. */
static const char *crash_hint(int rc, int count, int err)
{
    if (rc < 0 && err != ENOSYS)
        return "a crashed worker is not an error of the pool: reap it, "
               "collect the results that did come, and return their number";
    if (rc == count)
        return "every job got a result, although work() kills the worker "
               "that runs it for one job. Does the worker call "
               "work(job.input) itself?";
    return pool_hint(rc, count - 1, err);
}

PL_TEST(test_pool_survives_crashed_worker)
{
    struct mql_limits limits = system_limits();
    int count = (int)at_most(JOB_COUNT, limits.msg_max);
    struct mql_job jobs[JOB_COUNT];
    struct mql_result results[JOB_COUNT];
    int rc, err;

    /* The crash comes with the last job out of the queue, the only one of
     * the lowest priority, so every other job is already taken and gets
     * its result whichever worker dies. */
    make_jobs(jobs, count, NULL);
    jobs[count - 1].input = SPECIAL_INPUT;
    jobs[count - 1].priority = 0;
    clear_results(results, count);
    pool_pid = getpid();
    arm_watchdog("mql_run_pool had not returned after a worker was killed "
                 "by SIGKILL during job %d. A queue never reports end of "
                 "file, so a parent that waits in mq_receive() for one "
                 "result per job waits forever when a worker dies. Reap the "
                 "workers with waitpid() first, then receive the results "
                 "that are queued until EAGAIN. If the other Step 4 tests "
                 "stop too, a worker waits on the empty jobs queue instead",
                 jobs[count - 1].id);
    rc = PL_CALL(mql_run_pool(pl_test_ipc_name("jobs"),
                              pl_test_ipc_name("results"), jobs, count, 2,
                              crash_on_special, results));
    err = errno;
    disarm_watchdog();

    PL_CHECK(rc == count - 1,
             "expected mql_run_pool to return %d, one result for each of "
             "%d jobs but the one whose worker was killed, got %d (errno "
             "%s): %s",
             count - 1, count, rc, pl_errno_name(err),
             crash_hint(rc, count, err));
    check_each_job_once(jobs, count, results, rc, jobs[count - 1].id);
}

/*
 * Explain why the process running mql_run_pool ended with status instead
 * of being killed by its worker. It exits with 0 when the pool returned a
 * count, and with the errno when it returned -1.
 */
static const char *unkilled_pool_hint(int status, char *buf, size_t len)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

    if (code == 0)
        snprintf(buf, len,
                 "mql_run_pool returned, so no worker called work() for the "
                 "job that kills it. Does each worker call work(job.input)? "
                 "Were the jobs sent after the fork, so that the workers "
                 "found the jobs queue empty?");
    else if (code > 0)
        snprintf(buf, len,
                 "mql_run_pool returned -1 with errno %s (%s) before any "
                 "worker called work()%s",
                 pl_errno_name(code), strerror(code),
                 code == ENOSYS ? ": is it still the starter stub?" : "");
    else
        snprintf(buf, len, "the pool crashed before a worker killed it");
    return buf;
}

PL_TEST(test_killed_pool_leaves_no_queue)
{
    struct mql_limits limits = system_limits();
    int count = (int)at_most(JOB_COUNT, limits.msg_max);
    const char *jobs_name = pl_test_ipc_name("jobs");
    const char *results_name = pl_test_ipc_name("results");
    struct mql_job jobs[JOB_COUNT];
    struct mql_result results[JOB_COUNT];
    int order_ids[JOB_COUNT];
    const struct mql_job *first;
    char how[128];
    char hint[320];
    pid_t pid;
    int status, jobs_left, results_left;

    /* The highest-priority job, the first out, kills the process running
     * mql_run_pool: a crash half way, after the workers have started. */
    make_jobs(jobs, count, order_ids);
    first = find_job(jobs, count, order_ids[0]);
    jobs[first - jobs].input = SPECIAL_INPUT;

    /* The workers outlive their parent; as a subreaper the test process
     * adopts them and can wait for them. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
        PL_FAIL("test setup: prctl(PR_SET_CHILD_SUBREAPER) failed: %s",
                pl_errno_name(errno));
    fflush(NULL);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: the caller of the pool, which a worker kills. */
        int rc;

        pool_pid = getpid();
        rc = mql_run_pool(jobs_name, results_name, jobs, count, 2,
                          kill_pool_on_special, results);

        /* An errno fits in an exit code: Linux's largest is 133. */
        _exit(rc >= 0 ? 0 : errno);
    }

    arm_watchdog("the workers had not ended after the process running "
                 "mql_run_pool was killed. %s",
                 POOL_WATCHDOG_HINT);
    pl_waitpid(pid, &status, 0);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        continue; /* the orphaned workers, until ECHILD */
    disarm_watchdog();
    if (prctl(PR_SET_CHILD_SUBREAPER, 0) == -1)
        PL_FAIL("test cleanup: prctl(PR_SET_CHILD_SUBREAPER) failed: %s",
                pl_errno_name(errno));
    jobs_left = queue_exists(jobs_name);
    results_left = queue_exists(results_name);

    PL_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
             "expected the process running mql_run_pool to be killed by a "
             "worker during job %d, but it %s: %s",
             first->id, pl_describe_status(status, how, sizeof(how)),
             unkilled_pool_hint(status, hint, sizeof(hint)));
    PL_CHECK(!jobs_left,
             "the jobs queue %s still existed after the process running "
             "mql_run_pool was killed half way: unlink each name as soon "
             "as its queue exists, before forking. The open descriptors "
             "keep the queue usable, and nothing is left behind whatever "
             "happens later",
             jobs_name);
    PL_CHECK(!results_left,
             "the results queue %s still existed after the process running "
             "mql_run_pool was killed half way: unlink each name as soon "
             "as its queue exists, before forking. The open descriptors "
             "keep the queue usable, and nothing is left behind whatever "
             "happens later",
             results_name);
}

PL_TEST(test_pool_rejects_too_many_jobs)
{
    struct mql_limits limits = system_limits();
    int count = (int)limits.msg_max + 1;
    struct mql_job *jobs = calloc((size_t)count, sizeof(*jobs));
    struct mql_result *results = calloc((size_t)count, sizeof(*results));
    int rc, err;

    if (jobs == NULL || results == NULL)
        PL_FAIL("test setup: calloc(%d jobs) failed", count);
    for (int i = 0; i < count; i++) {
        jobs[i].id = i;
        jobs[i].input = i;
    }
    arm_watchdog("mql_run_pool, with %d jobs (one more than msg_max), had "
                 "not returned. %s",
                 count, POOL_WATCHDOG_HINT);
    rc = PL_CALL(mql_run_pool(pl_test_ipc_name("jobs"),
                              pl_test_ipc_name("results"), jobs, count, 2,
                              times_three_plus_one, results));
    err = errno;
    disarm_watchdog();
    free(jobs);
    free(results);

    PL_CHECK(rc == -1,
             "expected mql_run_pool with %d jobs, one above msg_max %ld, to "
             "return -1, got %d: %s",
             count, limits.msg_max, rc,
             has_sys_resource()
                 ? "this test process has CAP_SYS_RESOURCE, which lifts "
                   "msg_max. Grade as an ordinary user, or as root, which "
                   "runs the tests without that capability"
                 : "each queue needs room for every job, and mq_open() "
                   "rejects more than msg_max");
    PL_CHECK(err == EINVAL,
             "expected errno EINVAL from mql_run_pool with %d jobs, one "
             "above msg_max %ld, got %s (%s): %s",
             count, limits.msg_max, pl_errno_name(err), strerror(err),
             err == ENOSYS ? "is it still the starter stub?"
                           : "return the errno of the failed mql_create()");
}

static const struct pl_test_case tests[] = {
    {&test_read_limits_match_proc, "mql_read_limits reads both /proc limits", 1,
     "Step 1", TIMEOUT_S},
    {&test_create_sets_attributes, "mql_create sets the requested attributes",
     2, "Step 1", TIMEOUT_S},
    {&test_create_reports_limit, "mql_create reports a request above a limit",
     2, "Step 1", TIMEOUT_S},
    {&test_receive_highest_priority_first,
     "mql_receive returns the highest priority first", 3, "Step 2", TIMEOUT_S},
    {&test_send_keeps_text_and_priority,
     "mql_send keeps the text and the priority", 2, "Step 2", TIMEOUT_S},
    {&test_nonblocking_returns_eagain,
     "a non-blocking send or receive returns EAGAIN", 2, "Step 3", TIMEOUT_S},
    {&test_fill_drain_restore_mode,
     "mql_fill and mql_drain restore the blocking mode", 3, "Step 3",
     TIMEOUT_S},
    {&test_pool_takes_jobs_by_priority, "one worker takes jobs by priority", 3,
     "Step 4", TIMEOUT_S},
    {&test_pool_answers_each_job_once, "several workers answer each job once",
     2, "Step 4", TIMEOUT_S},
    {&test_pool_survives_crashed_worker,
     "the pool returns when a worker crashes", 2, "Step 4", TIMEOUT_S},
    {&test_killed_pool_leaves_no_queue, "a killed pool leaves no queue behind",
     2, "Step 4", TIMEOUT_S},
    {&test_pool_rejects_too_many_jobs,
     "the pool rejects more jobs than msg_max", 1, "Step 4", TIMEOUT_S},
};

PL_LAB("04-message-queues", tests)
