/*
 * main.c - Lab 04 demo: runs the functions of message_queues.c and prints
 * what each one shows about POSIX message queues.
 *
 *   make run LAB=04
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 *
 * The queue names contain this process's PID, so two runs never meet, and
 * the demo unlinks every name it uses before it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "message_queues.h"
#include "proclab.h"

/* Room for one queue name: "/mql-demo.", a PID, a dot and a suffix. */
#define NAME_MAX_LEN 64
/* Size of the Step 2 and Step 3 queues' messages, in bytes. */
#define DEMO_MSGSIZE 128
/* mq_maxmsg of the Step 3 queue. */
#define DEMO_SLOTS 4

static pid_t main_pid;

/* Store "/mql-demo.PID.suffix" in name. */
static void make_name(char *name, const char *suffix)
{
    snprintf(name, NAME_MAX_LEN, "/mql-demo.%d.%s", (int)main_pid, suffix);
}

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

/*
 * Remove name if a lab function left it behind, and print that it did.
 * Returns 1 when something was left, for the exit status.
 */
static int remove_leftover(const char *name, const char *fn)
{
    if (mq_unlink(name) == 0) {
        printf("  %s left the queue %s in the system; the demo removed it. "
               "Unlink every name you create\n",
               fn, name);
        return 1;
    }
    if (errno != ENOENT)
        pl_die("mq_unlink(%s)", name);
    return 0;
}

/*
 * Create a queue for the demo itself, without the lab's functions, and
 * unlink its name at once: the descriptor keeps the queue alive.
 */
static mqd_t open_demo_queue(const char *suffix, long maxmsg)
{
    char name[NAME_MAX_LEN];
    struct mq_attr attr;
    mqd_t q;

    memset(&attr, 0, sizeof(attr));
    attr.mq_maxmsg = maxmsg;
    attr.mq_msgsize = DEMO_MSGSIZE;
    make_name(name, suffix);
    q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1)
        pl_die("mq_open(%s, mq_maxmsg %ld, mq_msgsize %d)", name, maxmsg,
               DEMO_MSGSIZE);
    if (mq_unlink(name) == -1)
        pl_die("mq_unlink(%s)", name);
    return q;
}

static void close_demo_queue(mqd_t q)
{
    if (mq_close(q) == -1)
        pl_die("mq_close(%d)", (int)q);
}

/* Set or clear O_NONBLOCK on q for the demo's own calls. */
static void set_demo_flags(mqd_t q, long flags)
{
    struct mq_attr attr;

    memset(&attr, 0, sizeof(attr));
    attr.mq_flags = flags;
    if (mq_setattr(q, &attr, NULL) == -1)
        pl_die("mq_setattr(%d, mq_flags %ld)", (int)q, flags);
}

static struct mq_attr get_attr(mqd_t q)
{
    struct mq_attr attr;

    if (mq_getattr(q, &attr) == -1)
        pl_die("mq_getattr(%d)", (int)q);
    return attr;
}

/* Request one message more than msg_max, which must fail with EINVAL. */
static int show_limit_exceeded(const struct mql_limits *limits)
{
    char name[NAME_MAX_LEN];
    mqd_t q;
    int err;

    make_name(name, "too-big");
    printf("  asking for msg_max + 1 = %ld messages; mql_create explains "
           "the failure on stderr:\n",
           limits->msg_max + 1);
    fflush(stdout);
    q = mql_create(name, limits->msg_max + 1, DEMO_MSGSIZE, 0);
    err = errno;
    fflush(stderr);
    if (q != (mqd_t)-1) {
        printf("  the queue was created anyway: this process has "
               "CAP_SYS_RESOURCE (root usually has it), which lifts "
               "msg_max up to the kernel's own maximum\n");
        close_demo_queue(q);
        if (mq_unlink(name) == -1)
            pl_die("mq_unlink(%s)", name);
        return 0;
    }
    remove_leftover(name, "mql_create");
    if (err == ENOSYS) {
        errno = err;
        return report_failure("mql_create", "Step 1");
    }
    printf("  mql_create returned -1 with errno %s%s\n", pl_errno_name(err),
           err == EINVAL ? ", as it should" : ", but EINVAL was expected");
    return err != EINVAL;
}

