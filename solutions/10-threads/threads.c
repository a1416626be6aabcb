/*
 * threads.c - Lab 10: threads (reference solution).
 *
 * Each function creates threads, lets them write memory that the caller
 * can see, and joins them (or, in Step 4, waits for a detached one on a
 * semaphore) before it returns. The handout is labs/10-threads/README.md.
 *
 * The pthread functions return an error number instead of setting errno;
 * fail_with() copies it into errno for the caller. A pthread call that
 * can only fail through a bug in this file (joining, barrier waits,
 * unlocking) ends the process with a message instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "threads.h"

int th_global;
_Thread_local int th_tls;

/* Store err, a pthread error number, in errno and return -1. */
static int fail_with(int err)
{
    errno = err;
    return -1;
}

/* Join thread t and store what it returned in *result (may be NULL). */
static void join_thread(pthread_t t, void **result)
{
    int rc = pthread_join(t, result);

    if (rc != 0) {
        errno = rc;
        pl_die("pthread_join");
    }
}

/* --- Step 1 ------------------------------------------------------------ */

struct write_args {
    int *heap;
    int value;
    struct th_write_report *report;
};

/* Runs in the new thread: its writes land in memory the caller shares. */
static void *write_shared(void *arg)
{
    struct write_args *a = arg;

    th_global = a->value;
    *a->heap = a->value;
    a->report->thread_pid = getpid();
    a->report->thread_tid = gettid();
    return NULL;
}

int th_write_in_thread(int *heap, int value, struct th_write_report *r)
{
    struct write_args args = {heap, value, r};
    pthread_t t;
    int rc;

    if (heap == NULL || r == NULL)
        return fail_with(EINVAL);
    th_global = 0;
    *heap = 0;

    /* args lives on this thread's stack, which stays valid because this
     * thread waits for the new one before it returns. */
    rc = pthread_create(&t, NULL, write_shared, &args);
    if (rc != 0)
        return fail_with(rc);
    join_thread(t, NULL);
    return 0;
}

/* --- Step 2 ------------------------------------------------------------ */

struct view_args {
    int index;
    pthread_barrier_t *barrier;
    struct th_thread_view *view;
};

static void *report_view(void *arg)
{
    struct view_args *a = arg;
    /* A local variable: it lives on this thread's own stack. */
    int local = a->index;
    int rc;

    th_tls = a->index + 1;
    /* After the barrier every thread has stored its value, so a shared
     * variable would now hold the last thread's value in all of them. */
    rc = pthread_barrier_wait(a->barrier);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
        errno = rc;
        pl_die("pthread_barrier_wait");
    }
    a->view->tid = gettid();
    a->view->local_addr = &local;
    a->view->tls_addr = &th_tls;
    a->view->tls_value = th_tls;
    return NULL;
}

int th_thread_views(int n, struct th_thread_view *views)
{
    pthread_t threads[TH_MAX_THREADS];
    /* One argument per thread: each thread reads its own index, never a
     * loop variable that the caller changes meanwhile. */
    struct view_args args[TH_MAX_THREADS];
    pthread_barrier_t barrier;
    int rc;

    if (n < 1 || n > TH_MAX_THREADS || views == NULL)
        return fail_with(EINVAL);
    rc = pthread_barrier_init(&barrier, NULL, (unsigned)n);
    if (rc != 0)
        return fail_with(rc);

    for (int i = 0; i < n; i++) {
        args[i].index = i;
        args[i].barrier = &barrier;
        args[i].view = &views[i];
        rc = pthread_create(&threads[i], NULL, report_view, &args[i]);
        /* The threads already created wait at the barrier for n threads
         * and could never leave it, so returning is no option here. */
        if (rc != 0) {
            errno = rc;
            pl_die("pthread_create(thread %d of %d)", i, n);
        }
    }
    for (int i = 0; i < n; i++)
        join_thread(threads[i], NULL);
    rc = pthread_barrier_destroy(&barrier);
    if (rc != 0)
        return fail_with(rc);
    return 0;
}

/* --- Step 3 ------------------------------------------------------------ */

/* The work of Steps 3 and 4, run by a thread on a job the caller owns. */
static void do_job(struct th_job *job)
{
    job->result = job->input * job->input;
    job->tid = gettid();
}

static void *run_job(void *arg)
{
    do_job(arg);
    return NULL;
}

int th_run_jobs(struct th_job *jobs, int n)
{
    pthread_t threads[TH_MAX_THREADS];
    int rc;

    if (n < 1 || n > TH_MAX_THREADS || jobs == NULL)
        return fail_with(EINVAL);
    for (int i = 0; i < n; i++) {
        rc = pthread_create(&threads[i], NULL, run_job, &jobs[i]);
        if (rc != 0) {
            /* Join the threads that started, so none outlives the call. */
            for (int j = 0; j < i; j++)
                join_thread(threads[j], NULL);
            return fail_with(rc);
        }
    }
    for (int i = 0; i < n; i++)
        join_thread(threads[i], NULL);
    return 0;
}

