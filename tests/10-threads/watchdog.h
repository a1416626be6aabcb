/*
 * watchdog.h - a deadline for one call of a Lab 10 function, and a report
 * of what its threads were doing when it passed.
 *
 *   struct watchdog w;
 *
 *   watchdog_start(&w, "th_count_mutex", "does every thread unlock ...?");
 *   rc = th_count_mutex(4, 100000);
 *   watchdog_stop(&w);
 *
 * A thread of the test process waits for the deadline, which is shorter
 * than the test's own, so that a call that never returns fails with a
 * message instead of a bare timeout. When the deadline passes first, the
 * thread reads the state and the current system call of every other
 * thread in /proc/self/task. It then fails the test with a message that
 * counts the threads blocked in futex waits and the threads still
 * running, followed by the hint given to watchdog_start().
 *
 * The watchdog is itself a thread, so stop it before counting the
 * threads of the test process.
 */
#ifndef WATCHDOG_H
#define WATCHDOG_H

#include <pthread.h>

/* How long a lab function may run, before the grader's scale factor. */
#define WATCHDOG_MS 2000

struct watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    const char *call; /* the lab function being watched */
    const char *hint; /* the likely cause of a hang, for the message */
    int waiting;      /* set by the watchdog thread once it waits */
    int done;         /* set by watchdog_stop(): the call has returned */
};

/*
 * Start watching a call of the lab function named call. Returns once the
 * watchdog thread waits for its deadline, so that it takes no CPU time
 * while the call runs.
 */
void watchdog_start(struct watchdog *w, const char *call, const char *hint);

/*
 * Stop the watchdog once the call has returned. When the deadline passed
 * first, this never returns: the watchdog thread is failing the test.
 */
void watchdog_stop(struct watchdog *w);

#endif
