/*
 * message_queues.c - Lab 04: POSIX message queues.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in message_queues.h.
 *
 *   make run LAB=04     runs the demo in main.c against your functions
 *   make grade LAB=04   runs the graded tests
 *
 * Check every mq_ call yourself and return -1 with its errno to the
 * caller, because EAGAIN from a non-blocking queue is a result the caller
 * expects. Use pl_fork and pl_waitpid from proclab.h for the workers,
 * end every worker with _exit(), and close every mqd_t you open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "message_queues.h"
#include "proclab.h"

int mql_read_limits(struct mql_limits *limits)
{
    /* TODO(student): read msg_max and msgsize_max from /proc (Step 1) */
    (void)limits;
    errno = ENOSYS;
    return -1;
}

mqd_t mql_create(const char *name, long maxmsg, long msgsize, int nonblock)
{
    /* TODO(student): mq_open a new queue, report a limit (Step 1) */
    (void)name;
    (void)maxmsg;
    (void)msgsize;
    (void)nonblock;
    errno = ENOSYS;
    return (mqd_t)-1;
}

int mql_send(mqd_t q, const char *text, unsigned int priority)
{
    /* TODO(student): send text as one message at priority (Step 2) */
    (void)q;
    (void)text;
    (void)priority;
    errno = ENOSYS;
    return -1;
}

ssize_t mql_receive(mqd_t q, char *text, size_t size, unsigned int *priority)
{
    /* TODO(student): receive into an mq_msgsize buffer, copy (Step 2) */
    (void)q;
    (void)text;
    (void)size;
    (void)priority;
    errno = ENOSYS;
    return -1;
}

int mql_fill(mqd_t q, const char *text)
{
    /* TODO(student): send until EAGAIN with O_NONBLOCK set (Step 3) */
    (void)q;
    (void)text;
    errno = ENOSYS;
    return -1;
}

int mql_drain(mqd_t q)
{
    /* TODO(student): receive until EAGAIN with O_NONBLOCK set (Step 3) */
    (void)q;
    errno = ENOSYS;
    return -1;
}

int mql_run_pool(const char *jobs_name, const char *results_name,
                 const struct mql_job *jobs, int njobs, int workers,
                 mql_work_fn work, struct mql_result *results)
{
    /* TODO(student): queue the jobs, fork workers, reap, collect (Step 4) */
    (void)jobs_name;
    (void)results_name;
    (void)jobs;
    (void)njobs;
    (void)workers;
    (void)work;
    (void)results;
    errno = ENOSYS;
    return -1;
}
