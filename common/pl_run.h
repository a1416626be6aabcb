/*
 * pl_run.h - run a function in a child process with a deadline.
 *
 * pl_run() forks, runs fn(arg) in the child with stdout and stderr sent
 * into a pipe, and collects in the parent how the child ended and what it
 * printed. A child that is still running at the deadline is killed with
 * its whole process group and reported as timed out. The child runs in a
 * process group of its own, so the deadline also ends the processes it
 * started, unless they moved to another group or session.
 *
 * The caller owns the result and releases it with pl_run_free().
 */
#ifndef PL_RUN_H
#define PL_RUN_H

#include <stddef.h>

/* Work done in the child; its return value becomes the exit code. */
typedef int (*pl_child_fn)(void *arg);

struct pl_run_result {
    int status;            /* the raw status from waitpid() */
    int timed_out;         /* 1 when the child was killed at the deadline */
    char *output;          /* what it printed, NUL-terminated */
    size_t output_len;     /* bytes in output, at most the capture limit */
    size_t output_dropped; /* bytes printed past the capture limit */
    long long elapsed_ms;  /* from fork to the end of the child */
};

/* How many bytes of a child's output pl_run() keeps. */
#define PL_RUN_OUTPUT_MAX (64 * 1024)

/*
 * Run fn(arg) in a child and wait at most timeout_ms for it. Fills r and
 * returns 0; a failed fork or pipe is fatal.
 */
int pl_run(pl_child_fn fn, void *arg, int timeout_ms,
           struct pl_run_result *r);

/* Free what pl_run() allocated in r. */
void pl_run_free(struct pl_run_result *r);

/*
 * Describe a waitpid() status in words, the way a person would say it:
 *
 *   "exited with code 3"
 *   "was killed by SIGSEGV (signal 11, Segmentation fault)"
 *   "was stopped by SIGSTOP (signal 19, Stopped (signal))"
 *   "was continued by SIGCONT"
 *
 * Writes into buf and returns buf.
 */
char *pl_describe_status(int status, char *buf, size_t len);

#endif