/* Return x * x in a heap block: it outlives this thread's stack. */
static void *square_on_heap(void *arg)
{
    long x = *(const long *)arg;
    long *square = malloc(sizeof(*square));

    if (square == NULL)
        return NULL;
    *square = x * x;
    return square;
}

int th_square_in_thread(long x, long *square)
{
    void *result;
    pthread_t t;
    int rc;

    if (square == NULL)
        return fail_with(EINVAL);
    /* &x stays valid: this thread joins the new one before returning. */
    rc = pthread_create(&t, NULL, square_on_heap, &x);
    if (rc != 0)
        return fail_with(rc);
    join_thread(t, &result);
    if (result == NULL)
        return fail_with(EIO);
    *square = *(long *)result;
    /* The thread allocated the block; the caller that received it frees
     * it. */
    free(result);
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

struct detached_args {
    struct th_job *job;
    sem_t done;
};

static void *run_detached_job(void *arg)
{
    struct detached_args *a = arg;

    do_job(a->job);
    /* The last use of a: once the caller sees the post, it returns, and
     * a, which lives on the caller's stack, is gone. */
    if (sem_post(&a->done) != 0)
        pl_die("sem_post");
    return NULL;
}

int th_run_detached(struct th_job *job)
{
    struct detached_args args;
    pthread_attr_t attr;
    pthread_t t;
    int rc;

    if (job == NULL)
        return fail_with(EINVAL);
    args.job = job;
    if (sem_init(&args.done, 0, 0) != 0)
        return -1;
    rc = pthread_attr_init(&attr);
    if (rc == 0)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0) {
        rc = pthread_create(&t, &attr, run_detached_job, &args);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        sem_destroy(&args.done);
        return fail_with(rc);
    }

    /* Nobody may join a detached thread, so the semaphore is the only way
     * to learn that it has finished the job. A signal handler can
     * interrupt the wait, which then has to start again. */
    while (sem_wait(&args.done) != 0) {
        if (errno != EINTR)
            pl_die("sem_wait");
    }
    sem_destroy(&args.done);
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

/*
 * Start nthreads threads (1..TH_MAX_THREADS) that each run fn(arg), then
 * join them all. Returns 0, or -1 with errno after joining the threads
 * that started.
 */
static int run_threads(int nthreads, void *(*fn)(void *), void *arg)
{
    pthread_t threads[TH_MAX_THREADS];
    int rc;

    if (nthreads < 1 || nthreads > TH_MAX_THREADS)
        return fail_with(EINVAL);
    for (int i = 0; i < nthreads; i++) {
        rc = pthread_create(&threads[i], NULL, fn, arg);
        if (rc != 0) {
            for (int j = 0; j < i; j++)
                join_thread(threads[j], NULL);
            return fail_with(rc);
        }
    }
    for (int i = 0; i < nthreads; i++)
        join_thread(threads[i], NULL);
    return 0;
}

/*
 * The counter of th_count_unlocked(). volatile makes the compiler load and
 * store value on every increment, as it must for memory that another
 * thread may change. Without it the optimizer could keep the count in a
 * register and store it once, which would hide the race, not fix it.
 */
struct unlocked_counter {
    long iterations;
    volatile long value;
};

static void *add_unlocked(void *arg)
{
    struct unlocked_counter *c = arg;

    /* value++ is a load, an add and a store: another thread can store
     * between the load and the store, and its increment is then lost. */
    for (long i = 0; i < c->iterations; i++)
        c->value++;
    return NULL;
}

long th_count_unlocked(int nthreads, long iterations)
{
    struct unlocked_counter c = {iterations, 0};

    if (iterations < 0)
        return fail_with(EINVAL);
    if (run_threads(nthreads, add_unlocked, &c) != 0)
        return -1;
    return c.value;
}

struct mutex_counter {
    long iterations;
    long value; /* guarded by lock */
    pthread_mutex_t lock;
};

static void *add_with_mutex(void *arg)
{
    struct mutex_counter *c = arg;

    for (long i = 0; i < c->iterations; i++) {
        /* On a default mutex that this thread does not hold, glibc's
         * lock and unlock return no error, so neither call is checked. */
        pthread_mutex_lock(&c->lock);
        c->value++;
        pthread_mutex_unlock(&c->lock);
    }
    return NULL;
}

long th_count_mutex(int nthreads, long iterations)
{
    struct mutex_counter c = {iterations, 0, PTHREAD_MUTEX_INITIALIZER};
    int rc;

    if (iterations < 0)
        return fail_with(EINVAL);
    rc = run_threads(nthreads, add_with_mutex, &c);
    pthread_mutex_destroy(&c.lock);
    if (rc != 0)
        return -1;
    return c.value;
}

struct atomic_counter {
    long iterations;
    _Atomic long value;
};

static void *add_atomically(void *arg)
{
    struct atomic_counter *c = arg;

    /* One indivisible read-modify-write: no other thread can store in
     * between, so no increment is lost. */
    for (long i = 0; i < c->iterations; i++)
        atomic_fetch_add(&c->value, 1);
    return NULL;
}

long th_count_atomic(int nthreads, long iterations)
{
    struct atomic_counter c;

    if (iterations < 0)
        return fail_with(EINVAL);
    c.iterations = iterations;
    atomic_init(&c.value, 0);
    if (run_threads(nthreads, add_atomically, &c) != 0)
        return -1;
    return atomic_load(&c.value);
}

/* --- Step 6 ------------------------------------------------------------ */

int th_count_threads(void)
{
    /* Aligned for the struct dirent64 records getdents64() stores. */
    char buf[4096] __attribute__((aligned(8)));
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int count = 0;
    ssize_t n;
    int err;

    if (fd == -1)
        return -1;
    while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *e = (const void *)(buf + off);

            /* Every entry but "." and ".." is one thread, named by its
             * thread ID. */
            if (e->d_name[0] != '.')
                count++;
            off += e->d_reclen;
        }
    }
    err = errno;
    close(fd);
    if (n == -1) {
        errno = err;
        return -1;
    }
    return count;
}