static int show_create(void)
{
    struct mql_limits limits;
    char name[NAME_MAX_LEN];
    struct mq_attr attr;
    mqd_t q;
    int failed = 0;

    printf("Step 1: the system's limits and a queue of 4 messages of %d "
           "bytes\n",
           DEMO_MSGSIZE);
    if (mql_read_limits(&limits) != 0)
        failed = report_failure("mql_read_limits", "Step 1");
    else
        printf("  /proc/sys/fs/mqueue: msg_max %ld messages, msgsize_max "
               "%ld bytes\n",
               limits.msg_max, limits.msgsize_max);

    make_name(name, "created");
    fflush(stdout);
    q = mql_create(name, 4, DEMO_MSGSIZE, 0);
    if (q == (mqd_t)-1) {
        failed |= report_failure("mql_create", "Step 1");
        remove_leftover(name, "mql_create");
        return failed;
    }
    attr = get_attr(q);
    printf("  created %s: mq_maxmsg %ld, mq_msgsize %ld, mq_curmsgs %ld, "
           "%s\n",
           name, attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs,
           attr.mq_flags & O_NONBLOCK ? "non-blocking" : "blocking");
    close_demo_queue(q);
    if (mq_unlink(name) == -1)
        pl_die("mq_unlink(%s)", name);

    if (!failed)
        failed = show_limit_exceeded(&limits);
    return failed;
}

/* The Step 2 messages, in the order they are sent. */
static const struct {
    const char *text;
    unsigned int priority;
} demo_messages[] = {
    {"backup", 2},  {"alert", 7}, {"report", 2},
    {"cleanup", 0}, {"page", 7},  {"shutdown", 31},
};
#define DEMO_MESSAGES (int)(sizeof(demo_messages) / sizeof(demo_messages[0]))

static int show_priorities(void)
{
    mqd_t q = open_demo_queue("priorities", DEMO_MESSAGES);
    /* Smaller than mq_msgsize on purpose: mql_receive must cope. */
    char text[32];
    unsigned int priority;

    printf("Step 2: send six messages, then receive them\n");
    for (int i = 0; i < DEMO_MESSAGES; i++) {
        if (mql_send(q, demo_messages[i].text, demo_messages[i].priority) !=
            0) {
            close_demo_queue(q);
            return report_failure("mql_send", "Step 2");
        }
    }
    printf("  sent:    ");
    for (int i = 0; i < DEMO_MESSAGES; i++)
        printf(" %s (%u)", demo_messages[i].text, demo_messages[i].priority);
    printf("\n  received:");
    for (int i = 0; i < DEMO_MESSAGES; i++) {
        if (mql_receive(q, text, sizeof(text), &priority) < 0) {
            printf("\n");
            close_demo_queue(q);
            return report_failure("mql_receive", "Step 2");
        }
        printf(" %s (%u)", text, priority);
    }
    printf("\n  highest priority first, and in the order sent within one "
           "priority\n");
    close_demo_queue(q);
    return 0;
}

/* Show what a non-blocking call on a full or empty queue returns. */
static void show_eagain(const char *state, const char *fn, int rc, int err)
{
    if (rc == -1 && err == EAGAIN)
        printf("  %s on the %s non-blocking queue: -1 with EAGAIN\n", fn,
               state);
    else
        printf("  %s on the %s non-blocking queue returned %d (errno %s), "
               "not -1 with EAGAIN\n",
               fn, state, rc, pl_errno_name(err));
}

