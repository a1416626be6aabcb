/*
 * pipes.c - Lab 03: pipes.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in pipes.h.
 *
 *   make run LAB=03     runs the demo in main.c against your functions
 *   make grade LAB=03   runs the graded tests
 *
 * Use the checked wrappers from proclab.h (pl_pipe, pl_fork, pl_close,
 * pl_waitpid, pl_write_all, pl_read_full) so that you do not have to
 * check every call by hand. In every process, close each pipe end that
 * process does not use, and end every child with _exit().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipes.h"
#include "proclab.h"

ssize_t pp_upcase_in_child(const char *text, size_t len, char *out)
{
    /* TODO(student): send text to a child, read it back upper-cased (Step 1) */
    (void)text;
    (void)len;
    (void)out;
    errno = ENOSYS;
    return -1;
}

int pp_checksum_in_child(const void *data, size_t len,
                         struct pp_summary *child_saw)
{
    /* TODO(student): have a child count and checksum the data (Step 2) */
    (void)data;
    (void)len;
    (void)child_saw;
    errno = ENOSYS;
    return -1;
}

int pp_write_without_reader(int ignore_sigpipe, struct pp_broken_pipe *r)
{
    /* TODO(student): let a child write to a pipe nobody reads (Step 3) */
    (void)ignore_sigpipe;
    (void)r;
    errno = ENOSYS;
    return -1;
}

ssize_t pp_gather_records(int writers, int records, char *out,
                          size_t out_len)
{
    /* TODO(student): read the records of several writers (Step 4) */
    (void)writers;
    (void)records;
    (void)out;
    (void)out_len;
    errno = ENOSYS;
    return -1;
}

int pp_fill_pipe(struct pp_capacity *c)
{
    /* TODO(student): fill a non-blocking pipe until EAGAIN (Step 4) */
    (void)c;
    errno = ENOSYS;
    return -1;
}

int pp_pipeline(char *const producer[], char *const filter[],
                int *producer_status, int *filter_status)
{
    /* TODO(student): run producer | filter with fork, dup2, exec (Step 5) */
    (void)producer;
    (void)filter;
    (void)producer_status;
    (void)filter_status;
    errno = ENOSYS;
    return -1;
}
