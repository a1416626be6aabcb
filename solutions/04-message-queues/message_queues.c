/*
 * message_queues.c - Lab 04: POSIX message queues (reference solution).
 *
 * Steps 1 to 3 wrap mq_open(), mq_send(), mq_receive() and mq_setattr()
 * so that their errors reach the caller unchanged, because EAGAIN on a
 * full or empty non-blocking queue is a result the caller expects. Step 4 uses
 * them for a pool of workers. The handout is labs/04-message-queues/README.md.
 *
 * fork and waitpid go through the pl_ wrappers from common/, which end
 * the process with a message when a call fails. The mq_ calls are checked
 * here, because the caller must see their errno.
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

#define MSG_MAX_PATH "/proc/sys/fs/mqueue/msg_max"
#define MSGSIZE_MAX_PATH "/proc/sys/fs/mqueue/msgsize_max"

/* Exit code of a worker whose mq_receive() or mq_send() failed. */
#define WORKER_FAILED 1

/* Read one number from a /proc file into *value. Returns 0, or -1. */
static int read_number(const char *path, long *value)
{
    FILE *f = fopen(path, "r");
    int fields;

    if (f == NULL)
        return -1;
    fields = fscanf(f, "%ld", value);
    fclose(f);
    if (fields != 1) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int mql_read_limits(struct mql_limits *limits)
{
    if (limits == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (read_number(MSG_MAX_PATH, &limits->msg_max) != 0 ||
        read_number(MSGSIZE_MAX_PATH, &limits->msgsize_max) != 0)
        return -1;
    return 0;
}

/*
 * Print why mq_open() failed with err for mql_create(). EINVAL has two
 * causes, a size of 0 or less and a size above a limit, and only the
 * limits in /proc tell them apart.
 */
static void report_create_failure(const char *name, long maxmsg, long msgsize,
                                  int err)
{
    struct mql_limits limits;

    if (err == EINVAL && mql_read_limits(&limits) == 0) {
        if (maxmsg > limits.msg_max) {
            fprintf(stderr,
                    "mql_create: cannot create %s with mq_maxmsg %ld: this "
                    "system allows at most msg_max %ld messages per queue "
                    "(%s)\n",
                    name, maxmsg, limits.msg_max, MSG_MAX_PATH);
            return;
        }
        if (msgsize > limits.msgsize_max) {
            fprintf(stderr,
                    "mql_create: cannot create %s with mq_msgsize %ld: this "
                    "system allows at most msgsize_max %ld bytes per message "
                    "(%s)\n",
                    name, msgsize, limits.msgsize_max, MSGSIZE_MAX_PATH);
            return;
        }
    }
    fprintf(stderr,
            "mql_create: mq_open(%s, mq_maxmsg %ld, mq_msgsize %ld) failed: "
            "%s (%s)\n",
            name, maxmsg, msgsize, pl_errno_name(err), strerror(err));
}

mqd_t mql_create(const char *name, long maxmsg, long msgsize, int nonblock)
{
    struct mq_attr attr;
    int flags = O_CREAT | O_EXCL | O_RDWR;
    mqd_t q;

    memset(&attr, 0, sizeof(attr));
    attr.mq_maxmsg = maxmsg;
    attr.mq_msgsize = msgsize;
    if (nonblock)
        flags |= O_NONBLOCK;

    /* O_EXCL: an older queue under this name could have other sizes and
     * old messages, so reusing it would be a silent bug. */
    q = mq_open(name, flags, 0600, &attr);
    if (q == (mqd_t)-1) {
        int err = errno;

        report_create_failure(name, maxmsg, msgsize, err);
        errno = err;
    }
    return q;
}

int mql_send(mqd_t q, const char *text, unsigned int priority)
{
    return mq_send(q, text, strlen(text), priority);
}

ssize_t mql_receive(mqd_t q, char *text, size_t size, unsigned int *priority)
{
    struct mq_attr attr;
    char *buf;
    ssize_t len;
    int err;

    /* mq_receive() rejects a buffer shorter than mq_msgsize with EMSGSIZE,
     * even when the message waiting is short. */
    if (mq_getattr(q, &attr) == -1)
        return -1;
    buf = pl_malloc((size_t)attr.mq_msgsize);
    len = mq_receive(q, buf, (size_t)attr.mq_msgsize, priority);
    err = errno;
    if (len >= 0 && (size_t)len >= size) {
        err = EMSGSIZE;
        len = -1;
    } else if (len >= 0) {
        memcpy(text, buf, (size_t)len);
        text[len] = '\0';
    }
    free(buf);
    errno = err;
    return len;
}

/*
 * Turn O_NONBLOCK on for the open queue description of q, and store the
 * flags it had in *old. Other processes that share the description (a
 * child made by fork) see the change too, which is why it is undone.
 */
static int set_nonblocking(mqd_t q, struct mq_attr *old)
{
    struct mq_attr attr;

    memset(&attr, 0, sizeof(attr));
    attr.mq_flags = O_NONBLOCK;
    return mq_setattr(q, &attr, old);
}

/* Put back the flags that set_nonblocking() stored. */
static void restore_flags(mqd_t q, const struct mq_attr *old)
{
    if (mq_setattr(q, old, NULL) == -1)
        pl_die("mq_setattr(%d, mq_flags %ld)", (int)q, old->mq_flags);
}

int mql_fill(mqd_t q, const char *text)
{
    struct mq_attr old;
    int sent = 0;
    int err;

    if (set_nonblocking(q, &old) == -1)
        return -1;
    /* The loop ends only on an error, and EAGAIN means the queue is full. */
    while (mq_send(q, text, strlen(text), 0) == 0)
        sent++;
    err = errno;
    restore_flags(q, &old);
    if (err != EAGAIN) {
        errno = err;
        return -1;
    }
    return sent;
}

int mql_drain(mqd_t q)
{
    struct mq_attr old;
    char *buf;
    int received = 0;
    int err;

    if (set_nonblocking(q, &old) == -1)
        return -1;
    /* mq_setattr() stored the whole attribute set, mq_msgsize included. */
    buf = pl_malloc((size_t)old.mq_msgsize);
    /* The loop ends only on an error, and EAGAIN means the queue is empty. */
    while (mq_receive(q, buf, (size_t)old.mq_msgsize, NULL) >= 0)
        received++;
    err = errno;
    free(buf);
    restore_flags(q, &old);
    if (err != EAGAIN) {
        errno = err;
        return -1;
    }
    return received;
}

/* Close q; only a descriptor that is not a queue makes this fail. */
static void close_queue(mqd_t q)
{
    if (mq_close(q) == -1)
        pl_die("mq_close(%d)", (int)q);
}

/*
 * Create a queue for njobs messages of size bytes and unlink its name at
 * once, so that from here on only descriptors keep it alive.
 */
static mqd_t create_unlinked(const char *name, int njobs, size_t size)
{
    mqd_t q = mql_create(name, njobs, (long)size, 1);

    if (q == (mqd_t)-1)
        return q;
    if (mq_unlink(name) == -1) {
        int err = errno;

        close_queue(q);
        errno = err;
        return (mqd_t)-1;
    }
    return q;
}

/*
 * Take jobs until none are left, send a result for each, and end. Runs in a
 * child of mql_run_pool() and never returns.
 */
static void run_worker(mqd_t jobs, mqd_t results, mql_work_fn work)
{
    struct mql_job job;
    struct mql_result result;
    int seq = 0;

    for (;;) {
        /* The jobs queue's mq_msgsize is sizeof(job), so the struct is a
         * large enough buffer. */
        ssize_t len = mq_receive(jobs, (char *)&job, sizeof(job), NULL);

        if (len == -1 && errno == EAGAIN)
            break; /* every job was queued before the fork: all are taken */
        if (len != (ssize_t)sizeof(job))
            _exit(WORKER_FAILED);

        result.job_id = job.id;
        result.seq = seq++;
        result.worker = getpid();
        result.output = work(job.input);
        /* The results queue has room for every job, so it is never full. */
        if (mq_send(results, (const char *)&result, sizeof(result), 0) == -1)
            _exit(WORKER_FAILED);
    }
    close_queue(jobs);
    close_queue(results);
    _exit(0);
}

/* Send every job at its priority. Returns 0, or -1 with mq_send's errno. */
static int send_jobs(mqd_t q, const struct mql_job *jobs, int njobs)
{
    for (int i = 0; i < njobs; i++)
        if (mq_send(q, (const char *)&jobs[i], sizeof(jobs[i]),
                    jobs[i].priority) == -1)
            return -1;
    return 0;
}

/* Receive the queued results until EAGAIN. Returns how many there were. */
static int collect_results(mqd_t q, struct mql_result *results, int njobs)
{
    int count = 0;

    while (count < njobs) {
        ssize_t len = mq_receive(q, (char *)&results[count],
                                 sizeof(results[count]), NULL);

        if (len == -1)
            break; /* EAGAIN: the workers have ended, nothing more comes */
        if (len == (ssize_t)sizeof(results[count]))
            count++;
    }
    return count;
}

int mql_run_pool(const char *jobs_name, const char *results_name,
                 const struct mql_job *jobs, int njobs, int workers,
                 mql_work_fn work, struct mql_result *results)
{
    mqd_t job_queue;
    mqd_t result_queue;
    pid_t *pids;
    int count;

    if (jobs == NULL || work == NULL || results == NULL || njobs < 1 ||
        workers < 1) {
        errno = EINVAL;
        return -1;
    }

    job_queue = create_unlinked(jobs_name, njobs, sizeof(struct mql_job));
    if (job_queue == (mqd_t)-1)
        return -1;
    result_queue =
        create_unlinked(results_name, njobs, sizeof(struct mql_result));
    if (result_queue == (mqd_t)-1) {
        int err = errno;

        close_queue(job_queue);
        errno = err;
        return -1;
    }

    /* Every job is queued before any worker runs, so each mq_receive() of
     * a worker takes the highest priority of all the jobs left. */
    if (send_jobs(job_queue, jobs, njobs) == -1) {
        int err = errno;

        close_queue(job_queue);
        close_queue(result_queue);
        errno = err;
        return -1;
    }

    pids = pl_malloc((size_t)workers * sizeof(*pids));
    fflush(NULL);
    for (int i = 0; i < workers; i++) {
        pids[i] = pl_fork();
        if (pids[i] == 0)
            run_worker(job_queue, result_queue, work); /* child: no return */
    }

    /* Parent: the workers hold their own copies of both descriptors. It
     * no longer needs the jobs queue, and waits before it reads results.
     * A queue has no end of file, so only waitpid() shows that no worker
     * will send any more. */
    close_queue(job_queue);
    for (int i = 0; i < workers; i++) {
        int status;
        char how[128];

        pl_waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fprintf(stderr,
                    "mql_run_pool: worker %d %s, so a job it took may have "
                    "no result\n",
                    (int)pids[i], pl_describe_status(status, how, sizeof(how)));
    }
    free(pids);

    count = collect_results(result_queue, results, njobs);
    close_queue(result_queue);
    return count;
}