static int show_nonblocking(void)
{
    mqd_t q = open_demo_queue("nonblocking", DEMO_SLOTS);
    char text[32];
    int sent, drained, rc, err;

    printf("Step 3: fill and drain a blocking queue of %d messages\n",
           DEMO_SLOTS);
    sent = mql_fill(q, "x");
    if (sent < 0) {
        close_demo_queue(q);
        return report_failure("mql_fill", "Step 3");
    }
    printf("  mql_fill sent %d messages before mq_send reported EAGAIN; "
           "the queue is %s again\n",
           sent,
           get_attr(q).mq_flags & O_NONBLOCK ? "NOT blocking (restore the "
                                               "flags!)"
                                             : "blocking");

    set_demo_flags(q, O_NONBLOCK);
    rc = mql_send(q, "one more", 0);
    err = errno;
    show_eagain("full", "mql_send", rc, err);
    set_demo_flags(q, 0);

    drained = mql_drain(q);
    if (drained < 0) {
        close_demo_queue(q);
        return report_failure("mql_drain", "Step 3");
    }
    printf("  mql_drain received %d messages; the queue is %s again\n", drained,
           get_attr(q).mq_flags & O_NONBLOCK ? "NOT blocking (restore the "
                                               "flags!)"
                                             : "blocking");

    set_demo_flags(q, O_NONBLOCK);
    rc = (int)mql_receive(q, text, sizeof(text), NULL);
    err = errno;
    show_eagain("empty", "mql_receive", rc, err);
    close_demo_queue(q);
    return 0;
}

/*
 * The work a Step 4 worker does for one job. The pause stands for real
 * work: without it the first worker often takes every job before the
 * others have started.
 */
static long square(long input)
{
    struct timespec pause = {0, 10 * 1000 * 1000};

    nanosleep(&pause, NULL);
    return input * input;
}

static int show_pool(void)
{
    static const unsigned int priorities[] = {2, 7, 2, 0, 7, 31, 0, 2};
    enum { NJOBS = 8, WORKERS = 3 };
    struct mql_job jobs[NJOBS];
    struct mql_result results[NJOBS];
    char jobs_name[NAME_MAX_LEN];
    char results_name[NAME_MAX_LEN];
    int count, left, err;

    for (int i = 0; i < NJOBS; i++) {
        jobs[i].id = i + 1;
        jobs[i].priority = priorities[i];
        jobs[i].input = i + 1;
    }
    make_name(jobs_name, "jobs");
    make_name(results_name, "results");
    printf("Step 4: %d workers square the inputs of %d jobs\n", WORKERS, NJOBS);
    /* Flush before the fork inside, so no worker inherits unwritten
     * output and prints it a second time. */
    fflush(stdout);
    count = mql_run_pool(jobs_name, results_name, jobs, NJOBS, WORKERS, square,
                         results);
    err = errno;
    stop_stray_child("mql_run_pool", "Step 4");
    left = remove_leftover(jobs_name, "mql_run_pool");
    left |= remove_leftover(results_name, "mql_run_pool");
    if (count < 0) {
        errno = err;
        return report_failure("mql_run_pool", "Step 4") | left;
    }

    for (int i = 0; i < count; i++) {
        const struct mql_job *job = NULL;

        for (int j = 0; j < NJOBS; j++)
            if (jobs[j].id == results[i].job_id)
                job = &jobs[j];
        if (job == NULL) {
            printf("  a result for job %d, which was never sent\n",
                   results[i].job_id);
            continue;
        }
        printf("  job %d (priority %2u): %ld squared is %ld, worker %d's "
               "job #%d\n",
               job->id, job->priority, job->input, results[i].output,
               (int)results[i].worker, results[i].seq);
    }
    printf("  %d of %d results; both queue names were unlinked%s\n", count,
           NJOBS, left ? " only by the demo" : "");
    return count != NJOBS || left;
}

int main(void)
{
    int failed = 0;

    main_pid = getpid();
    failed |= show_create();
    failed |= show_priorities();
    failed |= show_nonblocking();
    failed |= show_pool();
    return failed;
}
