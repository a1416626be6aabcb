/*
 * watchdog.c - see watchdog.h.
 *
 * The threads of a hung call are blocked, so what /proc shows at the
 * deadline holds still long enough to be read. A thread blocked in
 * pthread_join(), pthread_mutex_lock(), pthread_barrier_wait() or
 * sem_wait() sleeps in the futex system call; a thread in a loop that
 * never ends is running.
 */
#include "watchdog.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"

/* What the other threads of the test process were doing. */
struct thread_census {
    int threads; /* every thread but the watchdog, the caller included */
    int in_futex;
    int running;
};

/*
 * Return the system call that thread tid is blocked in, from the first
 * field of /proc/self/task/TID/syscall, or -1 when it is running or the
 * file cannot be read.
 */
static long blocking_syscall(const char *tid)
{
    char path[300], line[256];
    FILE *f;
    long nr = -1;

    snprintf(path, sizeof(path), "/proc/self/task/%s/syscall", tid);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof(line), f) != NULL && line[0] >= '0' &&
        line[0] <= '9')
        nr = strtol(line, NULL, 10);
    fclose(f);
    return nr;
}

static void take_census(struct thread_census *c)
{
    struct pl_proc_stat st;
    struct dirent *e;
    DIR *d = opendir("/proc/self/task");
    pid_t self = gettid();

    memset(c, 0, sizeof(*c));
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        pid_t tid = (pid_t)atoi(e->d_name);

        if (tid <= 0 || tid == self)
            continue;
        c->threads++;
        if (blocking_syscall(e->d_name) == SYS_futex)
            c->in_futex++;
        else if (pl_proc_read_stat(tid, &st) == 0 && st.state == 'R')
            c->running++;
    }
    closedir(d);
}

static void *watch(void *arg)
{
    struct watchdog *w = arg;
    int ms = (int)(WATCHDOG_MS * pl_test_scale());
    struct thread_census census;
    struct timespec deadline;
    int rc = 0;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }

    pthread_mutex_lock(&w->lock);
    /* The caller sees this only once the wait below has released the
     * lock, that is once this thread sleeps. */
    w->waiting = 1;
    pthread_cond_broadcast(&w->wake);
    while (!w->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w->wake, &w->lock, &deadline);
    if (w->done) {
        pthread_mutex_unlock(&w->lock);
        return NULL;
    }
    pthread_mutex_unlock(&w->lock);

    take_census(&census);
    PL_FAIL("%s did not return within %d ms. Its process had %d "
            "thread%s, the caller included: %d blocked in a futex wait "
            "(where pthread_join, pthread_mutex_lock, pthread_barrier_wait "
            "and sem_wait sleep) and %d running. %s",
            w->call, ms, census.threads, census.threads == 1 ? "" : "s",
            census.in_futex, census.running, w->hint);
    return NULL;
}

/*
 * Thread attributes that give the watchdog the default scheduling policy
 * and every CPU, whatever the test set for its own thread, which new
 * threads otherwise inherit.
 */
static void default_scheduling(pthread_attr_t *attr)
{
    struct sched_param param = {0};
    cpu_set_t all;

    CPU_ZERO(&all);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        CPU_SET(cpu, &all);
    pthread_attr_init(attr);
    pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(attr, SCHED_OTHER);
    pthread_attr_setschedparam(attr, &param);
    pthread_attr_setaffinity_np(attr, sizeof(all), &all);
}

void watchdog_start(struct watchdog *w, const char *call, const char *hint)
{
    pthread_condattr_t attr;
    pthread_attr_t thread_attr;
    int rc;

    w->call = call;
    w->hint = hint;
    w->waiting = 0;
    w->done = 0;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    /* A deadline on the monotonic clock, which no change of the date
     * moves. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    default_scheduling(&thread_attr);
    rc = pthread_create(&w->thread, &thread_attr, watch, w);
    pthread_attr_destroy(&thread_attr);
    /* A system that rejects those attributes still gets a watchdog. */
    if (rc == EINVAL || rc == EPERM)
        rc = pthread_create(&w->thread, NULL, watch, w);
    if (rc != 0)
        PL_FAIL("test setup: pthread_create(watchdog) failed: %s (%s)",
                pl_errno_name(rc), strerror(rc));
    pthread_mutex_lock(&w->lock);
    while (!w->waiting)
        pthread_cond_wait(&w->wake, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void watchdog_stop(struct watchdog *w)
{
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
}