struct holder {
    pthread_mutex_t *lock;
    sem_t locked;     /* posted by the holder once it has locked */
    sem_t may_unlock; /* posted by the caller when the holder may unlock */
};

/* Wait on s, starting again after a signal handler interrupts. */
static void wait_on(sem_t *s)
{
    while (sem_wait(s) != 0) {
        if (errno != EINTR)
            pl_die("sem_wait");
    }
}

/* The thread that holds the mutex across the fork. */
static void *hold_mutex(void *arg)
{
    struct holder *h = arg;

    pthread_mutex_lock(h->lock);
    if (sem_post(&h->locked) != 0)
        pl_die("sem_post");
    wait_on(&h->may_unlock);
    pthread_mutex_unlock(h->lock);
    return NULL;
}

/* The report the child sends to the parent in th_fork_with_held_mutex(). */
struct child_report {
    int trylock;
    int threads;
};

/*
 * Runs in the child. Only the thread that called fork() exists here, so
 * a lock another thread held at fork stays locked for good: nobody is
 * left to unlock it. The calls below never block on such a lock.
 * pthread_mutex_trylock() is not on the POSIX list of async-signal-safe
 * functions, but it is what this step shows: it returns at once.
 */
static void child_report_and_exit(pthread_mutex_t *lock, int fd)
{
    struct child_report report;

    report.trylock = pthread_mutex_trylock(lock);
    report.threads = th_count_threads();
    /* A write of fewer than PIPE_BUF bytes to a pipe is never split. */
    if (write(fd, &report, sizeof(report)) != (ssize_t)sizeof(report))
        _exit(PL_EXIT_FAILURE);
    _exit(0);
}

int th_fork_with_held_mutex(struct th_fork_report *r)
{
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct holder h = {.lock = &lock};
    struct child_report report;
    pthread_t t;
    size_t got;
    int fds[2];
    int status;
    pid_t pid;
    int rc;

    if (r == NULL)
        return fail_with(EINVAL);
    if (sem_init(&h.locked, 0, 0) != 0 || sem_init(&h.may_unlock, 0, 0) != 0)
        pl_die("sem_init");
    rc = pthread_create(&t, NULL, hold_mutex, &h);
    if (rc != 0) {
        sem_destroy(&h.locked);
        sem_destroy(&h.may_unlock);
        return fail_with(rc);
    }
    /* Fork only once the other thread really holds the mutex. */
    wait_on(&h.locked);
    r->threads_before_fork = th_count_threads();

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it only writes, so it closes the read end. */
        close(fds[0]);
        child_report_and_exit(&lock, fds[1]);
    }

    /* Parent: it closes the write end, so that its read gets end of file
     * if the child dies before it reports. The holder thread exists only
     * here, and unlocks the parent's copy of the mutex. */
    pl_close(fds[1]);
    if (sem_post(&h.may_unlock) != 0)
        pl_die("sem_post");
    join_thread(t, NULL);
    sem_destroy(&h.locked);
    sem_destroy(&h.may_unlock);
    pthread_mutex_destroy(&lock);

    got = pl_read_full(fds[0], &report, sizeof(report));
    pl_close(fds[0]);
    pl_waitpid(pid, &status, 0);
    if (got != sizeof(report) || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return fail_with(EIO);
    r->child_trylock = report.trylock;
    r->child_threads = report.threads;
    return 0;
}
