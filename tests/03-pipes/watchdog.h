/*
 * watchdog.h - a deadline for one call of a Lab 03 function, and a report
 * of the pipe ends that made it hang.
 *
 *   struct watchdog w;
 *
 *   WATCHDOG_START(&w, "pp_pipeline");
 *   rc = PL_CALL(pp_pipeline(...));
 *   watchdog_stop(&w);
 *
 * A thread of the test process waits for the deadline, which is shorter
 * than the test's own so that the test never ends as a bare timeout. When
 * the call has not returned by then, the thread reads /proc for the test
 * process and every process below it: the pipe ends each one holds
 * (/proc/PID/fd and /proc/PID/fdinfo) and the system call each one is
 * blocked in (/proc/PID/syscall). It then fails the test. The message
 * names the reader that never saw end of file and every process that
 * still holds a write end of its pipe. Failing that, it names the writer
 * blocked on a full pipe and every process that holds a read end. The
 * harness kills and reaps the processes that are left.
 *
 * The lab function runs in the test process itself, not in a child of
 * it, so the harness still checks afterwards that it reaped its children
 * and closed its descriptors.
 */
#ifndef WATCHDOG_H
#define WATCHDOG_H

#include <pthread.h>

/*
 * How long a lab function may run, before the grader's scale factor. A
 * correct pipeline moves 8 MiB in well under a second, but with both
 * cores busy and other grades running it once took more than 2 s.
 */
#define WATCHDOG_MS 5000

struct watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    const char *call; /* the lab function being watched */
    const char *file; /* where the test started the watchdog */
    int line;
    int started; /* 1 when the thread is running */
    int done;    /* set by watchdog_stop(): the call has returned */
};

/* Start watching a call of the lab function named call. */
#define WATCHDOG_START(w, call) watchdog_start((w), (call), __FILE__, __LINE__)

void watchdog_start(struct watchdog *w, const char *call, const char *file,
                    int line);

/*
 * Stop the watchdog once the call has returned. When the deadline passed
 * first, this never returns: the thread is failing the test.
 */
void watchdog_stop(struct watchdog *w);

#endif
